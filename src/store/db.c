/* db.c - dispatch of the neutral API to the connection's backend. */
#include "store/db.h"

#include <string.h>

#include "store/db_impl.h"

int db_open(const char *url, struct db **out, struct err *e)
{
    *out = NULL;
    if (!url || !*url)
        return err_set(e, ERR_INVALID, NULL, "db", "empty database URL");
    if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0)
        return db_pg_open(url, out, e);
    if (strncmp(url, "sqlite:", 7) == 0)
        url += 7;
    return db_sqlite_open(url, out, e);
}

void db_close(struct db *db)
{
    if (db)
        db->ops->close(db);
}

enum db_kind db_kind(const struct db *db)
{
    return db->kind;
}
int db_exec(struct db *db, const char *sql, struct err *e)
{
    return db->ops->exec(db, sql, e);
}
int db_in_transaction(const struct db *db)
{
    return db->in_txn;
}

int db_begin(struct db *db, struct err *e)
{
    int rc = db->ops->begin(db, 1, e);
    if (rc == 0)
        db->in_txn = 1;
    return rc;
}

int db_begin_read(struct db *db, struct err *e)
{
    int rc = db->ops->begin(db, 0, e);
    if (rc == 0)
        db->in_txn = 1;
    return rc;
}

int db_commit(struct db *db, struct err *e)
{
    int rc = db->ops->commit(db, e);
    db->in_txn = 0;
    return rc;
}

void db_rollback(struct db *db)
{
    if (db->in_txn)
        db->ops->rollback(db);
    db->in_txn = 0;
}

int db_lock(struct db *db, int64_t key, struct err *e)
{
    return db->ops->lock(db, key, e);
}

int db_prepare(struct db *db, const char *sql, struct db_stmt **out, struct err *e)
{
    return db->ops->prepare(db, sql, out, e);
}

void db_bind_int64(struct db_stmt *s, int idx, int64_t v)
{
    s->db->ops->bind_int64(s, idx, v);
}
void db_bind_double(struct db_stmt *s, int idx, double v)
{
    s->db->ops->bind_double(s, idx, v);
}

void db_bind_text(struct db_stmt *s, int idx, const char *v)
{
    if (!v)
        s->db->ops->bind_null(s, idx);
    else
        s->db->ops->bind_textn(s, idx, v, strlen(v));
}

void db_bind_textn(struct db_stmt *s, int idx, const char *v, size_t n)
{
    if (!v)
        s->db->ops->bind_null(s, idx);
    else
        s->db->ops->bind_textn(s, idx, v, n);
}

void db_bind_blob(struct db_stmt *s, int idx, const void *p, size_t n)
{
    if (!p)
        s->db->ops->bind_null(s, idx);
    else
        s->db->ops->bind_blob(s, idx, p, n);
}

static void bind_kept(struct db_stmt *s, int idx, const void *p, size_t n, int is_text)
{
    if (!p)
        s->db->ops->bind_null(s, idx);
    else if (s->db->ops->bind_kept)
        s->db->ops->bind_kept(s, idx, p, n, is_text);
    else if (is_text)
        s->db->ops->bind_textn(s, idx, p, n);
    else
        s->db->ops->bind_blob(s, idx, p, n);
}

void db_bind_text_kept(struct db_stmt *s, int idx, const char *v)
{
    bind_kept(s, idx, v, v ? strlen(v) : 0, 1);
}

void db_bind_blob_kept(struct db_stmt *s, int idx, const void *p, size_t n)
{
    bind_kept(s, idx, p, n, 0);
}

void db_bind_null(struct db_stmt *s, int idx)
{
    s->db->ops->bind_null(s, idx);
}
int db_step(struct db_stmt *s, struct err *e)
{
    return s->db->ops->step(s, e);
}
int db_col_count(struct db_stmt *s)
{
    return s->db->ops->col_count(s);
}
int db_col_isnull(struct db_stmt *s, int col)
{
    return s->db->ops->col_isnull(s, col);
}
int64_t db_col_int64(struct db_stmt *s, int col)
{
    return s->db->ops->col_int64(s, col);
}
double db_col_double(struct db_stmt *s, int col)
{
    return s->db->ops->col_double(s, col);
}
const char *db_col_text(struct db_stmt *s, int col)
{
    return s->db->ops->col_text(s, col);
}

const void *db_col_blob(struct db_stmt *s, int col, size_t *n)
{
    return s->db->ops->col_blob(s, col, n);
}

const char *db_col_name(struct db_stmt *s, int col)
{
    return s->db->ops->col_name(s, col);
}
void db_reset(struct db_stmt *s)
{
    s->db->ops->reset(s);
}
int64_t db_changes(struct db *db)
{
    return db->ops->changes(db);
}

void db_bulk(struct db *db, int64_t cache_kib, int64_t mmap_bytes)
{
    if (db->ops->bulk)
        db->ops->bulk(db, cache_kib, mmap_bytes);
}

void db_budget(struct db *db, int64_t steps)
{
    if (db->ops->budget)
        db->ops->budget(db, steps);
}

void db_pipeline_begin(struct db *db)
{
    if (db->ops->pipeline_begin)
        db->ops->pipeline_begin(db);
}

int db_pipeline_end(struct db *db, struct err *e)
{
    return db->ops->pipeline_end ? db->ops->pipeline_end(db, e) : 0;
}

int db_queue(struct db_stmt *s, struct err *e)
{
    if (s->db->ops->queue)
        return s->db->ops->queue(s, e);
    int rc = db_step(s, e);
    db_reset(s);
    return rc < 0 ? rc : 0;
}

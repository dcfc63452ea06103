/* db_sqlite.c - the SQLite backend of db.h.
 *
 * One connection per thread (SQLITE_OPEN_NOMUTEX), WAL with
 * synchronous=NORMAL, busy_timeout 5000 ms, foreign keys on. Write
 * transactions start with BEGIN IMMEDIATE so a writer waits for the lock up
 * front instead of failing with SQLITE_BUSY when a read upgrades. Prepared
 * statements are cached per connection by their SQL text. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/mem.h"
#include "lib/timeutil.h"
#include "store/db_impl.h"

#define CACHE_BUCKETS 256

struct sq_stmt {
    struct db_stmt base;
    sqlite3_stmt *st;
    char *sql;
    int done;             /* stepped to completion since the last reset */
    int clean;            /* reset with bindings cleared, not stepped since */
    struct sq_stmt *next; /* hash chain */
};

struct writeback;

struct sq_db {
    struct db base;
    sqlite3 *h;
    struct writeback *wb; /* db_bulk's writing thread, or NULL */
    int64_t budget_left;  /* db_budget: progress handler calls left (of BUDGET_STEP steps each) */
    struct sq_stmt *cache[CACHE_BUCKETS];
};

static unsigned hash_sql(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static int sq_error(sqlite3 *h, int rc, struct err *e)
{
    if ((rc & 0xff) == SQLITE_INTERRUPT) /* only the budget's progress handler interrupts */
        return err_set(e, ERR_DB, DB_BUDGET_EXCEEDED, NULL, "sqlite: the statement went beyond its budget");
    int ext = sqlite3_extended_errcode(h);
    const char *msg = sqlite3_errmsg(h);
    if (ext == SQLITE_CONSTRAINT_UNIQUE || ext == SQLITE_CONSTRAINT_PRIMARYKEY)
        return err_set(e, ERR_CONFLICT, "duplicate", NULL, "%s", msg);
    if (ext == SQLITE_CONSTRAINT_FOREIGNKEY)
        return err_set(e, ERR_INVALID, "invalid_reference", NULL, "%s", msg);
    if ((rc & 0xff) == SQLITE_CONSTRAINT)
        return err_set(e, ERR_INVALID, "constraint_violation", NULL, "%s", msg);
    if ((rc & 0xff) == SQLITE_TOOBIG)
        return err_set(e, ERR_TOO_LARGE, NULL, NULL, "%s", msg);
    return err_set(e, ERR_DB, NULL, NULL, "sqlite: %s", msg);
}

/* ---- db_bulk: writing dirty pages back while the connection works ----
 *
 * A bulk writer's commit writes its pages into the write-ahead log, and the checkpoint after it copies
 * them into the database; both only fill the kernel's page cache, and the fsyncs of the checkpoint then
 * wait for the disk to write it all (an import of 100 000 results: ~1.2 GB, the connection blocked ~2 s).
 * The kernel's own flusher starts only at a tenth of memory or after 30 s. This thread asks for the
 * writing to start at once (sync_file_range, SYNC_FILE_RANGE_WRITE: asynchronous, no fsync, nothing
 * about durability changes), so the disk works while the connection does. It holds descriptors of its
 * own on the two files: writeback is per file, whichever descriptor asks. */

#define WRITEBACK_PERIOD_MS 50

struct writeback {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    int stop;
    char *paths[2]; /* the database, its write-ahead log */
};

static void *writeback_run(void *arg)
{
    struct writeback *w = arg;
    int fds[2] = {-1, -1};
    pthread_mutex_lock(&w->mu);
    while (!w->stop) {
        struct timespec at;
        time_mono_deadline(&at, WRITEBACK_PERIOD_MS);
        int rc = 0;
        while (!w->stop && rc != ETIMEDOUT)
            rc = pthread_cond_timedwait(&w->wake, &w->mu, &at);
        if (w->stop)
            break;
        pthread_mutex_unlock(&w->mu);
        for (int i = 0; i < 2; i++) {
            if (fds[i] < 0) /* the log appears with the first write */
                fds[i] = open(w->paths[i], O_RDONLY | O_CLOEXEC);
            if (fds[i] >= 0)
                (void)sync_file_range(fds[i], 0, 0, SYNC_FILE_RANGE_WRITE);
        }
        pthread_mutex_lock(&w->mu);
    }
    pthread_mutex_unlock(&w->mu);
    for (int i = 0; i < 2; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    return NULL;
}

static void writeback_free(struct writeback *w)
{
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->mu);
    free(w->paths[0]);
    free(w->paths[1]);
    free(w);
}

static void writeback_start(struct sq_db *d)
{
    const char *name = sqlite3_db_filename(d->h, "main");
    if (d->wb || !name || !name[0]) /* running, or a temporary or in-memory database */
        return;
    struct writeback *w = xcalloc(1, sizeof(*w));
    w->paths[0] = xstrdup(name);
    w->paths[1] = xstrdup(sqlite3_filename_wal(name));
    time_cond_init_monotonic(&w->wake);
    pthread_mutex_init(&w->mu, NULL);
    if (pthread_create(&w->thread, NULL, writeback_run, w) != 0) /* then the connection waits, as without */
        writeback_free(w);
    else
        d->wb = w;
}

static void writeback_stop(struct sq_db *d)
{
    struct writeback *w = d->wb;
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    w->stop = 1;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    writeback_free(w);
    d->wb = NULL;
}

static int sq_exec(struct db *db, const char *sql, struct err *e);

static void sq_bulk(struct db *db, int64_t cache_kib, int64_t mmap_bytes)
{
    struct sq_db *d = (struct sq_db *)db;
    char sql[128];
    struct err ignored = {0}; /* a pragma SQLite declines leaves its default: slower, not wrong */
    snprintf(sql, sizeof(sql), "PRAGMA cache_size=-%" PRId64 "; PRAGMA mmap_size=%" PRId64, cache_kib, mmap_bytes);
    sq_exec(db, sql, &ignored);
    writeback_start(d);
}

static void sq_close(struct db *db)
{
    struct sq_db *d = (struct sq_db *)db;
    writeback_stop(d);
    for (int i = 0; i < CACHE_BUCKETS; i++) {
        struct sq_stmt *s = d->cache[i];
        while (s) {
            struct sq_stmt *n = s->next;
            sqlite3_finalize(s->st);
            free(s->sql);
            free(s);
            s = n;
        }
    }
    sqlite3_close_v2(d->h);
    free(d);
}

static int sq_prepare(struct db *db, const char *sql, struct db_stmt **out, struct err *e);
static int sq_step(struct db_stmt *s, struct err *e);
static void sq_reset(struct db_stmt *s);

/* 1 for the transaction statements use cases run over and over (BEGIN,
 * COMMIT, ROLLBACK, SAVEPOINT, RELEASE, one statement each): worth keeping
 * prepared in the cache instead of parsing them on every call. */
static int is_tx_statement(const char *sql)
{
    static const char *const verbs[] = {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE", NULL};
    if (strchr(sql, ';'))
        return 0;
    for (int i = 0; verbs[i]; i++)
        if (strncmp(sql, verbs[i], strlen(verbs[i])) == 0)
            return 1;
    return 0;
}

static int sq_exec(struct db *db, const char *sql, struct err *e)
{
    struct sq_db *d = (struct sq_db *)db;
    if (is_tx_statement(sql)) {
        struct db_stmt *s = NULL;
        int rc = sq_prepare(db, sql, &s, e);
        if (rc != 0 || !s)
            return rc ? rc : ERR_DB;
        rc = sq_step(s, e);
        sq_reset(s);
        return rc < 0 ? rc : 0;
    }
    char *msg = NULL;
    int rc = sqlite3_exec(d->h, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK) {
        int code = sq_error(d->h, rc, e);
        sqlite3_free(msg);
        return code;
    }
    return 0;
}

static int sq_begin(struct db *db, int write, struct err *e)
{
    return sq_exec(db, write ? "BEGIN IMMEDIATE" : "BEGIN", e);
}

static int sq_commit(struct db *db, struct err *e)
{
    int rc = sq_exec(db, "COMMIT", e);
    if (rc != 0)
        sq_exec(db, "ROLLBACK", NULL);
    return rc;
}

static void sq_rollback(struct db *db)
{
    struct sq_db *d = (struct sq_db *)db;
    if (!sqlite3_get_autocommit(d->h))
        sq_exec(db, "ROLLBACK", NULL);
}

static int sq_lock(struct db *db, int64_t key, struct err *e)
{
    (void)db;
    (void)key;
    (void)e;
    return 0;
}

static int sq_prepare(struct db *db, const char *sql, struct db_stmt **out, struct err *e)
{
    struct sq_db *d = (struct sq_db *)db;
    unsigned b = hash_sql(sql) % CACHE_BUCKETS;
    for (struct sq_stmt *s = d->cache[b]; s; s = s->next) {
        if (strcmp(s->sql, sql) == 0) {
            if (!s->clean) {
                sqlite3_reset(s->st);
                sqlite3_clear_bindings(s->st);
                s->done = 0;
                s->clean = 1;
            }
            *out = &s->base;
            return 0;
        }
    }
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v3(d->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK)
        return sq_error(d->h, rc, e);
    struct sq_stmt *s = xcalloc(1, sizeof(*s));
    s->base.db = db;
    s->st = st;
    s->sql = xstrdup(sql);
    s->clean = 1;
    s->next = d->cache[b];
    d->cache[b] = s;
    *out = &s->base;
    return 0;
}

#define ST(s) (((struct sq_stmt *)(s))->st)
/* The statement's bindings are no longer the cleared ones. */
#define DIRTY(s) (((struct sq_stmt *)(s))->clean = 0)

static void sq_bind_int64(struct db_stmt *s, int idx, int64_t v)
{
    DIRTY(s);
    sqlite3_bind_int64(ST(s), idx, v);
}

static void sq_bind_double(struct db_stmt *s, int idx, double v)
{
    DIRTY(s);
    sqlite3_bind_double(ST(s), idx, v);
}

static void sq_bind_textn(struct db_stmt *s, int idx, const char *v, size_t n)
{
    DIRTY(s);
    sqlite3_bind_text64(ST(s), idx, v, n, SQLITE_TRANSIENT, SQLITE_UTF8);
}

static void sq_bind_blob(struct db_stmt *s, int idx, const void *p, size_t n)
{
    DIRTY(s);
    sqlite3_bind_blob64(ST(s), idx, p, n, SQLITE_TRANSIENT);
}

/* SQLITE_STATIC: SQLite reads the caller's bytes when the statement runs; sq_reset clears the binding. */
static void sq_bind_kept(struct db_stmt *s, int idx, const void *p, size_t n, int is_text)
{
    DIRTY(s);
    if (is_text)
        sqlite3_bind_text64(ST(s), idx, p, n, SQLITE_STATIC, SQLITE_UTF8);
    else
        sqlite3_bind_blob64(ST(s), idx, p, n, SQLITE_STATIC);
}

static void sq_bind_null(struct db_stmt *s, int idx)
{
    DIRTY(s);
    sqlite3_bind_null(ST(s), idx);
}

static int sq_step(struct db_stmt *s, struct err *e)
{
    struct sq_stmt *q = (struct sq_stmt *)s;
    if (q->done)
        return DB_DONE;
    q->clean = 0;
    int rc = sqlite3_step(q->st);
    if (rc == SQLITE_ROW)
        return DB_ROW;
    if (rc == SQLITE_DONE) {
        q->done = 1;
        return DB_DONE;
    }
    struct sq_db *d = (struct sq_db *)s->db;
    int code = sq_error(d->h, rc, e);
    sqlite3_reset(q->st);
    q->done = 1;
    return code;
}

static int sq_col_count(struct db_stmt *s)
{
    return sqlite3_column_count(ST(s));
}

static int sq_col_isnull(struct db_stmt *s, int col)
{
    return sqlite3_column_type(ST(s), col) == SQLITE_NULL;
}

static int64_t sq_col_int64(struct db_stmt *s, int col)
{
    return sqlite3_column_int64(ST(s), col);
}
static double sq_col_double(struct db_stmt *s, int col)
{
    return sqlite3_column_double(ST(s), col);
}

static const char *sq_col_text(struct db_stmt *s, int col)
{
    return (const char *)sqlite3_column_text(ST(s), col);
}

static const void *sq_col_blob(struct db_stmt *s, int col, size_t *n)
{
    const void *p = sqlite3_column_blob(ST(s), col);
    *n = p ? (size_t)sqlite3_column_bytes(ST(s), col) : 0;
    return p;
}

static const char *sq_col_name(struct db_stmt *s, int col)
{
    return sqlite3_column_name(ST(s), col);
}

static void sq_reset(struct db_stmt *s)
{
    struct sq_stmt *q = (struct sq_stmt *)s;
    sqlite3_reset(q->st);
    sqlite3_clear_bindings(q->st);
    q->done = 0;
    q->clean = 1;
}

static int64_t sq_changes(struct db *db)
{
    return sqlite3_changes64(((struct sq_db *)db)->h);
}

int64_t db_last_insert_id(struct db *db)
{
    return db_kind(db) == DB_SQLITE ? sqlite3_last_insert_rowid(((struct sq_db *)db)->h) : 0;
}

#define BUDGET_STEP 1000 /* virtual machine steps between calls of the progress handler */

static int sq_progress(void *arg)
{
    struct sq_db *d = arg;
    return --d->budget_left < 0;
}

static void sq_budget(struct db *db, int64_t steps)
{
    struct sq_db *d = (struct sq_db *)db;
    d->budget_left = steps / BUDGET_STEP;
    sqlite3_progress_handler(d->h, steps > 0 ? BUDGET_STEP : 0, steps > 0 ? sq_progress : NULL, d);
}

static const struct db_ops sqlite_ops = {
    .close = sq_close,
    .bulk = sq_bulk,
    .exec = sq_exec,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .lock = sq_lock,
    .prepare = sq_prepare,
    .bind_int64 = sq_bind_int64,
    .bind_double = sq_bind_double,
    .bind_textn = sq_bind_textn,
    .bind_blob = sq_bind_blob,
    .bind_kept = sq_bind_kept,
    .bind_null = sq_bind_null,
    .step = sq_step,
    .col_count = sq_col_count,
    .col_isnull = sq_col_isnull,
    .col_int64 = sq_col_int64,
    .col_double = sq_col_double,
    .col_text = sq_col_text,
    .col_blob = sq_col_blob,
    .col_name = sq_col_name,
    .reset = sq_reset,
    .changes = sq_changes,
    .budget = sq_budget,
};

/* Process-wide settings, made once before SQLite initialises: no memory statistics. With them on
 * (SQLite's default) every allocation SQLite makes takes a global mutex to count it, and talentd
 * never asks for the counts. */
static void sq_configure(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

int db_sqlite_open(const char *path, struct db **out, struct err *e)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sq_configure);
    sqlite3 *h = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path, &h, flags, NULL);
    if (rc != SQLITE_OK) {
        err_set(e, ERR_DB, NULL, "db", "cannot open %s: %s", path, h ? sqlite3_errmsg(h) : "out of memory");
        sqlite3_close_v2(h);
        return ERR_DB;
    }
    sqlite3_extended_result_codes(h, 1);
    /* the busy wait first: journal_mode reads the file, and another process
     * may hold it (closing the last connection checkpoints the WAL) */
    sqlite3_busy_timeout(h, 5000);
    struct sq_db *d = xcalloc(1, sizeof(*d));
    d->base.ops = &sqlite_ops;
    d->base.kind = DB_SQLITE;
    d->h = h;
    rc = sq_exec(&d->base,
                 "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                 " PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;",
                 e);
    if (rc != 0) {
        sq_close(&d->base);
        return rc;
    }
    *out = &d->base;
    return 0;
}

/* db_impl.h - what a backend provides to db.c (internal to src/store). */
#ifndef TALENTD_DB_IMPL_H
#define TALENTD_DB_IMPL_H

#include "store/db.h"

struct db_ops {
    void (*close)(struct db *db);
    int (*exec)(struct db *db, const char *sql, struct err *e);
    int (*begin)(struct db *db, int write, struct err *e);
    int (*commit)(struct db *db, struct err *e);
    void (*rollback)(struct db *db);
    int (*lock)(struct db *db, int64_t key, struct err *e);
    int (*prepare)(struct db *db, const char *sql, struct db_stmt **out, struct err *e);
    void (*bind_int64)(struct db_stmt *s, int idx, int64_t v);
    void (*bind_double)(struct db_stmt *s, int idx, double v);
    void (*bind_textn)(struct db_stmt *s, int idx, const char *v, size_t n);
    void (*bind_blob)(struct db_stmt *s, int idx, const void *p, size_t n);
    void (*bind_null)(struct db_stmt *s, int idx);
    /* optional (NULL: bind_textn and bind_blob): the value is not copied, text when is_text */
    void (*bind_kept)(struct db_stmt *s, int idx, const void *p, size_t n, int is_text);
    int (*step)(struct db_stmt *s, struct err *e);
    int (*col_count)(struct db_stmt *s);
    int (*col_isnull)(struct db_stmt *s, int col);
    int64_t (*col_int64)(struct db_stmt *s, int col);
    double (*col_double)(struct db_stmt *s, int col);
    const char *(*col_text)(struct db_stmt *s, int col);
    const void *(*col_blob)(struct db_stmt *s, int col, size_t *n);
    const char *(*col_name)(struct db_stmt *s, int col);
    void (*reset)(struct db_stmt *s);
    int64_t (*changes)(struct db *db);
    /* optional (NULL: no pipelining; db_queue steps and resets) */
    void (*pipeline_begin)(struct db *db);
    int (*pipeline_end)(struct db *db, struct err *e);
    int (*queue)(struct db_stmt *s, struct err *e);
    void (*budget)(struct db *db, int64_t steps);                       /* optional (NULL: no bound) */
    void (*bulk)(struct db *db, int64_t cache_kib, int64_t mmap_bytes); /* optional (NULL: nothing) */
};

/* Every backend's struct db and struct db_stmt start with these headers. */
struct db {
    const struct db_ops *ops;
    enum db_kind kind;
    int in_txn;
};

struct db_stmt {
    struct db *db;
};

/* Backend constructors (db_sqlite.c, db_pg.c). */
int db_sqlite_open(const char *path, struct db **out, struct err *e);
int db_pg_open(const char *conninfo, struct db **out, struct err *e);

#endif

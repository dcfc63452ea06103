/* migrate.c - running the embedded migrations (store/migrations/<backend>/NNN_*.sql). */
#include "store/migrate.h"

#include <stdio.h>

#include "lib/timeutil.h"
#include "migrations.h"

struct migration {
    int version;
    const char *sqlite_sql;
    const char *pg_sql;
};

/* Versions may have gaps (15 is another migration's number): each is applied once, by version. */
static const struct migration migrations[] = {
    {1, mig_sqlite_001, mig_pg_001},  {2, mig_sqlite_002, mig_pg_002},  {3, mig_sqlite_003, mig_pg_003},
    {4, mig_sqlite_004, mig_pg_004},  {5, mig_sqlite_005, mig_pg_005},  {6, mig_sqlite_006, mig_pg_006},
    {7, mig_sqlite_007, mig_pg_007},  {8, mig_sqlite_008, mig_pg_008},  {9, mig_sqlite_009, mig_pg_009},
    {10, mig_sqlite_010, mig_pg_010}, {11, mig_sqlite_011, mig_pg_011}, {12, mig_sqlite_012, mig_pg_012},
    {13, mig_sqlite_013, mig_pg_013}, {14, mig_sqlite_014, mig_pg_014}, {15, mig_sqlite_015, mig_pg_015},
    {16, mig_sqlite_016, mig_pg_016}, {17, mig_sqlite_017, mig_pg_017}, {18, mig_sqlite_018, mig_pg_018},
};

#define N_MIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))
#define MIGRATE_LOCK_KEY 0x6d696772

int migrate_latest(void)
{
    return migrations[N_MIGRATIONS - 1].version;
}

/* *done 1 when migration version has been applied (each is applied once, whatever the order in
 * which versions arrived: a database migrated by a build that had a later one applies an earlier
 * one it lacks). */
static int is_applied(struct db *db, int version, int *done, struct err *e)
{
    struct db_stmt *s;
    int rc = db_prepare(db, "SELECT 1 FROM schema_migrations WHERE version = ?", &s, e);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, version);
    rc = db_step(s, e);
    *done = rc == DB_ROW;
    db_reset(s);
    return rc < 0 ? rc : 0;
}

int migrate_run(struct db *db, int *applied, struct err *e)
{
    int n = 0, rc;
    if (applied)
        *applied = 0;
    if ((rc = db_exec(db,
                      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                      "applied_at BIGINT NOT NULL)",
                      e)))
        return rc;
    for (int i = 0; i < N_MIGRATIONS; i++) {
        const struct migration *m = &migrations[i];
        int done;
        if ((rc = db_begin(db, e)) || (rc = db_lock(db, MIGRATE_LOCK_KEY, e)) ||
            (rc = is_applied(db, m->version, &done, e)))
            goto fail;
        if (done) {
            db_rollback(db);
            continue;
        }
        if ((rc = db_exec(db, db_kind(db) == DB_POSTGRES ? m->pg_sql : m->sqlite_sql, e)))
            goto fail;
        struct db_stmt *s;
        if ((rc = db_prepare(db, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)", &s, e)))
            goto fail;
        db_bind_int64(s, 1, m->version);
        db_bind_int64(s, 2, time_now_ms());
        rc = db_step(s, e);
        db_reset(s);
        if (rc < 0 || (rc = db_commit(db, e)))
            goto fail;
        n++;
    }
    if (applied)
        *applied = n;
    return 0;
fail:
    db_rollback(db);
    return rc;
}

/* test_audit.c - tests of src/svc/audit.c (and svc_audit in src/svc/svc.c):
 * the hash-chained audit log is appended through svc_audit inside use-case
 * transactions, and svc_audit_verify finds the first row that was changed,
 * re-chained or removed behind its back.
 *
 * Every test gets a fresh, migrated database so row ids start at 1. SQLite
 * uses a temporary directory. PostgreSQL runs when TALENTD_TEST_PG_URL names
 * a server (e.g. "postgresql://postgres@/postgres?host=/tmp/x&port=55432"):
 * each test creates its own database talentd_ut_<pid>_<n> there and drops it
 * afterwards; otherwise that group is skipped with a message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/crypto.h"
#include "lib/mem.h"
#include "store/db.h"
#include "store/migrate.h"
#include "svc/audit.h"
#include "svc/svc.h"

struct fixture {
    const char *pg_url; /* NULL for SQLite */
    char dir[64];       /* temp dir: SQLite file and key file */
    char dbname[64];    /* PostgreSQL database created for the test */
    struct db *db;
    struct keyring kr;
    struct actor actor;
    struct err e;
    struct svc_ctx c;
};

static int pg_counter;

static void check_ok(int rc, const struct err *e)
{
    if (rc < 0)
        fail_msg("rc %d slug %s: %s", rc, e->slug, e->message);
}

/* url with its database path replaced by dbname:
 * postgresql://u@/postgres?host=H -> postgresql://u@/dbname?host=H. */
static void pg_url_for(const char *url, const char *dbname, char *out, size_t n)
{
    const char *p = strstr(url, "://");
    p = p ? p + 3 : url;
    const char *q = strchr(p, '?'), *slash = strchr(p, '/');
    if (slash && q && slash > q)
        slash = NULL;
    const char *auth_end = slash ? slash : (q ? q : p + strlen(p));
    snprintf(out, n, "%.*s/%s%s", (int)(auth_end - url), url, dbname, q ? q : "");
}

/* Runs one statement on a short-lived connection to the server's own database. */
static int pg_admin(const char *url, const char *sql)
{
    struct err e = {0};
    struct db *admin = NULL;
    int rc = db_open(url, &admin, &e);
    if (rc == 0)
        rc = db_exec(admin, sql, &e);
    if (rc != 0)
        fprintf(stderr, "postgres admin: %s: %s\n", sql, e.message);
    db_close(admin);
    return rc;
}

static int fixture_setup(struct fixture *f)
{
    struct err *e = &f->e;
    char url[1024], key[128];
    snprintf(f->dir, sizeof(f->dir), "/tmp/talentd_ut_audit_XXXXXX");
    if (!mkdtemp(f->dir))
        return -1;
    if (f->pg_url) {
        snprintf(f->dbname, sizeof(f->dbname), "talentd_ut_%d_%d_%ld", (int)getpid(), ++pg_counter,
                 (long)time(NULL) % 100000);
        char sql[128];
        snprintf(sql, sizeof(sql), "CREATE DATABASE %s", f->dbname);
        if (pg_admin(f->pg_url, sql) != 0) {
            f->dbname[0] = '\0';
            return -1;
        }
        pg_url_for(f->pg_url, f->dbname, url, sizeof(url));
    } else {
        snprintf(url, sizeof(url), "%s/test.db", f->dir);
    }
    snprintf(key, sizeof(key), "%s/key", f->dir);
    if (crypto_setup() != 0 || keyring_load_or_create(key, &f->kr, e) != 0 || db_open(url, &f->db, e) != 0 ||
        migrate_run(f->db, NULL, e) != 0) {
        fprintf(stderr, "cannot set up %s: %s\n", url, e->message);
        return -1;
    }
    actor_system(&f->actor, "test");
    f->c.db = f->db;
    f->c.kr = &f->kr;
    f->c.actor = &f->actor;
    f->c.e = e;
    return 0;
}

static void fixture_teardown(struct fixture *f)
{
    if (f->db)
        db_close(f->db);
    f->db = NULL;
    keyring_wipe(&f->kr);
    if (f->pg_url && f->dbname[0]) {
        char sql[128];
        snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", f->dbname);
        pg_admin(f->pg_url, sql);
    }
    if (f->dir[0]) {
        static const char *const files[] = {"test.db", "test.db-wal", "test.db-shm", "key", NULL};
        char p[128];
        for (int i = 0; files[i]; i++) {
            snprintf(p, sizeof(p), "%s/%s", f->dir, files[i]);
            unlink(p);
        }
        rmdir(f->dir);
    }
}

static int setup_sqlite(void **state)
{
    struct fixture *f = xcalloc(1, sizeof(*f));
    *state = f;
    return fixture_setup(f);
}

static int setup_pg(void **state)
{
    struct fixture *f = xcalloc(1, sizeof(*f));
    f->pg_url = getenv("TALENTD_TEST_PG_URL");
    *state = f;
    return fixture_setup(f);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    fixture_teardown(f);
    free(f);
    return 0;
}

/* Appends rows 1..6 in four transactions: {1}, {2,3}, {4}, {5,6}. Row i
 * records entity "thing" id i with after = {"n": i, "name": "第i号"}. */
static void append_six(struct fixture *f)
{
    static const int per_tx[] = {1, 2, 1, 2};
    int n = 0;
    for (size_t t = 0; t < sizeof(per_tx) / sizeof(per_tx[0]); t++) {
        check_ok(svc_begin(&f->c), &f->e);
        for (int k = 0; k < per_tx[t]; k++) {
            n++;
            char name[32];
            snprintf(name, sizeof(name), "第%d号", n);
            json_t *before = n > 1 ? json_pack("{s:i,s:s}", "n", n - 1, "name", "old") : NULL;
            json_t *after = json_pack("{s:i,s:s}", "n", n, "name", name);
            check_ok(svc_audit(&f->c, n == 1 ? "thing.create" : "thing.update", "thing", n, before, after), &f->e);
            json_decref(before);
            json_decref(after);
        }
        check_ok(svc_commit(&f->c), &f->e);
    }
}

static void verify(struct fixture *f, int64_t *rows, int64_t *broken, char *why, size_t why_n)
{
    check_ok(svc_audit_verify(&f->c, rows, broken, why, why_n), &f->e);
}

static void exec_ok(struct fixture *f, const char *sql)
{
    check_ok(db_exec(f->db, sql, &f->e), &f->e);
}

static void test_empty_chain(void **state)
{
    struct fixture *f = *state;
    int64_t rows = -1, broken = -1;
    char why[128] = "x";
    verify(f, &rows, &broken, why, sizeof(why));
    assert_int_equal(rows, 0);
    assert_int_equal(broken, 0);
    assert_string_equal(why, "");
}

static void test_intact(void **state)
{
    struct fixture *f = *state;
    append_six(f);
    int64_t rows = 0, broken = -1;
    char why[128];
    verify(f, &rows, &broken, why, sizeof(why));
    assert_int_equal(rows, 6);
    assert_int_equal(broken, 0);
    assert_string_equal(why, "");

    /* More rows later extend the same chain. */
    check_ok(svc_begin(&f->c), &f->e);
    json_t *after = json_pack("{s:b}", "deleted", 1);
    check_ok(svc_audit(&f->c, "thing.delete", "thing", 1, after, NULL), &f->e);
    json_decref(after);
    check_ok(svc_commit(&f->c), &f->e);
    verify(f, &rows, &broken, why, sizeof(why));
    assert_int_equal(rows, 7);
    assert_int_equal(broken, 0);
}

/* A rolled-back use case leaves no audit row and no gap in the chain. */
static void test_rollback_leaves_no_row(void **state)
{
    struct fixture *f = *state;
    append_six(f);
    check_ok(svc_begin(&f->c), &f->e);
    json_t *after = json_pack("{s:i}", "n", 99);
    check_ok(svc_audit(&f->c, "thing.update", "thing", 99, NULL, after), &f->e);
    json_decref(after);
    svc_end(&f->c, 0);
    append_six(f);
    int64_t rows = 0, broken = -1;
    char why[128];
    verify(f, &rows, &broken, why, sizeof(why));
    assert_int_equal(rows, 12);
    assert_int_equal(broken, 0);
}

static void test_tampered_diff(void **state)
{
    struct fixture *f = *state;
    append_six(f);
    exec_ok(f, "UPDATE audit SET diff_json = '{\"after\":{\"n\":300},\"before\":null}' WHERE id = 3");
    int64_t rows = 0, broken = 0;
    char why[128];
    verify(f, &rows, &broken, why, sizeof(why));
    assert_int_equal(broken, 3);
    assert_int_equal(rows, 3);
    assert_non_null(strstr(why, "hash"));
}

static void test_tampered_prev_hash(void **state)
{
    struct fixture *f = *state;
    append_six(f);
    exec_ok(f, "UPDATE audit SET prev_hash = 'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff' "
               "WHERE id = 3");
    int64_t rows = 0, broken = 0;
    char why[128];
    verify(f, &rows, &broken, why, sizeof(why));
    assert_int_equal(broken, 3);
    assert_non_null(strstr(why, "prev_hash"));
}

/* Re-chaining a changed row (new hash) is caught at the next row. */
static void test_rehashed_row(void **state)
{
    struct fixture *f = *state;
    append_six(f);
    exec_ok(f, "UPDATE audit SET actor = 'system:intruder' WHERE id = 5");
    int64_t rows = 0, broken = 0;
    char why[128];
    verify(f, &rows, &broken, why, sizeof(why));
    assert_int_equal(broken, 5);
    assert_non_null(strstr(why, "hash mismatch"));

    /* Fix up row 5's own hash as an attacker would: row 6 no longer chains. */
    struct db_stmt *s;
    check_ok(db_prepare(f->db,
                        "SELECT prev_hash, at, actor, actor_id, action, entity, entity_id, diff_json "
                        "FROM audit WHERE id = 5",
                        &s, &f->e),
             &f->e);
    assert_int_equal(db_step(s, &f->e), DB_ROW);
    char h[65], sql[256];
    audit_row_hash(db_col_text(s, 0), db_col_int64(s, 1), db_col_text(s, 2), db_col_int64(s, 3), db_col_text(s, 4),
                   db_col_text(s, 5), db_col_int64(s, 6), db_col_text(s, 7), h);
    db_reset(s);
    snprintf(sql, sizeof(sql), "UPDATE audit SET hash = '%s' WHERE id = 5", h);
    exec_ok(f, sql);
    verify(f, &rows, &broken, why, sizeof(why));
    assert_int_equal(broken, 6);
    assert_non_null(strstr(why, "row 5"));
}

static void test_deleted_middle_row(void **state)
{
    struct fixture *f = *state;
    append_six(f);
    exec_ok(f, "DELETE FROM audit WHERE id = 3");
    int64_t rows = 0, broken = 0;
    char why[128];
    verify(f, &rows, &broken, why, sizeof(why));
    assert_int_equal(broken, 4);
    assert_non_null(strstr(why, "row 2"));
}

static void test_deleted_first_row(void **state)
{
    struct fixture *f = *state;
    append_six(f);
    exec_ok(f, "DELETE FROM audit WHERE id = 1");
    int64_t rows = 0, broken = 0;
    char why[128];
    verify(f, &rows, &broken, why, sizeof(why));
    assert_int_equal(broken, 2);
}

/* The list shows what was appended, oldest first, with the parsed diff. */
static void test_list(void **state)
{
    struct fixture *f = *state;
    append_six(f);
    json_t *q = json_pack("{s:s,s:s}", "entity", "thing", "id", "2"), *page = NULL;
    check_ok(svc_audit_list(&f->c, q, &page), &f->e);
    json_t *items = json_object_get(page, "items");
    assert_int_equal(json_array_size(items), 1);
    json_t *row = json_array_get(items, 0);
    assert_string_equal(json_string_value(json_object_get(row, "action")), "thing.update");
    assert_string_equal(json_string_value(json_object_get(row, "actor")), "system:test");
    json_t *diff_after = json_object_get(json_object_get(row, "diff"), "after");
    assert_int_equal(json_integer_value(json_object_get(diff_after, "n")), 2);
    assert_string_equal(json_string_value(json_object_get(diff_after, "name")), "第2号");
    json_decref(q);
    json_decref(page);

    q = json_pack("{s:s}", "limit", "4");
    check_ok(svc_audit_list(&f->c, q, &page), &f->e);
    assert_int_equal(json_array_size(json_object_get(page, "items")), 4);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(page, "items"), 0), "id")), 1);
    assert_true(json_is_string(json_object_get(page, "next_cursor")));
    json_decref(q);
    json_decref(page);
}

#define T(fn, setup) cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define ALL(setup)                                                                                                     \
    T(test_empty_chain, setup), T(test_intact, setup), T(test_rollback_leaves_no_row, setup),                          \
        T(test_tampered_diff, setup), T(test_tampered_prev_hash, setup), T(test_rehashed_row, setup),                  \
        T(test_deleted_middle_row, setup), T(test_deleted_first_row, setup), T(test_list, setup)

int main(void)
{
    const struct CMUnitTest sqlite_tests[] = {ALL(setup_sqlite)};
    int failed = cmocka_run_group_tests_name("audit_sqlite", sqlite_tests, NULL, NULL);
    if (getenv("TALENTD_TEST_PG_URL")) {
        const struct CMUnitTest pg_tests[] = {ALL(setup_pg)};
        failed += cmocka_run_group_tests_name("audit_postgres", pg_tests, NULL, NULL);
    } else {
        fprintf(stderr, "\n[  SKIPPED ] audit_postgres: set TALENTD_TEST_PG_URL to run the PostgreSQL group\n");
    }
    return failed;
}

/* test_static.c - tests of src/http/static.c: which paths the web UI may serve, Content-Types,
 * Accept / Accept-Encoding matching and finding the UI directory. Serving itself (headers,
 * gzip, the HTML fallback, 304) is covered through HTTP by tests/e2e/ui.test.mjs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/static.h"

static void test_path_ok(void **state)
{
    (void)state;
    assert_true(http_static_path_ok("/"));
    assert_true(http_static_path_ok("/index.html"));
    assert_true(http_static_path_ok("/assets/index-AbC_12.js"));
    assert_true(http_static_path_ok("/applications/7"));
    assert_true(http_static_path_ok("/a..b/c")); /* dots inside a name are fine */
    assert_false(http_static_path_ok(""));
    assert_false(http_static_path_ok("index.html"));
    assert_false(http_static_path_ok("/../etc/passwd"));
    assert_false(http_static_path_ok("/assets/../../etc/passwd"));
    assert_false(http_static_path_ok("/assets/.."));
    assert_false(http_static_path_ok("/./index.html"));
    assert_false(http_static_path_ok("/.env"));
    assert_false(http_static_path_ok("//etc/passwd"));
    assert_false(http_static_path_ok("/assets//x.js"));
    assert_false(http_static_path_ok("/a\\..\\b"));
    assert_false(http_static_path_ok("/a\nb"));
    assert_false(http_static_path_ok("/a\x7f"));
    char longp[HTTP_STATIC_MAX_PATH + 8];
    memset(longp, 'a', sizeof(longp) - 1);
    longp[0] = '/';
    longp[sizeof(longp) - 1] = '\0';
    assert_false(http_static_path_ok(longp));
}

static void test_mime(void **state)
{
    (void)state;
    assert_string_equal(http_static_mime("/index.html"), "text/html; charset=utf-8");
    assert_string_equal(http_static_mime("/assets/a-1.js"), "text/javascript; charset=utf-8");
    assert_string_equal(http_static_mime("/assets/a.CSS"), "text/css; charset=utf-8");
    assert_string_equal(http_static_mime("/favicon.svg"), "image/svg+xml");
    assert_string_equal(http_static_mime("/f.woff2"), "font/woff2");
    assert_string_equal(http_static_mime("/noext"), "application/octet-stream");
    assert_string_equal(http_static_mime("/dir.js/noext"), "application/octet-stream");
    assert_string_equal(http_static_mime("/x.exe"), "application/octet-stream");
}

static void test_accepts(void **state)
{
    (void)state;
    const char *chrome = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8";
    assert_true(http_static_accepts(chrome, "text/html"));
    assert_false(http_static_accepts("*/*", "text/html")); /* wildcards do not count: fetch's default */
    assert_false(http_static_accepts("application/json", "text/html"));
    assert_false(http_static_accepts(NULL, "text/html"));
    assert_false(http_static_accepts("text/html;q=0", "text/html"));
    assert_true(http_static_accepts("TEXT/HTML ; q=0.5", "text/html"));
    assert_false(http_static_accepts("text/htmlx", "text/html"));
    assert_true(http_static_accepts("gzip, deflate, br", "gzip"));
    assert_true(http_static_accepts("br;q=1.0, gzip;q=0.8", "gzip"));
    assert_false(http_static_accepts("gzip;q=0, br", "gzip"));
    assert_false(http_static_accepts("identity", "gzip"));
    assert_false(http_static_accepts("", "gzip"));
}

static void test_find_root(void **state)
{
    (void)state;
    char dir[] = "/tmp/talentd-static-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char out[4096];
    struct err e = {0};
    /* a named directory without index.html is an error that says so */
    assert_int_equal(http_static_find_root(dir, out, sizeof(out), &e), ERR_NOT_FOUND);
    assert_non_null(strstr(e.message, "index.html"));
    char idx[600];
    snprintf(idx, sizeof(idx), "%s/index.html", dir);
    FILE *f = fopen(idx, "w");
    assert_non_null(f);
    fputs("<!doctype html>", f);
    fclose(f);
    err_clear(&e);
    assert_int_equal(http_static_find_root(dir, out, sizeof(out), &e), 0);
    assert_string_equal(out, dir);
    /* too small an output buffer is refused, not truncated */
    assert_int_equal(http_static_find_root(dir, out, 8, &e), ERR_NOT_FOUND);
    /* a directory that does not exist */
    assert_int_equal(http_static_find_root("/nonexistent/talentd/web", out, sizeof(out), &e), ERR_NOT_FOUND);
    /* the default (next to the test binary): absent is not an error */
    int rc = http_static_find_root(NULL, out, sizeof(out), &e);
    assert_true(rc == 0 || rc == 1);
    unlink(idx);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path_ok),
        cmocka_unit_test(test_mime),
        cmocka_unit_test(test_accepts),
        cmocka_unit_test(test_find_root),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

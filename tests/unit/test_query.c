/* Tests for the pure helpers of src/svc/query.c and the keyset cursors of
 * src/svc/validate.c (the list queries themselves are tested through the API,
 * tests/api/list.test.mjs). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "lib/crypto.h"
#include "lib/err.h"
#include "svc/query.h"
#include "svc/validate.h"

/* base64url of text, as a client could forge it (heap). */
static char *forge(const char *text)
{
    return base64url_encode(text, strlen(text));
}

static void assert_cursor_refused(const char *cursor, const char *sort, int is_real)
{
    struct err e = {0};
    struct page_key k = {0};
    if (page_key_parse(cursor, sort, is_real, &k, &e) != ERR_MALFORMED)
        fail_msg("cursor %s for sort %s accepted", cursor, sort);
    assert_string_equal(e.field, "cursor");
}

static void assert_forged_refused(const char *text, const char *sort, int is_real)
{
    char *c = forge(text);
    assert_cursor_refused(c, sort, is_real);
    free(c);
}

static void test_key_cursor_round_trip(void **state)
{
    (void)state;
    struct err e = {0};
    const struct page_key ints[] = {
        {.id = 1, .i = -1},
        {.id = 42, .i = 100},
        {.id = INT64_MAX, .i = INT64_MIN},
        {.id = 7, .i = INT64_C(1795334703123)},
    };
    for (size_t n = 0; n < sizeof(ints) / sizeof(ints[0]); n++) {
        char *c = page_key_cursor("-overall", &ints[n]);
        struct page_key k = {0};
        assert_int_equal(page_key_parse(c, "-overall", 0, &k, &e), 0);
        assert_int_equal(k.id, ints[n].id);
        assert_int_equal(k.i, ints[n].i);
        assert_int_equal(k.is_real, 0);
        free(c);
    }
    const double reals[] = {-1, 0, 42.5, 59.95, 99.9, 0.1 + 0.2, 1e300, -0.0};
    for (size_t n = 0; n < sizeof(reals) / sizeof(reals[0]); n++) {
        struct page_key in = {.id = (int64_t)n + 1, .is_real = 1, .d = reals[n]};
        char *c = page_key_cursor("match_score", &in);
        struct page_key k = {0};
        assert_int_equal(page_key_parse(c, "match_score", 1, &k, &e), 0);
        assert_true(k.d == reals[n]); /* exact: %.17g round-trips a double */
        assert_int_equal(k.id, in.id);
        free(c);
    }
}

static void test_key_cursor_other_sort(void **state)
{
    (void)state;
    struct page_key in = {.id = 5, .i = 80};
    char *c = page_key_cursor("-overall", &in);
    assert_cursor_refused(c, "overall", 0);
    assert_cursor_refused(c, "-overall_x", 0);
    assert_cursor_refused(c, "-over", 0);
    assert_cursor_refused(c, "-match_score", 1);
    free(c);
    /* the plain id cursor is not a keyset cursor, nor the other way round */
    char *plain = page_cursor(5);
    assert_cursor_refused(plain, "-id", 0);
    free(plain);
    c = page_key_cursor("-id", &(struct page_key){.id = 5, .i = 5});
    int limit;
    int64_t after;
    struct err e = {0};
    assert_int_equal(page_params(NULL, c, &limit, &after, &e), ERR_MALFORMED);
    free(c);
}

static void test_key_cursor_garbage(void **state)
{
    (void)state;
    assert_cursor_refused("", "overall", 0);
    assert_cursor_refused("!!!", "overall", 0);
    assert_cursor_refused("czpvdmVyYWxsOjE6MQ==", "overall", 0); /* padding is not base64url here */
    const char *bad_int[] = {"s:overall:abc:5",
                             "s:overall:5:0",
                             "s:overall:5:-3",
                             "s:overall::5",
                             "s:overall:5",
                             "s:overall:5:",
                             "s:overall:1.5:5",
                             "s:overall: 1:5",
                             "s:overall:+1:5",
                             "s:overall:1:5x",
                             "s:overall:1:0x5",
                             "x:overall:1:5",
                             "s:overall:99999999999999999999:5",
                             "s:overall:1:99999999999999999999",
                             "s:overall:-:5",
                             "overall:1:5",
                             "s::1:5"};
    for (size_t n = 0; n < sizeof(bad_int) / sizeof(bad_int[0]); n++)
        assert_forged_refused(bad_int[n], "overall", 0);
    const char *bad_real[] = {"s:match_score:nan:5",   "s:match_score:inf:5", "s:match_score:1e999:5",
                              "s:match_score:0x1p3:5", "s:match_score:1,5:5", "s:match_score::5"};
    for (size_t n = 0; n < sizeof(bad_real) / sizeof(bad_real[0]); n++)
        assert_forged_refused(bad_real[n], "match_score", 1);
    char nul[] = "s:overall:1:5";
    nul[11] = '\0'; /* "s:overall:1\0" + "5": a NUL inside */
    unsigned char raw[sizeof(nul)];
    memcpy(raw, nul, sizeof(nul));
    char *c = base64url_encode(raw, sizeof(nul) - 1);
    assert_cursor_refused(c, "overall", 0);
    free(c);
    /* well-formed forged cursors are only positions */
    struct err e = {0};
    struct page_key k = {0};
    char *ok = forge("s:-overall:-9223372036854775808:1");
    assert_int_equal(page_key_parse(ok, "-overall", 0, &k, &e), 0);
    assert_int_equal(k.i, INT64_MIN);
    free(ok);
}

static void test_range_param(void **state)
{
    (void)state;
    char key[33];
    int upper = -1;
    assert_int_equal(q_range_param("dim.logic_gte", "dim.", key, &upper), 0);
    assert_string_equal(key, "logic");
    assert_int_equal(upper, 0);
    assert_int_equal(q_range_param("dim.communication_lte", "dim.", key, &upper), 0);
    assert_string_equal(key, "communication");
    assert_int_equal(upper, 1);
    assert_int_equal(q_range_param("dim.a_gte_lte", "dim.", key, &upper), 0); /* the key may end in _gte */
    assert_string_equal(key, "a_gte");
    assert_int_equal(upper, 1);
    assert_int_equal(q_range_param("dim.x9_gte", "dim.", key, &upper), 0);
    char longest[64];
    snprintf(longest, sizeof(longest), "dim.%s_gte", "abcdefghijklmnopqrstuvwxyz012345"); /* 32 characters */
    assert_int_equal(q_range_param(longest, "dim.", key, &upper), 0);
    assert_int_equal(strlen(key), 32);
    snprintf(longest, sizeof(longest), "dim.%s_gte", "abcdefghijklmnopqrstuvwxyz0123456"); /* 33 */
    assert_int_equal(q_range_param(longest, "dim.", key, &upper), -1);
    const char *bad[] = {"dim.logic",      "dim._gte",    "dim.Logic_gte", "dim.1x_gte",      "dim._x_gte",
                         "dim.a-b_gte",    "dim.a.b_gte", "dim.logic_gt",  "dim.logic_GTE",   "logic_gte",
                         "dim.logic_gte ", "dim.",        "dim.é_gte",     "dimension.x_gte", ""};
    for (size_t n = 0; n < sizeof(bad) / sizeof(bad[0]); n++)
        if (q_range_param(bad[n], "dim.", key, &upper) != -1)
            fail_msg("%s accepted", bad[n]);
}

static void test_score(void **state)
{
    (void)state;
    struct err e = {0};
    double v = -5;
    assert_int_equal(q_score("p", "0", 0, &v, &e), 0);
    assert_true(v == 0);
    assert_int_equal(q_score("p", "100", 0, &v, &e), 0);
    assert_true(v == 100);
    assert_int_equal(q_score("p", "007", 0, &v, &e), 0);
    assert_true(v == 7);
    assert_int_equal(q_score("p", "69.5", 1, &v, &e), 0);
    assert_true(v == 69.5);
    assert_int_equal(q_score("p", "100.000000", 1, &v, &e), 0);
    const char *bad_int[] = {"", "-1", "101", "1000", "7.5", "1e2", " 5", "5 ", "+5", "0x10", "abc", "5.", NULL};
    for (size_t n = 0; n < sizeof(bad_int) / sizeof(bad_int[0]); n++) {
        memset(&e, 0, sizeof(e));
        assert_int_equal(q_score("dim.logic_gte", bad_int[n], 0, &v, &e), ERR_INVALID);
        assert_string_equal(e.field, "dim.logic_gte");
    }
    const char *bad_real[] = {"100.1", "-0", "-0.5", ".5", "5.", "1e2", "50.1234567", "nan", "inf", "5,5"};
    for (size_t n = 0; n < sizeof(bad_real) / sizeof(bad_real[0]); n++)
        assert_int_equal(q_score("match_gte", bad_real[n], 1, &v, &e), ERR_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_cursor_round_trip),
        cmocka_unit_test(test_key_cursor_other_sort),
        cmocka_unit_test(test_key_cursor_garbage),
        cmocka_unit_test(test_range_param),
        cmocka_unit_test(test_score),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

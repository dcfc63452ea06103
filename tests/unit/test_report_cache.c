/* Tests for src/svc/report_cache.c: stamps, masking classes, the byte budget
 * (least recently used out first) and references that outlive eviction. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "svc/report_cache.h"

static struct report_stamp stamp(int64_t v)
{
    struct report_stamp st;
    memset(&st, 0, sizeof(st));
    for (int i = 0; i < REPORT_STAMP_N; i++)
        st.v[i] = v + i;
    return st;
}

static int setup(void **state)
{
    (void)state;
    report_cache_set_budget(0);
    report_cache_clear();
    return 0;
}

static void test_hit_only_at_the_same_stamp_and_class(void **state)
{
    (void)state;
    struct report_stamp s1 = stamp(1), s2 = stamp(1);
    s2.v[REPORT_STAMP_N - 1]++; /* one number of the stamp changed */
    report_cache_release(report_cache_put(7, 0, &s1, "{\"a\":1", 6, NULL, 0));
    const struct report_body *b = report_cache_get(7, 0, &s1);
    assert_non_null(b);
    assert_int_equal(b->len, 6);
    assert_memory_equal(b->data, "{\"a\":1", 6);
    report_cache_release(b);
    assert_null(report_cache_get(7, 1, &s1)); /* another masking class */
    assert_null(report_cache_get(8, 0, &s1)); /* another application */
    assert_null(report_cache_get(7, 0, &s2)); /* the rows changed: dropped ... */
    assert_null(report_cache_get(7, 0, &s1)); /* ... and never served again */
    struct report_cache_stats st;
    report_cache_stats(&st);
    assert_int_equal(st.entries, 0);
    assert_int_equal(st.bytes, 0);
}

static void test_viewers_kept_with_the_body(void **state)
{
    (void)state;
    struct report_stamp st = stamp(2);
    const struct report_viewer v[2] = {{11, 1000, 2000}, {12, 3000, 3000}};
    report_cache_release(report_cache_put(5, 0, &st, "{\"b\":2", 6, v, 2));
    const struct report_body *b = report_cache_get(5, 0, &st);
    assert_non_null(b);
    assert_int_equal(b->nviewers, 2);
    assert_int_equal(b->viewers[1].user_id, 12);
    assert_int_equal(b->viewers[0].last_at, 2000);
    assert_int_equal(b->len, 6);
    assert_memory_equal(b->data, "{\"b\":2", 6);
    report_cache_release(b);
}

static void test_put_replaces(void **state)
{
    (void)state;
    struct report_stamp s1 = stamp(1), s2 = stamp(5);
    report_cache_release(report_cache_put(3, 2, &s1, "old", 3, NULL, 0));
    report_cache_release(report_cache_put(3, 2, &s2, "newer", 5, NULL, 0));
    struct report_cache_stats st;
    report_cache_stats(&st);
    assert_int_equal(st.entries, 1);
    const struct report_body *b = report_cache_get(3, 2, &s2);
    assert_non_null(b);
    assert_memory_equal(b->data, "newer", 5);
    report_cache_release(b);
}

static void test_budget_evicts_least_recently_used(void **state)
{
    (void)state;
    char body[1000];
    memset(body, 'x', sizeof(body));
    report_cache_set_budget(10 * 1100); /* room for about ten bodies with their overhead */
    struct report_stamp st = stamp(0);
    for (int64_t app = 1; app <= 9; app++)
        report_cache_release(report_cache_put(app, 0, &st, body, sizeof(body), NULL, 0));
    const struct report_body *one = report_cache_get(1, 0, &st); /* 1 is now the most recent */
    assert_non_null(one);
    report_cache_release(one);
    for (int64_t app = 10; app <= 30; app++)
        report_cache_release(report_cache_put(app, 0, &st, body, sizeof(body), NULL, 0));
    struct report_cache_stats s;
    report_cache_stats(&s);
    assert_true(s.bytes <= s.budget);
    assert_true(s.entries >= 8 && s.entries <= 10);
    assert_true(s.evictions > 0);
    assert_null(report_cache_get(2, 0, &st)); /* least recently used: gone */
    const struct report_body *last = report_cache_get(30, 0, &st);
    assert_non_null(last);
    report_cache_release(last);
    report_cache_set_budget(2200); /* shrinking evicts at once */
    report_cache_stats(&s);
    assert_true(s.bytes <= 2200);
    assert_true(s.entries <= 2);
}

static void test_reference_outlives_eviction(void **state)
{
    (void)state;
    struct report_stamp st = stamp(9);
    const struct report_body *held = report_cache_put(1, 0, &st, "kept while sent", 15, NULL, 0);
    report_cache_clear();
    assert_null(report_cache_get(1, 0, &st));
    assert_memory_equal(held->data, "kept while sent", 15); /* still valid (ASan would say otherwise) */
    report_cache_release(held);
    /* larger than the whole budget: handed back, not filed */
    report_cache_set_budget(100);
    char big[200];
    memset(big, 'y', sizeof(big));
    const struct report_body *b = report_cache_put(2, 0, &st, big, sizeof(big), NULL, 0);
    assert_non_null(b);
    assert_int_equal(b->len, sizeof(big));
    assert_null(report_cache_get(2, 0, &st));
    report_cache_release(b);
}

static void *hammer(void *arg)
{
    int64_t base = (int64_t)(intptr_t)arg;
    char body[64];
    for (int i = 0; i < 20000; i++) {
        int64_t app = base + i % 50;
        struct report_stamp st = stamp(i % 3);
        snprintf(body, sizeof(body), "{\"app\":%lld", (long long)app);
        const struct report_body *b = report_cache_get(app, i % 3, &st);
        if (!b)
            b = report_cache_put(app, i % 3, &st, body, strlen(body), NULL, 0);
        if (memcmp(b->data, body, strlen(body)) != 0)
            return (void *)1;
        report_cache_release(b);
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    report_cache_set_budget(8 * 1024); /* small: evictions all the time */
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, hammer, (void *)(intptr_t)(i * 1000));
    for (int i = 0; i < 4; i++) {
        void *rc;
        pthread_join(t[i], &rc);
        assert_null(rc);
    }
    struct report_cache_stats s;
    report_cache_stats(&s);
    assert_true(s.bytes <= 8 * 1024);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_hit_only_at_the_same_stamp_and_class, setup),
        cmocka_unit_test_setup(test_viewers_kept_with_the_body, setup),
        cmocka_unit_test_setup(test_put_replaces, setup),
        cmocka_unit_test_setup(test_budget_evicts_least_recently_used, setup),
        cmocka_unit_test_setup(test_reference_outlives_eviction, setup),
        cmocka_unit_test_setup(test_threads, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

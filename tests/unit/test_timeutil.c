/* Tests for src/lib/timeutil.c. */
/* cmocka.h needs these first */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/err.h"
#include "lib/timeutil.h"

/* 2026-11-22T08:05:03.123Z */
#define T_SAMPLE INT64_C(1795334703123)

static int64_t parse_ok(const char *s)
{
    int64_t ms = -42;
    int rc = time_parse_rfc3339(s, &ms);
    if (rc != 0)
        fail_msg("expected '%s' to parse, got %d", s, rc);
    return ms;
}

static void assert_rejected(const char *s)
{
    int64_t ms = 777;
    int rc = time_parse_rfc3339(s, &ms);
    if (rc != ERR_INVALID)
        fail_msg("expected '%s' to be rejected, got %d", s, rc);
    assert_int_equal(ms, 777); /* untouched */
}

static void test_clocks(void **state)
{
    (void)state;
    int64_t now = time_now_ms();
    int64_t sys = (int64_t)time(NULL) * 1000;
    assert_true(now >= sys - 2000 && now <= sys + 2000);
    assert_true(now > INT64_C(1700000000000)); /* after 2023 */
    int64_t m1 = time_mono_ms();
    int64_t m2 = time_mono_ms();
    assert_true(m2 >= m1);
}

/* A deadline ms from now on the monotonic clock, its nanoseconds normalised; a timed wait on a
 * monotonic condition variable ends there. */
static void test_mono_deadline(void **state)
{
    (void)state;
    for (int64_t ms = 0; ms <= 2999; ms += 333) {
        struct timespec now, at;
        clock_gettime(CLOCK_MONOTONIC, &now);
        time_mono_deadline(&at, ms);
        assert_true(at.tv_nsec >= 0 && at.tv_nsec < 1000000000L);
        int64_t d = (int64_t)(at.tv_sec - now.tv_sec) * 1000 + (at.tv_nsec - now.tv_nsec) / 1000000;
        assert_true(d >= ms && d <= ms + 50);
    }
    pthread_cond_t cv;
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    time_cond_init_monotonic(&cv);
    struct timespec at;
    int64_t t0 = time_mono_ms();
    time_mono_deadline(&at, 30);
    pthread_mutex_lock(&mu);
    int rc = 0;
    while (rc == 0)
        rc = pthread_cond_timedwait(&cv, &mu, &at);
    pthread_mutex_unlock(&mu);
    assert_int_equal(rc, ETIMEDOUT);
    assert_true(time_mono_ms() - t0 >= 29);
    pthread_cond_destroy(&cv);
}

static void test_format(void **state)
{
    (void)state;
    char out[32];
    time_format_rfc3339(T_SAMPLE, out);
    assert_string_equal(out, "2026-11-22T08:05:03.123Z");
    time_format_rfc3339(0, out);
    assert_string_equal(out, "1970-01-01T00:00:00.000Z");
    time_format_rfc3339(-1, out);
    assert_string_equal(out, "1969-12-31T23:59:59.999Z");
    time_format_rfc3339(-86400000, out);
    assert_string_equal(out, "1969-12-31T00:00:00.000Z");
    time_format_rfc3339(INT64_C(951782400000), out);
    assert_string_equal(out, "2000-02-29T00:00:00.000Z");
    time_format_rfc3339(INT64_C(253402300799999), out);
    assert_string_equal(out, "9999-12-31T23:59:59.999Z");
    time_format_rfc3339(INT64_C(-62167219200000), out);
    assert_string_equal(out, "0000-01-01T00:00:00.000Z");
    /* Extremes fit in the buffer. */
    time_format_rfc3339(INT64_MAX, out);
    assert_true(strlen(out) < 32);
    time_format_rfc3339(INT64_MIN, out);
    assert_true(strlen(out) < 32);
    /* the printf-free path gives what printf gives, across the years it covers */
    for (int64_t ms = INT64_C(-62167219200000); ms < INT64_C(253402300799999); ms += INT64_C(86399999937)) {
        char want[128];
        int64_t days = ms / 86400000, rem = ms % 86400000;
        if (rem < 0) {
            rem += 86400000;
            days--;
        }
        time_t t = (time_t)(days * 86400 + rem / 1000);
        struct tm tm;
        gmtime_r(&t, &tm);
        snprintf(want, sizeof(want), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(rem % 1000));
        time_format_rfc3339(ms, out);
        assert_string_equal(out, want);
    }
}

static void test_format_seconds(void **state)
{
    (void)state;
    char out[24];
    assert_int_equal(time_format_seconds(T_SAMPLE, out), 0);
    assert_string_equal(out, "2026-11-22T08:05:03Z");
    assert_int_equal(time_format_seconds(-1, out), 0);
    assert_string_equal(out, "1969-12-31T23:59:59Z");
    strcpy(out, "untouched");
    assert_int_equal(time_format_seconds(INT64_C(253402300800000), out), -1);
    assert_string_equal(out, "untouched");
    assert_int_equal(time_format_seconds(INT64_C(-62167219200001), out), -1);
}

static void test_parse_basic(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2026-11-22T08:05:03.123Z"), T_SAMPLE);
    assert_int_equal(parse_ok("2026-11-22T08:05:03Z"), T_SAMPLE - 123);
    assert_int_equal(parse_ok("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(parse_ok("1970-01-01T00:00:00.000Z"), 0);
    assert_int_equal(parse_ok("1969-12-31T23:59:59.999Z"), -1);
    assert_int_equal(parse_ok("1900-01-01T00:00:00Z"), INT64_C(-2208988800000));
    assert_int_equal(parse_ok("2026-11-22t08:05:03.123z"), T_SAMPLE);
    assert_int_equal(parse_ok("2026-11-22 08:05:03.123Z"), T_SAMPLE);
}

static void test_parse_fraction(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2026-11-22T08:05:03.1Z"), T_SAMPLE - 23);
    assert_int_equal(parse_ok("2026-11-22T08:05:03.12Z"), T_SAMPLE - 3);
    assert_int_equal(parse_ok("2026-11-22T08:05:03.1239Z"), T_SAMPLE);
    assert_int_equal(parse_ok("2026-11-22T08:05:03.123999999Z"), T_SAMPLE);
    assert_rejected("2026-11-22T08:05:03.1234567890Z"); /* 10 digits */
    assert_rejected("2026-11-22T08:05:03.Z");
    assert_rejected("2026-11-22T08:05:03.12a Z");
}

static void test_parse_offsets(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2026-11-22T16:05:03.123+08:00"), T_SAMPLE);
    assert_int_equal(parse_ok("2026-11-22T03:05:03.123-05:00"), T_SAMPLE);
    assert_int_equal(parse_ok("2026-11-22T13:35:03.123+05:30"), T_SAMPLE);
    assert_int_equal(parse_ok("2026-11-22T08:05:03.123+00:00"), T_SAMPLE);
    assert_int_equal(parse_ok("2026-11-22T08:05:03.123-00:00"), T_SAMPLE);
    /* Offsets that cross the day and year boundary. */
    assert_int_equal(parse_ok("2027-01-01T07:00:00+08:00"), parse_ok("2026-12-31T23:00:00Z"));
    assert_int_equal(parse_ok("1969-12-31T19:00:00-05:00"), 0);
    assert_rejected("2026-11-22T08:05:03+0800");
    assert_rejected("2026-11-22T08:05:03+08");
    assert_rejected("2026-11-22T08:05:03+24:00");
    assert_rejected("2026-11-22T08:05:03+08:60");
    assert_rejected("2026-11-22T08:05:03"); /* time without zone */
    assert_rejected("2026-11-22T08:05:03 Z");
}

static void test_parse_date_only(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2026-11-22"), T_SAMPLE - (8 * 3600 + 5 * 60 + 3) * 1000 - 123);
    assert_int_equal(parse_ok("1970-01-01"), 0);
    assert_int_equal(parse_ok("1969-12-31"), -86400000);
    assert_rejected("2026-11-22T");
    assert_rejected("2026-11-2");
    assert_rejected("2026-1-22");
    assert_rejected("26-11-22");
    assert_rejected("2026/11/22");
}

static void test_parse_ranges(void **state)
{
    (void)state;
    assert_int_equal(parse_ok("2024-02-29"), INT64_C(1709164800000));
    assert_int_equal(parse_ok("2024-02-29T23:59:59.999Z"), INT64_C(1709251199999));
    assert_int_equal(parse_ok("2000-02-29"), INT64_C(951782400000)); /* 400-year leap */
    assert_rejected("2025-02-29");
    assert_rejected("1900-02-29"); /* 100-year non-leap */
    assert_rejected("2026-02-30");
    assert_rejected("2026-04-31");
    assert_rejected("2026-13-01");
    assert_rejected("2026-00-10");
    assert_rejected("2026-01-00");
    assert_rejected("2026-01-32");
    assert_rejected("2026-11-22T24:00:00Z");
    assert_rejected("2026-11-22T23:60:00Z");
    assert_rejected("2026-11-22T23:59:60Z");
    assert_int_equal(parse_ok("2026-12-31T23:59:59.999Z") + 1, parse_ok("2027-01-01"));
}

static void test_parse_garbage(void **state)
{
    (void)state;
    assert_rejected("");
    assert_rejected("now");
    assert_rejected("2026-11-22T08:05:03.123Zjunk");
    assert_rejected("2026-11-22 ");
    assert_rejected("2026-11-22T08:05Z");
    assert_rejected("2026-11-22T8:05:03Z");
    assert_rejected("-2026-11-22");
    assert_rejected("+2026-11-22");
    assert_rejected("２０２６-11-22"); /* full-width digits */
}

static void test_round_trip(void **state)
{
    (void)state;
    const int64_t samples[] = {
        0,
        1,
        -1,
        999,
        -999,
        T_SAMPLE,
        INT64_C(1709164800000),
        INT64_C(-2208988800000),
        INT64_C(253402300799999),
        INT64_C(-62167219200000),
        INT64_C(4102444800000),
        INT64_C(1234567890123),
        INT64_C(-1234567890123),
    };
    char out[32];
    for (size_t i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
        time_format_rfc3339(samples[i], out);
        assert_int_equal(parse_ok(out), samples[i]);
    }
    /* Every day of 2023-2025 round trips through date-only parsing too. */
    for (int64_t day = 19358; day < 19358 + 3 * 366; day++) {
        time_format_rfc3339(day * 86400000 + 45296789, out);
        assert_int_equal(parse_ok(out), day * 86400000 + 45296789);
        out[10] = '\0';
        assert_int_equal(parse_ok(out), day * 86400000);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clocks),          cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_seconds),  cmocka_unit_test(test_parse_basic),
        cmocka_unit_test(test_parse_fraction),  cmocka_unit_test(test_parse_offsets),
        cmocka_unit_test(test_parse_date_only), cmocka_unit_test(test_parse_ranges),
        cmocka_unit_test(test_parse_garbage),   cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_mono_deadline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Tests for src/lib/tz.c, against the system's zone files (tzdata). */
/* cmocka.h needs these first */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/err.h"
#include "lib/timeutil.h"
#include "lib/tz.h"

static int64_t at(const char *s)
{
    int64_t ms = 0;
    if (time_parse_rfc3339(s, &ms) != 0)
        fail_msg("bad timestamp %s", s);
    return ms;
}

static struct tz *load(const char *name)
{
    struct tz *z = NULL;
    struct err e = {0};
    if (tz_load(name, &z, &e) != 0)
        fail_msg("tz_load(%s): %s", name, e.message);
    assert_string_equal(tz_name(z), name);
    return z;
}

/* next local hh:mm after `after`, as an RFC 3339 string compared to want */
static void next_is(const struct tz *z, int hh, int mm, const char *after, const char *want)
{
    char out[32];
    time_format_rfc3339(tz_next_local_time(z, hh, mm, at(after)), out);
    if (strcmp(out, want) != 0)
        fail_msg("%s %02d:%02d after %s: got %s, want %s", tz_name(z), hh, mm, after, out, want);
}

static void test_utc(void **state)
{
    (void)state;
    struct tz *z = load("UTC");
    assert_int_equal(tz_offset_at(z, at("2026-12-07T14:00:00Z")), 0);
    assert_int_equal(tz_offset_at(z, at("1950-01-01T00:00:00Z")), 0);
    assert_int_equal(tz_offset_at(z, at("2200-06-01T00:00:00Z")), 0);
    next_is(z, 18, 0, "2026-12-07T14:00:00Z", "2026-12-07T18:00:00.000Z");
    next_is(z, 18, 0, "2026-12-07T18:00:00Z", "2026-12-08T18:00:00.000Z"); /* strictly after */
    next_is(z, 0, 0, "2026-12-31T23:59:59.999Z", "2027-01-01T00:00:00.000Z");
    tz_free(z);
}

static void test_shanghai(void **state)
{
    (void)state;
    struct tz *z = load("Asia/Shanghai");
    assert_int_equal(tz_offset_at(z, at("2026-12-07T00:00:00Z")), 8 * 3600);
    assert_int_equal(tz_offset_at(z, at("2026-07-01T00:00:00Z")), 8 * 3600);
    /* China observed DST from 1986 to 1991: the transitions are read */
    assert_int_equal(tz_offset_at(z, at("1986-01-15T00:00:00Z")), 8 * 3600);
    assert_int_equal(tz_offset_at(z, at("1986-07-01T00:00:00Z")), 9 * 3600);
    assert_int_equal(tz_offset_at(z, at("1991-07-01T00:00:00Z")), 9 * 3600);
    assert_int_equal(tz_offset_at(z, at("1991-12-01T00:00:00Z")), 8 * 3600);
    assert_int_equal(tz_offset_at(z, at("1992-07-01T00:00:00Z")), 8 * 3600);
    /* 1986-05-04 02:00 CST became 03:00 CDT (1986-05-03T18:00Z) */
    assert_int_equal(tz_offset_at(z, at("1986-05-03T17:59:59Z")), 8 * 3600);
    assert_int_equal(tz_offset_at(z, at("1986-05-03T18:00:00Z")), 9 * 3600);
    /* 18:00 Beijing time is 10:00Z */
    next_is(z, 18, 0, "2026-12-07T00:00:00Z", "2026-12-07T10:00:00.000Z");
    next_is(z, 18, 0, "2026-12-07T10:00:00Z", "2026-12-08T10:00:00.000Z");
    next_is(z, 18, 0, "2026-12-07T09:59:59Z", "2026-12-07T10:00:00.000Z");
    next_is(z, 2, 30, "2026-12-07T20:00:00Z", "2026-12-08T18:30:00.000Z");
    next_is(z, 0, 0, "2026-12-31T15:59:00Z", "2026-12-31T16:00:00.000Z");
    /* far beyond the last transition: the footer (CST-8) */
    assert_int_equal(tz_offset_at(z, at("2300-01-01T00:00:00Z")), 8 * 3600);
    tz_free(z);
}

static void test_new_york(void **state)
{
    (void)state;
    struct tz *z = load("America/New_York");
    assert_int_equal(tz_offset_at(z, at("2026-01-15T12:00:00Z")), -5 * 3600);
    assert_int_equal(tz_offset_at(z, at("2026-07-01T12:00:00Z")), -4 * 3600);
    /* 2026-03-08 02:00 EST -> 03:00 EDT at 07:00Z; 2026-11-01 02:00 EDT -> 01:00 EST at 06:00Z */
    assert_int_equal(tz_offset_at(z, at("2026-03-08T06:59:59Z")), -5 * 3600);
    assert_int_equal(tz_offset_at(z, at("2026-03-08T07:00:00Z")), -4 * 3600);
    assert_int_equal(tz_offset_at(z, at("2026-11-01T05:59:59Z")), -4 * 3600);
    assert_int_equal(tz_offset_at(z, at("2026-11-01T06:00:00Z")), -5 * 3600);
    /* the footer's rules (EST5EDT,M3.2.0,M11.1.0) long after the last transition in the file */
    assert_int_equal(tz_offset_at(z, at("2100-01-15T12:00:00Z")), -5 * 3600);
    assert_int_equal(tz_offset_at(z, at("2100-07-01T12:00:00Z")), -4 * 3600);
    assert_int_equal(tz_offset_at(z, at("2100-03-14T06:59:59Z")), -5 * 3600);
    assert_int_equal(tz_offset_at(z, at("2100-03-14T07:00:00Z")), -4 * 3600);
    assert_int_equal(tz_offset_at(z, at("2100-11-07T05:59:59Z")), -4 * 3600);
    assert_int_equal(tz_offset_at(z, at("2100-11-07T06:00:00Z")), -5 * 3600);

    next_is(z, 18, 0, "2026-01-15T00:00:00Z", "2026-01-15T23:00:00.000Z");
    next_is(z, 18, 0, "2026-07-01T00:00:00Z", "2026-07-01T22:00:00.000Z");
    /* the gap: 02:30 does not exist on 2026-03-08; it runs when the gap ends (03:00 EDT) */
    next_is(z, 2, 30, "2026-03-07T12:00:00Z", "2026-03-08T07:00:00.000Z");
    next_is(z, 2, 0, "2026-03-07T12:00:00Z", "2026-03-08T07:00:00.000Z");
    next_is(z, 2, 30, "2026-03-08T07:00:00Z", "2026-03-09T06:30:00.000Z");
    next_is(z, 1, 59, "2026-03-07T12:00:00Z", "2026-03-08T06:59:00.000Z");
    next_is(z, 3, 0, "2026-03-07T12:00:00Z", "2026-03-08T07:00:00.000Z");
    /* the overlap: 01:30 happens twice on 2026-11-01 (05:30Z EDT, 06:30Z EST); once, the first */
    next_is(z, 1, 30, "2026-10-31T12:00:00Z", "2026-11-01T05:30:00.000Z");
    next_is(z, 1, 30, "2026-11-01T05:30:00Z", "2026-11-02T06:30:00.000Z");
    next_is(z, 1, 30, "2026-11-01T06:00:00Z", "2026-11-02T06:30:00.000Z");
    next_is(z, 2, 0, "2026-10-31T12:00:00Z", "2026-11-01T07:00:00.000Z");
    next_is(z, 0, 30, "2026-10-31T12:00:00Z", "2026-11-01T04:30:00.000Z");
    /* a day in a row across each change keeps the wall time */
    next_is(z, 18, 0, "2026-03-07T23:00:00Z", "2026-03-08T22:00:00.000Z");
    next_is(z, 18, 0, "2026-10-31T22:00:00Z", "2026-11-01T23:00:00.000Z");
    tz_free(z);
}

static void test_london(void **state)
{
    (void)state;
    struct tz *z = load("Europe/London");
    assert_int_equal(tz_offset_at(z, at("2026-01-01T00:00:00Z")), 0);
    assert_int_equal(tz_offset_at(z, at("2026-07-01T00:00:00Z")), 3600);
    /* 2026-03-29 01:00Z and 2026-10-25 01:00Z */
    assert_int_equal(tz_offset_at(z, at("2026-03-29T00:59:59Z")), 0);
    assert_int_equal(tz_offset_at(z, at("2026-03-29T01:00:00Z")), 3600);
    assert_int_equal(tz_offset_at(z, at("2026-10-25T00:59:59Z")), 3600);
    assert_int_equal(tz_offset_at(z, at("2026-10-25T01:00:00Z")), 0);
    assert_int_equal(tz_offset_at(z, at("2090-07-01T00:00:00Z")), 3600);
    next_is(z, 18, 0, "2026-06-01T00:00:00Z", "2026-06-01T17:00:00.000Z");
    next_is(z, 18, 0, "2026-12-01T00:00:00Z", "2026-12-01T18:00:00.000Z");
    next_is(z, 1, 30, "2026-03-28T12:00:00Z", "2026-03-29T01:00:00.000Z"); /* gap */
    next_is(z, 1, 30, "2026-10-24T12:00:00Z", "2026-10-25T00:30:00.000Z"); /* overlap: the first */
    tz_free(z);
}

static void refused(const char *name)
{
    struct tz *z = (struct tz *)1;
    struct err e = {0};
    int rc = tz_load(name, &z, &e);
    if (rc != ERR_INVALID)
        fail_msg("tz_load(%s) = %d, want ERR_INVALID", name, rc);
    assert_null(z);
    assert_string_equal(e.field, "time_zone");
}

static void test_refused(void **state)
{
    (void)state;
    char longname[80];
    memset(longname, 'A', 65);
    longname[65] = '\0';
    refused("../etc/passwd");
    refused("/etc/localtime");
    refused("Nope/Zone");
    refused(longname);
    refused("");
    refused("Asia/../Asia/Shanghai");
    refused("Asia//Shanghai");
    refused("Asia/Shanghai/");
    refused("Asia/Shang hai");
    refused("Asia/Shanghai\n");
    refused("Asia");     /* a directory */
    refused("zone.tab"); /* '.' is not allowed */
    refused("iso3166");  /* not there, or not TZif */
    assert_false(tz_name_ok(NULL));
    assert_true(tz_name_ok("Etc/GMT+8"));
    assert_true(tz_name_ok("America/Port-au-Prince"));
    memset(longname, 'A', 64);
    longname[64] = '\0';
    assert_true(tz_name_ok(longname));
}

/* TZDIR names the zone directory; a file there that is not TZif is refused. */
static void test_tzdir(void **state)
{
    (void)state;
    char dir[] = "/tmp/talentd-tz-XXXXXX", path[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/Test", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("not a zone file\n", f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/Shanghai", dir);
    assert_int_equal(symlink("/usr/share/zoneinfo/Asia/Shanghai", path), 0);
    setenv("TZDIR", dir, 1);
    struct tz *z = load("Shanghai");
    assert_int_equal(tz_offset_at(z, at("2026-12-07T00:00:00Z")), 8 * 3600);
    tz_free(z);
    refused("Test");
    refused("Asia/Shanghai"); /* not in this directory */
    unsetenv("TZDIR");
    z = load("Asia/Shanghai");
    tz_free(z);
    unlink(path);
    snprintf(path, sizeof(path), "%s/Test", dir);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utc),    cmocka_unit_test(test_shanghai), cmocka_unit_test(test_new_york),
        cmocka_unit_test(test_london), cmocka_unit_test(test_refused),  cmocka_unit_test(test_tzdir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Tests for src/lib/utf8.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "lib/utf8.h"

#define VALID(lit) utf8_valid((lit), sizeof(lit) - 1)

static void test_valid_basic(void **state)
{
    (void)state;
    assert_int_equal(utf8_valid("", 0), 1);
    assert_int_equal(VALID("plain ascii"), 1);
    assert_int_equal(VALID("caf\xC3\xA9"), 1);      /* é, 2 bytes */
    assert_int_equal(VALID("张伟 研发部"), 1);      /* 3-byte CJK */
    assert_int_equal(VALID("\xF0\x9F\x98\x80"), 1); /* U+1F600, 4 bytes */
    assert_int_equal(VALID("\xF4\x8F\xBF\xBF"), 1); /* U+10FFFF, the maximum */
    assert_int_equal(VALID("\xC2\x80"), 1);         /* U+0080, smallest 2-byte */
    assert_int_equal(VALID("\xE0\xA0\x80"), 1);     /* U+0800, smallest 3-byte */
    assert_int_equal(VALID("\xF0\x90\x80\x80"), 1); /* U+10000, smallest 4-byte */
    assert_int_equal(VALID("\xED\x9F\xBF"), 1);     /* U+D7FF, below surrogates */
    assert_int_equal(VALID("\xEE\x80\x80"), 1);     /* U+E000, above surrogates */
    assert_int_equal(VALID("\xEF\xBF\xBF"), 1);     /* U+FFFF */
    assert_int_equal(utf8_valid("a\0b", 3), 1);     /* NUL is valid UTF-8 */
}

static void test_overlong(void **state)
{
    (void)state;
    assert_int_equal(VALID("\xC0\x80"), 0);         /* overlong NUL */
    assert_int_equal(VALID("\xC1\xBF"), 0);         /* overlong 0x7F */
    assert_int_equal(VALID("\xE0\x80\x80"), 0);     /* overlong 3-byte */
    assert_int_equal(VALID("\xE0\x9F\xBF"), 0);     /* overlong U+07FF */
    assert_int_equal(VALID("\xF0\x80\x80\x80"), 0); /* overlong 4-byte */
    assert_int_equal(VALID("\xF0\x8F\xBF\xBF"), 0); /* overlong U+FFFF */
    assert_int_equal(VALID("ok\xC0\xAF"), 0);       /* overlong '/' after text */
}

static void test_surrogates_and_range(void **state)
{
    (void)state;
    assert_int_equal(VALID("\xED\xA0\x80"), 0);             /* U+D800 */
    assert_int_equal(VALID("\xED\xBF\xBF"), 0);             /* U+DFFF */
    assert_int_equal(VALID("\xED\xA0\xBD\xED\xB8\x80"), 0); /* CESU-8 pair */
    assert_int_equal(VALID("\xF4\x90\x80\x80"), 0);         /* U+110000 */
    assert_int_equal(VALID("\xF5\x80\x80\x80"), 0);
    assert_int_equal(VALID("\xF8\x88\x80\x80\x80"), 0); /* old 5-byte form */
    assert_int_equal(VALID("\xFF"), 0);
    assert_int_equal(VALID("\xFE"), 0);
}

static void test_truncated_and_stray(void **state)
{
    (void)state;
    assert_int_equal(VALID("\xC3"), 0);
    assert_int_equal(VALID("\xE5\xBC"), 0); /* first 2 bytes of 张 */
    assert_int_equal(VALID("\xF0\x9F\x98"), 0);
    assert_int_equal(VALID("\xE5\xBC"
                           "a"),
                     0); /* interrupted by ASCII */
    assert_int_equal(VALID("\xC3"
                           "\xC3\xA9"),
                     0);                /* interrupted by a lead byte */
    assert_int_equal(VALID("\x80"), 0); /* stray continuation */
    assert_int_equal(VALID("a\xBF"
                           "b"),
                     0);
    /* A valid string cut inside a character is invalid... */
    const char *s = "张伟";
    assert_int_equal(utf8_valid(s, 6), 1);
    assert_int_equal(utf8_valid(s, 5), 0);
    assert_int_equal(utf8_valid(s, 4), 0);
    /* ...but cut on a boundary is fine, and n stops reading. */
    assert_int_equal(utf8_valid(s, 3), 1);
    assert_int_equal(utf8_valid("ab\xFF", 2), 1);
}

static void test_count(void **state)
{
    (void)state;
    assert_int_equal(utf8_count("", 0), 0);
    assert_int_equal(utf8_count("abc", 3), 3);
    const char *name = "张伟";
    assert_int_equal(utf8_count(name, strlen(name)), 2);
    const char *mixed = "研发部 R&D \xF0\x9F\x98\x80";
    assert_int_equal(utf8_count(mixed, strlen(mixed)), 9);
    assert_int_equal(utf8_count("caf\xC3\xA9", 5), 4);
    assert_int_equal(utf8_count("a\0b", 3), 3);
}

static void test_has_control(void **state)
{
    (void)state;
    assert_int_equal(utf8_has_control("", 0), 0);
    assert_int_equal(utf8_has_control("line\tone\r\nline two\n", 19), 0);
    const char *cjk = "姓名,手机,部门";
    assert_int_equal(utf8_has_control(cjk, strlen(cjk)), 0);
    assert_int_equal(utf8_has_control("a\x01"
                                      "b",
                                      3),
                     1);
    assert_int_equal(utf8_has_control("bell\a", 5), 1);
    assert_int_equal(utf8_has_control("esc\x1B[0m", 7), 1);
    assert_int_equal(utf8_has_control("x\x1F", 2), 1);
    assert_int_equal(utf8_has_control("del\x7F", 4), 1);
    assert_int_equal(utf8_has_control("a\0b", 3), 1);
    assert_int_equal(utf8_has_control(" ~", 2), 0);
    /* C1 controls count too: U+0085 (C2 85) and U+009F are refused, U+00A0 is not a control. */
    assert_int_equal(utf8_has_control("\xC2\x85", 2), 1);
    assert_int_equal(utf8_has_control("a\xC2\x9F", 3), 1);
    assert_int_equal(utf8_has_control("\xC2\xA0", 2), 0);
    /* Only the first n bytes are examined. */
    assert_int_equal(utf8_has_control("ok\x01", 2), 0);
}

/* utf8_seq_len, utf8_prefix and utf8_append_printable: whole characters only. */
static void test_prefix_and_append(void **state)
{
    (void)state;
    assert_int_equal(utf8_seq_len('a'), 1);
    assert_int_equal(utf8_seq_len(0xC3), 2);
    assert_int_equal(utf8_seq_len(0xE6), 3);
    assert_int_equal(utf8_seq_len(0xF0), 4);
    assert_int_equal(utf8_seq_len(0x80), 1);
    assert_int_equal(utf8_seq_len(0xF8), 1);
    const char *s = "沟通a能力"; /* 3 + 3 + 1 + 3 + 3 bytes */
    assert_int_equal(utf8_prefix(s, strlen(s), 0), 0);
    assert_int_equal(utf8_prefix(s, strlen(s), 2), 6);
    assert_int_equal(utf8_prefix(s, strlen(s), 3), 7);
    assert_int_equal(utf8_prefix(s, strlen(s), 99), strlen(s));
    assert_int_equal(utf8_prefix(s, 4, 2), 4); /* never past n */
    char out[12] = "dims.";
    utf8_append_printable(out, sizeof(out), "逻辑思维"); /* 5 + 3 + 3 fits, the third character not */
    assert_string_equal(out, "dims.逻辑");
    char tab[16] = "";
    utf8_append_printable(tab, sizeof(tab), "ab\tcd");
    assert_string_equal(tab, "ab");
    char bad[16] = "x";
    utf8_append_printable(bad, sizeof(bad), "y\xC3(z");
    assert_string_equal(bad, "xy");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_basic),
        cmocka_unit_test(test_overlong),
        cmocka_unit_test(test_surrogates_and_range),
        cmocka_unit_test(test_truncated_and_stray),
        cmocka_unit_test(test_count),
        cmocka_unit_test(test_has_control),
        cmocka_unit_test(test_prefix_and_append),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Tests for src/lib/strbuf.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "lib/err.h"
#include "lib/strbuf.h"

static void test_append_grows(void **state)
{
    (void)state;
    struct strbuf b;
    sb_init(&b, 0);
    assert_null(b.p);
    assert_int_equal(sb_puts(&b, "hello"), 0);
    assert_int_equal(sb_putc(&b, ' '), 0);
    assert_int_equal(sb_append(&b, "world!!", 5), 0);
    assert_string_equal(b.p, "hello world");
    assert_int_equal(b.len, 11);
    /* Grow well past the initial capacity. */
    for (int i = 0; i < 1000; i++)
        assert_int_equal(sb_putc(&b, 'x'), 0);
    assert_int_equal(b.len, 1011);
    assert_int_equal(strlen(b.p), 1011);
    assert_true(b.cap > b.len);
    sb_free(&b);
    assert_null(b.p);
    assert_int_equal(b.len, 0);
}

static void test_max_exact_and_over(void **state)
{
    (void)state;
    struct strbuf b;
    sb_init(&b, 8);
    assert_int_equal(sb_puts(&b, "12345"), 0);
    /* 5 + 4 > 8: refused, buffer unchanged. */
    assert_int_equal(sb_puts(&b, "6789"), ERR_TOO_LARGE);
    assert_string_equal(b.p, "12345");
    assert_int_equal(b.len, 5);
    /* Exactly max is fine. */
    assert_int_equal(sb_puts(&b, "678"), 0);
    assert_string_equal(b.p, "12345678");
    assert_int_equal(b.len, 8);
    assert_int_equal(sb_putc(&b, '9'), ERR_TOO_LARGE);
    assert_int_equal(sb_printf(&b, "%d", 9), ERR_TOO_LARGE);
    assert_string_equal(b.p, "12345678");
    /* Appending nothing at max is fine. */
    assert_int_equal(sb_append(&b, "", 0), 0);
    assert_true(b.cap <= 9);
    sb_free(&b);
}

static void test_max_single_append_over(void **state)
{
    (void)state;
    struct strbuf b;
    sb_init(&b, 3);
    assert_int_equal(sb_puts(&b, "abcd"), ERR_TOO_LARGE);
    assert_int_equal(b.len, 0);
    assert_int_equal(sb_puts(&b, "abc"), 0);
    assert_string_equal(b.p, "abc");
    sb_free(&b);
}

/* sb_space gives room to write into and sb_wrote keeps what was written; over max it gives NULL
 * and leaves the buffer as it was. SB_LIT appends a literal. */
static void test_space_and_literal(void **state)
{
    (void)state;
    struct strbuf b;
    sb_init(&b, 12);
    assert_int_equal(SB_LIT(&b, "ab"), 0);
    char *at = sb_space(&b, 6);
    assert_non_null(at);
    for (int i = 0; i < 4; i++)
        at[i] = (char)('c' + i);
    sb_wrote(&b, 4); /* fewer than asked for */
    assert_string_equal(b.p, "abcdef");
    assert_int_equal(b.len, 6);
    assert_null(sb_space(&b, 7)); /* 6 + 7 > 12 */
    assert_string_equal(b.p, "abcdef");
    at = sb_space(&b, 6); /* exactly max */
    assert_non_null(at);
    for (int i = 0; i < 6; i++)
        at[i] = (char)('g' + i);
    sb_wrote(&b, 6);
    assert_string_equal(b.p, "abcdefghijkl");
    sb_free(&b);
    sb_init(&b, 0);
    for (int i = 0; i < 1000; i++) { /* growing, as jw_str does it */
        at = sb_space(&b, 64);
        assert_non_null(at);
        at[0] = 'x';
        sb_wrote(&b, 1);
    }
    assert_int_equal(b.len, 1000);
    assert_int_equal(b.p[1000], '\0');
    sb_free(&b);
}

static void test_printf(void **state)
{
    (void)state;
    struct strbuf b;
    sb_init(&b, 0);
    assert_int_equal(sb_printf(&b, "%s=%d", "n", 42), 0);
    assert_int_equal(sb_printf(&b, ",%s", "姓名"), 0);
    assert_string_equal(b.p, "n=42,姓名");
    assert_int_equal(sb_printf(&b, "%s", ""), 0);
    assert_string_equal(b.p, "n=42,姓名");
    /* Long output crossing several growth steps. */
    char big[500];
    memset(big, 'y', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(sb_printf(&b, "[%s]", big), 0);
    assert_int_equal(b.len, strlen("n=42,姓名") + 501);
    assert_int_equal(b.p[b.len - 1], ']');
    sb_free(&b);

    sb_init(&b, 6);
    assert_int_equal(sb_printf(&b, "%d", 123456), 0);
    sb_reset(&b);
    assert_int_equal(sb_printf(&b, "%d", 1234567), ERR_TOO_LARGE);
    assert_int_equal(b.len, 0);
    sb_free(&b);
}

static void test_printf_empty_on_fresh(void **state)
{
    (void)state;
    struct strbuf b;
    sb_init(&b, 0);
    assert_int_equal(sb_printf(&b, "%s", ""), 0);
    assert_non_null(b.p);
    assert_string_equal(b.p, "");
    sb_free(&b);
}

static void test_embedded_nul(void **state)
{
    (void)state;
    struct strbuf b;
    sb_init(&b, 0);
    assert_int_equal(sb_append(&b, "a\0b", 3), 0);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.p, "a\0b", 4);
    sb_free(&b);
}

static void test_reset_keeps_memory(void **state)
{
    (void)state;
    struct strbuf b;
    sb_init(&b, 0);
    sb_puts(&b, "some text");
    char *p = b.p;
    size_t cap = b.cap;
    sb_reset(&b);
    assert_int_equal(b.len, 0);
    assert_ptr_equal(b.p, p);
    assert_int_equal(b.cap, cap);
    assert_string_equal(b.p, "");
    sb_puts(&b, "ok");
    assert_string_equal(b.p, "ok");
    sb_free(&b);
    /* Reset of a never-used buffer is harmless. */
    sb_init(&b, 0);
    sb_reset(&b);
    assert_null(b.p);
    sb_free(&b);
}

static void test_steal(void **state)
{
    (void)state;
    struct strbuf b;
    sb_init(&b, 16);
    char *s = sb_steal(&b);
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);

    sb_puts(&b, "candidate");
    s = sb_steal(&b);
    assert_string_equal(s, "candidate");
    assert_null(b.p);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    assert_int_equal(b.max, 16);
    /* Buffer is reusable after stealing and the stolen string is separate. */
    assert_int_equal(sb_puts(&b, "next"), 0);
    assert_string_equal(b.p, "next");
    assert_string_equal(s, "candidate");
    free(s);
    s = sb_steal(&b);
    assert_string_equal(s, "next");
    free(s);
    sb_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_grows),
        cmocka_unit_test(test_max_exact_and_over),
        cmocka_unit_test(test_max_single_append_over),
        cmocka_unit_test(test_space_and_literal),
        cmocka_unit_test(test_printf),
        cmocka_unit_test(test_printf_empty_on_fresh),
        cmocka_unit_test(test_embedded_nul),
        cmocka_unit_test(test_reset_keeps_memory),
        cmocka_unit_test(test_steal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

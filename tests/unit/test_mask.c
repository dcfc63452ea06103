/* test_mask.c - src/core/mask.c: what an interviewer sees of a phone number
 * and an email address. */
/* cmocka.h needs these headers first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <string.h>

#include "core/mask.h"

static void phone_keeps_first3_last4(void **state)
{
    (void)state;
    char out[32];
    assert_int_equal(mask_phone("13800001234", out, sizeof(out)), 11);
    assert_string_equal(out, "138****1234");
    mask_phone("02012345678901", out, sizeof(out));
    assert_string_equal(out, "020*******8901");
    mask_phone("12345678", out, sizeof(out));
    assert_string_equal(out, "123*5678");
}

static void phone_short_values_never_shown_whole(void **state)
{
    (void)state;
    char out[32];
    mask_phone("1234567", out, sizeof(out));
    assert_string_equal(out, "1****67");
    mask_phone("1234", out, sizeof(out));
    assert_string_equal(out, "1*34");
    mask_phone("123", out, sizeof(out));
    assert_string_equal(out, "***");
    assert_int_equal(mask_phone("", out, sizeof(out)), 0);
    assert_string_equal(out, "");
    mask_phone(NULL, out, sizeof(out));
    assert_string_equal(out, "");
}

static void phone_truncates_to_buffer(void **state)
{
    (void)state;
    char out[6];
    assert_int_equal(mask_phone("13800001234", out, sizeof(out)), 5);
    assert_string_equal(out, "138**");
    char none[1] = {'x'};
    assert_int_equal(mask_phone("13800001234", none, 0), 0);
    assert_int_equal(none[0], 'x');
}

static void email_keeps_first_char_and_domain(void **state)
{
    (void)state;
    char out[64];
    assert_int_equal(mask_email("zhang@example.com", out, sizeof(out)), 16);
    assert_string_equal(out, "z***@example.com");
    mask_email("a@b.cn", out, sizeof(out));
    assert_string_equal(out, "a***@b.cn");
}

static void email_multibyte_first_char(void **state)
{
    (void)state;
    char out[64];
    mask_email("\xe5\xbc\xa0san@example.com", out, sizeof(out));
    assert_string_equal(out, "\xe5\xbc\xa0***@example.com");
}

static void email_malformed_is_all_stars(void **state)
{
    (void)state;
    char out[64];
    mask_email("not-an-email", out, sizeof(out));
    assert_string_equal(out, "***");
    mask_email("@example.com", out, sizeof(out));
    assert_string_equal(out, "***");
    mask_email(NULL, out, sizeof(out));
    assert_string_equal(out, "***");
}

static void email_truncates_to_buffer(void **state)
{
    (void)state;
    char out[8];
    assert_int_equal(mask_email("zhang@example.com", out, sizeof(out)), 7);
    assert_string_equal(out, "z***@ex");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(phone_keeps_first3_last4),   cmocka_unit_test(phone_short_values_never_shown_whole),
        cmocka_unit_test(phone_truncates_to_buffer),  cmocka_unit_test(email_keeps_first_char_and_domain),
        cmocka_unit_test(email_multibyte_first_char), cmocka_unit_test(email_malformed_is_all_stars),
        cmocka_unit_test(email_truncates_to_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

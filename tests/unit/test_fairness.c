/* test_fairness.c - the four-fifths rule (core/fairness.c). */
/* cmocka.h needs these headers first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include "core/fairness.h"

static void four_fifths(void **state)
{
    (void)state;
    /* 60 % and 45 %: 0.75 < 0.8 is flagged */
    struct fairness_group g[] = {{.total = 100, .selected = 60}, {.total = 100, .selected = 45}};
    assert_int_equal(fairness_judge(g, 2), 1);
    assert_true(g[0].ratio == 1.0);
    assert_true(g[1].ratio > 0.749 && g[1].ratio < 0.751);
    assert_false(g[0].flagged);
    assert_true(g[1].flagged);
}

static void exactly_four_fifths_is_not_flagged(void **state)
{
    (void)state;
    struct fairness_group g[] = {{.total = 50, .selected = 25}, {.total = 50, .selected = 20}};
    assert_int_equal(fairness_judge(g, 2), 0);
    assert_true(g[1].ratio > 0.799 && g[1].ratio < 0.801);
}

static void small_groups_do_not_count(void **state)
{
    (void)state;
    /* a 4-member group with nobody selected is reported but not judged; the best rate ignores it */
    struct fairness_group g[] = {
        {.total = 4, .selected = 4}, {.total = 20, .selected = 10}, {.total = 4, .selected = 0}};
    assert_int_equal(fairness_judge(g, 3), 0);
    assert_true(g[0].ratio == -1 && !g[0].counts);
    assert_true(g[1].ratio == 1.0);
    assert_true(g[2].ratio == -1 && !g[2].flagged);
    assert_true(g[2].rate == 0);
}

static void nobody_selected(void **state)
{
    (void)state;
    struct fairness_group g[] = {{.total = 10, .selected = 0}, {.total = 10, .selected = 0}};
    assert_int_equal(fairness_judge(g, 2), 0);
    assert_true(g[0].ratio == -1);
    struct fairness_group none[1];
    assert_int_equal(fairness_judge(none, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(four_fifths),
        cmocka_unit_test(exactly_four_fifths_is_not_flagged),
        cmocka_unit_test(small_groups_do_not_count),
        cmocka_unit_test(nobody_selected),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Tests for src/lib/numtext.c: the same bytes as printf's "%lld" and "%.15g". */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lib/numtext.h"

static void same_int(int64_t v)
{
    char want[32], got[NUM_INT_MAX + 1];
    snprintf(want, sizeof(want), "%" PRId64, v);
    got[num_int(v, got)] = '\0';
    if (strcmp(want, got) != 0)
        fail_msg("num_int(%s) wrote %s", want, got);
}

static void same_real(double d)
{
    char want[64], got[NUM_REAL_MAX + 1];
    snprintf(want, sizeof(want), "%.15g", d);
    size_t n = num_real(d, got);
    got[n] = '\0';
    if (strcmp(want, got) != 0)
        fail_msg("num_real(%.17g): %%.15g writes %s, num_real %s", d, want, got);
}

static uint64_t rng = 88172645463325252ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void test_int(void **state)
{
    (void)state;
    const int64_t edges[] = {0, 1, -1, 9, 10, -10, 99, 100, INT64_MAX, INT64_MIN, INT64_MIN + 1, 1000000007};
    for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
        same_int(edges[i]);
    for (int i = 0; i < 100000; i++)
        same_int((int64_t)next() >> (next() % 64));
}

static void test_real(void **state)
{
    (void)state;
    const double edges[] = {0.0,  -0.0,       1,           -1,      0.5,      -0.5,      0.01,   -0.01,
                            0.07, 0.1,        0.004,       -0.004,  61.5,     72.35,     80.25,  99.99,
                            100,  1e12,       1e12 - 0.01, 1e15,    1e15 - 1, -1e15 + 1, 1e16,   1e21,
                            1e-5, 123456.789, 1.0 / 3,     2.0 / 3, 1e300,    -1e300,    5e-324, 0.1 + 0.2};
    for (size_t i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
        same_real(edges[i]);
    for (int i = 0; i < 200000; i++) {
        int64_t k = (int64_t)(next() % 2000000000000000ull) - 1000000000000000;
        same_real((double)k / 100.0);                         /* two decimals, up to 1e13 */
        same_real((double)(int64_t)(next() % 10001) / 100.0); /* a score */
        same_real((double)k);                                 /* integral */
        double r;
        uint64_t bits = next();
        memcpy(&r, &bits, sizeof(r));
        if (isfinite(r))
            same_real(r); /* any double */
    }
    char out[NUM_REAL_MAX];
    assert_int_equal(num_real(NAN, out), 0);
    assert_int_equal(num_real(INFINITY, out), 0);
    assert_int_equal(num_real(-INFINITY, out), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_int),
        cmocka_unit_test(test_real),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

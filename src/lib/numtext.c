/* numtext.c - see numtext.h. */
#include "lib/numtext.h"

#include <float.h>
#include <math.h>
#include <stdio.h>

size_t num_int(int64_t v, char *p)
{
    char tmp[NUM_INT_MAX];
    size_t n = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    size_t len = 0;
    if (v < 0)
        p[len++] = '-';
    while (n)
        p[len++] = tmp[--n];
    return len;
}

size_t num_real(double d, char *p)
{
    if (d != d || d > DBL_MAX || d < -DBL_MAX)
        return 0;
    /* below 1e15 an integral value has at most 15 digits: %.15g writes it as an integer (the
     * range is checked first: converting a larger double to int64_t is undefined) */
    if (d < 1e15 && d > -1e15 && d == (double)(int64_t)d) {
        if (d == 0 && signbit(d)) {
            p[0] = '-';
            p[1] = '0';
            return 2;
        }
        return num_int((int64_t)d, p);
    }
    /* Two decimals or fewer: the nearest double to i/100 prints as i/100 under %.15g (it has at
     * most 14 significant digits below 1e12), so it is written without printf. */
    if (d < 1e12 && d > -1e12) {
        double h = d * 100.0;
        int64_t i = (int64_t)(h < 0 ? h - 0.5 : h + 0.5);
        if ((double)i / 100.0 == d) {
            size_t n = 0;
            if (i < 0 || (i == 0 && d < 0)) {
                p[n++] = '-';
                i = i < 0 ? -i : i;
            }
            n += num_int(i / 100, p + n);
            int frac = (int)(i % 100);
            p[n++] = '.';
            p[n++] = (char)('0' + frac / 10);
            if (frac % 10)
                p[n++] = (char)('0' + frac % 10);
            return n;
        }
    }
    int n = snprintf(p, NUM_REAL_MAX, "%.15g", d);
    return n > 0 && n < NUM_REAL_MAX ? (size_t)n : 0;
}

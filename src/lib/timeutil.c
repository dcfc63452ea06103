#include "lib/timeutil.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/err.h"

#define MS_PER_DAY INT64_C(86400000)

static int64_t clock_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t time_now_ms(void)
{
    return clock_ms(CLOCK_REALTIME);
}

int64_t time_mono_ms(void)
{
    return clock_ms(CLOCK_MONOTONIC);
}

void time_cond_init_monotonic(pthread_cond_t *cv)
{
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(cv, &ca);
    pthread_condattr_destroy(&ca);
}

void time_mono_deadline(struct timespec *at, int64_t ms)
{
    clock_gettime(CLOCK_MONOTONIC, at);
    at->tv_sec += (time_t)(ms / 1000);
    at->tv_nsec += (long)(ms % 1000) * 1000000L;
    if (at->tv_nsec >= 1000000000L) {
        at->tv_sec++;
        at->tv_nsec -= 1000000000L;
    }
}

/* Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil); valid for any year an int64 of ms can reach. */
int64_t time_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* Inverse of days_from_civil. */
void time_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

int time_is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int time_days_in_month(int64_t y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && time_is_leap(y) ? 29 : days[m - 1];
}

/* Writes the n digits of v at p. */
static void put_digits(char *p, int64_t v, int n)
{
    while (n-- > 0) {
        p[n] = (char)('0' + v % 10);
        v /= 10;
    }
}

void time_format_rfc3339(int64_t ms, char out[32])
{
    /* Floor division so times before the epoch land on the right day. */
    int64_t days = ms / MS_PER_DAY;
    int64_t rem = ms % MS_PER_DAY;
    if (rem < 0) {
        rem += MS_PER_DAY;
        days--;
    }
    int64_t y;
    int m, d;
    time_civil_from_days(days, &y, &m, &d);
    int hh = (int)(rem / 3600000);
    int mi = (int)(rem / 60000 % 60);
    int ss = (int)(rem / 1000 % 60);
    int mmm = (int)(rem % 1000);
    if (y < 0 || y > 9999) {
        snprintf(out, 32, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m, d, hh, mi, ss, mmm);
        return;
    }
    /* the usual years without printf: lists and exports write several a row */
    memcpy(out, "0000-00-00T00:00:00.000Z", 25);
    put_digits(out, y, 4);
    put_digits(out + 5, m, 2);
    put_digits(out + 8, d, 2);
    put_digits(out + 11, hh, 2);
    put_digits(out + 14, mi, 2);
    put_digits(out + 17, ss, 2);
    put_digits(out + 20, mmm, 3);
}

int time_format_seconds(int64_t ms, char out[24])
{
    char full[32];
    time_format_rfc3339(ms, full);
    if (strlen(full) != 24 || full[0] == '-') /* a year beyond 0..9999 */
        return -1;
    memcpy(out, full, 19);
    out[19] = 'Z';
    out[20] = '\0';
    return 0;
}

/* Reads exactly n decimal digits at *p into *out and advances *p.
 * Returns 0, or -1 if any of them is not a digit. */
static int read_digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return -1;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

int time_parse_rfc3339(const char *s, int64_t *ms)
{
    const char *p = s;
    int y, mo, d, hh = 0, mi = 0, ss = 0, frac_ms = 0, off_min = 0;

    if (read_digits(&p, 4, &y) || *p++ != '-' || read_digits(&p, 2, &mo) || *p++ != '-' || read_digits(&p, 2, &d))
        return ERR_INVALID;
    if (mo < 1 || mo > 12 || d < 1 || d > time_days_in_month(y, mo))
        return ERR_INVALID;

    if (*p != '\0') {
        if (*p != 'T' && *p != 't' && *p != ' ')
            return ERR_INVALID;
        p++;
        if (read_digits(&p, 2, &hh) || *p++ != ':' || read_digits(&p, 2, &mi) || *p++ != ':' || read_digits(&p, 2, &ss))
            return ERR_INVALID;
        if (hh > 23 || mi > 59 || ss > 59)
            return ERR_INVALID;

        if (*p == '.') {
            p++;
            int ndig = 0;
            while (*p >= '0' && *p <= '9') {
                if (ndig < 3)
                    frac_ms = frac_ms * 10 + (*p - '0');
                ndig++;
                p++;
            }
            if (ndig < 1 || ndig > 9)
                return ERR_INVALID;
            for (int i = ndig; i < 3; i++)
                frac_ms *= 10;
        }

        if (*p == 'Z' || *p == 'z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int sign = *p++ == '-' ? -1 : 1;
            int oh, om;
            if (read_digits(&p, 2, &oh) || *p++ != ':' || read_digits(&p, 2, &om))
                return ERR_INVALID;
            if (oh > 23 || om > 59)
                return ERR_INVALID;
            off_min = sign * (oh * 60 + om);
        } else {
            return ERR_INVALID;
        }
        if (*p != '\0')
            return ERR_INVALID;
    }

    int64_t secs = time_days_from_civil(y, mo, d) * 86400 + (int64_t)hh * 3600 + (int64_t)mi * 60 + ss;
    /* Local time = UTC + offset, so UTC = local - offset. */
    secs -= (int64_t)off_min * 60;
    *ms = secs * 1000 + frac_ms;
    return 0;
}

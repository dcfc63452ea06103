/* tz.c - reading TZif zone files (RFC 8536) and local wall times. */
#include "lib/tz.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/mem.h"
#include "lib/timeutil.h"

#define TZ_DEFAULT_DIR "/usr/share/zoneinfo"
#define TZ_FILE_MAX (1 << 20)
#define DAY_S INT64_C(86400)

/* A footer date: Jn (1..365, Feb 29 never counted), n (0..365, counted) or Mm.w.d. */
struct rule_date {
    char kind; /* 'J', 'N' or 'M' */
    int n, m, w, d;
    int32_t time; /* seconds after local midnight the change happens (may be negative or > 24 h) */
};

/* A footer POSIX TZ string: std_off alone, or std_off/dst_off with the dates DST starts and ends. */
struct posix_rule {
    int32_t std_off, dst_off; /* seconds east of UTC */
    int has_dst;
    struct rule_date start, end;
};

struct tz {
    char name[TZ_NAME_MAX + 1];
    size_t n_trans, n_types;
    int64_t *trans;   /* transition instants, UTC seconds, ascending */
    uint8_t *idx;     /* the type each transition starts */
    int32_t *offsets; /* each type's offset, seconds east of UTC */
    int has_rule;
    struct posix_rule rule;
};

static int64_t floor_div(int64_t a, int64_t b)
{
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* The year of day z (days since 1970-01-01). */
static int64_t year_of_days(int64_t z)
{
    int64_t y;
    int m, d;
    time_civil_from_days(z, &y, &m, &d);
    return y;
}

/* ------------------------------------------------------------------------
 * names */

int tz_name_ok(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    if (n == 0 || n > TZ_NAME_MAX || name[0] == '/' || name[n - 1] == '/' || strstr(name, "..") || strstr(name, "//"))
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
              c == '+' || c == '/'))
            return 0;
    }
    return 1;
}

/* ------------------------------------------------------------------------
 * the footer's POSIX TZ string */

static int digits(const char **p, int max_digits, int *out)
{
    int v = 0, k = 0;
    while (k < max_digits && **p >= '0' && **p <= '9') {
        v = v * 10 + (**p - '0');
        (*p)++;
        k++;
    }
    *out = v;
    return k > 0 ? 0 : -1;
}

/* [+-]h[hh][:mm[:ss]] into seconds (the sign as written). */
static int hms(const char **p, int32_t *out)
{
    int sign = 1, h, m = 0, s = 0;
    if (**p == '+' || **p == '-')
        sign = *(*p)++ == '-' ? -1 : 1;
    if (digits(p, 3, &h) || h > 167)
        return -1;
    if (**p == ':') {
        (*p)++;
        if (digits(p, 2, &m) || m > 59)
            return -1;
        if (**p == ':') {
            (*p)++;
            if (digits(p, 2, &s) || s > 59)
                return -1;
        }
    }
    *out = sign * (h * 3600 + m * 60 + s);
    return 0;
}

/* A zone abbreviation: three or more letters, or <...> of letters, digits, '+' and '-'. */
static int abbr(const char **p)
{
    const char *s = *p;
    if (*s == '<') {
        s++;
        while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '+' ||
               *s == '-')
            s++;
        if (*s != '>' || s - *p < 4)
            return -1;
        *p = s + 1;
        return 0;
    }
    while ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'))
        s++;
    if (s - *p < 3)
        return -1;
    *p = s;
    return 0;
}

static int rule_date(const char **p, struct rule_date *r)
{
    r->time = 7200;
    if (**p == 'J') {
        (*p)++;
        r->kind = 'J';
        if (digits(p, 3, &r->n) || r->n < 1 || r->n > 365)
            return -1;
    } else if (**p == 'M') {
        (*p)++;
        r->kind = 'M';
        if (digits(p, 2, &r->m) || r->m < 1 || r->m > 12 || *(*p)++ != '.' || digits(p, 1, &r->w) || r->w < 1 ||
            r->w > 5 || *(*p)++ != '.' || digits(p, 1, &r->d) || r->d > 6)
            return -1;
    } else {
        r->kind = 'N';
        if (digits(p, 3, &r->n) || r->n > 365)
            return -1;
    }
    if (**p == '/') {
        (*p)++;
        return hms(p, &r->time);
    }
    return 0;
}

/* Parses s (without its newlines) into r: 0, or -1 when it is not a form understood here. */
static int posix_parse(const char *s, struct posix_rule *r)
{
    int32_t v;
    memset(r, 0, sizeof(*r));
    if (abbr(&s) || hms(&s, &v))
        return -1;
    r->std_off = -v;
    if (!*s)
        return 0;
    if (abbr(&s))
        return -1;
    r->has_dst = 1;
    r->dst_off = r->std_off + 3600;
    if (*s && *s != ',') {
        if (hms(&s, &v))
            return -1;
        r->dst_off = -v;
    }
    if (*s != ',')
        return -1; /* a DST name without rules: the old default rules are not guessed */
    s++;
    if (rule_date(&s, &r->start) || *s++ != ',' || rule_date(&s, &r->end) || *s)
        return -1;
    return 0;
}

/* Local seconds (since the epoch, as if local were UTC) at which d happens in year y. */
static int64_t rule_local(const struct rule_date *d, int64_t y)
{
    int64_t day;
    if (d->kind == 'J')
        day = time_days_from_civil(y, 1, 1) + d->n - 1 + (time_is_leap(y) && d->n >= 60);
    else if (d->kind == 'N')
        day = time_days_from_civil(y, 1, 1) + d->n;
    else {
        int64_t first = time_days_from_civil(y, d->m, 1);
        int wd = (int)((first % 7 + 7 + 4) % 7); /* 1970-01-01 was a Thursday */
        int mday = 1 + (d->d - wd + 7) % 7 + (d->w - 1) * 7;
        while (mday > time_days_in_month(y, d->m))
            mday -= 7;
        day = first + mday - 1;
    }
    return day * DAY_S + d->time;
}

static int32_t posix_offset(const struct posix_rule *r, int64_t t)
{
    if (!r->has_dst)
        return r->std_off;
    int64_t y = year_of_days(floor_div(t + r->std_off, DAY_S));
    int64_t start = rule_local(&r->start, y) - r->std_off, end = rule_local(&r->end, y) - r->dst_off;
    int dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
    return dst ? r->dst_off : r->std_off;
}

/* ------------------------------------------------------------------------
 * TZif */

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int64_t be64(const unsigned char *p)
{
    return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

struct counts {
    uint32_t isut, isstd, leap, time, type, chars;
};

static int header(const unsigned char *p, size_t n, struct counts *c)
{
    if (n < 44 || memcmp(p, "TZif", 4) != 0)
        return -1;
    c->isut = be32(p + 20);
    c->isstd = be32(p + 24);
    c->leap = be32(p + 28);
    c->time = be32(p + 32);
    c->type = be32(p + 36);
    c->chars = be32(p + 40);
    if (c->type == 0 || c->type > 256 || c->time > 100000 || c->chars > 100000 || c->leap > 100000 ||
        (c->isut && c->isut != c->type) || (c->isstd && c->isstd != c->type))
        return -1;
    return 0;
}

static size_t block_size(const struct counts *c, int tsize)
{
    return (size_t)c->time * (size_t)tsize + c->time + (size_t)c->type * 6 + c->chars +
           (size_t)c->leap * (size_t)(tsize + 4) + c->isstd + c->isut;
}

/* Parses the file's bytes p[0..n) into z. */
static int tzif_parse(const unsigned char *p, size_t n, struct tz *z)
{
    struct counts c;
    if (header(p, n, &c) || p[4] < '2')
        return -1;
    size_t skip = 44 + block_size(&c, 4);
    if (skip > n)
        return -1;
    p += skip;
    n -= skip;
    if (header(p, n, &c))
        return -1;
    size_t size = block_size(&c, 8);
    if (44 + size > n)
        return -1;
    const unsigned char *d = p + 44, *end = p + 44 + size;
    z->n_trans = c.time;
    z->n_types = c.type;
    z->trans = xmalloc((c.time ? c.time : 1) * sizeof(*z->trans));
    z->idx = xmalloc(c.time ? c.time : 1);
    z->offsets = xmalloc(c.type * sizeof(*z->offsets));
    for (uint32_t i = 0; i < c.time; i++) {
        z->trans[i] = be64(d + (size_t)8 * i);
        if (i > 0 && z->trans[i] <= z->trans[i - 1])
            return -1;
    }
    d += 8 * (size_t)c.time;
    for (uint32_t i = 0; i < c.time; i++)
        if ((z->idx[i] = d[i]) >= c.type)
            return -1;
    d += c.time;
    for (uint32_t i = 0; i < c.type; i++) {
        int32_t off = (int32_t)be32(d + (size_t)6 * i);
        if (off < -25 * 3600 || off > 26 * 3600)
            return -1;
        z->offsets[i] = off;
    }
    /* the footer: "\n<POSIX TZ>\n" */
    size_t rest = n - 44 - size;
    if (rest >= 2 && end[0] == '\n') {
        const unsigned char *nl = memchr(end + 1, '\n', rest - 1);
        if (nl && nl - end - 1 < 128) {
            char tzs[128];
            memcpy(tzs, end + 1, (size_t)(nl - end - 1));
            tzs[nl - end - 1] = '\0';
            z->has_rule = tzs[0] && posix_parse(tzs, &z->rule) == 0;
        }
    }
    return 0;
}

static int read_all(int fd, unsigned char **out, size_t *n)
{
    size_t cap = 4096, len = 0;
    unsigned char *b = xmalloc(cap);
    for (;;) {
        if (len == cap) {
            if (cap >= TZ_FILE_MAX) {
                free(b);
                return -1;
            }
            cap *= 2;
            b = xrealloc(b, cap);
        }
        ssize_t r = read(fd, b + len, cap - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            free(b);
            return -1;
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    *out = b;
    *n = len;
    return 0;
}

void tz_free(struct tz *z)
{
    if (!z)
        return;
    free(z->trans);
    free(z->idx);
    free(z->offsets);
    free(z);
}

int tz_load(const char *name, struct tz **out, struct err *e)
{
    *out = NULL;
    if (!tz_name_ok(name))
        return err_set(e, ERR_INVALID, "invalid_value", "time_zone",
                       "time_zone must be a time zone name such as Asia/Shanghai or UTC");
    const char *dir = getenv("TZDIR");
    if (!dir || !*dir)
        dir = TZ_DEFAULT_DIR;
    char path[4096];
    if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
        return err_set(e, ERR_INVALID, "invalid_value", "time_zone", "no time zone %s", name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    unsigned char *buf = NULL;
    size_t n = 0;
    int ok = fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && read_all(fd, &buf, &n) == 0;
    if (fd >= 0)
        close(fd);
    if (!ok)
        return err_set(e, ERR_INVALID, "invalid_value", "time_zone", "no time zone %s", name);
    struct tz *z = xcalloc(1, sizeof(*z));
    snprintf(z->name, sizeof(z->name), "%s", name);
    int rc = tzif_parse(buf, n, z);
    free(buf);
    if (rc != 0) {
        tz_free(z);
        return err_set(e, ERR_INVALID, "invalid_value", "time_zone", "no time zone %s (not a version 2+ TZif file)",
                       name);
    }
    *out = z;
    return 0;
}

const char *tz_name(const struct tz *z)
{
    return z->name;
}

/* ------------------------------------------------------------------------
 * offsets and wall times */

static int32_t offset_s(const struct tz *z, int64_t t)
{
    if (z->n_trans == 0)
        return z->has_rule ? posix_offset(&z->rule, t) : z->offsets[0];
    if (t < z->trans[0])
        return z->offsets[0];
    if (t >= z->trans[z->n_trans - 1] && z->has_rule)
        return posix_offset(&z->rule, t);
    size_t lo = 0, hi = z->n_trans; /* the last transition at or before t is in [lo, hi) */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (z->trans[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return z->offsets[z->idx[lo]];
}

int32_t tz_offset_at(const struct tz *z, int64_t utc_ms)
{
    return offset_s(z, floor_div(utc_ms, 1000));
}

/* The first UTC second whose local wall time is wall (local seconds) or, when a gap skips wall,
 * the second the gap ends. */
static int64_t first_at_wall(const struct tz *z, int64_t wall)
{
    /* every instant that can show wall lies within 26 hours of it: sample the offsets there */
    int32_t o[3] = {offset_s(z, wall - INT64_C(26) * 3600), offset_s(z, wall), offset_s(z, wall + INT64_C(26) * 3600)};
    int32_t omin = o[0], omax = o[0];
    int64_t best = INT64_MAX;
    for (int i = 0; i < 3; i++) {
        omin = o[i] < omin ? o[i] : omin;
        omax = o[i] > omax ? o[i] : omax;
        int64_t u = wall - o[i];
        if (offset_s(z, u) == o[i] && u < best)
            best = u;
    }
    if (best != INT64_MAX)
        return best;
    /* a gap: before it the offset was omin, after it omax; the change is in (wall - omax, wall - omin] */
    int64_t lo = wall - omax, hi = wall - omin;
    int32_t before = offset_s(z, lo);
    if (offset_s(z, hi) == before)
        return hi;
    while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        if (offset_s(z, mid) == before)
            lo = mid;
        else
            hi = mid;
    }
    return hi;
}

int64_t tz_next_local_time(const struct tz *z, int hh, int mm, int64_t after_utc_ms)
{
    int64_t a = floor_div(after_utc_ms, 1000);
    int64_t day = floor_div(a + offset_s(z, a), DAY_S);
    for (int64_t d = day - 1; d < day + 8; d++) {
        int64_t t = first_at_wall(z, d * DAY_S + (int64_t)hh * 3600 + (int64_t)mm * 60) * 1000;
        if (t > after_utc_ms)
            return t;
    }
    return after_utc_ms + DAY_S * 1000; /* not reached with real zones */
}

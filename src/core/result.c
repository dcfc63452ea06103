/* result.c - see result.h. */
#include "core/result.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/pipeline.h"
#include "lib/jsontext.h"
#include "lib/mem.h"
#include "lib/timeutil.h"
#include "lib/utf8.h"

/* Largest integer every JSON reader holds exactly (2^53 - 1); the bound of
 * every integer field. */
#define INT_FIELD_MAX INT64_C(9007199254740991)

/* Limits of docs/results.md, in characters. */
enum {
    VENDOR_MAX = 32,
    VRID_MAX = 128,
    MODEL_VERSION_MAX = 64,
    DIM_KEY_MAX = RESULT_DIM_KEY_MAX,
    LABEL_MAX = 64,
    EVIDENCE_MAX = 2000,
    TAGS_MAX = 32,
    TAG_MAX = 64,
    SEGMENTS_MAX = 2000,
    TEXT_MAX = 4000,
    URL_MAX = 2048,
    MOMENTS_MAX = 100,
    MOMENT_LABEL_MAX = 200,
    EXTERNAL_ID_MAX = 128,
    PERSON_NAME_MAX = 128,
    EMAIL_MAX = 254,
    PHONE_MIN = 5,
    PHONE_MAX = 32,
    POSITION_CODE_MAX = 64,
};

/* get_text flags. */
enum {
    T_REQUIRED = 1,  /* absent, null and "" are refused */
    T_MULTILINE = 2, /* newline, tab and CRLF allowed (CRLF becomes LF) */
};

struct label {
    const char *key, *zh, *en;
};

static const struct label catalogue[] = {
    {"communication", "沟通能力", "Communication"},
    {"logic", "逻辑思维", "Logical thinking"},
    {"stress", "抗压能力", "Stress tolerance"},
    {"teamwork", "团队协作", "Teamwork"},
    {"professional", "专业能力", "Professional skills"},
    {"learning", "学习能力", "Learning ability"},
    {"leadership", "领导力", "Leadership"},
    {"motivation", "求职动机", "Motivation"},
    {"expression", "语言表达", "Verbal expression"},
    {"problem_solving", "解决问题", "Problem solving"},
    {"attitude", "工作态度", "Work attitude"},
    {"creativity", "创新能力", "Creativity"},
    {"adaptability", "适应能力", "Adaptability"},
    {"responsibility", "责任心", "Sense of responsibility"},
    {"execution", "执行力", "Execution"},
    {"analysis", "分析能力", "Analytical skills"},
    {"service", "服务意识", "Service orientation"},
    {"english", "英语能力", "English proficiency"},
    {"integrity", "诚信正直", "Integrity"},
    {"initiative", "主动性", "Initiative"},
    {"organization", "组织协调", "Organisation and coordination"},
    {"customer_focus", "客户导向", "Customer focus"},
    {"culture_fit", "文化匹配", "Culture fit"},
};

#define CATALOGUE_COUNT (sizeof(catalogue) / sizeof(catalogue[0]))

const char *result_dim_key(const char *label)
{
    if (!label)
        return NULL;
    for (size_t i = 0; i < CATALOGUE_COUNT; i++)
        if (strcmp(catalogue[i].zh, label) == 0 || strcasecmp(catalogue[i].en, label) == 0)
            return catalogue[i].key;
    return NULL;
}

const char *result_dim_label(const char *key, int english)
{
    if (!key)
        return NULL;
    for (size_t i = 0; i < CATALOGUE_COUNT; i++)
        if (strcmp(catalogue[i].key, key) == 0)
            return english ? catalogue[i].en : catalogue[i].zh;
    return NULL;
}

void result_free(struct result *r)
{
    if (!r)
        return;
    json_decref(r->normalised);
    memset(r, 0, sizeof(*r));
}

/* out = a followed by b, cut to cap - 1 bytes as snprintf(out, cap, "%s%s", a, b) would (a
 * formatter for the paths built for every field, where snprintf's cost shows). */
static void cat2(char *out, size_t cap, const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > cap - 1)
        la = cap - 1;
    if (lb > cap - 1 - la)
        lb = cap - 1 - la;
    memmove(out, a, la);
    memcpy(out + la, b, lb);
    out[la + lb] = '\0';
}

/* out = name + "[" + i + "]", as snprintf(out, cap, "%s[%zu]", name, i). */
static void path_index(char *out, size_t cap, const char *name, size_t i)
{
    char idx[24], *p = idx + sizeof(idx);
    *--p = '\0';
    *--p = ']';
    do {
        *--p = (char)('0' + i % 10);
        i /= 10;
    } while (i);
    *--p = '[';
    cat2(out, cap, name, p);
}

/* out = pre + "." + key, as snprintf(out, cap, "%s.%s", pre, key). */
static void path_member(char *out, size_t cap, const char *pre, const char *key)
{
    char tail[48];
    cat2(tail, sizeof(tail), ".", key);
    cat2(out, cap, pre, tail);
}

/* ---- errors and field paths ---- */

/* ERR_INVALID with slug, field path and a printf message. */
#define fail(...) err_invalid(__VA_ARGS__)

/* out = prefix + "." + key (just key when prefix is empty). */
static void path_key(char *out, size_t cap, const char *prefix, const char *key)
{
    snprintf(out, cap, "%s%s", prefix, prefix[0] ? "." : "");
    utf8_append_printable(out, cap, key);
}

/* Refuses any key of obj not in allowed (NULL-terminated). */
static int check_known(json_t *obj, const char *const *allowed, const char *prefix, struct err *e)
{
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        int ok = 0;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strcmp(*a, k) == 0;
        if (!ok) {
            char f[sizeof(((struct err *)0)->field)];
            path_key(f, sizeof(f), prefix, k);
            return fail(e, "unknown_field", f, "unknown field %s", f[0] ? f : "(unprintable name)");
        }
    }
    return 0;
}

/* ---- text ---- */

/* Length in bytes of the space-like character (space, U+00A0, U+3000) at s,
 * 0 when s does not start with one. */
static size_t space_at(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    if (n >= 1 && p[0] == ' ')
        return 1;
    if (n >= 2 && p[0] == 0xC2 && p[1] == 0xA0)
        return 2;
    if (n >= 3 && p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80)
        return 3;
    return 0;
}

/* Narrows [*s, *s + *n) to drop leading and trailing space-like characters.
 * The text is valid UTF-8, so a matching suffix is always a whole character. */
static void trim(const char **s, size_t *n)
{
    size_t k;
    while ((k = space_at(*s, *n)) > 0) {
        *s += k;
        *n -= k;
    }
    for (;;) {
        if (*n >= 1 && space_at(*s + *n - 1, 1) == 1)
            *n -= 1;
        else if (*n >= 2 && space_at(*s + *n - 2, 2) == 2)
            *n -= 2;
        else if (*n >= 3 && space_at(*s + *n - 3, 3) == 3)
            *n -= 3;
        else
            break;
    }
}

/* 1 if the n bytes at s contain a space-like character anywhere. */
static int has_space(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (space_at(s + i, n - i))
            return 1;
    return 0;
}

/* A text value as the checks found it. */
struct text {
    json_t *v;     /* the string (borrowed); NULL when absent, null or "" */
    const char *s; /* its bytes (NULL with v) */
    size_t n;      /* bytes */
    size_t chars;  /* code points; SIZE_MAX when not counted */
    size_t crs;    /* carriage returns (T_MULTILINE); SIZE_MAX when not counted */
};

/* The common case of text_check in one pass over the n bytes at str: well-formed UTF-8 (as
 * utf8_valid) without NUL, DEL, C1 controls or C0 controls (but tab, newline and CRLF with
 * T_MULTILINE). Returns 1 with *chars and *crs counted when the text is all that, 0 when anything
 * is off, for the checks one by one to name it. */
static int text_quick(const char *str, size_t n, int multiline, size_t *chars, size_t *crs)
{
    const unsigned char *p = (const unsigned char *)str;
    size_t i = 0, cp = 0, cr = 0;
    while (i < n) {
        unsigned char c = p[i];
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7F) {
                if (!multiline || !(c == '\n' || c == '\t' || (c == '\r' && i + 1 < n && p[i + 1] == '\n')))
                    return 0;
                cr += c == '\r';
            }
            i++;
        } else if (c >= 0xE0 && c <= 0xEF) {
            unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
            if (n - i < 3 || p[i + 1] < lo || p[i + 1] > hi || (p[i + 2] & 0xC0) != 0x80)
                return 0;
            i += 3;
        } else if (c >= 0xC2 && c <= 0xDF) {
            /* C2 80..C2 9F: a C1 control */
            if (n - i < 2 || (p[i + 1] & 0xC0) != 0x80 || (c == 0xC2 && p[i + 1] <= 0x9F))
                return 0;
            i += 2;
        } else if (c >= 0xF0 && c <= 0xF4) {
            unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
            if (n - i < 4 || p[i + 1] < lo || p[i + 1] > hi || (p[i + 2] & 0xC0) != 0x80 || (p[i + 3] & 0xC0) != 0x80)
                return 0;
            i += 4;
        } else {
            return 0;
        }
        cp++;
    }
    *chars = cp;
    *crs = cr;
    return 1;
}

/* Reads v as text into t (t->v and t->s NULL when v is NULL, null or ""; refused then with
 * T_REQUIRED). Checks the type, NULs, UTF-8 and control characters; lengths are the caller's.
 * path names the value in errors. */
static int text_check(json_t *v, const char *path, int flags, struct text *t, struct err *e)
{
    memset(t, 0, sizeof(*t));
    t->chars = t->crs = SIZE_MAX;
    if (v && !json_is_null(v) && !json_is_string(v))
        return fail(e, "wrong_type", path, "%s must be a string", path);
    if (!v || json_is_null(v) || json_string_length(v) == 0) {
        if (flags & T_REQUIRED)
            return fail(e, "required", path, "%s is required", path);
        return 0;
    }
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (!text_quick(s, n, flags & T_MULTILINE, &t->chars, &t->crs)) {
        t->chars = t->crs = SIZE_MAX;
        if (strlen(s) != n)
            return fail(e, "invalid_value", path, "%s contains a NUL character", path);
        if (!utf8_valid(s, n))
            return fail(e, "invalid_value", path, "%s is not valid UTF-8", path);
        int bad = utf8_has_control(s, n);
        for (size_t i = 0; i < n && !bad; i++) {
            if (flags & T_MULTILINE)
                bad = s[i] == '\r' && s[i + 1] != '\n'; /* only CRLF; s[n] is the NUL */
            else
                bad = s[i] == '\t' || s[i] == '\n' || s[i] == '\r';
        }
        if (bad)
            return fail(e, "invalid_value", path, "%s contains control characters", path);
    }
    t->v = v;
    t->s = s;
    t->n = n;
    return 0;
}

/* Reads v as text into *out and *len (NULL and 0 when v is NULL, null or ""), as text_check. */
static int text_value(json_t *v, const char *path, int flags, const char **out, size_t *len, struct err *e)
{
    struct text t;
    int rc = text_check(v, path, flags, &t, e);
    *out = t.s;
    *len = t.n;
    return rc;
}

/* text_value of obj[key]. */
static int get_text(json_t *obj, const char *key, const char *path, int flags, const char **out, size_t *len,
                    struct err *e)
{
    return text_value(json_object_get(obj, key), path, flags, out, len, e);
}

/* Checks that a text of cp code points holds min..max characters. */
static int check_count(size_t cp, size_t min, size_t max, const char *path, struct err *e)
{
    if (cp < min)
        return cp == 0 ? fail(e, "required", path, "%s must not be empty", path)
                       : fail(e, "invalid_value", path, "%s must have at least %zu characters", path, min);
    if (cp > max)
        return fail(e, "too_long", path, "%s is longer than %zu characters", path, max);
    return 0;
}

/* Checks that the n bytes at s hold min..max characters. */
static int check_chars(const char *s, size_t n, size_t min, size_t max, const char *path, struct err *e)
{
    return check_count(utf8_count(s, n), min, max, path, e);
}

/* Sets obj[key] (a key of this file: plain ASCII) to v, stolen. */
static void put(json_t *obj, const char *key, json_t *v)
{
    json_object_set_new_nocheck(obj, key, v);
}

/* The n bytes at str as a JSON string: orig itself (shared) when they are all of it, else a copy. */
static json_t *string_of(json_t *orig, const char *str, size_t n)
{
    if (json_is_string(orig) && json_string_value(orig) == str && json_string_length(orig) == n)
        return json_incref(orig);
    return json_stringn(str, n);
}

/* Reads a single-line text of up to max characters into norm[key] (null when
 * absent). The text is stored as it came: the same string, shared. */
static int put_line(json_t *obj, const char *key, const char *path, int flags, size_t max, json_t *norm, struct err *e)
{
    struct text t;
    int rc = text_check(json_object_get(obj, key), path, flags, &t, e);
    if (rc == 0 && t.s)
        rc = t.chars != SIZE_MAX ? check_count(t.chars, 1, max, path, e) : check_chars(t.s, t.n, 1, max, path, e);
    if (rc == 0)
        put(norm, key, t.s ? json_incref(t.v) : json_null());
    return rc;
}

/* Reads a multi-line text of up to max characters into norm[key] (null when
 * absent), CRLF turned into LF before counting. */
static int put_multiline(json_t *obj, const char *key, const char *path, int flags, size_t max, json_t *norm,
                         struct err *e)
{
    struct text t;
    int rc = text_check(json_object_get(obj, key), path, flags | T_MULTILINE, &t, e);
    if (rc != 0)
        return rc;
    if (!t.s) {
        put(norm, key, json_null());
        return 0;
    }
    if (t.crs == 0) { /* nothing to turn: the string as it came, shared */
        rc = check_count(t.chars, 1, max, path, e);
        if (rc == 0)
            put(norm, key, json_incref(t.v));
        return rc;
    }
    const char *s = t.s;
    size_t n = t.n;
    char *buf = xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != '\r')
            buf[o++] = s[i];
    buf[o] = '\0';
    rc = check_chars(buf, o, 1, max, path, e);
    if (rc == 0)
        put(norm, key, json_stringn(buf, o));
    free(buf);
    return rc;
}

/* ---- numbers ---- */

/* Reads a score: a finite number 0..100, rounded half away from zero. */
static int get_score(json_t *obj, const char *key, const char *path, int *out, struct err *e)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return fail(e, "required", path, "%s is required", path);
    if (!json_is_number(v))
        return fail(e, "wrong_type", path, "%s must be a number", path);
    double x = json_number_value(v);
    if (!isfinite(x) || x < 0 || x > 100)
        return fail(e, "out_of_range", path, "%s must be between 0 and 100", path);
    *out = (int)round(x);
    return 0;
}

/* Reads an integer min..INT_FIELD_MAX: a JSON integer or a real without a
 * fraction (5200.0). *present says whether it was there (absent or null). */
static int get_int(json_t *obj, const char *key, const char *path, int required, int64_t min, int64_t *out,
                   int *present, struct err *e)
{
    json_t *v = json_object_get(obj, key);
    *present = 0;
    if (!v || json_is_null(v))
        return required ? fail(e, "required", path, "%s is required", path) : 0;
    int64_t x;
    if (json_is_integer(v)) {
        x = json_integer_value(v);
    } else if (json_is_real(v)) {
        double d = json_real_value(v);
        if (!isfinite(d) || floor(d) != d)
            return fail(e, "wrong_type", path, "%s must be an integer", path);
        if (d < (double)min || d > (double)INT_FIELD_MAX)
            goto range;
        x = (int64_t)d;
    } else {
        return fail(e, "wrong_type", path, "%s must be an integer", path);
    }
    if (x < min || x > INT_FIELD_MAX)
        goto range;
    *out = x;
    *present = 1;
    return 0;
range:
    return fail(e, "out_of_range", path, "%s must be an integer from %lld to %lld", path, (long long)min,
                (long long)INT_FIELD_MAX);
}

/* Reads obj[key] as an array of at most max items: *arr is NULL when absent
 * or null. */
static int get_array(json_t *obj, const char *key, size_t max, json_t **arr, struct err *e)
{
    json_t *v = json_object_get(obj, key);
    *arr = NULL;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_array(v))
        return fail(e, "wrong_type", key, "%s must be an array", key);
    if (json_array_size(v) > max)
        return fail(e, "too_many", key, "%s has more than %zu items", key, max);
    *arr = v;
    return 0;
}

/* ---- the fields ---- */

/* 1 if the n bytes at s are [a-z0-9_-]. */
static int is_vendor_name(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
            return 0;
    return 1;
}

int result_dim_key_valid(const char *s, size_t n)
{
    if (n == 0 || n > RESULT_DIM_KEY_MAX || s[0] < 'a' || s[0] > 'z')
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

/* vendor, vendor_result_id, completed_at, model_version. */
static int parse_head(json_t *in, json_t *norm, struct result *out, struct err *e)
{
    const char *s;
    size_t n;
    int rc;

    if ((rc = get_text(in, "vendor", "vendor", T_REQUIRED, &s, &n, e)))
        return rc;
    if (!is_vendor_name(s, n))
        return fail(e, "invalid_value", "vendor", "vendor may contain only a-z, 0-9, '_' and '-'");
    if (n > VENDOR_MAX)
        return fail(e, "too_long", "vendor", "vendor is longer than %d characters", VENDOR_MAX);
    put(norm, "vendor", string_of(json_object_get(in, "vendor"), s, n));

    if ((rc = put_line(in, "vendor_result_id", "vendor_result_id", T_REQUIRED, VRID_MAX, norm, e)))
        return rc;

    if ((rc = get_text(in, "completed_at", "completed_at", T_REQUIRED, &s, &n, e)))
        return rc;
    if (time_parse_rfc3339(s, &out->completed_at) != 0)
        return fail(e, "invalid_value", "completed_at",
                    "completed_at must be an RFC 3339 timestamp such as 2026-11-20T09:30:00Z");
    char ts[32];
    time_format_rfc3339(out->completed_at, ts);
    size_t tl = strlen(ts);
    if (tl >= 5 && strcmp(ts + tl - 5, ".000Z") == 0)
        memcpy(ts + tl - 5, "Z", 2);
    put(norm, "completed_at", json_string(ts));

    return put_line(in, "model_version", "model_version", 0, MODEL_VERSION_MAX, norm, e);
}

/* Reads one candidate hint, trimmed, of up to max characters; *s is NULL
 * when it is missing, null or blank. */
static int candidate_text(json_t *c, const char *key, size_t max, const char **s, size_t *n, struct err *e)
{
    char path[48];
    cat2(path, sizeof(path), "candidate.", key);
    int rc = get_text(c, key, path, 0, s, n, e);
    if (rc != 0 || !*s)
        return rc;
    trim(s, n);
    if (*n == 0) {
        *s = NULL;
        return 0;
    }
    return check_chars(*s, *n, 1, max, path, e);
}

/* Stores the n bytes at s (within c[key]) as nc[key], ASCII upper case lowered when lower. */
static void put_hint(json_t *c, json_t *nc, const char *key, const char *s, size_t n, int lower)
{
    int upper = 0;
    for (size_t i = 0; i < n && lower && !upper; i++)
        upper = s[i] >= 'A' && s[i] <= 'Z';
    if (!upper) {
        put(nc, key, string_of(json_object_get(c, key), s, n));
        return;
    }
    char *v = xstrndup(s, n);
    for (size_t i = 0; i < n; i++)
        if (v[i] >= 'A' && v[i] <= 'Z')
            v[i] = (char)(v[i] - 'A' + 'a');
    put(nc, key, json_stringn(v, n));
    free(v);
}

static int parse_candidate(json_t *in, json_t *norm, struct result *out, struct err *e)
{
    static const char *const keys[] = {"application_id", "external_id",   "name", "email",
                                       "phone",          "position_code", NULL};
    json_t *c = json_object_get(in, "candidate");
    if (!c || json_is_null(c))
        return fail(e, "required", "candidate", "candidate is required");
    if (!json_is_object(c))
        return fail(e, "wrong_type", "candidate", "candidate must be an object");
    int rc = check_known(c, keys, "candidate", e);
    if (rc != 0)
        return rc;

    json_t *nc = json_object();
    put(norm, "candidate", nc);
    int present;
    if ((rc = get_int(c, "application_id", "candidate.application_id", 0, 1, &out->application_id, &present, e)))
        return rc;
    if (present)
        put(nc, "application_id", json_integer(out->application_id));

    const char *s;
    size_t n;
    if ((rc = candidate_text(c, "external_id", EXTERNAL_ID_MAX, &s, &n, e)))
        return rc;
    if (s)
        put_hint(c, nc, "external_id", s, n, 0);
    if ((rc = candidate_text(c, "name", PERSON_NAME_MAX, &s, &n, e)))
        return rc;
    if (s)
        put_hint(c, nc, "name", s, n, 0);

    if ((rc = candidate_text(c, "email", EMAIL_MAX, &s, &n, e)))
        return rc;
    if (s) {
        const char *at = memchr(s, '@', n);
        if (!at || at == s || at == s + n - 1 || memchr(at + 1, '@', (size_t)(s + n - at - 1)) || has_space(s, n))
            return fail(e, "invalid_value", "candidate.email", "candidate.email is not an email address");
        put_hint(c, nc, "email", s, n, 1);
    }

    if ((rc = candidate_text(c, "phone", PHONE_MAX, &s, &n, e)))
        return rc;
    if (s) {
        int ok = n >= PHONE_MIN;
        for (size_t i = 0; i < n && ok; i++)
            ok = (s[i] >= '0' && s[i] <= '9') || strchr(" +-()", s[i]);
        if (!ok)
            return fail(e, "invalid_value", "candidate.phone",
                        "candidate.phone must be %d to %d digits, spaces, '+', '-', '(' or ')'", PHONE_MIN, PHONE_MAX);
        put_hint(c, nc, "phone", s, n, 0);
    }

    if ((rc = candidate_text(c, "position_code", POSITION_CODE_MAX, &s, &n, e)))
        return rc;
    if (s)
        put_hint(c, nc, "position_code", s, n, 0);

    if (json_object_size(nc) == 0)
        return fail(e, "required", "candidate",
                    "candidate needs at least one of application_id, external_id, name, email, phone, "
                    "position_code");
    return 0;
}

/* overall, vendor_recommendation, reason_category. */
static int parse_verdict(json_t *in, json_t *norm, struct result *out, struct err *e)
{
    const char *s;
    size_t n;
    int rc = get_score(in, "overall", "overall", &out->overall, e);
    if (rc != 0)
        return rc;
    put(norm, "overall", json_integer(out->overall));

    if ((rc = get_text(in, "vendor_recommendation", "vendor_recommendation", 0, &s, &n, e)))
        return rc;
    if (s && strcmp(s, "pass") != 0 && strcmp(s, "hold") != 0 && strcmp(s, "reject") != 0)
        return fail(e, "invalid_value", "vendor_recommendation", "vendor_recommendation must be pass, hold or reject");
    put(norm, "vendor_recommendation", s ? string_of(json_object_get(in, "vendor_recommendation"), s, n) : json_null());

    if ((rc = get_text(in, "reason_category", "reason_category", 0, &s, &n, e)))
        return rc;
    if (s && !reason_is_valid(s))
        return fail(e, "invalid_value", "reason_category", "reason_category is not a known elimination category");
    put(norm, "reason_category", s ? string_of(json_object_get(in, "reason_category"), s, n) : json_null());
    return 0;
}

static int parse_dimension(json_t *d, size_t i, json_t *ndims, struct err *e)
{
    static const char *const keys[] = {"key", "label_zh", "label_en", "score", "evidence", NULL};
    char pre[40], path[64];
    path_index(pre, sizeof(pre), "dimensions", i);
    if (!json_is_object(d))
        return fail(e, "wrong_type", pre, "%s must be an object", pre);
    int rc = check_known(d, keys, pre, e);
    if (rc != 0)
        return rc;

    const char *key;
    size_t n;
    path_member(path, sizeof(path), pre, "key");
    if ((rc = get_text(d, "key", path, T_REQUIRED, &key, &n, e)))
        return rc;
    if (!result_dim_key_valid(key, n < DIM_KEY_MAX ? n : DIM_KEY_MAX))
        return fail(e, "invalid_value", path, "%s must be a-z followed by a-z, 0-9 or '_'", path);
    if (n > DIM_KEY_MAX)
        return fail(e, "too_long", path, "%s is longer than %d characters", path, DIM_KEY_MAX);
    size_t j;
    json_t *prev;
    json_array_foreach(ndims, j, prev)
    {
        if (strcmp(json_string_value(json_object_get(prev, "key")), key) == 0)
            return fail(e, "duplicate", path, "%s: dimension %s appears twice", path, key);
    }

    json_t *nd = json_object();
    json_array_append_new(ndims, nd);
    put(nd, "key", string_of(json_object_get(d, "key"), key, n));
    static const char *const label_keys[] = {"label_zh", "label_en"};
    for (int k = 0; k < 2; k++) {
        path_member(path, sizeof(path), pre, label_keys[k]);
        if ((rc = put_line(d, label_keys[k], path, 0, LABEL_MAX, nd, e)))
            return rc;
        if (json_is_null(json_object_get(nd, label_keys[k]))) {
            const char *l = result_dim_label(key, k);
            put(nd, label_keys[k], json_string(l ? l : key));
        }
    }
    int score = 0;
    path_member(path, sizeof(path), pre, "score");
    if ((rc = get_score(d, "score", path, &score, e)))
        return rc;
    put(nd, "score", json_integer(score));
    path_member(path, sizeof(path), pre, "evidence");
    return put_multiline(d, "evidence", path, 0, EVIDENCE_MAX, nd, e);
}

static int parse_dimensions(json_t *in, json_t *norm, struct err *e)
{
    json_t *a, *nd = json_array(), *d;
    size_t i;
    put(norm, "dimensions", nd);
    int rc = get_array(in, "dimensions", RESULT_MAX_DIMS, &a, e);
    json_array_foreach(a, i, d)
    {
        if (rc != 0)
            break;
        rc = parse_dimension(d, i, nd, e);
    }
    return rc;
}

/* 1 if arr (strings) holds the n bytes at s. */
static int has_string(json_t *arr, const char *s, size_t n)
{
    size_t i;
    json_t *v;
    json_array_foreach(arr, i, v)
    {
        if (json_string_length(v) == n && memcmp(json_string_value(v), s, n) == 0)
            return 1;
    }
    return 0;
}

static int parse_tags(json_t *in, json_t *norm, struct err *e)
{
    json_t *a, *nt = json_array(), *t;
    size_t i;
    put(norm, "tags", nt);
    /* The array may be longer than TAGS_MAX when it repeats itself: the limit
     * is on distinct tags, checked below. */
    int rc = get_array(in, "tags", SIZE_MAX, &a, e);
    json_array_foreach(a, i, t)
    {
        char path[32];
        const char *s;
        size_t n;
        path_index(path, sizeof(path), "tags", i);
        if (rc != 0 || (rc = text_value(t, path, T_REQUIRED, &s, &n, e)))
            break;
        trim(&s, &n);
        if ((rc = check_chars(s, n, 1, TAG_MAX, path, e)))
            break;
        if (has_string(nt, s, n))
            continue;
        if (json_array_size(nt) >= TAGS_MAX) {
            rc = fail(e, "too_many", "tags", "tags has more than %d distinct tags", TAGS_MAX);
            break;
        }
        json_array_append_new(nt, string_of(t, s, n));
    }
    return rc;
}

static int parse_segment(json_t *sg, size_t i, json_t *nt, struct err *e)
{
    static const char *const keys[] = {"start_ms", "end_ms", "speaker", "text", NULL};
    char pre[40], path[64];
    path_index(pre, sizeof(pre), "transcript", i);
    if (!json_is_object(sg))
        return fail(e, "wrong_type", pre, "%s must be an object", pre);
    int rc = check_known(sg, keys, pre, e);
    if (rc != 0)
        return rc;
    int64_t start = 0, end = 0;
    int present;
    path_member(path, sizeof(path), pre, "start_ms");
    if ((rc = get_int(sg, "start_ms", path, 1, 0, &start, &present, e)))
        return rc;
    path_member(path, sizeof(path), pre, "end_ms");
    if ((rc = get_int(sg, "end_ms", path, 1, 0, &end, &present, e)))
        return rc;
    if (end < start)
        return fail(e, "out_of_range", path, "%s is before start_ms", path);
    const char *s;
    size_t n;
    path_member(path, sizeof(path), pre, "speaker");
    if ((rc = get_text(sg, "speaker", path, T_REQUIRED, &s, &n, e)))
        return rc;
    if (strcmp(s, "candidate") != 0 && strcmp(s, "interviewer") != 0 && strcmp(s, "ai") != 0)
        return fail(e, "invalid_value", path, "%s must be candidate, interviewer or ai", path);
    json_t *ns = json_object();
    put(ns, "start_ms", json_integer(start));
    put(ns, "end_ms", json_integer(end));
    put(ns, "speaker", string_of(json_object_get(sg, "speaker"), s, n));
    json_array_append_new(nt, ns);
    path_member(path, sizeof(path), pre, "text");
    return put_multiline(sg, "text", path, T_REQUIRED, TEXT_MAX, ns, e);
}

static int parse_transcript(json_t *in, json_t *norm, struct err *e)
{
    json_t *a, *nt = json_array(), *sg;
    size_t i;
    put(norm, "transcript", nt);
    int rc = get_array(in, "transcript", SEGMENTS_MAX, &a, e);
    json_array_foreach(a, i, sg)
    {
        if (rc != 0)
            break;
        rc = parse_segment(sg, i, nt, e);
    }
    return rc;
}

static int parse_video(json_t *in, json_t *norm, struct err *e)
{
    const char *s;
    size_t n;
    int rc = get_text(in, "video_url", "video_url", 0, &s, &n, e);
    if (rc != 0)
        return rc;
    if (!s) {
        put(norm, "video_url", json_null());
        return 0;
    }
    if ((rc = check_chars(s, n, 1, URL_MAX, "video_url", e)))
        return rc;
    size_t scheme = strncasecmp(s, "https://", 8) == 0 ? 8 : strncasecmp(s, "http://", 7) == 0 ? 7 : 0;
    if (scheme == 0 || n == scheme || strchr("/?#", s[scheme]) || has_space(s, n))
        return fail(e, "invalid_value", "video_url", "video_url must be an http:// or https:// address");
    /* The scheme is case-insensitive (RFC 3986): store it lower-case. */
    int upper = 0;
    for (size_t i = 0; i < scheme && !upper; i++)
        upper = s[i] >= 'A' && s[i] <= 'Z';
    if (!upper) {
        put(norm, "video_url", string_of(json_object_get(in, "video_url"), s, n));
        return 0;
    }
    char *url = xstrndup(s, n);
    for (size_t i = 0; i < scheme; i++)
        if (url[i] >= 'A' && url[i] <= 'Z')
            url[i] = (char)(url[i] - 'A' + 'a');
    put(norm, "video_url", json_stringn(url, n));
    free(url);
    return 0;
}

static int parse_moment(json_t *m, size_t i, json_t *nm, struct err *e)
{
    static const char *const keys[] = {"at_ms", "label", NULL};
    char pre[40], path[64];
    path_index(pre, sizeof(pre), "key_moments", i);
    if (!json_is_object(m))
        return fail(e, "wrong_type", pre, "%s must be an object", pre);
    int rc = check_known(m, keys, pre, e);
    if (rc != 0)
        return rc;
    int64_t at = 0;
    int present;
    path_member(path, sizeof(path), pre, "at_ms");
    if ((rc = get_int(m, "at_ms", path, 1, 0, &at, &present, e)))
        return rc;
    json_t *o = json_object();
    put(o, "at_ms", json_integer(at));
    json_array_append_new(nm, o);
    path_member(path, sizeof(path), pre, "label");
    return put_line(m, "label", path, T_REQUIRED, MOMENT_LABEL_MAX, o, e);
}

static int parse_moments(json_t *in, json_t *norm, struct err *e)
{
    json_t *a, *nm = json_array(), *m;
    size_t i;
    put(norm, "key_moments", nm);
    int rc = get_array(in, "key_moments", MOMENTS_MAX, &a, e);
    json_array_foreach(a, i, m)
    {
        if (rc != 0)
            break;
        rc = parse_moment(m, i, nm, e);
    }
    return rc;
}

/* Points the strings of out into norm (complete and valid). */
static void fill(struct result *out, json_t *norm)
{
    out->vendor = json_string_value(json_object_get(norm, "vendor"));
    out->vendor_result_id = json_string_value(json_object_get(norm, "vendor_result_id"));
    out->model_version = json_string_value(json_object_get(norm, "model_version"));
    out->vendor_recommendation = json_string_value(json_object_get(norm, "vendor_recommendation"));
    out->reason_category = json_string_value(json_object_get(norm, "reason_category"));
    out->video_url = json_string_value(json_object_get(norm, "video_url"));
    json_t *c = json_object_get(norm, "candidate");
    out->external_id = json_string_value(json_object_get(c, "external_id"));
    out->name = json_string_value(json_object_get(c, "name"));
    out->email = json_string_value(json_object_get(c, "email"));
    out->phone = json_string_value(json_object_get(c, "phone"));
    out->position_code = json_string_value(json_object_get(c, "position_code"));
    json_t *dims = json_object_get(norm, "dimensions"), *d;
    size_t i;
    json_array_foreach(dims, i, d)
    {
        struct result_dim *rd = &out->dims[i];
        rd->key = json_string_value(json_object_get(d, "key"));
        rd->label_zh = json_string_value(json_object_get(d, "label_zh"));
        rd->label_en = json_string_value(json_object_get(d, "label_en"));
        rd->evidence = json_string_value(json_object_get(d, "evidence"));
        rd->score = (int)json_integer_value(json_object_get(d, "score"));
    }
    out->ndims = (int)json_array_size(dims);
    out->ntags = (int)json_array_size(json_object_get(norm, "tags"));
    out->nsegments = (int)json_array_size(json_object_get(norm, "transcript"));
    out->nmoments = (int)json_array_size(json_object_get(norm, "key_moments"));
    out->normalised = norm;
}

int result_parse(json_t *in, struct result *out, struct err *e)
{
    static const char *const keys[] = {"vendor",
                                       "vendor_result_id",
                                       "completed_at",
                                       "model_version",
                                       "candidate",
                                       "overall",
                                       "vendor_recommendation",
                                       "reason_category",
                                       "dimensions",
                                       "tags",
                                       "transcript",
                                       "video_url",
                                       "key_moments",
                                       NULL};
    memset(out, 0, sizeof(*out));
    if (!json_is_object(in))
        return fail(e, "wrong_type", NULL, "a result must be a JSON object");

    json_t *norm = json_object();
    int rc;
    if ((rc = check_known(in, keys, "", e)) || (rc = parse_head(in, norm, out, e)) ||
        (rc = parse_candidate(in, norm, out, e)) || (rc = parse_verdict(in, norm, out, e)) ||
        (rc = parse_dimensions(in, norm, e)) || (rc = parse_tags(in, norm, e)) ||
        (rc = parse_transcript(in, norm, e)) || (rc = parse_video(in, norm, e)) || (rc = parse_moments(in, norm, e)))
        goto done;
    fill(out, norm);
    norm = NULL;
done:
    if (rc != 0)
        memset(out, 0, sizeof(*out));
    json_decref(norm);
    return rc;
}

/* ---- the stored texts ---- */

/* A growable output buffer (allocation failure aborts, as everywhere). */
struct jbuf {
    char *p;
    size_t len, cap;
};

static void jb_reserve(struct jbuf *b, size_t n)
{
    if (b->len + n + 1 <= b->cap)
        return;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->len + n + 1)
        cap *= 2;
    b->p = xrealloc(b->p, cap);
    b->cap = cap;
}

static void jb_put(struct jbuf *b, const char *s, size_t n)
{
    jb_reserve(b, n);
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

/* A string as jansson writes it (lib/jsontext.h). */
static void jb_string(struct jbuf *b, const char *s, size_t n)
{
    jb_reserve(b, JSON_QUOTE_MAX(n));
    b->len += json_quote(b->p + b->len, s, n);
}

struct jkey {
    const char *key;
    json_t *value;
};

static int jkey_cmp(const void *a, const void *b)
{
    return strcmp(((const struct jkey *)a)->key, ((const struct jkey *)b)->key);
}

/* A scalar value; returns 0, or 1 for an array or object (not written). */
static int jb_scalar(struct jbuf *b, json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_STRING:
        jb_string(b, json_string_value(v), json_string_length(v));
        return 0;
    case JSON_INTEGER: { /* as "%" JSON_INTEGER_FORMAT */
        json_int_t x = json_integer_value(v);
        unsigned long long u = x < 0 ? 0ULL - (unsigned long long)x : (unsigned long long)x;
        char t[24], *p = t + sizeof(t);
        do {
            *--p = (char)('0' + u % 10);
            u /= 10;
        } while (u);
        if (x < 0)
            *--p = '-';
        jb_put(b, p, (size_t)(t + sizeof(t) - p));
        return 0;
    }
    case JSON_REAL: { /* jansson's own formatting (precision 17, ".0" added), written by jansson */
        char *t = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
        jb_put(b, t, strlen(t));
        free(t);
        return 0;
    }
    case JSON_TRUE:
        jb_put(b, "true", 4);
        return 0;
    case JSON_FALSE:
        jb_put(b, "false", 5);
        return 0;
    case JSON_NULL:
        jb_put(b, "null", 4);
        return 0;
    default:
        return 1;
    }
}

#define JB_SMALL 16 /* members of an object sorted in place; more take a heap array */

/* One open array or object while writing. */
struct jframe {
    json_t *v;
    size_t i, n;
    int obj;
    struct jkey *heap;           /* objects with more than JB_SMALL members: their members */
    struct jkey small[JB_SMALL]; /* the others' (frames move when the stack grows: no pointer into one) */
};

static struct jkey *frame_keys(struct jframe *f)
{
    return f->heap ? f->heap : f->small;
}

/* Sorts keys by name: insertion sort for the few members of most objects (the keys of an object
 * are distinct, so any sort gives the same order). */
static void sort_keys(struct jkey *k, size_t n)
{
    if (n > JB_SMALL) {
        qsort(k, n, sizeof(*k), jkey_cmp);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        struct jkey x = k[i];
        size_t j = i;
        for (; j > 0 && strcmp(k[j - 1].key, x.key) > 0; j--)
            k[j] = k[j - 1];
        k[j] = x;
    }
}

/* Opens an array or object: writes its bracket and fills f. The members of an
 * object are sorted when sort is set; keys skip1 and skip2 (may be NULL) are left out. */
static void jb_open(struct jbuf *b, struct jframe *f, json_t *v, int sort, const char *skip1, const char *skip2)
{
    f->v = v;
    f->i = f->n = 0;
    f->heap = NULL;
    f->obj = !json_is_array(v);
    if (!f->obj) {
        jb_put(b, "[", 1);
        f->n = json_array_size(v);
        return;
    }
    jb_put(b, "{", 1);
    size_t size = json_object_size(v);
    if (size > JB_SMALL)
        f->heap = xmalloc(size * sizeof(*f->heap));
    struct jkey *keys = frame_keys(f);
    const char *key;
    json_t *val;
    json_object_foreach(v, key, val)
    {
        if ((skip1 && strcmp(key, skip1) == 0) || (skip2 && strcmp(key, skip2) == 0))
            continue;
        keys[f->n].key = key;
        keys[f->n++].value = val;
    }
    if (sort && f->n > 1)
        sort_keys(keys, f->n);
}

/* Where a member of the top-level object was written: its key's opening quote and its value. */
struct jmember {
    const char *key;
    size_t key_at, value_at;
};

#define JB_STACK 8

/* Writes v, compact, keys sorted when sort is set, top-level keys skip1/skip2 left out. Iterative:
 * a payload may nest as deep as the JSON parser allows. With tops (room for every member of v, an
 * object), where each top-level member went. */
static void jb_value_at(struct jbuf *b, json_t *v, int sort, const char *skip1, const char *skip2, struct jmember *tops)
{
    if (jb_scalar(b, v) == 0)
        return;
    struct jframe stack0[JB_STACK], *st = stack0;
    size_t depth = 0, cap = JB_STACK;
    jb_open(b, &st[depth++], v, sort, skip1, skip2);
    while (depth > 0) {
        struct jframe *f = &st[depth - 1];
        if (f->i == f->n) {
            jb_put(b, f->obj ? "}" : "]", 1);
            free(f->heap);
            depth--;
            continue;
        }
        if (f->i > 0)
            jb_put(b, ",", 1);
        json_t *child;
        if (f->obj) {
            struct jkey *k = &frame_keys(f)[f->i];
            if (tops && depth == 1) {
                tops[f->i].key = k->key;
                tops[f->i].key_at = b->len;
            }
            jb_string(b, k->key, strlen(k->key));
            jb_put(b, ":", 1);
            if (tops && depth == 1)
                tops[f->i].value_at = b->len;
            child = k->value;
        } else {
            child = json_array_get(f->v, f->i);
        }
        f->i++;
        if (jb_scalar(b, child) == 0)
            continue;
        if (depth == cap) {
            cap *= 2;
            if (st == stack0) {
                st = xmalloc(cap * sizeof(*st));
                memcpy(st, stack0, sizeof(stack0));
            } else {
                st = xrealloc(st, cap * sizeof(*st));
            }
        }
        jb_open(b, &st[depth++], child, sort, NULL, NULL);
    }
    if (st != stack0)
        free(st);
}

static void jb_value(struct jbuf *b, json_t *v, int sort, const char *skip1, const char *skip2)
{
    jb_value_at(b, v, sort, skip1, skip2, NULL);
}

static char *jb_done(struct jbuf *b, size_t *len)
{
    jb_reserve(b, 0);
    b->p[b->len] = '\0';
    if (len)
        *len = b->len;
    return b->p;
}

char *result_json_compact(json_t *v, int sort, size_t *len)
{
    struct jbuf b = {0};
    jb_value(&b, v, sort, NULL, NULL);
    return jb_done(&b, len);
}

void result_texts(const struct result *r, struct result_texts *t)
{
    struct jbuf b = {0};
    memset(t, 0, sizeof(*t));
    json_t *norm = r->normalised;
    size_t n = json_object_size(norm);
    struct jmember *tops = xcalloc(n ? n : 1, sizeof(*tops));
    jb_value_at(&b, norm, 1, NULL, NULL, tops);
    t->canonical = jb_done(&b, &t->canonical_len);
    /* The public form and the hints are parts of the canonical form: the same members written the
     * same way. A member ends where the next one's comma is, the last one before the closing brace. */
    struct jbuf pub = {0};
    jb_put(&pub, "{", 1);
    int first = 1;
    for (size_t i = 0; i < n; i++) {
        size_t end = i + 1 < n ? tops[i + 1].key_at - 1 : t->canonical_len - 1;
        if (strcmp(tops[i].key, "candidate") == 0) {
            t->hints_len = end - tops[i].value_at;
            t->hints = xstrndup(t->canonical + tops[i].value_at, t->hints_len);
            continue;
        }
        if (strcmp(tops[i].key, "transcript") == 0)
            continue;
        if (!first)
            jb_put(&pub, ",", 1);
        jb_put(&pub, t->canonical + tops[i].key_at, end - tops[i].key_at);
        first = 0;
    }
    jb_put(&pub, "}", 1);
    t->public_json = jb_done(&pub, NULL);
    free(tops);
    if (!t->hints)
        t->hints = result_json_compact(json_object_get(norm, "candidate"), 1, &t->hints_len);
    json_t *tr = json_object_get(norm, "transcript");
    if (json_array_size(tr))
        t->transcript = result_json_compact(tr, 0, &t->transcript_len);
}

void result_texts_free(struct result_texts *t)
{
    if (!t)
        return;
    free(t->canonical);
    free(t->public_json);
    free(t->hints);
    free(t->transcript);
    memset(t, 0, sizeof(*t));
}

/* ---- reading a payload ---- */

#define LOAD_MAX_DEPTH 256 /* deeper payloads are left to jansson (whose limit is 2048) */

struct loader {
    const unsigned char *p, *end;
    char *buf; /* unescaped strings */
    size_t cap;
    int depth;
};

static void skip_ws(struct loader *l)
{
    while (l->p < l->end && (*l->p == ' ' || *l->p == '\t' || *l->p == '\n' || *l->p == '\r'))
        l->p++;
}

static int hex4(const unsigned char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v += c - '0';
        else if (c >= 'a' && c <= 'f')
            v += c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v += c - 'A' + 10;
        else
            return -1;
    }
    *out = v;
    return 0;
}

/* Reads the string whose opening quote l->p is past: *s and *n its bytes (in the input when it has
 * no escapes, else in l->buf). Returns 0, or -1 for anything jansson would refuse or that is left
 * to it: control characters, malformed UTF-8 (as jansson decodes it: no overlong forms, surrogates
 * or code points above U+10FFFF), bad escapes, \u0000, lone surrogates. */
static int load_string(struct loader *l, const char **s, size_t *n)
{
    const unsigned char *start = l->p, *p = l->p, *end = l->end;
    int escaped = 0;
    for (;;) {
        if (p >= end)
            return -1;
        unsigned char c = *p;
        if (c == '"')
            break;
        if (c < 0x20)
            return -1;
        if (c == '\\') {
            escaped = 1;
            if (end - p < 2)
                return -1;
            p += p[1] == 'u' ? 6 : 2; /* checked when unescaping */
            continue;
        }
        if (c < 0x80) {
            p++;
            continue;
        }
        if (c >= 0xE0 && c <= 0xEF) {
            unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
            if (end - p < 3 || p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80)
                return -1;
            p += 3;
        } else if (c >= 0xC2 && c <= 0xDF) {
            if (end - p < 2 || (p[1] & 0xC0) != 0x80)
                return -1;
            p += 2;
        } else if (c >= 0xF0 && c <= 0xF4) {
            unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
            if (end - p < 4 || p[1] < lo || p[1] > hi || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
                return -1;
            p += 4;
        } else {
            return -1;
        }
    }
    l->p = p + 1;
    if (!escaped) {
        *s = (const char *)start;
        *n = (size_t)(p - start);
        return 0;
    }
    size_t len = (size_t)(p - start); /* the unescaped text is never longer */
    if (len + 1 > l->cap) {
        l->cap = len + 64;
        l->buf = xrealloc(l->buf, l->cap);
    }
    char *o = l->buf;
    for (const unsigned char *q = start; q < p;) {
        if (*q != '\\') {
            *o++ = (char)*q++;
            continue;
        }
        q++;
        switch (*q) {
        case '"':
        case '\\':
        case '/':
            *o++ = (char)*q++;
            break;
        case 'b':
            *o++ = '\b';
            q++;
            break;
        case 'f':
            *o++ = '\f';
            q++;
            break;
        case 'n':
            *o++ = '\n';
            q++;
            break;
        case 'r':
            *o++ = '\r';
            q++;
            break;
        case 't':
            *o++ = '\t';
            q++;
            break;
        case 'u': {
            unsigned v, v2;
            if (p - q < 5 || hex4(q + 1, &v) != 0)
                return -1;
            q += 5;
            if (v == 0 || (v >= 0xDC00 && v <= 0xDFFF))
                return -1;
            if (v >= 0xD800 && v <= 0xDBFF) {
                if (p - q < 6 || q[0] != '\\' || q[1] != 'u' || hex4(q + 2, &v2) != 0 || v2 < 0xDC00 || v2 > 0xDFFF)
                    return -1;
                q += 6;
                v = ((v - 0xD800) << 10) + (v2 - 0xDC00) + 0x10000;
            }
            if (v < 0x80) {
                *o++ = (char)v;
            } else if (v < 0x800) {
                *o++ = (char)(0xC0 | (v >> 6));
                *o++ = (char)(0x80 | (v & 0x3F));
            } else if (v < 0x10000) {
                *o++ = (char)(0xE0 | (v >> 12));
                *o++ = (char)(0x80 | ((v >> 6) & 0x3F));
                *o++ = (char)(0x80 | (v & 0x3F));
            } else {
                *o++ = (char)(0xF0 | (v >> 18));
                *o++ = (char)(0x80 | ((v >> 12) & 0x3F));
                *o++ = (char)(0x80 | ((v >> 6) & 0x3F));
                *o++ = (char)(0x80 | (v & 0x3F));
            }
            break;
        }
        default:
            return -1;
        }
    }
    *s = l->buf;
    *n = (size_t)(o - l->buf);
    return 0;
}

/* A number as jansson reads it: an integer (no fraction, no exponent; within json_int_t) or a real
 * (strtod, not out of range). NULL for anything else, or what is left to jansson (long integers). */
static json_t *load_number(struct loader *l)
{
    const unsigned char *start = l->p, *p = l->p, *end = l->end;
    int neg = 0, real = 0;
    if (p < end && *p == '-') {
        neg = 1;
        p++;
    }
    if (p >= end || *p < '0' || *p > '9')
        return NULL;
    const unsigned char *digits = p;
    if (*p == '0') {
        p++;
        if (p < end && *p >= '0' && *p <= '9')
            return NULL;
    } else {
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    size_t ndigits = (size_t)(p - digits);
    if (p < end && *p == '.') {
        real = 1;
        p++;
        if (p >= end || *p < '0' || *p > '9')
            return NULL;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        real = 1;
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || *p < '0' || *p > '9')
            return NULL;
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    l->p = p;
    if (!real) {
        if (ndigits > 18)
            return NULL;
        json_int_t v = 0;
        for (const unsigned char *q = digits; q < p; q++)
            v = v * 10 + (*q - '0');
        return json_integer(neg ? -v : v);
    }
    char tok[64];
    size_t len = (size_t)(p - start);
    if (len >= sizeof(tok))
        return NULL;
    memcpy(tok, start, len);
    tok[len] = '\0';
    char *stop = NULL;
    errno = 0;
    double d = strtod(tok, &stop);
    if (errno == ERANGE || stop != tok + len)
        return NULL;
    return json_real(d);
}

/* 1 when the byte after a literal or number may follow a value. */
static int value_end(const struct loader *l)
{
    if (l->p >= l->end)
        return 1;
    unsigned char c = *l->p;
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ']' || c == '}';
}

/* The reader descends through load_value: the nesting it follows is bounded (LOAD_MAX_DEPTH), so the
 * recursion is too. */
static json_t *load_value(struct loader *l);

static json_t *load_object(struct loader *l) /* NOLINT(misc-no-recursion): bounded, see above */
{
    json_t *o = json_object();
    skip_ws(l);
    if (l->p < l->end && *l->p == '}') {
        l->p++;
        return o;
    }
    for (;;) {
        const char *k;
        size_t kn;
        if (l->p >= l->end || *l->p != '"')
            goto fail;
        l->p++;
        if (load_string(l, &k, &kn) != 0)
            goto fail;
        /* k may be in l->buf, which the value can overwrite: keep a copy when it is */
        char small[64], *kc = NULL;
        if (k == l->buf) {
            kc = kn < sizeof(small) ? small : xmalloc(kn + 1);
            memcpy(kc, k, kn);
            k = kc;
        }
        json_t *v = NULL;
        int bad = json_object_getn(o, k, kn) != NULL; /* a duplicate key: jansson says so */
        if (!bad) {
            skip_ws(l);
            bad = l->p >= l->end || *l->p != ':';
        }
        if (!bad) {
            l->p++;
            skip_ws(l);
            v = load_value(l);
            bad = !v || json_object_setn_new_nocheck(o, k, kn, v) != 0;
        }
        if (kc && kc != small)
            free(kc);
        if (bad)
            goto fail;
        skip_ws(l);
        if (l->p < l->end && *l->p == ',') {
            l->p++;
            skip_ws(l);
            continue;
        }
        if (l->p < l->end && *l->p == '}') {
            l->p++;
            return o;
        }
        goto fail;
    }
fail:
    json_decref(o);
    return NULL;
}

static json_t *load_array(struct loader *l) /* NOLINT(misc-no-recursion): bounded, see load_value */
{
    json_t *a = json_array();
    skip_ws(l);
    if (l->p < l->end && *l->p == ']') {
        l->p++;
        return a;
    }
    for (;;) {
        json_t *v = load_value(l);
        if (!v || json_array_append_new(a, v) != 0)
            goto fail;
        skip_ws(l);
        if (l->p < l->end && *l->p == ',') {
            l->p++;
            skip_ws(l);
            continue;
        }
        if (l->p < l->end && *l->p == ']') {
            l->p++;
            return a;
        }
        goto fail;
    }
fail:
    json_decref(a);
    return NULL;
}

/* The value at l->p (white space skipped before it). */
static json_t *load_value(struct loader *l) /* NOLINT(misc-no-recursion): LOAD_MAX_DEPTH */
{
    if (l->p >= l->end)
        return NULL;
    json_t *v = NULL;
    unsigned char c = *l->p;
    if (c == '{' || c == '[') {
        if (++l->depth > LOAD_MAX_DEPTH)
            return NULL;
        l->p++;
        v = c == '{' ? load_object(l) : load_array(l);
        l->depth--;
        return v;
    }
    if (c == '"') {
        const char *s;
        size_t n;
        l->p++;
        return load_string(l, &s, &n) == 0 ? json_stringn_nocheck(s, n) : NULL;
    }
    if (c == '-' || (c >= '0' && c <= '9')) {
        v = load_number(l);
    } else {
        static const char *const words[] = {"true", "false", "null"};
        for (int i = 0; i < 3 && !v; i++) {
            size_t wn = strlen(words[i]);
            if ((size_t)(l->end - l->p) >= wn && memcmp(l->p, words[i], wn) == 0) {
                l->p += wn;
                v = i == 0 ? json_true() : i == 1 ? json_false() : json_null();
            }
        }
    }
    if (v && !value_end(l)) {
        json_decref(v);
        v = NULL;
    }
    return v;
}

json_t *result_json_load(const char *s, size_t n)
{
    struct loader l = {(const unsigned char *)s, (const unsigned char *)s + n, NULL, 0, 0};
    skip_ws(&l);
    json_t *v = NULL;
    if (l.p < l.end && (*l.p == '{' || *l.p == '['))
        v = load_value(&l);
    if (v) {
        skip_ws(&l);
        if (l.p != l.end) {
            json_decref(v);
            v = NULL;
        }
    }
    free(l.buf);
    return v;
}

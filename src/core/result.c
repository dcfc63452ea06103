/* result.c - see result.h. */
#include "core/result.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/pipeline.h"
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

/* Reads v as text into *out and *len (NULL and 0 when v is NULL, null or "";
 * refused then with T_REQUIRED). Checks the type, NULs, UTF-8 and control
 * characters; lengths are the caller's. path names the value in errors. */
static int text_value(json_t *v, const char *path, int flags, const char **out, size_t *len, struct err *e)
{
    *out = NULL;
    *len = 0;
    if (v && !json_is_null(v) && !json_is_string(v))
        return fail(e, "wrong_type", path, "%s must be a string", path);
    if (!v || json_is_null(v) || json_string_length(v) == 0) {
        if (flags & T_REQUIRED)
            return fail(e, "required", path, "%s is required", path);
        return 0;
    }
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
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
    *out = s;
    *len = n;
    return 0;
}

/* text_value of obj[key]. */
static int get_text(json_t *obj, const char *key, const char *path, int flags, const char **out, size_t *len,
                    struct err *e)
{
    return text_value(json_object_get(obj, key), path, flags, out, len, e);
}

/* Checks that the n bytes at s hold min..max characters. */
static int check_chars(const char *s, size_t n, size_t min, size_t max, const char *path, struct err *e)
{
    size_t cp = utf8_count(s, n);
    if (cp < min)
        return cp == 0 ? fail(e, "required", path, "%s must not be empty", path)
                       : fail(e, "invalid_value", path, "%s must have at least %zu characters", path, min);
    if (cp > max)
        return fail(e, "too_long", path, "%s is longer than %zu characters", path, max);
    return 0;
}

/* Reads a single-line text of up to max characters into norm[key] (null when
 * absent). */
static int put_line(json_t *obj, const char *key, const char *path, int flags, size_t max, json_t *norm, struct err *e)
{
    const char *s;
    size_t n;
    int rc = get_text(obj, key, path, flags, &s, &n, e);
    if (rc == 0 && s)
        rc = check_chars(s, n, 1, max, path, e);
    if (rc == 0)
        json_object_set_new(norm, key, s ? json_stringn(s, n) : json_null());
    return rc;
}

/* Reads a multi-line text of up to max characters into norm[key] (null when
 * absent), CRLF turned into LF before counting. */
static int put_multiline(json_t *obj, const char *key, const char *path, int flags, size_t max, json_t *norm,
                         struct err *e)
{
    const char *s;
    size_t n;
    int rc = get_text(obj, key, path, flags | T_MULTILINE, &s, &n, e);
    if (rc != 0)
        return rc;
    if (!s) {
        json_object_set_new(norm, key, json_null());
        return 0;
    }
    char *buf = xmalloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] != '\r')
            buf[o++] = s[i];
    buf[o] = '\0';
    rc = check_chars(buf, o, 1, max, path, e);
    if (rc == 0)
        json_object_set_new(norm, key, json_stringn(buf, o));
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
    json_object_set_new(norm, "vendor", json_stringn(s, n));

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
    json_object_set_new(norm, "completed_at", json_string(ts));

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

/* Stores the n bytes at s as nc[key], ASCII upper case lowered when lower. */
static void put_hint(json_t *nc, const char *key, const char *s, size_t n, int lower)
{
    char *v = xstrndup(s, n);
    for (size_t i = 0; i < n && lower; i++)
        if (v[i] >= 'A' && v[i] <= 'Z')
            v[i] = (char)(v[i] - 'A' + 'a');
    json_object_set_new(nc, key, json_stringn(v, n));
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
    json_object_set_new(norm, "candidate", nc);
    int present;
    if ((rc = get_int(c, "application_id", "candidate.application_id", 0, 1, &out->application_id, &present, e)))
        return rc;
    if (present)
        json_object_set_new(nc, "application_id", json_integer(out->application_id));

    const char *s;
    size_t n;
    if ((rc = candidate_text(c, "external_id", EXTERNAL_ID_MAX, &s, &n, e)))
        return rc;
    if (s)
        put_hint(nc, "external_id", s, n, 0);
    if ((rc = candidate_text(c, "name", PERSON_NAME_MAX, &s, &n, e)))
        return rc;
    if (s)
        put_hint(nc, "name", s, n, 0);

    if ((rc = candidate_text(c, "email", EMAIL_MAX, &s, &n, e)))
        return rc;
    if (s) {
        const char *at = memchr(s, '@', n);
        if (!at || at == s || at == s + n - 1 || memchr(at + 1, '@', (size_t)(s + n - at - 1)) || has_space(s, n))
            return fail(e, "invalid_value", "candidate.email", "candidate.email is not an email address");
        put_hint(nc, "email", s, n, 1);
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
        put_hint(nc, "phone", s, n, 0);
    }

    if ((rc = candidate_text(c, "position_code", POSITION_CODE_MAX, &s, &n, e)))
        return rc;
    if (s)
        put_hint(nc, "position_code", s, n, 0);

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
    json_object_set_new(norm, "overall", json_integer(out->overall));

    if ((rc = get_text(in, "vendor_recommendation", "vendor_recommendation", 0, &s, &n, e)))
        return rc;
    if (s && strcmp(s, "pass") != 0 && strcmp(s, "hold") != 0 && strcmp(s, "reject") != 0)
        return fail(e, "invalid_value", "vendor_recommendation", "vendor_recommendation must be pass, hold or reject");
    json_object_set_new(norm, "vendor_recommendation", s ? json_string(s) : json_null());

    if ((rc = get_text(in, "reason_category", "reason_category", 0, &s, &n, e)))
        return rc;
    if (s && !reason_is_valid(s))
        return fail(e, "invalid_value", "reason_category", "reason_category is not a known elimination category");
    json_object_set_new(norm, "reason_category", s ? json_string(s) : json_null());
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
    json_object_set_new(nd, "key", json_string(key));
    static const char *const label_keys[] = {"label_zh", "label_en"};
    for (int k = 0; k < 2; k++) {
        path_member(path, sizeof(path), pre, label_keys[k]);
        if ((rc = put_line(d, label_keys[k], path, 0, LABEL_MAX, nd, e)))
            return rc;
        if (json_is_null(json_object_get(nd, label_keys[k]))) {
            const char *l = result_dim_label(key, k);
            json_object_set_new(nd, label_keys[k], json_string(l ? l : key));
        }
    }
    int score = 0;
    path_member(path, sizeof(path), pre, "score");
    if ((rc = get_score(d, "score", path, &score, e)))
        return rc;
    json_object_set_new(nd, "score", json_integer(score));
    path_member(path, sizeof(path), pre, "evidence");
    return put_multiline(d, "evidence", path, 0, EVIDENCE_MAX, nd, e);
}

static int parse_dimensions(json_t *in, json_t *norm, struct err *e)
{
    json_t *a, *nd = json_array(), *d;
    size_t i;
    json_object_set_new(norm, "dimensions", nd);
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
    json_object_set_new(norm, "tags", nt);
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
        json_array_append_new(nt, json_stringn(s, n));
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
    json_t *ns = json_pack("{sIsIss}", "start_ms", (json_int_t)start, "end_ms", (json_int_t)end, "speaker", s);
    json_array_append_new(nt, ns);
    path_member(path, sizeof(path), pre, "text");
    return put_multiline(sg, "text", path, T_REQUIRED, TEXT_MAX, ns, e);
}

static int parse_transcript(json_t *in, json_t *norm, struct err *e)
{
    json_t *a, *nt = json_array(), *sg;
    size_t i;
    json_object_set_new(norm, "transcript", nt);
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
        json_object_set_new(norm, "video_url", json_null());
        return 0;
    }
    if ((rc = check_chars(s, n, 1, URL_MAX, "video_url", e)))
        return rc;
    size_t scheme = strncasecmp(s, "https://", 8) == 0 ? 8 : strncasecmp(s, "http://", 7) == 0 ? 7 : 0;
    if (scheme == 0 || n == scheme || strchr("/?#", s[scheme]) || has_space(s, n))
        return fail(e, "invalid_value", "video_url", "video_url must be an http:// or https:// address");
    /* The scheme is case-insensitive (RFC 3986): store it lower-case. */
    char *url = xstrndup(s, n);
    for (size_t i = 0; i < scheme; i++)
        if (url[i] >= 'A' && url[i] <= 'Z')
            url[i] = (char)(url[i] - 'A' + 'a');
    json_object_set_new(norm, "video_url", json_stringn(url, n));
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
    json_t *o = json_pack("{sI}", "at_ms", (json_int_t)at);
    json_array_append_new(nm, o);
    path_member(path, sizeof(path), pre, "label");
    return put_line(m, "label", path, T_REQUIRED, MOMENT_LABEL_MAX, o, e);
}

static int parse_moments(json_t *in, json_t *norm, struct err *e)
{
    json_t *a, *nm = json_array(), *m;
    size_t i;
    json_object_set_new(norm, "key_moments", nm);
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

/* A string as jansson writes it: '"' and '\\' escaped, the C0 controls as
 * \b \f \n \r \t or \u00XX (upper-case hex), everything else (including
 * '/', DEL and non-ASCII) as is. */
static void jb_string(struct jbuf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    jb_put(b, "\"", 1);
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 && ch != '"' && ch != '\\')
            continue;
        jb_put(b, s + from, i - from);
        from = i + 1;
        char esc[6] = {'\\', (char)ch, 'u', '0', '0', 0};
        size_t en = 2;
        switch (ch) {
        case '"':
        case '\\':
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default:
            esc[1] = 'u';
            esc[2] = '0';
            esc[4] = hex[ch >> 4];
            esc[5] = hex[ch & 15];
            en = 6;
            break;
        }
        jb_put(b, esc, en);
    }
    jb_put(b, s + from, n - from);
    jb_put(b, "\"", 1);
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

/* One open array or object while writing. */
struct jframe {
    json_t *v;
    size_t i, n;
    struct jkey *keys; /* objects: members in the order written */
};

/* Opens an array or object: writes its bracket and fills f. The members of an
 * object are sorted when sort is set; keys skip1 and skip2 (may be NULL) are left out. */
static void jb_open(struct jbuf *b, struct jframe *f, json_t *v, int sort, const char *skip1, const char *skip2)
{
    memset(f, 0, sizeof(*f));
    f->v = v;
    if (json_is_array(v)) {
        jb_put(b, "[", 1);
        f->n = json_array_size(v);
        return;
    }
    jb_put(b, "{", 1);
    f->keys = xmalloc((json_object_size(v) + 1) * sizeof(*f->keys));
    const char *key;
    json_t *val;
    json_object_foreach(v, key, val)
    {
        if ((skip1 && strcmp(key, skip1) == 0) || (skip2 && strcmp(key, skip2) == 0))
            continue;
        f->keys[f->n].key = key;
        f->keys[f->n++].value = val;
    }
    if (sort && f->n > 1)
        qsort(f->keys, f->n, sizeof(*f->keys), jkey_cmp);
}

/* Writes v, compact, keys sorted when sort is set, top-level keys skip1/skip2 left out. Iterative:
 * a payload may nest as deep as the JSON parser allows. */
static void jb_value(struct jbuf *b, json_t *v, int sort, const char *skip1, const char *skip2)
{
    if (jb_scalar(b, v) == 0)
        return;
    size_t depth = 0, cap = 8;
    struct jframe *st = xmalloc(cap * sizeof(*st));
    jb_open(b, &st[depth++], v, sort, skip1, skip2);
    while (depth > 0) {
        struct jframe *f = &st[depth - 1];
        if (f->i == f->n) {
            jb_put(b, f->keys ? "}" : "]", 1);
            free(f->keys);
            depth--;
            continue;
        }
        if (f->i > 0)
            jb_put(b, ",", 1);
        json_t *child;
        if (f->keys) {
            jb_string(b, f->keys[f->i].key, strlen(f->keys[f->i].key));
            jb_put(b, ":", 1);
            child = f->keys[f->i].value;
        } else {
            child = json_array_get(f->v, f->i);
        }
        f->i++;
        if (jb_scalar(b, child) == 0)
            continue;
        if (depth == cap) {
            cap *= 2;
            st = xrealloc(st, cap * sizeof(*st));
        }
        jb_open(b, &st[depth++], child, sort, NULL, NULL);
    }
    free(st);
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
    t->canonical = result_json_compact(r->normalised, 1, &t->canonical_len);
    jb_value(&b, r->normalised, 1, "candidate", "transcript");
    t->public_json = jb_done(&b, NULL);
    t->hints = result_json_compact(json_object_get(r->normalised, "candidate"), 1, &t->hints_len);
    json_t *tr = json_object_get(r->normalised, "transcript");
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

/* validate.c - JSON input validators and pagination helpers. */
#include "svc/validate.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/crypto.h"
#include "lib/mem.h"
#include "lib/utf8.h"

int jv_known(json_t *in, const char *const *allowed, struct err *e)
{
    const char *k;
    json_t *v;
    json_object_foreach(in, k, v)
    {
        int ok = 0;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, k) == 0) {
                ok = 1;
                break;
            }
        if (!ok)
            return err_set(e, ERR_INVALID, "unknown_field", k, "unknown field: %.100s", k);
    }
    return 0;
}

int jq_known(json_t *q, const char *const *allowed, struct err *e)
{
    const char *k;
    json_t *v;
    json_object_foreach(q, k, v)
    {
        int ok = 0;
        for (const char *const *a = allowed; *a; a++) {
            size_t n = strlen(*a);
            if (n && (*a)[n - 1] == '*' ? strncmp(*a, k, n - 1) == 0 : strcmp(*a, k) == 0) {
                ok = 1;
                break;
            }
        }
        if (!ok)
            return err_set(e, ERR_MALFORMED, "unknown_parameter", k, "unknown query parameter: %.100s", k);
    }
    return 0;
}

int check_text(const char *field, const char *v, size_t maxlen, int multiline, struct err *e)
{
    size_t n = strlen(v);
    if (!utf8_valid(v, n))
        return err_set(e, ERR_INVALID, NULL, field, "%s is not valid UTF-8", field);
    size_t cp = utf8_count(v, n);
    if (cp == 0)
        return err_set(e, ERR_INVALID, NULL, field, "%s must not be empty", field);
    if (cp > maxlen)
        return err_set(e, ERR_INVALID, "too_long", field, "%s is longer than %zu characters", field, maxlen);
    if (utf8_has_control(v, n) || (!multiline && (strchr(v, '\n') || strchr(v, '\r'))))
        return err_set(e, ERR_INVALID, NULL, field, "%s contains control characters", field);
    return 0;
}

static int get_string(json_t *in, const char *key, int required, size_t maxlen, int multiline, const char **out,
                      int *present, struct err *e)
{
    json_t *v = json_object_get(in, key);
    *out = NULL;
    if (present)
        *present = v != NULL;
    if (!v || json_is_null(v)) {
        if (required)
            return err_set(e, ERR_INVALID, "required", key, "%s is required", key);
        return 0;
    }
    if (!json_is_string(v))
        return err_set(e, ERR_INVALID, "wrong_type", key, "%s must be a string", key);
    const char *s = json_string_value(v);
    if (strlen(s) != json_string_length(v))
        return err_set(e, ERR_INVALID, NULL, key, "%s contains a NUL character", key);
    int rc = check_text(key, s, maxlen, multiline, e);
    if (rc != 0)
        return rc;
    *out = s;
    return 0;
}

int jv_string(json_t *in, const char *key, int required, size_t maxlen, const char **out, int *present, struct err *e)
{
    return get_string(in, key, required, maxlen, 0, out, present, e);
}

int jv_text(json_t *in, const char *key, int required, size_t maxlen, const char **out, int *present, struct err *e)
{
    return get_string(in, key, required, maxlen, 1, out, present, e);
}

int jv_code(json_t *in, const char *key, int required, const char **out, struct err *e)
{
    int rc = jv_string(in, key, required, 64, out, NULL, e);
    if (rc != 0 || !*out)
        return rc;
    for (const char *p = *out; *p; p++) {
        int ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                 (p != *out && (*p == '_' || *p == '-' || *p == '.'));
        if (!ok)
            return err_set(e, ERR_INVALID, NULL, key, "%s may contain only letters, digits, '_', '-' and '.'", key);
    }
    return 0;
}

int jv_int(json_t *in, const char *key, int required, int64_t min, int64_t max, int64_t *out, int *present,
           struct err *e)
{
    json_t *v = json_object_get(in, key);
    if (present)
        *present = 0;
    if (!v || json_is_null(v)) {
        if (required)
            return err_set(e, ERR_INVALID, "required", key, "%s is required", key);
        return 0;
    }
    if (!json_is_integer(v))
        return err_set(e, ERR_INVALID, "wrong_type", key, "%s must be an integer", key);
    json_int_t x = json_integer_value(v);
    if (x < min || x > max)
        return err_set(e, ERR_INVALID, "out_of_range", key, "%s must be between %lld and %lld", key, (long long)min,
                       (long long)max);
    *out = x;
    if (present)
        *present = 1;
    return 0;
}

int jv_bool(json_t *in, const char *key, int *out, int *present, struct err *e)
{
    json_t *v = json_object_get(in, key);
    if (present)
        *present = 0;
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_boolean(v))
        return err_set(e, ERR_INVALID, "wrong_type", key, "%s must be true or false", key);
    *out = json_is_true(v);
    if (present)
        *present = 1;
    return 0;
}

int page_params(const char *limit_s, const char *cursor_s, int *limit, int64_t *after_id, struct err *e)
{
    *limit = 50;
    *after_id = 0;
    if (limit_s) {
        char *end;
        errno = 0;
        long v = strtol(limit_s, &end, 10);
        if (errno || *end || end == limit_s || limit_s[0] < '0' || limit_s[0] > '9' || v < 1 || v > 200)
            return err_set(e, ERR_MALFORMED, NULL, "limit", "limit must be an integer from 1 to 200");
        *limit = (int)v;
    }
    if (cursor_s) {
        unsigned char *raw = NULL;
        size_t n = 0;
        long long id = 0;
        char buf[32];
        int ok = base64url_decode(cursor_s, &raw, &n) == 0 && n > 2 && n < sizeof(buf);
        if (ok) {
            memcpy(buf, raw, n);
            buf[n] = '\0';
            char *end;
            errno = 0;
            ok = strncmp(buf, "a:", 2) == 0 && buf[2] >= '0' && buf[2] <= '9' &&
                 (id = strtoll(buf + 2, &end, 10)) > 0 && *end == '\0' && errno == 0;
        }
        free(raw);
        if (!ok)
            return err_set(e, ERR_MALFORMED, NULL, "cursor", "invalid cursor");
        *after_id = id;
    }
    return 0;
}

char *page_cursor(int64_t id)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "a:%lld", (long long)id);
    return base64url_encode(buf, strlen(buf));
}

json_t *page_result(json_t *items, int has_more, int64_t last_id)
{
    json_t *o = json_object();
    json_object_set_new(o, "items", items);
    if (has_more && last_id > 0) {
        char *c = page_cursor(last_id);
        json_object_set_new(o, "next_cursor", json_string(c));
        free(c);
    } else {
        json_object_set_new(o, "next_cursor", json_null());
    }
    return o;
}

char *page_key_cursor(const char *sort, const struct page_key *k)
{
    char buf[128];
    int n = k->is_real ? snprintf(buf, sizeof(buf), "s:%.40s:%.17g:%lld", sort, k->d, (long long)k->id)
                       : snprintf(buf, sizeof(buf), "s:%.40s:%lld:%lld", sort, (long long)k->i, (long long)k->id);
    return base64url_encode(buf, (size_t)n);
}

/* Parses the whole of s as a decimal integer (optional '-'). */
static int parse_int64(const char *s, int64_t *v)
{
    const char *p = s + (*s == '-');
    if (*p < '0' || *p > '9')
        return -1;
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (errno || *end)
        return -1;
    *v = x;
    return 0;
}

/* Parses the whole of s as a finite number written with digits, sign, '.' and an exponent only. */
static int parse_real(const char *s, double *v)
{
    if (!*s || strspn(s, "0123456789+-.eE") != strlen(s))
        return -1;
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (errno || *end || !isfinite(x))
        return -1;
    *v = x;
    return 0;
}

int page_key_parse(const char *cursor, const char *sort, int is_real, struct page_key *k, struct err *e)
{
    unsigned char *raw = NULL;
    size_t n = 0, sn = strlen(sort);
    char buf[128];
    int ok = base64url_decode(cursor, &raw, &n) == 0 && n > 2 && n < sizeof(buf) && !memchr(raw, '\0', n);
    if (ok) {
        memcpy(buf, raw, n);
        buf[n] = '\0';
        char *sep = strrchr(buf, ':');
        ok = strncmp(buf, "s:", 2) == 0 && strncmp(buf + 2, sort, sn) == 0 && buf[2 + sn] == ':' && sep > buf + 2 + sn;
        if (ok) {
            *sep = '\0';
            const char *val = buf + 3 + sn;
            k->is_real = is_real;
            k->i = 0;
            k->d = 0;
            ok = (is_real ? parse_real(val, &k->d) : parse_int64(val, &k->i)) == 0 &&
                 parse_int64(sep + 1, &k->id) == 0 && k->id > 0 && sep[1] != '-';
        }
    }
    free(raw);
    if (!ok)
        return err_set(e, ERR_MALFORMED, NULL, "cursor", "invalid cursor");
    return 0;
}

json_t *page_result_cursor(json_t *items, const char *next_cursor)
{
    return json_pack("{s:o,s:o}", "items", items, "next_cursor", next_cursor ? json_string(next_cursor) : json_null());
}

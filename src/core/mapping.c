/* mapping.c - see mapping.h; the file format is in docs/vendors.md. */
#include "core/mapping.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/pipeline.h"
#include "core/result.h"
#include "lib/crypto.h"
#include "lib/mem.h"
#include "lib/strbuf.h"
#include "lib/timeutil.h"
#include "lib/utf8.h"

#define PATH_MAX_SEGS 32
#define PATH_MAX_LEN 256
#define MAX_SLOTS 64                         /* CSV columns named by one mapping (dimension columns apart) */
#define MAX_DIMS 32                          /* docs/results.md: 0-32 dimensions */
#define LOC_SZ 320                           /* a payload location for messages: "$.analysis[2].score" */
#define MAX_TIME_MS INT64_C(253402300799999) /* 9999-12-31T23:59:59.999Z */
#define MAX_OFFSET_MS 1e13                   /* transcript / key moment offsets: ~317 years */

/* ---- data ---- */

struct seg {
    const char *key; /* object member; NULL for an array index */
    size_t idx;
};

struct path {
    int n;
    const struct seg *segs;
    const char *text; /* canonical, for messages: "$.a[0].b", relative ".b" or "" (the element); NULL = none */
};

enum src_kind { SRC_NONE = 0, SRC_PATH, SRC_COLUMN, SRC_CONST };

struct src {
    int kind;
    struct path path;   /* SRC_PATH */
    const char *column; /* SRC_COLUMN */
    int slot;           /* SRC_COLUMN: index into mapping_cols.idx */
    json_t *constant;   /* SRC_CONST: borrowed from mapping.consts */
    int required;
};

enum scale { SCALE_PERCENT, SCALE_STARS5, SCALE_TEN, SCALE_UNIT };
enum tkind { T_RFC3339, T_EPOCH_S, T_EPOCH_MS, T_LOCAL };
enum unknown { UNK_ERROR, UNK_NULL, UNK_VALUE };
enum dshape { DIM_NONE, DIM_ARRAY, DIM_OBJECT, DIM_COLUMNS };
enum sigenc { SIG_HEX, SIG_BASE64, SIG_BASE64URL };

struct pair {
    const char *from;
    const char *to; /* NULL: the vendor value means "none" (JSON null) */
};

struct vmap {
    int n;
    const struct pair *p;
};

struct label {
    const char *key, *zh, *en;
};

struct colkey {
    const char *column, *key;
};

struct timesrc {
    struct src src;
    int kind;
    const char *offset; /* T_LOCAL: "+08:00" */
};

struct overall {
    struct src src;
    int scale;
    int mean_if_missing;
};

struct enumspec {
    struct src src;
    struct vmap map;
    int unknown;
    const char *unknown_value;
};

struct dimspec {
    int shape;
    struct src src; /* DIM_ARRAY, DIM_OBJECT */
    struct path key, name, score, evidence, label_zh, label_en;
    int scale;
    int drop_unknown;
    int required;
    struct vmap names;
    int nlabels;
    const struct label *labels;
    int all_columns; /* DIM_COLUMNS "*" */
    int nignore;     /* "*": columns that are not dimensions */
    const char *const *ignore;
    int ncols;
    const struct colkey *cols;
};

struct tagspec {
    struct src src;
    int nsplit;
    const char *const *split;
};

struct seqspec { /* transcript, key_moments */
    struct src src;
    struct path start, end, speaker, text; /* key moments: start = at, text = label */
    int seconds;
    int drop_unknown;
    struct vmap speakers;
};

struct sigspec {
    int present;
    const char *header;
    int encoding;
    const char *prefix;
};

enum cand_field { C_APPLICATION_ID, C_EXTERNAL_ID, C_NAME, C_EMAIL, C_PHONE, C_POSITION_CODE, C__COUNT };
static const char *const cand_names[C__COUNT + 1] = {"application_id", "external_id",   "name", "email",
                                                     "phone",          "position_code", NULL};

struct mapping {
    struct arena a;
    json_t *consts; /* every const value, owned */
    const char *name, *label;
    int csv;
    int nslots;
    const char *slot_col[MAX_SLOTS];
    unsigned char slot_req[MAX_SLOTS];
    struct src result_id, model_version, video_url;
    struct src cand[C__COUNT];
    struct timesrc completed;
    struct overall overall;
    struct enumspec rec, reason;
    struct dimspec dims;
    struct tagspec tags;
    struct seqspec transcript, moments;
    struct sigspec sig;
};

struct cdim {
    int idx;
    char *key, *name;
};

struct mapping_cols {
    const struct mapping *m;
    int idx[MAX_SLOTS]; /* header index of each slot, -1 when absent */
    int ndims;
    struct cdim *dims;
};

static const char *const recommendations[] = {"pass", "hold", "reject", NULL};
static const char *const speakers[] = {"candidate", "interviewer", "ai", NULL};

/* ---- small helpers ---- */

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int ascii_caseeq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (lower(*a) != lower(*b))
            return 0;
    return *a == *b;
}

/* Trims ASCII white space: *s and *n are the text that is left. */
static void trim(const char **s, size_t *n)
{
    while (*n > 0 && is_ws(**s)) {
        (*s)++;
        (*n)--;
    }
    while (*n > 0 && is_ws((*s)[*n - 1]))
        (*n)--;
}

static int in_list(const char *s, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

/* A talentd dimension key (result_dim_key_valid). */
static int valid_dim_key(const char *s)
{
    return result_dim_key_valid(s, strlen(s));
}

/* The longest prefix of s[0..n) of at most max bytes that does not split a
 * UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return k;
}

/* Sets e to ERR_INVALID with slug and field loc (cut at a character
 * boundary to fit). The message is msg, preceded by "loc: " when always_loc
 * or when loc did not fit in the field; it is cut so it stays valid UTF-8. */
static int set_invalid(struct err *e, const char *slug, const char *loc, int always_loc, const char *msg)
{
    char field[sizeof(e->field)], text[sizeof(e->message)];
    size_t n = utf8_cut(loc, strlen(loc), sizeof(field) - 1);
    memcpy(field, loc, n);
    field[n] = '\0';
    int with_loc = loc[0] && (always_loc || n < strlen(loc));
    snprintf(text, sizeof(text), "%s%s%s", with_loc ? loc : "", with_loc ? ": " : "", msg);
    n = strlen(text);
    while (n > 0 && !utf8_valid(text, n))
        text[--n] = '\0';
    err_set(e, ERR_INVALID, slug, field, "%s", text);
    return ERR_INVALID;
}

static int fail(struct err *e, const char *loc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct err *e, const char *loc, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return set_invalid(e, NULL, loc, 0, msg);
}

/* Appends pre, item and post to the NUL-terminated list in buf (size sz)
 * only when all of it fits with room for ", ..." left; returns 1 if it did. */
static int list_add(char *buf, size_t sz, const char *pre, const char *item, const char *post)
{
    size_t have = strlen(buf), a = strlen(pre), b = strlen(item), c = strlen(post);
    if (have + a + b + c + 6 >= sz)
        return 0;
    snprintf(buf + have, sz - have, "%s%s%s", pre, item, post);
    return 1;
}

/* A short description of v for messages: "\"abc\"", "42", "an object". */
static void describe(const json_t *v, char *buf, size_t sz)
{
    if (!v) {
        snprintf(buf, sz, "nothing");
        return;
    }
    switch (json_typeof(v)) {
    case JSON_STRING: {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v);
        size_t k = utf8_cut(s, n, 40);
        char tmp[48];
        for (size_t i = 0; i < k; i++)
            tmp[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
        tmp[k] = '\0';
        snprintf(buf, sz, "\"%s%s\"", tmp, k < n ? "..." : "");
        break;
    }
    case JSON_INTEGER:
        snprintf(buf, sz, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        break;
    case JSON_REAL:
        snprintf(buf, sz, "%g", json_real_value(v));
        break;
    case JSON_TRUE:
        snprintf(buf, sz, "true");
        break;
    case JSON_FALSE:
        snprintf(buf, sz, "false");
        break;
    case JSON_NULL:
        snprintf(buf, sz, "null");
        break;
    case JSON_OBJECT:
        snprintf(buf, sz, "an object");
        break;
    case JSON_ARRAY:
        snprintf(buf, sz, "an array");
        break;
    default:
        snprintf(buf, sz, "a value");
        break;
    }
}

/* Renders one path segment for messages: ".key", "[3]" or ["odd.key"]. */
static int render_seg(struct strbuf *b, const struct seg *s)
{
    if (!s->key)
        return sb_printf(b, "[%zu]", s->idx);
    const char *k = s->key;
    if (k[0] && !strpbrk(k, ".[]\"'"))
        return sb_printf(b, ".%s", k);
    return sb_printf(b, strchr(k, '"') ? "['%s']" : "[\"%s\"]", k);
}

/* out = a followed by b, cut to fit sz (locations are for messages). */
static void loc_join(char *out, size_t sz, const char *a, const char *b)
{
    size_t la = utf8_cut(a, strlen(a), sz - 1);
    memmove(out, a, la);
    size_t lb = utf8_cut(b, strlen(b), sz - 1 - la);
    memcpy(out + la, b, lb);
    out[la + lb] = '\0';
}

/* out = a followed by "[i]". */
static void loc_index(char *out, size_t sz, const char *a, size_t i)
{
    char idx[32], *p = idx + sizeof(idx);
    *--p = '\0';
    *--p = ']';
    do {
        *--p = (char)('0' + i % 10);
        i /= 10;
    } while (i);
    *--p = '[';
    loc_join(out, sz, a, p);
}

/* Appends an object member name to a location buffer. */
static void loc_member(char *loc, size_t sz, const char *base, const char *key)
{
    struct seg s = {key, 0};
    struct strbuf b;
    sb_init(&b, sz);
    render_seg(&b, &s);
    snprintf(loc, sz, "%s%s", base, b.p ? b.p : "");
    sb_free(&b);
}

static json_t *path_get(const struct path *p, json_t *base)
{
    json_t *v = base;
    for (int i = 0; i < p->n && v; i++) {
        if (p->segs[i].key)
            v = json_is_object(v) ? json_object_get(v, p->segs[i].key) : NULL;
        else
            v = json_is_array(v) ? json_array_get(v, p->segs[i].idx) : NULL;
    }
    return v;
}

/* ---- loading ---- */

struct ld {
    struct mapping *m;
    struct err *e;
};

static int ld_fail(struct ld *l, const char *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int ld_fail(struct ld *l, const char *at, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return set_invalid(l->e, "invalid_mapping", at, 1, msg);
}

static void sub_at(char *out, size_t sz, const char *at, const char *key)
{
    if (at[0])
        snprintf(out, sz, "%s.%s", at, key);
    else
        snprintf(out, sz, "%s", key);
}

/* Refuses any member of obj not in allowed (NULL-terminated) or in extra. */
static int check_keys(struct ld *l, json_t *obj, const char *at, const char *const *allowed, const char *const *extra)
{
    const char *k;
    json_t *v;
    json_object_foreach(obj, k, v)
    {
        if (in_list(k, allowed) || (extra && in_list(k, extra)))
            continue;
        char sub[128];
        sub_at(sub, sizeof(sub), at, k);
        return ld_fail(l, sub, "is not a key this part of a mapping file has (a typo?)");
    }
    return 0;
}

/* A string member: 0 and *out (arena copy; NULL when absent and optional),
 * or an error. */
static int get_str(struct ld *l, json_t *obj, const char *key, const char *at, int required, size_t maxlen,
                   const char **out)
{
    char sub[128];
    json_t *v = json_object_get(obj, key);
    sub_at(sub, sizeof(sub), at, key);
    *out = NULL;
    if (!v) {
        if (required)
            return ld_fail(l, sub, "is required");
        return 0;
    }
    if (!json_is_string(v))
        return ld_fail(l, sub, "must be a string");
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 0 || n > maxlen || strlen(s) != n || utf8_has_control(s, n))
        return ld_fail(l, sub, "must be 1-%zu characters of text", maxlen);
    *out = arena_strndup(&l->m->a, s, n);
    return 0;
}

static int get_bool(struct ld *l, json_t *obj, const char *key, const char *at, int dflt, int *out)
{
    json_t *v = json_object_get(obj, key);
    *out = dflt;
    if (!v)
        return 0;
    if (!json_is_boolean(v)) {
        char sub[128];
        sub_at(sub, sizeof(sub), at, key);
        return ld_fail(l, sub, "must be true or false");
    }
    *out = json_is_true(v);
    return 0;
}

/* One of choices (NULL-terminated); *out its index, dflt when absent. */
static int get_choice(struct ld *l, json_t *obj, const char *key, const char *at, const char *const *choices, int dflt,
                      int *out)
{
    char sub[128];
    json_t *v = json_object_get(obj, key);
    sub_at(sub, sizeof(sub), at, key);
    *out = dflt;
    if (!v) {
        if (dflt < 0)
            return ld_fail(l, sub, "is required");
        return 0;
    }
    if (json_is_string(v))
        for (int i = 0; choices[i]; i++)
            if (strcmp(choices[i], json_string_value(v)) == 0) {
                *out = i;
                return 0;
            }
    char list[200] = "";
    for (int i = 0; choices[i]; i++)
        list_add(list, sizeof(list), i ? ", \"" : "\"", choices[i], "\"");
    return ld_fail(l, sub, "must be one of %s", list);
}

/* Parses a JSON path ("$.a.b[0]", ["key"] for odd keys) or, with rel, a
 * path relative to an element ("score", "@.score", "[0]", "@"). */
static int parse_path(struct ld *l, const char *s, int rel, const char *at, struct path *out)
{
    struct seg segs[PATH_MAX_SEGS];
    int n = 0, implicit = 0;
    const char *p = s;
    size_t len = strlen(s);

    if (len == 0 || len > PATH_MAX_LEN)
        return ld_fail(l, at, "a path must be 1-%d characters", PATH_MAX_LEN);
    if (!rel) {
        if (*p != '$')
            return ld_fail(l, at, "a path starts with $ (\"$.result.id\")");
        p++;
    } else if (*p == '$') {
        return ld_fail(l, at, "a sub-path is relative to the element: write \"score\" or \"@.score\", not \"$.score\"");
    } else if (*p == '@') {
        p++;
    } else if (*p != '[') {
        implicit = 1;
    }
    while (*p) {
        if (n == PATH_MAX_SEGS)
            return ld_fail(l, at, "a path has at most %d parts", PATH_MAX_SEGS);
        if (*p == '.' || implicit) {
            if (!implicit)
                p++;
            implicit = 0;
            const char *q = p;
            while (*q && *q != '.' && *q != '[')
                q++;
            if (q == p)
                return ld_fail(l, at, "empty key in path \"%s\"", s);
            segs[n].key = arena_strndup(&l->m->a, p, (size_t)(q - p));
            segs[n].idx = 0;
            p = q;
        } else if (*p == '[') {
            p++;
            if (*p == '"' || *p == '\'') {
                char qc = *p++;
                const char *q = strchr(p, qc);
                if (!q || q[1] != ']')
                    return ld_fail(l, at, "unterminated quoted key in path \"%s\"", s);
                segs[n].key = arena_strndup(&l->m->a, p, (size_t)(q - p));
                segs[n].idx = 0;
                p = q + 2;
            } else {
                size_t v = 0;
                int digits = 0;
                while (*p >= '0' && *p <= '9' && digits < 9) {
                    v = v * 10 + (size_t)(*p - '0');
                    p++;
                    digits++;
                }
                if (digits == 0 || *p != ']')
                    return ld_fail(l, at, "bad index in path \"%s\" (write [0], [1], ...)", s);
                p++;
                segs[n].key = NULL;
                segs[n].idx = v;
            }
        } else {
            return ld_fail(l, at, "unexpected '%c' in path \"%s\"", *p, s);
        }
        n++;
    }

    struct strbuf b;
    sb_init(&b, 0);
    sb_puts(&b, rel ? "" : "$");
    for (int i = 0; i < n; i++)
        render_seg(&b, &segs[i]);
    out->text = arena_strdup(&l->m->a, b.p ? b.p : "");
    sb_free(&b);
    struct seg *copy = arena_alloc(&l->m->a, sizeof(struct seg) * (size_t)(n ? n : 1));
    memcpy(copy, segs, sizeof(struct seg) * (size_t)n);
    out->segs = copy;
    out->n = n;
    return 0;
}

/* An optional relative sub-path member. */
static int get_subpath(struct ld *l, json_t *obj, const char *key, const char *at, int required, struct path *out)
{
    char sub[128];
    json_t *v = json_object_get(obj, key);
    sub_at(sub, sizeof(sub), at, key);
    memset(out, 0, sizeof(*out));
    if (!v) {
        if (required)
            return ld_fail(l, sub, "is required");
        return 0;
    }
    if (!json_is_string(v))
        return ld_fail(l, sub, "must be a path string such as \"score\"");
    return parse_path(l, json_string_value(v), 1, sub, out);
}

static int add_slot(struct ld *l, const char *column, int required, const char *at, int *slot)
{
    struct mapping *m = l->m;
    for (int i = 0; i < m->nslots; i++)
        if (strcmp(m->slot_col[i], column) == 0) {
            m->slot_req[i] |= (unsigned char)(required != 0);
            *slot = i;
            return 0;
        }
    if (m->nslots == MAX_SLOTS)
        return ld_fail(l, at, "a mapping names at most %d columns", MAX_SLOTS);
    m->slot_col[m->nslots] = column;
    m->slot_req[m->nslots] = (unsigned char)(required != 0);
    *slot = m->nslots++;
    return 0;
}

static int set_column(struct ld *l, const char *col, size_t n, const char *at, struct src *s)
{
    const char *c = col;
    trim(&c, &n);
    if (n == 0 || n > 128 || strlen(c) < n)
        return ld_fail(l, at, "a column name must be 1-128 characters");
    s->kind = SRC_COLUMN;
    s->column = arena_strndup(&l->m->a, c, n);
    return add_slot(l, s->column, s->required, at, &s->slot);
}

static const char *const src_keys[] = {"path", "column", "const", "required", NULL};

/* A value source: a string (json: a path; csv: a column name) or an object
 * with one of path / column / const, "required", and the field's extra keys.
 * force_required makes the field required whatever the file says. */
static int parse_src(struct ld *l, json_t *v, const char *at, const char *const *extra, int force_required,
                     struct src *s)
{
    char sub[128];
    memset(s, 0, sizeof(*s));
    s->required = force_required;
    if (json_is_string(v)) {
        if (l->m->csv)
            return set_column(l, json_string_value(v), json_string_length(v), at, s);
        s->kind = SRC_PATH;
        return parse_path(l, json_string_value(v), 0, at, &s->path);
    }
    if (!json_is_object(v))
        return ld_fail(l, at, "must be a %s or an object with \"%s\" or \"const\"", l->m->csv ? "column name" : "path",
                       l->m->csv ? "column" : "path");
    int rc = check_keys(l, v, at, src_keys, extra);
    if (rc)
        return rc;
    int req;
    if ((rc = get_bool(l, v, "required", at, 0, &req)))
        return rc;
    s->required = force_required || req;
    json_t *p = json_object_get(v, "path"), *c = json_object_get(v, "column"), *k = json_object_get(v, "const");
    if ((p != NULL) + (c != NULL) + (k != NULL) != 1)
        return ld_fail(l, at, "needs exactly one of \"%s\" or \"const\"", l->m->csv ? "column" : "path");
    if (p) {
        sub_at(sub, sizeof(sub), at, "path");
        if (l->m->csv)
            return ld_fail(l, sub, "a csv mapping names columns: use \"column\"");
        if (!json_is_string(p))
            return ld_fail(l, sub, "must be a path string such as \"$.result.id\"");
        s->kind = SRC_PATH;
        return parse_path(l, json_string_value(p), 0, sub, &s->path);
    }
    if (c) {
        sub_at(sub, sizeof(sub), at, "column");
        if (!l->m->csv)
            return ld_fail(l, sub, "a json mapping names paths: use \"path\"");
        if (!json_is_string(c))
            return ld_fail(l, sub, "must be a column name");
        return set_column(l, json_string_value(c), json_string_length(c), sub, s);
    }
    sub_at(sub, sizeof(sub), at, "const");
    if (json_is_object(k) || json_is_array(k) || json_is_boolean(k))
        return ld_fail(l, sub, "must be a string, a number or null");
    if (json_is_string(k) && (utf8_has_control(json_string_value(k), json_string_length(k))))
        return ld_fail(l, sub, "must not contain control characters");
    json_t *copy = json_deep_copy(k);
    json_array_append_new(l->m->consts, copy);
    s->kind = SRC_CONST;
    s->constant = copy;
    return 0;
}

/* A value map {"vendor value": "target" | null}; targets must be in valid. */
static int parse_vmap(struct ld *l, json_t *obj, const char *key, const char *at, const char *const *valid,
                      int allow_null, struct vmap *out)
{
    char sub[160];
    json_t *v = json_object_get(obj, key);
    sub_at(sub, sizeof(sub), at, key);
    memset(out, 0, sizeof(*out));
    if (!v)
        return 0;
    if (!json_is_object(v))
        return ld_fail(l, sub, "must be an object {\"vendor value\": \"%s\", ...}", valid[0]);
    size_t n = json_object_size(v);
    struct pair *p = arena_alloc(&l->m->a, sizeof(struct pair) * (n ? n : 1));
    const char *k;
    json_t *t;
    int i = 0;
    json_object_foreach(v, k, t)
    {
        char item[200];
        sub_at(item, sizeof(item), sub, k);
        if (json_is_null(t) && allow_null) {
            p[i].to = NULL;
        } else if (json_is_string(t) && in_list(json_string_value(t), valid)) {
            p[i].to = arena_strdup(&l->m->a, json_string_value(t));
        } else {
            char list[300] = "";
            for (int j = 0; valid[j]; j++)
                list_add(list, sizeof(list), j ? ", " : "", valid[j], "");
            return ld_fail(l, item, "must be one of %s%s", list, allow_null ? " or null" : "");
        }
        p[i].from = arena_strdup(&l->m->a, k);
        i++;
    }
    out->n = i;
    out->p = p;
    return 0;
}

/* Dimension keys as "valid" list for parse_vmap: checked separately. */
static int parse_names(struct ld *l, json_t *obj, const char *at, struct vmap *out)
{
    char sub[160];
    json_t *v = json_object_get(obj, "names");
    sub_at(sub, sizeof(sub), at, "names");
    memset(out, 0, sizeof(*out));
    if (!v)
        return 0;
    if (!json_is_object(v))
        return ld_fail(l, sub, "must be an object {\"vendor name\": \"talentd_key\", ...}");
    size_t n = json_object_size(v);
    struct pair *p = arena_alloc(&l->m->a, sizeof(struct pair) * (n ? n : 1));
    const char *k;
    json_t *t;
    int i = 0;
    json_object_foreach(v, k, t)
    {
        if (!json_is_string(t) || !valid_dim_key(json_string_value(t))) {
            char item[200];
            sub_at(item, sizeof(item), sub, k);
            return ld_fail(l, item, "must be a talentd dimension key ([a-z][a-z0-9_]{0,31})");
        }
        p[i].from = arena_strdup(&l->m->a, k);
        p[i].to = arena_strdup(&l->m->a, json_string_value(t));
        i++;
    }
    out->n = i;
    out->p = p;
    return 0;
}

static int parse_labels(struct ld *l, json_t *obj, const char *at, struct dimspec *d)
{
    char sub[160];
    json_t *v = json_object_get(obj, "labels");
    sub_at(sub, sizeof(sub), at, "labels");
    if (!v)
        return 0;
    if (!json_is_object(v))
        return ld_fail(l, sub, "must be an object {\"key\": {\"zh\": \"...\", \"en\": \"...\"}}");
    size_t n = json_object_size(v);
    struct label *lab = arena_alloc(&l->m->a, sizeof(struct label) * (n ? n : 1));
    static const char *const label_keys[] = {"zh", "en", NULL};
    const char *k;
    json_t *t;
    int i = 0, rc;
    json_object_foreach(v, k, t)
    {
        char item[200];
        sub_at(item, sizeof(item), sub, k);
        if (!valid_dim_key(k))
            return ld_fail(l, item, "must be a talentd dimension key ([a-z][a-z0-9_]{0,31})");
        if (!json_is_object(t))
            return ld_fail(l, item, "must be an object {\"zh\": \"...\", \"en\": \"...\"}");
        if ((rc = check_keys(l, t, item, label_keys, NULL)))
            return rc;
        lab[i].key = arena_strdup(&l->m->a, k);
        if ((rc = get_str(l, t, "zh", item, 0, 256, &lab[i].zh)) || (rc = get_str(l, t, "en", item, 0, 64, &lab[i].en)))
            return rc;
        i++;
    }
    d->nlabels = i;
    d->labels = lab;
    return 0;
}

static int parse_scale(struct ld *l, json_t *obj, const char *at, int *out)
{
    static const char *const scales[] = {"percent", "stars5", "ten", "unit", NULL};
    return get_choice(l, obj, "scale", at, scales, -1, out);
}

static int parse_dims(struct ld *l, json_t *v)
{
    static const char *const json_keys[] = {"path",     "shape",    "key",   "name",  "score",  "evidence",
                                            "label_zh", "label_en", "scale", "names", "labels", "unknown_dimensions",
                                            "required", NULL};
    static const char *const csv_keys[] = {"columns", "ignore_columns",     "scale",    "names",
                                           "labels",  "unknown_dimensions", "required", NULL};
    static const char *const shapes[] = {"array", "object", NULL};
    static const char *const unknowns[] = {"error", "drop", NULL};
    struct dimspec *d = &l->m->dims;
    const char *at = "dimensions";
    int rc;

    if (!json_is_object(v))
        return ld_fail(l, at, "must be an object");
    if ((rc = check_keys(l, v, at, l->m->csv ? csv_keys : json_keys, NULL)) ||
        (rc = parse_scale(l, v, at, &d->scale)) ||
        (rc = get_choice(l, v, "unknown_dimensions", at, unknowns, 0, &d->drop_unknown)) ||
        (rc = get_bool(l, v, "required", at, 0, &d->required)) || (rc = parse_names(l, v, at, &d->names)) ||
        (rc = parse_labels(l, v, at, d)))
        return rc;

    if (l->m->csv) {
        json_t *c = json_object_get(v, "columns");
        d->shape = DIM_COLUMNS;
        json_t *ig = json_object_get(v, "ignore_columns");
        if (json_is_string(c) && strcmp(json_string_value(c), "*") == 0) {
            d->all_columns = 1;
            if (!ig)
                return 0;
            if (!json_is_array(ig))
                return ld_fail(l, "dimensions.ignore_columns", "must be an array of column names");
            size_t n = json_array_size(ig);
            const char **names = arena_alloc(&l->m->a, sizeof(char *) * (n ? n : 1));
            for (size_t i = 0; i < n; i++) {
                json_t *x = json_array_get(ig, i);
                if (!json_is_string(x) || json_string_length(x) == 0 ||
                    strlen(json_string_value(x)) != json_string_length(x))
                    return ld_fail(l, "dimensions.ignore_columns", "must be an array of column names");
                names[i] = arena_strdup(&l->m->a, json_string_value(x));
            }
            d->nignore = (int)n;
            d->ignore = names;
            return 0;
        }
        if (ig)
            return ld_fail(l, "dimensions.ignore_columns", "is only for \"columns\": \"*\"");
        if (!json_is_object(c) || json_object_size(c) == 0)
            return ld_fail(l, "dimensions.columns",
                           "must be \"*\" (every other column) or an object {\"column\": \"talentd_key\", ...}");
        size_t n = json_object_size(c);
        struct colkey *ck = arena_alloc(&l->m->a, sizeof(struct colkey) * n);
        const char *k;
        json_t *t;
        int i = 0;
        json_object_foreach(c, k, t)
        {
            char item[200];
            sub_at(item, sizeof(item), "dimensions.columns", k);
            if (!json_is_string(t) || !valid_dim_key(json_string_value(t)))
                return ld_fail(l, item, "must be a talentd dimension key ([a-z][a-z0-9_]{0,31})");
            for (int j = 0; j < i; j++)
                if (strcmp(ck[j].key, json_string_value(t)) == 0)
                    return ld_fail(l, item, "dimension %s is named twice", ck[j].key);
            ck[i].column = arena_strdup(&l->m->a, k);
            ck[i].key = arena_strdup(&l->m->a, json_string_value(t));
            i++;
        }
        d->ncols = i;
        d->cols = ck;
        return 0;
    }

    json_t *p = json_object_get(v, "path");
    if (!json_is_string(p))
        return ld_fail(l, "dimensions.path", "is required: the path of the array (or object) of dimensions");
    d->src.kind = SRC_PATH;
    d->src.required = d->required;
    int shape;
    if ((rc = parse_path(l, json_string_value(p), 0, "dimensions.path", &d->src.path)) ||
        (rc = get_choice(l, v, "shape", at, shapes, 0, &shape)))
        return rc;
    d->shape = shape == 0 ? DIM_ARRAY : DIM_OBJECT;
    if (d->shape == DIM_OBJECT) {
        if (json_object_get(v, "key") || json_object_get(v, "name"))
            return ld_fail(l, json_object_get(v, "key") ? "dimensions.key" : "dimensions.name",
                           "with shape \"object\" the member name is the dimension name");
        if (!json_object_get(v, "score")) {
            d->score.text = "";
            d->score.n = 0;
            d->score.segs = NULL;
        } else if ((rc = get_subpath(l, v, "score", at, 1, &d->score))) {
            return rc;
        }
    } else {
        if ((rc = get_subpath(l, v, "key", at, 0, &d->key)) || (rc = get_subpath(l, v, "name", at, 0, &d->name)) ||
            (rc = get_subpath(l, v, "score", at, 1, &d->score)))
            return rc;
        if (!d->key.text && !d->name.text)
            return ld_fail(l, "dimensions.key", "an array of dimensions needs \"key\" or \"name\" (or both)");
    }
    if ((rc = get_subpath(l, v, "evidence", at, 0, &d->evidence)) ||
        (rc = get_subpath(l, v, "label_zh", at, 0, &d->label_zh)) ||
        (rc = get_subpath(l, v, "label_en", at, 0, &d->label_en)))
        return rc;
    return 0;
}

static int parse_seq(struct ld *l, json_t *v, const char *at, int moments, struct seqspec *s)
{
    static const char *const tkeys[] = {
        "path", "start", "end", "speaker", "text", "unit", "speakers", "unknown_speakers", "required", NULL};
    static const char *const mkeys[] = {"path", "at", "label", "unit", "required", NULL};
    static const char *const units[] = {"ms", "seconds", NULL};
    static const char *const unknowns[] = {"error", "drop", NULL};
    int rc;
    char sub[128];

    if (l->m->csv)
        return ld_fail(l, at, "is not available in a csv mapping");
    if (!json_is_object(v))
        return ld_fail(l, at, "must be an object");
    if ((rc = check_keys(l, v, at, moments ? mkeys : tkeys, NULL)))
        return rc;
    json_t *p = json_object_get(v, "path");
    sub_at(sub, sizeof(sub), at, "path");
    if (!json_is_string(p))
        return ld_fail(l, sub, "is required: the path of the array");
    s->src.kind = SRC_PATH;
    if ((rc = parse_path(l, json_string_value(p), 0, sub, &s->src.path)) ||
        (rc = get_bool(l, v, "required", at, 0, &s->src.required)) ||
        (rc = get_choice(l, v, "unit", at, units, 0, &s->seconds)))
        return rc;
    if (moments)
        return (rc = get_subpath(l, v, "at", at, 1, &s->start)) ? rc : get_subpath(l, v, "label", at, 1, &s->text);
    if ((rc = get_subpath(l, v, "start", at, 1, &s->start)) || (rc = get_subpath(l, v, "end", at, 0, &s->end)) ||
        (rc = get_subpath(l, v, "speaker", at, 1, &s->speaker)) || (rc = get_subpath(l, v, "text", at, 1, &s->text)) ||
        (rc = parse_vmap(l, v, "speakers", at, speakers, 0, &s->speakers)) ||
        (rc = get_choice(l, v, "unknown_speakers", at, unknowns, 0, &s->drop_unknown)))
        return rc;
    return 0;
}

static int parse_signature(struct ld *l, json_t *v)
{
    static const char *const keys[] = {"header", "algorithm", "encoding", "prefix", NULL};
    static const char *const algs[] = {"hmac-sha256", NULL};
    static const char *const encs[] = {"hex", "base64", "base64url", NULL};
    struct sigspec *s = &l->m->sig;
    int rc, alg;

    if (!json_is_object(v))
        return ld_fail(l, "signature", "must be an object");
    if ((rc = check_keys(l, v, "signature", keys, NULL)) ||
        (rc = get_str(l, v, "header", "signature", 1, 64, &s->header)) ||
        (rc = get_choice(l, v, "algorithm", "signature", algs, -1, &alg)) ||
        (rc = get_choice(l, v, "encoding", "signature", encs, 0, &s->encoding)))
        return rc;
    for (const char *c = s->header ? s->header : ""; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || *c == '-' ||
              *c == '_'))
            return ld_fail(l, "signature.header", "must be an HTTP header name (letters, digits, '-')");
    json_t *p = json_object_get(v, "prefix");
    s->prefix = "";
    if (p) {
        if (!json_is_string(p) || json_string_length(p) > 32)
            return ld_fail(l, "signature.prefix", "must be a string of at most 32 characters (\"sha256=\")");
        for (const char *c = json_string_value(p); *c; c++)
            if (*c <= ' ' || *c > '~')
                return ld_fail(l, "signature.prefix", "must be printable ASCII without spaces");
        s->prefix = arena_strdup(&l->m->a, json_string_value(p));
    }
    s->present = 1;
    return 0;
}

static int parse_completed(struct ld *l, json_t *v)
{
    static const char *const extra[] = {"time", "utc_offset", NULL};
    static const char *const kinds[] = {"rfc3339", "epoch_s", "epoch_ms", "local", NULL};
    struct timesrc *t = &l->m->completed;
    int rc;

    if (!v)
        return ld_fail(l, "completed_at", "is required");
    if ((rc = parse_src(l, v, "completed_at", extra, 1, &t->src)))
        return rc;
    t->kind = T_RFC3339;
    if (!json_is_object(v))
        return 0;
    if ((rc = get_choice(l, v, "time", "completed_at", kinds, T_RFC3339, &t->kind)))
        return rc;
    json_t *o = json_object_get(v, "utc_offset");
    if (t->kind != T_LOCAL) {
        if (o)
            return ld_fail(l, "completed_at.utc_offset", "is only for \"time\": \"local\"");
        return 0;
    }
    int64_t ms;
    char probe[40];
    if (!json_is_string(o))
        return ld_fail(l, "completed_at.utc_offset", "is required with \"time\": \"local\" (\"+08:00\")");
    const char *os = json_string_value(o);
    if (strcmp(os, "Z") != 0 && strlen(os) != 6)
        return ld_fail(l, "completed_at.utc_offset", "must look like \"+08:00\", \"-05:00\" or \"Z\"");
    snprintf(probe, sizeof(probe), "2000-01-01T00:00:00%s", os);
    if (time_parse_rfc3339(probe, &ms) != 0)
        return ld_fail(l, "completed_at.utc_offset", "must look like \"+08:00\", \"-05:00\" or \"Z\"");
    t->offset = arena_strdup(&l->m->a, os);
    return 0;
}

static int parse_overall(struct ld *l, json_t *v)
{
    static const char *const extra[] = {"scale", "if_missing", NULL};
    static const char *const ifm[] = {"error", "dimension_mean", NULL};
    struct overall *o = &l->m->overall;
    int rc;

    if (!v)
        return ld_fail(l, "overall", "is required");
    if (!json_is_object(v))
        return ld_fail(l, "overall", "must be an object with \"%s\" and \"scale\"", l->m->csv ? "column" : "path");
    if ((rc = get_choice(l, v, "if_missing", "overall", ifm, 0, &o->mean_if_missing)) ||
        (rc = parse_src(l, v, "overall", extra, !o->mean_if_missing, &o->src)) ||
        (rc = parse_scale(l, v, "overall", &o->scale)))
        return rc;
    return 0;
}

static int parse_enum(struct ld *l, json_t *v, const char *at, const char *const *valid, int reason, struct enumspec *s)
{
    static const char *const extra[] = {"map", "unknown", NULL};
    int rc;

    if ((rc = parse_src(l, v, at, extra, 0, &s->src)))
        return rc;
    s->unknown = UNK_ERROR;
    if (!json_is_object(v))
        return 0;
    if ((rc = parse_vmap(l, v, "map", at, valid, 1, &s->map)))
        return rc;
    json_t *u = json_object_get(v, "unknown");
    if (!u)
        return 0;
    char sub[128];
    sub_at(sub, sizeof(sub), at, "unknown");
    if (json_is_string(u) && strcmp(json_string_value(u), "error") == 0)
        s->unknown = UNK_ERROR;
    else if (json_is_string(u) && strcmp(json_string_value(u), "null") == 0)
        s->unknown = UNK_NULL;
    else if (reason && json_is_string(u) && in_list(json_string_value(u), valid)) {
        s->unknown = UNK_VALUE;
        s->unknown_value = arena_strdup(&l->m->a, json_string_value(u));
    } else
        return ld_fail(l, sub, "must be \"error\", \"null\"%s",
                       reason ? " or a reason category such as \"other\"" : "");
    return 0;
}

static int parse_tags(struct ld *l, json_t *v)
{
    static const char *const extra[] = {"split", NULL};
    struct tagspec *t = &l->m->tags;
    int rc;

    if ((rc = parse_src(l, v, "tags", extra, 0, &t->src)))
        return rc;
    json_t *s = json_is_object(v) ? json_object_get(v, "split") : NULL;
    if (!s)
        return 0;
    size_t n = json_is_array(s) ? json_array_size(s) : 1;
    if (n == 0 || n > 8 || !(json_is_string(s) || json_is_array(s)))
        return ld_fail(l, "tags.split", "must be a separator string (\";\") or an array of 1-8 of them");
    const char **sep = arena_alloc(&l->m->a, sizeof(char *) * n);
    for (size_t i = 0; i < n; i++) {
        json_t *x = json_is_array(s) ? json_array_get(s, i) : s;
        if (!json_is_string(x) || json_string_length(x) == 0 || json_string_length(x) > 8 ||
            strlen(json_string_value(x)) != json_string_length(x))
            return ld_fail(l, "tags.split", "separators must be strings of 1-8 bytes");
        sep[i] = arena_strdup(&l->m->a, json_string_value(x));
    }
    t->nsplit = (int)n;
    t->split = sep;
    return 0;
}

static int parse_candidate(struct ld *l, json_t *v)
{
    int rc, any = 0;
    if (!json_is_object(v))
        return ld_fail(l, "candidate",
                       "is required: an object naming at least one of application_id, external_id, "
                       "name, email, phone, position_code");
    if ((rc = check_keys(l, v, "candidate", cand_names, NULL)))
        return rc;
    for (int i = 0; i < C__COUNT; i++) {
        json_t *f = json_object_get(v, cand_names[i]);
        if (!f)
            continue;
        char sub[64];
        sub_at(sub, sizeof(sub), "candidate", cand_names[i]);
        if ((rc = parse_src(l, f, sub, NULL, 0, &l->m->cand[i])))
            return rc;
        any = 1;
    }
    if (!any)
        return ld_fail(l, "candidate", "must name at least one candidate hint");
    return 0;
}

static int load(struct ld *l, json_t *file, const char *name_hint)
{
    static const char *const top[] = {"name",
                                      "label",
                                      "description",
                                      "format",
                                      "signature",
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
    static const char *const formats[] = {"json", "csv", NULL};
    struct mapping *m = l->m;
    const char *desc;
    json_t *v;
    int rc;

    if (!json_is_object(file))
        return ld_fail(l, "", "a mapping file is a JSON object");
    if ((rc = check_keys(l, file, "", top, NULL)) || (rc = get_str(l, file, "name", "", 1, 32, &m->name)) ||
        (rc = get_str(l, file, "label", "", 1, 100, &m->label)) ||
        (rc = get_str(l, file, "description", "", 0, 2000, &desc)) ||
        (rc = get_choice(l, file, "format", "", formats, -1, &m->csv)))
        return rc;
    for (const char *c = m->name; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' || *c == '-'))
            return ld_fail(l, "name", "must be 1-32 of a-z, 0-9, '_' and '-'");
    if (name_hint && strcmp(name_hint, m->name) != 0)
        return ld_fail(l, "name", "is \"%s\" but the file is named \"%s.json\"; they must agree", m->name, name_hint);

    if ((v = json_object_get(file, "signature")) && (rc = parse_signature(l, v)))
        return rc;
    if (!(v = json_object_get(file, "vendor_result_id")))
        return ld_fail(l, "vendor_result_id", "is required");
    if ((rc = parse_src(l, v, "vendor_result_id", NULL, 1, &m->result_id)) ||
        (rc = parse_completed(l, json_object_get(file, "completed_at"))) ||
        (rc = parse_candidate(l, json_object_get(file, "candidate"))) ||
        (rc = parse_overall(l, json_object_get(file, "overall"))))
        return rc;
    if ((v = json_object_get(file, "model_version")) &&
        (rc = parse_src(l, v, "model_version", NULL, 0, &m->model_version)))
        return rc;
    if ((v = json_object_get(file, "video_url")) && (rc = parse_src(l, v, "video_url", NULL, 0, &m->video_url)))
        return rc;
    if ((v = json_object_get(file, "vendor_recommendation")) &&
        (rc = parse_enum(l, v, "vendor_recommendation", recommendations, 0, &m->rec)))
        return rc;
    if ((v = json_object_get(file, "reason_category")) &&
        (rc = parse_enum(l, v, "reason_category", pipeline_reasons, 1, &m->reason)))
        return rc;
    if ((v = json_object_get(file, "dimensions")) && (rc = parse_dims(l, v)))
        return rc;
    if ((v = json_object_get(file, "tags")) && (rc = parse_tags(l, v)))
        return rc;
    if ((v = json_object_get(file, "transcript")) && (rc = parse_seq(l, v, "transcript", 0, &m->transcript)))
        return rc;
    if ((v = json_object_get(file, "key_moments")) && (rc = parse_seq(l, v, "key_moments", 1, &m->moments)))
        return rc;
    if (m->overall.mean_if_missing && m->dims.shape == DIM_NONE)
        return ld_fail(l, "overall.if_missing", "\"dimension_mean\" needs a \"dimensions\" block");
    return 0;
}

int mapping_load(json_t *file, const char *name_hint, struct mapping **out, struct err *e)
{
    struct mapping *m = xcalloc(1, sizeof(*m));
    struct ld l = {m, e};

    *out = NULL;
    m->consts = json_array();
    int rc = load(&l, file, name_hint);
    if (rc) {
        if (!e || e->code == 0)
            err_set(e, rc, NULL, NULL, "mapping: invalid");
        mapping_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

void mapping_free(struct mapping *m)
{
    if (!m)
        return;
    json_decref(m->consts);
    arena_free(&m->a);
    free(m);
}

const char *mapping_name(const struct mapping *m)
{
    return m->name;
}

const char *mapping_label(const struct mapping *m)
{
    return m->label;
}

int mapping_is_csv(const struct mapping *m)
{
    return m->csv;
}

/* ---- applying ---- */

struct ctx {
    const struct mapping *m;
    json_t *root;                    /* json payload */
    json_t **cells;                  /* csv: one per slot, NULL when empty or absent */
    const struct mapping_cols *cols; /* csv */
    char **fields;                   /* csv row */
    int nfields;
    struct err *e;
};

/* loc = s, cut to locsz - 1 bytes as snprintf(loc, locsz, "%s", s) would (this runs for every
 * field of every payload). */
static void copy_loc(char *loc, size_t locsz, const char *s)
{
    size_t n = strlen(s);
    if (n > locsz - 1)
        n = locsz - 1;
    memcpy(loc, s, n);
    loc[n] = '\0';
}

/* The value of s (borrowed; NULL when absent or JSON null), with loc set to
 * where it was looked for. */
static json_t *src_get(const struct ctx *c, const struct src *s, char *loc, size_t locsz)
{
    json_t *v = NULL;
    switch (s->kind) {
    case SRC_PATH:
        copy_loc(loc, locsz, s->path.text);
        v = path_get(&s->path, c->root);
        break;
    case SRC_COLUMN:
        copy_loc(loc, locsz, s->column);
        v = c->cells ? c->cells[s->slot] : NULL;
        break;
    case SRC_CONST:
        snprintf(loc, locsz, "const");
        v = s->constant;
        break;
    default:
        loc[0] = '\0';
        break;
    }
    return json_is_null(v) ? NULL : v;
}

/* Text of a string (trimmed) or an integer into a new JSON string. Returns
 * 0 and *out, 1 when missing (NULL, or only white space), or an error. */
static int to_text(const struct ctx *c, json_t *v, const char *loc, json_t **out)
{
    *out = NULL;
    if (!v || json_is_null(v))
        return 1;
    if (json_is_integer(v)) {
        char buf[32];
        snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        *out = json_string(buf);
        return 0;
    }
    if (!json_is_string(v)) {
        char d[64];
        describe(v, d, sizeof(d));
        return fail(c->e, loc, "expected a string, got %s", d);
    }
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    trim(&s, &n);
    if (n == 0)
        return 1;
    if (n == json_string_length(v)) { /* nothing trimmed: the payload's string itself, shared */
        *out = json_incref(v);
        return 0;
    }
    *out = json_stringn(s, n);
    if (!*out)
        return fail(c->e, loc, "not valid UTF-8");
    return 0;
}

/* Decimal number text: [+-]digits[.digits] with an optional trailing '%'
 * when pct. Locale-independent. Returns 0, 1 when empty, -1 otherwise. */
static int parse_decimal(const char *s, size_t n, int pct, int *had_pct, double *out)
{
    trim(&s, &n);
    *had_pct = 0;
    if (n == 0)
        return 1;
    if (pct && s[n - 1] == '%') {
        *had_pct = 1;
        n--;
        trim(&s, &n);
    }
    size_t i = 0;
    int neg = 0, digits = 0;
    double ip = 0, fp = 0, scale = 1;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        ip = ip * 10 + (s[i++] - '0');
        digits++;
    }
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            if (scale < 1e18) {
                fp = fp * 10 + (s[i] - '0');
                scale *= 10;
            }
            i++;
            digits++;
        }
    }
    if (digits == 0 || i != n || digits > 40)
        return -1;
    *out = (neg ? -1 : 1) * (ip + fp / scale);
    return 0;
}

/* A number from a JSON number or a numeric string ("87%" when pct).
 * Returns 0 and *out, 1 when missing, or an error (e set) saying what. */
static int to_number(const struct ctx *c, json_t *v, const char *loc, int pct, const char *what, double *out)
{
    if (!v || json_is_null(v))
        return 1;
    if (json_is_number(v)) {
        *out = json_number_value(v);
        if (!isfinite(*out))
            return fail(c->e, loc, "expected %s, got a number that is not finite", what);
        return 0;
    }
    if (json_is_string(v)) {
        int had;
        int r = parse_decimal(json_string_value(v), json_string_length(v), pct, &had, out);
        if (r >= 0)
            return r;
    }
    char d[64];
    describe(v, d, sizeof(d));
    return fail(c->e, loc, "expected %s, got %s", what, d);
}

static const char *const scale_names[] = {"percent", "stars5", "ten", "unit"};
static const double scale_lo[] = {0, 1, 0, 0};
static const double scale_hi[] = {100, 5, 10, 1};
static const double scale_mul[] = {1, 20, 10, 100};

/* What each scale expects, for messages: "a %s score from %g to %g" of the tables above (written
 * out: a score is read for every dimension of every payload, the message almost never shown). */
static const char *const scale_what[] = {"a percent score from 0 to 100 (\"87%\" is fine)",
                                         "a stars5 score from 1 to 5", "a ten score from 0 to 10",
                                         "a unit score from 0 to 1"};

/* A score on scale -> 0-100 integer, rounded half up. 0, 1 missing, error. */
static int to_score(const struct ctx *c, json_t *v, const char *loc, int scale, json_int_t *out)
{
    double x = 0;
    int r = to_number(c, v, loc, scale == SCALE_PERCENT, scale_what[scale], &x);
    if (r)
        return r;
    if (x < scale_lo[scale] || x > scale_hi[scale])
        return fail(c->e, loc, "%s score %g is out of range: expected %g to %g", scale_names[scale], x, scale_lo[scale],
                    scale_hi[scale]);
    double y = floor(x * scale_mul[scale] + 0.5 + 1e-9);
    *out = (json_int_t)(y > 100 ? 100 : y);
    return 0;
}

/* "YYYY-MM-DD[ HH:MM[:SS[.fff]]]" (also '/' between date parts, 'T' before
 * the time, one-digit month, day and hour) in local time at offset -> UTC
 * ms. Returns 0 or -1. */
static int parse_local(const char *s, size_t n, const char *offset, int64_t *ms)
{
    int f[6] = {0, 0, 0, 0, 0, 0};
    char frac[10] = "";
    size_t i = 0;
    static const int maxd[6] = {4, 2, 2, 2, 2, 2};
    static const int mind[6] = {4, 1, 1, 1, 2, 2};

    for (int k = 0; k < 6; k++) {
        if (k == 3) {
            if (i == n)
                break;
            if (s[i] != ' ' && s[i] != 'T' && s[i] != 't')
                return -1;
            while (i < n && (s[i] == ' ' || s[i] == 'T' || s[i] == 't'))
                i++;
        } else if (k == 1 || k == 2) {
            if (i >= n || (s[i] != '-' && s[i] != '/'))
                return -1;
            i++;
        } else if (k == 4) {
            if (i >= n || s[i] != ':')
                return -1;
            i++;
        } else if (k == 5) {
            if (i == n)
                break;
            if (s[i] != ':')
                return -1;
            i++;
        }
        int d = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9' && d < maxd[k]) {
            f[k] = f[k] * 10 + (s[i++] - '0');
            d++;
        }
        if (d < mind[k])
            return -1;
        if (k == 5 && i < n && s[i] == '.') {
            i++;
            size_t fl = 0;
            while (i < n && s[i] >= '0' && s[i] <= '9' && fl < 9)
                frac[fl++] = s[i++];
            frac[fl] = '\0';
            if (fl == 0)
                return -1;
        }
    }
    if (i != n)
        return -1;
    char buf[64];
    snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d%s%s%s", f[0], f[1], f[2], f[3], f[4], f[5],
             frac[0] ? "." : "", frac, offset);
    return time_parse_rfc3339(buf, ms) == 0 ? 0 : -1;
}

/* completed_at -> UTC ms. 0, 1 missing, or an error. */
static int to_time(const struct ctx *c, const struct timesrc *t, json_t *v, const char *loc, int64_t *ms)
{
    char d[64];
    if (!v)
        return 1;
    if (t->kind == T_EPOCH_S || t->kind == T_EPOCH_MS) {
        double x = 0;
        int r = to_number(c, v, loc, 0, t->kind == T_EPOCH_S ? "epoch seconds" : "epoch milliseconds", &x);
        if (r)
            return r;
        double y = t->kind == T_EPOCH_S ? x * 1000 : x;
        if (y < 0 || y > (double)MAX_TIME_MS)
            return fail(c->e, loc, "time %g is out of range", x);
        *ms = (int64_t)floor(y + 0.5);
        return 0;
    }
    if (!json_is_string(v)) {
        describe(v, d, sizeof(d));
        return fail(c->e, loc, "expected a time like %s, got %s",
                    t->kind == T_LOCAL ? "\"2026-11-20 09:30:00\"" : "\"2026-11-20T09:30:00Z\"", d);
    }
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    trim(&s, &n);
    if (n == 0)
        return 1;
    char buf[64];
    int ok = 0;
    if (n < sizeof(buf)) {
        memcpy(buf, s, n);
        buf[n] = '\0';
        if (t->kind == T_LOCAL)
            ok = parse_local(buf, n, t->offset, ms) == 0 || (n > 10 && time_parse_rfc3339(buf, ms) == 0);
        else
            ok = time_parse_rfc3339(buf, ms) == 0;
    }
    if (!ok) {
        describe(v, d, sizeof(d));
        return fail(c->e, loc, "expected a time like %s, got %s",
                    t->kind == T_LOCAL ? "\"2026-11-20 09:30:00\" (local time)" : "\"2026-11-20T09:30:00Z\" (RFC 3339)",
                    d);
    }
    if (*ms < 0 || *ms > MAX_TIME_MS)
        return fail(c->e, loc, "time is out of range (1970-9999)");
    return 0;
}

/* Looks a vendor value up in a map: exact first, then ignoring ASCII case.
 * Returns the pair or NULL. */
static const struct pair *vmap_find(const struct vmap *m, const char *s)
{
    for (int i = 0; i < m->n; i++)
        if (strcmp(m->p[i].from, s) == 0)
            return &m->p[i];
    for (int i = 0; i < m->n; i++)
        if (ascii_caseeq(m->p[i].from, s))
            return &m->p[i];
    return NULL;
}

/* A mapped enumeration value: *out a static/arena string or NULL (null).
 * Returns 0, 1 missing (or dropped with drop), or an error. */
static int to_enum(const struct ctx *c, json_t *v, const char *loc, const struct vmap *map, const char *const *valid,
                   int unknown, const char *unknown_value, const char *what, const char **out)
{
    json_t *t;
    *out = NULL;
    int r = to_text(c, v, loc, &t);
    if (r)
        return r;
    const char *s = json_string_value(t);
    const struct pair *p = vmap_find(map, s);
    if (p) {
        *out = p->to;
        json_decref(t);
        return p->to ? 0 : 1;
    }
    for (size_t i = 0; valid[i]; i++)
        if (strcmp(valid[i], s) == 0) {
            *out = valid[i];
            json_decref(t);
            return 0;
        }
    if (unknown == UNK_VALUE) {
        *out = unknown_value;
        json_decref(t);
        return 0;
    }
    if (unknown == UNK_NULL) {
        json_decref(t);
        return 1;
    }
    char d[64], list[200] = "";
    describe(t, d, sizeof(d));
    json_decref(t);
    for (int i = 0; i < map->n; i++)
        if (!list_add(list, sizeof(list), i ? ", " : "", map->p[i].from, "")) {
            snprintf(list + strlen(list), sizeof(list) - strlen(list), ", ...");
            break;
        }
    return fail(c->e, loc, "unknown %s %s; the mapping knows %s", what, d, list[0] ? list : "none (add a \"map\")");
}

static int missing_required(const struct ctx *c, const char *loc, const char *field)
{
    return fail(c->e, loc, "%s is required but the %s has nothing here", field, c->cells ? "row" : "payload");
}

/* Sets key on obj to the text value of s; leaves it out (or null with
 * null_if_missing) when missing. */
static int put_text(const struct ctx *c, json_t *obj, const char *key, const struct src *s, int null_if_missing)
{
    char loc[LOC_SZ];
    json_t *t;
    if (s->kind == SRC_NONE) {
        if (null_if_missing)
            json_object_set_new_nocheck(obj, key, json_null());
        return 0;
    }
    int r = to_text(c, src_get(c, s, loc, sizeof(loc)), loc, &t);
    if (r < 0)
        return r;
    if (r == 1) {
        if (s->required)
            return missing_required(c, loc, key);
        if (null_if_missing)
            json_object_set_new_nocheck(obj, key, json_null());
        return 0;
    }
    json_object_set_new_nocheck(obj, key, t);
    return 0;
}

static int put_candidate(const struct ctx *c, json_t *out)
{
    json_t *cand = json_object();
    int rc = 0;
    json_object_set_new_nocheck(out, "candidate", cand);
    for (int i = 0; i < C__COUNT && rc == 0; i++) {
        const struct src *s = &c->m->cand[i];
        if (s->kind == SRC_NONE)
            continue;
        if (i != C_APPLICATION_ID) {
            rc = put_text(c, cand, cand_names[i], s, 0);
            continue;
        }
        char loc[LOC_SZ], d[64];
        json_t *v = src_get(c, s, loc, sizeof(loc));
        double x = 0;
        int had;
        if (!v || (json_is_string(v) && parse_decimal(json_string_value(v), json_string_length(v), 0, &had, &x) == 1)) {
            if (s->required)
                rc = missing_required(c, loc, "candidate.application_id");
            continue;
        }
        json_int_t id = 0;
        int ok = 0;
        if (json_is_integer(v)) {
            id = json_integer_value(v);
            ok = 1;
        } else if (json_is_string(v)) {
            const char *p = json_string_value(v);
            size_t n = json_string_length(v);
            trim(&p, &n);
            ok = n > 0 && n <= 18;
            for (size_t k = 0; k < n && ok; k++) {
                ok = p[k] >= '0' && p[k] <= '9';
                id = id * 10 + (p[k] - '0');
            }
        }
        if (!ok || id <= 0) {
            describe(v, d, sizeof(d));
            rc = fail(c->e, loc, "expected an application id (a positive integer), got %s", d);
            continue;
        }
        json_object_set_new_nocheck(cand, "application_id", json_integer(id));
    }
    return rc;
}

/* Talentd key for a vendor dimension name: the mapping's names, a standard
 * label (zh exactly, en ignoring case), or the name itself when it already
 * is a valid key. NULL when unknown. */
static const char *dim_key(const struct mapping *m, const char *ident)
{
    const struct pair *p = vmap_find(&m->dims.names, ident);
    if (p)
        return p->to;
    const char *key = result_dim_key(ident);
    if (key)
        return key;
    return valid_dim_key(ident) ? ident : NULL;
}

static const struct label *mapping_label_of(const struct mapping *m, const char *key)
{
    for (int i = 0; i < m->dims.nlabels; i++)
        if (strcmp(m->dims.labels[i].key, key) == 0)
            return &m->dims.labels[i];
    return NULL;
}

/* Appends one dimension to arr. zh/en are the payload's labels (may be
 * NULL); vname the vendor's name for it (fallback for label_zh). Takes
 * evidence (may be NULL). */
static int add_dim(const struct ctx *c, json_t *arr, const char *loc, const char *key, const char *vname, json_t *zh,
                   json_t *en, json_int_t score, json_t *evidence)
{
    size_t i;
    json_t *d;
    json_array_foreach(arr, i, d)
    {
        if (strcmp(json_string_value(json_object_get(d, "key")), key) == 0) {
            json_decref(evidence);
            json_decref(zh);
            json_decref(en);
            return fail(c->e, loc, "dimension %s is given twice", key);
        }
    }
    if (json_array_size(arr) >= MAX_DIMS) {
        json_decref(evidence);
        json_decref(zh);
        json_decref(en);
        return fail(c->e, loc, "more than %d dimensions", MAX_DIMS);
    }
    const struct label *ml = mapping_label_of(c->m, key);
    if (!zh && ml && ml->zh)
        zh = json_string(ml->zh);
    if (!zh && result_dim_label(key, 0))
        zh = json_string(result_dim_label(key, 0));
    if (!zh)
        zh = json_string(vname ? vname : key);
    if (!en && ml && ml->en)
        en = json_string(ml->en);
    if (!en && result_dim_label(key, 1))
        en = json_string(result_dim_label(key, 1));
    if (!en)
        en = json_string(key);
    d = json_object();
    json_object_set_new_nocheck(d, "key", json_string(key));
    json_object_set_new_nocheck(d, "label_zh", zh ? zh : json_string(key));
    json_object_set_new_nocheck(d, "label_en", en);
    json_object_set_new_nocheck(d, "score", json_integer(score));
    json_object_set_new_nocheck(d, "evidence", evidence ? evidence : json_null());
    json_array_append_new(arr, d);
    return 0;
}

/* Text at a relative sub-path of elem (absent sub-path: missing). */
static int sub_text(const struct ctx *c, json_t *elem, const struct path *p, const char *base, json_t **out)
{
    char loc[LOC_SZ];
    *out = NULL;
    if (!p->text)
        return 1;
    loc_join(loc, sizeof(loc), base, p->text);
    return to_text(c, path_get(p, elem), loc, out);
}

/* One JSON dimension element (array element or object member value). */
static int json_dim(const struct ctx *c, json_t *arr, json_t *elem, const char *base, const char *member)
{
    const struct dimspec *ds = &c->m->dims;
    char loc[LOC_SZ], kloc[LOC_SZ];
    json_t *kv = NULL, *nv = NULL, *zh = NULL, *en = NULL, *ev = NULL;
    json_int_t score = 0;
    int rc;
    const char *key = NULL;

    if (member) {
        key = dim_key(c->m, member);
        snprintf(kloc, sizeof(kloc), "%s", base);
    } else {
        if ((rc = sub_text(c, elem, &ds->key, base, &kv)) < 0 || (rc = sub_text(c, elem, &ds->name, base, &nv)) < 0)
            goto done;
        if (!kv && !nv) {
            rc = fail(c->e, base, "a dimension needs a key or a name (%s%s)", base,
                      ds->key.text ? ds->key.text : ds->name.text);
            goto done;
        }
        if (kv)
            key = dim_key(c->m, json_string_value(kv));
        if (!key && nv)
            key = dim_key(c->m, json_string_value(nv));
        loc_join(kloc, sizeof(kloc), base, kv ? ds->key.text : ds->name.text);
    }
    if (!key) {
        if (ds->drop_unknown) {
            rc = 0;
            goto done;
        }
        rc = fail(c->e, kloc, "unknown dimension \"%s\": add it to the mapping's dimensions.names",
                  member ? member : json_string_value(kv ? kv : nv));
        goto done;
    }
    loc_join(loc, sizeof(loc), base, ds->score.text);
    rc = to_score(c, path_get(&ds->score, elem), loc, ds->scale, &score);
    if (rc) {
        rc = rc == 1 ? 0 : rc; /* a dimension without a score is left out */
        goto done;
    }
    if ((rc = sub_text(c, elem, &ds->evidence, base, &ev)) < 0 ||
        (rc = sub_text(c, elem, &ds->label_zh, base, &zh)) < 0 ||
        (rc = sub_text(c, elem, &ds->label_en, base, &en)) < 0)
        goto done;
    rc = add_dim(c, arr, kloc, key, member ? member : (nv ? json_string_value(nv) : NULL), zh, en, score, ev);
    zh = en = ev = NULL;
done:
    json_decref(kv);
    json_decref(nv);
    json_decref(zh);
    json_decref(en);
    json_decref(ev);
    return rc;
}

static int put_dims(const struct ctx *c, json_t *arr)
{
    const struct dimspec *ds = &c->m->dims;
    char loc[LOC_SZ], eloc[LOC_SZ];
    int rc = 0;

    if (ds->shape == DIM_COLUMNS) {
        for (int i = 0; i < c->cols->ndims && rc == 0; i++) {
            const struct cdim *cd = &c->cols->dims[i];
            const char *cell = cd->idx < c->nfields ? c->fields[cd->idx] : "";
            size_t n = strlen(cell);
            json_int_t score;
            trim(&cell, &n);
            if (n == 0)
                continue;
            json_t *v = json_stringn(cell, n);
            if (!v)
                return fail(c->e, cd->name, "not valid UTF-8");
            rc = to_score(c, v, cd->name, ds->scale, &score);
            json_decref(v);
            if (rc == 0)
                rc = add_dim(c, arr, cd->name, cd->key, cd->name, NULL, NULL, score, NULL);
            else if (rc == 1)
                rc = 0;
        }
    } else if (ds->shape != DIM_NONE) {
        json_t *v = src_get(c, &ds->src, loc, sizeof(loc));
        if (!v) {
            /* required is checked on the result below */
        } else if (ds->shape == DIM_ARRAY) {
            size_t i;
            json_t *el;
            if (!json_is_array(v))
                return fail(c->e, loc, "expected an array of dimensions");
            json_array_foreach(v, i, el)
            {
                loc_index(eloc, sizeof(eloc), loc, i);
                if ((rc = json_dim(c, arr, el, eloc, NULL)))
                    break;
            }
        } else {
            const char *k;
            json_t *el;
            if (!json_is_object(v))
                return fail(c->e, loc, "expected an object {\"dimension name\": score, ...}");
            json_object_foreach(v, k, el)
            {
                loc_member(eloc, sizeof(eloc), loc, k);
                if ((rc = json_dim(c, arr, el, eloc, k)))
                    break;
            }
        }
    }
    if (rc == 0 && ds->required && json_array_size(arr) == 0)
        rc = fail(c->e, ds->shape == DIM_COLUMNS ? "dimensions" : ds->src.path.text,
                  "the mapping requires dimensions but none were found");
    return rc;
}

/* Appends s[0..n) split at any of the separators (trimmed, empty parts
 * dropped) to arr. */
static int add_tags(const struct ctx *c, json_t *arr, const char *s, size_t n, const char *loc)
{
    const struct tagspec *t = &c->m->tags;
    size_t start = 0, i = 0;
    while (i <= n) {
        size_t seplen = 0;
        if (i < n)
            for (int k = 0; k < t->nsplit && !seplen; k++) {
                size_t l = strlen(t->split[k]);
                if (l <= n - i && memcmp(s + i, t->split[k], l) == 0)
                    seplen = l;
            }
        if (i == n || seplen) {
            const char *p = s + start;
            size_t len = i - start;
            trim(&p, &len);
            if (len > 0) {
                json_t *tag = json_stringn(p, len);
                if (!tag)
                    return fail(c->e, loc, "a tag is not valid UTF-8 (a separator splits a character?)");
                json_array_append_new(arr, tag);
            }
            i += seplen ? seplen : 1;
            start = i;
        } else {
            i++;
        }
    }
    return 0;
}

static int put_tags(const struct ctx *c, json_t *arr)
{
    const struct tagspec *t = &c->m->tags;
    char loc[LOC_SZ], eloc[LOC_SZ], d[64];
    if (t->src.kind == SRC_NONE)
        return 0;
    json_t *v = src_get(c, &t->src, loc, sizeof(loc));
    if (!v) {
        if (t->src.required)
            return missing_required(c, loc, "tags");
        return 0;
    }
    if (json_is_string(v))
        return add_tags(c, arr, json_string_value(v), json_string_length(v), loc);
    if (!json_is_array(v)) {
        describe(v, d, sizeof(d));
        return fail(c->e, loc, "expected an array of tags or a string, got %s", d);
    }
    size_t i;
    json_t *el;
    json_array_foreach(v, i, el)
    {
        loc_index(eloc, sizeof(eloc), loc, i);
        if (json_is_null(el))
            continue;
        if (!json_is_string(el)) {
            describe(el, d, sizeof(d));
            return fail(c->e, eloc, "expected a tag string, got %s", d);
        }
        int rc = add_tags(c, arr, json_string_value(el), json_string_length(el), eloc);
        if (rc)
            return rc;
    }
    if (t->src.required && json_array_size(arr) == 0)
        return missing_required(c, loc, "tags");
    return 0;
}

/* An offset in ms or seconds at a sub-path -> ms. 0, 1 missing, error. */
static int to_offset(const struct ctx *c, json_t *v, const char *loc, int seconds, json_int_t *out)
{
    double x = 0;
    int r = to_number(c, v, loc, 0, seconds ? "a time offset in seconds" : "a time offset in milliseconds", &x);
    if (r)
        return r;
    double ms = seconds ? x * 1000 : x;
    if (ms < 0 || ms > MAX_OFFSET_MS)
        return fail(c->e, loc, "time offset %g is out of range", x);
    *out = (json_int_t)floor(ms + 0.5);
    return 0;
}

/* transcript (moments 0) or key_moments (1). */
static int put_seq(const struct ctx *c, json_t *arr, int moments)
{
    const struct seqspec *s = moments ? &c->m->moments : &c->m->transcript;
    const char *field = moments ? "key_moments" : "transcript";
    char loc[LOC_SZ], base[LOC_SZ], sl[LOC_SZ];
    if (s->src.kind == SRC_NONE)
        return 0;
    json_t *v = src_get(c, &s->src, loc, sizeof(loc));
    if (!v) {
        if (s->src.required)
            return missing_required(c, loc, field);
        return 0;
    }
    if (!json_is_array(v))
        return fail(c->e, loc, "expected an array (%s)", field);
    size_t i;
    json_t *el;
    json_array_foreach(v, i, el)
    {
        json_int_t start = 0, end = 0;
        json_t *text = NULL;
        const char *speaker = NULL;
        int rc;
        loc_index(base, sizeof(base), loc, i);
        loc_join(sl, sizeof(sl), base, s->start.text);
        rc = to_offset(c, path_get(&s->start, el), sl, s->seconds, &start);
        if (rc == 1)
            rc = fail(c->e, sl, "a %s needs a time here", moments ? "key moment" : "transcript segment");
        if (rc)
            return rc;
        end = start;
        if (!moments && s->end.text) {
            loc_join(sl, sizeof(sl), base, s->end.text);
            rc = to_offset(c, path_get(&s->end, el), sl, s->seconds, &end);
            if (rc < 0)
                return rc;
            if (rc == 1)
                end = start;
        }
        if (!moments) {
            loc_join(sl, sizeof(sl), base, s->speaker.text);
            rc = to_enum(c, path_get(&s->speaker, el), sl, &s->speakers, speakers,
                         s->drop_unknown ? UNK_NULL : UNK_ERROR, NULL, "speaker", &speaker);
            if (rc < 0)
                return rc;
            if (rc == 1) {
                if (s->drop_unknown)
                    continue;
                return fail(c->e, sl, "a transcript segment needs a speaker");
            }
        }
        if ((rc = sub_text(c, el, &s->text, base, &text)) < 0)
            return rc;
        if (rc == 1)
            continue; /* nothing said / no label: left out */
        json_t *o = json_object();
        if (moments) {
            json_object_set_new_nocheck(o, "at_ms", json_integer(start));
            json_object_set_new_nocheck(o, "label", text);
        } else {
            json_object_set_new_nocheck(o, "start_ms", json_integer(start));
            json_object_set_new_nocheck(o, "end_ms", json_integer(end));
            json_object_set_new_nocheck(o, "speaker", json_string(speaker));
            json_object_set_new_nocheck(o, "text", text);
        }
        json_array_append_new(arr, o);
    }
    return 0;
}

static int put_enum(const struct ctx *c, json_t *out, const char *key, const struct enumspec *es,
                    const char *const *valid, const char *what, const char **val)
{
    char loc[LOC_SZ];
    *val = NULL;
    if (es->src.kind != SRC_NONE) {
        int rc = to_enum(c, src_get(c, &es->src, loc, sizeof(loc)), loc, &es->map, valid, es->unknown,
                         es->unknown_value, what, val);
        if (rc < 0)
            return rc;
        if (rc == 1 && es->src.required)
            return missing_required(c, loc, key);
    }
    json_object_set_new_nocheck(out, key, *val ? json_string(*val) : json_null());
    return 0;
}

static int build(const struct ctx *c, json_t **out)
{
    const struct mapping *m = c->m;
    json_t *r = json_object(), *dims = json_array(), *arr;
    char loc[LOC_SZ], ts[32];
    const char *rec, *reason;
    int64_t ms = 0;
    json_int_t overall = 0;
    int rc;

    *out = NULL;
    json_object_set_new_nocheck(r, "vendor", json_string(m->name));
    if ((rc = put_text(c, r, "vendor_result_id", &m->result_id, 0)))
        goto done;
    rc = to_time(c, &m->completed, src_get(c, &m->completed.src, loc, sizeof(loc)), loc, &ms);
    if (rc == 1)
        rc = missing_required(c, loc, "completed_at");
    if (rc)
        goto done;
    time_format_rfc3339(ms, ts);
    if (ms % 1000 == 0) /* the canonical form: "...:00Z", milliseconds only when not zero */
        memcpy(ts + strlen(ts) - 5, "Z", 2);
    json_object_set_new_nocheck(r, "completed_at", json_string(ts));
    if ((rc = put_text(c, r, "model_version", &m->model_version, 1)) || (rc = put_candidate(c, r)) ||
        (rc = put_dims(c, dims)))
        goto done;

    rc = to_score(c, src_get(c, &m->overall.src, loc, sizeof(loc)), loc, m->overall.scale, &overall);
    if (rc == 1 && m->overall.mean_if_missing && json_array_size(dims) > 0) {
        size_t i;
        json_t *d;
        double sum = 0;
        json_array_foreach(dims, i, d) sum += (double)json_integer_value(json_object_get(d, "score"));
        overall = (json_int_t)floor(sum / (double)json_array_size(dims) + 0.5);
        rc = 0;
    } else if (rc == 1) {
        rc = fail(c->e, loc, "overall is required but the %s has nothing here%s", c->cells ? "row" : "payload",
                  m->overall.mean_if_missing ? " (and there are no dimensions to average)" : "");
    }
    if (rc)
        goto done;
    json_object_set_new_nocheck(r, "overall", json_integer(overall));

    if ((rc = put_enum(c, r, "vendor_recommendation", &m->rec, recommendations, "recommendation", &rec)) ||
        (rc = put_enum(c, r, "reason_category", &m->reason, pipeline_reasons, "reason", &reason)))
        goto done;
    /* A reason only goes with a rejection (or no recommendation at all). */
    if (reason && rec && strcmp(rec, "reject") != 0)
        json_object_set_new_nocheck(r, "reason_category", json_null());

    json_object_set_new_nocheck(r, "dimensions", dims);
    dims = NULL;
    json_object_set_new_nocheck(r, "tags", arr = json_array());
    if ((rc = put_tags(c, arr)))
        goto done;
    json_object_set_new_nocheck(r, "transcript", arr = json_array());
    if ((rc = put_seq(c, arr, 0)) || (rc = put_text(c, r, "video_url", &m->video_url, 1)))
        goto done;
    json_object_set_new_nocheck(r, "key_moments", arr = json_array());
    if ((rc = put_seq(c, arr, 1)))
        goto done;
    *out = r;
    r = NULL;
done:
    json_decref(dims);
    json_decref(r);
    return rc;
}

int mapping_apply_json(const struct mapping *m, json_t *payload, json_t **out, struct err *e)
{
    struct ctx c = {m, payload, NULL, NULL, NULL, 0, e};
    *out = NULL;
    if (m->csv)
        return err_set(e, ERR_INVALID, NULL, NULL, "mapping %s is for CSV files, not JSON payloads", m->name);
    if (!json_is_object(payload))
        return fail(e, "$", "expected a JSON object");
    return build(&c, out);
}

/* ---- CSV ---- */

void mapping_cols_free(struct mapping_cols *c)
{
    if (!c)
        return;
    for (int i = 0; i < c->ndims; i++) {
        free(c->dims[i].key);
        free(c->dims[i].name);
    }
    free(c->dims);
    free(c);
}

static void cols_add_dim(struct mapping_cols *c, int idx, const char *key, const char *name, size_t namelen)
{
    c->dims = xrealloc(c->dims, sizeof(struct cdim) * (size_t)(c->ndims + 1));
    c->dims[c->ndims].idx = idx;
    c->dims[c->ndims].key = xstrdup(key);
    c->dims[c->ndims].name = xstrndup(name, namelen);
    c->ndims++;
}

/* Index of the header cell equal (after trimming) to name; -1 when none,
 * -2 when there are two. */
static int header_find(char **headers, int n, const char *name)
{
    int found = -1;
    size_t nl = strlen(name);
    for (int i = 0; i < n; i++) {
        const char *h = headers[i] ? headers[i] : "";
        size_t hl = strlen(h);
        trim(&h, &hl);
        if (hl == nl && memcmp(h, name, nl) == 0) {
            if (found >= 0)
                return -2;
            found = i;
        }
    }
    return found;
}

static int header_resolve(const struct mapping *m, char **headers, int n, struct mapping_cols *c, struct err *e)
{
    const struct dimspec *ds = &m->dims;
    for (int s = 0; s < m->nslots; s++) {
        int i = header_find(headers, n, m->slot_col[s]);
        if (i == -2)
            return fail(e, m->slot_col[s], "column %s appears twice in the header", m->slot_col[s]);
        if (i == -1 && m->slot_req[s])
            return fail(e, m->slot_col[s], "required column %s is missing from the header", m->slot_col[s]);
        c->idx[s] = i;
    }
    if (ds->shape != DIM_COLUMNS)
        return 0;
    if (!ds->all_columns) {
        for (int k = 0; k < ds->ncols; k++) {
            int i = header_find(headers, n, ds->cols[k].column);
            if (i == -2)
                return fail(e, ds->cols[k].column, "column %s appears twice in the header", ds->cols[k].column);
            if (i == -1 && ds->required)
                return fail(e, ds->cols[k].column, "dimension column %s is missing from the header",
                            ds->cols[k].column);
            if (i >= 0)
                cols_add_dim(c, i, ds->cols[k].key, ds->cols[k].column, strlen(ds->cols[k].column));
        }
        return 0;
    }
    for (int i = 0; i < n; i++) {
        const char *h = headers[i] ? headers[i] : "";
        size_t hl = strlen(h);
        int used = 0;
        trim(&h, &hl);
        if (hl == 0)
            continue;
        for (int s = 0; s < m->nslots && !used; s++)
            used = c->idx[s] == i;
        for (int k = 0; k < ds->nignore && !used; k++)
            used = strlen(ds->ignore[k]) == hl && memcmp(ds->ignore[k], h, hl) == 0;
        if (used)
            continue;
        if (!utf8_valid(h, hl))
            return fail(e, "", "header column %d is not valid UTF-8", i + 1);
        char *name = xstrndup(h, hl);
        const char *key = dim_key(m, name);
        int rc = 0;
        if (!key && !ds->drop_unknown)
            rc = fail(e, name, "column %s is not a dimension the mapping knows: add it to dimensions.names", name);
        for (int k = 0; key && k < c->ndims && rc == 0; k++)
            if (strcmp(c->dims[k].key, key) == 0)
                rc = fail(e, name, "columns %s and %s are both dimension %s", c->dims[k].name, name, key);
        if (key && rc == 0)
            cols_add_dim(c, i, key, name, hl);
        free(name);
        if (rc)
            return rc;
    }
    if (ds->required && c->ndims == 0)
        return fail(e, "dimensions", "the header has no dimension column");
    return 0;
}

int mapping_csv_header(const struct mapping *m, char **headers, int n, struct mapping_cols **out, struct err *e)
{
    *out = NULL;
    if (!m->csv)
        return err_set(e, ERR_INVALID, NULL, NULL, "mapping %s is for JSON payloads, not CSV files", m->name);
    struct mapping_cols *c = xcalloc(1, sizeof(*c));
    c->m = m;
    int rc = header_resolve(m, headers, n < 0 ? 0 : n, c, e);
    if (rc) {
        mapping_cols_free(c);
        return rc;
    }
    *out = c;
    return 0;
}

int mapping_apply_row(const struct mapping *m, const struct mapping_cols *cols, char **fields, int n, json_t **out,
                      struct err *e)
{
    json_t *cells[MAX_SLOTS] = {NULL};
    struct ctx c = {m, NULL, cells, cols, fields, n < 0 ? 0 : n, e};
    int rc = 0;

    *out = NULL;
    if (!m->csv || !cols || cols->m != m)
        return err_set(e, ERR_INVALID, NULL, NULL, "mapping %s: not a CSV mapping, or a header from another mapping",
                       m->name);
    for (int s = 0; s < m->nslots && rc == 0; s++) {
        int i = cols->idx[s];
        if (i < 0 || i >= c.nfields || !fields[i])
            continue;
        const char *p = fields[i];
        size_t len = strlen(p);
        trim(&p, &len);
        if (len == 0)
            continue;
        cells[s] = json_stringn(p, len);
        if (!cells[s])
            rc = fail(e, m->slot_col[s], "not valid UTF-8");
    }
    if (rc == 0)
        rc = build(&c, out);
    for (int s = 0; s < m->nslots; s++)
        json_decref(cells[s]);
    return rc;
}

/* ---- signatures ---- */

int mapping_signature_header(const struct mapping *m, const char **header)
{
    if (header)
        *header = m->sig.present ? m->sig.header : NULL;
    return m->sig.present;
}

int mapping_verify_signature(const struct mapping *m, const unsigned char *secret, size_t secret_len, const void *body,
                             size_t body_len, const char *sig, struct err *e)
{
    const struct sigspec *s = &m->sig;
    const char *field = s->present ? s->header : "signature";
    unsigned char want[32], got[32 + 4];
    size_t n = 0;

    if (!s->present)
        return err_set(e, ERR_UNAUTHORIZED, "bad_signature", field, "vendor %s: the mapping has no signature", m->name);
    if (!secret || secret_len == 0)
        return err_set(e, ERR_UNAUTHORIZED, "bad_signature", field,
                       "vendor %s: no signing secret is set (talentd vendor secret %s)", m->name, m->name);
    if (!sig)
        return err_set(e, ERR_UNAUTHORIZED, "bad_signature", field, "missing %s header", s->header);
    size_t len = strlen(sig), plen = strlen(s->prefix);
    trim(&sig, &len);
    if (len == 0)
        return err_set(e, ERR_UNAUTHORIZED, "bad_signature", field, "empty %s header", s->header);
    if (len < plen || memcmp(sig, s->prefix, plen) != 0)
        return err_set(e, ERR_UNAUTHORIZED, "bad_signature", field, "%s must start with \"%s\"", s->header, s->prefix);
    sig += plen;
    len -= plen;

    int ok = 0;
    if (s->encoding == SIG_HEX) {
        char hex[65];
        if (len == 64) {
            memcpy(hex, sig, 64);
            hex[64] = '\0';
            ok = hex_decode(hex, got, 32, &n) == 0 && n == 32;
        }
    } else {
        int v1 = s->encoding == SIG_BASE64 ? sodium_base64_VARIANT_ORIGINAL : sodium_base64_VARIANT_URLSAFE;
        int v2 = s->encoding == SIG_BASE64 ? sodium_base64_VARIANT_ORIGINAL_NO_PADDING
                                           : sodium_base64_VARIANT_URLSAFE_NO_PADDING;
        const char *end = NULL;
        if (len <= 48)
            ok =
                (sodium_base642bin(got, sizeof(got), sig, len, NULL, &n, &end, v1) == 0 && end == sig + len &&
                 n == 32) ||
                (sodium_base642bin(got, sizeof(got), sig, len, NULL, &n, &end, v2) == 0 && end == sig + len && n == 32);
    }
    if (!ok)
        return err_set(e, ERR_UNAUTHORIZED, "bad_signature", field, "%s is not a %s HMAC-SHA256", s->header,
                       s->encoding == SIG_HEX ? "hex" : "base64");
    crypto_hmac_sha256(secret, secret_len, body_len ? body : "", body_len, want);
    ok = crypto_consttime_eq(want, got, 32);
    sodium_memzero(want, sizeof(want));
    if (!ok)
        return err_set(e, ERR_UNAUTHORIZED, "bad_signature", field, "%s does not match the request body", s->header);
    return 0;
}

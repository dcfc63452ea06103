/* rubric.c - see rubric.h. */
#include "core/rubric.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/result.h"
#include "lib/mem.h"
#include "lib/strbuf.h"
#include "lib/utf8.h"

/* Largest integer every JSON reader holds exactly (2^53 - 1). */
#define ID_MAX INT64_C(9007199254740991)

/* Weights of the formula in rubric.h. */
#define W_COVERAGE 0.6
#define W_STAR 0.25
#define W_LENGTH 0.15

/* Room for a field path: a phrase list's path is at most
 * "questions[49].rubric.phrases." + a 32-byte key (61 bytes), one of its
 * phrases' fields at most that + "[49].weight". */
#define LIST_PATH_SIZE 96
#define PATH_SIZE 128
#define FIELD_SIZE sizeof(((struct err *)0)->field)

/* ---- STAR markers ----
 * Already normalised (lower case, single spaces), matched as phrases are: an
 * English marker on word boundaries, a Chinese one anywhere. */

enum { STAR_S, STAR_T, STAR_A, STAR_R, STAR_N };

/* clang-format off */
static const char *const markers_s[] = {
    "当时", "背景", "情况是", "那时", "有一次", "之前在", "曾经", "在上一家",
    "situation", "at the time", "when i was", "when we were", "back then", "background", "context",
    "in my previous", "at my previous", "last year", NULL};
static const char *const markers_t[] = {
    "任务", "目标", "负责", "需要我", "要求我", "职责", "挑战是", "要解决",
    "task", "tasked", "goal", "my responsibility", "i was responsible", "i needed to", "i had to",
    "objective", "the challenge was", "my role", NULL};
static const char *const markers_a[] = {
    "我决定", "我采取", "首先", "然后", "于是", "接着", "我主导", "我推动", "我设计", "我组织",
    "我提出", "我编写", "我协调", "我带领", "我先", "我们采取",
    "i decided", "i took", "first", "firstly", "then", "i implemented", "i built", "i designed",
    "i organized", "i organised", "i led", "i proposed", "i wrote", "i created", "i introduced",
    "i set up", "i started", "we decided", NULL};
static const char *const markers_r[] = {
    "结果", "最终", "最后", "提升了", "降低了", "减少了", "增加了", "提高了", "达成", "完成了",
    "实现了", "节省了", "缩短了", "百分之",
    "as a result", "result", "results", "in the end", "increased", "reduced", "improved", "achieved",
    "saved", "delivered", "outcome", "cut", "finally", NULL};
/* clang-format on */

static const char *const *const star_markers[STAR_N] = {markers_s, markers_t, markers_a, markers_r};
static const char *const star_letters[STAR_N] = {"S", "T", "A", "R"};
static const char *const star_names[STAR_N] = {"situation", "task", "action", "result"};

/* ---- the parsed input ---- */

struct phrase {
    const char *text; /* as written in the rubric (points into the questions JSON) */
    char *norm;       /* normalised, in the arena */
    size_t norm_len;
    double weight;
    int found;
};

struct qdim {
    const char *key; /* points into the questions JSON */
    int gdim;        /* index into struct run.keys */
    struct phrase *ph;
    int nph;
    double wsum;
};

struct question {
    int64_t id;
    int required;
    int ndims;
    struct qdim dims[RUBRIC_MAX_DIMS_PER_QUESTION];
    const char *answer; /* normalised, in the arena; NULL when unanswered */
    size_t length;      /* code points of answer */
    int star[STAR_N];
};

struct run {
    struct arena arena;
    int nq;
    struct question q[RUBRIC_MAX_QUESTIONS];
    int nkeys;
    const char *keys[RUBRIC_MAX_RESULT_DIMS]; /* distinct dimensions, first-seen order */
};

/* ---- errors ---- */

/* ERR_INVALID with slug, field path and a printf message. */
#define fail(...) err_invalid(__VA_ARGS__)

/* ---- text ---- */

static int is_word(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Writes the normalised form of the n bytes of valid UTF-8 at s to out
 * (room for n + 1 bytes: nothing grows) and returns its length: ASCII
 * letters lower-cased, full-width U+FF01..U+FF5E folded to ASCII, runs of
 * whitespace (and controls) one space, none at either end. */
static size_t normalise(const char *s, size_t n, char *out)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0;
    int space = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        size_t len = utf8_seq_len(c);
        if (len > n - i)
            len = n - i;
        unsigned cp = 0;
        int ws = 0;
        unsigned char ascii = 0;
        if (len == 1) {
            if (c <= 0x20 || c == 0x7F)
                ws = 1;
            else
                ascii = c;
        } else if (len == 2) {
            cp = ((unsigned)(c & 0x1F) << 6) | (p[i + 1] & 0x3Fu);
            ws = cp <= 0xA0; /* C1 controls and U+00A0 */
        } else if (len == 3) {
            cp = ((unsigned)(c & 0x0F) << 12) | ((p[i + 1] & 0x3Fu) << 6) | (p[i + 2] & 0x3Fu);
            ws = (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
                 cp == 0x3000;
            if (cp >= 0xFF01 && cp <= 0xFF5E)
                ascii = (unsigned char)(cp - 0xFEE0);
        }
        if (ws) {
            space = 1;
            i += len;
            continue;
        }
        if (space && o > 0)
            out[o++] = ' ';
        space = 0;
        if (ascii) {
            out[o++] = (char)(ascii >= 'A' && ascii <= 'Z' ? ascii - 'A' + 'a' : ascii);
        } else {
            memcpy(out + o, s + i, len);
            o += len;
        }
        i += len;
    }
    out[o] = '\0';
    return o;
}

/* 1 if the normalised phrase ph (len > 0 bytes) occurs in the normalised
 * text, an ASCII letter or digit at either end of ph sitting on a word
 * boundary of text. */
static int contains(const char *text, const char *ph, size_t len)
{
    int check_start = is_word((unsigned char)ph[0]), check_end = is_word((unsigned char)ph[len - 1]);
    for (const char *p = strstr(text, ph); p; p = strstr(p + 1, ph)) {
        if (check_start && p > text && is_word((unsigned char)p[-1]))
            continue;
        if (check_end && is_word((unsigned char)p[len]))
            continue;
        return 1;
    }
    return 0;
}

/* 1 if text has a digit followed by "%" (optionally after one space); the
 * full-width ％ is already folded. */
static int has_percentage(const char *text)
{
    for (const char *p = strchr(text, '%'); p; p = strchr(p + 1, '%')) {
        const char *q = p;
        if (q > text && q[-1] == ' ')
            q--;
        if (q > text && q[-1] >= '0' && q[-1] <= '9')
            return 1;
    }
    return 0;
}

static void detect_star(struct question *q)
{
    for (int k = 0; k < STAR_N; k++) {
        q->star[k] = 0;
        for (const char *const *m = star_markers[k]; *m && !q->star[k]; m++)
            q->star[k] = contains(q->answer, *m, strlen(*m));
    }
    if (!q->star[STAR_R])
        q->star[STAR_R] = has_percentage(q->answer);
}

/* ---- validation ---- */

/* Reads the id of question qi into *id. */
static int parse_id(json_t *v, const char *path, int64_t *id, struct err *e)
{
    if (!v || json_is_null(v))
        return fail(e, "required", path, "%s is required", path);
    if (json_is_integer(v)) {
        json_int_t n = json_integer_value(v);
        if (n < 1 || n > ID_MAX)
            return fail(e, "out_of_range", path, "%s must be a positive integer", path);
        *id = (int64_t)n;
        return 0;
    }
    if (json_is_real(v)) {
        double d = json_real_value(v);
        if (!isfinite(d) || floor(d) != d)
            return fail(e, "wrong_type", path, "%s must be an integer", path);
        if (d < 1 || d > (double)ID_MAX)
            return fail(e, "out_of_range", path, "%s must be a positive integer", path);
        *id = (int64_t)d;
        return 0;
    }
    return fail(e, "wrong_type", path, "%s must be an integer", path);
}

/* The index of key in r->keys, adding it when new; -1 when there are
 * already RUBRIC_MAX_RESULT_DIMS. */
static int global_dim(struct run *r, const char *key)
{
    for (int i = 0; i < r->nkeys; i++)
        if (strcmp(r->keys[i], key) == 0)
            return i;
    if (r->nkeys >= RUBRIC_MAX_RESULT_DIMS)
        return -1;
    r->keys[r->nkeys] = key;
    return r->nkeys++;
}

/* Reads one phrase list (path is "questions[i].rubric.phrases.<key>"). */
static int parse_phrases(struct run *r, json_t *list, const char *path, struct qdim *d, struct err *e)
{
    char p[PATH_SIZE];
    if (json_is_null(list))
        return 0;
    if (!json_is_array(list))
        return fail(e, "wrong_type", path, "%s must be an array of {text, weight}", path);
    size_t n = json_array_size(list);
    if (n > RUBRIC_MAX_PHRASES)
        return fail(e, "too_many", path, "%s has more than %d phrases", path, RUBRIC_MAX_PHRASES);
    d->ph = n ? arena_alloc(&r->arena, n * sizeof(*d->ph)) : NULL;
    for (size_t i = 0; i < n; i++) {
        json_t *item = json_array_get(list, i);
        struct phrase *ph = &d->ph[i];
        snprintf(p, sizeof(p), "%s[%zu]", path, i);
        if (!json_is_object(item))
            return fail(e, "wrong_type", p, "%s must be an object {text, weight}", p);
        json_t *t = json_object_get(item, "text"), *w = json_object_get(item, "weight");
        snprintf(p, sizeof(p), "%s[%zu].text", path, i);
        if (!t || json_is_null(t))
            return fail(e, "required", p, "%s is required", p);
        if (!json_is_string(t))
            return fail(e, "wrong_type", p, "%s must be a string", p);
        const char *s = json_string_value(t);
        size_t len = json_string_length(t);
        if (!utf8_valid(s, len) || utf8_has_control(s, len) || strpbrk(s, "\t\n\r"))
            return fail(e, "invalid_value", p, "%s must be text without control characters", p);
        size_t cps = utf8_count(s, len);
        if (cps < 1)
            return fail(e, "required", p, "%s is required", p);
        if (cps > RUBRIC_PHRASE_MAX)
            return fail(e, "too_long", p, "%s is longer than %d characters", p, RUBRIC_PHRASE_MAX);
        ph->text = s;
        ph->norm = arena_alloc(&r->arena, len + 1);
        ph->norm_len = normalise(s, len, ph->norm);
        if (ph->norm_len == 0)
            return fail(e, "invalid_value", p, "%s must not be blank", p);
        for (size_t k = 0; k < i; k++)
            if (strcmp(d->ph[k].norm, ph->norm) == 0)
                return fail(e, "duplicate", p, "%s repeats %s[%zu].text", p, path, k);
        snprintf(p, sizeof(p), "%s[%zu].weight", path, i);
        if (!w || json_is_null(w))
            return fail(e, "required", p, "%s is required", p);
        if (!json_is_number(w))
            return fail(e, "wrong_type", p, "%s must be a number", p);
        double wv = json_number_value(w);
        if (!isfinite(wv) || wv <= 0 || wv > RUBRIC_WEIGHT_MAX)
            return fail(e, "out_of_range", p, "%s must be above 0 and at most 10", p);
        ph->weight = wv;
        d->wsum += wv;
        d->nph++;
    }
    return 0;
}

static int parse_question(struct run *r, json_t *qj, int qi, struct err *e)
{
    char pre[32], p[PATH_SIZE], lp[LIST_PATH_SIZE];
    struct question *q = &r->q[qi];
    snprintf(pre, sizeof(pre), "questions[%d]", qi);
    if (!json_is_object(qj))
        return fail(e, "wrong_type", pre, "%s must be an object {id, dims, required, rubric}", pre);

    snprintf(p, sizeof(p), "%s.id", pre);
    int rc = parse_id(json_object_get(qj, "id"), p, &q->id, e);
    if (rc)
        return rc;
    for (int k = 0; k < qi; k++)
        if (r->q[k].id == q->id)
            return fail(e, "duplicate", p, "%s repeats the id of questions[%d]", p, k);

    json_t *dims = json_object_get(qj, "dims");
    snprintf(p, sizeof(p), "%s.dims", pre);
    if (!dims || json_is_null(dims))
        return fail(e, "required", p, "%s is required", p);
    if (!json_is_array(dims))
        return fail(e, "wrong_type", p, "%s must be an array of dimension keys", p);
    if (json_array_size(dims) < 1)
        return fail(e, "required", p, "%s must name at least one dimension", p);
    if (json_array_size(dims) > RUBRIC_MAX_DIMS_PER_QUESTION)
        return fail(e, "too_many", p, "%s has more than %d dimensions", p, RUBRIC_MAX_DIMS_PER_QUESTION);
    for (size_t i = 0; i < json_array_size(dims); i++) {
        json_t *k = json_array_get(dims, i);
        snprintf(p, sizeof(p), "%s.dims[%zu]", pre, i);
        if (!json_is_string(k))
            return fail(e, "wrong_type", p, "%s must be a string", p);
        const char *key = json_string_value(k);
        if (!result_dim_key_valid(key, json_string_length(k)))
            return fail(e, "invalid_value", p, "%s must be a dimension key ([a-z][a-z0-9_]{0,31})", p);
        for (int j = 0; j < q->ndims; j++)
            if (strcmp(q->dims[j].key, key) == 0)
                return fail(e, "duplicate", p, "%s repeats %s.dims[%d]", p, pre, j);
        int g = global_dim(r, key);
        if (g < 0)
            return fail(e, "too_many", p, "%s: the questions measure more than %d distinct dimensions", p,
                        RUBRIC_MAX_RESULT_DIMS);
        q->dims[q->ndims].key = key;
        q->dims[q->ndims].gdim = g;
        q->ndims++;
    }

    json_t *req = json_object_get(qj, "required");
    snprintf(p, sizeof(p), "%s.required", pre);
    if (!req || json_is_null(req))
        return fail(e, "required", p, "%s is required", p);
    if (!json_is_boolean(req))
        return fail(e, "wrong_type", p, "%s must be true or false", p);
    q->required = json_is_true(req);

    json_t *rub = json_object_get(qj, "rubric");
    snprintf(p, sizeof(p), "%s.rubric", pre);
    if (!rub || json_is_null(rub))
        return fail(e, "required", p, "%s is required", p);
    if (!json_is_object(rub))
        return fail(e, "wrong_type", p, "%s must be an object {phrases, sample_answer?}", p);
    json_t *sample = json_object_get(rub, "sample_answer");
    if (sample && !json_is_null(sample) && !json_is_string(sample)) {
        snprintf(p, sizeof(p), "%s.rubric.sample_answer", pre);
        return fail(e, "wrong_type", p, "%s must be a string", p);
    }
    json_t *phrases = json_object_get(rub, "phrases");
    snprintf(p, sizeof(p), "%s.rubric.phrases", pre);
    if (!phrases || json_is_null(phrases))
        return fail(e, "required", p, "%s is required", p);
    if (!json_is_object(phrases))
        return fail(e, "wrong_type", p, "%s must be an object {<dim key>: [{text, weight}]}", p);
    const char *key;
    json_t *list;
    json_object_foreach(phrases, key, list)
    {
        /* A path holding a payload's key is cut (on a character boundary)
         * to what e->field holds. */
        snprintf(p, FIELD_SIZE, "%s.rubric.phrases.", pre);
        utf8_append_printable(p, FIELD_SIZE, key);
        int j = 0;
        while (j < q->ndims && strcmp(q->dims[j].key, key) != 0)
            j++;
        if (j == q->ndims)
            return fail(e, "unknown_field", p, "%s is not one of %s.dims", p, pre);
    }
    /* In dims order, so that the first problem reported does not depend on
     * the order of the object's keys. */
    for (int j = 0; j < q->ndims; j++) {
        json_t *l = json_object_get(phrases, q->dims[j].key);
        if (!l)
            continue;
        snprintf(lp, sizeof(lp), "%s.rubric.phrases.%s", pre, q->dims[j].key);
        rc = parse_phrases(r, l, lp, &q->dims[j], e);
        if (rc)
            return rc;
    }
    return 0;
}

/* The question whose decimal id is key, or NULL. */
static struct question *question_by_key(struct run *r, const char *key)
{
    size_t n = strlen(key);
    if (n < 1 || n > 16 || key[0] == '0')
        return NULL;
    int64_t id = 0;
    for (size_t i = 0; i < n; i++) {
        if (key[i] < '0' || key[i] > '9')
            return NULL;
        id = id * 10 + (key[i] - '0');
    }
    for (int i = 0; i < r->nq; i++)
        if (r->q[i].id == id)
            return &r->q[i];
    return NULL;
}

static int parse_answers(struct run *r, json_t *answers, struct err *e)
{
    char p[PATH_SIZE];
    if (!answers || json_is_null(answers))
        return fail(e, "required", "answers", "answers is required");
    if (!json_is_object(answers))
        return fail(e, "wrong_type", "answers", "answers must be an object {\"<question id>\": \"answer\"}");
    const char *key;
    json_t *v;
    json_object_foreach(answers, key, v)
    {
        snprintf(p, FIELD_SIZE, "answers.");
        utf8_append_printable(p, FIELD_SIZE, key);
        struct question *q = question_by_key(r, key);
        if (!q)
            return fail(e, "unknown_field", p, "%s is not the id of a question", p);
        if (json_is_null(v))
            continue;
        if (!json_is_string(v))
            return fail(e, "wrong_type", p, "%s must be a string", p);
        const char *s = json_string_value(v);
        size_t len = json_string_length(v);
        if (len > RUBRIC_ANSWER_MAX)
            return fail(e, "too_long", p, "%s is longer than %d bytes", p, RUBRIC_ANSWER_MAX);
        if (!utf8_valid(s, len))
            return fail(e, "invalid_value", p, "%s is not valid UTF-8", p);
        char *norm = arena_alloc(&r->arena, len + 1);
        size_t n = normalise(s, len, norm);
        if (n == 0)
            continue;
        q->answer = norm;
        q->length = utf8_count(norm, n);
    }
    return 0;
}

/* ---- scoring ---- */

/* x >= 0 rounded half up to an integer in 0..100. The epsilon keeps a value
 * that should be exactly n.5 (computed as n.4999...) from rounding down. */
static int round_score(double x)
{
    if (!(x > 0))
        return 0;
    double v = floor(x + 0.5 + 1e-9);
    return v > 100 ? 100 : (int)v;
}

/* s(q, d) of rubric.h. */
static double question_score(const struct question *q, const struct qdim *d)
{
    if (!q->answer)
        return 0;
    int nstar = 0;
    for (int k = 0; k < STAR_N; k++)
        nstar += q->star[k] != 0;
    double star = nstar / (double)STAR_N;
    double len = (double)q->length / RUBRIC_LENGTH_TARGET;
    if (len > 1)
        len = 1;
    if (d->nph == 0)
        return 100.0 * (W_STAR * star + W_LENGTH * len) / (W_STAR + W_LENGTH);
    double found = 0;
    for (int i = 0; i < d->nph; i++)
        if (d->ph[i].found)
            found += d->ph[i].weight;
    return 100.0 * (W_COVERAGE * (found / d->wsum) + W_STAR * star + W_LENGTH * len);
}

/* Heap copy of b's text cut to RUBRIC_EVIDENCE_MAX code points ("…" ending
 * a cut one); *len its length. */
static char *evidence_text(const struct strbuf *b, size_t *len)
{
    const char *s = b->p ? b->p : "";
    size_t n = b->len;
    if (utf8_count(s, n) <= RUBRIC_EVIDENCE_MAX) {
        *len = n;
        return xstrndup(s, n);
    }
    size_t cut = utf8_prefix(s, n, RUBRIC_EVIDENCE_MAX - 1);
    static const char ellipsis[] = "\xE2\x80\xA6"; /* … */
    char *out = xmalloc(cut + sizeof(ellipsis));
    memcpy(out, s, cut);
    memcpy(out + cut, ellipsis, sizeof(ellipsis));
    *len = cut + sizeof(ellipsis) - 1;
    return out;
}

/* {key, score, evidence} of dimension g; *score its score. */
static json_t *dimension_json(const struct run *r, int g, int *score)
{
    struct strbuf ph, st;
    sb_init(&ph, 0);
    sb_init(&st, 0);
    double sum = 0;
    int counted = 0;
    for (int i = 0; i < r->nq; i++) {
        const struct question *q = &r->q[i];
        const struct qdim *d = NULL;
        for (int j = 0; j < q->ndims && !d; j++)
            if (q->dims[j].gdim == g)
                d = &q->dims[j];
        if (!d || (!q->answer && !q->required))
            continue;
        sum += question_score(q, d);
        sb_printf(&ph, "%sQ%lld: ", counted ? "; " : "", (long long)q->id);
        counted++;
        if (!q->answer) {
            sb_puts(&ph, "no answer");
            continue;
        }
        int nfound = 0;
        for (int k = 0; k < d->nph; k++) {
            if (!d->ph[k].found)
                continue;
            sb_printf(&ph, "%s%s", nfound ? ", " : "", d->ph[k].text);
            nfound++;
        }
        if (!nfound)
            sb_puts(&ph, "-");
        sb_puts(&st, st.len ? ", " : "");
        int nstar = 0;
        for (int k = 0; k < STAR_N; k++) {
            if (!q->star[k])
                continue;
            sb_printf(&st, "%s%s", nstar ? " " : "", star_letters[k]);
            nstar++;
        }
        sb_printf(&st, "%s (Q%lld)", nstar ? "" : "-", (long long)q->id);
    }
    if (!counted)
        sb_puts(&ph, "no answer");
    if (st.len)
        sb_printf(&ph, " | STAR: %s", st.p);
    *score = counted ? round_score(sum / counted) : 0;

    size_t len;
    char *ev = evidence_text(&ph, &len);
    json_t *o = json_object();
    json_object_set_new(o, "key", json_string(r->keys[g]));
    json_object_set_new(o, "score", json_integer(*score));
    json_object_set_new(o, "evidence", json_stringn(ev, len));
    free(ev);
    sb_free(&ph);
    sb_free(&st);
    return o;
}

/* {question_id, answered, length, keywords, star} of question q. */
static json_t *answer_json(const struct question *q)
{
    json_t *o = json_object(), *kw = json_array(), *star = json_object();
    json_object_set_new(o, "question_id", json_integer((json_int_t)q->id));
    json_object_set_new(o, "answered", json_boolean(q->answer != NULL));
    json_object_set_new(o, "length", json_integer((json_int_t)q->length));
    for (int j = 0; j < q->ndims; j++) {
        const struct qdim *d = &q->dims[j];
        for (int k = 0; k < d->nph; k++) {
            if (!d->ph[k].found)
                continue;
            /* Skip a phrase already listed under an earlier dimension. */
            int dup = 0;
            for (int jj = 0; jj <= j && !dup; jj++) {
                const struct qdim *dd = &q->dims[jj];
                int end = jj == j ? k : dd->nph;
                for (int kk = 0; kk < end && !dup; kk++)
                    dup = dd->ph[kk].found && strcmp(dd->ph[kk].norm, d->ph[k].norm) == 0;
            }
            if (!dup)
                json_array_append_new(kw, json_string(d->ph[k].text));
        }
    }
    json_object_set_new(o, "keywords", kw);
    for (int k = 0; k < STAR_N; k++)
        json_object_set_new(star, star_names[k], json_boolean(q->star[k]));
    json_object_set_new(o, "star", star);
    return o;
}

int rubric_score(json_t *questions, json_t *answers, json_t **out, struct err *e)
{
    int rc;
    if (out)
        *out = NULL;
    struct run *r = xcalloc(1, sizeof(*r));
    if (!questions || json_is_null(questions)) {
        rc = fail(e, "required", "questions", "questions is required");
        goto done;
    }
    if (!json_is_array(questions)) {
        rc = fail(e, "wrong_type", "questions", "questions must be an array");
        goto done;
    }
    if (json_array_size(questions) < 1) {
        rc = fail(e, "required", "questions", "questions must hold at least one question");
        goto done;
    }
    if (json_array_size(questions) > RUBRIC_MAX_QUESTIONS) {
        rc = fail(e, "too_many", "questions", "questions has more than %d questions", RUBRIC_MAX_QUESTIONS);
        goto done;
    }
    for (size_t i = 0; i < json_array_size(questions); i++) {
        rc = parse_question(r, json_array_get(questions, i), (int)i, e);
        if (rc)
            goto done;
        r->nq++;
    }
    rc = parse_answers(r, answers, e);
    if (rc)
        goto done;

    /* Match: each answer is scanned for every phrase and marker, nothing
     * allocated. */
    for (int i = 0; i < r->nq; i++) {
        struct question *q = &r->q[i];
        if (!q->answer)
            continue;
        detect_star(q);
        for (int j = 0; j < q->ndims; j++)
            for (int k = 0; k < q->dims[j].nph; k++) {
                struct phrase *ph = &q->dims[j].ph[k];
                ph->found = contains(q->answer, ph->norm, ph->norm_len);
            }
    }

    json_t *res = json_object(), *dims = json_array(), *ans = json_array();
    int total = 0;
    for (int g = 0; g < r->nkeys; g++) {
        int score = 0;
        json_array_append_new(dims, dimension_json(r, g, &score));
        total += score;
    }
    for (int i = 0; i < r->nq; i++)
        json_array_append_new(ans, answer_json(&r->q[i]));
    json_object_set_new(res, "overall", json_integer(r->nkeys ? round_score((double)total / r->nkeys) : 0));
    json_object_set_new(res, "dimensions", dims);
    json_object_set_new(res, "answers", ans);
    if (out)
        *out = res;
    else
        json_decref(res);
done:
    arena_free(&r->arena);
    free(r);
    return rc;
}

/* question_sets.c - interview question sets and their questions
 * (svc/question_sets.h). A set and its questions change together in one
 * transaction; the set carries the version for optimistic concurrency.
 * Every input is validated before anything is written, and errors name the
 * field by its path in the document ("questions[2].rubric.phrases.logic[0].weight"). */
#include "svc/question_sets.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/result.h"
#include "lib/mem.h"
#include "svc/org.h"
#include "svc/query.h"
#include "svc/validate.h"
#include "svc/views.h"

#define QS_SELECT                                                                                                      \
    "SELECT qs.id, qs.code, qs.name, qs.position_id, p.code, qs.allow_restart, qs.created_at, qs.updated_at, "         \
    "qs.version, (SELECT COUNT(*) FROM question qq WHERE qq.set_id = qs.id) "                                          \
    "FROM question_set qs LEFT JOIN position p ON p.id = qs.position_id WHERE 1=1"

#define Q_SELECT                                                                                                       \
    "SELECT id, seq, text_zh, text_en, time_limit_s, required, dims_json, rubric_json FROM question WHERE set_id = ?"

#define WEIGHT_MAX 10.0

/* ------------------------------------------------------------------------
 * representation */

static json_t *qs_row(struct svc_ctx *c, struct db_stmt *s)
{
    (void)c;
    int shared = db_col_isnull(s, 3);
    return json_pack("{s:I,s:s,s:s,s:o,s:o,s:b,s:b,s:I,s:o,s:o,s:I}", "id", (json_int_t)db_col_int64(s, 0), "code",
                     db_col_text(s, 1), "name", db_col_text(s, 2), "position_id",
                     shared ? json_null() : json_integer(db_col_int64(s, 3)), "position",
                     shared ? json_null() : json_string(db_col_text(s, 4)), "shared", shared, "allow_restart",
                     db_col_int64(s, 5) != 0, "question_count", (json_int_t)db_col_int64(s, 9), "created_at",
                     json_time(db_col_int64(s, 6)), "updated_at", json_time(db_col_int64(s, 7)), "version",
                     (json_int_t)db_col_int64(s, 8));
}

/* A stored JSON column, or fallback (a new empty array/object) when it does not parse as that type. */
static json_t *json_col(struct db_stmt *s, int col, int want_array)
{
    json_t *v = json_loads(db_col_text(s, col), 0, NULL);
    if (want_array ? !json_is_array(v) : !json_is_object(v)) {
        json_decref(v);
        v = want_array ? json_array() : json_pack("{s:{},s:s}", "phrases", "sample_answer", "");
    }
    return v;
}

static json_t *q_row(struct svc_ctx *c, struct db_stmt *s)
{
    (void)c;
    return json_pack("{s:I,s:I,s:s,s:s,s:I,s:b,s:o,s:o}", "id", (json_int_t)db_col_int64(s, 0), "seq",
                     (json_int_t)db_col_int64(s, 1), "text_zh", db_col_text(s, 2), "text_en", db_col_text(s, 3),
                     "time_limit_s", (json_int_t)db_col_int64(s, 4), "required", db_col_int64(s, 5) != 0, "dims",
                     json_col(s, 6, 1), "rubric", json_col(s, 7, 0));
}

/* A manager sees shared sets and those of positions in their org subtree. */
static void qs_scope(struct qb *q, const struct actor *a)
{
    if (a->role != ROLE_MANAGER)
        return;
    qb_sql(q, " AND (qs.position_id IS NULL OR qs.position_id IN (SELECT sp.id FROM position sp WHERE 1=1");
    qb_scope_position(q, a, "sp.org_unit_id");
    qb_sql(q, "))");
}

/* Loads the set with its questions; scoped limits it to what the actor may see. */
static int qs_load(struct svc_ctx *c, int64_t id, int scoped, json_t **out)
{
    struct qb q;
    qb_init(&q, QS_SELECT " AND qs.id = ?");
    qb_int(&q, id);
    if (scoped)
        qs_scope(&q, c->actor);
    json_t *o = NULL;
    int rc = qb_one(c, &q, qs_row, "question set", &o);
    if (rc != 0)
        return rc;
    json_t *questions = json_array();
    qb_init(&q, Q_SELECT " ORDER BY seq");
    qb_int(&q, id);
    if ((rc = qb_all(c, &q, q_row, questions)) != 0) {
        json_decref(questions);
        json_decref(o);
        return rc;
    }
    json_object_set_new(o, "questions", questions);
    *out = o;
    return 0;
}

int svc_question_set_get(struct svc_ctx *c, int64_t id, json_t **out)
{
    int rc = svc_begin_read(c);
    if (rc == 0)
        rc = qs_load(c, id, 1, out);
    return svc_end(c, rc);
}

int svc_question_set_id_by_code(struct svc_ctx *c, const char *code, int64_t *id)
{
    return svc_lookup_id(c, "SELECT id FROM question_set WHERE code = ?", code, "code", "question set with code", id);
}

int svc_question_set_list(struct svc_ctx *c, json_t *query, json_t **out)
{
    static const char *const params[] = {"position", "shared", "code", "limit", "cursor", NULL};
    int shared, rc;
    if ((rc = jq_known(query, params, c->e)) || (rc = q_bool(query, "shared", &shared, c->e)))
        return rc;
    struct qb q;
    qb_init(&q, QS_SELECT);
    const char *pos = q_str(query, "position"), *code = q_str(query, "code");
    if (pos) {
        qb_sql(&q, " AND p.code = ?");
        qb_text(&q, pos);
    }
    if (shared == 1)
        qb_sql(&q, " AND qs.position_id IS NULL");
    else if (shared == 0)
        qb_sql(&q, " AND qs.position_id IS NOT NULL");
    if (code) {
        qb_sql(&q, " AND qs.code = ?");
        qb_text(&q, code);
    }
    qs_scope(&q, c->actor);
    return qb_page(c, &q, query, "qs.id", qs_row, out);
}

/* ------------------------------------------------------------------------
 * validation: each function returns 0 or ERR_INVALID with e->field relative
 * to the value it was given; at() puts the enclosing path in front. */

static int at(struct err *e, const char *prefix, int rc)
{
    char f[160];
    if (e->field[0])
        snprintf(f, sizeof(f), "%.80s%s%.63s", prefix, e->field[0] == '[' ? "" : ".", e->field);
    else
        snprintf(f, sizeof(f), "%.80s", prefix);
    snprintf(e->field, sizeof(e->field), "%.63s", f); /* a very long path is cut, never overrun */
    return rc;
}

/* An optional multiline text (absent, null and "" all mean none): *out = "" then. */
static int opt_text(json_t *in, const char *key, size_t maxlen, const char **out, struct err *e)
{
    json_t *v = json_object_get(in, key);
    *out = "";
    if (json_is_string(v) && json_string_length(v) == 0)
        return 0;
    int rc = jv_text(in, key, 0, maxlen, out, NULL, e);
    if (rc == 0 && !*out)
        *out = "";
    return rc;
}

/* dims: 1..QSET_MAX_DIMS distinct keys; *norm gets a new array. */
static int dims_read(json_t *q, json_t **norm, struct err *e)
{
    json_t *a = json_object_get(q, "dims");
    if (!a || json_is_null(a))
        return err_set(e, ERR_INVALID, "required", "dims", "dims is required (the dimensions the question measures)");
    if (!json_is_array(a))
        return err_set(e, ERR_INVALID, "wrong_type", "dims", "dims must be an array of dimension keys");
    if (json_array_size(a) == 0)
        return err_set(e, ERR_INVALID, "required", "dims", "dims must name at least one dimension");
    if (json_array_size(a) > QSET_MAX_DIMS)
        return err_set(e, ERR_INVALID, "too_many", "dims", "dims has more than %d dimensions", QSET_MAX_DIMS);
    size_t i, j;
    json_t *v, *prev;
    json_array_foreach(a, i, v)
    {
        char f[32];
        snprintf(f, sizeof(f), "dims[%d]", (int)i);
        const char *k = json_string_value(v);
        if (!k || !result_dim_key_valid(k, strlen(k)))
            return err_set(e, ERR_INVALID, "invalid_dim", f, "%s must be a dimension key ([a-z][a-z0-9_]{0,31})", f);
        json_array_foreach(a, j, prev)
        {
            if (j >= i)
                break;
            if (strcmp(json_string_value(prev), k) == 0)
                return err_set(e, ERR_INVALID, "duplicate_dim", f, "dimension %s appears twice", k);
        }
    }
    *norm = json_deep_copy(a);
    return 0;
}

/* One rubric phrase {text, weight} appended to norm in normal form. */
static int phrase_read(json_t *v, json_t *norm, struct err *e)
{
    static const char *const keys[] = {"text", "weight", NULL};
    if (!json_is_object(v))
        return err_set(e, ERR_INVALID, "wrong_type", "", "a phrase must be an object {text, weight}");
    const char *text;
    int rc;
    if ((rc = jv_known(v, keys, e)) || (rc = jv_string(v, "text", 1, QSET_PHRASE_MAX, &text, NULL, e)))
        return rc;
    json_t *w = json_object_get(v, "weight");
    if (!w || json_is_null(w))
        return err_set(e, ERR_INVALID, "required", "weight", "weight is required");
    if (!json_is_number(w))
        return err_set(e, ERR_INVALID, "wrong_type", "weight", "weight must be a number");
    double weight = json_number_value(w);
    if (!isfinite(weight) || weight <= 0 || weight > WEIGHT_MAX)
        return err_set(e, ERR_INVALID, "out_of_range", "weight", "weight must be greater than 0 and at most %g",
                       WEIGHT_MAX);
    json_array_append_new(norm, json_pack("{s:s,s:f}", "text", text, "weight", weight));
    return 0;
}

/* The phrases of one dimension: dim must be in dims; list 0..QSET_MAX_PHRASES phrases, stored in out[dim]. */
static int phrase_list_read(const char *dim, json_t *list, json_t *dims, json_t *out, struct err *e)
{
    char f[sizeof(e->field)];
    snprintf(f, sizeof(f), "rubric.phrases.%.40s", dim);
    int known = 0;
    size_t i;
    json_t *d, *v;
    json_array_foreach(dims, i, d)
    {
        known |= strcmp(json_string_value(d), dim) == 0;
    }
    if (!known)
        return err_set(e, ERR_INVALID, "unknown_dim", f, "%.40s is not one of the question's dims", dim);
    if (!json_is_array(list))
        return err_set(e, ERR_INVALID, "wrong_type", f, "%s must be an array of {text, weight}", f);
    if (json_array_size(list) > QSET_MAX_PHRASES)
        return err_set(e, ERR_INVALID, "too_many", f, "%s has more than %d phrases", f, QSET_MAX_PHRASES);
    json_t *norm_list = json_array();
    json_object_set_new(out, dim, norm_list);
    json_array_foreach(list, i, v)
    {
        int rc = phrase_read(v, norm_list, e);
        if (rc != 0) {
            char g[96];
            snprintf(g, sizeof(g), "%.63s[%d]", f, (int)(i % 1000));
            return at(e, g, rc);
        }
    }
    return 0;
}

/* rubric {phrases: {dim in dims: [phrase] up to QSET_MAX_PHRASES}, sample_answer}; absent or null: empty. */
static int rubric_read(json_t *q, json_t *dims, json_t **norm, struct err *e)
{
    static const char *const keys[] = {"phrases", "sample_answer", NULL};
    json_t *r = json_object_get(q, "rubric");
    const char *sample = "";
    int rc;
    if (r && !json_is_null(r) && !json_is_object(r))
        return err_set(e, ERR_INVALID, "wrong_type", "rubric", "rubric must be an object {phrases, sample_answer}");
    if (json_is_object(r) &&
        ((rc = jv_known(r, keys, e)) || (rc = opt_text(r, "sample_answer", QSET_SAMPLE_MAX, &sample, e))))
        return at(e, "rubric", rc);
    json_t *phrases = json_is_object(r) ? json_object_get(r, "phrases") : NULL;
    if (phrases && !json_is_null(phrases) && !json_is_object(phrases))
        return err_set(e, ERR_INVALID, "wrong_type", "rubric.phrases",
                       "rubric.phrases must be an object {dimension: [{text, weight}]}");
    json_t *out = json_object();
    const char *dim;
    json_t *list;
    rc = 0;
    if (json_is_object(phrases)) {
        json_object_foreach(phrases, dim, list)
        {
            if ((rc = phrase_list_read(dim, list, dims, out, e)) != 0)
                break;
        }
    }
    if (rc != 0) {
        json_decref(out);
        return rc;
    }
    *norm = json_pack("{s:o,s:s}", "phrases", out, "sample_answer", sample);
    return 0;
}

/* One question in normal form, with "id" when keep_id and the entry names one (a new set ignores the ids
 * of a copied representation; an update keeps those questions). */
static int question_read(json_t *v, int keep_id, json_t **norm, struct err *e)
{
    static const char *const keys[] = {"text_zh", "text_en", "time_limit_s", "required", "dims",
                                       "rubric",  "id",      "seq",          NULL};
    if (!json_is_object(v))
        return err_set(e, ERR_INVALID, "wrong_type", "", "a question must be an object");
    const char *zh, *en;
    int64_t time_limit = QSET_TIME_DEFAULT, qid = 0, seq = 0;
    int required = 1, has_id = 0, rc;
    json_t *dims = NULL, *rubric = NULL;
    /* seq is accepted (a representation sent back) but the order of the array decides. */
    if ((rc = jv_known(v, keys, e)) || (rc = jv_text(v, "text_zh", 1, QSET_TEXT_MAX, &zh, NULL, e)) ||
        (rc = opt_text(v, "text_en", QSET_TEXT_MAX, &en, e)) ||
        (rc = jv_int(v, "time_limit_s", 0, QSET_TIME_MIN, QSET_TIME_MAX, &time_limit, NULL, e)) ||
        (rc = jv_bool(v, "required", &required, NULL, e)) ||
        (rc = jv_int(v, "seq", 0, 1, QSET_MAX_QUESTIONS, &seq, NULL, e)) ||
        (rc = jv_int(v, "id", 0, 1, INT64_MAX, &qid, &has_id, e)) || (rc = dims_read(v, &dims, e)) ||
        (rc = rubric_read(v, dims, &rubric, e))) {
        json_decref(dims);
        return rc;
    }
    *norm = json_pack("{s:s,s:s,s:I,s:b,s:o,s:o}", "text_zh", zh, "text_en", en, "time_limit_s", (json_int_t)time_limit,
                      "required", required, "dims", dims, "rubric", rubric);
    if (keep_id && has_id)
        json_object_set_new(*norm, "id", json_integer(qid));
    return 0;
}

/* questions: 1..QSET_MAX_QUESTIONS entries; *norm gets the normal forms. */
static int questions_read(json_t *in, int allow_id, json_t **norm, struct err *e)
{
    json_t *a = json_object_get(in, "questions");
    if (!a || json_is_null(a))
        return err_set(e, ERR_INVALID, "required", "questions", "questions is required");
    if (!json_is_array(a))
        return err_set(e, ERR_INVALID, "wrong_type", "questions", "questions must be an array");
    if (json_array_size(a) == 0)
        return err_set(e, ERR_INVALID, "required", "questions", "a question set needs at least one question");
    if (json_array_size(a) > QSET_MAX_QUESTIONS)
        return err_set(e, ERR_INVALID, "too_many", "questions", "a question set has at most %d questions",
                       QSET_MAX_QUESTIONS);
    json_t *out = json_array(), *v;
    size_t i;
    json_array_foreach(a, i, v)
    {
        json_t *q = NULL;
        int rc = question_read(v, allow_id, &q, e);
        if (rc != 0) {
            char f[32];
            snprintf(f, sizeof(f), "questions[%d]", (int)i);
            json_decref(out);
            return at(e, f, rc);
        }
        json_array_append_new(out, q);
    }
    *norm = out;
    return 0;
}

/* Reads "position": absent leaves *pos_id; null (or absent when create) = shared (0); a code is looked up
 * (422 invalid_reference when there is none). */
static int position_read(struct svc_ctx *c, json_t *in, int64_t *pos_id)
{
    json_t *v = json_object_get(in, "position");
    if (!v)
        return 0;
    if (json_is_null(v)) {
        *pos_id = 0;
        return 0;
    }
    const char *code;
    int rc = jv_code(in, "position", 0, &code, c->e);
    if (rc != 0)
        return rc;
    rc = svc_position_id_by_code(c, code, pos_id);
    if (rc == ERR_NOT_FOUND) {
        err_clear(c->e);
        return err_set(c->e, ERR_INVALID, "invalid_reference", "position", "no position with code %.64s", code);
    }
    return rc;
}

/* ------------------------------------------------------------------------
 * writes */

/* Runs sql with one integer parameter and a COUNT(*) result. */
static int count_where(struct svc_ctx *c, const char *sql, int64_t a, int64_t *n)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, sql, &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, a);
    rc = db_step(s, c->e);
    *n = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_reset(s);
    return rc < 0 ? rc : 0;
}

/* Binds a question's columns as parameters first..first+5: text_zh, text_en, time_limit_s, required,
 * dims_json, rubric_json. The JSON texts are heap and freed by the caller (dj, rj). */
static void bind_question(struct db_stmt *s, int first, json_t *q, char **dj, char **rj)
{
    *dj = json_dumps(json_object_get(q, "dims"), JSON_COMPACT);
    *rj = json_dumps(json_object_get(q, "rubric"), JSON_COMPACT | JSON_PRESERVE_ORDER);
    db_bind_text(s, first, json_string_value(json_object_get(q, "text_zh")));
    db_bind_text(s, first + 1, json_string_value(json_object_get(q, "text_en")));
    db_bind_int64(s, first + 2, json_integer_value(json_object_get(q, "time_limit_s")));
    db_bind_int64(s, first + 3, json_is_true(json_object_get(q, "required")));
    db_bind_text(s, first + 4, *dj);
    db_bind_text(s, first + 5, *rj);
}

/* Inserts question q at seq, or (qid > 0) rewrites that question of the set in place. */
static int write_question(struct svc_ctx *c, int64_t set_id, int64_t seq, int64_t qid, json_t *q)
{
    struct db_stmt *s;
    int rc = svc_prepare(c,
                         qid ? "UPDATE question SET text_zh = ?, text_en = ?, time_limit_s = ?, required = ?, "
                               "dims_json = ?, rubric_json = ?, seq = ? WHERE id = ? AND set_id = ?"
                             : "INSERT INTO question (text_zh, text_en, time_limit_s, required, dims_json, "
                               "rubric_json, seq, set_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         &s);
    if (rc != 0)
        return rc;
    char *dj, *rj;
    bind_question(s, 1, q, &dj, &rj);
    db_bind_int64(s, 7, seq);
    if (qid) {
        db_bind_int64(s, 8, qid);
        db_bind_int64(s, 9, set_id);
    } else {
        db_bind_int64(s, 8, set_id);
    }
    rc = db_step(s, c->e);
    db_reset(s);
    free(dj);
    free(rj);
    return rc < 0 ? rc : 0;
}

/* Runs sql with one or two integer parameters, no result. */
static int exec_ids(struct svc_ctx *c, const char *sql, int64_t a, int64_t b)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, sql, &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, a);
    if (b)
        db_bind_int64(s, 2, b);
    rc = db_step(s, c->e);
    db_reset(s);
    return rc < 0 ? rc : 0;
}

/* Checks the ids named in the new list against the set's current questions (before): each must be one of
 * them and appear once (422 on questions[i].id). */
static int check_kept_ids(struct svc_ctx *c, json_t *before, json_t *questions)
{
    json_t *current = json_object_get(before, "questions"), *q, *other;
    size_t i, j;
    json_array_foreach(questions, i, q)
    {
        int64_t qid = json_integer_value(json_object_get(q, "id"));
        if (!qid)
            continue;
        char f[32];
        snprintf(f, sizeof(f), "questions[%d].id", (int)i);
        int found = 0;
        json_array_foreach(current, j, other)
        {
            found |= json_integer_value(json_object_get(other, "id")) == qid;
        }
        if (!found)
            return err_set(c->e, ERR_INVALID, "invalid_reference", f, "question %lld is not in this question set",
                           (long long)qid);
        json_array_foreach(questions, j, other)
        {
            if (j < i && json_integer_value(json_object_get(other, "id")) == qid)
                return err_set(c->e, ERR_INVALID, "duplicate", f, "question %lld appears twice", (long long)qid);
        }
    }
    return 0;
}

/* Replaces the set's questions with the list: questions not named are deleted, named ones rewritten
 * in place (keeping their ids), the others inserted; seq follows the list's order. */
static int replace_questions(struct svc_ctx *c, int64_t set_id, json_t *before, json_t *questions)
{
    json_t *q, *other;
    size_t i, j;
    int rc;
    json_array_foreach(json_object_get(before, "questions"), i, q)
    {
        int64_t qid = json_integer_value(json_object_get(q, "id"));
        int kept = 0;
        json_array_foreach(questions, j, other)
        {
            kept |= json_integer_value(json_object_get(other, "id")) == qid;
        }
        if (!kept && (rc = exec_ids(c, "DELETE FROM question WHERE id = ?", qid, 0)) != 0)
            return rc;
    }
    /* Park the kept ones on negative seqs so the new order never collides with UNIQUE(set_id, seq). */
    if ((rc = exec_ids(c, "UPDATE question SET seq = -seq WHERE set_id = ?", set_id, 0)) != 0)
        return rc;
    json_array_foreach(questions, i, q)
    {
        int64_t qid = json_integer_value(json_object_get(q, "id"));
        if ((rc = write_question(c, set_id, (int64_t)i + 1, qid, q)) != 0)
            return rc;
    }
    return 0;
}

/* A set tied to a position may only be the default of that position: 409 in_use naming field when another
 * position uses set_id as its default. */
static int check_defaults(struct svc_ctx *c, int64_t set_id, int64_t pos_id)
{
    if (!pos_id)
        return 0;
    struct db_stmt *s;
    int rc = svc_prepare(c, "SELECT code FROM position WHERE question_set_id = ? AND id <> ? ORDER BY id", &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, set_id);
    db_bind_int64(s, 2, pos_id);
    rc = db_step(s, c->e);
    if (rc == DB_ROW)
        rc = err_set(c->e, ERR_CONFLICT, "in_use", "position",
                     "position %.64s uses this question set as its default; a set tied to a position can only be "
                     "that position's default",
                     db_col_text(s, 0));
    db_reset(s);
    return rc < 0 ? rc : 0;
}

static const char *const create_fields[] = {"code", "name", "position", "allow_restart", "questions", NULL};

int svc_question_set_create(struct svc_ctx *c, json_t *in, json_t **out)
{
    const char *code, *name;
    int allow_restart = 0, rc;
    json_t *questions = NULL, *o = NULL;
    if ((rc = jv_known(in, create_fields, c->e)) || (rc = jv_code(in, "code", 1, &code, c->e)) ||
        (rc = jv_string(in, "name", 1, 200, &name, NULL, c->e)) ||
        (rc = jv_bool(in, "allow_restart", &allow_restart, NULL, c->e)) ||
        (rc = questions_read(in, 0, &questions, c->e)))
        return rc;
    int64_t pos_id = 0, id = 0;
    if ((rc = svc_begin(c)) != 0)
        goto done;
    if ((rc = position_read(c, in, &pos_id)) != 0)
        goto done;
    if ((rc = svc_question_set_id_by_code(c, code, &id)) == 0) {
        rc = err_set(c->e, ERR_CONFLICT, "duplicate", "code", "a question set with code %s already exists", code);
        c->e->existing_id = id;
        goto done;
    }
    if (rc != ERR_NOT_FOUND)
        goto done;
    err_clear(c->e);
    struct db_stmt *s;
    if ((rc = svc_prepare(c,
                          "INSERT INTO question_set (code, name, position_id, allow_restart, created_at, updated_at) "
                          "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                          &s)))
        goto done;
    db_bind_text(s, 1, code);
    db_bind_text(s, 2, name);
    if (pos_id)
        db_bind_int64(s, 3, pos_id);
    else
        db_bind_null(s, 3);
    db_bind_int64(s, 4, allow_restart);
    db_bind_int64(s, 5, c->now);
    db_bind_int64(s, 6, c->now);
    rc = db_step(s, c->e);
    id = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_reset(s);
    if (rc == ERR_CONFLICT) {
        rc = svc_duplicate(c, svc_question_set_id_by_code, code, "code", "question set code");
        goto done;
    }
    if (rc < 0)
        goto done;
    json_t *q;
    size_t i;
    json_array_foreach(questions, i, q)
    {
        if ((rc = write_question(c, id, (int64_t)i + 1, 0, q)) != 0)
            goto done;
    }
    if ((rc = qs_load(c, id, 0, &o)) || (rc = svc_audit(c, "question_set.create", "question_set", id, NULL, o)) ||
        (rc = svc_event(c, "question_set.created", "question_set", id, o)) || (rc = svc_commit(c)))
        goto done;
    *out = o;
    o = NULL;
done:
    json_decref(questions);
    json_decref(o);
    return svc_end(c, rc);
}

int svc_question_set_update(struct svc_ctx *c, int64_t id, json_t *in, json_t **out)
{
    static const char *const fields[] = {"name", "position", "allow_restart", "questions", "version", NULL};
    const char *name = NULL;
    int64_t version = 0;
    int has_version, allow_restart = -1, rc;
    json_t *questions = NULL, *before = NULL, *after = NULL;
    if ((rc = jv_known(in, fields, c->e)) ||
        (rc = jv_int(in, "version", 0, 1, INT64_MAX, &version, &has_version, c->e)) ||
        (rc = jv_string(in, "name", json_object_get(in, "name") != NULL, 200, &name, NULL, c->e)) ||
        (rc = jv_bool(in, "allow_restart", &allow_restart, NULL, c->e)) ||
        (json_object_get(in, "questions") && (rc = questions_read(in, 1, &questions, c->e))))
        return rc;
    if ((rc = svc_begin(c)) != 0)
        goto done;
    if ((rc = qs_load(c, id, 1, &before)) || (rc = svc_check_version(c, "question set", before, has_version, version)))
        goto done;
    int64_t current = json_integer_value(json_object_get(before, "version"));
    int64_t pos_id = json_integer_value(json_object_get(before, "position_id"));
    if (!name)
        name = json_string_value(json_object_get(before, "name"));
    if (allow_restart < 0)
        allow_restart = json_is_true(json_object_get(before, "allow_restart"));
    if ((rc = position_read(c, in, &pos_id)) || (rc = check_defaults(c, id, pos_id)) ||
        (questions && (rc = check_kept_ids(c, before, questions))))
        goto done;
    struct db_stmt *s;
    if ((rc = svc_prepare(c,
                          "UPDATE question_set SET name = ?, position_id = ?, allow_restart = ?, updated_at = ?, "
                          "version = version + 1 WHERE id = ? AND version = ? RETURNING id",
                          &s)))
        goto done;
    db_bind_text(s, 1, name);
    if (pos_id)
        db_bind_int64(s, 2, pos_id);
    else
        db_bind_null(s, 2);
    db_bind_int64(s, 3, allow_restart);
    db_bind_int64(s, 4, c->now);
    db_bind_int64(s, 5, id);
    db_bind_int64(s, 6, current);
    rc = svc_step_versioned(c, s, "question set", id);
    if (rc < 0 || (questions && (rc = replace_questions(c, id, before, questions))) ||
        (rc = qs_load(c, id, 0, &after)) ||
        (rc = svc_audit(c, "question_set.update", "question_set", id, before, after)) ||
        (rc = svc_event(c, "question_set.updated", "question_set", id, after)) || (rc = svc_commit(c)))
        goto done;
    *out = after;
    after = NULL;
done:
    json_decref(questions);
    json_decref(before);
    json_decref(after);
    return svc_end(c, rc);
}

int svc_question_set_delete(struct svc_ctx *c, int64_t id)
{
    int rc = svc_begin(c);
    if (rc != 0)
        return rc;
    json_t *before = NULL;
    int64_t positions = 0, sessions = 0;
    if ((rc = qs_load(c, id, 1, &before)) ||
        (rc = count_where(c, "SELECT COUNT(*) FROM position WHERE question_set_id = ?", id, &positions)) ||
        (rc = count_where(c, "SELECT COUNT(*) FROM interview_session WHERE set_id = ?", id, &sessions)))
        goto done;
    if (positions) {
        rc = err_set(c->e, ERR_CONFLICT, "in_use", NULL,
                     "question set is the default of %lld position(s); choose another set for them first",
                     (long long)positions);
        goto done;
    }
    if (sessions) { /* interview sessions keep their set: their answers are scored against it */
        rc = err_set(c->e, ERR_CONFLICT, "in_use", NULL, "question set is used by %lld interview session(s)",
                     (long long)sessions);
        goto done;
    }
    if ((rc = exec_ids(c, "DELETE FROM question WHERE set_id = ?", id, 0)) ||
        (rc = exec_ids(c, "DELETE FROM question_set WHERE id = ?", id, 0)) ||
        (rc = svc_audit(c, "question_set.delete", "question_set", id, before, NULL)) ||
        (rc = svc_event(c, "question_set.deleted", "question_set", id, before)) || (rc = svc_commit(c)))
        goto done;
done:
    json_decref(before);
    return svc_end(c, rc);
}

int svc_question_set_import(struct svc_ctx *c, json_t *in, json_t **out, int *created)
{
    const char *code;
    int64_t id = 0;
    int rc;
    *created = 0;
    if (!json_is_object(in))
        return err_set(c->e, ERR_INVALID, "wrong_type", "", "a question set document must be a JSON object");
    if ((rc = jv_known(in, create_fields, c->e)) || (rc = jv_code(in, "code", 1, &code, c->e)))
        return rc;
    if ((rc = svc_begin_read(c)) == 0)
        rc = svc_question_set_id_by_code(c, code, &id);
    svc_end(c, 0);
    if (rc == ERR_NOT_FOUND) {
        err_clear(c->e);
        *created = 1;
        return svc_question_set_create(c, in, out);
    }
    if (rc != 0)
        return rc;
    /* The document replaces the set: what it leaves out takes the create defaults. */
    json_t *up = json_deep_copy(in);
    json_object_del(up, "code");
    if (!json_object_get(up, "position"))
        json_object_set_new(up, "position", json_null());
    if (!json_object_get(up, "allow_restart"))
        json_object_set_new(up, "allow_restart", json_false());
    if (!json_object_get(up, "name"))
        json_object_set_new(up, "name", json_null()); /* required: reported as missing */
    if (!json_object_get(up, "questions"))
        json_object_set_new(up, "questions", json_null());
    rc = svc_question_set_update(c, id, up, out);
    json_decref(up);
    return rc;
}

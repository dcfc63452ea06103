/* interview_scoring.c - scoring a completed AI interview (svc/interviews.h):
 * the built-in rubric scorer or a pluggable one, the normalised result built
 * from the session, and its ingestion through svc_result_ingest (the one path
 * every score enters by). Runs after the exit has committed: a failure is
 * recorded on the session as score_error and never touches the answers. */
#include "svc/interviews.h"
#include "svc/interviews_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rubric.h"
#include "lib/utf8.h"
#include "svc/query.h"
#include "svc/results.h"
#include "svc/validate.h"
#include "svc/views.h"

#define SEG_QUESTION_MS 5000     /* transcript estimate: reading one question */
#define SEG_MS_PER_CHAR 250      /* transcript estimate: typing speed */
#define TRANSCRIPT_TEXT_MAX 4000 /* docs/results.md */
#define MOMENT_LABEL_MAX 200

/* ------------------------------------------------------------------------
 * scoring */

static int builtin_score(const struct interview_scorer *sc, json_t *questions, json_t *answers, json_t **out,
                         struct err *e)
{
    (void)sc;
    return rubric_score(questions, answers, out, e);
}

const struct interview_scorer interview_scorer_builtin = {"builtin", "rubric-1", builtin_score, NULL};

/* text with lone carriage returns dropped, cut to max code points (heap). */
static char *seg_text(const char *t, size_t max)
{
    size_t n = utf8_prefix(t, strlen(t), max), j = 0;
    char *o = malloc(n + 1);
    if (!o)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (t[i] != '\r' || t[i + 1] == '\n')
            o[j++] = t[i];
    o[j] = 0;
    return o;
}

/* The normalised result (docs/results.md) of session sess scored as sc by scorer. */
static json_t *build_result(json_t *sess, const struct interview_scorer *scorer, json_t *questions, json_t *finals,
                            json_t *sc)
{
    char vid[48];
    snprintf(vid, sizeof(vid), "session-%lld", (long long)JI(sess, "id"));
    json_t *dims = json_array(), *transcript = json_array(), *moments = json_array(), *tags = json_array(), *d, *q;
    size_t i;
    json_array_foreach(json_object_get(sc, "dimensions"), i, d)
    {
        json_array_append_new(dims, json_pack("{s:O,s:O,s:O}", "key", json_object_get(d, "key"), "score",
                                              json_object_get(d, "score"), "evidence", json_object_get(d, "evidence")));
    }
    int64_t t = 0, n_answered = 0, n_full = 0, n_some = 0;
    json_array_foreach(questions, i, q)
    {
        json_t *ans = json_array_get(json_object_get(sc, "answers"), i);
        char *qt = seg_text(JS(q, "text_zh"), TRANSCRIPT_TEXT_MAX);
        json_array_append_new(transcript,
                              json_pack("{s:I,s:I,s:s,s:s}", "start_ms", (json_int_t)t, "end_ms",
                                        (json_int_t)t + SEG_QUESTION_MS, "speaker", "ai", "text", qt ? qt : ""));
        free(qt);
        t += SEG_QUESTION_MS;
        char key[24];
        snprintf(key, sizeof(key), "%lld", (long long)JI(q, "id"));
        const char *text = json_string_value(json_object_get(finals, key));
        if (!text || !iv_not_blank(text))
            continue;
        n_answered++;
        json_t *star = json_object_get(ans, "star");
        int elems = json_is_true(json_object_get(star, "situation")) + json_is_true(json_object_get(star, "task")) +
                    json_is_true(json_object_get(star, "action")) + json_is_true(json_object_get(star, "result"));
        n_full += elems == 4;
        n_some += elems > 0;
        char *at = seg_text(text, TRANSCRIPT_TEXT_MAX);
        int64_t len = at ? (int64_t)utf8_count(at, strlen(at)) : 0;
        json_array_append_new(transcript, json_pack("{s:I,s:I,s:s,s:s}", "start_ms", (json_int_t)t, "end_ms",
                                                    (json_int_t)t + (json_int_t)len * SEG_MS_PER_CHAR, "speaker",
                                                    "candidate", "text", at ? at : ""));
        free(at);
        json_t *kw = json_object_get(ans, "keywords"), *k;
        if (json_array_size(kw) > 0) {
            char label[1024];
            size_t j;
            int off = snprintf(label, sizeof(label), "Q%lld keywords: ", (long long)JI(q, "seq"));
            json_array_foreach(kw, j, k)
            {
                if (off > 0 && (size_t)off < sizeof(label))
                    off +=
                        snprintf(label + off, sizeof(label) - (size_t)off, "%s%s", j ? ", " : "", json_string_value(k));
            }
            label[utf8_prefix(label, strlen(label), MOMENT_LABEL_MAX)] = 0;
            json_array_append_new(moments, json_pack("{s:I,s:s}", "at_ms", (json_int_t)t, "label", label));
        }
        t += len * SEG_MS_PER_CHAR;
    }
    json_array_append_new(tags, json_string(n_answered && n_full == n_answered ? "STAR complete"
                                            : n_some                           ? "STAR partial"
                                                                               : "STAR missing"));
    char tag[64];
    snprintf(tag, sizeof(tag), "answered %lld/%lld", (long long)n_answered, (long long)json_array_size(questions));
    json_array_append_new(tags, json_string(tag));
    return json_pack("{s:s,s:s,s:O,s:s,s:{s:I},s:O,s:o,s:o,s:o,s:o}", "vendor", scorer->vendor, "vendor_result_id", vid,
                     "completed_at", json_object_get(sess, "completed_at"), "model_version", scorer->model_version,
                     "candidate", "application_id", (json_int_t)JI(sess, "application_id"), "overall",
                     json_object_get(sc, "overall"), "dimensions", dims, "tags", tags, "transcript", transcript,
                     "key_moments", moments);
}

/* Records the outcome of scoring on session id in its own transaction: result_id, or the error. */
static int score_record(struct svc_ctx *c, int64_t id, int64_t result_id, const char *error)
{
    json_t *sess = NULL;
    int rc = svc_begin(c);
    if (rc != 0)
        return rc;
    struct db_stmt *s;
    if ((rc = db_lock(c->db, SESSION_LOCK_BASE + id, c->e)) || (rc = iv_sess_load(c, id, 0, &sess)) ||
        (rc = svc_prepare(c,
                          error ? "UPDATE interview_session SET score_error = ?, version = version + 1 WHERE id = ?"
                                : "UPDATE interview_session SET result_id = ?, scored_at = ?, score_error = NULL, "
                                  "version = version + 1 WHERE id = ?",
                          &s)))
        goto done;
    if (error) {
        db_bind_text(s, 1, error);
        db_bind_int64(s, 2, id);
    } else {
        db_bind_int64(s, 1, result_id);
        db_bind_int64(s, 2, c->now);
        db_bind_int64(s, 3, id);
    }
    rc = db_step(s, c->e);
    db_reset(s);
    if (rc < 0 ||
        (rc = iv_record(c, error ? "interview.score_fail" : "interview.score",
                        error ? "interview.score_failed" : "interview.scored", sess, NULL, NULL)) ||
        (rc = svc_commit(c)))
        goto done;
done:
    json_decref(sess);
    return svc_end(c, rc);
}

/* The position code of application app (in the open transaction) into buf ("" when none). */
static int position_code(struct svc_ctx *c, int64_t app, char *buf, size_t n)
{
    struct db_stmt *s;
    buf[0] = 0;
    int rc =
        svc_prepare(c, "SELECT p.code FROM application a JOIN position p ON p.id = a.position_id WHERE a.id = ?", &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, app);
    rc = db_step(s, c->e);
    if (rc == DB_ROW)
        snprintf(buf, n, "%s", db_col_text(s, 0));
    db_reset(s);
    return rc < 0 ? rc : 0;
}

/* What a result-returning scorer is sent (svc/interviews.h, struct interview_scorer). */
static json_t *score_request(json_t *sess, const char *pos_code, json_t *questions, json_t *answers)
{
    json_t *qs = json_array(), *as = json_array(), *q, *a;
    size_t i;
    json_array_foreach(questions, i, q)
    {
        json_array_append_new(qs, json_pack("{s:O,s:O,s:O,s:O,s:O,s:O}", "id", json_object_get(q, "id"), "seq",
                                            json_object_get(q, "seq"), "text_zh", json_object_get(q, "text_zh"),
                                            "text_en", json_object_get(q, "text_en"), "required",
                                            json_object_get(q, "required"), "dims", json_object_get(q, "dims")));
    }
    json_array_foreach(answers, i, a)
    {
        if (json_is_true(json_object_get(a, "final")))
            json_array_append_new(as, json_pack("{s:O,s:O}", "question_id", json_object_get(a, "question_id"), "text",
                                                json_object_get(a, "text")));
    }
    return json_pack("{s:I,s:I,s:s,s:s,s:O,s:o,s:o}", "session_id", (json_int_t)JI(sess, "id"), "application_id",
                     (json_int_t)JI(sess, "application_id"), "position_code", pos_code, "question_set",
                     JS(sess, "question_set"), "completed_at", json_object_get(sess, "completed_at"), "questions", qs,
                     "answers", as);
}

/* Forces onto the result a scorer returned what it may not choose: the vendor (the scorer's), the
 * identity, the application and the completion time (the session's); model_version defaults to the
 * scorer's. 422 when res is not an object. */
static int force_identity(json_t *res, json_t *sess, const struct interview_scorer *scorer, struct err *e)
{
    if (!json_is_object(res))
        return err_set(e, ERR_INVALID, "wrong_type", "", "the scorer's answer is not a JSON object");
    char vid[48];
    snprintf(vid, sizeof(vid), "session-%lld", (long long)JI(sess, "id"));
    json_object_set_new(res, "vendor", json_string(scorer->vendor));
    json_object_set_new(res, "vendor_result_id", json_string(vid));
    json_object_set_new(res, "candidate", json_pack("{s:I}", "application_id", (json_int_t)JI(sess, "application_id")));
    json_object_set(res, "completed_at", json_object_get(sess, "completed_at"));
    json_t *mv = json_object_get(res, "model_version");
    if ((!mv || json_is_null(mv)) && scorer->model_version)
        json_object_set_new(res, "model_version", json_string(scorer->model_version));
    return 0;
}

int svc_interview_score(struct svc_ctx *c, int64_t id, const struct interview_scorer *scorer, json_t **out)
{
    json_t *sess = NULL, *questions = NULL, *answers = NULL, *finals = json_object(), *sc = NULL, *res = NULL;
    char pos[80] = "";
    *out = NULL;
    int rc = svc_begin_read(c);
    if (rc == 0 && (rc = iv_sess_load(c, id, 0, &sess)) == 0 && strcmp(JS(sess, "status"), "completed") != 0)
        rc = err_set(c->e, ERR_CONFLICT, "not_completed", "id", "interview %lld is %s, not completed", (long long)id,
                     JS(sess, "status"));
    if (rc == 0)
        questions = iv_questions(sess);
    if (rc == 0 && (rc = iv_answers_load(c, id, &answers)) == 0 && scorer->result)
        rc = position_code(c, JI(sess, "application_id"), pos, sizeof(pos));
    rc = svc_end(c, rc);
    if (rc != 0)
        goto done;
    size_t i;
    json_t *a;
    json_array_foreach(answers, i, a)
    {
        if (json_is_true(json_object_get(a, "final"))) {
            char key[24];
            snprintf(key, sizeof(key), "%lld", (long long)JI(a, "question_id"));
            json_object_set(finals, key, json_object_get(a, "text"));
        }
    }
    int64_t result_id = 0;
    if (scorer->result) {
        json_t *req = score_request(sess, pos, questions, answers);
        rc = scorer->result(scorer, req, &res, c->e);
        json_decref(req);
        if (rc == 0)
            rc = force_identity(res, sess, scorer, c->e);
    } else if ((rc = scorer->score(scorer, questions, finals, &sc, c->e)) == 0) {
        res = build_result(sess, scorer, questions, finals, sc);
    }
    const char *stage = "";
    if (rc == 0) {
        json_t *ing = NULL;
        if ((rc = svc_result_ingest(c, res, NULL, 0, &ing)) == 0) {
            result_id = JI(ing, "id");
            *out = ing;
        } else if (rc == ERR_INVALID) {
            stage = "the scorer's result was refused: ";
        }
    }
    if (rc != 0) {
        struct err saved = *c->e;
        char msg[700];
        snprintf(msg, sizeof(msg), "%s%s%s%s", stage, saved.message, saved.field[0] ? " at " : "", saved.field);
        err_clear(c->e);
        if (score_record(c, id, 0, msg) != 0)
            err_clear(c->e);
        *c->e = saved;
        if (*out) {
            json_decref(*out);
            *out = NULL;
        }
        goto done;
    }
    if ((rc = score_record(c, id, result_id, NULL)) != 0) {
        json_decref(*out);
        *out = NULL;
    }
done:
    json_decref(sess);
    json_decref(questions);
    json_decref(answers);
    json_decref(finals);
    json_decref(sc);
    json_decref(res);
    return rc;
}

int svc_interview_rescore(struct svc_ctx *c, int64_t id, json_t **out)
{
    json_t *sess = NULL, *res = NULL, *scoring = NULL;
    int rc = svc_begin_read(c);
    if (rc == 0 && (rc = iv_sess_load(c, id, 1, &sess)) == 0 && strcmp(JS(sess, "status"), "completed") != 0)
        rc = err_set(c->e, ERR_CONFLICT, "not_completed", "id",
                     "interview %lld is %s; only a completed interview is scored", (long long)id, JS(sess, "status"));
    json_decref(sess);
    sess = NULL;
    if ((rc = svc_end(c, rc)) != 0)
        return rc;
    const struct interview_scorer *scorer = c->scorer ? c->scorer : &interview_scorer_builtin;
    if (svc_interview_score(c, id, scorer, &res) == 0) {
        scoring = json_pack("{s:b,s:O,s:s,s:O,s:O}", "ok", 1, "result_id", json_object_get(res, "id"), "vendor",
                            scorer->vendor, "version", json_object_get(res, "version"), "duplicate",
                            json_object_get(res, "duplicate"));
    } else { /* recorded on the session as score_error */
        scoring = json_pack("{s:b,s:s}", "ok", 0, "error", c->e->message);
    }
    json_decref(res);
    err_clear(c->e);
    if ((rc = svc_begin_read(c)) == 0 && (rc = iv_sess_load(c, id, 0, &sess)) == 0) {
        *out = json_pack("{s:o,s:o}", "session", iv_public_session(sess), "scoring", scoring);
        scoring = NULL;
    }
    json_decref(sess);
    json_decref(scoring);
    return svc_end(c, rc);
}

int svc_interviews_unscored(struct svc_ctx *c, json_t **out)
{
    json_t *ids = json_array();
    struct qb q;
    qb_init(&q, "SELECT id FROM interview_session WHERE status = 'completed' AND result_id IS NULL ORDER BY id");
    int rc = svc_begin_read(c);
    if (rc == 0)
        rc = qb_all(c, &q, qb_row_int, ids);
    if (rc == 0)
        *out = json_pack("{s:O}", "items", ids);
    json_decref(ids);
    return svc_end(c, rc);
}

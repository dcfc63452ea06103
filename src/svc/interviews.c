/* interviews.c - the candidate's AI interview session (svc/interviews.h).
 *
 * Every state change runs in one transaction that also moves the
 * application's stage (svc_app_move_tx), appends its audit rows and its
 * events. Candidate calls lock the session (db_lock on its id) before they
 * read it, so two tabs saving at once are serialised: the later one wins,
 * or gets 409 when it named a version that is no longer current. Scoring
 * runs after the exit has committed: a scorer failure leaves the session
 * completed with score_error set, never losing an answer. */
#include "svc/interviews.h"
#include "svc/interviews_impl.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pipeline.h"
#include "core/rubric.h"
#include "lib/utf8.h"
#include "svc/applications.h"
#include "svc/moves.h"
#include "svc/query.h"
#include "svc/question_sets.h"
#include "svc/results.h"
#include "svc/validate.h"
#include "svc/views.h"

#define DAY_MS 86400000LL
#define TOKEN_PREFIX "tdi_"
#define CTX_TOKEN "interview.token" /* encryption context of the kept link token */

#define SESS_SELECT                                                                                                    \
    "SELECT s.id, s.application_id, s.set_id, qs.code, s.status, s.current_question, s.started_at, "                   \
    "s.last_saved_at, s.completed_at, s.expires_at, s.revoked_at, s.scored_at, s.score_error, s.result_id, "           \
    "s.version, s.created_at, s.created_by, "                                                                          \
    "(SELECT COUNT(*) FROM answer a WHERE a.session_id = s.id AND a.is_final = 1), "                                   \
    "(SELECT COUNT(*) FROM answer a WHERE a.session_id = s.id), "                                                      \
    "s.questions_json, qs.name, qs.allow_restart, s.set_version "                                                      \
    "FROM interview_session s JOIN question_set qs ON qs.id = s.set_id WHERE "

/* ------------------------------------------------------------------------
 * representations */

static json_t *opt_time(struct db_stmt *s, int col)
{
    return db_col_isnull(s, col) ? json_null() : json_time(db_col_int64(s, col));
}

static json_t *opt_int(struct db_stmt *s, int col)
{
    return db_col_isnull(s, col) ? json_null() : json_integer(db_col_int64(s, col));
}

static json_t *sess_row(struct svc_ctx *c, struct db_stmt *s)
{
    (void)c;
    json_t *questions = json_loads(db_col_text(s, 19), 0, NULL);
    if (!json_is_array(questions)) {
        json_decref(questions);
        questions = json_array();
    }
    json_t *o =
        json_pack("{s:I,s:I,s:I,s:s,s:s,s:o,s:I,s:I,s:I,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:I,s:o,s:s}", "id",
                  (json_int_t)db_col_int64(s, 0), "application_id", (json_int_t)db_col_int64(s, 1), "set_id",
                  (json_int_t)db_col_int64(s, 2), "question_set", db_col_text(s, 3), "status", db_col_text(s, 4),
                  "current_question", opt_int(s, 5), "answered", (json_int_t)db_col_int64(s, 17), "saved",
                  (json_int_t)db_col_int64(s, 18), "total", (json_int_t)json_array_size(questions), "started_at",
                  opt_time(s, 6), "last_saved_at", opt_time(s, 7), "completed_at", opt_time(s, 8), "expires_at",
                  json_time(db_col_int64(s, 9)), "revoked_at", opt_time(s, 10), "scored_at", opt_time(s, 11),
                  "score_error", db_col_isnull(s, 12) ? json_null() : json_string(db_col_text(s, 12)), "result_id",
                  opt_int(s, 13), "version", (json_int_t)db_col_int64(s, 14), "created_at",
                  json_time(db_col_int64(s, 15)), "created_by", db_col_text(s, 16));
    json_object_set_new(o, "set_version", json_integer(db_col_int64(s, 22)));
    /* Internal fields, removed before the session is shown (see iv_public_session). */
    json_object_set_new(o, "_questions", questions);
    json_object_set_new(o, "_expires_ms", json_integer(db_col_int64(s, 9)));
    json_object_set_new(o, "_set_name", json_string(db_col_text(s, 20)));
    json_object_set_new(o, "_allow_restart", json_boolean(db_col_int64(s, 21) != 0));
    json_object_set_new(o, "_completed_ms", json_integer(db_col_int64(s, 8)));
    return o;
}

/* A copy of a loaded session without its internal fields. */
json_t *iv_public_session(json_t *sess)
{
    json_t *o = json_copy(sess);
    json_object_del(o, "_expires_ms");
    json_object_del(o, "_set_name");
    json_object_del(o, "_allow_restart");
    json_object_del(o, "_completed_ms");
    json_object_del(o, "_questions");
    return o;
}

int iv_sess_load(struct svc_ctx *c, int64_t id, int scoped, json_t **out)
{
    struct qb q;
    qb_init(&q, SESS_SELECT "s.id = ?");
    qb_int(&q, id);
    if (scoped)
        qb_scope_application(&q, c->actor, "s.application_id");
    return qb_one(c, &q, sess_row, "interview", out);
}

static json_t *question_row(struct svc_ctx *c, struct db_stmt *s)
{
    (void)c;
    json_t *dims = json_loads(db_col_text(s, 6), 0, NULL), *rubric = json_loads(db_col_text(s, 7), 0, NULL);
    if (!json_is_array(dims)) {
        json_decref(dims);
        dims = json_array();
    }
    if (!json_is_object(rubric)) {
        json_decref(rubric);
        rubric = json_pack("{s:{}}", "phrases");
    }
    return json_pack("{s:I,s:I,s:s,s:s,s:I,s:b,s:o,s:o}", "id", (json_int_t)db_col_int64(s, 0), "seq",
                     (json_int_t)db_col_int64(s, 1), "text_zh", db_col_text(s, 2), "text_en", db_col_text(s, 3),
                     "time_limit_s", (json_int_t)db_col_int64(s, 4), "required", db_col_int64(s, 5) != 0, "dims", dims,
                     "rubric", rubric);
}

/* The questions a loaded session works from: the snapshot taken when it was invited. */
json_t *iv_questions(json_t *sess)
{
    return json_incref(json_object_get(sess, "_questions"));
}

/* The set's current questions in order, with dims and rubric (what an invitation snapshots). */
static int set_questions_load(struct svc_ctx *c, int64_t set_id, json_t **out, int64_t *version, int64_t *position)
{
    struct db_stmt *v;
    int rc = svc_prepare(c, "SELECT version, COALESCE(position_id, 0) FROM question_set WHERE id = ?", &v);
    if (rc != 0)
        return rc;
    db_bind_int64(v, 1, set_id);
    rc = db_step(v, c->e);
    *version = rc == DB_ROW ? db_col_int64(v, 0) : 0;
    *position = rc == DB_ROW ? db_col_int64(v, 1) : 0;
    db_reset(v);
    if (rc < 0)
        return rc;
    struct qb q;
    qb_init(&q, "SELECT id, seq, text_zh, text_en, time_limit_s, required, dims_json, rubric_json FROM question "
                "WHERE set_id = ? ORDER BY seq");
    qb_int(&q, set_id);
    json_t *a = json_array();
    rc = qb_all(c, &q, question_row, a);
    if (rc != 0) {
        json_decref(a);
        return rc;
    }
    *out = a;
    return 0;
}

static json_t *answer_row(struct svc_ctx *c, struct db_stmt *s)
{
    (void)c;
    return json_pack("{s:I,s:s,s:b,s:I,s:o}", "question_id", (json_int_t)db_col_int64(s, 0), "text", db_col_text(s, 1),
                     "final", db_col_int64(s, 2) != 0, "version", (json_int_t)db_col_int64(s, 3), "saved_at",
                     json_time(db_col_int64(s, 4)));
}

int iv_answers_load(struct svc_ctx *c, int64_t sess_id, json_t **out)
{
    struct qb q;
    qb_init(&q, "SELECT question_id, text, is_final, version, saved_at FROM answer WHERE session_id = ? "
                "ORDER BY question_id");
    qb_int(&q, sess_id);
    json_t *a = json_array();
    int rc = qb_all(c, &q, answer_row, a);
    if (rc != 0) {
        json_decref(a);
        return rc;
    }
    *out = a;
    return 0;
}

/* The answer to question qid in answers, or NULL. */
static json_t *answer_of(json_t *answers, int64_t qid)
{
    size_t i;
    json_t *a;
    json_array_foreach(answers, i, a)
    {
        if (JI(a, "question_id") == qid)
            return a;
    }
    return NULL;
}

/* 1 when text holds something other than whitespace. */
int iv_not_blank(const char *t)
{
    for (; t && *t; t++)
        if (*t != ' ' && *t != '\t' && *t != '\n' && *t != '\r')
            return 1;
    return 0;
}

/* 1 when q has a final, non-blank answer. */
int iv_answered(json_t *answers, json_t *q)
{
    json_t *a = answer_of(answers, JI(q, "id"));
    return a && json_is_true(json_object_get(a, "final")) && iv_not_blank(JS(a, "text"));
}

/* The first question without a final answer (0 when all have one). */
static int64_t first_unanswered(json_t *questions, json_t *answers)
{
    size_t i;
    json_t *q;
    json_array_foreach(questions, i, q)
    {
        if (!iv_answered(answers, q))
            return JI(q, "id");
    }
    return 0;
}

/* [{id, seq, text_zh, text_en}] of the required questions without a final answer. */
static json_t *unanswered_required(json_t *questions, json_t *answers)
{
    json_t *out = json_array(), *q;
    size_t i;
    json_array_foreach(questions, i, q)
    {
        if (json_is_true(json_object_get(q, "required")) && !iv_answered(answers, q))
            json_array_append_new(out, json_pack("{s:I,s:I,s:s,s:s}", "id", (json_int_t)JI(q, "id"), "seq",
                                                 (json_int_t)JI(q, "seq"), "text_zh", JS(q, "text_zh"), "text_en",
                                                 JS(q, "text_en")));
    }
    return out;
}

static json_t *progress(json_t *questions, json_t *answers)
{
    int64_t done = 0, req = 0, req_done = 0;
    size_t i;
    json_t *q;
    json_array_foreach(questions, i, q)
    {
        int a = iv_answered(answers, q), r = json_is_true(json_object_get(q, "required"));
        done += a;
        req += r;
        req_done += a && r;
    }
    return json_pack("{s:I,s:I,s:I,s:I,s:I}", "answered", (json_int_t)done, "saved",
                     (json_int_t)json_array_size(answers), "total", (json_int_t)json_array_size(questions), "required",
                     (json_int_t)req, "required_answered", (json_int_t)req_done);
}

static json_t *instructions(void)
{
    return json_pack("{s:s,s:s}", "zh",
                     "答题进度会自动保存。退出面试时需要确认：" INTERVIEW_EXIT_WARNING_ZH
                     "。如中途断开或退出，在截止时间前使用同一链接返回，即可从上次停下的地方继续。",
                     "en",
                     "Your progress is saved automatically. Exiting asks for confirmation: " INTERVIEW_EXIT_WARNING_EN
                     " If you are disconnected or exit early, come back with the same link before the deadline to "
                     "continue where you stopped.");
}

/* What the candidate sees of sess (in the open transaction). */
static int state_build(struct svc_ctx *c, json_t *sess, json_t **out)
{
    json_t *answers = NULL;
    int rc = iv_answers_load(c, JI(sess, "id"), &answers);
    if (rc != 0)
        return rc;
    json_t *questions = iv_questions(sess);
    json_t *pub = json_array(), *q;
    size_t i;
    json_array_foreach(questions, i, q)
    {
        json_array_append_new(pub, json_pack("{s:I,s:I,s:s,s:s,s:I,s:b}", "id", (json_int_t)JI(q, "id"), "seq",
                                             (json_int_t)JI(q, "seq"), "text_zh", JS(q, "text_zh"), "text_en",
                                             JS(q, "text_en"), "time_limit_s", (json_int_t)JI(q, "time_limit_s"),
                                             "required", json_is_true(json_object_get(q, "required"))));
    }
    const char *status = JS(sess, "status");
    int open =
        strcmp(status, "invited") == 0 || strcmp(status, "in_progress") == 0 || strcmp(status, "incomplete") == 0;
    int64_t left = JI(sess, "_expires_ms") - c->now;
    int offer =
        (strcmp(status, "in_progress") == 0 && json_array_size(answers) > 0) || strcmp(status, "incomplete") == 0;
    json_t *cur = json_object_get(sess, "current_question");
    int64_t first = first_unanswered(questions, answers);
    json_t *resume = offer ? json_pack("{s:b,s:b,s:s,s:s}", "continue", 1, "restart",
                                       json_is_true(json_object_get(sess, "_allow_restart")), "prompt_zh",
                                       INTERVIEW_RESUME_ZH, "prompt_en", INTERVIEW_RESUME_EN)
                           : json_null();
    *out = json_pack("{s:I,s:s,s:O,s:I,s:{s:s,s:b},s:o,s:o,s:o,s:o,s:o,s:o}", "id", (json_int_t)JI(sess, "id"),
                     "status", status, "expires_at", json_object_get(sess, "expires_at"), "time_left_s",
                     (json_int_t)(open && left > 0 ? left / 1000 : 0), "question_set", "name", JS(sess, "_set_name"),
                     "allow_restart", json_is_true(json_object_get(sess, "_allow_restart")), "questions", pub,
                     "answers", answers, "progress", progress(questions, answers), "current_question",
                     json_is_integer(cur) ? json_integer(json_integer_value(cur))
                     : first && open      ? json_integer(first)
                                          : json_null(),
                     "resume_offer", resume, "instructions", instructions());
    json_object_set_new(*out, "completed_at", json_deep_copy(json_object_get(sess, "completed_at")));
    json_decref(questions);
    return 0;
}

/* ------------------------------------------------------------------------
 * moving the application with the session */

/* One move of app (loaded as a) to `to`, with its audit row and event. *a is reloaded. */
static int app_move(struct svc_ctx *c, json_t **a, enum stage to, enum actor_kind kind)
{
    int64_t id = JI(*a, "id");
    char from[48];
    snprintf(from, sizeof(from), "%s", JS(*a, "stage"));
    json_t *after = NULL;
    int rc = svc_app_move_tx(c, *a, to, kind, NULL, NULL);
    if (rc == ERR_CONFLICT && strcmp(c->e->slug, "illegal_transition") == 0) {
        unsigned char t[STAGE__COUNT];
        char allowed[400] = "";
        pipeline_targets(stage_parse(from), t);
        for (int s = 1; s < STAGE__COUNT; s++)
            if (t[s] && strlen(allowed) + strlen(stage_name((enum stage)s)) + 3 < sizeof(allowed))
                snprintf(allowed + strlen(allowed), sizeof(allowed) - strlen(allowed), "%s%s", allowed[0] ? ", " : "",
                         stage_name((enum stage)s));
        snprintf(c->e->message, sizeof(c->e->message),
                 "the application is in stage %s and cannot move to %s; from %s the pipeline allows: %s", from,
                 stage_name(to), from, allowed[0] ? allowed : "nothing");
    }
    if (rc != 0 || (rc = svc_app_load_tx(c, id, &after)) ||
        (rc = svc_audit(c, "application.transition", "application", id, *a, after)))
        goto done;
    json_t *ev = json_pack("{s:I,s:s,s:s,s:n}", "id", (json_int_t)id, "from", from, "to", stage_name(to), "reason");
    rc = svc_event(c, "application.stage_changed", "application", id, ev);
    json_decref(ev);
    if (rc == 0) {
        json_decref(*a);
        *a = after;
        after = NULL;
    }
done:
    json_decref(after);
    return rc;
}

/* Moves application app to `to` as kind. strict: a refusal of the pipeline is an error; otherwise the
 * application is only moved from ai_invited / ai_in_progress (anything else: HR moved it on, leave it).
 * A candidate finishing from ai_invited passes through ai_in_progress. */
static int app_follow(struct svc_ctx *c, int64_t app, enum stage to, enum actor_kind kind, int strict)
{
    json_t *a = NULL;
    int rc = svc_app_load_tx(c, app, &a);
    if (rc != 0)
        return rc;
    enum stage from = stage_parse(JS(a, "stage"));
    if (from == to)
        goto done;
    if (!strict && from != STAGE_AI_INVITED && from != STAGE_AI_IN_PROGRESS)
        goto done;
    if (from == STAGE_AI_INVITED && to != STAGE_AI_IN_PROGRESS && !pipeline_allows(from, to, kind) &&
        (rc = app_move(c, &a, STAGE_AI_IN_PROGRESS, kind)) != 0)
        goto done;
    rc = app_move(c, &a, to, kind);
done:
    json_decref(a);
    return rc;
}

/* ------------------------------------------------------------------------
 * session updates */

/* Sets sess's status (and the timestamp column ts_col to now, when given), bumping the version. */
static int set_status(struct svc_ctx *c, json_t *sess, const char *status, const char *ts_col)
{
    char sql[256];
    snprintf(sql, sizeof(sql), "UPDATE interview_session SET status = ?, version = version + 1%s%s%s WHERE id = ?",
             ts_col ? ", " : "", ts_col ? ts_col : "", ts_col ? " = ?" : "");
    struct db_stmt *s;
    int rc = svc_prepare(c, sql, &s);
    if (rc != 0)
        return rc;
    int i = 1;
    db_bind_text(s, i++, status);
    if (ts_col)
        db_bind_int64(s, i++, c->now);
    db_bind_int64(s, i, JI(sess, "id"));
    rc = db_step(s, c->e);
    db_reset(s);
    return rc < 0 ? rc : 0;
}

static int set_current(struct svc_ctx *c, int64_t id, int64_t qid, int saved)
{
    struct db_stmt *s;
    int rc = svc_prepare(c,
                         saved ? "UPDATE interview_session SET current_question = ?, last_saved_at = ?, "
                                 "version = version + 1 WHERE id = ?"
                               : "UPDATE interview_session SET current_question = ? WHERE id = ? AND ? > 0",
                         &s);
    if (rc != 0)
        return rc;
    if (qid)
        db_bind_int64(s, 1, qid);
    else
        db_bind_null(s, 1);
    db_bind_int64(s, 2, saved ? c->now : id);
    db_bind_int64(s, 3, saved ? id : 1);
    rc = db_step(s, c->e);
    db_reset(s);
    return rc < 0 ? rc : 0;
}

/* Audit row (before -> the reloaded session) and event for a change of session id. *after gets the reload. */
int iv_record(struct svc_ctx *c, const char *action, const char *event, json_t *before, json_t **after, json_t *extra)
{
    int64_t id = JI(before, "id");
    json_t *a = NULL, *pb = NULL, *pa = NULL;
    int rc = iv_sess_load(c, id, 0, &a);
    if (rc != 0)
        return rc;
    pb = iv_public_session(before);
    pa = iv_public_session(a);
    if (extra)
        json_object_update(pa, extra);
    if ((rc = svc_audit(c, action, "interview_session", id, pb, pa)) == 0 && event)
        rc = svc_event(c, event, "interview_session", id, pa);
    json_decref(pb);
    json_decref(pa);
    if (rc == 0 && after) {
        *after = a;
        a = NULL;
    }
    json_decref(a);
    return rc;
}

/* Marks an open session expired (deadline pulled to now when later), moving an application still in
 * ai_invited / ai_in_progress to ai_incomplete. */
static int expire_tx(struct svc_ctx *c, json_t *sess)
{
    struct db_stmt *s;
    int rc = svc_prepare(c,
                         "UPDATE interview_session SET status = 'expired', version = version + 1, "
                         "expires_at = CASE WHEN expires_at > ? THEN ? ELSE expires_at END WHERE id = ?",
                         &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, c->now);
    db_bind_int64(s, 2, c->now);
    db_bind_int64(s, 3, JI(sess, "id"));
    rc = db_step(s, c->e);
    db_reset(s);
    if (rc < 0 || (rc = app_follow(c, JI(sess, "application_id"), STAGE_AI_INCOMPLETE, ACTOR_SYSTEM, 0)))
        return rc;
    return iv_record(c, "interview.expire", "interview.expired", sess, NULL, NULL);
}

static int is_open(const char *status)
{
    return strcmp(status, "invited") == 0 || strcmp(status, "in_progress") == 0 || strcmp(status, "incomplete") == 0;
}

/* ------------------------------------------------------------------------
 * candidate access */

/* In c's open write transaction: the session token opens, locked. 404 for an unknown or revoked token.
 * Past the deadline an open session is marked expired and committed, and the answer is 409 "expired"
 * (as for a session already expired). */
static int cand_open(struct svc_ctx *c, const char *token, json_t **out)
{
    char hash[65];
    if (!token || strncmp(token, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) != 0 || strlen(token) > 64)
        return err_set(c->e, ERR_NOT_FOUND, NULL, NULL, "no such interview");
    crypto_sha256_hex(token, strlen(token), hash);
    int64_t id = 0;
    int rc = svc_lookup_id(c, "SELECT id FROM interview_session WHERE token_hash = ? AND revoked_at IS NULL", hash,
                           "token", "interview", &id);
    if (rc == ERR_NOT_FOUND) {
        err_clear(c->e);
        return err_set(c->e, ERR_NOT_FOUND, NULL, NULL, "no such interview");
    }
    json_t *sess = NULL;
    if (rc != 0 || (rc = db_lock(c->db, SESSION_LOCK_BASE + id, c->e)) || (rc = iv_sess_load(c, id, 0, &sess)))
        return rc;
    const char *status = JS(sess, "status");
    if (strcmp(status, "revoked") == 0) {
        json_decref(sess);
        return err_set(c->e, ERR_NOT_FOUND, NULL, NULL, "no such interview");
    }
    if (is_open(status) && JI(sess, "_expires_ms") <= c->now) {
        if ((rc = expire_tx(c, sess)) == 0)
            rc = svc_commit(c);
        json_decref(sess);
        if (rc != 0)
            return rc;
        return err_set(c->e, ERR_CONFLICT, "expired", NULL,
                       "the interview link expired; answers saved before the deadline are kept");
    }
    if (strcmp(status, "expired") == 0) {
        json_decref(sess);
        return err_set(c->e, ERR_CONFLICT, "expired", NULL,
                       "the interview link expired; answers saved before the deadline are kept");
    }
    *out = sess;
    return 0;
}

int svc_interview_state(struct svc_ctx *c, const char *token, json_t **out)
{
    json_t *sess = NULL;
    int rc = svc_begin(c);
    if (rc == 0 && (rc = cand_open(c, token, &sess)) == 0)
        rc = state_build(c, sess, out);
    json_decref(sess);
    return svc_end(c, rc);
}

/* The state after a committed change, in a fresh read snapshot. */
static int state_after(struct svc_ctx *c, int64_t id, json_t **out)
{
    json_t *sess = NULL;
    int rc = svc_begin_read(c);
    if (rc == 0 && (rc = iv_sess_load(c, id, 0, &sess)) == 0)
        rc = state_build(c, sess, out);
    json_decref(sess);
    return svc_end(c, rc);
}

int svc_interview_save(struct svc_ctx *c, const char *token, int64_t qid, json_t *in, json_t **out)
{
    static const char *const fields[] = {"text", "final", "version", NULL};
    int final = 0, has_version = 0, rc;
    int64_t version = 0;
    if ((rc = jv_known(in, fields, c->e)) || (rc = jv_bool(in, "final", &final, NULL, c->e)) ||
        (rc = jv_int(in, "version", 0, 0, INT64_MAX, &version, &has_version, c->e)))
        return rc;
    json_t *tv = json_object_get(in, "text");
    if (!json_is_string(tv))
        return err_set(c->e, ERR_INVALID, tv ? "wrong_type" : "required", "text",
                       "text is required: the answer as a string (\"\" for none yet)");
    const char *text = json_string_value(tv);
    size_t n = json_string_length(tv);
    if (n > INTERVIEW_ANSWER_MAX)
        return err_set(c->e, ERR_TOO_LARGE, "answer_too_large", "text", "an answer is at most %d bytes",
                       INTERVIEW_ANSWER_MAX);
    if (n != strlen(text) || (n && utf8_has_control(text, n)))
        return err_set(c->e, ERR_INVALID, "invalid_value", "text", "text contains control characters");
    if (final && !iv_not_blank(text))
        return err_set(c->e, ERR_INVALID, "blank_answer", "text", "a final answer must not be blank");
    json_t *sess = NULL, *answers = NULL, *questions = NULL, *after = NULL;
    if ((rc = svc_begin(c)) != 0 || (rc = cand_open(c, token, &sess)))
        goto done;
    const char *status = JS(sess, "status");
    if (strcmp(status, "completed") == 0) {
        rc = err_set(c->e, ERR_CONFLICT, "already_finished", NULL, "the interview is already finished");
        goto done;
    }
    if (strcmp(status, "incomplete") == 0) {
        rc = err_set(c->e, ERR_CONFLICT, "not_in_progress", NULL,
                     "the interview was exited; resume it (POST .../resume) before saving answers");
        goto done;
    }
    questions = iv_questions(sess);
    if ((rc = iv_answers_load(c, JI(sess, "id"), &answers)))
        goto done;
    int in_set = 0;
    size_t i;
    json_t *q;
    json_array_foreach(questions, i, q)
    {
        in_set |= JI(q, "id") == qid;
    }
    if (!in_set) {
        rc = err_set(c->e, ERR_NOT_FOUND, "question_not_in_set", "question_id",
                     "question %lld is not part of this interview", (long long)qid);
        goto done;
    }
    json_t *prev = answer_of(answers, qid);
    if (prev && strcmp(JS(prev, "text"), text) == 0 && json_is_true(json_object_get(prev, "final")) == final) {
        /* the same answer again: nothing changes */
        *out = json_pack("{s:I,s:s,s:b,s:I,s:O,s:b,s:s,s:O,s:o}", "question_id", (json_int_t)qid, "text", text, "final",
                         final, "version", (json_int_t)JI(prev, "version"), "saved_at",
                         json_object_get(prev, "saved_at"), "changed", 0, "status", status, "current_question",
                         json_object_get(sess, "current_question"), "progress", progress(questions, answers));
        goto done;
    }
    int64_t current = prev ? JI(prev, "version") : 0;
    if (has_version && version != current) {
        rc = err_set(c->e, ERR_CONFLICT, "version_conflict", "version",
                     "the answer is at version %lld, not %lld: it was saved elsewhere (reload it)", (long long)current,
                     (long long)version);
        goto done;
    }
    struct db_stmt *s;
    if ((rc = svc_prepare(c,
                          prev ? "UPDATE answer SET text = ?, is_final = ?, saved_at = ?, version = version + 1 "
                                 "WHERE session_id = ? AND question_id = ?"
                               : "INSERT INTO answer (text, is_final, saved_at, session_id, question_id, version) "
                                 "VALUES (?, ?, ?, ?, ?, 1)",
                          &s)))
        goto done;
    db_bind_textn(s, 1, text, n);
    db_bind_int64(s, 2, final);
    db_bind_int64(s, 3, c->now);
    db_bind_int64(s, 4, JI(sess, "id"));
    db_bind_int64(s, 5, qid);
    rc = db_step(s, c->e);
    db_reset(s);
    if (rc < 0)
        goto done;
    if (strcmp(status, "invited") == 0) {
        if ((rc = set_status(c, sess, "in_progress", "started_at")) ||
            (rc = app_follow(c, JI(sess, "application_id"), STAGE_AI_IN_PROGRESS, ACTOR_CANDIDATE, 1)) ||
            (rc = iv_record(c, "interview.start", "interview.started", sess, &after, NULL)))
            goto done;
        json_decref(sess);
        sess = after;
        after = NULL;
    }
    json_decref(answers);
    answers = NULL;
    if ((rc = iv_answers_load(c, JI(sess, "id"), &answers)))
        goto done;
    int64_t next = final ? first_unanswered(questions, answers) : qid;
    json_t *extra = json_pack("{s:I,s:b,s:I}", "saved_question", (json_int_t)qid, "saved_final", final, "saved_version",
                              (json_int_t)current + 1);
    rc = set_current(c, JI(sess, "id"), next, 1);
    if (rc == 0)
        rc = iv_record(c, "interview.answer_save", NULL, sess, &after, extra);
    json_decref(extra);
    if (rc != 0 || (rc = svc_commit(c)))
        goto done;
    json_t *mine = answer_of(answers, qid);
    *out = json_pack("{s:I,s:s,s:b,s:I,s:O,s:b,s:s,s:O,s:o}", "question_id", (json_int_t)qid, "text", text, "final",
                     final, "version", (json_int_t)JI(mine, "version"), "saved_at", json_object_get(mine, "saved_at"),
                     "changed", 1, "status", JS(after, "status"), "current_question",
                     json_object_get(after, "current_question"), "progress", progress(questions, answers));
done:
    json_decref(sess);
    json_decref(after);
    json_decref(answers);
    json_decref(questions);
    return svc_end(c, rc);
}

int svc_interview_exit(struct svc_ctx *c, const char *token, json_t *in, json_t **out)
{
    static const char *const fields[] = {"confirm", NULL};
    int confirm = 0, rc;
    if (in && ((rc = jv_known(in, fields, c->e)) || (rc = jv_bool(in, "confirm", &confirm, NULL, c->e))))
        return rc;
    json_t *sess = NULL, *answers = NULL, *questions = NULL, *missing = NULL, *score = NULL;
    int completed = 0;
    int64_t id = 0;
    if ((rc = svc_begin(c)) != 0 || (rc = cand_open(c, token, &sess)))
        goto done;
    id = JI(sess, "id");
    const char *status = JS(sess, "status");
    if (strcmp(status, "completed") == 0 || strcmp(status, "incomplete") == 0) {
        rc = err_set(c->e, ERR_CONFLICT, "already_finished", NULL, "the interview was already exited (%s)", status);
        goto done;
    }
    questions = iv_questions(sess);
    if ((rc = iv_answers_load(c, id, &answers)))
        goto done;
    missing = unanswered_required(questions, answers);
    if (!confirm) {
        json_t *p = progress(questions, answers);
        *out = json_pack("{s:b,s:s,s:{s:s,s:s},s:O,s:I,s:o}", "confirm_required", 1, "status", status, "warning", "zh",
                         INTERVIEW_EXIT_WARNING_ZH, "en", INTERVIEW_EXIT_WARNING_EN, "unanswered_required", missing,
                         "unanswered", (json_int_t)(JI(p, "total") - JI(p, "answered")), "progress", p);
        goto done; /* nothing changes: svc_end rolls back */
    }
    completed = json_array_size(missing) == 0;
    if ((rc = set_status(c, sess, completed ? "completed" : "incomplete", completed ? "completed_at" : NULL)) ||
        (rc = app_follow(c, JI(sess, "application_id"), completed ? STAGE_AI_PENDING_EVALUATION : STAGE_AI_INCOMPLETE,
                         ACTOR_CANDIDATE, 1)) ||
        (rc = iv_record(c, completed ? "interview.complete" : "interview.incomplete",
                        completed ? "interview.completed" : "interview.incomplete", sess, NULL, NULL)) ||
        (rc = svc_commit(c)))
        goto done;
    if (completed) { /* scored after the commit: a failure is recorded on the session, answers stay */
        json_t *res = NULL;
        int src = svc_interview_score(c, id, c->scorer ? c->scorer : &interview_scorer_builtin, &res);
        score = src == 0 ? json_pack("{s:b,s:O}", "ok", 1, "result_id", json_object_get(res, "id"))
                         : json_pack("{s:b,s:s}", "ok", 0, "error", c->e->message);
        json_decref(res);
        err_clear(c->e);
    }
    if ((rc = state_after(c, id, out)) == 0) {
        json_object_set_new(*out, "unanswered_required", missing);
        missing = NULL;
        json_object_set_new(*out, "scoring", score ? score : json_null());
        score = NULL;
    }
done:
    json_decref(sess);
    json_decref(answers);
    json_decref(questions);
    json_decref(missing);
    json_decref(score);
    return svc_end(c, rc);
}

static int delete_answers(struct svc_ctx *c, int64_t id)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, "DELETE FROM answer WHERE session_id = ?", &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, id);
    rc = db_step(s, c->e);
    db_reset(s);
    return rc < 0 ? rc : 0;
}

int svc_interview_resume(struct svc_ctx *c, const char *token, json_t *in, json_t **out)
{
    static const char *const fields[] = {"mode", NULL};
    const char *mode;
    int rc;
    if ((rc = jv_known(in, fields, c->e)) || (rc = jv_string(in, "mode", 1, 16, &mode, NULL, c->e)))
        return rc;
    int restart = strcmp(mode, "restart") == 0;
    if (!restart && strcmp(mode, "continue") != 0)
        return err_set(c->e, ERR_INVALID, "invalid_value", "mode", "mode must be continue or restart");
    json_t *sess = NULL, *questions = NULL, *answers = NULL;
    int64_t id = 0;
    if ((rc = svc_begin(c)) != 0 || (rc = cand_open(c, token, &sess)))
        goto done;
    id = JI(sess, "id");
    const char *status = JS(sess, "status");
    if (strcmp(status, "completed") == 0) {
        rc = err_set(c->e, ERR_CONFLICT, "already_finished", NULL, "the interview is already finished");
        goto done;
    }
    if (restart && !json_is_true(json_object_get(sess, "_allow_restart"))) {
        rc = err_set(c->e, ERR_CONFLICT, "restart_not_allowed", "mode",
                     "this interview cannot be started over; continue where you stopped");
        goto done;
    }
    if (restart && (rc = delete_answers(c, id)))
        goto done;
    questions = iv_questions(sess);
    if ((rc = iv_answers_load(c, id, &answers)))
        goto done;
    if (strcmp(status, "invited") == 0 && !restart) { /* nothing started yet: nothing to continue */
        rc = svc_commit(c);
        goto state;
    }
    if (strcmp(status, "in_progress") != 0 && strcmp(status, "invited") != 0 &&
        ((rc = set_status(c, sess, "in_progress", NULL)) ||
         (rc = app_follow(c, JI(sess, "application_id"), STAGE_AI_IN_PROGRESS, ACTOR_CANDIDATE, 1))))
        goto done;
    json_t *extra = json_pack("{s:s}", "resume_mode", mode);
    rc = set_current(c, id, first_unanswered(questions, answers), 1);
    if (rc == 0)
        rc = iv_record(c, "interview.resume", "interview.resumed", sess, NULL, extra);
    json_decref(extra);
    if (rc != 0 || (rc = svc_commit(c)))
        goto done;
state:
    if (rc == 0)
        rc = state_after(c, id, out);
done:
    json_decref(sess);
    json_decref(questions);
    json_decref(answers);
    return svc_end(c, rc);
}

/* ------------------------------------------------------------------------
 * staff: invite, list, revoke */

/* The invitation text; link is the absolute link when the public URL is known, else the path. */
static json_t *invitation(json_t *app, const char *link, json_t *deadline, int64_t nq)
{
    const char *name = JS(app, "candidate_name"), *title = JS(app, "position_title"), *dl = json_string_value(deadline);
    char zh[2048], en[2048];
    snprintf(zh, sizeof(zh),
             "%.200s 您好：\n\n您已受邀参加「%.200s」职位的 AI 面试（共 %lld 题）。\n"
             "面试链接：%s\n截止时间：%s（UTC）\n\n说明：\n"
             "1. 答题进度会自动保存。\n"
             "2. 退出面试时系统会请您确认：" INTERVIEW_EXIT_WARNING_ZH "。\n"
             "3. 如中途断开或退出，在截止时间前使用同一链接返回，系统会提示“" INTERVIEW_RESUME_ZH
             "”，选择继续即可从上次停下的地方接着答题。\n",
             name ? name : "", title ? title : "", (long long)nq, link, dl ? dl : "");
    snprintf(en, sizeof(en),
             "Dear %.200s,\n\nYou are invited to an AI interview for the position \"%.200s\" (%lld questions).\n"
             "Interview link: %s\nDeadline: %s (UTC)\n\nPlease note:\n"
             "1. Your progress is saved automatically as you answer.\n"
             "2. Exiting asks you to confirm: " INTERVIEW_EXIT_WARNING_EN "\n"
             "3. If you are disconnected or exit early, come back with the same link before the deadline and "
             "choose to continue: you pick up where you stopped.\n",
             name ? name : "", title ? title : "", (long long)nq, link, dl ? dl : "");
    return json_pack("{s:s,s:s,s:O}", "zh", zh, "en", en, "deadline", deadline);
}

/* What invite and invitation answer: the session, the link token and path, and the invitation text. */
static json_t *invite_reply(struct svc_ctx *c, json_t *app, json_t *sess, const char *token)
{
    char path[80], link[640];
    snprintf(path, sizeof(path), "/i/%s", token);
    snprintf(link, sizeof(link), "%s%s", c->public_url ? c->public_url : "", path);
    return json_pack("{s:o,s:s,s:s,s:o,s:o}", "session", iv_public_session(sess), "token", token, "path", path, "link",
                     c->public_url ? json_string(link) : json_null(), "invitation",
                     invitation(app, link, json_object_get(sess, "expires_at"),
                                (int64_t)json_array_size(json_object_get(sess, "_questions"))));
}

/* The open sessions of app: expired ones past the deadline are expired, incomplete ones revoked; a live
 * invited / in_progress one is 409 interview_open. */
static int close_open_sessions(struct svc_ctx *c, int64_t app)
{
    struct qb q;
    qb_init(&q, SESS_SELECT "s.application_id = ? AND s.status IN ('invited', 'in_progress', 'incomplete') "
                            "ORDER BY s.id");
    qb_int(&q, app);
    json_t *open = json_array(), *sess;
    size_t i;
    int rc = qb_all(c, &q, sess_row, open);
    json_array_foreach(open, i, sess)
    {
        if (rc != 0)
            break;
        if (JI(sess, "_expires_ms") <= c->now) {
            rc = expire_tx(c, sess);
        } else if (strcmp(JS(sess, "status"), "incomplete") == 0) {
            if ((rc = set_status(c, sess, "revoked", "revoked_at")) == 0)
                rc = iv_record(c, "interview.revoke", "interview.revoked", sess, NULL, NULL);
        } else {
            rc = err_set(c->e, ERR_CONFLICT, "interview_open", "application_id",
                         "interview %lld of this application is still open (%s until %s); revoke it first",
                         (long long)JI(sess, "id"), JS(sess, "status"), JS(sess, "expires_at"));
            c->e->existing_id = JI(sess, "id");
        }
    }
    json_decref(open);
    return rc;
}

int svc_interview_invite(struct svc_ctx *c, int64_t app, json_t *in, json_t **out)
{
    static const char *const fields[] = {"question_set", "expires_in_days", NULL};
    int64_t days = INTERVIEW_DAYS_DEFAULT, set_id = 0;
    const char *code = NULL;
    int rc;
    if ((rc = jv_known(in, fields, c->e)) ||
        (rc = jv_int(in, "expires_in_days", 0, 1, INTERVIEW_DAYS_MAX, &days, NULL, c->e)) ||
        (rc = jv_code(in, "question_set", 0, &code, c->e)))
        return rc;
    if ((rc = svc_begin(c)) != 0)
        return rc;
    json_t *a = NULL, *sess = NULL, *questions = NULL;
    char token[64], hash[65], by[160];
    crypto_random_token(TOKEN_PREFIX, token, sizeof(token));
    crypto_sha256_hex(token, strlen(token), hash);
    actor_label(c->actor, by, sizeof(by));
    if ((rc = svc_app_load_tx(c, app, &a)))
        goto done;
    if (code) {
        rc = svc_question_set_id_by_code(c, code, &set_id);
        if (rc == ERR_NOT_FOUND) {
            err_clear(c->e);
            rc = err_set(c->e, ERR_INVALID, "invalid_reference", "question_set", "no question set with code %.64s",
                         code);
        }
        if (rc != 0)
            goto done;
    } else {
        struct db_stmt *s;
        if ((rc = svc_prepare(c, "SELECT question_set_id FROM position WHERE id = ?", &s)))
            goto done;
        db_bind_int64(s, 1, JI(a, "position_id"));
        rc = db_step(s, c->e);
        set_id = rc == DB_ROW ? db_col_int64(s, 0) : 0;
        db_reset(s);
        if (rc < 0)
            goto done;
        if (!set_id) {
            rc = err_set(c->e, ERR_INVALID, "no_question_set", "question_set",
                         "the position has no default question set; name one (question_set)");
            goto done;
        }
    }
    int64_t set_version = 0, set_position = 0;
    if ((rc = set_questions_load(c, set_id, &questions, &set_version, &set_position)))
        goto done;
    if (set_position && set_position != JI(a, "position_id")) {
        rc = err_set(c->e, ERR_INVALID, "wrong_position", "question_set",
                     "question set %.64s belongs to another position; use a set of position %.64s or a shared one",
                     code ? code : "", JS(a, "position") ? JS(a, "position") : "");
        goto done;
    }
    if ((rc = close_open_sessions(c, app)) || (rc = app_follow(c, app, STAGE_AI_INVITED, svc_staff_kind(c->actor), 1)))
        goto done;
    char *snapshot = json_dumps(questions, JSON_COMPACT), quoted[72];
    snprintf(quoted, sizeof(quoted), "\"%s\"", token);
    struct db_stmt *s;
    if ((rc = svc_prepare(c,
                          "INSERT INTO interview_session (application_id, set_id, token_hash, status, expires_at, "
                          "created_at, created_by, questions_json, set_version, token_enc) "
                          "VALUES (?, ?, ?, 'invited', ?, ?, ?, ?, ?, ?) RETURNING id",
                          &s)) == 0) {
        db_bind_int64(s, 1, app);
        db_bind_int64(s, 2, set_id);
        db_bind_text(s, 3, hash);
        db_bind_int64(s, 4, c->now + days * DAY_MS);
        db_bind_int64(s, 5, c->now);
        db_bind_text(s, 6, by);
        db_bind_text(s, 7, snapshot ? snapshot : "[]");
        db_bind_int64(s, 8, set_version);
        if ((rc = svc_bind_encrypted(c, s, 9, CTX_TOKEN, quoted, strlen(quoted))) == 0)
            rc = db_step(s, c->e);
    }
    free(snapshot);
    sodium_memzero(quoted, sizeof(quoted));
    int64_t id = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    if (rc == DB_ROW || rc == DB_DONE)
        db_reset(s);
    if (rc < 0 || (rc = iv_sess_load(c, id, 0, &sess)))
        goto done;
    json_t *pub = iv_public_session(sess);
    rc = svc_audit(c, "interview.invite", "interview_session", id, NULL, pub);
    if (rc == 0)
        rc = svc_event(c, "interview.invited", "interview_session", id, pub);
    json_decref(pub);
    if (rc != 0 || (rc = svc_commit(c)))
        goto done;
    *out = invite_reply(c, a, sess, token);
done:
    sodium_memzero(token, sizeof(token));
    json_decref(a);
    json_decref(sess);
    json_decref(questions);
    return svc_end(c, rc);
}

int svc_interview_invitation(struct svc_ctx *c, int64_t id, json_t **out)
{
    json_t *sess = NULL, *a = NULL, *tok = NULL;
    int rc = svc_begin(c);
    if (rc != 0)
        return rc;
    if ((rc = iv_sess_load(c, id, 1, &sess)) || (rc = svc_app_load_tx(c, JI(sess, "application_id"), &a)))
        goto done;
    if (!is_open(JS(sess, "status")) || JI(sess, "_expires_ms") <= c->now) {
        rc = err_set(c->e, ERR_CONFLICT, "not_open", "id",
                     "the interview is %s; its link works only while the interview is open and before %s",
                     is_open(JS(sess, "status")) ? "past its deadline" : JS(sess, "status"), JS(sess, "expires_at"));
        goto done;
    }
    struct db_stmt *s;
    if ((rc = svc_prepare(c, "SELECT token_enc FROM interview_session WHERE id = ?", &s)))
        goto done;
    db_bind_int64(s, 1, id);
    rc = db_step(s, c->e);
    if (rc == DB_ROW)
        tok = svc_col_decrypt_json(c, s, 0, CTX_TOKEN);
    db_reset(s);
    if (rc < 0)
        goto done;
    if (!json_is_string(tok)) {
        rc = err_set(c->e, ERR_CONFLICT, "link_unavailable", "id",
                     "the link of interview %lld was not kept (it was made before links were); revoke it and invite "
                     "again",
                     (long long)id);
        goto done;
    }
    /* Showing a live credential again is recorded. */
    json_t *rec =
        json_pack("{s:I,s:I}", "session_id", (json_int_t)id, "application_id", (json_int_t)JI(sess, "application_id"));
    rc = svc_audit(c, "interview.invitation_shown", "interview_session", id, NULL, rec);
    json_decref(rec);
    if (rc != 0 || (rc = svc_commit(c)))
        goto done;
    *out = invite_reply(c, a, sess, json_string_value(tok));
done:
    if (json_is_string(tok))
        sodium_memzero((void *)json_string_value(tok), json_string_length(tok));
    json_decref(tok);
    json_decref(a);
    json_decref(sess);
    return svc_end(c, rc);
}

int svc_interview_invite_bulk(struct svc_ctx *c, json_t *in, json_t **out)
{
    static const char *const fields[] = {"application_ids", "question_set", "expires_in_days", NULL};
    int rc = jv_known(in, fields, c->e);
    return rc != 0 ? rc : svc_bulk(c, in, "application_ids", INTERVIEW_BULK_MAX, "invited", svc_interview_invite, out);
}

int svc_interview_list(struct svc_ctx *c, int64_t app, json_t **out)
{
    json_t *a = NULL, *rows = json_array(), *items = json_array(), *r;
    struct qb q;
    qb_init(&q, SESS_SELECT "s.application_id = ? ORDER BY s.id DESC");
    qb_int(&q, app);
    int rc = svc_begin_read(c);
    if (rc == 0 && (rc = svc_app_load_tx(c, app, &a)) == 0 && (rc = qb_all(c, &q, sess_row, rows)) == 0) {
        size_t i;
        json_array_foreach(rows, i, r)
        {
            json_array_append_new(items, iv_public_session(r));
        }
        *out = json_pack("{s:O}", "items", items);
    }
    json_decref(a);
    json_decref(rows);
    json_decref(items);
    return svc_end(c, rc);
}

int svc_interview_revoke(struct svc_ctx *c, int64_t id, json_t **out)
{
    json_t *sess = NULL, *after = NULL;
    int rc = svc_begin(c);
    if (rc != 0)
        return rc;
    if ((rc = db_lock(c->db, SESSION_LOCK_BASE + id, c->e)) || (rc = iv_sess_load(c, id, 1, &sess)))
        goto done;
    if (!is_open(JS(sess, "status"))) {
        rc = err_set(c->e, ERR_CONFLICT, "not_open", "id", "the interview is %s; only an open one can be revoked",
                     JS(sess, "status"));
        goto done;
    }
    if ((rc = set_status(c, sess, "revoked", "revoked_at")) ||
        (rc = app_follow(c, JI(sess, "application_id"), STAGE_AI_INCOMPLETE, ACTOR_SYSTEM, 0)) ||
        (rc = iv_record(c, "interview.revoke", "interview.revoked", sess, &after, NULL)) || (rc = svc_commit(c)))
        goto done;
    *out = iv_public_session(after);
done:
    json_decref(sess);
    json_decref(after);
    return svc_end(c, rc);
}

/* ------------------------------------------------------------------------
 * expiry sweep */

int svc_interviews_expire(struct svc_ctx *c, int64_t before, int *n)
{
    *n = 0;
    json_t *ids = json_array(), *v;
    struct qb q;
    qb_init(&q, "SELECT id FROM interview_session WHERE status IN ('invited', 'in_progress', 'incomplete') "
                "AND expires_at < ? ORDER BY id");
    qb_int(&q, before);
    int rc = svc_begin_read(c);
    if (rc == 0)
        rc = qb_all(c, &q, qb_row_int, ids);
    svc_end(c, 0);
    size_t i;
    json_array_foreach(ids, i, v)
    {
        if (rc != 0)
            break;
        json_t *sess = NULL;
        int64_t id = json_integer_value(v);
        if ((rc = svc_begin(c)) || (rc = db_lock(c->db, SESSION_LOCK_BASE + id, c->e)) ||
            (rc = iv_sess_load(c, id, 0, &sess))) {
            rc = svc_end(c, rc);
            break;
        }
        if (is_open(JS(sess, "status")) && JI(sess, "_expires_ms") < before) {
            if ((rc = expire_tx(c, sess)) == 0 && (rc = svc_commit(c)) == 0)
                (*n)++;
        }
        json_decref(sess);
        rc = svc_end(c, rc);
    }
    json_decref(ids);
    return rc;
}

/* results_apply.c - see results_apply.h: a result applied to its application (scores, export
 * facts, match, stage move, rules). The batch state it uses is results_batch.c's. */
#include "svc/results_apply.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pipeline.h"
#include "lib/mem.h"
#include "svc/applications.h"
#include "svc/results_batch.h"
#include "svc/rules.h"

int svc_position_model(struct svc_ctx *c, int64_t position_id, struct competency *model, int max)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, "SELECT competency_json FROM position WHERE id = ?", &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, position_id);
    rc = db_step(s, c->e);
    int n = 0;
    if (rc == DB_ROW) {
        json_t *m = json_loads(db_col_text(s, 0), 0, NULL);
        n = match_model_from_json(m, model, max);
        json_decref(m);
    }
    db_reset(s);
    return rc < 0 ? rc : n;
}

/* Reads position pid's model and review flag into p (an unknown position: no model, no review). */
static int pos_read(struct svc_ctx *c, int64_t pid, struct pos_info *p)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, "SELECT competency_json, review_required, version FROM position WHERE id = ?", &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, pid);
    rc = db_step(s, c->e);
    p->id = pid;
    p->n = 0;
    p->review_required = 0;
    p->version = 0;
    if (rc == DB_ROW) {
        json_t *m = json_loads(db_col_text(s, 0), 0, NULL);
        p->n = match_model_from_json(m, p->model, MATCH_MODEL_MAX);
        json_decref(m);
        p->review_required = db_col_int64(s, 1) != 0;
        p->version = db_col_int64(s, 2);
    }
    db_reset(s);
    return rc < 0 ? rc : 0;
}

/* Position pid's model and review flag: *out points into the batch's cache (batch mode) or at tmp.
 * version is the position's version as the application's facts read it (PostgreSQL; 0 on SQLite,
 * where the batch's write lock keeps positions as they are). */
static int pos_get(struct svc_ctx *c, int64_t pid, int64_t version, struct pos_info *tmp, const struct pos_info **out)
{
    struct hist_log *h = svc_batch_state(c);
    if (!h) {
        *out = tmp;
        return pos_read(c, pid, tmp);
    }
    int sqlite = db_kind(c->db) == DB_SQLITE;
    struct pos_info **slot = &h->pos[(uint64_t)pid % POS_CACHE];
    if (!*slot || (*slot)->id != pid || (!sqlite && (*slot)->version != version)) {
        int rc = pos_read(c, pid, tmp);
        if (rc != 0)
            return rc;
        if (!*slot)
            *slot = xmalloc(sizeof(**slot));
        **slot = *tmp;
    }
    *out = *slot;
    return 0;
}

int svc_app_facts(struct svc_ctx *c, int64_t app, struct app_facts *f)
{
    struct db_stmt *s;
#define FACTS                                                                                                          \
    "SELECT a.position_id, a.result_id, a.overall, a.stage, EXISTS (SELECT 1 FROM ai_dim d WHERE d.application_id = "  \
    "a.id)"
    int rc = svc_prepare(c,
                         db_kind(c->db) == DB_SQLITE ? FACTS ", 0 FROM application a WHERE a.id = ?"
                                                     : FACTS
                             ", p.version FROM application a LEFT JOIN position p ON p.id = a.position_id "
                             "WHERE a.id = ?",
                         &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, app);
    rc = db_step(s, c->e);
    if (rc == DB_ROW) {
        f->position_id = db_col_int64(s, 0);
        f->has_result = !db_col_isnull(s, 1) && !db_col_isnull(s, 2);
        f->overall = f->has_result ? (int)db_col_int64(s, 2) : 0;
        snprintf(f->stage, sizeof(f->stage), "%s", db_col_isnull(s, 3) ? "" : db_col_text(s, 3));
        f->has_dims = db_col_int64(s, 4) != 0;
        f->position_version = db_col_int64(s, 5);
    }
    db_reset(s);
    return rc;
}

static int load_facts(struct svc_ctx *c, int64_t app, struct app_facts *f)
{
    int rc = svc_app_facts(c, app, f);
    if (rc == DB_DONE)
        return err_set(c->e, ERR_NOT_FOUND, NULL, "application_id", "no application %lld", (long long)app);
    return rc < 0 ? rc : 0;
}

/* Takes the application's current effective scores out of the histograms and deletes them. */
static int take_out(struct svc_ctx *c, int64_t app, const struct app_facts *f)
{
    if (!f->has_dims) /* a first result: only the overall score, if any */
        return f->has_result ? svc_hist_add(c, f->position_id, "", f->overall, -1) : 0;
    struct db_stmt *s;
    int rc = svc_prepare(c, "SELECT dim, score FROM ai_dim WHERE application_id = ?", &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, app);
    char dims[RESULT_MAX_DIMS][33];
    int scores[RESULT_MAX_DIMS], n = 0, more = 0;
    while ((rc = db_step(s, c->e)) == DB_ROW) {
        if (n == RESULT_MAX_DIMS) {
            more = 1; /* rows beyond what is counted out are still deleted below */
            break;
        }
        snprintf(dims[n], sizeof(dims[n]), "%s", db_col_text(s, 0));
        scores[n++] = (int)db_col_int64(s, 1);
    }
    db_reset(s);
    if (rc < 0)
        return rc;
    for (int i = 0; i < n; i++)
        if ((rc = svc_hist_add(c, f->position_id, dims[i], scores[i], -1)))
            return rc;
    if (f->has_result && (rc = svc_hist_add(c, f->position_id, "", f->overall, -1)))
        return rc;
    if (n == 0 && !more) /* nothing to delete (a first result) */
        return 0;
    if ((rc = svc_prepare(c, "DELETE FROM ai_dim WHERE application_id = ?", &s)))
        return rc;
    db_bind_int64(s, 1, app);
    return db_queue(s, c->e);
}

#define DIM_ROWS_MAX 16 /* rows per INSERT on PostgreSQL (3 parameters each) */

/* Writes r's scores as the application's effective scores and counts them in the histograms. On
 * SQLite one row per statement: a statement inserting several rows keeps a statement journal, a
 * copy of every page it changes, in case one of them fails. On PostgreSQL the rows go in one
 * statement (up to DIM_ROWS_MAX each): one execution instead of one per row. */
static int put_in(struct svc_ctx *c, int64_t app, int64_t pid, const struct result *r)
{
    struct db_stmt *s;
    int rc;
    if (db_kind(c->db) != DB_SQLITE) {
        for (int i = 0; i < r->ndims; i += DIM_ROWS_MAX) {
            int n = r->ndims - i < DIM_ROWS_MAX ? r->ndims - i : DIM_ROWS_MAX;
            static const char head[] = "INSERT INTO ai_dim (application_id, dim, score) VALUES (?, ?, ?)",
                              more[] = ", (?, ?, ?)";
            char sql[sizeof(head) + DIM_ROWS_MAX * (sizeof(more) - 1)];
            size_t len = sizeof(head) - 1;
            memcpy(sql, head, len);
            for (int k = 1; k < n; k++, len += sizeof(more) - 1)
                memcpy(sql + len, more, sizeof(more) - 1);
            sql[len] = '\0';
            if ((rc = svc_prepare(c, sql, &s)))
                return rc;
            for (int k = 0; k < n; k++) {
                db_bind_int64(s, 3 * k + 1, app);
                db_bind_text(s, 3 * k + 2, r->dims[i + k].key);
                db_bind_int64(s, 3 * k + 3, r->dims[i + k].score);
            }
            if ((rc = db_queue(s, c->e)))
                return rc;
        }
        for (int i = 0; i < r->ndims; i++)
            if ((rc = svc_hist_add(c, pid, r->dims[i].key, r->dims[i].score, 1)))
                return rc;
        return svc_hist_add(c, pid, "", r->overall, 1);
    }
    if ((rc = svc_prepare(c, "INSERT INTO ai_dim (application_id, dim, score) VALUES (?, ?, ?)", &s)))
        return rc;
    for (int i = 0; i < r->ndims; i++) {
        db_bind_int64(s, 1, app);
        db_bind_text(s, 2, r->dims[i].key);
        db_bind_int64(s, 3, r->dims[i].score);
        rc = db_step(s, c->e);
        db_reset(s);
        if (rc < 0 || (rc = svc_hist_add(c, pid, r->dims[i].key, r->dims[i].score, 1)))
            return rc;
    }
    return svc_hist_add(c, pid, "", r->overall, 1);
}

/* The match report of r against the position's model into out. */
static void report(const struct pos_info *pi, const struct result *r, struct applied *out)
{
    match_score(pi->model, pi->n, r, &out->match_score, &out->recommendation);
}

/* The application's copies of what an export reads of its result (migration 011): the effective
 * scores as {"dim":score,...} and, for a new current result, its vendor, model, completion time,
 * tags (a JSON array) and whether it has a transcript. */
struct result_facts {
    char dims[RESULT_MAX_DIMS * (RESULT_DIM_KEY_MAX + 8) + 4];
    char *tags; /* heap */
};

static void facts_of(const struct result *r, struct result_facts *f)
{
    size_t k = 0;
    f->dims[k++] = '{';
    for (int i = 0; i < r->ndims; i++)
        k += (size_t)snprintf(f->dims + k, sizeof(f->dims) - k, "%s\"%s\":%d", i ? "," : "", r->dims[i].key,
                              r->dims[i].score);
    snprintf(f->dims + k, sizeof(f->dims) - k, "}");
    json_t *tags = r->normalised ? json_object_get(r->normalised, "tags") : NULL;
    f->tags = result_json_compact(tags ? tags : json_array(), 0, NULL);
}

/* Binds what store_match and store_match_moved write of the result from index i on: ai_dims, and with
 * rid ai_vendor, ai_model, ai_completed_at, ai_tags, ai_transcript. Returns the next index. */
static int bind_facts(struct db_stmt *s, int i, int64_t rid, const struct result *r, const struct result_facts *f)
{
    db_bind_text(s, i++, f->dims);
    if (!rid)
        return i;
    db_bind_text(s, i++, r->vendor);
    db_bind_text(s, i++, r->model_version);
    db_bind_int64(s, i++, r->completed_at);
    db_bind_text(s, i++, f->tags);
    db_bind_int64(s, i++, r->nsegments > 0);
    return i;
}

#define RESULT_FACTS_SET "ai_vendor = ?, ai_model = ?, ai_completed_at = ?, ai_tags = ?, ai_transcript = ?, "

/* Stores the match report (and r's overall) on the application; rid non-zero also makes it the
 * current result, received now. */
static int store_match(struct svc_ctx *c, int64_t app, int64_t rid, const struct result *r, const struct applied *out)
{
    struct db_stmt *s;
    int rc = svc_prepare(c,
                         rid ? "UPDATE application SET overall = ?, match_score = ?, recommendation = ?, "
                               "updated_at = ?, version = version + 1, ai_dims = ?, " RESULT_FACTS_SET
                               "result_id = ?, result_at = ? WHERE id = ?"
                             : "UPDATE application SET overall = ?, match_score = ?, recommendation = ?, "
                               "updated_at = ?, version = version + 1, ai_dims = ? WHERE id = ?",
                         &s);
    if (rc != 0)
        return rc;
    struct result_facts f;
    facts_of(r, &f);
    db_bind_int64(s, 1, r->overall);
    db_bind_double(s, 2, out->match_score);
    db_bind_text(s, 3, out->recommendation);
    db_bind_int64(s, 4, c->now);
    int i = bind_facts(s, 5, rid, r, &f);
    if (rid) {
        db_bind_int64(s, i++, rid);
        db_bind_int64(s, i++, c->now);
    }
    db_bind_int64(s, i, app);
    rc = db_queue(s, c->e);
    free(f.tags);
    return rc;
}

/* The stage history note of a move made by a result's arrival (svc/applications.h reads it back). */
static void result_note(const struct result *r, char note[200])
{
    snprintf(note, 200, SVC_NOTE_RESULT_HEAD "%.32s/%.128s" SVC_NOTE_RESULT_TAIL, r->vendor, r->vendor_result_id);
}

/* store_match (rid non-zero) and the move from stage from to ai_pending_evaluation in one UPDATE:
 * the row the two updates one after the other (svc_app_move_tx's) would leave: stage, prev_stage and
 * stage_changed_at set, elimination reason and note kept (leaving an early stage), version up by 2;
 * then the move's stage_history row. Only while the application is still in stage from: *moved is 0
 * and nothing is written when another writer has moved it since (PostgreSQL). */
static int store_match_moved(struct svc_ctx *c, int64_t app, int64_t rid, const char *from, const struct result *r,
                             const struct applied *out, int *moved)
{
    struct db_stmt *s;
    *moved = 0;
    int rc = svc_prepare(c,
                         "UPDATE application SET overall = ?, match_score = ?, recommendation = ?, updated_at = ?, "
                         "version = version + 2, ai_dims = ?, " RESULT_FACTS_SET
                         "result_id = ?, result_at = ?, stage = ?, prev_stage = ?, "
                         "stage_changed_at = ? WHERE id = ? AND stage = ?",
                         &s);
    if (rc != 0)
        return rc;
    struct result_facts f;
    facts_of(r, &f);
    db_bind_int64(s, 1, r->overall);
    db_bind_double(s, 2, out->match_score);
    db_bind_text(s, 3, out->recommendation);
    db_bind_int64(s, 4, c->now);
    int i = bind_facts(s, 5, rid, r, &f);
    db_bind_int64(s, i++, rid);
    db_bind_int64(s, i++, c->now);
    db_bind_text(s, i++, stage_name(STAGE_AI_PENDING_EVALUATION));
    db_bind_text(s, i++, from);
    db_bind_int64(s, i++, c->now);
    db_bind_int64(s, i++, app);
    db_bind_text(s, i, from);
    rc = db_step(s, c->e);
    db_reset(s);
    free(f.tags);
    if (rc < 0)
        return rc;
    if (db_changes(c->db) == 0) /* (counted rather than RETURNING id: see db_last_insert_id) */
        return 0;
    *moved = 1;
    char note[200];
    result_note(r, note);
    return svc_app_history_tx(c, app, from, stage_name(STAGE_AI_PENDING_EVALUATION), NULL, note, ACTOR_SYSTEM);
}

static int early_stage(enum stage st)
{
    return st == STAGE_APPLIED || st == STAGE_AI_INVITED || st == STAGE_AI_IN_PROGRESS || st == STAGE_AI_INCOMPLETE;
}

/* The actor's view is scoped (manager, interviewer): loading the application is what checks that it
 * may be seen. */
static int scoped_actor(const struct svc_ctx *c)
{
    return c->actor->role == ROLE_MANAGER || c->actor->role == ROLE_INTERVIEWER;
}

/* Moves the application on to ai_pending_evaluation when it is still before it (after store_match).
 * f->stage is its stage. */
static int move_on(struct svc_ctx *c, int64_t app, const struct app_facts *f, const struct result *r,
                   struct applied *out)
{
    /* Past the early stages nothing moves: the stage is all there is to say, unless the actor's view is
     * scoped. */
    enum stage st = stage_parse(f->stage);
    if (!early_stage(st) && !scoped_actor(c)) {
        snprintf(out->stage, sizeof(out->stage), "%s", stage_name(st));
        return 0;
    }
    json_t *before = NULL;
    int rc = svc_app_load_tx(c, app, &before);
    if (rc != 0)
        return rc;
    st = stage_parse(json_string_value(json_object_get(before, "stage")));
    if (early_stage(st)) {
        char note[200];
        result_note(r, note);
        rc = svc_app_move_tx(c, before, STAGE_AI_PENDING_EVALUATION, ACTOR_SYSTEM, NULL, note);
        st = STAGE_AI_PENDING_EVALUATION;
    }
    snprintf(out->stage, sizeof(out->stage), "%s", stage_name(st));
    json_decref(before);
    return rc;
}

static int apply_result(struct svc_ctx *c, int64_t app, int64_t rid, const struct result *r,
                        const struct app_facts *known, struct applied *out)
{
    struct app_facts f = {0};
    struct pos_info tmp;
    const struct pos_info *pi;
    int rc;
    if (known)
        f = *known;
    else if ((rc = load_facts(c, app, &f)))
        return rc;
    if ((rc = take_out(c, app, &f)) || (rc = put_in(c, app, f.position_id, r)) ||
        (rc = pos_get(c, f.position_id, f.position_version, &tmp, &pi)))
        return rc;
    report(pi, r, out);
    enum stage st = stage_parse(f.stage);
    if (rid && early_stage(st) && !scoped_actor(c)) {
        /* The move svc_app_move_tx would make next, folded into the one update: the same check first. */
        struct transition_req tr = {.from = st,
                                    .to = STAGE_AI_PENDING_EVALUATION,
                                    .actor = ACTOR_SYSTEM,
                                    .reason = NULL,
                                    .review_required = pi->review_required};
        int moved = 0;
        if ((rc = pipeline_check(&tr, c->e)) || (rc = store_match_moved(c, app, rid, f.stage, r, out, &moved)))
            return rc;
        if (moved) {
            snprintf(out->stage, sizeof(out->stage), "%s", stage_name(STAGE_AI_PENDING_EVALUATION));
            /* what svc_app_move_tx does after a move */
            return svc_rules_run_tx(c, app, RULE_ON_STAGE, NULL);
        }
        /* moved by another writer since load_facts: the two steps, as for everyone else */
    }
    if ((rc = store_match(c, app, rid, r, out)))
        return rc;
    return move_on(c, app, &f, r, out);
}

/* An application created for its first result (svc_result_new_app_tx): the row written once, as the
 * insert of svc_app_insert_new_tx followed by store_match_moved would leave it (version 1 + 2). */
#define INSERT_NEW_APP                                                                                                 \
    "INSERT INTO application (candidate_id, position_id, stage, prev_stage, stage_changed_at, created_at, "            \
    "updated_at, version, overall, match_score, recommendation, ai_dims, ai_vendor, ai_model, ai_completed_at, "       \
    "ai_tags, ai_transcript, result_id, result_at) VALUES (?, ?, ?, ?, ?, ?, ?, 3, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

int svc_result_new_app_tx(struct svc_ctx *c, int64_t cand, int64_t pid, int64_t pver, int64_t rid,
                          const struct result *r, int64_t *app, struct applied *out)
{
    struct pos_info tmp;
    const struct pos_info *pi;
    struct db_stmt *s;
    const char *applied = stage_name(STAGE_APPLIED), *pending = stage_name(STAGE_AI_PENDING_EVALUATION);
    *app = 0;
    int sqlite = db_kind(c->db) == DB_SQLITE;
    int rc = pos_get(c, pid, pver, &tmp, &pi);
    if (rc != 0)
        return rc;
    report(pi, r, out);
    struct transition_req tr = {.from = STAGE_APPLIED,
                                .to = STAGE_AI_PENDING_EVALUATION,
                                .actor = ACTOR_SYSTEM,
                                .reason = NULL,
                                .review_required = pi->review_required};
    if ((rc = pipeline_check(&tr, c->e)))
        return rc;
    /* The counter the insert in stage applied would have written and the move taken back: a row left at
     * zero stays (migration 012; PostgreSQL's counters are rows of changes, summed). */
    if (sqlite) {
        if ((rc = svc_prepare(c,
                              "INSERT INTO app_count (position_id, stage, reason, n) VALUES (?, ?, '', 0) "
                              "ON CONFLICT (position_id, stage, reason) DO NOTHING",
                              &s)))
            return rc;
        db_bind_int64(s, 1, pid);
        db_bind_text(s, 2, applied);
        rc = db_step(s, c->e);
        db_reset(s);
        if (rc < 0)
            return rc;
    }
    if ((rc = svc_prepare(c, sqlite ? INSERT_NEW_APP : INSERT_NEW_APP " RETURNING id", &s)))
        return rc;
    struct result_facts f;
    facts_of(r, &f);
    db_bind_int64(s, 1, cand);
    db_bind_int64(s, 2, pid);
    db_bind_text(s, 3, pending);
    db_bind_text(s, 4, applied);
    db_bind_int64(s, 5, c->now);
    db_bind_int64(s, 6, c->now);
    db_bind_int64(s, 7, c->now);
    db_bind_int64(s, 8, r->overall);
    db_bind_double(s, 9, out->match_score);
    db_bind_text(s, 10, out->recommendation);
    int i = bind_facts(s, 11, rid, r, &f);
    db_bind_int64(s, i++, rid);
    db_bind_int64(s, i, c->now);
    rc = db_step(s, c->e);
    *app = rc == DB_ROW ? db_col_int64(s, 0) : rc == DB_DONE && sqlite ? db_last_insert_id(c->db) : 0;
    db_reset(s);
    free(f.tags);
    if (rc < 0)
        return rc;
    char note[200];
    result_note(r, note);
    if ((rc = svc_app_history_tx(c, *app, NULL, applied, NULL, NULL, ACTOR_SYSTEM)) ||
        (rc = svc_app_history_tx(c, *app, applied, pending, NULL, note, ACTOR_SYSTEM)))
        return rc;
    snprintf(out->stage, sizeof(out->stage), "%s", pending);
    return 0;
}

/* The stage application app is in now into out->stage. */
static int read_stage(struct svc_ctx *c, int64_t app, struct applied *out)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, "SELECT stage FROM application WHERE id = ?", &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, app);
    if ((rc = db_step(s, c->e)) == DB_ROW)
        snprintf(out->stage, sizeof(out->stage), "%s", db_col_text(s, 0));
    db_reset(s);
    return rc < 0 ? rc : 0;
}

int svc_result_apply_tx(struct svc_ctx *c, int64_t app, int64_t rid, const struct result *r, struct applied *out)
{
    return svc_result_apply_known_tx(c, app, rid, r, NULL, out);
}

int svc_result_apply_known_tx(struct svc_ctx *c, int64_t app, int64_t rid, const struct result *r,
                              const struct app_facts *f, struct applied *out)
{
    int moved = 0, rc = apply_result(c, app, rid, r, f, out);
    /* A new current result is what the rules triggered by a result arriving wait for. */
    if (rc == 0 && rid && (rc = svc_rules_run_tx(c, app, RULE_ON_RESULT, &moved)) == 0 && moved)
        rc = read_stage(c, app, out);
    return rc;
}

int svc_result_rescore_tx(struct svc_ctx *c, int64_t app, const struct result *r, const char *dim, int score,
                          struct applied *out)
{
    struct app_facts f = {0};
    struct pos_info tmp;
    const struct pos_info *pi;
    int rc = load_facts(c, app, &f);
    if (rc != 0)
        return rc;
    struct result eff = *r;
    if (dim[0] == '\0')
        eff.overall = score;
    for (int i = 0; i < eff.ndims; i++)
        if (strcmp(eff.dims[i].key, dim) == 0)
            eff.dims[i].score = score;
    if ((rc = take_out(c, app, &f)) || (rc = put_in(c, app, f.position_id, &eff)) ||
        (rc = pos_get(c, f.position_id, f.position_version, &tmp, &pi)))
        return rc;
    report(pi, &eff, out);
    if ((rc = store_match(c, app, 0, &eff, out)))
        return rc;
    snprintf(out->stage, sizeof(out->stage), "%s", "");
    return 0;
}

int svc_result_new_app_done_tx(struct svc_ctx *c, int64_t app, int64_t pid, const struct result *r, struct applied *out)
{
    int moved = 0, rc = put_in(c, app, pid, r);
    /* what svc_app_move_tx does after a move, then what a new current result does */
    if (rc == 0 && (rc = svc_rules_run_tx(c, app, RULE_ON_STAGE, NULL)) == 0 &&
        (rc = svc_rules_run_tx(c, app, RULE_ON_RESULT, &moved)) == 0 && moved)
        rc = read_stage(c, app, out);
    return rc;
}

/* exports_gate.c - what an export checks before eliminations leave the
 * buffer (issue 5, svc/exports_impl.h): the adverse-impact acknowledgement of
 * every position whose eliminations it would export, and the completeness of
 * each elimination's evaluation (a current result with a transcript and a
 * score for every dimension of the position's competency model). */
#include "svc/exports_impl.h"

#include <stdio.h>
#include <string.h>

#include "core/match.h"
#include "svc/fairness.h"

#define HELD_SHOWN 200 /* held-back applications listed on a job, at most */

/* 409 fairness_unacknowledged unless every position with eliminations in job may export them. */
static int fairness_gate(struct svc_ctx *c, int64_t job)
{
    struct db_stmt *s;
    int rc =
        svc_prepare(c,
                    "SELECT DISTINCT a.position_id FROM export_item x JOIN application a ON a.id = x.application_id "
                    "WHERE x.job_id = ? AND a.stage = 'eliminated_pending_export' ORDER BY a.position_id",
                    &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, job);
    int64_t pos[64];
    int n = 0, more = 1;
    while (more) {
        /* read a batch of positions first: the check runs statements of its own */
        n = 0;
        while (n < 64 && (rc = db_step(s, c->e)) == DB_ROW)
            pos[n++] = db_col_int64(s, 0);
        more = rc == DB_ROW;
        if (rc < 0) {
            db_reset(s);
            return rc;
        }
        for (int i = 0; i < n; i++)
            if ((rc = svc_fairness_export_check_tx(c, pos[i])) != 0) {
                db_reset(s);
                return rc;
            }
    }
    db_reset(s);
    return 0;
}

/* The position's model, parsed once per position in a row (the selection comes in position order). */
struct model_cache {
    int64_t pid;
    int n;
    struct competency m[MATCH_MODEL_MAX];
};

static int held_back(struct svc_ctx *c, int64_t job, int64_t app, json_t *missing, json_t *held)
{
    if (json_array_size(held) < HELD_SHOWN)
        json_array_append_new(held, json_pack("{s:I,s:O}", "application_id", (json_int_t)app, "missing", missing));
    struct db_stmt *s;
    int rc = svc_prepare(c, "DELETE FROM export_item WHERE job_id = ? AND application_id = ?", &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, job);
    db_bind_int64(s, 2, app);
    return svc_exec(c, s);
}

/* Which of the model's dimensions app lacks, by its ai_dim rows (cursor d at *state). */
static void missing_dims(struct db_stmt *d, int *state, int64_t app, const struct model_cache *mc, json_t *missing,
                         struct err *e)
{
    char have[RESULT_MAX_DIMS][RESULT_DIM_KEY_MAX + 1];
    int nh = 0;
    while (*state == DB_ROW && db_col_int64(d, 0) <= app) {
        if (db_col_int64(d, 0) == app && nh < RESULT_MAX_DIMS)
            snprintf(have[nh++], sizeof(have[0]), "%s", db_col_text(d, 1));
        *state = db_step(d, e);
    }
    for (int i = 0; i < mc->n; i++) {
        int found = 0;
        for (int k = 0; k < nh && !found; k++)
            found = strcmp(have[k], mc->m[i].dim) == 0;
        if (!found)
            json_array_append_new(missing, json_sprintf("dim.%s", mc->m[i].dim));
    }
}

int xjob_gate_tx(struct svc_ctx *c, int64_t job, int64_t *n, json_t **held)
{
    *held = json_array();
    int rc = fairness_gate(c, job);
    if (rc != 0)
        return rc;
    struct db_stmt *s, *d;
    if ((rc = svc_prepare(c,
                          "SELECT a.id, a.position_id, p.competency_json, a.result_id IS NOT NULL, "
                          "r.transcript_enc IS NOT NULL FROM export_item x JOIN application a ON a.id = "
                          "x.application_id JOIN position p ON p.id = a.position_id LEFT JOIN ai_result r ON "
                          "r.id = a.result_id WHERE x.job_id = ? AND a.stage = 'eliminated_pending_export' "
                          "ORDER BY a.id",
                          &s)) ||
        (rc = svc_prepare(c,
                          "SELECT a.id, g.dim FROM export_item x JOIN application a ON a.id = x.application_id "
                          "JOIN ai_dim g ON g.application_id = a.id WHERE x.job_id = ? AND "
                          "a.stage = 'eliminated_pending_export' ORDER BY a.id",
                          &d)))
        return rc;
    db_bind_int64(s, 1, job);
    db_bind_int64(d, 1, job);
    struct model_cache mc = {.pid = 0};
    json_t *incomplete = json_array(); /* [app, missing] pairs, removed after the scan */
    int dstate = db_step(d, c->e);
    while (dstate >= 0 && (rc = db_step(s, c->e)) == DB_ROW) {
        int64_t app = db_col_int64(s, 0), pid = db_col_int64(s, 1);
        if (pid != mc.pid) {
            json_t *mj = json_loads(db_col_text(s, 2), 0, NULL);
            mc.n = match_model_from_json(mj, mc.m, MATCH_MODEL_MAX);
            mc.pid = pid;
            json_decref(mj);
        }
        json_t *missing = json_array();
        if (db_col_int64(s, 3) == 0) {
            json_array_append_new(missing, json_string("result"));
        } else {
            if (db_col_int64(s, 4) == 0)
                json_array_append_new(missing, json_string("transcript"));
            missing_dims(d, &dstate, app, &mc, missing, c->e);
        }
        if (json_array_size(missing))
            json_array_append_new(incomplete, json_pack("[I,o]", (json_int_t)app, missing));
        else
            json_decref(missing);
    }
    db_reset(s);
    db_reset(d);
    if (dstate < 0)
        rc = dstate;
    size_t i;
    json_t *p;
    json_array_foreach(incomplete, i, p)
    {
        if (rc >= 0 &&
            (rc = held_back(c, job, json_integer_value(json_array_get(p, 0)), json_array_get(p, 1), *held)) == 0)
            (*n)--;
    }
    json_decref(incomplete);
    return rc < 0 ? rc : 0;
}

/* revisions.c - see revisions.h. */
#include "svc/revisions.h"

#include <string.h>

#include "svc/applications.h"
#include "svc/query.h"
#include "svc/results_apply.h"
#include "svc/scores.h"
#include "svc/validate.h"
#include "svc/views.h"

#define REVISION_SELECT                                                                                                \
    "SELECT r.id, r.result_id, r.dim, r.old_score, r.new_score, r.reason, u.username, r.actor, r.created_at "          \
    "FROM score_revision r LEFT JOIN users u ON u.id = r.user_id WHERE "

/* The overall score's name in a revision. */
#define OVERALL "overall"

static json_t *revision_row(struct svc_ctx *c, struct db_stmt *s)
{
    (void)c;
    const char *dim = db_col_text(s, 2);
    return json_pack("{s:I,s:I,s:s,s:I,s:I,s:s,s:s?,s:s,s:o}", "id", (json_int_t)db_col_int64(s, 0), "result_id",
                     (json_int_t)db_col_int64(s, 1), "dim", dim[0] ? dim : OVERALL, "old",
                     (json_int_t)db_col_int64(s, 3), "new", (json_int_t)db_col_int64(s, 4), "reason", db_col_text(s, 5),
                     "user", db_col_text(s, 6), "actor", db_col_text(s, 7), "at", json_time(db_col_int64(s, 8)));
}

int revisions_list_tx(struct svc_ctx *c, int64_t app, json_t *into)
{
    struct qb q;
    qb_init(&q, REVISION_SELECT "r.application_id = ? ORDER BY r.id");
    qb_int(&q, app);
    return qb_all(c, &q, revision_row, into);
}

int svc_score_revisions(struct svc_ctx *c, int64_t app, json_t **out)
{
    json_t *a = NULL, *items = json_array();
    int rc = svc_begin_read(c);
    if (rc == 0 && (rc = svc_app_load_tx(c, app, &a)) == 0 && (rc = revisions_list_tx(c, app, items)) == 0)
        *out = json_pack("{s:O}", "items", items);
    json_decref(a);
    json_decref(items);
    return svc_end(c, rc);
}

/* The effective score of dim ("" = overall) in sc, or 422 when the result has no such dimension. */
static int old_score(struct svc_ctx *c, const struct scores *sc, const char *dim, int *old)
{
    if (!dim[0]) {
        *old = sc->r.overall;
        return 0;
    }
    int i = scores_dim_index(sc, dim);
    if (i < 0)
        return err_set(c->e, ERR_INVALID, "unknown_dimension", "dim", "the current result has no dimension %.32s", dim);
    *old = sc->r.dims[i].score;
    return 0;
}

static int insert_revision(struct svc_ctx *c, const struct scores *sc, const char *dim, int old, int score,
                           const char *reason, int64_t *id)
{
    char label[160];
    actor_label(c->actor, label, sizeof(label));
    struct db_stmt *s;
    int rc = svc_prepare(c,
                         "INSERT INTO score_revision (result_id, application_id, dim, old_score, new_score, reason, "
                         "actor, user_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                         &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, sc->result_id);
    db_bind_int64(s, 2, sc->app_id);
    db_bind_text(s, 3, dim);
    db_bind_int64(s, 4, old);
    db_bind_int64(s, 5, score);
    db_bind_text(s, 6, reason);
    db_bind_text(s, 7, label);
    if (c->actor->user_id)
        db_bind_int64(s, 8, c->actor->user_id);
    else
        db_bind_null(s, 8);
    db_bind_int64(s, 9, c->now);
    rc = db_step(s, c->e);
    *id = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_reset(s);
    return rc < 0 ? rc : 0;
}

int svc_score_revise(struct svc_ctx *c, int64_t app, json_t *in, json_t **out)
{
    static const char *const fields[] = {"dim", "score", "reason", "version", NULL};
    const char *dim_in, *reason;
    int64_t score = 0, version = 0;
    int has_version, rc;
    if ((rc = jv_known(in, fields, c->e)) || (rc = jv_string(in, "dim", 1, 32, &dim_in, NULL, c->e)) ||
        (rc = jv_int(in, "score", 1, 0, 100, &score, NULL, c->e)) ||
        (rc = jv_text(in, "reason", 1, 500, &reason, NULL, c->e)) ||
        (rc = jv_int(in, "version", 0, 1, INT64_MAX, &version, &has_version, c->e)))
        return rc;
    const char *dim = strcmp(dim_in, OVERALL) == 0 ? "" : dim_in;
    if ((rc = svc_begin(c)) != 0)
        return rc;
    json_t *before = NULL, *rev = NULL;
    struct scores sc = {0};
    struct applied ap = {0};
    int old = 0;
    int64_t id = 0;
    if ((rc = svc_app_load_tx(c, app, &before)) ||
        (rc = svc_check_version(c, "application", before, has_version, version)) || (rc = scores_load_tx(c, app, &sc)))
        goto done;
    if (!sc.result_id) {
        rc = err_set(c->e, ERR_CONFLICT, "no_result", NULL, "application %lld has no AI result to revise",
                     (long long)app);
        goto done;
    }
    if ((rc = old_score(c, &sc, dim, &old)))
        goto done;
    if (old == (int)score) {
        rc = err_set(c->e, ERR_INVALID, "unchanged", "score", "%s is %d already", dim_in, old);
        goto done;
    }
    struct qb q;
    if ((rc = insert_revision(c, &sc, dim, old, (int)score, reason, &id)) ||
        (rc = svc_result_rescore_tx(c, app, &sc.r, dim, (int)score, &ap)))
        goto done;
    qb_init(&q, REVISION_SELECT "r.id = ?");
    qb_int(&q, id);
    if ((rc = qb_one(c, &q, revision_row, "revision", &rev)))
        goto done;
    json_t *after =
        json_pack("{s:O,s:f,s:s}", "revision", rev, "match_score", ap.match_score, "recommendation", ap.recommendation);
    json_t *audit_before = json_pack("{s:s,s:i}", "dim", dim_in, "score", old);
    json_t *audit_after = json_pack("{s:s,s:I,s:s}", "dim", dim_in, "score", (json_int_t)score, "reason", reason);
    json_t *event = json_pack("{s:I,s:O}", "application_id", (json_int_t)app, "revision", rev);
    json_object_update(event, after);
    rc = svc_audit(c, "result.revise", "application", app, audit_before, audit_after);
    if (rc == 0)
        rc = svc_event(c, "result.revised", "application", app, event);
    if (rc == 0)
        rc = svc_commit(c);
    json_decref(audit_before);
    json_decref(audit_after);
    json_decref(event);
    if (rc == 0)
        *out = after;
    else
        json_decref(after);
done:
    json_decref(before);
    json_decref(rev);
    scores_free(&sc);
    return svc_end(c, rc);
}

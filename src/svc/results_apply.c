/* results_apply.c - see results_apply.h. */
#include "svc/results_apply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pipeline.h"
#include "lib/mem.h"
#include "svc/applications.h"

#define MODEL_MAX 32

/* Adds delta to one histogram bucket in the database. */
static int hist_write(struct svc_ctx *c, int64_t pid, const char *dim, int bucket, int64_t delta)
{
    struct db_stmt *s;
    int rc = svc_prepare(c,
                         "INSERT INTO score_hist (position_id, dim, bucket, n) VALUES (?, ?, ?, ?) "
                         "ON CONFLICT (position_id, dim, bucket) DO UPDATE SET n = score_hist.n + excluded.n",
                         &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, pid);
    db_bind_text(s, 2, dim);
    db_bind_int64(s, 3, bucket);
    db_bind_int64(s, 4, delta);
    rc = db_step(s, c->e);
    db_reset(s);
    return rc < 0 ? rc : 0;
}

/* Histogram changes a batch holds back until it commits (see svc_hist_flush): one entry per change,
 * in order, so that a use case rolled back to its savepoint takes its own entries back. */
struct hist_delta {
    int64_t pid;
    int bucket, delta;
    char dim[RESULT_DIM_KEY_MAX + 1];
};

struct hist_log {
    struct hist_delta *d;
    size_t n, cap;
    size_t mark; /* entries before the current use case's savepoint */
};

/* Counts score in (or, delta -1, out of) the position's histogram for dim. In batch mode the change
 * is logged and written, summed per bucket, when the batch commits: the same counts, a fraction of
 * the writes (nothing reads a histogram inside an import's batch; svc_hist_read adds what is
 * pending all the same). */
static int hist_add(struct svc_ctx *c, int64_t pid, const char *dim, int score, int delta)
{
    int bucket = score < 0 ? 0 : score > 100 ? 100 : score;
    if (!c->batch || strlen(dim) > RESULT_DIM_KEY_MAX)
        return hist_write(c, pid, dim, bucket, delta);
    struct hist_log *h = c->hist;
    if (!h)
        h = c->hist = xcalloc(1, sizeof(*h));
    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 1024;
        h->d = xrealloc(h->d, h->cap * sizeof(*h->d));
    }
    struct hist_delta *d = &h->d[h->n++];
    d->pid = pid;
    d->bucket = bucket;
    d->delta = delta;
    snprintf(d->dim, sizeof(d->dim), "%s", dim);
    return 0;
}

void svc_hist_mark(struct svc_ctx *c)
{
    if (c->hist)
        c->hist->mark = c->hist->n;
}

void svc_hist_undo(struct svc_ctx *c)
{
    if (c->hist)
        c->hist->n = c->hist->mark;
}

static int delta_cmp(const void *a, const void *b)
{
    const struct hist_delta *x = a, *y = b;
    if (x->pid != y->pid)
        return x->pid < y->pid ? -1 : 1;
    int d = strcmp(x->dim, y->dim);
    if (d)
        return d;
    return x->bucket - y->bucket;
}

int svc_hist_flush(struct svc_ctx *c)
{
    struct hist_log *h = c->hist;
    int rc = 0;
    if (!h)
        return 0;
    c->hist = NULL;
    /* Sum the changes per bucket; a bucket whose changes cancel out is still written (n + 0), so that
     * the rows are exactly those the changes one by one would have left. */
    qsort(h->d, h->n, sizeof(*h->d), delta_cmp);
    for (size_t i = 0; i < h->n && rc == 0;) {
        size_t j = i;
        int64_t sum = 0;
        for (; j < h->n && delta_cmp(&h->d[i], &h->d[j]) == 0; j++)
            sum += h->d[j].delta;
        rc = hist_write(c, h->d[i].pid, h->d[i].dim, h->d[i].bucket, sum);
        i = j;
    }
    free(h->d);
    free(h);
    return rc;
}

int svc_hist_read(struct svc_ctx *c, int64_t position_id, const char *dim, int64_t counts[HIST_BUCKETS])
{
    memset(counts, 0, sizeof(int64_t) * HIST_BUCKETS);
    struct db_stmt *s;
    int rc = svc_prepare(c, "SELECT bucket, n FROM score_hist WHERE position_id = ? AND dim = ?", &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, position_id);
    db_bind_text(s, 2, dim);
    while ((rc = db_step(s, c->e)) == DB_ROW) {
        int64_t b = db_col_int64(s, 0);
        if (b >= 0 && b < HIST_BUCKETS)
            counts[b] = db_col_int64(s, 1);
    }
    db_reset(s);
    for (size_t i = 0; c->hist && i < c->hist->n; i++) /* what the batch holds back */
        if (c->hist->d[i].pid == position_id && strcmp(c->hist->d[i].dim, dim) == 0)
            counts[c->hist->d[i].bucket] += c->hist->d[i].delta;
    return rc < 0 ? rc : 0;
}

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

/* Application facts the apply steps need. */
struct app_facts {
    int64_t position_id;
    int has_result;
    int overall;
    char stage[40];
};

static int load_facts(struct svc_ctx *c, int64_t app, struct app_facts *f)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, "SELECT position_id, result_id, overall, stage FROM application WHERE id = ?", &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, app);
    rc = db_step(s, c->e);
    if (rc == DB_ROW) {
        f->position_id = db_col_int64(s, 0);
        f->has_result = !db_col_isnull(s, 1) && !db_col_isnull(s, 2);
        f->overall = f->has_result ? (int)db_col_int64(s, 2) : 0;
        snprintf(f->stage, sizeof(f->stage), "%s", db_col_isnull(s, 3) ? "" : db_col_text(s, 3));
    }
    db_reset(s);
    if (rc == DB_DONE)
        return err_set(c->e, ERR_NOT_FOUND, NULL, "application_id", "no application %lld", (long long)app);
    return rc < 0 ? rc : 0;
}

/* Takes the application's current effective scores out of the histograms and deletes them. */
static int take_out(struct svc_ctx *c, int64_t app, const struct app_facts *f)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, "SELECT dim, score FROM ai_dim WHERE application_id = ?", &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, app);
    char dims[RESULT_MAX_DIMS][33];
    int scores[RESULT_MAX_DIMS], n = 0;
    while ((rc = db_step(s, c->e)) == DB_ROW && n < RESULT_MAX_DIMS) {
        snprintf(dims[n], sizeof(dims[n]), "%s", db_col_text(s, 0));
        scores[n++] = (int)db_col_int64(s, 1);
    }
    db_reset(s);
    if (rc < 0)
        return rc;
    for (int i = 0; i < n; i++)
        if ((rc = hist_add(c, f->position_id, dims[i], scores[i], -1)))
            return rc;
    if (f->has_result && (rc = hist_add(c, f->position_id, "", f->overall, -1)))
        return rc;
    if ((rc = svc_prepare(c, "DELETE FROM ai_dim WHERE application_id = ?", &s)))
        return rc;
    db_bind_int64(s, 1, app);
    rc = db_step(s, c->e);
    db_reset(s);
    return rc < 0 ? rc : 0;
}

/* Writes r's scores as the application's effective scores and counts them in the histograms. */
static int put_in(struct svc_ctx *c, int64_t app, int64_t pid, const struct result *r)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, "INSERT INTO ai_dim (application_id, dim, score) VALUES (?, ?, ?)", &s);
    if (rc != 0)
        return rc;
    for (int i = 0; i < r->ndims; i++) {
        db_bind_int64(s, 1, app);
        db_bind_text(s, 2, r->dims[i].key);
        db_bind_int64(s, 3, r->dims[i].score);
        rc = db_step(s, c->e);
        db_reset(s);
        if (rc < 0 || (rc = hist_add(c, pid, r->dims[i].key, r->dims[i].score, 1)))
            return rc;
    }
    return hist_add(c, pid, "", r->overall, 1);
}

/* Computes the match report of r against the position's model and stores it on the application. */
static int store_match(struct svc_ctx *c, int64_t app, int64_t rid, int64_t pid, const struct result *r,
                       struct applied *out)
{
    struct competency model[MODEL_MAX];
    int n = svc_position_model(c, pid, model, MODEL_MAX);
    if (n < 0)
        return n;
    struct match_report rep;
    match_compute(model, n, r, &rep);
    out->match_score = rep.match_score;
    out->recommendation = rep.recommendation;
    match_report_free(&rep);
    struct db_stmt *s;
    int rc = svc_prepare(c,
                         rid ? "UPDATE application SET overall = ?, match_score = ?, recommendation = ?, "
                               "updated_at = ?, version = version + 1, result_id = ?, result_at = ? WHERE id = ?"
                             : "UPDATE application SET overall = ?, match_score = ?, recommendation = ?, "
                               "updated_at = ?, version = version + 1 WHERE id = ?",
                         &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, r->overall);
    db_bind_double(s, 2, out->match_score);
    db_bind_text(s, 3, out->recommendation);
    db_bind_int64(s, 4, c->now);
    if (rid) {
        db_bind_int64(s, 5, rid);
        db_bind_int64(s, 6, c->now);
        db_bind_int64(s, 7, app);
    } else {
        db_bind_int64(s, 5, app);
    }
    rc = db_step(s, c->e);
    db_reset(s);
    return rc < 0 ? rc : 0;
}

static int early_stage(enum stage st)
{
    return st == STAGE_APPLIED || st == STAGE_AI_INVITED || st == STAGE_AI_IN_PROGRESS || st == STAGE_AI_INCOMPLETE;
}

/* Moves the application on to ai_pending_evaluation when it is still before it. f->stage is its stage. */
static int move_on(struct svc_ctx *c, int64_t app, const struct app_facts *f, const struct result *r,
                   struct applied *out)
{
    /* Past the early stages nothing moves: the stage is all there is to say, unless the actor's view is
     * scoped (manager, interviewer), where loading the application is what checks that it may be seen. */
    enum stage st = stage_parse(f->stage);
    if (!early_stage(st) && c->actor->role != ROLE_MANAGER && c->actor->role != ROLE_INTERVIEWER) {
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
        snprintf(note, sizeof(note), "AI result %.32s/%.128s received", r->vendor, r->vendor_result_id);
        rc = svc_app_move_tx(c, before, STAGE_AI_PENDING_EVALUATION, ACTOR_SYSTEM, NULL, note);
        st = STAGE_AI_PENDING_EVALUATION;
    }
    snprintf(out->stage, sizeof(out->stage), "%s", stage_name(st));
    json_decref(before);
    return rc;
}

int svc_result_apply_tx(struct svc_ctx *c, int64_t app, int64_t rid, const struct result *r, struct applied *out)
{
    struct app_facts f = {0};
    int rc;
    if ((rc = load_facts(c, app, &f)) || (rc = take_out(c, app, &f)) || (rc = put_in(c, app, f.position_id, r)) ||
        (rc = store_match(c, app, rid, f.position_id, r, out)))
        return rc;
    return move_on(c, app, &f, r, out);
}

int svc_result_rescore_tx(struct svc_ctx *c, int64_t app, const struct result *r, const char *dim, int score,
                          struct applied *out)
{
    struct app_facts f = {0};
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
        (rc = store_match(c, app, 0, f.position_id, &eff, out)))
        return rc;
    snprintf(out->stage, sizeof(out->stage), "%s", "");
    return 0;
}

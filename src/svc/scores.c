/* scores.c - see scores.h. */
#include "svc/scores.h"

#include <string.h>

#include "svc/results_apply.h"
#include "svc/views.h"

int scores_dim_index(const struct scores *sc, const char *key)
{
    for (int i = 0; i < sc->r.ndims; i++)
        if (strcmp(sc->r.dims[i].key, key) == 0)
            return i;
    return -1;
}

void scores_free(struct scores *sc)
{
    result_free(&sc->r);
    json_decref(sc->stored);
    sc->stored = NULL;
    sc->result_id = 0;
}

/* Parses the stored normalised result (whose candidate hints are kept apart,
 * encrypted) into sc->r: a placeholder hint satisfies validation and is taken
 * out again. */
static int parse_stored(struct svc_ctx *c, struct scores *sc)
{
    json_object_set_new(sc->stored, "candidate", json_pack("{s:s}", "external_id", "-"));
    int rc = result_parse(sc->stored, &sc->r, c->e);
    json_object_del(sc->stored, "candidate");
    if (rc != 0)
        return err_set(c->e, ERR_INTERNAL, NULL, NULL, "stored result %lld cannot be read", (long long)sc->result_id);
    sc->orig_overall = sc->r.overall;
    for (int i = 0; i < sc->r.ndims; i++)
        sc->orig[i] = sc->r.dims[i].score;
    return 0;
}

/* Replaces sc->r's scores by the application's effective ones. */
static int load_effective(struct svc_ctx *c, struct scores *sc, int overall)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, "SELECT dim, score FROM ai_dim WHERE application_id = ?", &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, sc->app_id);
    while ((rc = db_step(s, c->e)) == DB_ROW) {
        int i = scores_dim_index(sc, db_col_text(s, 0));
        if (i >= 0)
            sc->r.dims[i].score = (int)db_col_int64(s, 1);
    }
    db_reset(s);
    sc->r.overall = overall;
    return rc < 0 ? rc : 0;
}

int scores_load_tx(struct svc_ctx *c, int64_t app, struct scores *sc)
{
    memset(sc, 0, sizeof(*sc));
    sc->app_id = app;
    struct db_stmt *s;
    int rc = svc_prepare(c,
                         "SELECT a.position_id, a.result_id, a.overall, r.version, r.received_at, r.result_json, "
                         "r.transcript_enc FROM application a LEFT JOIN ai_result r ON r.id = a.result_id "
                         "WHERE a.id = ?",
                         &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, app);
    rc = db_step(s, c->e);
    int overall = 0;
    if (rc == DB_ROW) {
        sc->position_id = db_col_int64(s, 0);
        if (!db_col_isnull(s, 1) && !db_col_isnull(s, 5)) {
            sc->result_id = db_col_int64(s, 1);
            overall = (int)db_col_int64(s, 2);
            sc->version = db_col_int64(s, 3);
            sc->received_at = db_col_int64(s, 4);
            sc->stored = json_loads(db_col_text(s, 5), 0, NULL);
            json_t *tr = svc_col_decrypt_json(c, s, 6, CTX_RESULT_TRANSCRIPT);
            if (sc->stored)
                json_object_set_new(sc->stored, "transcript", tr ? tr : json_array());
            else
                json_decref(tr);
        }
    }
    db_reset(s);
    if (rc == DB_DONE)
        return err_set(c->e, ERR_NOT_FOUND, NULL, "id", "no application %lld", (long long)app);
    if (rc < 0)
        return rc;
    int n = svc_position_model(c, sc->position_id, sc->model, SCORES_MODEL_MAX);
    if (n < 0)
        return n;
    sc->nmodel = n;
    if (!sc->result_id)
        return 0;
    if (!sc->stored)
        return err_set(c->e, ERR_INTERNAL, NULL, NULL, "stored result %lld cannot be read", (long long)sc->result_id);
    if ((rc = parse_stored(c, sc)))
        return rc;
    return load_effective(c, sc, overall);
}

static const struct competency *model_entry(const struct scores *sc, const char *key)
{
    for (int i = 0; i < sc->nmodel; i++)
        if (strcmp(sc->model[i].dim, key) == 0)
            return &sc->model[i];
    return NULL;
}

/* Percentile of score in the position's histogram of dim; -1 on error. */
static int percentile_of(struct svc_ctx *c, const struct scores *sc, const char *dim, int score)
{
    int64_t counts[HIST_BUCKETS];
    if (svc_hist_read(c, sc->position_id, dim, counts) != 0)
        return -1;
    return match_percentile(counts, score);
}

static void put_model(json_t *o, const struct competency *m)
{
    json_object_set_new(o, "in_model", json_boolean(m != NULL));
    json_object_set_new(o, "weight", m ? json_real(m->weight) : json_null());
    json_object_set_new(o, "min", m ? json_integer(m->min) : json_null());
}

int scores_json_tx(struct svc_ctx *c, const struct scores *sc, int with_evidence, json_t **out)
{
    int p = percentile_of(c, sc, "", sc->r.overall);
    if (p < 0)
        return c->e->code ? c->e->code : ERR_INTERNAL;
    json_t *o = json_object(), *dims = json_array();
    json_object_set_new(o, "overall",
                        json_pack("{s:i,s:i,s:b,s:i}", "score", sc->r.overall, "original", sc->orig_overall, "revised",
                                  sc->r.overall != sc->orig_overall, "percentile", p));
    json_object_set_new(o, "dimensions", dims);
    for (int i = 0; i < sc->r.ndims; i++) {
        const struct result_dim *d = &sc->r.dims[i];
        if ((p = percentile_of(c, sc, d->key, d->score)) < 0) {
            json_decref(o);
            return c->e->code ? c->e->code : ERR_INTERNAL;
        }
        const struct competency *m = model_entry(sc, d->key);
        json_t *jd =
            json_pack("{s:s,s:s,s:s,s:i,s:i,s:b,s:i}", "key", d->key, "label_zh", d->label_zh, "label_en", d->label_en,
                      "score", d->score, "original", sc->orig[i], "revised", d->score != sc->orig[i], "percentile", p);
        if (with_evidence)
            json_object_set_new(jd, "evidence", d->evidence ? json_string(d->evidence) : json_null());
        put_model(jd, m);
        json_object_set_new(jd, "below_min", json_boolean(m && d->score < m->min));
        json_array_append_new(dims, jd);
    }
    for (int i = 0; i < sc->nmodel; i++) {
        const struct competency *m = &sc->model[i];
        if (scores_dim_index(sc, m->dim) >= 0)
            continue;
        const char *zh = result_dim_label(m->dim, 0), *en = result_dim_label(m->dim, 1);
        json_t *jd = json_pack("{s:s,s:s,s:s,s:n,s:b}", "key", m->dim, "label_zh", zh ? zh : m->dim, "label_en",
                               en ? en : m->dim, "score", "missing", 1);
        put_model(jd, m);
        json_array_append_new(dims, jd);
    }
    struct match_report rep;
    match_compute(sc->model, sc->nmodel, &sc->r, &rep);
    json_object_set_new(o, "match", match_report_json(&rep));
    match_report_free(&rep);
    *out = o;
    return 0;
}

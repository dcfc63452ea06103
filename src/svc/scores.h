/* scores.h - an application's current AI result with its effective scores
 * (the vendor's scores after score revisions), and what is read from them:
 * percentiles against the position's histograms and the match report
 * against its competency model. Shared by the report, compare and score
 * revisions, so all three show the same numbers. */
#ifndef TALENTD_SVC_SCORES_H
#define TALENTD_SVC_SCORES_H

#include "core/match.h"
#include "core/result.h"
#include "svc/svc.h"

#define SCORES_MODEL_MAX MATCH_MODEL_MAX

struct scores {
    int64_t app_id, position_id;
    int64_t result_id; /* 0: the application has no result (nothing below is filled) */
    int64_t version, received_at;
    json_t *stored;   /* the normalised result as stored, transcript decrypted (owned) */
    struct result r;  /* parsed from stored; scores are the effective ones */
    int orig_overall; /* the vendor's scores of this version */
    int orig[RESULT_MAX_DIMS];
    struct competency model[SCORES_MODEL_MAX];
    int nmodel;
};

/* In the open transaction: loads application app's current result, its
 * effective scores (ai_dim, application.overall) and its position's model.
 * Visibility is the caller's business (load the application first). sc is
 * overwritten; release it with scores_free. ERR_NOT_FOUND for no
 * application; sc->result_id 0 when it has no result yet. */
int scores_load_tx(struct svc_ctx *c, int64_t app, struct scores *sc);

void scores_free(struct scores *sc);

/* Index of dimension key in sc->r.dims, -1 when the result has none. */
int scores_dim_index(const struct scores *sc, const char *key);

/* The scores as shown in a report (percentiles read in the open transaction):
 * *out = {overall: {score, original, revised, percentile},
 *         dimensions: [{key, label_zh, label_en, score, original, revised,
 *                       percentile, evidence, in_model, weight, min, below_min}...,
 *                      then each model dimension the result lacks as
 *                      {key, label_zh, label_en, score: null, missing: true,
 *                       in_model: true, weight, min}],
 *         match: {match_score, recommendation, reasons, below_min, flags}}.
 * with_evidence 0 leaves evidence out (compare). */
int scores_json_tx(struct svc_ctx *c, const struct scores *sc, int with_evidence, json_t **out);

#endif

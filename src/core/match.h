/* match.h - what happens to a result's scores on arrival (docs/results.md,
 * "What happens on arrival"): the percentile read from a position's score
 * histogram, and the match report against the position's competency model
 * (weighted match, dimensions below their minimum, recommendation with its
 * reasons in Chinese and English, completeness flags).
 *
 * Pure domain logic: no I/O, no SQL. The caller loads the histogram and the
 * model, and stores what comes out. */
#ifndef TALENTD_MATCH_H
#define TALENTD_MATCH_H

#include <jansson.h>
#include <stdint.h>

#include "core/result.h"

/* Match thresholds of the recommendation (compared with the match as shown,
 * rounded to one decimal). */
#define MATCH_NOT_RECOMMENDED_BELOW 60.0
#define MATCH_RECOMMEND_FROM 70.0

#define MATCH_MODEL_MAX 32 /* dimensions a position's competency model names, at most */

struct competency {
    char dim[33];  /* a result dimension key */
    double weight; /* > 0 */
    int min;       /* 0..100 */
};

/* Reads a position's competency model JSON ([{dim, weight, min}], already
 * validated when stored) into out, up to max entries, in order; returns the
 * count (0 for NULL, a non-array or max <= 0). Entries that don't fit the
 * shape are skipped: not an object, dim not a 1-32 byte string, weight not a
 * finite number > 0, min not an integer 0..100 (5.0 counts as 5), or a dim
 * already read. Other keys are ignored. */
int match_model_from_json(json_t *model, struct competency *out, int max);

#define HIST_BUCKETS 101

/* "Higher than P% of candidates for this position": 100 * (number of scores
 * strictly below score) / (all scores), rounded down; 0 when the histogram is
 * empty or counts is NULL. counts[i] is how many scores equal i; negative
 * counts are read as 0. score is clamped to 0..100. */
int match_percentile(const int64_t counts[HIST_BUCKETS], int score);

struct match_report {
    double match_score;         /* 0..100, rounded to one decimal (half up) */
    const char *recommendation; /* "recommend" | "re_interview" | "not_recommended" (static strings) */
    /* Every finding behind the recommendation, worst first:
     *   {code: "match_below_60" | "match_below_70", match}
     *   {code: "below_min", dim, score, min}, one per dimension, in model order
     *   {code: "missing_dimension", dim, min}, one per dimension, in model order
     * or, for "recommend" only, the one positive reason
     *   {code: "meets_requirements", match}.
     * Each also has message_zh and message_en. */
    json_t *reasons;
    json_t *below_min; /* [{dim, score, min, gap}], model order; missing dimensions are not here */
    /* Completeness: [{code: "missing_dimension", dim}, ..., {code: "no_transcript"}, {code: "no_video"}] */
    json_t *flags;
};

/* Computes the report of docs/results.md for r (not NULL) against model
 * (nmodel entries; model may be NULL when nmodel is 0):
 * - match = sum(weight * score) / sum(weight) over the model's dimensions, a
 *   dimension the result lacks counting 0; with no model (or a zero weight
 *   sum) the overall score;
 * - below_min: every model dimension the result has with a score under min;
 * - recommendation: "not_recommended" when match < 60 or two or more
 *   dimensions are below their minimum; else "re_interview" when one is, the
 *   match is under 70, or a model dimension is missing; else "recommend".
 * out is overwritten (not freed first) and owns its JSON: release it with
 * match_report_free. */
void match_compute(const struct competency *model, int nmodel, const struct result *r, struct match_report *out);

/* match_compute's match_score and recommendation alone, without the JSON of what lies behind them
 * (the import keeps only these two: building the reasons was ~3 % of its storing thread). */
void match_score(const struct competency *model, int nmodel, const struct result *r, double *score,
                 const char **recommendation);

/* New reference: {match_score, recommendation, reasons, below_min, flags}.
 * The arrays are shared with m (reference counted), not copied. */
json_t *match_report_json(const struct match_report *m);

/* Releases m's JSON and zeroes m. NULL and zeroed reports are fine. */
void match_report_free(struct match_report *m);

#endif

/* fairness.h - the adverse-impact check before eliminations leave the buffer
 * (issue 5): which voluntarily given candidate attributes a company checks,
 * the candidates' answers, selection rates and impact ratios per group
 * (core/fairness.h: flagged below 0.8) for the AI recommendation and for
 * each rule that eliminated, and HR's acknowledgement of a flagged position,
 * without which its eliminations cannot be exported.
 *
 * A report for one attribute: {attr, label_zh, label_en, groups: [{value,
 * total, selected, rate, impact_ratio (null when the group is too small or
 * is "not given"), flagged}], flagged}. Candidates who gave no answer form
 * the group with value null, shown but never judged. */
#ifndef TALENTD_SVC_FAIRNESS_H
#define TALENTD_SVC_FAIRNESS_H

#include "svc/svc.h"

#define FAIRNESS_ATTRS_MAX 8
#define FAIRNESS_GROUPS_MAX 64

/* {attributes: [{attr, label_zh, label_en}]} (admin, hr read). */
int svc_fairness_config_get(struct svc_ctx *c, json_t **out);
/* in {attributes: [{attr ([a-z][a-z0-9_]{0,31}), label_zh, label_en}]} replaces the list (admin). */
int svc_fairness_config_put(struct svc_ctx *c, json_t *in, json_t **out);

/* A candidate's voluntary answers {attr: value} (admin, hr). put: {attr: value (1-64 chars) | null to
 * remove}; only configured attributes (422 otherwise). Audited as candidate.attributes. */
int svc_candidate_attributes_get(struct svc_ctx *c, int64_t cand, json_t **out);
int svc_candidate_attributes_put(struct svc_ctx *c, int64_t cand, json_t *in, json_t **out);

/* query {position (code, required)}: {position, ai_recommendation: {selected_means, attributes: [report]},
 * rules: [{rule_id, rule, attributes: [report]}], flagged, acknowledged, acknowledgement}. Selected means
 * "the AI did not say not_recommended" and "this rule did not eliminate them" (enforced firings). */
int svc_fairness_report(struct svc_ctx *c, json_t *query, json_t **out);

/* in {position, reason (1-2000)}: HR acknowledges the position's current flagged report so its
 * eliminations may be exported; 409 "not_flagged" when nothing is flagged. Audited. */
int svc_fairness_acknowledge(struct svc_ctx *c, json_t *in, json_t **out);

/* In the open transaction: 0 when the eliminations of position_id may leave the buffer (nothing
 * flagged, or acknowledged after its latest elimination); ERR_CONFLICT "fairness_unacknowledged"
 * naming the position otherwise. */
int svc_fairness_export_check_tx(struct svc_ctx *c, int64_t position_id);

/* The reports for a selection made in memory: selection [{candidate_id, selected}] (a simulation's),
 * *out = [report per configured attribute]. In the open transaction. */
int svc_fairness_of_selection_tx(struct svc_ctx *c, json_t *selection, json_t **out);

#endif

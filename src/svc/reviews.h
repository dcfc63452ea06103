/* reviews.h - the human review of eliminations (issue 5): the queue of
 * applications in eliminated_pending_review with their age and why they
 * are there, confirming an elimination (-> eliminated_pending_export) one
 * by one or in bulk, and overriding it with a reason (-> back to the stage
 * it came from, or ai_passed). Admin and hr. Every decision is one
 * transaction with its stage_history row, audit row and event. */
#ifndef TALENTD_SVC_REVIEWS_H
#define TALENTD_SVC_REVIEWS_H

#include "svc/svc.h"

#define REVIEW_BULK_MAX 500

/* query {position?, limit?, cursor?}: {items: [{application_id, candidate_name, position, position_title,
 * stage_changed_at, age_hours, reason, note, by (rule name or user), overall, recommendation,
 * fairness_flagged}], next_cursor}, oldest first. */
int svc_review_list(struct svc_ctx *c, json_t *query, json_t **out);

/* in {note?}: eliminated_pending_review -> eliminated_pending_export; 409 "not_in_review" otherwise. */
int svc_review_confirm(struct svc_ctx *c, int64_t app, json_t *in, json_t **out);

/* in {reason (1-500, required), to? (the stage before the elimination, or ai_passed; default the
 * former)}: the elimination is overturned; 409 "not_in_review" when the application is not in review. */
int svc_review_override(struct svc_ctx *c, int64_t app, json_t *in, json_t **out);

/* in {application_ids: [1..500], note?}: each confirmed in its own transaction;
 * *out {confirmed, failed, items: [{application_id, ok, stage | error}]}. */
int svc_review_confirm_bulk(struct svc_ctx *c, json_t *in, json_t **out);

#endif

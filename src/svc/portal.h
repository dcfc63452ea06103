/* portal.h - candidate links: a candidate without an account follows a link
 * to see where their application stands and, when the position allows it
 * (position.show_result_to_candidate), a summary of their own AI result:
 * the overall score and the dimension scores with their labels, nothing
 * more (no percentiles, match report, recommendation, evidence, transcript
 * or notes). Tokens are 256-bit random, shown once, stored as SHA-256,
 * expiring and revocable. */
#ifndef TALENTD_SVC_PORTAL_H
#define TALENTD_SVC_PORTAL_H

#include "svc/svc.h"

#define LINK_DAYS_DEFAULT 30
#define LINK_DAYS_MAX 180

/* in: {expires_in_days? (1..LINK_DAYS_MAX, default LINK_DAYS_DEFAULT)} for
 * an application the caller may see. Audit "candidate_link.create" and
 * event "candidate_link.created" (neither holds the token). *out = {id,
 * application_id, token, path ("/c/<token>", the candidate page), created_by,
 * created_at, expires_at, revoked_at, active}. */
int svc_candidate_link_create(struct svc_ctx *c, int64_t app, json_t *in, json_t **out);

/* {"items": [link without token...]} newest first. */
int svc_candidate_link_list(struct svc_ctx *c, int64_t app, json_t **out);

/* Revokes link id (revoking a revoked link changes nothing). *out = the link. */
int svc_candidate_link_revoke(struct svc_ctx *c, int64_t id, json_t **out);

/* What the holder of token sees: {candidate: {name}, position: {code, title},
 * status: {key, label_zh, label_en}, applied_at, updated_at, result_visible,
 * result: null | {completed_at, overall, dimensions: [{key, label_zh,
 * label_en, score}]}}. 404 for an unknown, expired or revoked token (the
 * same answer for each). */
int svc_portal_get(struct svc_ctx *c, const char *token, json_t **out);

#endif

/* check.h - `talentd check`: the cross-table invariants that no single
 * transaction can break on its own, verified after the fact (DESIGN.md:
 * "talentd check verifies cross-table invariants and reports any drift").
 * Read-only: one read snapshot, nothing written, no audit row. */
#ifndef TALENTD_SVC_CHECK_H
#define TALENTD_SVC_CHECK_H

#include "svc/svc.h"

/* Every mismatch found, of these kinds:
 *   session_stage       an application's newest interview session and its stage disagree:
 *                       invited <-> ai_invited, in_progress <-> ai_in_progress, incomplete / expired /
 *                       revoked -> ai_incomplete or any stage after the interview (not applied,
 *                       ai_invited, ai_in_progress), completed -> ai_pending_evaluation or later (not
 *                       applied, ai_invited, ai_in_progress, ai_incomplete)
 *   stale_open_session  a session still open (invited, in_progress, incomplete) while a newer session
 *                       of its application exists (a re-invitation closes the old one)
 *   session_result      a session's result_id names no result, or a result of another application
 *   headcount           a position with more hired applications than its headcount
 *   application_result  an application's result_id names no result, a result of another (or no)
 *                       application, or a result version that is no longer current
 * *out = {ok (no mismatch), mismatches: [{kind, entity, id, application_id?, message, ...}],
 * checked: {sessions, applications, positions}}, mismatches in the order above, each kind by id. */
int svc_check(struct svc_ctx *c, json_t **out);

#endif

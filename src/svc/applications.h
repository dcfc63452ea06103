/* applications.h - applications (a candidate for a position) and their
 * movement through the pipeline (core/pipeline.h).
 *
 * Representation: {id, candidate_id, candidate_name, position_id, position
 * (code), position_title, org_unit (code), stage, prev_stage,
 * stage_changed_at, special_note, elimination_reason, elimination_note,
 * talent_pool, created_at, updated_at, version, assignees: [username...],
 * overall, match_score, recommendation, result_at} (the last four from the
 * current AI result, null without one).
 * Row-level visibility: managers see applications for positions in their
 * org subtree, interviewers those assigned to them; an invisible
 * application is a 404, the same as a missing one. */
#ifndef TALENTD_SVC_APPLICATIONS_H
#define TALENTD_SVC_APPLICATIONS_H

#include "core/pipeline.h"
#include "svc/svc.h"

/* in: {candidate_id, position (code) | position_id, special_note? (<=2000,
 * multiline)}. Starts in stage "applied" with a stage_history row.
 * 409 "duplicate" (e->existing_id) when the candidate already applied to
 * the position; 422 "position_closed" for a closed position; 422
 * "invalid_reference" for an unknown candidate or position. */
int svc_application_create(struct svc_ctx *c, json_t *in, json_t **out);

/* One application as the actor may see it (own read transaction). */
int svc_application_get(struct svc_ctx *c, int64_t id, json_t **out);

/* query (all strings, AND-ed): stage, position (code), position_id,
 * candidate_id, department (org unit code, with its subtree; org_unit is its
 * old name), talent_pool, recommendation, has_result, unviewed (true: a
 * current result the caller has not opened since it arrived; false: opened),
 * received_since (RFC 3339, on result_at), overall_gte/_lte, match_gte/_lte
 * and dim.<key>_gte/_lte (0..100, at most 8 keys; on the effective scores in
 * ai_dim); sort (id, created_at, stage_changed_at, result_at, overall,
 * match_score, '-' for descending; no result sorts as -1), limit, cursor
 * (keyset, qb_page_sorted). 422 naming a bad parameter, 400 for an unknown
 * one or a cursor of another sort. On SQLite the plan is chosen from capped
 * counts first (see app_plan in applications.c). */
int svc_application_list(struct svc_ctx *c, json_t *query, json_t **out);

/* svc_application_list's page as the JSON text json_dumps (JSON_COMPACT | JSON_REAL_PRECISION(15))
 * writes of it, made straight from the rows (for the API: no JSON values built and dumped).
 * *text (heap, *len bytes, NUL-terminated) on success. */
int svc_application_list_text(struct svc_ctx *c, json_t *query, char **text, size_t *len);

/* The list's filters in query (read and validated as svc_application_list does: 422 naming the
 * parameter) for other use cases that select applications the same way (exports): check only
 * validates; where also appends their SQL terms and the actor's scope to q, over application a,
 * position p and org unit o. The strings bound point into query: it must outlive q's use. */
struct qb;
int svc_app_filter_check(struct svc_ctx *c, json_t *query);
int svc_app_filter_where(struct svc_ctx *c, json_t *query, struct qb *q);

/* How many applications match the list's filters (query: the filters of svc_application_list, no
 * sort, limit or cursor), grouped by query "by": a comma list of stage (the default), position,
 * department, recommendation, reason (the elimination reason). *out = {by, items: [{<key>: value |
 * null, ..., count}] ordered by the keys, total}. The caller's rows only (a manager's subtree, an
 * interviewer's assignments). For dashboards and funnels. */
int svc_application_counts(struct svc_ctx *c, json_t *query, json_t **out);

/* in: {special_note? (null clears), talent_pool?, version?}. */
int svc_application_update(struct svc_ctx *c, int64_t id, json_t *in, json_t **out);

/* in: {to (stage), reason? (elimination category, or override text; <=500),
 * note? (<=2000), version?}. Asks pipeline_check with the actor's kind and
 * the position's review flag and returns its error unchanged (409
 * "illegal_transition" with e->current, 403 "transition_forbidden", 422
 * reason errors). On success updates the stage (entering elimination
 * records reason and note, an override clears them), appends stage_history,
 * audit "application.transition" and event "application.stage_changed"
 * {id, from, to, reason}, all in one transaction. */
int svc_application_transition(struct svc_ctx *c, int64_t id, json_t *in, json_t **out);

/* {"items": [{from, to, actor, user, reason, note, at}...]}, oldest first. */
int svc_application_history(struct svc_ctx *c, int64_t id, json_t **out);

/* in: {user (username)}: assigns an active interviewer (422 field "user"
 * otherwise). Assigning someone already assigned changes nothing (no audit
 * row) and still returns the application. */
int svc_application_assign(struct svc_ctx *c, int64_t id, json_t *in, json_t **out);

/* Takes user (username) off the application's interviewers; 404 field "username" for no such user.
 * Taking off someone not assigned changes nothing (no audit row) and still returns the application. */
int svc_application_unassign(struct svc_ctx *c, int64_t id, const char *user, json_t **out);

/* Building blocks for other use cases, run inside their open transaction (no audit, no commit). */

/* Inserts the application of candidate cand for the position given by code (or id pid when code
 * is NULL) in stage applied, with its stage_history row. Errors as svc_application_create; a
 * duplicate found before inserting has e->existing_id set. */
int svc_app_insert_tx(struct svc_ctx *c, int64_t cand, const char *code, int64_t pid, const char *note, int64_t *id);

/* svc_app_insert_tx without its checks, for a caller that has made them in the open transaction:
 * candidate cand exists, position pid exists and is open, and the candidate has no application for
 * it. Inserts the application in stage applied with its stage_history row. */
int svc_app_insert_new_tx(struct svc_ctx *c, int64_t cand, int64_t pid, const char *note, int64_t *id);

/* Appends the stage_history row of a move of application app from stage from (NULL: none) to to,
 * made now by the caller as an actor of kind, for a use case that writes the stage itself. */
int svc_app_history_tx(struct svc_ctx *c, int64_t app, const char *from, const char *to, const char *reason,
                       const char *note, enum actor_kind kind);

/* The notes the server writes on stage_history rows itself, in English (stored as written):
 * SVC_NOTE_RULE followed by the rule's name for a rule's move, and "AI result VENDOR/ID received"
 * for the move a result's arrival makes. */
#define SVC_NOTE_RULE "rule: "
#define SVC_NOTE_RESULT_HEAD "AI result "
#define SVC_NOTE_RESULT_TAIL " received"

/* Adds to item (a stage_history row as the API shows it) "note_code" and "note_params" when note is
 * one the server wrote itself (SVC_NOTE_*) on a move by actor kind actor, so that a client can
 * show it in its user's language: "rule" {rule} or "result_received" {vendor, vendor_result_id}.
 * A person's note (and NULL) adds nothing. */
void svc_history_note_code(json_t *item, const char *actor, const char *note);

/* The name of the rule that made a move, from its stage_history row's actor kind and note (the
 * SVC_NOTE_RULE note a rule's move has; a pointer into note), or NULL when a rule did not make it. */
const char *svc_history_rule_name(const char *actor, const char *note);

/* Moves the application whose representation is before to stage to as an actor of kind, after
 * pipeline_check (with the position's review flag); records elimination reason/note and appends
 * stage_history. Errors as svc_application_transition. */
int svc_app_move_tx(struct svc_ctx *c, json_t *before, enum stage to, enum actor_kind kind, const char *reason,
                    const char *note);

/* Loads the application's representation (visibility checked) in the open transaction. */
int svc_app_load_tx(struct svc_ctx *c, int64_t id, json_t **out);

#endif

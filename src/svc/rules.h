/* rules.h - pipeline rules (issue 5): CRUD, the engine that runs them when a
 * result arrives, a stage changes or on a schedule, their firings, and
 * simulation. The expression language is core/rules.h (docs/rules.md).
 *
 * Representation of a rule: {id, name, description, when, actions: [...],
 * triggers: ["result" | "stage" | "schedule"...], scope: {kind: all |
 * org_unit | position, code?}, priority (lower runs first), mode: enforce |
 * dry_run, enabled, created_at, updated_at, created_by, version}.
 *
 * Actions (applied in order, each recorded with its outcome):
 *   {type: "eliminate", reason}      -> eliminated_pending_review when the
 *                                       position requires review, else
 *                                       eliminated_pending_export
 *   {type: "advance", stage}         -> that stage, as the pipeline allows a rule
 *   {type: "tag", tag}               -> the application gets the tag
 *   {type: "talent_pool", tags?}     -> kept in the talent pool (with tags)
 *   {type: "notify", role, message?} -> event notification.requested {role, ...}
 *   {type: "export", template}       -> event export.requested (the export
 *                                       worker picks it up)
 * A rule fires at most once per application per stage visit; the first
 * stage-changing action of a run wins (later ones are recorded as skipped).
 * Moves made by rules do not trigger stage rules again.
 *
 * Every firing is stored with its explanation (core rule_explain) and the
 * actions' outcomes, audited as "rule.fired", and shown on the
 * application's timeline. */
#ifndef TALENTD_SVC_RULES_H
#define TALENTD_SVC_RULES_H

#include "svc/svc.h"

#define RULE_SIM_SAMPLE 20   /* applications shown in a simulation's sample */
#define RULE_SIM_MAX 1000000 /* applications a simulation looks at, at most */

enum rule_trigger { RULE_ON_RESULT = 1, RULE_ON_STAGE = 2, RULE_ON_SCHEDULE = 4 };

/* CRUD (admin, hr write; admin, hr, manager read). in for create: {name, description?, when, actions,
 * triggers?, scope?, priority?, mode?, enabled?}; update takes the same fields, each optional, and
 * version. A syntax or type error in when is 422 "rule_syntax" with field "when" and e->line/col. */
int svc_rule_create(struct svc_ctx *c, json_t *in, json_t **out);
int svc_rule_get(struct svc_ctx *c, int64_t id, json_t **out);
int svc_rule_list(struct svc_ctx *c, json_t *query, json_t **out);
int svc_rule_update(struct svc_ctx *c, int64_t id, json_t *in, json_t **out);
int svc_rule_delete(struct svc_ctx *c, int64_t id);
int svc_rule_id_by_name(struct svc_ctx *c, const char *name, int64_t *id);

/* in: {when} (or nothing for the stored rule): checks an expression without saving it:
 * {ok: true, paths: [...]} or 422 rule_syntax. For the editor's live check. */
int svc_rule_check(struct svc_ctx *c, json_t *in, json_t **out);

/* Runs rule id (or, with in.when/actions, an unsaved rule) over the applications in its scope
 * (in: {stage?, position?, limit?}) without changing anything: {evaluated, would_fire, by_stage,
 * actions: {eliminate: n, ...}, sample: [{application_id, candidate_name, stage, explanation}],
 * fairness: impact ratios (svc/fairness.h) of the selection the rule would make}. */
int svc_rule_simulate(struct svc_ctx *c, int64_t id, json_t *in, json_t **out);

/* Runs the enabled rules listening to trigger for application app, in the caller's open
 * transaction (a result arrived, a stage changed). Rules' firings and actions are written there;
 * *moved (may be NULL) is set when an action moved the application to another stage. */
int svc_rules_run_tx(struct svc_ctx *c, int64_t app, enum rule_trigger trigger, int *moved);

/* The schedule pass: every enabled schedule rule over the applications in its scope that are in a
 * stage that is not final, one transaction per application that fires. *fired counts firings. */
int svc_rules_run_schedule(struct svc_ctx *c, int *fired);

/* {"items": [firing...]} of application app, newest first: {id, rule_id, rule, trigger, mode,
 * stage, explanation, actions, at}. */
int svc_rule_firings(struct svc_ctx *c, int64_t app, json_t **out);

#endif

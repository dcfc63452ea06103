/* pipeline.h - the application pipeline: stages, actors and the one table of
 * legal transitions between stages.
 *
 * Pure domain logic: no I/O, no SQL, no allocation. Every caller that moves
 * an application (HTTP handlers, the rule engine, jobs, the CLI) asks
 * pipeline_check first and shows the filled struct err when it refuses. */
#ifndef TALENTD_PIPELINE_H
#define TALENTD_PIPELINE_H

#include "lib/err.h"

enum stage {
    STAGE_NONE = 0,
    STAGE_APPLIED,
    STAGE_AI_INVITED,
    STAGE_AI_IN_PROGRESS,
    STAGE_AI_INCOMPLETE,
    STAGE_AI_PENDING_EVALUATION,
    STAGE_AI_PASSED,
    STAGE_FOLLOWUP,
    STAGE_OFFER,
    STAGE_HIRED,
    STAGE_ELIMINATED_PENDING_REVIEW,
    STAGE_ELIMINATED_PENDING_EXPORT,
    STAGE_EXPORTED,
    STAGE_WITHDRAWN,
    STAGE__COUNT
};

enum actor_kind {
    ACTOR_SYSTEM = 0,
    ACTOR_RULE,
    ACTOR_ADMIN,
    ACTOR_HR,
    ACTOR_MANAGER,
    ACTOR_INTERVIEWER,
    ACTOR_CANDIDATE,
    ACTOR__COUNT
};

/* Stable lower-case name of a stage ("applied", "ai_invited", ...), as stored
 * and sent over the API. NULL for STAGE_NONE and out-of-range values. The
 * string is static. */
const char *stage_name(enum stage s);

/* Stage for an exact, case-sensitive name; STAGE_NONE when s is NULL or
 * unknown. */
enum stage stage_parse(const char *s);

/* Stable name of an actor kind ("system", "rule", "admin", "hr", "manager",
 * "interviewer", "candidate"); NULL when out of range. Static string. */
const char *actor_kind_name(enum actor_kind a);

/* 1 for eliminated_pending_review and eliminated_pending_export, else 0. */
int stage_is_eliminated(enum stage s);

/* 1 for hired, exported and withdrawn (no transition leaves them), else 0. */
int stage_is_terminal(enum stage s);

/* Where an application stands as its candidate is told: a step that never
 * reveals internal states (a pending review reads as "evaluation", an
 * elimination as "closed"). */
struct candidate_step {
    const char *key; /* applied, interview, interview_incomplete, evaluation, followup, offer, hired, closed,
                        withdrawn */
    const char *zh, *en;
};

/* The step of stage s; NULL for STAGE_NONE and out-of-range values. Static. */
const struct candidate_step *stage_candidate_step(enum stage s);

/* Elimination reason categories, NULL-terminated: skills_mismatch,
 * experience_insufficient, communication, ai_score_below_threshold,
 * incomplete_interview, culture_fit, salary_expectation, no_show,
 * duplicate_application, other. */
extern const char *const pipeline_reasons[];

/* 1 if category is exactly one of pipeline_reasons, 0 otherwise (and for
 * NULL). */
int reason_is_valid(const char *category);

struct transition_req {
    enum stage from, to;
    enum actor_kind actor;
    const char *reason;  /* reason category, override text, or NULL */
    int review_required; /* the position asks for human review of eliminations */
};

/* Decides whether r describes an allowed move. Returns 0 if allowed;
 * otherwise fills e (if non-NULL, keeping an error already set) and returns:
 * - ERR_INVALID, field "to": target is STAGE_NONE or out of range;
 * - ERR_CONFLICT, slug "illegal_transition", e->current = stage_name(from)
 *   ("" for none): no actor may make this move (includes from == to and any
 *   move out of a terminal stage);
 * - ERR_FORBIDDEN, slug "transition_forbidden": the move exists, but not for
 *   this actor (admin may do whatever hr may);
 * - ERR_INVALID, slug "reason_required", field "reason": entering
 *   eliminated_* from a non-eliminated stage without a reason, or an
 *   override (eliminated_* back to an earlier stage) without reason text;
 * - ERR_INVALID, slug "invalid_reason", field "reason": entering eliminated_*
 *   with a reason that is not a known category (overrides take free text);
 * - ERR_CONFLICT, slug "review_required": a rule or the system sends an
 *   application straight to eliminated_pending_export while the position
 *   asks for review (it must go to eliminated_pending_review). */
int pipeline_check(const struct transition_req *r, struct err *e);

/* Sets out[s] (out has STAGE__COUNT entries) to 1 for every stage some actor
 * may move an application to from `from`, 0 for the rest. Returns how many
 * stages were set. */
int pipeline_targets(enum stage from, unsigned char *out);

/* 1 if the move from -> to exists for actor, else 0. Ignores reason and
 * review rules; out-of-range arguments give 0. */
int pipeline_allows(enum stage from, enum stage to, enum actor_kind actor);

#endif

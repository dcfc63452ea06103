#include "core/pipeline.h"

#include <stdio.h>
#include <string.h>

static const char *const stage_names[STAGE__COUNT] = {
    [STAGE_NONE] = NULL,
    [STAGE_APPLIED] = "applied",
    [STAGE_AI_INVITED] = "ai_invited",
    [STAGE_AI_IN_PROGRESS] = "ai_in_progress",
    [STAGE_AI_INCOMPLETE] = "ai_incomplete",
    [STAGE_AI_PENDING_EVALUATION] = "ai_pending_evaluation",
    [STAGE_AI_PASSED] = "ai_passed",
    [STAGE_FOLLOWUP] = "followup",
    [STAGE_OFFER] = "offer",
    [STAGE_HIRED] = "hired",
    [STAGE_ELIMINATED_PENDING_REVIEW] = "eliminated_pending_review",
    [STAGE_ELIMINATED_PENDING_EXPORT] = "eliminated_pending_export",
    [STAGE_EXPORTED] = "exported",
    [STAGE_WITHDRAWN] = "withdrawn",
};

static const char *const actor_names[ACTOR__COUNT] = {
    [ACTOR_SYSTEM] = "system",
    [ACTOR_RULE] = "rule",
    [ACTOR_ADMIN] = "admin",
    [ACTOR_HR] = "hr",
    [ACTOR_MANAGER] = "manager",
    [ACTOR_INTERVIEWER] = "interviewer",
    [ACTOR_CANDIDATE] = "candidate",
};

const char *const pipeline_reasons[] = {
    "skills_mismatch",
    "experience_insufficient",
    "communication",
    "ai_score_below_threshold",
    "incomplete_interview",
    "culture_fit",
    "salary_expectation",
    "no_show",
    "duplicate_application",
    "other",
    NULL,
};

/* Actor bits. Admin may do everything hr may, so HR carries both bits. */
#define A_SYS (1u << ACTOR_SYSTEM)
#define A_RULE (1u << ACTOR_RULE)
#define A_HR ((1u << ACTOR_HR) | (1u << ACTOR_ADMIN))
#define A_MGR (1u << ACTOR_MANAGER)
#define A_CAND (1u << ACTOR_CANDIDATE)

struct edge {
    unsigned char from, to;
    unsigned char actors; /* bitmask of 1 << enum actor_kind */
};

/* The one table of legal transitions. Reason and review rules are applied
 * on top of it by pipeline_check. */
static const struct edge edges[] = {
    {STAGE_APPLIED, STAGE_AI_INVITED, A_HR | A_SYS},
    {STAGE_APPLIED, STAGE_AI_PENDING_EVALUATION, A_SYS},
    {STAGE_APPLIED, STAGE_ELIMINATED_PENDING_REVIEW, A_HR},
    {STAGE_APPLIED, STAGE_ELIMINATED_PENDING_EXPORT, A_HR},
    {STAGE_APPLIED, STAGE_WITHDRAWN, A_HR | A_CAND},

    {STAGE_AI_INVITED, STAGE_AI_IN_PROGRESS, A_CAND | A_SYS},
    {STAGE_AI_INVITED, STAGE_AI_INCOMPLETE, A_SYS},
    {STAGE_AI_INVITED, STAGE_AI_PENDING_EVALUATION, A_SYS},
    {STAGE_AI_INVITED, STAGE_WITHDRAWN, A_HR | A_CAND},

    {STAGE_AI_IN_PROGRESS, STAGE_AI_INCOMPLETE, A_CAND | A_SYS},
    {STAGE_AI_IN_PROGRESS, STAGE_AI_PENDING_EVALUATION, A_CAND | A_SYS},
    {STAGE_AI_IN_PROGRESS, STAGE_WITHDRAWN, A_HR | A_CAND},

    {STAGE_AI_INCOMPLETE, STAGE_AI_IN_PROGRESS, A_CAND},
    {STAGE_AI_INCOMPLETE, STAGE_AI_INVITED, A_HR | A_SYS},
    {STAGE_AI_INCOMPLETE, STAGE_AI_PENDING_EVALUATION, A_SYS},
    {STAGE_AI_INCOMPLETE, STAGE_ELIMINATED_PENDING_REVIEW, A_HR | A_RULE},
    {STAGE_AI_INCOMPLETE, STAGE_ELIMINATED_PENDING_EXPORT, A_HR | A_RULE},
    {STAGE_AI_INCOMPLETE, STAGE_WITHDRAWN, A_HR | A_CAND},

    {STAGE_AI_PENDING_EVALUATION, STAGE_AI_PASSED, A_HR | A_MGR | A_RULE},
    {STAGE_AI_PENDING_EVALUATION, STAGE_ELIMINATED_PENDING_REVIEW, A_HR | A_RULE | A_SYS},
    {STAGE_AI_PENDING_EVALUATION, STAGE_ELIMINATED_PENDING_EXPORT, A_HR | A_RULE | A_SYS},
    {STAGE_AI_PENDING_EVALUATION, STAGE_WITHDRAWN, A_HR | A_CAND},

    {STAGE_AI_PASSED, STAGE_FOLLOWUP, A_HR | A_MGR | A_RULE},
    {STAGE_AI_PASSED, STAGE_OFFER, A_HR},
    {STAGE_AI_PASSED, STAGE_ELIMINATED_PENDING_REVIEW, A_HR | A_MGR | A_RULE},
    {STAGE_AI_PASSED, STAGE_ELIMINATED_PENDING_EXPORT, A_HR | A_MGR | A_RULE},
    {STAGE_AI_PASSED, STAGE_WITHDRAWN, A_HR | A_CAND},

    {STAGE_FOLLOWUP, STAGE_OFFER, A_HR},
    {STAGE_FOLLOWUP, STAGE_ELIMINATED_PENDING_REVIEW, A_HR | A_MGR},
    {STAGE_FOLLOWUP, STAGE_ELIMINATED_PENDING_EXPORT, A_HR | A_MGR},
    {STAGE_FOLLOWUP, STAGE_WITHDRAWN, A_HR | A_CAND},

    {STAGE_OFFER, STAGE_HIRED, A_HR},
    {STAGE_OFFER, STAGE_WITHDRAWN, A_HR | A_CAND},

    {STAGE_ELIMINATED_PENDING_REVIEW, STAGE_ELIMINATED_PENDING_EXPORT, A_HR},
    {STAGE_ELIMINATED_PENDING_REVIEW, STAGE_APPLIED, A_HR},
    {STAGE_ELIMINATED_PENDING_REVIEW, STAGE_AI_INCOMPLETE, A_HR},
    {STAGE_ELIMINATED_PENDING_REVIEW, STAGE_AI_PENDING_EVALUATION, A_HR},
    {STAGE_ELIMINATED_PENDING_REVIEW, STAGE_AI_PASSED, A_HR},
    {STAGE_ELIMINATED_PENDING_REVIEW, STAGE_FOLLOWUP, A_HR},
    {STAGE_ELIMINATED_PENDING_REVIEW, STAGE_WITHDRAWN, A_HR | A_CAND},

    {STAGE_ELIMINATED_PENDING_EXPORT, STAGE_EXPORTED, A_HR | A_SYS},
    {STAGE_ELIMINATED_PENDING_EXPORT, STAGE_AI_PASSED, A_HR},
    {STAGE_ELIMINATED_PENDING_EXPORT, STAGE_AI_PENDING_EVALUATION, A_HR},
    {STAGE_ELIMINATED_PENDING_EXPORT, STAGE_FOLLOWUP, A_HR},
    {STAGE_ELIMINATED_PENDING_EXPORT, STAGE_WITHDRAWN, A_HR | A_CAND},
};

#define EDGE_COUNT (sizeof(edges) / sizeof(edges[0]))

static int stage_valid(enum stage s)
{
    return s > STAGE_NONE && s < STAGE__COUNT;
}

/* Actor bitmask for the edge from -> to; 0 when there is no such edge. */
static unsigned edge_actors(enum stage from, enum stage to)
{
    for (size_t i = 0; i < EDGE_COUNT; i++)
        if (edges[i].from == from && edges[i].to == to)
            return edges[i].actors;
    return 0;
}

static const char *name_or_none(enum stage s)
{
    const char *n = stage_name(s);
    return n ? n : "none";
}

const char *stage_name(enum stage s)
{
    if (!stage_valid(s))
        return NULL;
    return stage_names[s];
}

enum stage stage_parse(const char *s)
{
    if (!s)
        return STAGE_NONE;
    for (int i = STAGE_NONE + 1; i < STAGE__COUNT; i++)
        if (strcmp(stage_names[i], s) == 0)
            return (enum stage)i;
    return STAGE_NONE;
}

const char *actor_kind_name(enum actor_kind a)
{
    if ((int)a < 0 || a >= ACTOR__COUNT)
        return NULL;
    return actor_names[a];
}

int stage_is_eliminated(enum stage s)
{
    return s == STAGE_ELIMINATED_PENDING_REVIEW || s == STAGE_ELIMINATED_PENDING_EXPORT;
}

int stage_is_terminal(enum stage s)
{
    return s == STAGE_HIRED || s == STAGE_EXPORTED || s == STAGE_WITHDRAWN;
}

int reason_is_valid(const char *category)
{
    if (!category)
        return 0;
    for (size_t i = 0; pipeline_reasons[i]; i++)
        if (strcmp(pipeline_reasons[i], category) == 0)
            return 1;
    return 0;
}

int pipeline_allows(enum stage from, enum stage to, enum actor_kind actor)
{
    if (!stage_valid(from) || !stage_valid(to) || (int)actor < 0 || actor >= ACTOR__COUNT)
        return 0;
    return (edge_actors(from, to) & (1u << actor)) != 0;
}

int pipeline_targets(enum stage from, unsigned char *out)
{
    int n = 0;

    memset(out, 0, STAGE__COUNT);
    for (size_t i = 0; i < EDGE_COUNT; i++) {
        if (edges[i].from == from && !out[edges[i].to]) {
            out[edges[i].to] = 1;
            n++;
        }
    }
    return n;
}

int pipeline_check(const struct transition_req *r, struct err *e)
{
    if (!r)
        return err_set(e, ERR_INTERNAL, NULL, NULL, "no transition given");
    if (!stage_valid(r->to))
        return err_set(e, ERR_INVALID, NULL, "to", "unknown target stage");

    unsigned actors = stage_valid(r->from) ? edge_actors(r->from, r->to) : 0;
    if (!actors) {
        int unset = e && e->code == 0;
        int rc = err_set(e, ERR_CONFLICT, "illegal_transition", NULL,
                         "an application cannot move from %s to %s", name_or_none(r->from),
                         stage_name(r->to));
        if (unset)
            snprintf(e->current, sizeof(e->current), "%s",
                     stage_valid(r->from) ? stage_name(r->from) : "");
        return rc;
    }
    if (!pipeline_allows(r->from, r->to, r->actor)) {
        const char *who = actor_kind_name(r->actor);
        return err_set(e, ERR_FORBIDDEN, "transition_forbidden", NULL,
                       "%s may not move an application from %s to %s", who ? who : "this actor",
                       stage_name(r->from), stage_name(r->to));
    }

    int has_reason = r->reason && r->reason[0];
    if (stage_is_eliminated(r->to) && !stage_is_eliminated(r->from)) {
        if (!has_reason)
            return err_set(e, ERR_INVALID, "reason_required", "reason",
                           "an elimination needs a reason category");
        if (!reason_is_valid(r->reason))
            return err_set(e, ERR_INVALID, "invalid_reason", "reason",
                           "unknown reason category '%.64s'", r->reason);
        if (r->to == STAGE_ELIMINATED_PENDING_EXPORT && r->review_required &&
            (r->actor == ACTOR_RULE || r->actor == ACTOR_SYSTEM))
            return err_set(e, ERR_CONFLICT, "review_required", NULL,
                           "the position asks for review: eliminate to "
                           "eliminated_pending_review instead");
    } else if (stage_is_eliminated(r->from) && !stage_is_eliminated(r->to) &&
               !stage_is_terminal(r->to)) {
        /* Override: sending an eliminated application back needs free text. */
        if (!has_reason)
            return err_set(e, ERR_INVALID, "reason_required", "reason",
                           "an override needs a reason");
    }
    return 0;
}

const struct candidate_step *stage_candidate_step(enum stage s)
{
    static const struct candidate_step applied = {"applied", "已投递，等待安排 AI 面试", "Applied, AI interview to be arranged"},
                                       interview = {"interview", "AI 面试进行中", "AI interview in progress"},
                                       incomplete = {"interview_incomplete", "AI 面试未完成",
                                                     "AI interview not completed"},
                                       evaluation = {"evaluation", "面试结果评估中", "Interview result under evaluation"},
                                       followup = {"followup", "进入复试", "Follow-up interview"},
                                       offer = {"offer", "录用意向沟通中", "Offer in discussion"},
                                       hired = {"hired", "已录用", "Hired"},
                                       closed = {"closed", "很遗憾，本次未能进入下一轮", "Not moving forward this time"},
                                       withdrawn = {"withdrawn", "已撤回申请", "Application withdrawn"};
    switch (s) {
    case STAGE_APPLIED:
        return &applied;
    case STAGE_AI_INVITED:
    case STAGE_AI_IN_PROGRESS:
        return &interview;
    case STAGE_AI_INCOMPLETE:
        return &incomplete;
    case STAGE_AI_PENDING_EVALUATION:
    case STAGE_AI_PASSED:
    case STAGE_ELIMINATED_PENDING_REVIEW:
        return &evaluation;
    case STAGE_FOLLOWUP:
        return &followup;
    case STAGE_OFFER:
        return &offer;
    case STAGE_HIRED:
        return &hired;
    case STAGE_ELIMINATED_PENDING_EXPORT:
    case STAGE_EXPORTED:
        return &closed;
    case STAGE_WITHDRAWN:
        return &withdrawn;
    default:
        return NULL;
    }
}

/* rules_impl.h - what the rules modules share (rules.c: CRUD, rules_facts.c:
 * the facts of applications, rules_engine.c: running, firing, simulating).
 * Not for other modules: they use svc/rules.h. */
#ifndef TALENTD_SVC_RULES_IMPL_H
#define TALENTD_SVC_RULES_IMPL_H

#include "core/rules.h"
#include "svc/svc.h"

/* The representation of a rule row selected by RULE_SELECT (rules.c). */
json_t *rule_row(struct svc_ctx *c, struct db_stmt *s);
/* The trigger bit (enum rule_trigger) for its name, 0 when unknown. */
int rule_trigger_parse(const char *s);
/* rule_compile, with a syntax or type error as 422 "rule_syntax" on field "when" with e->line/col. */
int rule_compile_checked(struct rule_env *env, const char *when, struct rule_prog **prog, struct err *e);
/* Validates in.actions into a normalised list (422 naming actions[i].field otherwise). */
int rule_actions_read(json_t *in, json_t **norm, struct err *e);
/* Bumps rule_generation in the open transaction (every rule change). */
int rule_generation_bump(struct svc_ctx *c);

/* ------------------------------------------------------------------------
 * facts (rules_facts.c) */

/* What each slot of an env reads, resolved once per env. */
struct fact_plan {
    size_t n;
    struct fact_slot {
        int kind;     /* enum fact_kind (rules_facts.c) */
        char key[68]; /* the dimension key of ai.dim.<key> / ai.percentile.<key> */
    } * slots;
    int need_tags, need_complete, need_percentile;
};

/* Resolves env's slots; 0 or ERR_INVALID (a path the facts cannot provide). */
int fact_plan_init(struct fact_plan *p, const struct rule_env *env, struct err *e);
void fact_plan_free(struct fact_plan *p);

/* One application's facts as the rules see them, plus what the engine needs to act. */
struct facts {
    struct rule_value *v; /* plan.n values */
    int64_t app_id, position_id, candidate_id, stage_since, org_len;
    char stage[48];
    char org_path[256];
    int review_required, has_result;
    /* storage the values point into, reset for every application */
    char *buf;
    size_t cap, len;
    const char **items;
    size_t *item_lens;
    size_t nitems_cap;
    struct hist_cache *hc;
};

void facts_init(struct facts *f, const struct fact_plan *p);
void facts_free(struct facts *f);

/* A condition on applications: SQL appended after "WHERE a.id > 0" (aliases a: application,
 * p: its position, o: the position's org unit) with its '?' values in order. */
struct fact_where {
    char sql[512];
    int n;
    struct {
        int is_text;
        int64_t i;
        char s[260];
    } b[4];
};

/* Appends " AND <sql>" with no value, or with one integer / text value (NULL s: integer). */
void fact_where_add(struct fact_where *w, const char *sql, const char *s, int64_t i);

/* Scans the applications matching w in id order (at most limit, 0: no limit), filling f for each
 * and calling fn; fn returning non-zero stops the scan with that code. */
int facts_scan(struct svc_ctx *c, const struct fact_plan *p, struct facts *f, const struct fact_where *w, int64_t limit,
               int (*fn)(void *ud, struct facts *f), void *ud);

/* The facts of application app only (ERR_NOT_FOUND when there is none). */
int facts_load(struct svc_ctx *c, const struct fact_plan *p, struct facts *f, int64_t app);

#endif

/* rules_simulate.c - running a rule over existing applications without changing them
 * (svc_rule_simulate: POST /rules/{id}/simulate and /rules/simulate, `talentd rules simulate`):
 * how many it would touch, by stage and by action, a sample with each firing's explanation and the
 * candidate and position, and the fairness estimate of what it would select. */
#include "svc/rules.h"
#include "svc/rules_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pipeline.h"
#include "svc/fairness.h"
#include "svc/query.h"
#include "svc/validate.h"
#include "svc/views.h"

struct sim {
    const struct rule_prog *prog;
    json_t *actions;
    int64_t evaluated, fired;
    json_t *by_stage, *sample, *selection;
};

static int sim_one(void *ud, struct facts *f)
{
    struct sim *s = ud;
    s->evaluated++;
    int hit = rule_eval(s->prog, f->v);
    json_array_append_new(s->selection, json_pack("{s:I,s:I,s:b}", "application_id", (json_int_t)f->app_id,
                                                  "candidate_id", (json_int_t)f->candidate_id, "fires", hit));
    if (!hit)
        return 0;
    s->fired++;
    json_t *n = json_object_get(s->by_stage, f->stage);
    json_object_set_new(s->by_stage, f->stage, json_integer(json_integer_value(n) + 1));
    if (json_array_size(s->sample) < RULE_SIM_SAMPLE)
        json_array_append_new(s->sample, json_pack("{s:I,s:s,s:o}", "application_id", (json_int_t)f->app_id, "stage",
                                                   f->stage, "explanation", rule_explain(s->prog, f->v)));
    return 0;
}

/* The sample's candidate names and positions, for people to recognise them (in the scan's read
 * transaction; simulating is for admin and hr, who see every application). */
static int sim_names(struct svc_ctx *c, json_t *sample)
{
    struct db_stmt *st;
    int rc = svc_prepare(c,
                         "SELECT cd.name, p.code, p.title FROM application a JOIN candidate cd ON cd.id = "
                         "a.candidate_id JOIN position p ON p.id = a.position_id WHERE a.id = ?",
                         &st);
    size_t i;
    json_t *item;
    json_array_foreach(sample, i, item)
    {
        if (rc != 0)
            break;
        db_bind_int64(st, 1, json_integer_value(json_object_get(item, "application_id")));
        if ((rc = db_step(st, c->e)) == DB_ROW) {
            json_object_set_new(item, "candidate_name", json_string(db_col_text(st, 0)));
            json_object_set_new(item, "position", json_string(db_col_text(st, 1)));
            json_object_set_new(item, "position_title", json_string(db_col_text(st, 2)));
        }
        db_reset(st);
        rc = rc < 0 ? rc : 0;
    }
    return rc;
}

/* The simulation's fairness: who would be selected (not eliminated by an eliminating rule; moved on by
 * another) by group of each configured attribute. */
static int sim_fairness(struct svc_ctx *c, json_t *actions, json_t *selection, json_t *out)
{
    int elim = 0;
    json_t *a, *v;
    size_t i;
    json_array_foreach(actions, i, a)
    {
        elim |= strcmp(json_string_value(json_object_get(a, "type")), "eliminate") == 0;
    }
    json_array_foreach(selection, i, v)
    {
        int fires = json_is_true(json_object_get(v, "fires"));
        json_object_set_new(v, "selected", json_boolean(elim ? !fires : fires));
    }
    json_t *reports = NULL;
    int rc = svc_fairness_of_selection_tx(c, selection, &reports);
    if (rc != 0)
        return rc;
    int flagged = 0;
    json_array_foreach(reports, i, v)
    {
        flagged |= json_is_true(json_object_get(v, "flagged"));
    }
    json_object_set_new(out, "fairness",
                        json_pack("{s:s,s:s,s:o,s:b}", "selected_means",
                                  elim ? "not eliminated by this rule" : "moved on by this rule", "selected_means_code",
                                  elim ? "not_eliminated_by_rule" : "moved_on_by_rule", "attributes", reports,
                                  "flagged", flagged));
    return 0;
}

/* The rule to simulate: stored (id > 0) or given in in ({when, actions, scope?}). */
static int sim_rule(struct svc_ctx *c, int64_t id, json_t *in, json_t **rule)
{
    if (id > 0) {
        int rc = svc_rule_get(c, id, rule);
        return rc;
    }
    const char *when;
    json_t *actions = NULL;
    int rc = jv_text(in, "when", 1, RULE_SOURCE_MAX, &when, NULL, c->e);
    if (rc == 0 && (rc = rule_actions_read(in, &actions, c->e)) == 0) {
        json_t *scope = json_object_get(in, "scope");
        *rule = json_pack("{s:s,s:o,s:O}", "when", when, "actions", actions, "scope",
                          scope ? scope : json_pack("{s:s}", "kind", "all"));
        if (!scope)
            json_decref(json_object_get(*rule, "scope"));
    }
    return rc;
}

/* The scope of a rule representation as a condition. */
static int scope_where(struct svc_ctx *c, json_t *scope, struct fact_where *w)
{
    const char *kind = json_string_value(json_object_get(scope, "kind")),
               *code = json_string_value(json_object_get(scope, "code"));
    if (!kind || strcmp(kind, "all") == 0)
        return 0;
    if (!code)
        return err_invalid(c->e, "required", "scope.code", "scope.code names the %s", kind);
    if (strcmp(kind, "position") == 0) {
        fact_where_add(w, "p.code = ?", code, 0);
        return 0;
    }
    if (strcmp(kind, "org_unit") == 0) {
        fact_where_add(w, "o.path LIKE (SELECT path || '%' FROM org_unit WHERE code = ?)", code, 0);
        return 0;
    }
    return err_invalid(c->e, "invalid_value", "scope.kind", "scope.kind is all, org_unit or position");
}

int svc_rule_simulate(struct svc_ctx *c, int64_t id, json_t *in, json_t **out)
{
    static const char *const fields[] = {"when", "actions", "scope", "stage", "position", "limit", NULL};
    const char *stage = NULL, *position = NULL;
    int64_t limit = RULE_SIM_MAX;
    int rc;
    if ((rc = jv_known(in, fields, c->e)) || (rc = jv_string(in, "stage", 0, 48, &stage, NULL, c->e)) ||
        (rc = jv_code(in, "position", 0, &position, c->e)) ||
        (rc = jv_int(in, "limit", 0, 1, RULE_SIM_MAX, &limit, NULL, c->e)))
        return rc;
    if (stage && stage_parse(stage) == STAGE_NONE)
        return err_invalid(c->e, "invalid_value", "stage", "unknown stage %.48s", stage);
    json_t *rule = NULL;
    if ((rc = sim_rule(c, id, in, &rule)) != 0)
        return rc;
    struct rule_env *env = rule_env_new();
    struct rule_prog *prog = NULL;
    struct fact_plan plan = {0};
    struct fact_where w = {0};
    struct sim s = {.by_stage = json_object(), .sample = json_array(), .selection = json_array()};
    if ((rc = rule_compile_checked(env, json_string_value(json_object_get(rule, "when")), &prog, c->e)) ||
        (rc = fact_plan_init(&plan, env, c->e)) || (rc = scope_where(c, json_object_get(rule, "scope"), &w)))
        goto done;
    if (stage)
        fact_where_add(&w, "a.stage = ?", stage, 0);
    if (position)
        fact_where_add(&w, "p.code = ?", position, 0);
    s.prog = prog;
    s.actions = json_object_get(rule, "actions");
    struct facts f;
    facts_init(&f, &plan);
    if ((rc = svc_begin_read(c)) == 0 && (rc = facts_scan(c, &plan, &f, &w, limit, sim_one, &s)) == 0)
        rc = sim_names(c, s.sample);
    facts_free(&f);
    if (rc == 0) {
        json_t *counts = json_object(), *a;
        size_t i;
        json_array_foreach(s.actions, i, a)
        {
            const char *type = json_string_value(json_object_get(a, "type"));
            json_object_set_new(counts, type, json_integer(s.fired));
        }
        *out =
            json_pack("{s:I,s:I,s:O,s:o,s:O,s:O}", "evaluated", (json_int_t)s.evaluated, "would_fire",
                      (json_int_t)s.fired, "by_stage", s.by_stage, "actions", counts, "sample", s.sample, "rule", rule);
        if ((rc = sim_fairness(c, s.actions, s.selection, *out)) != 0) {
            json_decref(*out);
            *out = NULL;
        }
    }
    rc = svc_end(c, rc);
done:
    rule_prog_free(prog);
    fact_plan_free(&plan);
    rule_env_free(env);
    json_decref(rule);
    json_decref(s.by_stage);
    json_decref(s.sample);
    json_decref(s.selection);
    return rc;
}

/* rules_engine.c - running rules (svc/rules.h): the compiled rule set cached
 * per process (recompiled when rule_generation moves), a run for one
 * application inside the caller's transaction, the schedule pass, firings
 * with their explanation and the outcome of each action. Simulation is in rules_simulate.c. */
#include "svc/rules.h"
#include "svc/rules_impl.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pipeline.h"
#include "lib/mem.h"
#include "svc/applications.h"
#include "svc/exports.h"
#include "svc/moves.h"
#include "svc/query.h"
#include "svc/results_batch.h"
#include "svc/talent_pool.h"
#include "svc/validate.h"
#include "svc/views.h"

#define SCHEDULE_BATCH 10000 /* applications one schedule pass acts on, at most */

enum scope_kind { SCOPE_ALL, SCOPE_ORG, SCOPE_POSITION };

struct crule {
    int64_t id;
    char name[404];
    struct rule_prog *prog;
    json_t *actions;
    int triggers, dry_run;
    enum scope_kind scope;
    int64_t scope_id;
    char scope_path[256];
};

struct ruleset {
    int64_t generation;
    struct rule_env *env;
    struct fact_plan plan;
    struct crule *r;
    size_t n;
    int triggers; /* every trigger some rule listens to */
    int refs;
};

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct ruleset *cache;

/* ------------------------------------------------------------------------
 * the rule set */

static void ruleset_free(struct ruleset *rs)
{
    if (!rs)
        return;
    for (size_t i = 0; i < rs->n; i++) {
        rule_prog_free(rs->r[i].prog);
        json_decref(rs->r[i].actions);
    }
    free(rs->r);
    fact_plan_free(&rs->plan);
    rule_env_free(rs->env);
    free(rs);
}

static void ruleset_release(struct ruleset *rs)
{
    if (!rs)
        return;
    pthread_mutex_lock(&cache_mu);
    int last = --rs->refs == 0;
    pthread_mutex_unlock(&cache_mu);
    if (last)
        ruleset_free(rs);
}

static int scope_parse(const char *kind)
{
    return strcmp(kind, "org_unit") == 0 ? SCOPE_ORG : strcmp(kind, "position") == 0 ? SCOPE_POSITION : SCOPE_ALL;
}

static int triggers_bits(const char *json)
{
    json_t *t = json_loads(json, 0, NULL), *v;
    int bits = 0;
    size_t i;
    json_array_foreach(t, i, v)
    {
        if (json_is_string(v))
            bits |= rule_trigger_parse(json_string_value(v));
    }
    json_decref(t);
    return bits;
}

/* Compiles the enabled rules (priority order) into a new set of generation gen. */
static int ruleset_build(struct svc_ctx *c, int64_t gen, struct ruleset **out)
{
    struct ruleset *rs = xcalloc(1, sizeof(*rs));
    rs->generation = gen;
    rs->env = rule_env_new();
    rs->refs = 1;
    struct db_stmt *s;
    int rc = svc_prepare(c,
                         "SELECT r.id, r.name, r.when_expr, r.actions_json, r.triggers_json, r.scope_kind, "
                         "COALESCE(r.scope_id, 0), COALESCE(o.path, ''), r.mode FROM rule r "
                         "LEFT JOIN org_unit o ON r.scope_kind = 'org_unit' AND o.id = r.scope_id "
                         "WHERE r.enabled = 1 ORDER BY r.priority, r.id",
                         &s);
    size_t cap = 0;
    if (rc != 0) {
        ruleset_free(rs);
        return rc;
    }
    while ((rc = db_step(s, c->e)) == DB_ROW) {
        struct rule_prog *prog = NULL;
        struct rule_error re;
        if (rule_compile(rs->env, db_col_text(s, 2), &prog, &re) != 0)
            continue; /* stored rules compiled when saved; one the catalogue no longer knows is left out */
        if (rs->n == cap) {
            cap = cap ? cap * 2 : 16;
            rs->r = xrealloc(rs->r, cap * sizeof(*rs->r));
        }
        struct crule *r = &rs->r[rs->n++];
        memset(r, 0, sizeof(*r));
        r->id = db_col_int64(s, 0);
        snprintf(r->name, sizeof(r->name), "%s", db_col_text(s, 1));
        r->prog = prog;
        r->actions = json_loads(db_col_text(s, 3), 0, NULL);
        r->triggers = triggers_bits(db_col_text(s, 4));
        r->scope = scope_parse(db_col_text(s, 5));
        r->scope_id = db_col_int64(s, 6);
        snprintf(r->scope_path, sizeof(r->scope_path), "%s", db_col_text(s, 7));
        r->dry_run = strcmp(db_col_text(s, 8), "dry_run") == 0;
        rs->triggers |= r->triggers;
    }
    db_reset(s);
    if (rc == DB_DONE)
        rc = fact_plan_init(&rs->plan, rs->env, c->e);
    if (rc != 0) {
        ruleset_free(rs);
        return rc;
    }
    *out = rs;
    return 0;
}

/* The rules' generation: read from the database, once per batch in an import's batch (a rule
 * changed by another process while a batch runs applies from the next batch on: a round trip per
 * result less on PostgreSQL, where each result asked twice). */
static int rule_generation(struct svc_ctx *c, int64_t *gen)
{
    struct hist_log *h = svc_batch_state(c);
    if (h && h->rule_gen_read) {
        *gen = h->rule_gen;
        return 0;
    }
    struct db_stmt *s;
    int rc = svc_prepare(c, "SELECT generation FROM rule_generation WHERE id = 1", &s);
    if (rc != 0)
        return rc;
    rc = db_step(s, c->e);
    *gen = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_reset(s);
    if (rc < 0)
        return rc;
    if (h) {
        h->rule_gen = *gen;
        h->rule_gen_read = 1;
    }
    return 0;
}

/* The current rule set (a reference to release), rebuilt when the rules changed. */
static int ruleset_acquire(struct svc_ctx *c, struct ruleset **out)
{
    int64_t gen;
    int rc = rule_generation(c, &gen);
    if (rc != 0)
        return rc;
    pthread_mutex_lock(&cache_mu);
    if (cache && cache->generation == gen) {
        cache->refs++;
        *out = cache;
        pthread_mutex_unlock(&cache_mu);
        return 0;
    }
    pthread_mutex_unlock(&cache_mu);
    struct ruleset *rs = NULL;
    if ((rc = ruleset_build(c, gen, &rs)) != 0)
        return rc;
    pthread_mutex_lock(&cache_mu);
    struct ruleset *old = NULL;
    if (!cache || cache->generation < gen) {
        old = cache;
        cache = rs;
        rs->refs++; /* the cache's reference */
    }
    int drop = old && --old->refs == 0;
    pthread_mutex_unlock(&cache_mu);
    if (drop)
        ruleset_free(old);
    *out = rs;
    return 0;
}

static int in_scope(const struct crule *r, const struct facts *f)
{
    switch (r->scope) {
    case SCOPE_POSITION:
        return f->position_id == r->scope_id;
    case SCOPE_ORG:
        return strncmp(f->org_path, r->scope_path, strlen(r->scope_path)) == 0;
    default:
        return 1;
    }
}

/* ------------------------------------------------------------------------
 * firing */

static int already_fired(struct svc_ctx *c, int64_t rule, int64_t app, int64_t since, int *yes)
{
    struct db_stmt *s;
    int rc =
        svc_prepare(c, "SELECT 1 FROM rule_firing WHERE rule_id = ? AND application_id = ? AND stage_since = ?", &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, rule);
    db_bind_int64(s, 2, app);
    db_bind_int64(s, 3, since);
    rc = db_step(s, c->e);
    *yes = rc == DB_ROW;
    db_reset(s);
    return rc < 0 ? rc : 0;
}

/* An action's refusal by the pipeline is an outcome, not an error of the run. */
static int refused(int rc)
{
    return rc == ERR_CONFLICT || rc == ERR_INVALID || rc == ERR_FORBIDDEN;
}

/* Moves the application as the rule (audit and event as a person's transition has them). */
static int rule_move(struct svc_ctx *c, const struct crule *r, int64_t app, enum stage to, const char *reason,
                     json_t *outcome)
{
    json_t *before = NULL;
    char note[480];
    snprintf(note, sizeof(note), SVC_NOTE_RULE "%s", r->name);
    int rc = svc_app_load_tx(c, app, &before);
    if (rc == 0) {
        json_t *extra = json_pack("{s:I,s:s}", "rule_id", (json_int_t)r->id, "rule", r->name);
        rc = svc_app_move_audited_tx(c, before, to, ACTOR_RULE, reason, note, extra, NULL);
        json_decref(extra);
    }
    if (rc == 0) {
        json_object_set_new(outcome, "applied", json_true());
        json_object_set_new(outcome, "to", json_string(stage_name(to)));
    } else if (refused(rc)) {
        json_object_set_new(outcome, "applied", json_false());
        json_object_set_new(outcome, "error", json_string(c->e->message));
        json_object_set_new(outcome, "error_code", json_string(c->e->slug));
        if (c->e->current[0])
            json_object_set_new(outcome, "error_params", json_pack("{s:s}", "current", c->e->current));
        err_clear(c->e);
        rc = 0;
    }
    json_decref(before);
    return rc;
}

/* Applies action a of rule r to the application of f; the outcome goes to outcome. */
static int apply(struct svc_ctx *c, const struct crule *r, json_t *a, const struct facts *f, int *moved,
                 json_t *outcome)
{
    const char *type = json_string_value(json_object_get(a, "type"));
    char source[420];
    snprintf(source, sizeof(source), "rule:%s", r->name);
    if (strcmp(type, "eliminate") == 0 || strcmp(type, "advance") == 0) {
        if (*moved) {
            json_object_set_new(outcome, "applied", json_false());
            json_object_set_new(outcome, "skipped", json_string("another rule moved the application first"));
            json_object_set_new(outcome, "skipped_code", json_string("moved_by_other_rule"));
            return 0;
        }
        int elim = strcmp(type, "eliminate") == 0;
        enum stage to = elim ? (f->review_required ? STAGE_ELIMINATED_PENDING_REVIEW : STAGE_ELIMINATED_PENDING_EXPORT)
                             : stage_parse(json_string_value(json_object_get(a, "stage")));
        int rc = rule_move(c, r, f->app_id, to, elim ? json_string_value(json_object_get(a, "reason")) : NULL, outcome);
        if (rc == 0 && json_is_true(json_object_get(outcome, "applied")))
            *moved = 1;
        return rc;
    }
    int rc = 0;
    if (strcmp(type, "tag") == 0)
        rc = svc_app_tag_tx(c, f->app_id, json_string_value(json_object_get(a, "tag")), source);
    else if (strcmp(type, "talent_pool") == 0)
        rc = svc_pool_keep_tx(c, f->app_id, json_object_get(a, "tags"), source);
    else if (strcmp(type, "export") == 0)
        rc = svc_export_request_tx(c, f->app_id, json_string_value(json_object_get(a, "template")), r->id);
    if (rc == 0 && (strcmp(type, "notify") == 0 || strcmp(type, "export") == 0)) {
        int notify = type[0] == 'n';
        json_t *ev = json_deep_copy(a);
        json_object_del(ev, "type");
        json_object_set_new(ev, "application_id", json_integer(f->app_id));
        json_object_set_new(ev, "rule_id", json_integer(r->id));
        json_object_set_new(ev, "rule", json_string(r->name));
        rc = svc_event(c, notify ? "notification.requested" : "export.requested", "application", f->app_id, ev);
        json_decref(ev);
    }
    if (rc == 0)
        json_object_set_new(outcome, "applied", json_true());
    return rc;
}

static int record_firing(struct svc_ctx *c, const struct crule *r, const struct facts *f, const char *trigger,
                         json_t *explanation, json_t *outcomes)
{
    char *ej = json_dumps(explanation, JSON_COMPACT), *aj = json_dumps(outcomes, JSON_COMPACT);
    struct db_stmt *s;
    int rc = svc_prepare(c,
                         "INSERT INTO rule_firing (rule_id, rule_name, application_id, trigger_kind, mode, stage, "
                         "stage_since, explanation_json, actions_json, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                         &s);
    if (rc == 0) {
        db_bind_int64(s, 1, r->id);
        db_bind_text(s, 2, r->name);
        db_bind_int64(s, 3, f->app_id);
        db_bind_text(s, 4, trigger);
        db_bind_text(s, 5, r->dry_run ? "dry_run" : "enforce");
        db_bind_text(s, 6, f->stage);
        db_bind_int64(s, 7, f->stage_since);
        db_bind_text(s, 8, ej ? ej : "{}");
        db_bind_text(s, 9, aj ? aj : "[]");
        db_bind_int64(s, 10, c->now);
        rc = svc_exec(c, s);
    }
    free(ej);
    free(aj);
    if (rc != 0)
        return rc;
    json_t *rec =
        json_pack("{s:I,s:s,s:s,s:s,s:O,s:O}", "rule_id", (json_int_t)r->id, "rule", r->name, "trigger", trigger,
                  "mode", r->dry_run ? "dry_run" : "enforce", "explanation", explanation, "actions", outcomes);
    rc = svc_audit(c, "rule.fired", "application", f->app_id, NULL, rec);
    if (rc == 0)
        rc = svc_event(c, "rule.fired", "application", f->app_id, rec);
    json_decref(rec);
    return rc;
}

static const char *trigger_name(enum rule_trigger t)
{
    return t == RULE_ON_RESULT ? "result" : t == RULE_ON_STAGE ? "stage" : "schedule";
}

/* Fires rule r for the application of f: its actions (unless dry_run) and the firing record. */
static int fire(struct svc_ctx *c, const struct crule *r, const struct facts *f, enum rule_trigger t, int *moved)
{
    /* Actions act as the rules, whoever's call triggered them. */
    struct actor ra;
    actor_system(&ra, "rules");
    struct svc_ctx rc_ctx = *c;
    rc_ctx.actor = &ra;
    json_t *explanation = rule_explain(r->prog, f->v), *outcomes = json_array(), *a;
    size_t i;
    int rc = 0;
    json_array_foreach(r->actions, i, a)
    {
        json_t *o = json_deep_copy(a);
        json_array_append_new(outcomes, o);
        if (r->dry_run) {
            json_object_set_new(o, "applied", json_false());
            json_object_set_new(o, "dry_run", json_true());
        } else if ((rc = apply(&rc_ctx, r, a, f, moved, o)) != 0) {
            break;
        }
    }
    if (rc == 0)
        rc = record_firing(&rc_ctx, r, f, trigger_name(t), explanation, outcomes);
    json_decref(explanation);
    json_decref(outcomes);
    return rc;
}

/* Evaluates the set's rules listening to t on f, firing those that hold and have not fired in this stage visit. */
static int run_on(struct svc_ctx *c, const struct ruleset *rs, const struct facts *f, enum rule_trigger t, int *fired,
                  int *moved_out)
{
    int moved = 0;
    for (size_t i = 0; i < rs->n; i++) {
        const struct crule *r = &rs->r[i];
        if (!(r->triggers & (int)t) || !in_scope(r, f) || !rule_eval(r->prog, f->v))
            continue;
        int done = 0, rc = already_fired(c, r->id, f->app_id, f->stage_since, &done);
        if (rc == 0 && !done)
            rc = fire(c, r, f, t, &moved);
        if (rc != 0)
            return rc;
        if (!done && fired)
            (*fired)++;
    }
    if (moved_out)
        *moved_out = moved;
    return 0;
}

int svc_rules_run_tx(struct svc_ctx *c, int64_t app, enum rule_trigger trigger, int *moved)
{
    if (moved)
        *moved = 0;
    struct ruleset *rs = NULL;
    int rc = ruleset_acquire(c, &rs);
    if (rc != 0 || !(rs->triggers & (int)trigger)) {
        ruleset_release(rs);
        return rc;
    }
    struct facts f;
    facts_init(&f, &rs->plan);
    if ((rc = facts_load(c, &rs->plan, &f, app)) == 0)
        rc = run_on(c, rs, &f, trigger, NULL, moved);
    facts_free(&f);
    ruleset_release(rs);
    return rc;
}

/* ------------------------------------------------------------------------
 * the schedule */

struct due {
    const struct ruleset *rs;
    struct svc_ctx *c;
    json_t *ids;
};

static int collect_due(void *ud, struct facts *f)
{
    struct due *d = ud;
    for (size_t i = 0; i < d->rs->n; i++) {
        const struct crule *r = &d->rs->r[i];
        if (!(r->triggers & RULE_ON_SCHEDULE) || !in_scope(r, f) || !rule_eval(r->prog, f->v))
            continue;
        int done = 0, rc = already_fired(d->c, r->id, f->app_id, f->stage_since, &done);
        if (rc != 0)
            return rc;
        if (!done) {
            json_array_append_new(d->ids, json_integer(f->app_id));
            break;
        }
    }
    return json_array_size(d->ids) >= SCHEDULE_BATCH ? 1 : 0;
}

#define OPEN_STAGES "a.stage NOT IN ('hired', 'exported', 'withdrawn')"

int svc_rules_run_schedule(struct svc_ctx *c, int *fired)
{
    *fired = 0;
    struct ruleset *rs = NULL;
    struct due d = {.c = c, .ids = json_array()};
    int rc = svc_begin_read(c);
    if (rc == 0 && (rc = ruleset_acquire(c, &rs)) == 0 && (rs->triggers & RULE_ON_SCHEDULE)) {
        struct facts f;
        struct fact_where w = {0};
        fact_where_add(&w, OPEN_STAGES, NULL, 0);
        facts_init(&f, &rs->plan);
        d.rs = rs;
        rc = facts_scan(c, &rs->plan, &f, &w, 0, collect_due, &d);
        if (rc == 1)
            rc = 0;
        facts_free(&f);
    }
    svc_end(c, 0);
    json_t *v;
    size_t i;
    json_array_foreach(d.ids, i, v)
    {
        if (rc != 0)
            break;
        int64_t app = json_integer_value(v);
        if ((rc = svc_begin(c)) != 0)
            break;
        struct facts f;
        facts_init(&f, &rs->plan);
        int n = 0;
        if ((rc = facts_load(c, &rs->plan, &f, app)) == 0 && (rc = run_on(c, rs, &f, RULE_ON_SCHEDULE, &n, NULL)) == 0)
            rc = svc_commit(c);
        facts_free(&f);
        if (rc == ERR_NOT_FOUND) { /* gone meanwhile */
            err_clear(c->e);
            rc = 0;
        }
        rc = svc_end(c, rc);
        *fired += n;
    }
    json_decref(d.ids);
    ruleset_release(rs);
    return rc;
}

/* ------------------------------------------------------------------------
 * firings */

static json_t *firing_row(struct svc_ctx *c, struct db_stmt *s)
{
    (void)c;
    json_t *ex = json_loads(db_col_text(s, 7), 0, NULL), *ac = json_loads(db_col_text(s, 8), 0, NULL);
    return json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:o,s:o,s:o}", "id", (json_int_t)db_col_int64(s, 0), "rule_id",
                     (json_int_t)db_col_int64(s, 1), "rule", db_col_text(s, 2), "trigger", db_col_text(s, 3), "mode",
                     db_col_text(s, 4), "stage", db_col_text(s, 5), "explanation", ex ? ex : json_object(), "actions",
                     ac ? ac : json_array(), "at", json_time(db_col_int64(s, 6)));
}

int svc_rule_firings(struct svc_ctx *c, int64_t app, json_t **out)
{
    json_t *a = NULL, *items = json_array();
    struct qb q;
    qb_init(&q, "SELECT id, rule_id, rule_name, trigger_kind, mode, stage, at, explanation_json, actions_json "
                "FROM rule_firing WHERE application_id = ? ORDER BY id DESC");
    qb_int(&q, app);
    int rc = svc_begin_read(c);
    if (rc == 0 && (rc = svc_app_load_tx(c, app, &a)) == 0 && (rc = qb_all(c, &q, firing_row, items)) == 0)
        *out = json_pack("{s:O}", "items", items);
    json_decref(a);
    json_decref(items);
    return svc_end(c, rc);
}

/* rules.c - pipeline rules: create, read, update, delete, check (svc/rules.h).
 * The engine that runs them is rules_engine.c. Every write bumps
 * rule_generation in the same transaction, so every process recompiles its
 * cached rules before it next runs them. */
#include "svc/rules.h"
#include "svc/rules_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pipeline.h"
#include "core/rules.h"
#include "svc/exports.h"
#include "svc/org.h"
#include "svc/query.h"
#include "svc/validate.h"
#include "svc/views.h"

#define RULE_SELECT                                                                                                    \
    "SELECT r.id, r.name, r.description, r.when_expr, r.actions_json, r.triggers_json, r.scope_kind, r.scope_id, "     \
    "COALESCE(o.code, p.code), r.priority, r.mode, r.enabled, r.created_at, r.updated_at, r.created_by, r.version "    \
    "FROM rule r LEFT JOIN org_unit o ON r.scope_kind = 'org_unit' AND o.id = r.scope_id "                             \
    "LEFT JOIN position p ON r.scope_kind = 'position' AND p.id = r.scope_id WHERE 1=1"

#define NAME_MAX_CHARS 100
#define DESCRIPTION_MAX 2000
#define ACTIONS_MAX 10
#define TAG_MAX 40

static const char *const trigger_names[] = {"result", "stage", "schedule"};

/* ------------------------------------------------------------------------
 * representation */

static json_t *json_text_col(struct db_stmt *s, int col)
{
    json_t *v = json_loads(db_col_text(s, col), 0, NULL);
    return json_is_array(v) ? v : (json_decref(v), json_array());
}

json_t *rule_row(struct svc_ctx *c, struct db_stmt *s)
{
    (void)c;
    json_t *scope = json_pack("{s:s}", "kind", db_col_text(s, 6));
    if (!db_col_isnull(s, 8))
        json_object_set_new(scope, "code", json_string(db_col_text(s, 8)));
    return json_pack("{s:I,s:s,s:s,s:s,s:o,s:o,s:o,s:I,s:s,s:b,s:o,s:o,s:s,s:I}", "id", (json_int_t)db_col_int64(s, 0),
                     "name", db_col_text(s, 1), "description", db_col_text(s, 2), "when", db_col_text(s, 3), "actions",
                     json_text_col(s, 4), "triggers", json_text_col(s, 5), "scope", scope, "priority",
                     (json_int_t)db_col_int64(s, 9), "mode", db_col_text(s, 10), "enabled", db_col_int64(s, 11) != 0,
                     "created_at", json_time(db_col_int64(s, 12)), "updated_at", json_time(db_col_int64(s, 13)),
                     "created_by", db_col_text(s, 14), "version", (json_int_t)db_col_int64(s, 15));
}

static int rule_load(struct svc_ctx *c, int64_t id, json_t **out)
{
    struct qb q;
    qb_init(&q, RULE_SELECT " AND r.id = ?");
    qb_int(&q, id);
    return qb_one(c, &q, rule_row, "rule", out);
}

int svc_rule_get(struct svc_ctx *c, int64_t id, json_t **out)
{
    int rc = svc_begin_read(c);
    if (rc == 0)
        rc = rule_load(c, id, out);
    return svc_end(c, rc);
}

int svc_rule_id_by_name(struct svc_ctx *c, const char *name, int64_t *id)
{
    return svc_lookup_id(c, "SELECT id FROM rule WHERE name = ?", name, "name", "rule named", id);
}

int svc_rule_list(struct svc_ctx *c, json_t *query, json_t **out)
{
    static const char *const params[] = {"enabled", "mode", "trigger", "limit", "cursor", NULL};
    int enabled, rc;
    if ((rc = jq_known(query, params, c->e)) || (rc = q_bool(query, "enabled", &enabled, c->e)))
        return rc;
    const char *mode = q_str(query, "mode"), *trigger = q_str(query, "trigger");
    if (mode && strcmp(mode, "enforce") != 0 && strcmp(mode, "dry_run") != 0)
        return err_invalid(c->e, "invalid_value", "mode", "mode is enforce or dry_run");
    struct qb q;
    qb_init(&q, RULE_SELECT);
    if (enabled >= 0) {
        qb_sql(&q, " AND r.enabled = ?");
        qb_int(&q, enabled);
    }
    if (mode) {
        qb_sql(&q, " AND r.mode = ?");
        qb_text(&q, mode);
    }
    if (trigger) {
        if (!rule_trigger_parse(trigger))
            return err_invalid(c->e, "invalid_value", "trigger", "trigger is result, stage or schedule");
        qb_sql(&q, " AND r.triggers_json LIKE ?");
        char like[32];
        snprintf(like, sizeof(like), "%%\"%s\"%%", trigger);
        qb_text_copy(&q, like);
    }
    return qb_page(c, &q, query, "r.id", rule_row, out);
}

/* ------------------------------------------------------------------------
 * validation */

int rule_trigger_parse(const char *s)
{
    for (size_t i = 0; i < sizeof(trigger_names) / sizeof(trigger_names[0]); i++)
        if (strcmp(s, trigger_names[i]) == 0)
            return 1 << i;
    return 0;
}

int rule_compile_checked(struct rule_env *env, const char *when, struct rule_prog **prog, struct err *e)
{
    struct rule_error re = {0};
    if (rule_compile(env, when, prog, &re) == 0)
        return 0;
    int rc = err_invalid(e, "rule_syntax", "when", "line %d, column %d: %s", re.line, re.col, re.message);
    e->line = re.line;
    e->col = re.col;
    return rc;
}

/* Compiles when once to check it. */
static int when_read(json_t *in, int required, const char **when, struct err *e)
{
    int rc = jv_text(in, "when", required, RULE_SOURCE_MAX, when, NULL, e);
    if (rc != 0 || !*when)
        return rc;
    struct rule_env *env = rule_env_new();
    struct rule_prog *p = NULL;
    rc = rule_compile_checked(env, *when, &p, e);
    rule_prog_free(p);
    rule_env_free(env);
    return rc;
}

/* A stage a rule may send applications to. */
static int stage_for_rule(const char *s)
{
    enum stage st = stage_parse(s);
    for (enum stage from = STAGE_APPLIED; st != STAGE_NONE && from < STAGE__COUNT; from++)
        if (pipeline_allows(from, st, ACTOR_RULE))
            return 1;
    return 0;
}

static int action_field(json_t *a, const char *key, size_t max, int required, const char **out, int i, struct err *e)
{
    int rc = jv_string(a, key, required, max, out, NULL, e);
    if (rc != 0) {
        char f[48];
        snprintf(f, sizeof(f), "actions[%d].%s", i, key);
        snprintf(e->field, sizeof(e->field), "%s", f);
    }
    return rc;
}

/* Normalises the actions list: each {type, ...} with the fields its type takes. */
int rule_actions_read(json_t *in, json_t **norm, struct err *e)
{
    json_t *list = json_object_get(in, "actions"), *a;
    if (!json_is_array(list))
        return err_invalid(e, list ? "wrong_type" : "required", "actions", "actions must be a list of actions");
    if (json_array_size(list) == 0 || json_array_size(list) > ACTIONS_MAX)
        return err_invalid(e, "out_of_range", "actions", "a rule has 1 to %d actions", ACTIONS_MAX);
    json_t *out = json_array();
    size_t i;
    int rc = 0, stage_moves = 0;
    json_array_foreach(list, i, a)
    {
        char f[48];
        snprintf(f, sizeof(f), "actions[%d]", (int)i);
        const char *type = NULL, *v = NULL;
        if (!json_is_object(a)) {
            rc = err_invalid(e, "wrong_type", f, "%s must be an object {type, ...}", f);
            break;
        }
        if ((rc = action_field(a, "type", 32, 1, &type, (int)i, e)))
            break;
        json_t *n = json_pack("{s:s}", "type", type);
        json_array_append_new(out, n);
        static const char *const k_elim[] = {"type", "reason", NULL}, *const k_adv[] = {"type", "stage", NULL},
                                 *const k_tag[] = {"type", "tag", NULL}, *const k_pool[] = {"type", "tags", NULL},
                                 *const k_notify[] = {"type", "role", "message", NULL},
                                 *const k_export[] = {"type", "template", NULL};
        const char *const *known = NULL;
        if (strcmp(type, "eliminate") == 0) {
            known = k_elim;
            if ((rc = action_field(a, "reason", 64, 1, &v, (int)i, e)))
                break;
            if (!reason_is_valid(v)) {
                rc = err_invalid(e, "invalid_value", f, "%s.reason: %s is not an elimination reason category", f, v);
                break;
            }
            json_object_set_new(n, "reason", json_string(v));
            stage_moves++;
        } else if (strcmp(type, "advance") == 0) {
            known = k_adv;
            if ((rc = action_field(a, "stage", 48, 1, &v, (int)i, e)))
                break;
            if (!stage_for_rule(v)) {
                rc = err_invalid(e, "invalid_value", f, "%s.stage: a rule cannot move applications to %s", f, v);
                break;
            }
            json_object_set_new(n, "stage", json_string(v));
            stage_moves++;
        } else if (strcmp(type, "tag") == 0) {
            known = k_tag;
            if ((rc = action_field(a, "tag", TAG_MAX, 1, &v, (int)i, e)))
                break;
            json_object_set_new(n, "tag", json_string(v));
        } else if (strcmp(type, "talent_pool") == 0) {
            known = k_pool;
            json_t *tags = json_object_get(a, "tags"), *t;
            json_t *nt = json_array();
            json_object_set_new(n, "tags", nt);
            size_t j;
            if (tags && !json_is_array(tags)) {
                rc = err_invalid(e, "wrong_type", f, "%s.tags must be a list of tags", f);
                break;
            }
            json_array_foreach(tags, j, t)
            {
                const char *tv = json_string_value(t);
                if (!tv || !*tv || strlen(tv) > (size_t)TAG_MAX * 4 || check_text(f, tv, TAG_MAX, 0, e) != 0) {
                    err_clear(e);
                    rc = err_invalid(e, "invalid_value", f, "%s.tags[%d] must be a tag of 1 to %d characters", f,
                                     (int)j, TAG_MAX);
                    break;
                }
                json_array_append(nt, t);
            }
            if (rc != 0)
                break;
        } else if (strcmp(type, "notify") == 0) {
            known = k_notify;
            if ((rc = action_field(a, "role", 16, 1, &v, (int)i, e)))
                break;
            if (strcmp(v, "admin") != 0 && strcmp(v, "hr") != 0 && strcmp(v, "manager") != 0 &&
                strcmp(v, "interviewer") != 0) {
                rc = err_invalid(e, "invalid_value", f, "%s.role is admin, hr, manager or interviewer", f);
                break;
            }
            json_object_set_new(n, "role", json_string(v));
            if ((rc = action_field(a, "message", 500, 0, &v, (int)i, e)))
                break;
            if (v)
                json_object_set_new(n, "message", json_string(v));
        } else if (strcmp(type, "export") == 0) {
            known = k_export;
            if ((rc = action_field(a, "template", 100, 1, &v, (int)i, e)))
                break;
            json_object_set_new(n, "template", json_string(v));
        } else {
            rc = err_invalid(e, "invalid_value", f,
                             "%s.type is eliminate, advance, tag, talent_pool, notify or export (not %.32s)", f, type);
            break;
        }
        if ((rc = jv_known(a, known, e)) != 0) {
            char inner[160];
            snprintf(inner, sizeof(inner), "%s.%s", f, e->field);
            snprintf(e->field, sizeof(e->field), "%.63s", inner);
            break;
        }
    }
    if (rc == 0 && stage_moves > 1)
        rc = err_invalid(e, "invalid_value", "actions",
                         "a rule moves the application at most once (eliminate or "
                         "advance, not both)");
    if (rc != 0) {
        json_decref(out);
        return rc;
    }
    *norm = out;
    return 0;
}

static int triggers_read(json_t *in, json_t **norm, struct err *e)
{
    json_t *list = json_object_get(in, "triggers"), *t;
    if (!list) {
        *norm = json_pack("[s]", "result");
        return 0;
    }
    if (!json_is_array(list) || json_array_size(list) == 0)
        return err_invalid(e, "wrong_type", "triggers", "triggers is a non-empty list of result, stage, schedule");
    int seen = 0;
    size_t i;
    json_array_foreach(list, i, t)
    {
        int bit = json_is_string(t) ? rule_trigger_parse(json_string_value(t)) : 0;
        if (!bit)
            return err_invalid(e, "invalid_value", "triggers", "triggers[%d] is result, stage or schedule", (int)i);
        seen |= bit;
    }
    *norm = json_array();
    for (size_t k = 0; k < sizeof(trigger_names) / sizeof(trigger_names[0]); k++)
        if (seen & (1 << k))
            json_array_append_new(*norm, json_string(trigger_names[k]));
    return 0;
}

static int scope_read(struct svc_ctx *c, json_t *in, const char **kind, int64_t *scope_id)
{
    json_t *sc = json_object_get(in, "scope");
    if (!sc || json_is_null(sc)) {
        *kind = "all";
        *scope_id = 0;
        return 0;
    }
    static const char *const fields[] = {"kind", "code", NULL};
    const char *k, *code = NULL;
    int rc;
    if (!json_is_object(sc))
        return err_invalid(c->e, "wrong_type", "scope", "scope is {kind: all | org_unit | position, code}");
    if ((rc = jv_known(sc, fields, c->e)) || (rc = jv_string(sc, "kind", 1, 16, &k, NULL, c->e)) ||
        (rc = jv_code(sc, "code", 0, &code, c->e))) {
        char f[sizeof(c->e->field)];
        memcpy(f, c->e->field, sizeof(f));
        snprintf(c->e->field, sizeof(c->e->field), "scope.%.57s", f);
        return rc;
    }
    if (strcmp(k, "all") == 0) {
        *kind = "all";
        *scope_id = 0;
        return 0;
    }
    int is_org = strcmp(k, "org_unit") == 0;
    if (!is_org && strcmp(k, "position") != 0)
        return err_invalid(c->e, "invalid_value", "scope.kind", "scope.kind is all, org_unit or position");
    if (!code)
        return err_invalid(c->e, "required", "scope.code", "scope.code names the %s", k);
    rc = is_org ? svc_org_id_by_code(c, code, scope_id) : svc_position_id_by_code(c, code, scope_id);
    if (rc == ERR_NOT_FOUND) {
        err_clear(c->e);
        return err_invalid(c->e, "invalid_reference", "scope.code", "no %s with code %.64s",
                           is_org ? "org unit" : "position", code);
    }
    *kind = is_org ? "org_unit" : "position";
    return rc;
}

static int mode_read(json_t *in, const char **mode, struct err *e)
{
    const char *m = NULL; /* absent: *mode keeps its default */
    int rc = jv_string(in, "mode", 0, 16, &m, NULL, e);
    if (rc == 0 && m && strcmp(m, "enforce") != 0 && strcmp(m, "dry_run") != 0)
        rc = err_invalid(e, "invalid_value", "mode", "mode is enforce or dry_run");
    if (rc == 0 && m)
        *mode = m;
    return rc;
}

/* ------------------------------------------------------------------------
 * writes */

int rule_generation_bump(struct svc_ctx *c)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, "UPDATE rule_generation SET generation = generation + 1 WHERE id = 1", &s);
    return rc != 0 ? rc : svc_exec(c, s);
}

/* The validated fields of a create or update; absent ones keep before's values (all required on create). */
struct rule_in {
    const char *name, *description, *when, *mode, *scope_kind;
    json_t *actions, *triggers;
    int64_t scope_id, priority;
    int enabled, has_scope;
};

static int rule_in_read(struct svc_ctx *c, json_t *in, int create, struct rule_in *r)
{
    int rc;
    if ((rc = jv_string(in, "name", create, NAME_MAX_CHARS, &r->name, NULL, c->e)) ||
        (rc = jv_text(in, "description", 0, DESCRIPTION_MAX, &r->description, NULL, c->e)) ||
        (rc = when_read(in, create, &r->when, c->e)) || (rc = mode_read(in, &r->mode, c->e)) ||
        (rc = jv_int(in, "priority", 0, 0, 100000, &r->priority, NULL, c->e)) ||
        (rc = jv_bool(in, "enabled", &r->enabled, NULL, c->e)))
        return rc;
    if ((create || json_object_get(in, "actions")) && (rc = rule_actions_read(in, &r->actions, c->e)))
        return rc;
    if ((create || json_object_get(in, "triggers")) && (rc = triggers_read(in, &r->triggers, c->e)))
        return rc;
    r->has_scope = create || json_object_get(in, "scope") != NULL;
    return 0;
}

static void rule_in_free(struct rule_in *r)
{
    json_decref(r->actions);
    json_decref(r->triggers);
}

/* Binds the rule's 11 columns from position 1: name, description, when, actions, triggers, scope kind, scope
 * id, priority, mode, enabled, updated_at. aj and tj receive the JSON texts (caller frees). */
static void rule_bind(struct svc_ctx *c, struct db_stmt *s, struct rule_in *r, char **aj, char **tj)
{
    *aj = json_dumps(r->actions, JSON_COMPACT);
    *tj = json_dumps(r->triggers, JSON_COMPACT);
    db_bind_text(s, 1, r->name);
    db_bind_text(s, 2, r->description ? r->description : "");
    db_bind_text(s, 3, r->when);
    db_bind_text(s, 4, *aj);
    db_bind_text(s, 5, *tj);
    db_bind_text(s, 6, r->scope_kind);
    if (r->scope_id)
        db_bind_int64(s, 7, r->scope_id);
    else
        db_bind_null(s, 7);
    db_bind_int64(s, 8, r->priority);
    db_bind_text(s, 9, r->mode);
    db_bind_int64(s, 10, r->enabled);
    db_bind_int64(s, 11, c->now);
}

/* Every export action names a template that exists (a rule naming none would queue its applications
 * for an export refused again and again; a template deleted later still is: docs/automation.md). */
static int templates_exist(struct svc_ctx *c, json_t *actions)
{
    size_t i;
    json_t *a;
    json_array_foreach(actions, i, a)
    {
        const char *type = json_string_value(json_object_get(a, "type"));
        if (!type || strcmp(type, "export") != 0)
            continue;
        char field[48];
        snprintf(field, sizeof(field), "actions[%d].template", (int)i);
        int rc = svc_export_template_exists_tx(c, json_string_value(json_object_get(a, "template")), field);
        if (rc != 0)
            return rc;
    }
    return 0;
}

static const char *const rule_fields[] = {"name",  "description", "when", "actions", "triggers",
                                          "scope", "priority",    "mode", "enabled", NULL};

int svc_rule_create(struct svc_ctx *c, json_t *in, json_t **out)
{
    struct rule_in r = {.mode = "enforce", .priority = 100, .enabled = 1};
    int rc = jv_known(in, rule_fields, c->e);
    if (rc != 0 || (rc = rule_in_read(c, in, 1, &r)) || (rc = svc_begin(c)))
        goto fail;
    json_t *o = NULL;
    char *aj = NULL, *tj = NULL, by[160];
    actor_label(c->actor, by, sizeof(by));
    struct db_stmt *s;
    if ((rc = scope_read(c, in, &r.scope_kind, &r.scope_id)) || (rc = templates_exist(c, r.actions)) ||
        (rc = svc_prepare(c,
                          "INSERT INTO rule (name, description, when_expr, actions_json, triggers_json, scope_kind, "
                          "scope_id, priority, mode, enabled, updated_at, created_at, created_by) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          &s)))
        goto done;
    rule_bind(c, s, &r, &aj, &tj);
    db_bind_int64(s, 12, c->now);
    db_bind_text(s, 13, by);
    rc = db_step(s, c->e);
    int64_t id = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_reset(s);
    free(aj);
    free(tj);
    if (rc == ERR_CONFLICT) {
        rc = svc_duplicate(c, svc_rule_id_by_name, r.name, "name", "rule name");
        goto done;
    }
    if (rc < 0 || (rc = rule_generation_bump(c)) || (rc = rule_load(c, id, &o)) ||
        (rc = svc_audit(c, "rule.create", "rule", id, NULL, o)) || (rc = svc_event(c, "rule.created", "rule", id, o)) ||
        (rc = svc_commit(c)))
        goto done;
    *out = o;
    o = NULL;
done:
    json_decref(o);
    rule_in_free(&r);
    return svc_end(c, rc);
fail:
    rule_in_free(&r);
    return rc;
}

int svc_rule_update(struct svc_ctx *c, int64_t id, json_t *in, json_t **out)
{
    static const char *const fields[] = {"name",     "description", "when",    "actions", "triggers", "scope",
                                         "priority", "mode",        "enabled", "version", NULL};
    struct rule_in r = {.enabled = -1, .priority = -1};
    int64_t version = 0;
    int has_version, rc = jv_known(in, fields, c->e);
    if (rc != 0 || (rc = jv_int(in, "version", 0, 1, INT64_MAX, &version, &has_version, c->e)) ||
        (rc = rule_in_read(c, in, 0, &r))) {
        rule_in_free(&r);
        return rc;
    }
    json_t *before = NULL, *after = NULL;
    char *aj = NULL, *tj = NULL;
    if ((rc = svc_begin(c)) || (rc = rule_load(c, id, &before)) ||
        (rc = svc_check_version(c, "rule", before, has_version, version)) ||
        (r.actions && (rc = templates_exist(c, r.actions))))
        goto done;
    /* What the request leaves out stays as it was. */
    if (!r.name)
        r.name = json_string_value(json_object_get(before, "name"));
    if (!r.description)
        r.description = json_string_value(json_object_get(before, "description"));
    if (!r.when)
        r.when = json_string_value(json_object_get(before, "when"));
    if (!r.mode)
        r.mode = json_string_value(json_object_get(before, "mode"));
    if (r.priority < 0)
        r.priority = json_integer_value(json_object_get(before, "priority"));
    if (r.enabled < 0)
        r.enabled = json_is_true(json_object_get(before, "enabled"));
    if (!r.actions)
        r.actions = json_incref(json_object_get(before, "actions"));
    if (!r.triggers)
        r.triggers = json_incref(json_object_get(before, "triggers"));
    if (r.has_scope) {
        if ((rc = scope_read(c, in, &r.scope_kind, &r.scope_id)))
            goto done;
    } else {
        r.scope_kind = json_string_value(json_object_get(json_object_get(before, "scope"), "kind"));
        struct db_stmt *q;
        if ((rc = svc_prepare(c, "SELECT COALESCE(scope_id, 0) FROM rule WHERE id = ?", &q)))
            goto done;
        db_bind_int64(q, 1, id);
        rc = db_step(q, c->e);
        r.scope_id = rc == DB_ROW ? db_col_int64(q, 0) : 0;
        db_reset(q);
        if (rc < 0)
            goto done;
    }
    struct db_stmt *s;
    if ((rc = svc_prepare(c,
                          "UPDATE rule SET name = ?, description = ?, when_expr = ?, actions_json = ?, "
                          "triggers_json = ?, scope_kind = ?, scope_id = ?, priority = ?, mode = ?, enabled = ?, "
                          "updated_at = ?, version = version + 1 WHERE id = ? AND version = ? RETURNING id",
                          &s)))
        goto done;
    rule_bind(c, s, &r, &aj, &tj);
    db_bind_int64(s, 12, id);
    db_bind_int64(s, 13, json_integer_value(json_object_get(before, "version")));
    rc = svc_step_versioned(c, s, "rule", id);
    if (rc == ERR_CONFLICT && strcmp(c->e->slug, "duplicate") == 0) {
        rc = svc_duplicate(c, svc_rule_id_by_name, r.name, "name", "rule name");
        goto done;
    }
    if (rc < 0 || (rc = rule_generation_bump(c)) || (rc = rule_load(c, id, &after)) ||
        (rc = svc_audit(c, "rule.update", "rule", id, before, after)) ||
        (rc = svc_event(c, "rule.updated", "rule", id, after)) || (rc = svc_commit(c)))
        goto done;
    *out = after;
    after = NULL;
done:
    free(aj);
    free(tj);
    json_decref(before);
    json_decref(after);
    rule_in_free(&r);
    return svc_end(c, rc);
}

int svc_rule_delete(struct svc_ctx *c, int64_t id)
{
    json_t *before = NULL;
    int rc = svc_begin(c);
    if (rc != 0)
        return rc;
    struct db_stmt *s;
    if ((rc = rule_load(c, id, &before)) || (rc = svc_prepare(c, "DELETE FROM rule WHERE id = ?", &s)))
        goto done;
    db_bind_int64(s, 1, id);
    if ((rc = svc_exec(c, s)) || (rc = rule_generation_bump(c)) ||
        (rc = svc_audit(c, "rule.delete", "rule", id, before, NULL)) ||
        (rc = svc_event(c, "rule.deleted", "rule", id, before)) || (rc = svc_commit(c)))
        goto done;
done:
    json_decref(before);
    return svc_end(c, rc);
}

int svc_rule_check(struct svc_ctx *c, json_t *in, json_t **out)
{
    static const char *const fields[] = {"when", NULL};
    const char *when;
    int rc;
    if ((rc = jv_known(in, fields, c->e)) || (rc = jv_text(in, "when", 1, RULE_SOURCE_MAX, &when, NULL, c->e)))
        return rc;
    struct rule_env *env = rule_env_new();
    struct rule_prog *p = NULL;
    if ((rc = rule_compile_checked(env, when, &p, c->e)) == 0) {
        json_t *paths = json_array();
        for (size_t i = 0; i < rule_env_nslots(env); i++)
            json_array_append_new(paths, json_string(rule_env_path(env, i)));
        *out = json_pack("{s:b,s:o}", "ok", 1, "paths", paths);
    }
    rule_prog_free(p);
    rule_env_free(env);
    return rc;
}

/* fairness.c - adverse-impact reports, voluntary candidate attributes and
 * acknowledgements (svc/fairness.h). Groups are counted in SQL for stored
 * outcomes (the AI recommendation, rules' eliminations) and in memory for
 * a simulation's selection; core/fairness.c judges them. */
#include "svc/fairness.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fairness.h"
#include "svc/org.h"
#include "svc/query.h"
#include "svc/validate.h"
#include "svc/views.h"

#define VALUE_MAX 64
#define LABEL_MAX 64

/* ------------------------------------------------------------------------
 * configuration */

static json_t *attr_row(struct svc_ctx *c, struct db_stmt *s)
{
    (void)c;
    return json_pack("{s:s,s:s,s:s}", "attr", db_col_text(s, 0), "label_zh", db_col_text(s, 1), "label_en",
                     db_col_text(s, 2));
}

static int attrs_load(struct svc_ctx *c, json_t **out)
{
    struct qb q;
    qb_init(&q, "SELECT attr, label_zh, label_en FROM fairness_attribute WHERE 1=1 ORDER BY attr");
    json_t *a = json_array();
    int rc = qb_all(c, &q, attr_row, a);
    if (rc != 0) {
        json_decref(a);
        return rc;
    }
    *out = a;
    return 0;
}

int svc_fairness_config_get(struct svc_ctx *c, json_t **out)
{
    json_t *a = NULL;
    int rc = svc_begin_read(c);
    if (rc == 0 && (rc = attrs_load(c, &a)) == 0)
        *out = json_pack("{s:o}", "attributes", a);
    return svc_end(c, rc);
}

static int attr_key_valid(const char *k)
{
    size_t n = k ? strlen(k) : 0;
    if (n == 0 || n > 32 || k[0] < 'a' || k[0] > 'z')
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '_'))
            return 0;
    return 1;
}

int svc_fairness_config_put(struct svc_ctx *c, json_t *in, json_t **out)
{
    static const char *const fields[] = {"attributes", NULL}, *const afields[] = {"attr", "label_zh", "label_en", NULL};
    json_t *list = json_object_get(in, "attributes"), *a;
    int rc = jv_known(in, fields, c->e);
    if (rc != 0)
        return rc;
    if (!json_is_array(list))
        return err_invalid(c->e, list ? "wrong_type" : "required", "attributes",
                           "attributes is a list of {attr, label_zh, label_en}");
    if (json_array_size(list) > FAIRNESS_ATTRS_MAX)
        return err_invalid(c->e, "too_many", "attributes", "at most %d attributes", FAIRNESS_ATTRS_MAX);
    size_t i, j;
    json_array_foreach(list, i, a)
    {
        const char *k, *zh, *en;
        char f[48];
        snprintf(f, sizeof(f), "attributes[%d]", (int)i);
        if (!json_is_object(a))
            return err_invalid(c->e, "wrong_type", f, "%s must be {attr, label_zh, label_en}", f);
        if ((rc = jv_known(a, afields, c->e)) || (rc = jv_string(a, "attr", 1, 32, &k, NULL, c->e)) ||
            (rc = jv_string(a, "label_zh", 1, LABEL_MAX, &zh, NULL, c->e)) ||
            (rc = jv_string(a, "label_en", 1, LABEL_MAX, &en, NULL, c->e))) {
            char inner[160];
            snprintf(inner, sizeof(inner), "%s.%s", f, c->e->field);
            snprintf(c->e->field, sizeof(c->e->field), "%.63s", inner);
            return rc;
        }
        if (!attr_key_valid(k))
            return err_invalid(c->e, "invalid_value", f, "%s.attr must be [a-z][a-z0-9_]{0,31}", f);
        json_t *b;
        json_array_foreach(list, j, b)
        {
            if (j < i && strcmp(json_string_value(json_object_get(b, "attr")), k) == 0)
                return err_invalid(c->e, "duplicate", f, "%s.attr %s appears twice", f, k);
        }
    }
    json_t *before = NULL, *after = NULL;
    struct db_stmt *s;
    if ((rc = svc_begin(c)) || (rc = attrs_load(c, &before)) ||
        (rc = svc_prepare(c, "DELETE FROM fairness_attribute", &s)))
        goto done;
    if ((rc = svc_exec(c, s)))
        goto done;
    json_array_foreach(list, i, a)
    {
        if ((rc = svc_prepare(c,
                              "INSERT INTO fairness_attribute (attr, label_zh, label_en, created_at) "
                              "VALUES (?, ?, ?, ?)",
                              &s)))
            goto done;
        db_bind_text(s, 1, json_string_value(json_object_get(a, "attr")));
        db_bind_text(s, 2, json_string_value(json_object_get(a, "label_zh")));
        db_bind_text(s, 3, json_string_value(json_object_get(a, "label_en")));
        db_bind_int64(s, 4, c->now);
        if ((rc = svc_exec(c, s)))
            goto done;
    }
    json_t *b = json_pack("{s:O}", "attributes", before), *aa = NULL;
    if ((rc = attrs_load(c, &after)) == 0) {
        aa = json_pack("{s:O}", "attributes", after);
        if ((rc = svc_audit(c, "fairness.configure", "fairness", 0, b, aa)) == 0 && (rc = svc_commit(c)) == 0)
            *out = json_incref(aa);
    }
    json_decref(b);
    json_decref(aa);
done:
    json_decref(before);
    json_decref(after);
    return svc_end(c, rc);
}

/* ------------------------------------------------------------------------
 * candidates' answers */

static int cand_exists(struct svc_ctx *c, int64_t cand)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, "SELECT 1 FROM candidate WHERE id = ?", &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, cand);
    rc = db_step(s, c->e);
    db_reset(s);
    if (rc == DB_DONE)
        return err_set(c->e, ERR_NOT_FOUND, NULL, NULL, "candidate %lld not found", (long long)cand);
    return rc < 0 ? rc : 0;
}

static json_t *answer_row(struct svc_ctx *c, struct db_stmt *s)
{
    (void)c;
    return json_pack("{s:s,s:s,s:o}", "attr", db_col_text(s, 0), "value", db_col_text(s, 1), "given_at",
                     json_time(db_col_int64(s, 2)));
}

static int answers_load(struct svc_ctx *c, int64_t cand, json_t **out)
{
    struct qb q;
    qb_init(&q, "SELECT attr, value, given_at FROM candidate_attribute WHERE candidate_id = ? ORDER BY attr");
    qb_int(&q, cand);
    json_t *rows = json_array(), *r;
    int rc = qb_all(c, &q, answer_row, rows);
    if (rc == 0) {
        *out = json_object();
        size_t i;
        json_array_foreach(rows, i, r)
        {
            json_object_set(*out, json_string_value(json_object_get(r, "attr")), json_object_get(r, "value"));
        }
    }
    json_decref(rows);
    return rc;
}

int svc_candidate_attributes_get(struct svc_ctx *c, int64_t cand, json_t **out)
{
    json_t *a = NULL;
    int rc = svc_begin_read(c);
    if (rc == 0 && (rc = cand_exists(c, cand)) == 0 && (rc = answers_load(c, cand, &a)) == 0)
        *out = json_pack("{s:I,s:o}", "candidate_id", (json_int_t)cand, "attributes", a);
    return svc_end(c, rc);
}

int svc_candidate_attributes_put(struct svc_ctx *c, int64_t cand, json_t *in, json_t **out)
{
    if (!json_is_object(in) || json_object_size(in) == 0)
        return err_invalid(c->e, "wrong_type", "", "the body is an object {attr: value | null}");
    json_t *attrs = NULL, *before = NULL, *after = NULL, *v;
    const char *k;
    int rc = svc_begin(c);
    if (rc != 0)
        return rc;
    if ((rc = cand_exists(c, cand)) || (rc = attrs_load(c, &attrs)) || (rc = answers_load(c, cand, &before)))
        goto done;
    json_object_foreach(in, k, v)
    {
        int known = 0;
        size_t i;
        json_t *a;
        json_array_foreach(attrs, i, a)
        {
            known |= strcmp(json_string_value(json_object_get(a, "attr")), k) == 0;
        }
        if (!known) {
            rc = err_invalid(c->e, "unknown_field", k, "%.40s is not an attribute the company asks for", k);
            goto done;
        }
        const char *val = NULL;
        if (!json_is_null(v) && (rc = jv_string(in, k, 1, VALUE_MAX, &val, NULL, c->e)))
            goto done;
        struct db_stmt *s;
        if ((rc = svc_prepare(c, "DELETE FROM candidate_attribute WHERE candidate_id = ? AND attr = ?", &s)))
            goto done;
        db_bind_int64(s, 1, cand);
        db_bind_text(s, 2, k);
        if ((rc = svc_exec(c, s)))
            goto done;
        if (!val)
            continue;
        if ((rc = svc_prepare(
                 c, "INSERT INTO candidate_attribute (candidate_id, attr, value, given_at) VALUES (?, ?, ?, ?)", &s)))
            goto done;
        db_bind_int64(s, 1, cand);
        db_bind_text(s, 2, k);
        db_bind_text(s, 3, val);
        db_bind_int64(s, 4, c->now);
        if ((rc = svc_exec(c, s)))
            goto done;
    }
    if ((rc = answers_load(c, cand, &after)) ||
        (rc = svc_audit(c, "candidate.attributes", "candidate", cand, before, after)) || (rc = svc_commit(c)))
        goto done;
    *out = json_pack("{s:I,s:O}", "candidate_id", (json_int_t)cand, "attributes", after);
done:
    json_decref(attrs);
    json_decref(before);
    json_decref(after);
    return svc_end(c, rc);
}

/* ------------------------------------------------------------------------
 * reports */

/* Judges groups (value NULL: not given) into a report for attribute a. */
static json_t *report_of(json_t *a, char (*values)[VALUE_MAX * 4 + 1], int *given, struct fairness_group *g, int n)
{
    /* "not given" never counts: judge the answered groups only, then add it back */
    struct fairness_group judged[FAIRNESS_GROUPS_MAX];
    int map[FAIRNESS_GROUPS_MAX], m = 0;
    for (int i = 0; i < n; i++) {
        if (given[i]) {
            judged[m] = g[i];
            map[m++] = i;
        }
    }
    int flagged = fairness_judge(judged, m);
    json_t *groups = json_array();
    for (int k = 0; k < m; k++)
        g[map[k]] = judged[k];
    for (int i = 0; i < n; i++)
        if (!given[i])
            g[i].rate = g[i].total > 0 ? (double)g[i].selected / (double)g[i].total : 0;
    for (int i = 0; i < n; i++) {
        int ok = given[i] && g[i].ratio >= 0;
        json_array_append_new(groups,
                              json_pack("{s:s?,s:I,s:I,s:f,s:o,s:b}", "value", given[i] ? values[i] : NULL, "total",
                                        (json_int_t)g[i].total, "selected", (json_int_t)g[i].selected, "rate",
                                        g[i].rate, "impact_ratio", ok ? json_real(g[i].ratio) : json_null(), "flagged",
                                        given[i] && g[i].flagged));
    }
    return json_pack("{s:O,s:O,s:O,s:o,s:b}", "attr", json_object_get(a, "attr"), "label_zh",
                     json_object_get(a, "label_zh"), "label_en", json_object_get(a, "label_en"), "groups", groups,
                     "flagged", flagged > 0);
}

/* Counts groups of attribute attr with sql (binds: attr, then one integer each of ints, n_ints; columns value
 * (NULL: not given), total, selected) and judges them. */
static int report_sql(struct svc_ctx *c, json_t *a, const char *sql, const int64_t *ints, int n_ints, json_t **out)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, sql, &s);
    if (rc != 0)
        return rc;
    db_bind_text(s, 1, json_string_value(json_object_get(a, "attr")));
    for (int i = 0; i < n_ints; i++)
        db_bind_int64(s, i + 2, ints[i]);
    static __thread char values[FAIRNESS_GROUPS_MAX][VALUE_MAX * 4 + 1];
    int given[FAIRNESS_GROUPS_MAX];
    struct fairness_group g[FAIRNESS_GROUPS_MAX];
    int n = 0;
    while ((rc = db_step(s, c->e)) == DB_ROW) {
        if (n == FAIRNESS_GROUPS_MAX)
            continue;
        given[n] = !db_col_isnull(s, 0);
        snprintf(values[n], sizeof(values[n]), "%s", given[n] ? db_col_text(s, 0) : "");
        g[n] = (struct fairness_group){.total = db_col_int64(s, 1), .selected = db_col_int64(s, 2)};
        n++;
    }
    db_reset(s);
    if (rc < 0)
        return rc;
    *out = report_of(a, values, given, g, n);
    return 0;
}

#define GROUPED(selected_expr, join)                                                                                   \
    "SELECT ca.value, COUNT(*), SUM(CASE WHEN " selected_expr " THEN 1 ELSE 0 END) FROM application a "                \
    "LEFT JOIN candidate_attribute ca ON ca.candidate_id = a.candidate_id AND ca.attr = ? " join                       \
    " WHERE a.position_id = ? AND a.result_id IS NOT NULL GROUP BY ca.value ORDER BY ca.value"

/* binds: attr, position */
#define AI_SQL GROUPED("a.recommendation IS NULL OR a.recommendation <> 'not_recommended'", "")
/* binds: attr, rule id, position */
#define RULE_SQL                                                                                                       \
    GROUPED("fx.application_id IS NULL", "LEFT JOIN (SELECT DISTINCT application_id FROM rule_firing "                 \
                                         "WHERE rule_id = ? AND mode = 'enforce') fx ON fx.application_id = a.id")

/* Reports per attribute for one outcome; *flagged |= any flag. */
static int reports(struct svc_ctx *c, json_t *attrs, const char *sql, const int64_t *ints, int n, int *flagged,
                   json_t **out)
{
    json_t *list = json_array(), *a, *r;
    size_t i;
    int rc = 0;
    json_array_foreach(attrs, i, a)
    {
        if ((rc = report_sql(c, a, sql, ints, n, &r)) != 0)
            break;
        *flagged |= json_is_true(json_object_get(r, "flagged"));
        json_array_append_new(list, r);
    }
    if (rc != 0) {
        json_decref(list);
        return rc;
    }
    *out = list;
    return 0;
}

/* The position's report; *flagged says whether anything is flagged. */
static int position_report(struct svc_ctx *c, int64_t pos, json_t **out, int *flagged)
{
    json_t *attrs = NULL, *ai = NULL, *rules = json_array();
    *flagged = 0;
    int rc = attrs_load(c, &attrs);
    if (rc == 0) {
        int64_t ints[2] = {pos, 0};
        rc = reports(c, attrs, AI_SQL, ints, 1, flagged, &ai);
    }
    /* every rule that eliminated in this position */
    struct db_stmt *s;
    json_t *ids = json_array(), *v;
    if (rc == 0 && (rc = svc_prepare(c,
                                     "SELECT DISTINCT f.rule_id, f.rule_name FROM rule_firing f JOIN application a ON "
                                     "a.id = f.application_id WHERE a.position_id = ? AND f.mode = 'enforce' AND "
                                     "f.actions_json LIKE '%\"eliminate\"%' ORDER BY f.rule_id",
                                     &s)) == 0) {
        db_bind_int64(s, 1, pos);
        while ((rc = db_step(s, c->e)) == DB_ROW)
            json_array_append_new(
                ids, json_pack("{s:I,s:s}", "rule_id", (json_int_t)db_col_int64(s, 0), "rule", db_col_text(s, 1)));
        db_reset(s);
        rc = rc < 0 ? rc : 0;
    }
    size_t i;
    json_array_foreach(ids, i, v)
    {
        if (rc != 0)
            break;
        int64_t ints[2] = {json_integer_value(json_object_get(v, "rule_id")), pos};
        json_t *r = NULL;
        if ((rc = reports(c, attrs, RULE_SQL, ints, 2, flagged, &r)) == 0) {
            json_object_set_new(v, "attributes", r);
            json_array_append(rules, v);
        }
    }
    if (rc == 0)
        *out = json_pack("{s:{s:s,s:s,s:O},s:O}", "ai_recommendation", "selected_means",
                         "the AI did not say not_recommended", "selected_means_code", "not_not_recommended",
                         "attributes", ai, "rules", rules);
    json_decref(ids);
    json_decref(attrs);
    json_decref(ai);
    json_decref(rules);
    return rc;
}

/* The latest acknowledgement of pos ({id, reason, created_at, created_by}) and whether it covers the latest
 * elimination. */
static int ack_state(struct svc_ctx *c, int64_t pos, json_t **ack, int *covers)
{
    struct db_stmt *s;
    *ack = NULL;
    *covers = 0;
    int rc =
        svc_prepare(c,
                    "SELECT f.id, f.reason, f.created_at, f.created_by, (SELECT COALESCE(MAX(stage_changed_at), 0) "
                    "FROM application WHERE position_id = ? AND stage IN ('eliminated_pending_review', "
                    "'eliminated_pending_export')) FROM fairness_ack f WHERE f.position_id = ? "
                    "ORDER BY f.id DESC LIMIT 1",
                    &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, pos);
    db_bind_int64(s, 2, pos);
    rc = db_step(s, c->e);
    if (rc == DB_ROW) {
        *ack = json_pack("{s:I,s:s,s:o,s:s}", "id", (json_int_t)db_col_int64(s, 0), "reason", db_col_text(s, 1),
                         "created_at", json_time(db_col_int64(s, 2)), "created_by", db_col_text(s, 3));
        *covers = db_col_int64(s, 2) >= db_col_int64(s, 4);
    }
    db_reset(s);
    return rc < 0 ? rc : 0;
}

static int position_of(struct svc_ctx *c, const char *code, int64_t *pos)
{
    int rc = svc_position_id_by_code(c, code, pos);
    if (rc == ERR_NOT_FOUND) {
        err_clear(c->e);
        rc = err_invalid(c->e, "invalid_reference", "position", "no position with code %.64s", code);
    }
    return rc;
}

int svc_fairness_report(struct svc_ctx *c, json_t *query, json_t **out)
{
    static const char *const params[] = {"position", NULL};
    int rc = jq_known(query, params, c->e);
    if (rc != 0)
        return rc;
    const char *code = q_str(query, "position");
    if (!code)
        return err_invalid(c->e, "required", "position", "position (a code) is required");
    int64_t pos = 0;
    int flagged = 0, covers = 0;
    json_t *r = NULL, *ack = NULL;
    if ((rc = svc_begin_read(c)) || (rc = position_of(c, code, &pos)) || (rc = position_report(c, pos, &r, &flagged)) ||
        (rc = ack_state(c, pos, &ack, &covers)))
        goto done;
    json_object_set_new(r, "position", json_string(code));
    json_object_set_new(r, "flagged", json_boolean(flagged));
    json_object_set_new(r, "acknowledged", json_boolean(flagged && covers));
    json_object_set_new(r, "acknowledgement", ack ? json_incref(ack) : json_null());
    *out = r;
    r = NULL;
done:
    json_decref(r);
    json_decref(ack);
    return svc_end(c, rc);
}

int svc_fairness_acknowledge(struct svc_ctx *c, json_t *in, json_t **out)
{
    static const char *const fields[] = {"position", "reason", NULL};
    const char *code, *reason;
    int rc;
    if ((rc = jv_known(in, fields, c->e)) || (rc = jv_code(in, "position", 1, &code, c->e)) ||
        (rc = jv_text(in, "reason", 1, 2000, &reason, NULL, c->e)))
        return rc;
    int64_t pos = 0, id = 0;
    int flagged = 0;
    json_t *r = NULL, *rec = NULL;
    char by[160], *rj = NULL;
    actor_label(c->actor, by, sizeof(by));
    if ((rc = svc_begin(c)) || (rc = position_of(c, code, &pos)) || (rc = position_report(c, pos, &r, &flagged)))
        goto done;
    if (!flagged) {
        rc = err_set(c->e, ERR_CONFLICT, "not_flagged", "position",
                     "nothing is flagged for position %.64s; there is nothing to acknowledge", code);
        goto done;
    }
    rj = json_dumps(r, JSON_COMPACT);
    struct db_stmt *s;
    if ((rc = svc_prepare(c,
                          "INSERT INTO fairness_ack (position_id, reason, report_json, through, created_at, "
                          "created_by) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                          &s)))
        goto done;
    db_bind_int64(s, 1, pos);
    db_bind_text(s, 2, reason);
    db_bind_text(s, 3, rj ? rj : "{}");
    db_bind_int64(s, 4, c->now);
    db_bind_int64(s, 5, c->now);
    db_bind_text(s, 6, by);
    rc = db_step(s, c->e);
    id = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_reset(s);
    if (rc < 0)
        goto done;
    rec = json_pack("{s:I,s:s,s:s,s:O,s:o,s:s}", "id", (json_int_t)id, "position", code, "reason", reason, "report", r,
                    "created_at", json_time(c->now), "created_by", by);
    if ((rc = svc_audit(c, "fairness.acknowledge", "position", pos, NULL, rec)) ||
        (rc = svc_event(c, "fairness.acknowledged", "position", pos, rec)) || (rc = svc_commit(c)))
        goto done;
    *out = rec;
    rec = NULL;
done:
    free(rj);
    json_decref(r);
    json_decref(rec);
    return svc_end(c, rc);
}

int svc_fairness_export_check_tx(struct svc_ctx *c, int64_t pos)
{
    json_t *r = NULL, *ack = NULL;
    int flagged = 0, covers = 0;
    int rc = position_report(c, pos, &r, &flagged);
    if (rc == 0 && flagged)
        rc = ack_state(c, pos, &ack, &covers);
    if (rc == 0 && flagged && !covers) {
        char code[80] = "";
        struct db_stmt *s;
        if ((rc = svc_prepare(c, "SELECT code FROM position WHERE id = ?", &s)) == 0) {
            db_bind_int64(s, 1, pos);
            if ((rc = db_step(s, c->e)) == DB_ROW)
                snprintf(code, sizeof(code), "%s", db_col_text(s, 0));
            db_reset(s);
        }
        if (rc >= 0)
            rc = err_set(c->e, ERR_CONFLICT, "fairness_unacknowledged", "position",
                         "the fairness check flags position %s (an impact ratio below 0.8); an hr or admin user must "
                         "acknowledge it with a reason before its eliminations are exported",
                         code);
    }
    json_decref(r);
    json_decref(ack);
    return rc;
}

int svc_fairness_of_selection_tx(struct svc_ctx *c, json_t *selection, json_t **out)
{
    json_t *attrs = NULL, *a, *list = json_array();
    int rc = attrs_load(c, &attrs);
    size_t i;
    json_array_foreach(attrs, i, a)
    {
        if (rc != 0)
            break;
        /* candidate id -> answer, then groups by answer */
        json_t *answers = json_object(), *groups = json_object(), *v;
        struct db_stmt *s;
        if ((rc = svc_prepare(c, "SELECT candidate_id, value FROM candidate_attribute WHERE attr = ?", &s)) == 0) {
            db_bind_text(s, 1, json_string_value(json_object_get(a, "attr")));
            char key[24];
            while ((rc = db_step(s, c->e)) == DB_ROW) {
                snprintf(key, sizeof(key), "%lld", (long long)db_col_int64(s, 0));
                json_object_set_new(answers, key, json_string(db_col_text(s, 1)));
            }
            db_reset(s);
            rc = rc < 0 ? rc : 0;
        }
        size_t k;
        json_array_foreach(selection, k, v)
        {
            char key[24];
            snprintf(key, sizeof(key), "%lld", (long long)json_integer_value(json_object_get(v, "candidate_id")));
            const char *val = json_string_value(json_object_get(answers, key));
            const char *gk = val ? val : "";
            json_t *cnt = json_object_get(groups, gk);
            if (!cnt && json_object_size(groups) < FAIRNESS_GROUPS_MAX) {
                cnt = json_pack("[i,i]", 0, 0);
                json_object_set_new(groups, gk, cnt);
            }
            if (!cnt)
                continue;
            json_array_set_new(cnt, 0, json_integer(json_integer_value(json_array_get(cnt, 0)) + 1));
            if (json_is_true(json_object_get(v, "selected")))
                json_array_set_new(cnt, 1, json_integer(json_integer_value(json_array_get(cnt, 1)) + 1));
        }
        static __thread char values[FAIRNESS_GROUPS_MAX][VALUE_MAX * 4 + 1];
        int given[FAIRNESS_GROUPS_MAX], n = 0;
        struct fairness_group g[FAIRNESS_GROUPS_MAX];
        const char *gk;
        json_object_foreach(groups, gk, v)
        {
            given[n] = *gk != '\0';
            snprintf(values[n], sizeof(values[n]), "%s", gk);
            g[n] = (struct fairness_group){.total = json_integer_value(json_array_get(v, 0)),
                                           .selected = json_integer_value(json_array_get(v, 1))};
            n++;
        }
        if (rc == 0)
            json_array_append_new(list, report_of(a, values, given, g, n));
        json_decref(answers);
        json_decref(groups);
    }
    json_decref(attrs);
    if (rc != 0) {
        json_decref(list);
        return rc;
    }
    *out = list;
    return 0;
}

/* exports_filter.c - which applications an export takes: the application
 * list's filters (svc_application_list in svc/applications.h), read with the
 * same validators from svc/query.h and turned into the same SQL terms, over
 * the same joins (application a, position p, org_unit o).
 *
 * The list keeps its filter reading and SQL static in applications.c; until
 * it exposes them (one function appending its terms to a struct qb), this
 * file mirrors them term for term. */
#include <stdio.h>
#include <string.h>

#include "core/pipeline.h"
#include "lib/timeutil.h"
#include "svc/exports_impl.h"
#include "svc/validate.h"

#define MAX_DIM_FILTERS 8 /* as the list */

static const char *const filter_keys[] = {"stage",       "position",  "position_id",    "candidate_id",
                                          "department",  "org_unit",  "talent_pool",    "recommendation",
                                          "has_result",  "unviewed",  "received_since", "overall_gte",
                                          "overall_lte", "match_gte", "match_lte",      NULL};

static int known_key(const char *k)
{
    for (const char *const *a = filter_keys; *a; a++)
        if (strcmp(*a, k) == 0)
            return 1;
    return strncmp(k, "dim.", 4) == 0;
}

/* Puts prefix in front of e->field ("stage" -> "filter.stage"). */
static int prefixed(struct err *e, const char *prefix, int rc)
{
    char f[sizeof(e->field)];
    snprintf(f, sizeof(f), "%s%s%.40s", prefix, e->field[0] ? "." : "", e->field);
    snprintf(e->field, sizeof(e->field), "%s", f);
    return rc;
}

/* A score range parameter's value: digits (with decimals for match) 0..100. */
static int check_score(const char *k, const char *v, struct err *e)
{
    double x;
    int fraction = strncmp(k, "match_", 6) == 0;
    return q_score(k, v, fraction, &x, e);
}

/* Validates one normalised parameter as the list does. */
static int check_param(const char *k, const char *v, int *ndims, char dims[][33], struct err *e)
{
    static const char *const recs[] = {"recommend", "re_interview", "not_recommended", NULL};
    json_t *one = json_pack("{s:s}", k, v);
    int64_t id;
    int b, rc = 0;
    if (strcmp(k, "stage") == 0) {
        if (stage_parse(v) == STAGE_NONE)
            rc = err_set(e, ERR_INVALID, NULL, k, "unknown stage %.48s", v);
    } else if (strcmp(k, "position_id") == 0 || strcmp(k, "candidate_id") == 0) {
        rc = q_id(one, k, &id, e);
    } else if (strcmp(k, "talent_pool") == 0 || strcmp(k, "has_result") == 0 || strcmp(k, "unviewed") == 0) {
        rc = q_bool(one, k, &b, e);
    } else if (strcmp(k, "recommendation") == 0) {
        const char *const *r = recs;
        while (*r && strcmp(*r, v) != 0)
            r++;
        if (!*r)
            rc = err_set(e, ERR_INVALID, NULL, k, "recommendation must be recommend, re_interview or not_recommended");
    } else if (strcmp(k, "received_since") == 0) {
        int64_t ms;
        if (time_parse_rfc3339(v, &ms) != 0)
            rc = err_set(e, ERR_INVALID, NULL, k,
                         "received_since must be an RFC 3339 time such as 2026-11-20T09:30:00Z");
    } else if (strncmp(k, "overall_", 8) == 0 || strncmp(k, "match_", 6) == 0) {
        rc = check_score(k, v, e);
    } else if (strncmp(k, "dim.", 4) == 0) {
        char key[33];
        int upper, i;
        if (q_range_param(k, "dim.", key, &upper) != 0) {
            rc = err_set(e, ERR_INVALID, NULL, k,
                         "%.64s: a dimension filter is dim.<key>_gte or dim.<key>_lte, the key 1-32 characters of "
                         "a-z, 0-9 and '_' starting with a letter",
                         k);
        } else if ((rc = check_score(k, v, e)) == 0) {
            for (i = 0; i < *ndims && strcmp(dims[i], key) != 0; i++)
                ;
            if (i == *ndims) {
                if (*ndims == MAX_DIM_FILTERS)
                    rc = err_set(e, ERR_INVALID, "too_many", k, "at most %d dimensions can be filtered on at once",
                                 MAX_DIM_FILTERS);
                else
                    snprintf(dims[(*ndims)++], 33, "%s", key);
            }
        }
    } else if (!*v || strlen(v) > 64) {
        rc = err_set(e, ERR_INVALID, NULL, k, "%s must be a code of 1 to 64 characters", k);
    }
    json_decref(one);
    return rc;
}

int xfilter_normalise(struct svc_ctx *c, json_t *filter, const char *prefix, json_t **out)
{
    *out = NULL;
    if (filter && !json_is_null(filter) && !json_is_object(filter))
        return err_set(c->e, ERR_INVALID, "wrong_type", prefix, "%s must be an object of list filters", prefix);
    json_t *q = json_object();
    const char *k;
    json_t *v;
    char dims[MAX_DIM_FILTERS][33];
    int ndims = 0, rc = 0;
    if (json_is_object(filter)) {
        json_object_foreach(filter, k, v)
        {
            char buf[64];
            const char *s = NULL;
            if (!known_key(k)) {
                rc = err_set(c->e, ERR_INVALID, "unknown_field", k, "unknown filter %.64s", k);
            } else if (json_is_string(v)) {
                s = json_string_value(v);
            } else if (json_is_integer(v)) {
                snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(v));
                s = buf;
            } else if (json_is_real(v)) {
                snprintf(buf, sizeof(buf), "%.6f", json_real_value(v));
                char *z = buf + strlen(buf); /* 69.500000 -> 69.5, 70.000000 -> 70 */
                while (z[-1] == '0')
                    *--z = '\0';
                if (z[-1] == '.')
                    z[-1] = '\0';
                s = buf;
            } else if (json_is_boolean(v)) {
                s = json_is_true(v) ? "true" : "false";
            } else if (!json_is_null(v)) {
                rc = err_set(c->e, ERR_INVALID, "wrong_type", k, "%.64s must be a string, a number or a boolean", k);
            }
            if (rc == 0 && s)
                rc = check_param(k, s, &ndims, dims, c->e);
            if (rc != 0)
                break;
            if (s)
                json_object_set_new(q, k, json_string(s));
        }
    }
    if (rc == 0 && json_object_get(q, "department") && json_object_get(q, "org_unit"))
        rc = err_set(c->e, ERR_INVALID, NULL, "org_unit", "give department or org_unit (its old name), not both");
    if (rc != 0) {
        json_decref(q);
        return prefixed(c->e, prefix, rc);
    }
    if (!json_object_get(q, "stage"))
        json_object_set_new(q, "stage", json_string(stage_name(STAGE_ELIMINATED_PENDING_EXPORT)));
    *out = q;
    return 0;
}

/* Appends " AND <col> BETWEEN ? AND ?" for the range parameters name_gte / name_lte. */
static void range_term(struct qb *q, json_t *query, const char *name, const char *col, int real)
{
    char p[48];
    snprintf(p, sizeof(p), "%s_gte", name);
    const char *lo = q_str(query, p);
    snprintf(p, sizeof(p), "%s_lte", name);
    const char *hi = q_str(query, p);
    if (!lo && !hi)
        return;
    double l = 0, h = 100;
    struct err ignored = {0};
    if (lo)
        q_score(name, lo, real, &l, &ignored);
    if (hi)
        q_score(name, hi, real, &h, &ignored);
    char buf[96];
    snprintf(buf, sizeof(buf), " AND %s BETWEEN ? AND ?", col);
    qb_sql(q, buf);
    if (real) {
        qb_real(q, l);
        qb_real(q, h);
    } else {
        qb_int(q, (int64_t)l);
        qb_int(q, (int64_t)h);
    }
}

int xfilter_where(struct svc_ctx *c, json_t *query, struct qb *q)
{
    const char *s;
    int64_t v;
    int b;
    struct err ignored = {0};
    if ((s = q_str(query, "stage"))) {
        qb_sql(q, " AND a.stage = ?");
        qb_text(q, s);
    }
    if ((s = q_str(query, "position"))) {
        qb_sql(q, " AND a.position_id = (SELECT id FROM position WHERE code = ?)");
        qb_text(q, s);
    }
    if (q_id(query, "position_id", &v, &ignored) == 0 && v) {
        qb_sql(q, " AND a.position_id = ?");
        qb_int(q, v);
    }
    if (q_id(query, "candidate_id", &v, &ignored) == 0 && v) {
        qb_sql(q, " AND a.candidate_id = ?");
        qb_int(q, v);
    }
    if ((s = q_str(query, "department")) || (s = q_str(query, "org_unit"))) {
        qb_sql(q, " AND o.path LIKE (SELECT path FROM org_unit WHERE code = ?) || '%'");
        qb_text(q, s);
    }
    if (q_bool(query, "talent_pool", &b, &ignored) == 0 && b >= 0) {
        qb_sql(q, " AND a.talent_pool = ?");
        qb_int(q, b);
    }
    if ((s = q_str(query, "recommendation"))) {
        qb_sql(q, " AND a.recommendation = ?");
        qb_text(q, s);
    }
    if (q_bool(query, "has_result", &b, &ignored) == 0 && b >= 0)
        qb_sql(q, b ? " AND a.result_id IS NOT NULL" : " AND a.result_id IS NULL");
    if (q_bool(query, "unviewed", &b, &ignored) == 0 && b >= 0) {
        qb_sql(q, b ? " AND a.result_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM result_view rv WHERE "
                      "rv.user_id = ? AND rv.application_id = a.id AND rv.last_at >= a.result_at)"
                    : " AND a.result_id IS NOT NULL AND EXISTS (SELECT 1 FROM result_view rv WHERE "
                      "rv.user_id = ? AND rv.application_id = a.id AND rv.last_at >= a.result_at)");
        qb_int(q, c->actor->user_id);
    }
    if ((s = q_str(query, "received_since")) && time_parse_rfc3339(s, &v) == 0) {
        qb_sql(q, " AND a.result_at >= ?");
        qb_int(q, v);
    }
    range_term(q, query, "overall", "a.overall", 0);
    range_term(q, query, "match", "a.match_score", 1);
    /* dimension ranges: each key once, lower and upper bound together */
    const char *k;
    json_t *val;
    char done[MAX_DIM_FILTERS][33];
    int ndone = 0;
    json_object_foreach(query, k, val)
    {
        char key[33];
        int upper, i;
        if (strncmp(k, "dim.", 4) != 0 || q_range_param(k, "dim.", key, &upper) != 0)
            continue;
        for (i = 0; i < ndone && strcmp(done[i], key) != 0; i++)
            ;
        if (i < ndone || ndone == MAX_DIM_FILTERS)
            continue;
        snprintf(done[ndone++], 33, "%s", key);
        char p[48];
        double lo = 0, hi = 100;
        snprintf(p, sizeof(p), "dim.%s_gte", key);
        if ((s = q_str(query, p)))
            q_score(p, s, 0, &lo, &ignored);
        snprintf(p, sizeof(p), "dim.%s_lte", key);
        if ((s = q_str(query, p)))
            q_score(p, s, 0, &hi, &ignored);
        qb_sql(q, " AND EXISTS (SELECT 1 FROM ai_dim d WHERE d.application_id = a.id AND d.dim = ? AND "
                  "d.score BETWEEN ? AND ?)");
        qb_text_copy(q, key);
        qb_int(q, (int64_t)lo);
        qb_int(q, (int64_t)hi);
    }
    qb_scope_application_at(q, c->actor, "a.id", "o.path");
    return 0;
}

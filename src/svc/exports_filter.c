/* exports_filter.c - which applications an export takes: the application
 * list's filters, given as a JSON object of strings, numbers or booleans,
 * normalised to the list's query strings and then read, validated and turned
 * into SQL by the list itself (svc_app_filter_check / svc_app_filter_where in
 * svc/applications.h), over the same joins (application a, position p,
 * org_unit o). */
#include <stdio.h>
#include <string.h>

#include "core/pipeline.h"
#include "svc/applications.h"
#include "svc/exports_impl.h"
#include "svc/validate.h"

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
/* A code-valued filter (position, department) is 1 to 64 characters. */
static int check_code(const char *k, const char *v, struct err *e)
{
    if ((strcmp(k, "position") == 0 || strcmp(k, "department") == 0 || strcmp(k, "org_unit") == 0) &&
        (!*v || strlen(v) > 64))
        return err_set(e, ERR_INVALID, NULL, k, "%s must be a code of 1 to 64 characters", k);
    return 0;
}

int xfilter_normalise(struct svc_ctx *c, json_t *filter, const char *prefix, json_t **out)
{
    *out = NULL;
    if (filter && !json_is_null(filter) && !json_is_object(filter))
        return err_set(c->e, ERR_INVALID, "wrong_type", prefix, "%s must be an object of list filters", prefix);
    json_t *q = json_object();
    const char *k;
    json_t *v;
    int rc = 0;
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
                rc = check_code(k, s, c->e);
            if (rc != 0)
                break;
            if (s)
                json_object_set_new(q, k, json_string(s));
        }
    }
    if (rc == 0) /* the list's own rules */
        rc = svc_app_filter_check(c, q);
    if (rc != 0) {
        json_decref(q);
        return prefixed(c->e, prefix, rc);
    }
    if (!json_object_get(q, "stage"))
        json_object_set_new(q, "stage", json_string(stage_name(STAGE_ELIMINATED_PENDING_EXPORT)));
    *out = q;
    return 0;
}

int xfilter_where(struct svc_ctx *c, json_t *query, struct qb *q)
{
    return svc_app_filter_where(c, query, q);
}

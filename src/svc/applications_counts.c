/* applications_counts.c - how many applications match the list's filters, grouped by stage,
 * position, department, recommendation or reason (GET /application-counts, `talentd counts`): from
 * the counters (app_count, migration 012) when they cover the grouping and the filters, otherwise
 * counted under the same filters as the list (applications_query.c). */
#include "svc/applications.h"

#include <string.h>

#include "svc/applications_impl.h"
#include "svc/query.h"

/* What counts can be grouped by: the name, the column, whether it needs the position and org unit, and
 * the column in the counters (app_count c, migration 012; NULL: they do not hold it). app_count.reason is
 * '' for no reason and '+' followed by the reason otherwise. */
static const struct count_key {
    const char *name, *expr;
    int joins;
    const char *counted;
} count_keys[] = {
    {"stage", "a.stage", 0, "c.stage"},
    {"position", "p.code", 1, "p.code"},
    {"department", "o.code", 1, "o.code"},
    {"recommendation", "a.recommendation", 0, NULL},
    {"reason", "a.elimination_reason", 0, "CASE WHEN c.reason = '' THEN NULL ELSE substr(c.reason, 2) END"},
};
#define N_COUNT_KEYS ((int)(sizeof(count_keys) / sizeof(count_keys[0])))

/* Reads query "by" (a comma list of count_keys' names, default "stage") into keys. */
static int count_by(struct svc_ctx *c, const char *by, const struct count_key *keys[], int *n)
{
    *n = 0;
    char buf[128];
    snprintf(buf, sizeof(buf), "%s", by ? by : "stage");
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int k = 0;
        while (k < N_COUNT_KEYS && strcmp(count_keys[k].name, t) != 0)
            k++;
        if (k == N_COUNT_KEYS || *n == N_COUNT_KEYS)
            return err_invalid(c->e, "invalid_value", "by",
                               "by is a comma list of stage, position, department, recommendation, reason");
        for (int i = 0; i < *n; i++)
            if (keys[i] == &count_keys[k])
                return err_invalid(c->e, "invalid_value", "by", "by names %s twice", t);
        keys[(*n)++] = &count_keys[k];
    }
    return *n ? 0 : err_invalid(c->e, "invalid_value", "by", "by names nothing to count by");
}

/* Whether the counters answer the counts (counts_query): grouped by what they hold and filtered on no more
 * than the stage and the position (pos_terms), for a caller who sees whole positions. */
static int counters_cover(const struct svc_ctx *c, const struct app_filter *f, const struct count_key *keys[], int n)
{
    if (c->actor->role == ROLE_INTERVIEWER || f->ndims || f->candidate_id || f->pool >= 0 || f->rec ||
        f->has_result >= 0 || f->unviewed >= 0 || f->since != INT64_MIN || f->overall.on || f->match.on)
        return 0;
    for (int i = 0; i < n; i++)
        if (!keys[i]->counted)
            return 0;
    return 1;
}

/* The counts query into qb: from the counters app_count (kept by triggers on every write of an
 * application: a few rows per position and stage instead of a scan of the applications) when
 * counters_cover, else a GROUP BY of the applications. Both give the same rows in the same order. */
static void counts_query(struct svc_ctx *c, const struct app_filter *f, const struct count_key *keys[], int n,
                         struct qb *qb)
{
    int counters = counters_cover(c, f, keys, n);
    /* The position and org unit are joined only where something needs them: a full count stays one scan. */
    int joins = f->org || c->actor->role == ROLE_MANAGER;
    for (int i = 0; i < n; i++)
        joins |= keys[i]->joins;
    char expr[512];
    size_t len = 0;
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(expr + len, sizeof(expr) - len, "%s%s", i ? ", " : "",
                                counters ? keys[i]->counted : keys[i]->expr);
    qb_init(qb, "SELECT ");
    qb_sql(qb, expr);
    if (counters) {
        qb_sql(qb, joins ? ", CAST(SUM(c.n) AS BIGINT) FROM app_count c JOIN position p ON p.id = c.position_id "
                           "JOIN org_unit o ON o.id = p.org_unit_id WHERE 1=1"
                         : ", CAST(SUM(c.n) AS BIGINT) FROM app_count c WHERE 1=1");
        if (f->stage) {
            qb_sql(qb, " AND c.stage = ?");
            qb_text(qb, f->stage);
        }
        pos_terms(c, qb, f, "c.position_id");
    } else {
        qb_sql(qb, joins ? ", COUNT(*) FROM application a JOIN position p ON p.id = a.position_id JOIN org_unit o ON "
                           "o.id = p.org_unit_id WHERE 1=1"
                         : ", COUNT(*) FROM application a WHERE 1=1");
        app_where(c, qb, f, 0);
    }
    qb_sql(qb, " GROUP BY ");
    qb_sql(qb, expr);
    if (counters) /* (counters of positions and stages left empty stay behind as zeros) */
        qb_sql(qb, " HAVING SUM(c.n) > 0");
    qb_sql(qb, " ORDER BY ");
    qb_sql(qb, expr);
}

int svc_application_counts(struct svc_ctx *c, json_t *query, json_t **out)
{
    json_t *q = json_deep_copy(query ? query : json_object());
    const char *by_s = q_str(q, "by");
    char by[128];
    snprintf(by, sizeof(by), "%s", by_s ? by_s : "stage");
    json_object_del(q, "by");
    const struct count_key *keys[N_COUNT_KEYS];
    struct app_filter f;
    int n = 0, rc = count_by(c, by, keys, &n);
    if (rc == 0 && (rc = filter_params(c, q, &f)) == 0 &&
        (json_object_get(q, "sort") || json_object_get(q, "limit") || json_object_get(q, "cursor")))
        rc = err_set(c->e, ERR_MALFORMED, "unknown_parameter", NULL, "counts take no sort, limit or cursor");
    if (rc != 0) {
        json_decref(q);
        return rc;
    }
    /* The filters point into q: it lives until the query has run. */
    struct qb qb;
    counts_query(c, &f, keys, n, &qb);
    json_t *items = json_array();
    int64_t total = 0;
    struct db_stmt *s;
    if ((rc = svc_begin_read(c)) == 0 && (rc = qb_prepare(c, &qb, &s)) == 0) {
        while ((rc = db_step(s, c->e)) == DB_ROW) {
            json_t *it = json_object();
            for (int i = 0; i < n; i++)
                json_object_set_new(it, keys[i]->name,
                                    db_col_isnull(s, i) ? json_null() : json_string(db_col_text(s, i)));
            int64_t k = db_col_int64(s, n);
            json_object_set_new(it, "count", json_integer(k));
            total += k;
            json_array_append_new(items, it);
        }
        db_reset(s);
        rc = rc < 0 ? rc : 0;
    }
    rc = svc_end(c, rc);
    json_decref(q);
    if (rc == 0)
        *out = json_pack("{s:s,s:o,s:I}", "by", by, "items", items, "total", (json_int_t)total);
    else
        json_decref(items);
    return rc;
}

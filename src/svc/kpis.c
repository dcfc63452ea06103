/* kpis.c - the pipeline's figures over a period (svc/kpis.h): one pass over the applications
 * exported in it (the stage index, then each one's history and export through their own indexes),
 * the times collected and sorted here for the percentiles, which SQLite cannot take. */
#include "svc/kpis.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"
#include "lib/timeutil.h"
#include "svc/query.h"
#include "svc/validate.h"
#include "svc/views.h"

#define KPI_DEFAULT_DAYS 30
#define DAY_MS 86400000LL

static int cmp_int64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The nearest-rank percentile pct of the n sorted values. */
static int64_t rank(const int64_t *v, size_t n, int pct)
{
    size_t r = (n * (size_t)pct + 99) / 100; /* ceil(n * pct / 100), 1-based */
    return v[r > 0 ? r - 1 : 0];
}

/* One row per application exported in [since, until) that the caller may see: when it was exported,
 * when its AI interview was completed, how many moves staff made after that, the export's trigger. */
static void kpi_query(struct svc_ctx *c, struct qb *q, int64_t since, int64_t until, const char *position,
                      const char *dept)
{
    qb_init(q, "SELECT a.stage_changed_at, a.ai_completed_at, (SELECT COUNT(*) FROM stage_history h WHERE "
               "h.application_id = a.id AND h.from_stage IS NOT NULL AND h.actor_kind IN ('admin', 'hr', 'manager', "
               "'interviewer') AND h.at >= COALESCE(a.ai_completed_at, 0)), (SELECT j.trigger_kind FROM export_item i "
               "JOIN export_job j ON j.id = i.job_id WHERE i.application_id = a.id AND i.moved = 1 ORDER BY i.job_id "
               "DESC LIMIT 1) FROM application a JOIN position p ON p.id = a.position_id JOIN org_unit o ON o.id = "
               "p.org_unit_id WHERE a.stage = 'exported' AND a.stage_changed_at >= ? AND a.stage_changed_at < ?");
    qb_int(q, since);
    qb_int(q, until);
    if (position) {
        qb_sql(q, " AND p.code = ?");
        qb_text(q, position);
    }
    if (dept) {
        qb_sql(q, " AND o.path LIKE (SELECT path FROM org_unit WHERE code = ?) || '%'");
        qb_text(q, dept);
    }
    qb_scope_application_at(q, c->actor, "a.id", "o.path");
}

int svc_pipeline_kpis(struct svc_ctx *c, json_t *query, json_t **out)
{
    static const char *const params[] = {"since", "until", "position", "department", NULL};
    static const char *const triggers[] = {"rule", "schedule", "api", "cli"};
    enum { NTRIG = sizeof(triggers) / sizeof(triggers[0]) };
    int64_t until = time_now_ms(), since = INT64_MIN;
    int rc;
    if ((rc = jq_known(query, params, c->e)) || (rc = q_time(query, "until", &until, c->e)) ||
        (rc = q_time(query, "since", &since, c->e)))
        return rc;
    if (since == INT64_MIN)
        since = until - KPI_DEFAULT_DAYS * DAY_MS;
    if (since >= until)
        return err_set(c->e, ERR_INVALID, NULL, "since", "since must be before until");
    const char *position = q_str(query, "position"), *dept = q_str(query, "department");
    struct qb q;
    kpi_query(c, &q, since, until, position, dept);
    int64_t exported = 0, automated = 0, by[NTRIG] = {0}, sum = 0;
    size_t n = 0, cap = 0;
    int64_t *ms = NULL;
    struct db_stmt *s;
    if ((rc = svc_begin_read(c)) != 0 || (rc = qb_prepare(c, &q, &s)) != 0)
        return svc_end(c, rc);
    while ((rc = db_step(s, c->e)) == DB_ROW) {
        exported++;
        const char *trig = db_col_isnull(s, 3) ? "" : db_col_text(s, 3);
        for (int i = 0; i < NTRIG; i++)
            by[i] += strcmp(trig, triggers[i]) == 0;
        /* started by a rule or a schedule, and nobody moved it since the interview */
        automated += db_col_int64(s, 2) == 0 && (strcmp(trig, "rule") == 0 || strcmp(trig, "schedule") == 0);
        if (db_col_isnull(s, 1))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            ms = xrealloc(ms, cap * sizeof(*ms));
        }
        int64_t d = db_col_int64(s, 0) - db_col_int64(s, 1);
        ms[n++] = d;
        sum += d;
    }
    db_reset(s);
    rc = svc_end(c, rc < 0 ? rc : 0);
    if (rc == 0) {
        if (n)
            qsort(ms, n, sizeof(*ms), cmp_int64);
        json_t *times = n ? json_pack("{s:I,s:o,s:o,s:o,s:o}", "count", (json_int_t)n, "median",
                                      json_minutes(rank(ms, n, 50)), "p90", json_minutes(rank(ms, n, 90)), "mean",
                                      json_minutes(sum / (int64_t)n), "max", json_minutes(ms[n - 1]))
                          : json_pack("{s:i,s:n,s:n,s:n,s:n}", "count", 0, "median", "p90", "mean", "max");
        json_t *trig = json_object();
        for (int i = 0; i < NTRIG; i++)
            json_object_set_new(trig, triggers[i], json_integer(by[i]));
        *out = json_pack("{s:o,s:o,s:I,s:o,s:I,s:o,s:o}", "since", json_time(since), "until", json_time(until),
                         "exported", (json_int_t)exported, "completion_to_export_minutes", times, "automated",
                         (json_int_t)automated, "automation_rate",
                         exported ? json_real((double)llround(1000.0 * (double)automated / (double)exported) / 1000.0)
                                  : json_null(),
                         "by_trigger", trig);
    }
    free(ms);
    return rc;
}

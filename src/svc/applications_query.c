/* applications_query.c - the applications list's filters (stage, position, scores, dimension
 * ranges, ...) as SQL, the plan of a page from the data (SQLite: estimates, a merged walk of the
 * scores; PostgreSQL: forms of the dimension ranges) and the filter for exports. The counts under
 * the same filters are in applications_counts.c. */
#include "svc/applications.h"

#include <stdlib.h>
#include <string.h>

#include "lib/strbuf.h"
#include "svc/applications_impl.h"
#include "svc/query.h"

/* The orders of the application list; column numbers are those of APP_SELECT. */
static const struct qb_sort app_sorts[] = {
    {"id", NULL, 0, 0},
    {"created_at", "a.created_at", 14, 0},
    {"stage_changed_at", "a.stage_changed_at", 9, 0},
    {"result_at", "a.result_at", 20, QB_SORT_NULLABLE},
    {"overall", "a.overall", 17, QB_SORT_NULLABLE | QB_SORT_INT32},
    {"match_score", "a.match_score", 18, QB_SORT_REAL | QB_SORT_NULLABLE},
    {NULL, NULL, 0, 0},
};

/* Reads <name>_gte / <name>_lte into r (fraction: decimals allowed). */
static int range_params(json_t *query, const char *name, int fraction, struct range *r, struct err *e)
{
    char p[40];
    const char *v;
    int rc;
    r->lo = 0;
    r->hi = 100;
    r->on = 0;
    for (int upper = 0; upper < 2; upper++) {
        snprintf(p, sizeof(p), "%s_%s", name, upper ? "lte" : "gte");
        if (!(v = q_str(query, p)))
            continue;
        if ((rc = q_score(p, v, fraction, upper ? &r->hi : &r->lo, e)))
            return rc;
        r->on = 1;
    }
    return 0;
}

/* Collects the dim.<key>_gte / dim.<key>_lte parameters into dims (one entry per key); *n gets their number. */
static int dim_params(json_t *query, struct range *dims, int *n, struct err *e)
{
    const char *k;
    json_t *v;
    *n = 0;
    json_object_foreach(query, k, v)
    {
        char key[33];
        int upper, rc, i;
        double x;
        if (strncmp(k, "dim.", 4) != 0)
            continue;
        if (q_range_param(k, "dim.", key, &upper) != 0)
            return err_set(e, ERR_INVALID, NULL, k,
                           "%.64s: a dimension filter is dim.<key>_gte or dim.<key>_lte, the key 1-32 characters "
                           "of a-z, 0-9 and '_' starting with a letter",
                           k);
        if ((rc = q_score(k, json_string_value(v), 0, &x, e)))
            return rc;
        for (i = 0; i < *n && strcmp(dims[i].key, key) != 0; i++)
            ;
        if (i == *n) {
            if (*n == MAX_DIM_FILTERS)
                return err_set(e, ERR_INVALID, "too_many", k, "at most %d dimensions can be filtered on at once",
                               MAX_DIM_FILTERS);
            memcpy(dims[i].key, key, sizeof(key));
            dims[i].lo = 0;
            dims[i].hi = 100;
            dims[i].on = 1;
            (*n)++;
        }
        if (upper)
            dims[i].hi = x;
        else
            dims[i].lo = x;
    }
    return 0;
}

/* Validates the list's scalar parameters. */
static int list_params(struct svc_ctx *c, json_t *query, const char **org, const char **rec, int64_t *since)
{
    static const char *const recs[] = {"recommend", "re_interview", "not_recommended", NULL};
    const char *dept = q_str(query, "department"), *alias = q_str(query, "org_unit"), *s;
    if (dept && alias)
        return err_set(c->e, ERR_INVALID, NULL, "org_unit", "give department or org_unit (its old name), not both");
    *org = dept ? dept : alias;
    if ((*rec = q_str(query, "recommendation"))) {
        const char *const *r = recs;
        while (*r && strcmp(*r, *rec) != 0)
            r++;
        if (!*r)
            return err_set(c->e, ERR_INVALID, NULL, "recommendation",
                           "recommendation must be recommend, re_interview or not_recommended");
    }
    *since = INT64_MIN;
    int rc = q_time(query, "received_since", since, c->e);
    if (rc != 0)
        return rc;
    if ((s = q_str(query, "stage")) && stage_parse(s) == STAGE_NONE)
        return err_set(c->e, ERR_INVALID, NULL, "stage", "unknown stage %.48s", s);
    return 0;
}

/* Appends " AND <col> BETWEEN ? AND ?" for an active range. */
static void qb_range(struct qb *q, const char *col, const struct range *r, int real)
{
    if (!r->on)
        return;
    char buf[96];
    snprintf(buf, sizeof(buf), " AND %s BETWEEN ? AND ?", col);
    qb_sql(q, buf);
    if (real) {
        qb_real(q, r->lo);
        qb_real(q, r->hi);
    } else {
        qb_int(q, (int64_t)r->lo);
        qb_int(q, (int64_t)r->hi);
    }
}

/* The list's filters, validated. */

int filter_params(struct svc_ctx *c, json_t *query, struct app_filter *f)
{
    static const char *const params[] = {
        "stage",          "position",   "position_id", "candidate_id",   "department",  "org_unit",    "talent_pool",
        "recommendation", "has_result", "unviewed",    "received_since", "overall_gte", "overall_lte", "match_gte",
        "match_lte",      "dim.*",      "sort",        "limit",          "cursor",      NULL};
    int rc;
    memset(f, 0, sizeof(*f));
    if ((rc = jq_known(query, params, c->e)) || (rc = q_id(query, "position_id", &f->position_id, c->e)) ||
        (rc = q_id(query, "candidate_id", &f->candidate_id, c->e)) ||
        (rc = q_bool(query, "talent_pool", &f->pool, c->e)) ||
        (rc = q_bool(query, "has_result", &f->has_result, c->e)) ||
        (rc = q_bool(query, "unviewed", &f->unviewed, c->e)) ||
        (rc = list_params(c, query, &f->org, &f->rec, &f->since)) ||
        (rc = range_params(query, "overall", 0, &f->overall, c->e)) ||
        (rc = range_params(query, "match", 1, &f->match, c->e)) || (rc = dim_params(query, f->dims, &f->ndims, c->e)))
        return rc;
    f->stage = q_str(query, "stage");
    f->position = q_str(query, "position");
    return 0;
}

/* Appends " AND <term>", or when hint " AND likely(<unindexed>)" (the same term with a unary '+'
 * on its column): SQLite then neither uses the column's index nor expects the term to be
 * selective, and walks the sort order's index instead. */
static void qb_term(struct qb *q, int hint, const char *term, const char *unindexed)
{
    qb_sql(q, hint ? " AND likely(" : " AND ");
    qb_sql(q, hint ? unindexed : term);
    if (hint)
        qb_sql(q, ")");
}

/* Appends the filters and the actor's scope to q (see app_plan for hint and f->rare). */
void app_where(struct svc_ctx *c, struct qb *q, const struct app_filter *f, int hint)
{
    if (f->stage) {
        qb_term(q, hint, "a.stage = ?", "+a.stage = ?");
        qb_text(q, f->stage);
    }
    if (f->position) {
        qb_term(q, hint, "a.position_id = (SELECT id FROM position WHERE code = ?)",
                "+a.position_id = (SELECT id FROM position WHERE code = ?)");
        qb_text(q, f->position);
    }
    if (f->position_id) {
        qb_term(q, hint, "a.position_id = ?", "+a.position_id = ?");
        qb_int(q, f->position_id);
    }
    if (f->candidate_id) {
        qb_sql(q, " AND a.candidate_id = ?");
        qb_int(q, f->candidate_id);
    }
    if (f->org) {
        qb_sql(q, " AND o.path LIKE (SELECT path FROM org_unit WHERE code = ?) || '%'");
        qb_text(q, f->org);
    }
    if (f->pool >= 0) {
        qb_sql(q, " AND a.talent_pool = ?");
        qb_int(q, f->pool);
    }
    if (f->rec) {
        qb_sql(q, " AND a.recommendation = ?");
        qb_text(q, f->rec);
    }
    if (f->has_result >= 0)
        qb_sql(q, f->has_result ? " AND a.result_id IS NOT NULL" : " AND a.result_id IS NULL");
    if (f->unviewed >= 0) { /* true: a current result the caller has not opened since it arrived; false: opened */
        qb_sql(q, f->unviewed ? " AND a.result_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM result_view rv WHERE "
                                "rv.user_id = ? AND rv.application_id = a.id AND rv.last_at >= a.result_at)"
                              : " AND a.result_id IS NOT NULL AND EXISTS (SELECT 1 FROM result_view rv WHERE "
                                "rv.user_id = ? AND rv.application_id = a.id AND rv.last_at >= a.result_at)");
        qb_int(q, c->actor->user_id);
    }
    if (f->since != INT64_MIN) {
        qb_term(q, hint, "a.result_at >= ?", "+a.result_at >= ?");
        qb_int(q, f->since);
    }
    qb_range(q, "a.overall", &f->overall, 0);
    qb_range(q, "a.match_score", &f->match, 1);
    for (int pass = 1; pass >= 0; pass--) /* the rare dimensions first: one statement text per mix */
        for (int i = 0; i < f->ndims; i++) {
            if (f->rare[i] != pass)
                continue;
            if (f->pg_planned) /* forms whose plan PostgreSQL cannot turn into another one (pg_plan) */
                qb_sql(q, pass ? " AND a.id = ANY (ARRAY(SELECT d.application_id FROM ai_dim d WHERE d.dim = ? AND "
                                 "d.score BETWEEN ? AND ?))"
                               : " AND EXISTS (SELECT 1 FROM ai_dim d WHERE d.application_id = a.id AND d.dim = ? "
                                 "AND d.score BETWEEN ? AND ? OFFSET 0)");
            else
                qb_sql(q, pass ? " AND a.id IN (SELECT d.application_id FROM ai_dim d WHERE d.dim = ? AND d.score "
                                 "BETWEEN ? AND ?)"
                               : " AND EXISTS (SELECT 1 FROM ai_dim d WHERE d.application_id = a.id AND d.dim = ? AND "
                                 "d.score BETWEEN ? AND ?)");
            qb_text_copy(q, f->dims[i].key);
            qb_int(q, (int64_t)f->dims[i].lo);
            qb_int(q, (int64_t)f->dims[i].hi);
        }
    qb_scope_application_at(q, c->actor, "a.id", "o.path");
}

/* How selective a filter must be (rows it matches at most) for SQLite to be left to drive the
 * query by it: a dimension range by its list of scores, the filters of a sorted list by their
 * own indexes followed by a sort. Above it, walking the other way is cheaper. */
#define DIM_DRIVE_MAX 20000
#define FILTER_DRIVE_MAX 3000
/* A walk of an index probing each application's dimension scores (db_budget steps): SQLite's
 * virtual machine takes about 15 steps per application walked, and listing an application from a
 * dimension's list and sorting it costs about as much as walking 12 */
#define WALK_STEPS_PER_ROW 12
#define WALK_BUDGET_MIN 30000
/* How many dimension scores a merged walk (list_merged) may expect to read for a page at most;
 * beyond it the filters on the position leave too few of them and the other plans are cheaper. */
#define MERGE_READ_MAX 4000

/* Runs the COUNT(*) query q and sets *n. */
static int count_of(struct svc_ctx *c, struct qb *q, int64_t *n)
{
    struct db_stmt *s;
    int rc = qb_prepare(c, q, &s);
    if (rc != 0)
        return rc;
    rc = db_step(s, c->e);
    *n = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_reset(s);
    return rc < 0 ? rc : 0;
}

/* Appends the filters on the position (position, position_id, department) and a manager's scope
 * (his org subtree), on the position id column pcol and the position's org unit joined as o. Not
 * for an interviewer, whose scope is his assignments. */
void pos_terms(struct svc_ctx *c, struct qb *q, const struct app_filter *f, const char *pcol)
{
    char buf[128];
    if (f->position) {
        snprintf(buf, sizeof(buf), " AND %s = (SELECT id FROM position WHERE code = ?)", pcol);
        qb_sql(q, buf);
        qb_text(q, f->position);
    }
    if (f->position_id) {
        snprintf(buf, sizeof(buf), " AND %s = ?", pcol);
        qb_sql(q, buf);
        qb_int(q, f->position_id);
    }
    if (f->org) {
        qb_sql(q, " AND o.path LIKE (SELECT path FROM org_unit WHERE code = ?) || '%'");
        qb_text(q, f->org);
    }
    if (c->actor->role == ROLE_MANAGER)
        qb_scope_application_at(q, c->actor, "a.id", "o.path");
}

/* Whether the filters are on the position or the caller's scope is a subtree (pos_terms has terms). */
static int pos_filtered(const struct svc_ctx *c, const struct app_filter *f)
{
    return f->position || f->position_id || f->org || c->actor->role == ROLE_MANAGER;
}

/* Whether the filters hold more than dimension ranges and pos_terms' filters. */
static int other_filters(const struct app_filter *f)
{
    return f->stage || f->candidate_id || f->pool >= 0 || f->rec || f->has_result >= 0 || f->unviewed >= 0 ||
           f->since != INT64_MIN || f->overall.on || f->match.on;
}

/* How many applications have a score in dimension range r, from the position histograms
 * (score_hist: the current scores per position, dimension and score; a few rows per position
 * instead of an index range of up to a million entries): *all of them, and *in those of the
 * positions pos_terms leaves (= *all without such filters), and with total, *total: how many have
 * a score in that dimension at all. An estimate for planning only (the
 * histograms count the scores as the vendor gave them, before revisions). */
static int dim_estimate(struct svc_ctx *c, const struct app_filter *f, const struct range *r, int64_t *all, int64_t *in,
                        int64_t *total)
{
    struct qb q;
    int scoped = pos_filtered(c, f);
    qb_init(&q, "SELECT COALESCE(SUM(CASE WHEN h.bucket BETWEEN ? AND ? THEN h.n ELSE 0 END), 0), ");
    qb_int(&q, (int64_t)r->lo);
    qb_int(&q, (int64_t)r->hi);
    if (scoped) {
        qb_sql(&q, "COALESCE(SUM(CASE WHEN h.bucket BETWEEN ? AND ?");
        qb_int(&q, (int64_t)r->lo);
        qb_int(&q, (int64_t)r->hi);
        pos_terms(c, &q, f, "h.position_id");
        qb_sql(&q, " THEN h.n ELSE 0 END), 0), COALESCE(SUM(h.n), 0) FROM score_hist h JOIN position p ON p.id = "
                   "h.position_id JOIN org_unit o ON o.id = p.org_unit_id");
    } else {
        qb_sql(&q, "0, COALESCE(SUM(h.n), 0) FROM score_hist h");
    }
    qb_sql(&q, " WHERE h.dim = ?"); /* one pass over the dimension's histograms (a few rows per position) */
    qb_text(&q, r->key);
    struct db_stmt *s;
    int rc = qb_prepare(c, &q, &s);
    if (rc != 0)
        return rc;
    rc = db_step(s, c->e);
    *all = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    *in = rc == DB_ROW && scoped ? db_col_int64(s, 1) : *all;
    if (total)
        *total = rc == DB_ROW ? db_col_int64(s, 2) : 0;
    db_reset(s);
    return rc < 0 ? rc : 0;
}

/* PostgreSQL plans a dimension filter by its statistics of ai_dim as a whole, and once a statement
 * has run a few times, by a generic plan that knows no range: for the list that was a merge join
 * reading every application (3 ms a page at 100 000 applications, whatever the range). So the list
 * picks, per dimension range and from the position histograms, one of two forms the planner cannot
 * turn into others: the range's applications as an array (= ANY (ARRAY(...)), read in id order by
 * the primary key) when there are few, or a probe per application walked (EXISTS ... OFFSET 0,
 * a subplan per row) when a page is found after few probes. Probing costs about PG_PROBE_COST
 * times as much per application as listing one in the array. Runs in the list's read transaction. */
#define PG_PROBE_COST 10

/* Has PostgreSQL plan the read transaction's statements generically (queued: it goes with the
 * page's statement). */
static int pg_generic_plans(struct svc_ctx *c)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, "SET LOCAL plan_cache_mode = force_generic_plan", &s);
    return rc ? rc : db_queue(s, c->e);
}

static int pg_plan(struct svc_ctx *c, struct app_filter *f, int limit)
{
    for (int i = 0; i < f->ndims; i++) {
        int64_t all = 0, in = 0, total = 0;
        int rc = dim_estimate(c, f, &f->dims[i], &all, &in, &total);
        if (rc != 0)
            return rc;
        /* applications walked until limit + 1 are in the range (and in the caller's positions) */
        int64_t walk = in > 0 ? (int64_t)(limit + 1) * (total / in + 1) : total;
        f->rare[i] = all < walk * PG_PROBE_COST;
    }
    f->pg_planned = 1;
    /* and the plan of that form, whatever the range: planning it per request (a custom plan, which
     * PostgreSQL keeps choosing for a statement with a LIMIT parameter) cost as much as running it */
    return f->ndims ? pg_generic_plans(c) : 0;
}

/* SQLite plans without statistics, so the list looks at the data first (the position histograms,
 * and capped counts, index only, where they cannot tell): a list in id order filtered by
 * dimension ranges (and the position) is read by a merged walk of one dimension's scores
 * (*drive: list_merged) that stops at the page's end; otherwise a rare dimension range is read
 * as a list (IN) and the query driven by it, a common one is probed per application (EXISTS); a
 * list sorted by a score or time whose filters match many rows walks the sort's index (*hint),
 * one whose filters match few is read through the filters' indexes and sorted. PostgreSQL plans
 * these choices itself from its statistics, except for the dimension ranges (pg_plan). Runs in the
 * caller's read transaction. */
/* Drives the query by the list of the dimension range with the fewest applications (IN), the
 * others probed per application. */
static int drive_smallest(struct svc_ctx *c, struct app_filter *f)
{
    int64_t best = INT64_MAX;
    int at = 0;
    for (int i = 0; i < f->ndims; i++) {
        int64_t all = 0, in = 0;
        int rc = dim_estimate(c, f, &f->dims[i], &all, &in, NULL);
        if (rc != 0)
            return rc;
        f->rare[i] = 0;
        if (all < best) {
            best = all;
            at = i;
        }
    }
    f->rare[at] = f->ndims > 0;
    return 0;
}

static int app_plan(struct svc_ctx *c, struct app_filter *f, const char *sort, int limit, int *hint, int *drive)
{
    *hint = 0;
    *drive = -1;
    /* filters whose index SQLite would read and sort rather than walk the order's index: in id
     * order that is all but the stage, whose index keeps the ids in order */
    int by_id = !sort || strcmp(sort, "id") == 0 || strcmp(sort, "-id") == 0;
    int indexed = f->position || f->position_id || (!by_id && (f->stage || f->since != INT64_MIN));
    /* a merged walk reads about limit + 1 scores of its dimension per share of them the filters
     * on the position leave; other filters could leave any share, so they keep the other plans */
    int mergeable = by_id && !other_filters(f) && c->actor->role != ROLE_INTERVIEWER;
    if (mergeable && f->ndims == 1 && !pos_filtered(c, f) && f->dims[0].lo <= f->dims[0].hi) {
        *drive = 0; /* one range and nothing else: the walk reads limit + 1 scores, whatever the estimate */
        f->rare[0] = 0;
        /* PostgreSQL: the same walk as a LATERAL per score (pg_merged_page), in a generic plan */
        return db_kind(c->db) == DB_POSTGRES ? pg_generic_plans(c) : 0;
    }
    if (db_kind(c->db) == DB_POSTGRES)
        return pg_plan(c, f, limit);
    if (!f->ndims && !indexed)
        return 0;
    int rc = 0;
    if (f->no_walk) /* a walk probing the dimensions went beyond its budget: drive by the smallest */
        return drive_smallest(c, f);
    int64_t best = MERGE_READ_MAX + 1;
    for (int i = 0; i < f->ndims && rc == 0; i++) {
        int64_t all = 0, in = 0;
        rc = dim_estimate(c, f, &f->dims[i], &all, &in, NULL);
        f->rare[i] = all < DIM_DRIVE_MAX;
        f->smallest = i == 0 || all < f->smallest ? all : f->smallest;
        indexed |= f->rare[i] && !by_id; /* a list read by id order needs no sort */
        if (!mergeable || f->dims[i].lo > f->dims[i].hi)
            continue;
        int64_t reads = in > 0 && all / in < MERGE_READ_MAX ? (limit + 1) * (all / in + 1) : all;
        if (reads > all)
            reads = all;
        if (reads < best) {
            best = reads;
            *drive = i;
        }
    }
    if (rc == 0 && *drive >= 0) {
        memset(f->rare, 0, sizeof(f->rare)); /* the other dimensions are probed per application */
        return 0;
    }
    if (rc == 0 && indexed) { /* (without such filters the order's index is walked anyway) */
        struct qb q;
        int64_t n = 0;
        qb_init(&q, "SELECT COUNT(*) FROM (SELECT 1 FROM application a JOIN position p ON p.id = a.position_id "
                    "JOIN org_unit o ON o.id = p.org_unit_id WHERE 1=1");
        app_where(c, &q, f, 0);
        qb_sql(&q, " LIMIT ?) AS x");
        qb_int(&q, FILTER_DRIVE_MAX);
        if ((rc = count_of(c, &q, &n)) == 0 && n >= FILTER_DRIVE_MAX) {
            *hint = 1;
            memset(f->rare, 0, sizeof(f->rare)); /* walking the sort's index: probe every dimension */
        }
    }
    return rc;
}

int svc_app_filter_check(struct svc_ctx *c, json_t *query)
{
    struct app_filter f;
    return filter_params(c, query, &f);
}

int svc_app_filter_where(struct svc_ctx *c, json_t *query, struct qb *q)
{
    struct app_filter f;
    int rc = filter_params(c, query, &f);
    if (rc == 0)
        app_where(c, q, &f, 0);
    return rc;
}

/* merged_page on PostgreSQL, whose planner merges no UNION ALL of index ranges in order (it
 * appends and sorts them all): per score of range d, the first limit + 1 applications after the
 * cursor from ai_dim_score (LATERAL, an index range each), the smallest (largest, descending)
 * limit + 1 of those, then their rows. Only for a range and nothing else (app_plan): a filter after
 * the inner LIMIT could leave the page short. */
static int pg_merged_page(struct svc_ctx *c, const struct app_filter *f, json_t *query, const struct range *d, int desc,
                          int64_t after, int limit, struct qb_page *pg)
{
    struct qb q;
    qb_init(&q, "");
    app_where(c, &q, f, 0);
    if (q.len != 0)
        return err_set(c->e, ERR_INTERNAL, NULL, NULL, "a merged walk on PostgreSQL with other filters");
    qb_init(&q, APP_COLUMNS "FROM (SELECT x.id FROM generate_series(?::int, ?::int) AS s(score) CROSS JOIN LATERAL "
                            "(SELECT d.application_id AS id FROM ai_dim d WHERE d.dim = ? AND d.score = s.score AND ");
    qb_int(&q, (int64_t)d->lo);
    qb_int(&q, (int64_t)d->hi);
    qb_text_copy(&q, d->key);
    qb_sql(&q, desc ? "d.application_id < ? ORDER BY d.application_id DESC LIMIT ?) AS x ORDER BY x.id DESC LIMIT ?) "
                    : "d.application_id > ? ORDER BY d.application_id LIMIT ?) AS x ORDER BY x.id LIMIT ?) ");
    qb_int(&q, after);
    qb_int(&q, limit + 1);
    qb_int(&q, limit + 1);
    qb_sql(&q, desc
                   ? "AS m JOIN application a ON a.id = m.id JOIN candidate cd ON cd.id = a.candidate_id JOIN position "
                     "p ON p.id = a.position_id JOIN org_unit o ON o.id = p.org_unit_id ORDER BY a.id DESC"
                   : "AS m JOIN application a ON a.id = m.id JOIN candidate cd ON cd.id = a.candidate_id JOIN position "
                     "p ON p.id = a.position_id JOIN org_unit o ON o.id = p.org_unit_id ORDER BY a.id");
    qb_page_walk(pg, &q, query, app_sorts, limit);
    return 0;
}

/* The UNION ALL of merged_page's n arms, in order (desc), each an index range of one score: made
 * once per thread and count (a request had spent ~4 us in snprintf on them). */
#define MERGED_ARMS_MAX 101 /* scores 0 to 100 */
static const char *merged_arms(int n, int desc)
{
    static _Thread_local char *made[2][MERGED_ARMS_MAX + 1];
    if (n < 1 || n > MERGED_ARMS_MAX)
        abort(); /* a range of scores is within 0..100 (range_params): a bug */
    if (made[desc][n])
        return made[desc][n];
    struct strbuf b;
    sb_init(&b, 0);
    for (int k = 0; k < n; k++)
        sb_printf(
            &b, "%sSELECT application_id AS id FROM ai_dim WHERE dim = ?1 AND score = ?2 + %d AND application_id %c ?3",
            k ? " UNION ALL " : "", k, desc ? '<' : '>');
    sb_puts(&b, desc ? " ORDER BY 1 DESC LIMIT -1) AS m" : " ORDER BY 1 LIMIT -1) AS m");
    return made[desc][n] = sb_steal(&b);
}

/* The list in id order (query's sort "id", "-id" or none) read by a merged walk of dimension
 * range f->dims[drive] (SQLite): one arm per score of the range, each an index range of
 * ai_dim_score (dim, score, application_id) that holds its applications in id order from the
 * cursor on; SQLite merges the arms of a UNION ALL ordered by the id as co-routines, so the walk
 * yields the range's applications in id order and stops when the page is full (limit + 1 rows)
 * instead of reading the whole range or probing every application. The applications are joined
 * in that order (CROSS JOIN keeps the nesting) and the other filters applied to them. */
static int merged_page(struct svc_ctx *c, struct app_filter *f, json_t *query, int drive, struct qb_page *pg)
{
    int desc, limit;
    int64_t after;
    int rc = qb_id_page_params(query, app_sorts, &desc, &after, &limit, c->e);
    if (rc != 0)
        return rc;
    struct range d = f->dims[drive];
    f->dims[drive] = f->dims[--f->ndims]; /* the others are probed */
    struct qb q;
    if (db_kind(c->db) == DB_POSTGRES)
        return pg_merged_page(c, f, query, &d, desc, after, limit, pg);
    qb_init(&q, APP_COLUMNS "FROM (");
    qb_sql(&q, merged_arms((int)(d.hi - d.lo) + 1, desc));
    /* ?1 to ?3 are the first three values bound; the '?' after them number on from ?4 */
    qb_text_copy(&q, d.key);
    qb_int(&q, (int64_t)d.lo);
    qb_int(&q, after);
    qb_sql(&q, " CROSS JOIN application a ON a.id = m.id CROSS JOIN candidate cd ON cd.id = a.candidate_id "
               "CROSS JOIN position p ON p.id = a.position_id CROSS JOIN org_unit o ON o.id = p.org_unit_id "
               "WHERE 1=1");
    app_where(c, &q, f, 0);
    qb_sql(&q, " LIMIT ?");
    qb_int(&q, limit + 1);
    qb_page_walk(pg, &q, query, app_sorts, limit);
    return 0;
}

int app_list_page(struct svc_ctx *c, json_t *query, int no_walk, struct qb_page *pg, int64_t *budget)
{
    struct app_filter f;
    int hint, drive, limit, rc;
    int64_t unused;
    const char *sort = q_str(query, "sort");
    if ((rc = filter_params(c, query, &f)) != 0)
        return rc;
    f.no_walk = no_walk;
    if ((rc = page_params(q_str(query, "limit"), NULL, &limit, &unused, c->e)) ||
        (rc = app_plan(c, &f, sort, limit, &hint, &drive)))
        return rc;
    int driven = drive >= 0;
    for (int i = 0; i < f.ndims; i++)
        driven |= f.rare[i];
    /* a walk may cost what driving by the smallest range would (about WALK_STEPS_PER_ROW steps per
     * application listed), then gives way to it: at most about twice the better of the two */
    *budget =
        db_kind(c->db) == DB_SQLITE && f.ndims > 0 && !driven
            ? (f.smallest < WALK_BUDGET_MIN / WALK_STEPS_PER_ROW ? WALK_BUDGET_MIN : f.smallest * WALK_STEPS_PER_ROW)
            : 0;
    /* TALENTD_LIST_WALK_BUDGET: every such walk gets this budget instead (docs/performance.md; the
     * tests give a tiny one to take the other plan) */
    const char *env = *budget ? getenv("TALENTD_LIST_WALK_BUDGET") : NULL;
    char *end = NULL;
    long long steps = env ? strtoll(env, &end, 10) : 0;
    if (env && *end == '\0' && steps > 0)
        *budget = steps;
    if (drive >= 0)
        return merged_page(c, &f, query, drive, pg);
    struct qb q;
    qb_init(&q, APP_SELECT);
    app_where(c, &q, &f, hint);
    return qb_page_plan(&q, query, "a.id", app_sorts, pg, c->e);
}

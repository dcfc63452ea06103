/* talent_pool.c - the talent pool (svc/talent_pool.h). */
#include "svc/talent_pool.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/match.h"
#include "lib/mem.h"
#include "svc/applications.h"
#include "svc/org.h"
#include "svc/query.h"
#include "svc/validate.h"
#include "svc/views.h"

#define POOL_SELECT                                                                                                    \
    "SELECT a.id, a.candidate_id, c.name, p.code, p.title, a.stage, a.overall, a.recommendation, a.updated_at "        \
    "FROM application a JOIN candidate c ON c.id = a.candidate_id JOIN position p ON p.id = a.position_id "            \
    "WHERE a.talent_pool = 1"

#define RANK_MAX 5000 /* pool entries ranked against a position at most */

static json_t *pool_row(struct svc_ctx *c, struct db_stmt *s)
{
    (void)c;
    return json_pack("{s:I,s:I,s:s,s:s,s:s,s:s,s:o,s:o,s:o}", "application_id", (json_int_t)db_col_int64(s, 0),
                     "candidate_id", (json_int_t)db_col_int64(s, 1), "candidate_name", db_col_text(s, 2), "position",
                     db_col_text(s, 3), "position_title", db_col_text(s, 4), "stage", db_col_text(s, 5), "overall",
                     db_col_isnull(s, 6) ? json_null() : json_integer(db_col_int64(s, 6)), "recommendation",
                     db_col_isnull(s, 7) ? json_null() : json_string(db_col_text(s, 7)), "updated_at",
                     json_time(db_col_int64(s, 8)));
}

/* Adds dims {key: score} and tags [...] to entry e. */
static int enrich(struct svc_ctx *c, json_t *e)
{
    int64_t app = json_integer_value(json_object_get(e, "application_id"));
    json_t *dims = json_object(), *tags = json_array();
    json_object_set_new(e, "dims", dims);
    json_object_set_new(e, "tags", tags);
    struct db_stmt *s;
    int rc = svc_prepare(c, "SELECT dim, score FROM ai_dim WHERE application_id = ? ORDER BY dim", &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, app);
    while ((rc = db_step(s, c->e)) == DB_ROW)
        json_object_set_new(dims, db_col_text(s, 0), json_integer(db_col_int64(s, 1)));
    db_reset(s);
    if (rc < 0 ||
        (rc = svc_prepare(c, "SELECT tag FROM application_tag WHERE application_id = ? ORDER BY at, tag", &s)) != 0)
        return rc;
    db_bind_int64(s, 1, app);
    while ((rc = db_step(s, c->e)) == DB_ROW)
        json_array_append_new(tags, json_string(db_col_text(s, 0)));
    db_reset(s);
    return rc < 0 ? rc : 0;
}

/* The match of entry e against model (nmodel entries). */
static void match_of(json_t *e, const struct competency *model, int nmodel)
{
    struct result r;
    memset(&r, 0, sizeof(r));
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(e, "dims"), k, v)
    {
        if (r.ndims == RESULT_MAX_DIMS)
            break;
        r.dims[r.ndims].key = k;
        r.dims[r.ndims++].score = (int)json_integer_value(v);
    }
    r.overall = (int)json_integer_value(json_object_get(e, "overall"));
    r.vendor = r.vendor_result_id = "";
    struct match_report m;
    match_compute(model, nmodel, &r, &m);
    json_object_set_new(e, "match",
                        json_pack("{s:f,s:s}", "match_score", m.match_score, "recommendation", m.recommendation));
    match_report_free(&m);
}

/* Appends the query's filters to q: tags, dimension ranges, position. */
static int filters(struct svc_ctx *c, json_t *query, struct qb *q)
{
    const char *k, *tags = q_str(query, "tag"), *pos = q_str(query, "position");
    json_t *v;
    if (tags) {
        char buf[POOL_TAGS_MAX * (POOL_TAG_MAX * 4 + 1)];
        snprintf(buf, sizeof(buf), "%s", tags);
        int n = 0;
        for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
            if (++n > POOL_TAGS_MAX)
                return err_invalid(c->e, "too_many", "tag", "at most %d tags", POOL_TAGS_MAX);
            qb_sql(q, " AND EXISTS (SELECT 1 FROM application_tag t WHERE t.application_id = a.id AND t.tag = ?)");
            qb_text_copy(q, t);
        }
    }
    if (pos) {
        qb_sql(q, " AND p.code = ?");
        qb_text(q, pos);
    }
    json_object_foreach(query, k, v)
    {
        char key[33];
        int upper;
        if (q_range_param(k, "dim.", key, &upper) != 0)
            continue;
        double score;
        int rc = q_score(k, json_string_value(v), 0, &score, c->e);
        if (rc != 0)
            return rc;
        qb_sql(q, upper ? " AND EXISTS (SELECT 1 FROM ai_dim d WHERE d.application_id = a.id AND d.dim = ? AND "
                          "d.score <= ?)"
                        : " AND EXISTS (SELECT 1 FROM ai_dim d WHERE d.application_id = a.id AND d.dim = ? AND "
                          "d.score >= ?)");
        qb_text_copy(q, key);
        qb_int(q, (int64_t)score);
    }
    return 0;
}

static int known_param(const char *k)
{
    static const char *const params[] = {"tag", "position", "for_position", "limit", "cursor", NULL};
    char key[33];
    int upper;
    for (int i = 0; params[i]; i++)
        if (strcmp(k, params[i]) == 0)
            return 1;
    return q_range_param(k, "dim.", key, &upper) == 0;
}

/* Sorts entries by match score, best first (ties: newer application first). */
/* An entry with its sort key: match score descending, then the newest application first. */
struct ranked {
    json_t *e;
    double match;
    json_int_t id;
};

static int by_match(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->match != y->match)
        return x->match < y->match ? 1 : -1;
    return x->id < y->id ? 1 : x->id > y->id ? -1 : 0;
}

/* for_position: every matching entry ranked against the position's model; the first limit returned. */
static int ranked(struct svc_ctx *c, struct qb *q, const char *code, json_t *query, json_t **out)
{
    int64_t limit = 50;
    int rc = q_int_range(query, "limit", 50, 1, 200, &limit, c->e);
    if (rc != 0)
        return rc;
    json_t *rows = json_array();
    struct competency model[MATCH_MODEL_MAX];
    int nmodel = 0;
    char lim[48];
    snprintf(lim, sizeof(lim), " ORDER BY a.id DESC LIMIT %d", RANK_MAX + 1);
    qb_sql(q, lim);
    struct db_stmt *s;
    if ((rc = svc_begin_read(c)) == 0 &&
        (rc = svc_prepare(c, "SELECT competency_json FROM position WHERE code = ?", &s)) == 0) {
        db_bind_text(s, 1, code);
        rc = db_step(s, c->e);
        if (rc == DB_ROW) {
            json_t *mj = json_loads(db_col_text(s, 0), 0, NULL);
            nmodel = match_model_from_json(mj, model, MATCH_MODEL_MAX);
            json_decref(mj);
        }
        db_reset(s);
        rc = rc == DB_ROW ? 0
             : rc == DB_DONE
                 ? err_invalid(c->e, "invalid_reference", "for_position", "no position with code %.64s", code)
                 : rc;
    }
    if (rc == 0)
        rc = qb_all(c, q, pool_row, rows);
    size_t n = json_array_size(rows), i;
    json_t *e;
    json_array_foreach(rows, i, e)
    {
        if (rc != 0 || i >= RANK_MAX)
            break;
        if ((rc = enrich(c, e)) == 0)
            match_of(e, model, nmodel);
    }
    rc = svc_end(c, rc);
    if (rc == 0) {
        size_t m = n > RANK_MAX ? RANK_MAX : n;
        struct ranked *v = xcalloc(m ? m : 1, sizeof(*v));
        for (i = 0; i < m; i++) {
            json_t *row = json_array_get(rows, i);
            v[i].e = row;
            v[i].match = json_real_value(json_object_get(json_object_get(row, "match"), "match_score"));
            v[i].id = json_integer_value(json_object_get(row, "application_id"));
        }
        qsort(v, m, sizeof(*v), by_match);
        json_t *items = json_array();
        for (i = 0; i < m && (int64_t)i < limit; i++)
            json_array_append(items, v[i].e);
        free(v);
        *out = json_pack("{s:o,s:n,s:s,s:I,s:b}", "items", items, "next_cursor", "ranked_for", code, "ranked",
                         (json_int_t)m, "truncated", n > RANK_MAX);
    }
    json_decref(rows);
    return rc;
}

int svc_pool_search(struct svc_ctx *c, json_t *query, json_t **out)
{
    const char *k;
    json_t *v;
    json_object_foreach(query, k, v)
    {
        if (!known_param(k))
            return err_set(c->e, ERR_MALFORMED, "unknown_parameter", k, "unknown parameter %.40s", k);
    }
    struct qb q;
    qb_init(&q, POOL_SELECT);
    int rc = filters(c, query, &q);
    if (rc != 0)
        return rc;
    qb_scope_application(&q, c->actor, "a.id");
    const char *for_pos = q_str(query, "for_position");
    if (for_pos)
        return ranked(c, &q, for_pos, query, out);
    json_t *page = NULL;
    if ((rc = qb_page(c, &q, query, "a.id", pool_row, &page)) != 0)
        return rc;
    json_t *e;
    size_t i;
    if ((rc = svc_begin_read(c)) == 0) {
        json_array_foreach(json_object_get(page, "items"), i, e)
        {
            if ((rc = enrich(c, e)) != 0)
                break;
        }
    }
    rc = svc_end(c, rc);
    if (rc != 0) {
        json_decref(page);
        return rc;
    }
    *out = page;
    return 0;
}

int svc_app_tag_tx(struct svc_ctx *c, int64_t app, const char *tag, const char *source)
{
    struct db_stmt *s;
    int rc = svc_prepare(c,
                         "INSERT INTO application_tag (tag, source, at, application_id) VALUES (?, ?, ?, ?) "
                         "ON CONFLICT DO NOTHING",
                         &s);
    if (rc != 0)
        return rc;
    db_bind_text(s, 1, tag);
    db_bind_text(s, 2, source);
    db_bind_int64(s, 3, c->now);
    db_bind_int64(s, 4, app);
    return svc_exec(c, s);
}

/* Puts application app in (on 1) or out of the pool, when it is not there already. */
static int pool_flag(struct svc_ctx *c, int64_t app, int on)
{
    struct db_stmt *s;
    int rc = svc_prepare(c,
                         "UPDATE application SET talent_pool = ?, version = version + 1, updated_at = ? "
                         "WHERE id = ? AND talent_pool <> ?",
                         &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, on);
    db_bind_int64(s, 2, c->now);
    db_bind_int64(s, 3, app);
    db_bind_int64(s, 4, on);
    return svc_exec(c, s);
}

int svc_pool_keep_tx(struct svc_ctx *c, int64_t app, json_t *tags, const char *source)
{
    int rc = pool_flag(c, app, 1);
    if (rc != 0)
        return rc;
    json_t *t;
    size_t i;
    json_array_foreach(tags, i, t)
    {
        if ((rc = svc_app_tag_tx(c, app, json_string_value(t), source)) != 0)
            return rc;
    }
    return 0;
}

/* The entry of app as the search shows it (in the open transaction). */
static int entry_of(struct svc_ctx *c, int64_t app, json_t **out)
{
    struct qb q;
    qb_init(&q, "SELECT a.id, a.candidate_id, c.name, p.code, p.title, a.stage, a.overall, a.recommendation, "
                "a.updated_at FROM application a JOIN candidate c ON c.id = a.candidate_id JOIN position p ON "
                "p.id = a.position_id WHERE a.id = ?");
    qb_int(&q, app);
    int rc = qb_one(c, &q, pool_row, "application", out);
    if (rc == 0 && (rc = enrich(c, *out)) != 0) {
        json_decref(*out);
        *out = NULL;
    }
    return rc;
}

int svc_pool_add(struct svc_ctx *c, json_t *in, json_t **out)
{
    static const char *const fields[] = {"application_id", "tags", NULL};
    int64_t app = 0;
    int rc;
    if ((rc = jv_known(in, fields, c->e)) || (rc = jv_int(in, "application_id", 1, 1, INT64_MAX, &app, NULL, c->e)))
        return rc;
    json_t *tags = json_object_get(in, "tags"), *t;
    size_t i;
    if (tags && (!json_is_array(tags) || json_array_size(tags) > POOL_TAGS_MAX))
        return err_invalid(c->e, "wrong_type", "tags", "tags is a list of at most %d tags", POOL_TAGS_MAX);
    json_array_foreach(tags, i, t)
    {
        char f[24];
        snprintf(f, sizeof(f), "tags[%d]", (int)i);
        if (!json_is_string(t) || (rc = check_text(f, json_string_value(t), POOL_TAG_MAX, 0, c->e)) != 0 ||
            json_string_length(t) == 0)
            return rc ? rc
                      : err_invalid(c->e, "invalid_value", f, "%s must be a tag of 1 to %d characters", f,
                                    POOL_TAG_MAX);
    }
    json_t *a = NULL, *before = NULL, *after = NULL;
    if ((rc = svc_begin(c)) || (rc = svc_app_load_tx(c, app, &a)) || (rc = entry_of(c, app, &before)) ||
        (rc = svc_pool_keep_tx(c, app, tags, "hand")) || (rc = entry_of(c, app, &after)) ||
        (rc = svc_audit(c, "talent_pool.add", "application", app, before, after)) ||
        (rc = svc_event(c, "talent_pool.added", "application", app, after)) || (rc = svc_commit(c)))
        goto done;
    *out = after;
    after = NULL;
done:
    json_decref(a);
    json_decref(before);
    json_decref(after);
    return svc_end(c, rc);
}

int svc_pool_remove(struct svc_ctx *c, int64_t app, json_t **out)
{
    json_t *a = NULL, *before = NULL, *after = NULL;
    int rc = svc_begin(c);
    if (rc != 0 || (rc = svc_app_load_tx(c, app, &a)))
        goto done;
    if (!json_is_true(json_object_get(a, "talent_pool"))) {
        rc = err_set(c->e, ERR_CONFLICT, "not_in_pool", "id", "application %lld is not in the talent pool",
                     (long long)app);
        goto done;
    }
    if ((rc = entry_of(c, app, &before)) || (rc = pool_flag(c, app, 0)) || (rc = entry_of(c, app, &after)) ||
        (rc = svc_audit(c, "talent_pool.remove", "application", app, before, after)) ||
        (rc = svc_event(c, "talent_pool.removed", "application", app, after)) || (rc = svc_commit(c)))
        goto done;
    *out = after;
    after = NULL;
done:
    json_decref(a);
    json_decref(before);
    json_decref(after);
    return svc_end(c, rc);
}

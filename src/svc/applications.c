/* applications.c - applications and their pipeline moves. Every stage
 * change goes through pipeline_check and leaves a stage_history row, an
 * audit row and an outbox event in the same transaction. */
#include "svc/applications.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/pipeline.h"
#include "lib/jsontext.h"
#include "lib/mem.h"
#include "lib/strbuf.h"
#include "lib/timeutil.h"
#include "lib/utf8.h"
#include "svc/org.h"
#include "svc/query.h"
#include "svc/rules.h"
#include "svc/validate.h"
#include "svc/views.h"

#define APP_COLUMNS                                                                                                    \
    "SELECT a.id, a.candidate_id, cd.name, a.position_id, p.code, p.title, o.code, a.stage, a.prev_stage, "            \
    "a.stage_changed_at, a.special_note, a.elimination_reason, a.elimination_note, a.talent_pool, a.created_at, "      \
    "a.updated_at, a.version, a.overall, a.match_score, a.recommendation, a.result_at "
#define APP_SELECT                                                                                                     \
    APP_COLUMNS "FROM application a JOIN candidate cd ON cd.id = a.candidate_id "                                      \
                "JOIN position p ON p.id = a.position_id JOIN org_unit o ON o.id = p.org_unit_id WHERE 1=1"

/* Usernames assigned to application id, sorted; NULL with c->e set on failure. */
static json_t *assignees_of(struct svc_ctx *c, int64_t id)
{
    struct db_stmt *s;
    if (svc_prepare(c,
                    "SELECT u.username FROM application_assignee aa JOIN users u ON u.id = aa.user_id "
                    "WHERE aa.application_id = ? ORDER BY u.username",
                    &s) != 0)
        return NULL;
    db_bind_int64(s, 1, id);
    json_t *a = json_array();
    int rc;
    while ((rc = db_step(s, c->e)) == DB_ROW)
        json_array_append_new(a, json_string(db_col_text(s, 0)));
    db_reset(s);
    if (rc < 0) {
        json_decref(a);
        return NULL;
    }
    return a;
}

/* The representation of the row at s with these assignees (reference stolen). */
static json_t *app_json(struct db_stmt *s, json_t *assignees)
{
    json_t *o =
        json_pack("{s:I,s:I,s:s,s:I,s:s,s:s,s:s,s:s,s:s?,s:o,s:s?,s:s?,s:s?,s:b,s:o,s:o,s:I,s:o}", "id",
                  (json_int_t)db_col_int64(s, 0), "candidate_id", (json_int_t)db_col_int64(s, 1), "candidate_name",
                  db_col_text(s, 2), "position_id", (json_int_t)db_col_int64(s, 3), "position", db_col_text(s, 4),
                  "position_title", db_col_text(s, 5), "org_unit", db_col_text(s, 6), "stage", db_col_text(s, 7),
                  "prev_stage", db_col_text(s, 8), "stage_changed_at", json_time(db_col_int64(s, 9)), "special_note",
                  db_col_text(s, 10), "elimination_reason", db_col_text(s, 11), "elimination_note", db_col_text(s, 12),
                  "talent_pool", db_col_int64(s, 13) != 0, "created_at", json_time(db_col_int64(s, 14)), "updated_at",
                  json_time(db_col_int64(s, 15)), "version", (json_int_t)db_col_int64(s, 16), "assignees", assignees);
    /* what the current AI result concluded; null until there is one */
    json_object_set_new(o, "overall", db_col_isnull(s, 17) ? json_null() : json_integer(db_col_int64(s, 17)));
    json_object_set_new(o, "match_score", db_col_isnull(s, 18) ? json_null() : json_real(db_col_double(s, 18)));
    json_object_set_new(o, "recommendation", db_col_isnull(s, 19) ? json_null() : json_string(db_col_text(s, 19)));
    json_object_set_new(o, "result_at", db_col_isnull(s, 20) ? json_null() : json_time(db_col_int64(s, 20)));
    return o;
}

static json_t *app_row(struct svc_ctx *c, struct db_stmt *s)
{
    json_t *assignees = assignees_of(c, db_col_int64(s, 0));
    return assignees ? app_json(s, assignees) : NULL;
}

#define ASSIGNEE_CHUNK 50 /* ids per query: PostgreSQL statements here take at most 64 parameters */

/* Loads application id as the actor may see it (404 otherwise). */
static int app_load(struct svc_ctx *c, int64_t id, json_t **out)
{
    struct qb q;
    qb_init(&q, APP_SELECT " AND a.id = ?");
    qb_int(&q, id);
    qb_scope_application(&q, c->actor, "a.id");
    return qb_one(c, &q, app_row, "application", out);
}

int svc_app_load_tx(struct svc_ctx *c, int64_t id, json_t **out)
{
    return app_load(c, id, out);
}

int svc_application_get(struct svc_ctx *c, int64_t id, json_t **out)
{
    int rc = svc_begin_read(c);
    if (rc == 0)
        rc = app_load(c, id, out);
    return svc_end(c, rc);
}

/* Runs a statement bound by the caller that returns no rows (or one, ignored). */
static int run(struct svc_ctx *c, struct db_stmt *s)
{
    int rc = db_step(s, c->e);
    db_reset(s);
    return rc < 0 ? rc : 0;
}

/* The pipeline actor for the caller's role; -1 when the role may not act. */
static int actor_kind_of(const struct actor *a)
{
    switch (a->role) {
    case ROLE_ADMIN:
        return ACTOR_ADMIN;
    case ROLE_HR:
        return ACTOR_HR;
    case ROLE_MANAGER:
        return ACTOR_MANAGER;
    case ROLE_INTERVIEWER:
        return ACTOR_INTERVIEWER;
    case ROLE_SYSTEM:
        return ACTOR_SYSTEM;
    default:
        return -1;
    }
}

/* Appends a stage_history row for a move made by the caller. */
static int add_history(struct svc_ctx *c, int64_t app, const char *from, const char *to, const char *reason,
                       const char *note, int kind)
{
    struct db_stmt *s;
    int rc = svc_prepare(c,
                         "INSERT INTO stage_history (application_id, from_stage, to_stage, actor_kind, actor_id, "
                         "reason, note, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                         &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, app);
    db_bind_text(s, 2, from);
    db_bind_text(s, 3, to);
    db_bind_text(s, 4, actor_kind_name(kind < 0 ? ACTOR_SYSTEM : (enum actor_kind)kind));
    if (c->actor->user_id)
        db_bind_int64(s, 5, c->actor->user_id);
    else
        db_bind_null(s, 5);
    db_bind_text(s, 6, reason);
    db_bind_text(s, 7, note);
    db_bind_int64(s, 8, c->now);
    return run(c, s);
}

int svc_app_history_tx(struct svc_ctx *c, int64_t app, const char *from, const char *to, const char *reason,
                       const char *note, enum actor_kind kind)
{
    return add_history(c, app, from, to, reason, note, (int)kind);
}

/* Loads the written application, appends audit and event, commits and
 * hands the new representation to *out. payload NULL means the application. */
static int finish_write(struct svc_ctx *c, int64_t id, const char *action, const char *event, json_t *before,
                        json_t *payload, json_t **out)
{
    json_t *after = NULL;
    int rc;
    if ((rc = app_load(c, id, &after)) || (rc = svc_audit(c, action, "application", id, before, after)) ||
        (rc = svc_event(c, event, "application", id, payload ? payload : after)) || (rc = svc_commit(c))) {
        json_decref(after);
        return rc;
    }
    *out = after;
    return 0;
}

/* Resolves the position by code or id: its id and whether it is open. */
static int position_ref(struct svc_ctx *c, const char *code, int64_t pid, int64_t *id, int *open)
{
    struct db_stmt *s;
    int rc = svc_prepare(
        c, code ? "SELECT id, status FROM position WHERE code = ?" : "SELECT id, status FROM position WHERE id = ?",
        &s);
    if (rc != 0)
        return rc;
    if (code)
        db_bind_text(s, 1, code);
    else
        db_bind_int64(s, 1, pid);
    rc = db_step(s, c->e);
    if (rc == DB_ROW) {
        *id = db_col_int64(s, 0);
        *open = strcmp(db_col_text(s, 1), "open") == 0;
    }
    db_reset(s);
    if (rc == DB_DONE)
        return err_set(c->e, ERR_INVALID, "invalid_reference", code ? "position" : "position_id", "no such position");
    return rc < 0 ? rc : 0;
}

/* First column of the first row of sql run with n (1 or 2) integer
 * parameters a, b; 0 when there is no row. */
static int find_id(struct svc_ctx *c, const char *sql, int n, int64_t a, int64_t b, int64_t *found)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, sql, &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, a);
    if (n > 1)
        db_bind_int64(s, 2, b);
    rc = db_step(s, c->e);
    *found = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_reset(s);
    return rc < 0 ? rc : 0;
}

#define FIND_APPLICATION "SELECT id FROM application WHERE candidate_id = ? AND position_id = ?"

static int duplicate(struct svc_ctx *c, int64_t existing)
{
    int rc = err_set(c->e, ERR_CONFLICT, "duplicate", "position",
                     "the candidate already applied to this position (application %lld)", (long long)existing);
    c->e->existing_id = existing;
    return rc;
}

int svc_app_insert_tx(struct svc_ctx *c, int64_t cand, const char *code, int64_t pid, const char *note, int64_t *id)
{
    int64_t found = 0;
    int open = 0, rc;
    if ((rc = find_id(c, "SELECT id FROM candidate WHERE id = ?", 1, cand, 0, &found)))
        return rc;
    if (!found)
        return err_set(c->e, ERR_INVALID, "invalid_reference", "candidate_id", "no candidate %lld", (long long)cand);
    if ((rc = position_ref(c, code, pid, &pid, &open)))
        return rc;
    if (!open)
        return err_set(c->e, ERR_INVALID, "position_closed", "position", "the position is closed");
    if ((rc = find_id(c, FIND_APPLICATION, 2, cand, pid, &found)))
        return rc;
    if (found)
        return duplicate(c, found);
    return svc_app_insert_new_tx(c, cand, pid, note, id);
}

int svc_app_insert_new_tx(struct svc_ctx *c, int64_t cand, int64_t pid, const char *note, int64_t *id)
{
#define INSERT_APPLICATION                                                                                             \
    "INSERT INTO application (candidate_id, position_id, stage, stage_changed_at, special_note, created_at, "          \
    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
    struct db_stmt *s;
    /* SQLite: without RETURNING (see db_last_insert_id) */
    int rc, sqlite = db_kind(c->db) == DB_SQLITE;
    if ((rc = svc_prepare(c, sqlite ? INSERT_APPLICATION : INSERT_APPLICATION " RETURNING id", &s)))
        return rc;
    db_bind_int64(s, 1, cand);
    db_bind_int64(s, 2, pid);
    db_bind_text(s, 3, stage_name(STAGE_APPLIED));
    db_bind_int64(s, 4, c->now);
    db_bind_text(s, 5, note);
    db_bind_int64(s, 6, c->now);
    db_bind_int64(s, 7, c->now);
    rc = db_step(s, c->e);
    *id = rc == DB_ROW ? db_col_int64(s, 0) : rc == DB_DONE && sqlite ? db_last_insert_id(c->db) : 0;
    db_reset(s);
    if (rc < 0)
        return rc;
    return add_history(c, *id, NULL, stage_name(STAGE_APPLIED), NULL, NULL, actor_kind_of(c->actor));
}

int svc_application_create(struct svc_ctx *c, json_t *in, json_t **out)
{
    static const char *const fields[] = {"candidate_id", "position", "position_id", "special_note", NULL};
    const char *code, *note;
    int64_t cand = 0, pid = 0;
    int has_pid, rc;
    if ((rc = jv_known(in, fields, c->e)) || (rc = jv_int(in, "candidate_id", 1, 1, INT64_MAX, &cand, NULL, c->e)) ||
        (rc = jv_code(in, "position", 0, &code, c->e)) ||
        (rc = jv_int(in, "position_id", 0, 1, INT64_MAX, &pid, &has_pid, c->e)) ||
        (rc = jv_text(in, "special_note", 0, 2000, &note, NULL, c->e)))
        return rc;
    if (!code && !has_pid)
        return err_set(c->e, ERR_INVALID, "required", "position", "position (code) or position_id is required");
    if (code && has_pid)
        return err_set(c->e, ERR_INVALID, NULL, "position_id", "give position or position_id, not both");
    if ((rc = svc_begin(c)) != 0)
        return rc;
    int64_t id = 0, found = 0;
    rc = svc_app_insert_tx(c, cand, code, pid, note, &id);
    if (rc == ERR_CONFLICT && !c->e->existing_id) { /* a concurrent writer won: name its row from a fresh snapshot */
        svc_end(c, 0);
        err_clear(c->e);
        if (svc_begin_read(c) == 0 && position_ref(c, code, pid, &pid, &(int){0}) == 0)
            find_id(c, FIND_APPLICATION, 2, cand, pid, &found);
        rc = duplicate(c, found);
    }
    if (rc == 0)
        rc = finish_write(c, id, "application.create", "application.created", NULL, NULL, out);
    return svc_end(c, rc);
}

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

#define MAX_DIM_FILTERS 8

/* A score range filter: [lo, hi] of one dimension (or of overall / match). */
struct range {
    char key[33];
    double lo, hi;
    int on;
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
    if ((s = q_str(query, "received_since")) && time_parse_rfc3339(s, since) != 0)
        return err_set(c->e, ERR_INVALID, NULL, "received_since",
                       "received_since must be an RFC 3339 time such as 2026-11-20T09:30:00Z");
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
struct app_filter {
    const char *stage, *position, *org, *rec;
    int64_t position_id, candidate_id, since;
    int pool, has_result, unviewed, ndims;
    struct range overall, match, dims[MAX_DIM_FILTERS];
    int rare[MAX_DIM_FILTERS]; /* drive by this dimension's list (IN) rather than probe it (EXISTS) */
    int pg_planned;            /* PostgreSQL: rare and probed dimensions in the forms pg_plan chose */
};

static int filter_params(struct svc_ctx *c, json_t *query, struct app_filter *f)
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
static void app_where(struct svc_ctx *c, struct qb *q, const struct app_filter *f, int hint)
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
/* How many dimension scores a merged walk (list_merged) may expect to read for a page at most;
 * beyond it the filters on the position leave too few of them and the other plans are cheaper. */
#define MERGE_READ_MAX 4000

/* Runs the COUNT(*) query q and sets *n. */
static int count_of(struct svc_ctx *c, struct qb *q, int64_t *n)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, q->sql, &s);
    if (rc != 0)
        return rc;
    qb_bind(q, s);
    rc = db_step(s, c->e);
    *n = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_reset(s);
    return rc < 0 ? rc : 0;
}

/* Appends the filters on the position (position, position_id, department) and a manager's scope
 * (his org subtree), on the position id column pcol and the position's org unit joined as o. Not
 * for an interviewer, whose scope is his assignments. */
static void pos_terms(struct svc_ctx *c, struct qb *q, const struct app_filter *f, const char *pcol)
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
    int rc = svc_prepare(c, q.sql, &s);
    if (rc != 0)
        return rc;
    qb_bind(&q, s);
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
    return f->ndims ? db_exec(c->db, "SET LOCAL plan_cache_mode = force_generic_plan", c->e) : 0;
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
static int app_plan(struct svc_ctx *c, struct app_filter *f, const char *sort, int limit, int *hint, int *drive)
{
    *hint = 0;
    *drive = -1;
    /* filters whose index SQLite would read and sort rather than walk the order's index: in id
     * order that is all but the stage, whose index keeps the ids in order */
    int by_id = !sort || strcmp(sort, "id") == 0 || strcmp(sort, "-id") == 0;
    int indexed = f->position || f->position_id || (!by_id && (f->stage || f->since != INT64_MIN));
    if (db_kind(c->db) == DB_POSTGRES)
        return pg_plan(c, f, limit);
    if (!f->ndims && !indexed)
        return 0;
    int rc = 0;
    /* a merged walk reads about limit + 1 scores of its dimension per share of them the filters
     * on the position leave; other filters could leave any share, so they keep the other plans */
    int mergeable = by_id && !other_filters(f) && c->actor->role != ROLE_INTERVIEWER;
    if (mergeable && f->ndims == 1 && !pos_filtered(c, f) && f->dims[0].lo <= f->dims[0].hi) {
        *drive = 0; /* one range and nothing else: the walk reads limit + 1 scores, whatever the estimate */
        f->rare[0] = 0;
        return 0;
    }
    int64_t best = MERGE_READ_MAX + 1;
    for (int i = 0; i < f->ndims && rc == 0; i++) {
        int64_t all = 0, in = 0;
        rc = dim_estimate(c, f, &f->dims[i], &all, &in, NULL);
        f->rare[i] = all < DIM_DRIVE_MAX;
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
    char arm[160];
    qb_init(&q, APP_COLUMNS "FROM (");
    for (int score = (int)d.lo; score <= (int)d.hi; score++) {
        snprintf(
            arm, sizeof(arm),
            "%sSELECT application_id AS id FROM ai_dim WHERE dim = ?1 AND score = ?2 + %d AND application_id %c ?3",
            score > (int)d.lo ? " UNION ALL " : "", score - (int)d.lo, desc ? '<' : '>');
        qb_sql(&q, arm);
    }
    qb_sql(&q, desc ? " ORDER BY 1 DESC LIMIT -1) AS m" : " ORDER BY 1 LIMIT -1) AS m");
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

/* The list's page queries for query into *pg, as app_plan plans them (in the caller's read transaction).
 * The strings bound point into query. */
static int list_page(struct svc_ctx *c, json_t *query, struct qb_page *pg)
{
    struct app_filter f;
    int hint, drive, limit, rc;
    int64_t unused;
    const char *sort = q_str(query, "sort");
    if ((rc = filter_params(c, query, &f)) || (rc = page_params(q_str(query, "limit"), NULL, &limit, &unused, c->e)) ||
        (rc = app_plan(c, &f, sort, limit, &hint, &drive)))
        return rc;
    if (drive >= 0)
        return merged_page(c, &f, query, drive, pg);
    struct qb q;
    qb_init(&q, APP_SELECT);
    app_where(c, &q, &f, hint);
    return qb_page_plan(&q, query, "a.id", app_sorts, pg, c->e);
}

/* ---- The list's page as JSON text: what json_dumps (JSON_COMPACT, JSON_REAL_PRECISION(15)) writes of
 * the page of app_json's representations, written straight from the rows: building and dumping the
 * JSON values took more than half of a page's time. */

/* Appends s as a JSON string as jansson writes it, or null for NULL. -1 when s is not UTF-8
 * (jansson takes no such string: a row holding one cannot be shown). */
static int jw_str(struct strbuf *b, const char *s)
{
    if (!s) {
        sb_append(b, "null", 4);
        return 0;
    }
    size_t n = strlen(s);
    if (!utf8_valid(s, n))
        return -1;
    char small[1024], *tmp = JSON_QUOTE_MAX(n) <= sizeof(small) ? small : xmalloc(JSON_QUOTE_MAX(n));
    sb_append(b, tmp, json_quote(tmp, s, n));
    if (tmp != small)
        free(tmp);
    return 0;
}

static void jw_int(struct strbuf *b, int64_t v)
{
    char buf[24], *p = buf + sizeof(buf);
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do
        *--p = (char)('0' + u % 10);
    while ((u /= 10) != 0);
    if (v < 0)
        *--p = '-';
    sb_append(b, p, (size_t)(buf + sizeof(buf) - p));
}

/* A real as jansson writes it with precision 15: "%.15g", ".0" added to an integral value, the
 * exponent without '+' or leading zeros. */
static void jw_real(struct strbuf *b, double d)
{
    char buf[40];
    int n = snprintf(buf, sizeof(buf), "%.15g", d);
    if (n < 0 || n >= (int)sizeof(buf) - 3)
        n = 0;
    buf[n] = '\0';
    if (!strchr(buf, '.') && !strchr(buf, 'e')) {
        memcpy(buf + n, ".0", 3);
        n += 2;
    }
    char *start = strchr(buf, 'e');
    if (start) {
        start++;
        char *end = start + 1;
        if (*start == '-')
            start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, (size_t)(buf + n - end) + 1);
            n -= (int)(end - start);
        }
    }
    sb_append(b, buf, (size_t)n);
}

/* A time as json_time writes it ("2026-11-20T09:30:00.000Z", time_format_rfc3339). */
static void jw_time(struct strbuf *b, int64_t ms)
{
    char buf[34];
    buf[0] = '"';
    time_format_rfc3339(ms, buf + 1);
    size_t n = strlen(buf);
    buf[n] = '"';
    sb_append(b, buf, n + 1);
}

/* Appends the list row at s (APP_COLUMNS) as app_json's representation, without the value of
 * "assignees": *cut gets the offset where it goes. -1 for a text that is not UTF-8. */
static int list_row_text(struct strbuf *b, struct db_stmt *s, size_t *cut)
{
    static const char *const texts[] = {
        ",\"position\":", ",\"position_title\":", ",\"org_unit\":", ",\"stage\":", ",\"prev_stage\":"};
    int bad = 0;
    sb_puts(b, "{\"id\":");
    jw_int(b, db_col_int64(s, 0));
    sb_puts(b, ",\"candidate_id\":");
    jw_int(b, db_col_int64(s, 1));
    sb_puts(b, ",\"candidate_name\":");
    bad |= jw_str(b, db_col_text(s, 2));
    sb_puts(b, ",\"position_id\":");
    jw_int(b, db_col_int64(s, 3));
    for (int i = 0; i < 5; i++) {
        sb_puts(b, texts[i]);
        bad |= jw_str(b, db_col_text(s, 4 + i));
    }
    sb_puts(b, ",\"stage_changed_at\":");
    jw_time(b, db_col_int64(s, 9));
    sb_puts(b, ",\"special_note\":");
    bad |= jw_str(b, db_col_text(s, 10));
    sb_puts(b, ",\"elimination_reason\":");
    bad |= jw_str(b, db_col_text(s, 11));
    sb_puts(b, ",\"elimination_note\":");
    bad |= jw_str(b, db_col_text(s, 12));
    sb_puts(b,
            db_col_int64(s, 13) ? ",\"talent_pool\":true,\"created_at\":" : ",\"talent_pool\":false,\"created_at\":");
    jw_time(b, db_col_int64(s, 14));
    sb_puts(b, ",\"updated_at\":");
    jw_time(b, db_col_int64(s, 15));
    sb_puts(b, ",\"version\":");
    jw_int(b, db_col_int64(s, 16));
    sb_puts(b, ",\"assignees\":");
    *cut = b->len;
    sb_puts(b, ",\"overall\":");
    if (db_col_isnull(s, 17))
        sb_puts(b, "null");
    else
        jw_int(b, db_col_int64(s, 17));
    sb_puts(b, ",\"match_score\":");
    if (db_col_isnull(s, 18))
        sb_puts(b, "null");
    else
        jw_real(b, db_col_double(s, 18));
    sb_puts(b, ",\"recommendation\":");
    bad |= jw_str(b, db_col_isnull(s, 19) ? NULL : db_col_text(s, 19));
    sb_puts(b, ",\"result_at\":");
    if (db_col_isnull(s, 20))
        sb_puts(b, "null");
    else
        jw_time(b, db_col_int64(s, 20));
    sb_putc(b, '}');
    return bad ? -1 : 0;
}

#define PAGE_MAX 200 /* page_params' largest limit */

/* A page of list rows as text: row i is rows[at[i], at[i + 1]), its assignees going at cut[i]
 * as names[from[i], to[i]) (the names as JSON strings, comma separated). */
struct list_text {
    struct strbuf rows, names;
    int n;
    int64_t id[PAGE_MAX + 1];
    size_t at[PAGE_MAX + 1], cut[PAGE_MAX], from[PAGE_MAX], to[PAGE_MAX];
};

/* The assignees of the page's rows into t->names, a query per ASSIGNEE_CHUNK rows (as list_assignees). */
static int list_text_assignees(struct svc_ctx *c, struct list_text *t)
{
    int rc = 0;
    for (int from = 0; from < t->n && rc == 0; from += ASSIGNEE_CHUNK) {
        struct db_stmt *s;
        if ((rc = svc_prepare(c,
                              "SELECT aa.application_id, u.username FROM application_assignee aa JOIN users u ON "
                              "u.id = aa.user_id WHERE aa.application_id IN (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
                              "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                              "ORDER BY aa.application_id, u.username",
                              &s)))
            break;
        int to = from + ASSIGNEE_CHUNK < t->n ? from + ASSIGNEE_CHUNK : t->n, at = from, prev = -1;
        for (int i = 0; i < ASSIGNEE_CHUNK; i++) /* places beyond the rows repeat the first id */
            db_bind_int64(s, i + 1, t->id[from + i < to ? from + i : from]);
        while ((rc = db_step(s, c->e)) == DB_ROW) {
            int64_t id = db_col_int64(s, 0);
            for (int k = from; k < to && t->id[at] != id; k++) /* by id: often the same again */
                at = at + 1 < to ? at + 1 : from;
            if (t->id[at] != id)
                continue;
            if (at != prev)
                t->from[at] = t->names.len;
            else
                sb_putc(&t->names, ',');
            if (jw_str(&t->names, db_col_text(s, 1)) != 0) {
                rc = err_set(c->e, ERR_INTERNAL, NULL, NULL, "a username is not UTF-8");
                break;
            }
            t->to[at] = t->names.len;
            prev = at;
        }
        db_reset(s);
        rc = rc < 0 ? rc : 0;
    }
    return rc;
}

/* Runs pg's queries in the caller's read transaction and writes the page ({items, next_cursor}) to out. */
static int list_text_run(struct svc_ctx *c, struct qb_page *pg, struct strbuf *out)
{
    struct list_text *t = xcalloc(1, sizeof(*t));
    struct page_key last = {0};
    int more = 0, rc = 0;
    for (int i = 0; i < pg->nq && !more && rc == 0; i++) {
        struct db_stmt *s;
        if ((rc = svc_prepare(c, pg->qs[i].sql, &s)) != 0)
            break;
        qb_bind(&pg->qs[i], s);
        while ((rc = db_step(s, c->e)) == DB_ROW) {
            if (t->n == pg->limit) {
                more = 1;
                break;
            }
            qb_page_key(pg, s, &last);
            t->id[t->n] = db_col_int64(s, 0);
            t->at[t->n] = t->rows.len;
            if (list_row_text(&t->rows, s, &t->cut[t->n]) != 0) {
                rc = err_set(c->e, ERR_INTERNAL, NULL, NULL, "application %lld holds text that is not UTF-8",
                             (long long)t->id[t->n]);
                break;
            }
            t->n++;
        }
        db_reset(s);
        rc = rc < 0 ? rc : 0;
    }
    t->at[t->n] = t->rows.len;
    if (rc == 0)
        rc = list_text_assignees(c, t);
    if (rc == 0) {
        sb_puts(out, "{\"items\":[");
        for (int i = 0; i < t->n; i++) {
            if (i)
                sb_putc(out, ',');
            sb_append(out, t->rows.p + t->at[i], t->cut[i] - t->at[i]);
            sb_putc(out, '[');
            if (t->to[i] > t->from[i])
                sb_append(out, t->names.p + t->from[i], t->to[i] - t->from[i]);
            sb_putc(out, ']');
            sb_append(out, t->rows.p + t->cut[i], t->at[i + 1] - t->cut[i]);
        }
        char *next = more ? qb_page_next_cursor(pg, &last) : NULL;
        sb_puts(out, "],\"next_cursor\":");
        jw_str(out, next);
        sb_putc(out, '}');
        free(next);
    }
    sb_free(&t->rows);
    sb_free(&t->names);
    free(t);
    return rc;
}

int svc_application_list_text(struct svc_ctx *c, json_t *query, char **text, size_t *len)
{
    struct qb_page *pg = xmalloc(sizeof(*pg));
    struct strbuf out;
    sb_init(&out, 0);
    int rc = svc_begin_read(c); /* one snapshot for the plan and the page */
    if (rc == 0 && (rc = list_page(c, query, pg)) == 0)
        rc = list_text_run(c, pg, &out);
    rc = svc_end(c, rc);
    free(pg);
    *len = out.len;
    *text = sb_steal(&out);
    if (rc != 0) {
        free(*text);
        *text = NULL;
        *len = 0;
    }
    return rc;
}

int svc_application_list(struct svc_ctx *c, json_t *query, json_t **out)
{
    char *text;
    size_t len;
    int rc = svc_application_list_text(c, query, &text, &len);
    if (rc != 0)
        return rc;
    json_error_t je;
    *out = json_loadb(text, len, 0, &je);
    free(text);
    return *out ? 0 : err_set(c->e, ERR_INTERNAL, NULL, NULL, "the list's page does not read back: %s", je.text);
}

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
    if ((rc = svc_begin_read(c)) == 0 && (rc = svc_prepare(c, qb.sql, &s)) == 0) {
        qb_bind(&qb, s);
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

int svc_application_update(struct svc_ctx *c, int64_t id, json_t *in, json_t **out)
{
    static const char *const fields[] = {"special_note", "talent_pool", "version", NULL};
    const char *note;
    int64_t version = 0;
    int has_note, pool = 0, has_pool, has_version, rc;
    if ((rc = jv_known(in, fields, c->e)) || (rc = jv_text(in, "special_note", 0, 2000, &note, &has_note, c->e)) ||
        (rc = jv_bool(in, "talent_pool", &pool, &has_pool, c->e)) ||
        (rc = jv_int(in, "version", 0, 1, INT64_MAX, &version, &has_version, c->e)))
        return rc;
    if ((rc = svc_begin(c)) != 0)
        return rc;
    json_t *before = NULL;
    if ((rc = app_load(c, id, &before)) || (rc = svc_check_version(c, "application", before, has_version, version)))
        goto done;
    struct db_stmt *s;
    if ((rc = svc_prepare(c,
                          "UPDATE application SET special_note = CASE WHEN ? = 1 THEN ? ELSE special_note END, "
                          "talent_pool = CASE WHEN ? = 1 THEN ? ELSE talent_pool END, updated_at = ?, "
                          "version = version + 1 WHERE id = ? AND version = ? RETURNING id",
                          &s)))
        goto done;
    db_bind_int64(s, 1, has_note);
    db_bind_text(s, 2, note);
    db_bind_int64(s, 3, has_pool);
    db_bind_int64(s, 4, pool);
    db_bind_int64(s, 5, c->now);
    db_bind_int64(s, 6, id);
    db_bind_int64(s, 7, json_integer_value(json_object_get(before, "version")));
    rc = svc_step_versioned(c, s, "application", id);
    if (rc >= 0)
        rc = finish_write(c, id, "application.update", "application.updated", before, NULL, out);
done:
    json_decref(before);
    return svc_end(c, rc);
}

/* The position's review flag for application id. */
static int review_required_of(struct svc_ctx *c, int64_t position_id, int *out)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, "SELECT review_required FROM position WHERE id = ?", &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, position_id);
    rc = db_step(s, c->e);
    *out = rc == DB_ROW && db_col_int64(s, 0) != 0;
    db_reset(s);
    return rc < 0 ? rc : 0;
}

int svc_app_move_tx(struct svc_ctx *c, json_t *before, enum stage to, enum actor_kind kind, const char *reason,
                    const char *note)
{
    int64_t id = json_integer_value(json_object_get(before, "id"));
    int review = 0;
    int rc = review_required_of(c, json_integer_value(json_object_get(before, "position_id")), &review);
    if (rc != 0)
        return rc;
    const char *from_s = json_string_value(json_object_get(before, "stage"));
    enum stage from = stage_parse(from_s);
    struct transition_req r = {.from = from, .to = to, .actor = kind, .reason = reason, .review_required = review};
    if ((rc = pipeline_check(&r, c->e)) != 0)
        return rc;
    /* Entering elimination records why; an override back into the pipeline clears it. */
    const char *elim_reason = json_string_value(json_object_get(before, "elimination_reason"));
    const char *elim_note = json_string_value(json_object_get(before, "elimination_note"));
    if (stage_is_eliminated(to) && !stage_is_eliminated(from)) {
        elim_reason = reason;
        elim_note = note;
    } else if (stage_is_eliminated(from) && !stage_is_eliminated(to) && !stage_is_terminal(to)) {
        elim_reason = elim_note = NULL;
    }
    /* What an export reads of the history, kept on the row (migration 011): when it last entered
     * elimination, and when and by whom it last moved to eliminated_pending_export. */
    int entering = stage_is_eliminated(to) && !stage_is_eliminated(from),
        confirming = to == STAGE_ELIMINATED_PENDING_EXPORT;
    struct db_stmt *s;
    if ((rc = svc_prepare(c,
                          "UPDATE application SET stage = ?, prev_stage = ?, stage_changed_at = ?, "
                          "elimination_reason = ?, elimination_note = ?, updated_at = ?, version = version + 1, "
                          "eliminated_at = CASE WHEN ? = 1 THEN ? ELSE eliminated_at END, "
                          "confirmed_at = CASE WHEN ? = 1 THEN ? ELSE confirmed_at END, "
                          "confirmed_by_kind = CASE WHEN ? = 1 THEN ? ELSE confirmed_by_kind END, "
                          "confirmed_by = CASE WHEN ? = 1 THEN ? ELSE confirmed_by END "
                          "WHERE id = ? AND version = ? RETURNING id",
                          &s)))
        return rc;
    db_bind_text(s, 1, stage_name(to));
    db_bind_text(s, 2, from_s);
    db_bind_int64(s, 3, c->now);
    db_bind_text(s, 4, elim_reason);
    db_bind_text(s, 5, elim_note);
    db_bind_int64(s, 6, c->now);
    db_bind_int64(s, 7, entering);
    db_bind_int64(s, 8, c->now);
    db_bind_int64(s, 9, confirming);
    db_bind_int64(s, 10, c->now);
    db_bind_int64(s, 11, confirming);
    db_bind_text(s, 12, actor_kind_name(kind));
    db_bind_int64(s, 13, confirming);
    if (c->actor->user_id)
        db_bind_int64(s, 14, c->actor->user_id);
    else
        db_bind_null(s, 14);
    db_bind_int64(s, 15, id);
    db_bind_int64(s, 16, json_integer_value(json_object_get(before, "version")));
    rc = svc_step_versioned(c, s, "application", id);
    if (rc < 0 || (rc = add_history(c, id, from_s, stage_name(to), reason, note, (int)kind)))
        return rc;
    /* The rules listening to stage changes see this one; the moves rules make themselves do not
     * start them again. */
    return kind == ACTOR_RULE ? 0 : svc_rules_run_tx(c, id, RULE_ON_STAGE, NULL);
}

int svc_application_transition(struct svc_ctx *c, int64_t id, json_t *in, json_t **out)
{
    static const char *const fields[] = {"to", "reason", "note", "version", NULL};
    const char *to_s, *reason, *note;
    int64_t version = 0;
    int has_version, rc;
    if ((rc = jv_known(in, fields, c->e)) || (rc = jv_string(in, "to", 1, 64, &to_s, NULL, c->e)) ||
        (rc = jv_string(in, "reason", 0, 500, &reason, NULL, c->e)) ||
        (rc = jv_text(in, "note", 0, 2000, &note, NULL, c->e)) ||
        (rc = jv_int(in, "version", 0, 1, INT64_MAX, &version, &has_version, c->e)))
        return rc;
    int kind = actor_kind_of(c->actor);
    if (kind < 0)
        return err_set(c->e, ERR_FORBIDDEN, "transition_forbidden", NULL, "this caller may not move applications");
    enum stage to = stage_parse(to_s);
    if (to == STAGE_NONE)
        return err_set(c->e, ERR_INVALID, NULL, "to", "unknown stage %.48s", to_s);
    if ((rc = svc_begin(c)) != 0)
        return rc;
    json_t *before = NULL, *payload = NULL;
    if ((rc = app_load(c, id, &before)) || (rc = svc_check_version(c, "application", before, has_version, version)))
        goto done;
    const char *from_s = json_string_value(json_object_get(before, "stage"));
    payload =
        json_pack("{s:I,s:s,s:s,s:s?}", "id", (json_int_t)id, "from", from_s, "to", stage_name(to), "reason", reason);
    if ((rc = svc_app_move_tx(c, before, to, (enum actor_kind)kind, reason, note)))
        goto done;
    rc = finish_write(c, id, "application.transition", "application.stage_changed", before, payload, out);
done:
    json_decref(before);
    json_decref(payload);
    return svc_end(c, rc);
}

int svc_application_history(struct svc_ctx *c, int64_t id, json_t **out)
{
    json_t *app = NULL, *items = json_array();
    int rc = svc_begin_read(c);
    if (rc != 0 || (rc = app_load(c, id, &app)) != 0)
        goto done;
    struct db_stmt *s;
    if ((rc = svc_prepare(c,
                          "SELECT h.from_stage, h.to_stage, h.actor_kind, u.username, h.reason, h.note, h.at "
                          "FROM stage_history h LEFT JOIN users u ON u.id = h.actor_id "
                          "WHERE h.application_id = ? ORDER BY h.id",
                          &s)))
        goto done;
    db_bind_int64(s, 1, id);
    int64_t by_rule = 0, by_person = 0, by_system = 0, exported_at = 0, completed_at = 0;
    while ((rc = db_step(s, c->e)) == DB_ROW) {
        const char *kind = db_col_text(s, 2), *to = db_col_text(s, 1);
        json_array_append_new(items, json_pack("{s:s?,s:s,s:s,s:s?,s:s?,s:s?,s:o}", "from", db_col_text(s, 0), "to", to,
                                               "actor", kind, "user", db_col_text(s, 3), "reason", db_col_text(s, 4),
                                               "note", db_col_text(s, 5), "at", json_time(db_col_int64(s, 6))));
        int transition = !db_col_isnull(s, 0); /* the first row is the application's creation */
        by_rule += transition && strcmp(kind, "rule") == 0;
        by_system += transition && strcmp(kind, "system") == 0;
        by_person += transition && strcmp(kind, "rule") != 0 && strcmp(kind, "system") != 0;
        if (strcmp(to, "exported") == 0)
            exported_at = db_col_int64(s, 6);
    }
    db_reset(s);
    if (rc < 0)
        goto done;
    /* when the AI interview of the current result was completed */
    if ((rc = svc_prepare(c,
                          "SELECT r.completed_at FROM application a JOIN ai_result r ON r.id = a.result_id "
                          "WHERE a.id = ?",
                          &s)))
        goto done;
    db_bind_int64(s, 1, id);
    if ((rc = db_step(s, c->e)) == DB_ROW)
        completed_at = db_col_int64(s, 0);
    db_reset(s);
    if (rc < 0)
        goto done;
    rc = 0;
    json_t *kpi = json_pack("{s:{s:I,s:I,s:I},s:o,s:o,s:o}", "transitions", "by_rule", (json_int_t)by_rule, "by_person",
                            (json_int_t)by_person, "by_system", (json_int_t)by_system, "ai_completed_at",
                            completed_at ? json_time(completed_at) : json_null(), "exported_at",
                            exported_at ? json_time(exported_at) : json_null(), "completion_to_export_minutes",
                            completed_at && exported_at
                                ? json_real((double)llround((double)(exported_at - completed_at) / 6000.0) / 10.0)
                                : json_null());
    *out = json_pack("{s:O,s:o}", "items", items, "kpi", kpi);
done:
    json_decref(app);
    json_decref(items);
    return svc_end(c, rc);
}

/* Resolves username to an active interviewer's id (422 on field "user" otherwise). */
static int interviewer_id(struct svc_ctx *c, const char *username, int64_t *id)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, "SELECT id, role, disabled FROM users WHERE username = ?", &s);
    if (rc != 0)
        return rc;
    db_bind_text(s, 1, username);
    rc = db_step(s, c->e);
    int is_interviewer = 0, disabled = 0;
    if (rc == DB_ROW) {
        *id = db_col_int64(s, 0);
        is_interviewer = strcmp(db_col_text(s, 1), "interviewer") == 0;
        disabled = db_col_int64(s, 2) != 0;
    }
    db_reset(s);
    if (rc < 0)
        return rc;
    if (rc == DB_DONE)
        return err_set(c->e, ERR_INVALID, "invalid_reference", "user", "no user named %.64s", username);
    if (!is_interviewer)
        return err_set(c->e, ERR_INVALID, "not_interviewer", "user", "%.64s is not an interviewer", username);
    if (disabled)
        return err_set(c->e, ERR_INVALID, "user_disabled", "user", "%.64s is disabled", username);
    return 0;
}

int svc_application_assign(struct svc_ctx *c, int64_t id, json_t *in, json_t **out)
{
    static const char *const fields[] = {"user", NULL};
    const char *user;
    int rc;
    if ((rc = jv_known(in, fields, c->e)) || (rc = jv_string(in, "user", 1, 64, &user, NULL, c->e)))
        return rc;
    if ((rc = svc_begin(c)) != 0)
        return rc;
    json_t *before = NULL, *payload = NULL;
    int64_t uid = 0, found = 0;
    if ((rc = app_load(c, id, &before)) || (rc = interviewer_id(c, user, &uid)) ||
        (rc = find_id(c, "SELECT user_id FROM application_assignee WHERE application_id = ? AND user_id = ?", 2, id,
                      uid, &found)))
        goto done;
    if (found) { /* already assigned: nothing changes, nothing is audited */
        *out = before;
        before = NULL;
        goto done;
    }
    struct db_stmt *s;
    if ((rc = svc_prepare(c, "INSERT INTO application_assignee (application_id, user_id, assigned_at) VALUES (?, ?, ?)",
                          &s)))
        goto done;
    db_bind_int64(s, 1, id);
    db_bind_int64(s, 2, uid);
    db_bind_int64(s, 3, c->now);
    if ((rc = run(c, s)))
        goto done;
    payload = json_pack("{s:I,s:s}", "id", (json_int_t)id, "user", user);
    rc = finish_write(c, id, "application.assign", "application.assigned", before, payload, out);
done:
    json_decref(before);
    json_decref(payload);
    return svc_end(c, rc);
}

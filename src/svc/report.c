/* report.c - see report.h. */
#include "svc/report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"
#include "lib/timeutil.h"

#include "core/pipeline.h"
#include "svc/annotations.h"
#include "svc/applications.h"
#include "svc/candidates.h"
#include "svc/query.h"
#include "svc/read_cache.h"
#include "svc/report_cache.h"
#include "svc/revisions.h"
#include "svc/scores.h"
#include "svc/validate.h"
#include "svc/views.h"

/* ---- the report --------------------------------------------------------------------------------- */

static json_t *position_row(struct svc_ctx *c, struct db_stmt *s)
{
    (void)c;
    json_t *model = json_loads(db_col_text(s, 4), 0, NULL);
    if (!json_is_array(model)) {
        json_decref(model);
        model = json_array();
    }
    return json_pack("{s:I,s:s,s:s,s:s,s:o,s:b}", "id", (json_int_t)db_col_int64(s, 0), "code", db_col_text(s, 1),
                     "title", db_col_text(s, 2), "org_unit", db_col_text(s, 3), "competency_model", model,
                     "show_result_to_candidate", db_col_int64(s, 5) != 0);
}

static int position_load(struct svc_ctx *c, int64_t pid, json_t **out)
{
    struct qb q;
    qb_init(&q, "SELECT p.id, p.code, p.title, o.code, p.competency_json, p.show_result_to_candidate "
                "FROM position p JOIN org_unit o ON o.id = p.org_unit_id WHERE p.id = ?");
    qb_int(&q, pid);
    return qb_one(c, &q, position_row, "position", out);
}

/* The result part of the report: what the vendor sent (without the candidate
 * hints) with the effective scores, percentiles and match report. */
static int result_part(struct svc_ctx *c, const struct scores *sc, json_t **out)
{
    static const char *const keep[] = {"vendor",
                                       "vendor_result_id",
                                       "model_version",
                                       "completed_at",
                                       "vendor_recommendation",
                                       "reason_category",
                                       "video_url",
                                       "key_moments",
                                       "tags",
                                       "transcript",
                                       NULL};
    json_t *o = NULL;
    int rc = scores_json_tx(c, sc, 1, &o);
    if (rc != 0)
        return rc;
    json_object_set_new(o, "id", json_integer(sc->result_id));
    json_object_set_new(o, "version", json_integer(sc->version));
    json_object_set_new(o, "received_at", json_time(sc->received_at));
    for (int i = 0; keep[i]; i++) {
        json_t *v = json_object_get(sc->stored, keep[i]);
        json_object_set(o, keep[i], v ? v : json_null());
    }
    *out = o;
    return 0;
}

static json_t *version_row(struct svc_ctx *c, struct db_stmt *s)
{
    (void)c;
    return json_pack("{s:I,s:I,s:b,s:o,s:o,s:I,s:s?}", "id", (json_int_t)db_col_int64(s, 0), "version",
                     (json_int_t)db_col_int64(s, 1), "is_current", db_col_int64(s, 2) != 0, "received_at",
                     json_time(db_col_int64(s, 3)), "completed_at", json_time(db_col_int64(s, 4)), "overall",
                     (json_int_t)db_col_int64(s, 5), "model_version", db_col_text(s, 6));
}

static int versions_load(struct svc_ctx *c, int64_t app, json_t *into)
{
    struct qb q;
    qb_init(&q, "SELECT id, version, is_current, received_at, completed_at, overall, model_version FROM ai_result "
                "WHERE application_id = ? ORDER BY id");
    qb_int(&q, app);
    return qb_all(c, &q, version_row, into);
}

static json_t *stage_row(struct svc_ctx *c, struct db_stmt *s)
{
    (void)c;
    json_t *o = json_pack("{s:s,s:o,s:s?,s:s,s:s,s:s?,s:s?,s:s?}", "kind", "stage", "at", json_time(db_col_int64(s, 6)),
                          "from", db_col_text(s, 0), "to", db_col_text(s, 1), "actor", db_col_text(s, 2), "user",
                          db_col_text(s, 3), "reason", db_col_text(s, 4), "note", db_col_text(s, 5));
    svc_history_note_code(o, db_col_text(s, 2), db_col_text(s, 5));
    return o;
}

struct entry {
    int64_t ms;
    int rank; /* order within one millisecond: creation, result, stage move, revision */
    size_t seq;
    json_t *o;
};

static int by_time(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    if (x->ms != y->ms)
        return x->ms < y->ms ? -1 : 1;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* An arrival moves the application in the same transaction: in one millisecond
 * the creation comes first, then the result, then the move it caused. */
static int rank_of(json_t *o)
{
    const char *kind = json_string_value(json_object_get(o, "kind"));
    if (strcmp(kind, "stage") == 0)
        return json_is_null(json_object_get(o, "from")) || !json_object_get(o, "from") ? 0 : 2;
    return strcmp(kind, "result") == 0 ? 1 : 3;
}

/* Merges stage history, result arrivals and score revisions into one timeline, oldest first. */
static int timeline_load(struct svc_ctx *c, int64_t app, json_t *versions, json_t *revisions, json_t **out)
{
    json_t *items = json_array();
    struct qb q;
    qb_init(&q, "SELECT h.from_stage, h.to_stage, h.actor_kind, u.username, h.reason, h.note, h.at "
                "FROM stage_history h LEFT JOIN users u ON u.id = h.actor_id WHERE h.application_id = ? ORDER BY h.id");
    qb_int(&q, app);
    int rc = qb_all(c, &q, stage_row, items);
    if (rc != 0) {
        json_decref(items);
        return rc;
    }
    size_t i;
    json_t *v;
    json_array_foreach(versions, i, v)
    {
        json_array_append_new(items, json_pack("{s:s,s:O,s:O,s:O,s:O}", "kind", "result", "at",
                                               json_object_get(v, "received_at"), "result_id", json_object_get(v, "id"),
                                               "version", json_object_get(v, "version"), "overall",
                                               json_object_get(v, "overall")));
    }
    json_array_foreach(revisions, i, v)
    {
        json_t *t = json_copy(v);
        json_object_set_new(t, "kind", json_string("revision"));
        json_array_append_new(items, t);
    }
    size_t n = json_array_size(items);
    struct entry *arr = calloc(n ? n : 1, sizeof(*arr));
    json_array_foreach(items, i, v)
    {
        arr[i].seq = i;
        arr[i].rank = rank_of(v);
        arr[i].o = v;
        if (time_parse_rfc3339(json_string_value(json_object_get(v, "at")), &arr[i].ms) != 0)
            arr[i].ms = 0;
    }
    qsort(arr, n, sizeof(*arr), by_time);
    json_t *sorted = json_array();
    for (i = 0; i < n; i++)
        json_array_append(sorted, arr[i].o);
    free(arr);
    json_decref(items);
    *out = sorted;
    return 0;
}

/* ---- what a report is made of, read in one statement ------------------------------------------------- */

/* The stamp of everything the report shows, who may see it (as qb_scope_application decides) and
 * when the current result arrived, in one read of the application's row and its position's (a
 * single statement is one snapshot: no transaction needed). The application's version goes up with
 * each write of its row (a stage move with its stage history row too; a stored result with the
 * result's facts); its report_stamp with each change of its annotations, revisions, assignees, views,
 * candidate and its annotations' authors' roles, and a result's deletion; the position's version and
 * hist_stamp with its own writes and its histograms' (migrations 013 and 018). The assignee check is
 * made for interviewers only. */
#define STATE_SQL                                                                                                      \
    "SELECT a.version, a.report_stamp, COALESCE(a.result_id, 0), p.version, p.hist_stamp, o.version, "                 \
    "CASE WHEN o.path LIKE ? THEN 1 ELSE 0 END, "                                                                      \
    "CASE WHEN ? = 1 THEN (SELECT COUNT(*) FROM application_assignee aa WHERE aa.application_id = a.id "               \
    "AND aa.user_id = ?) ELSE 0 END, COALESCE(a.result_at, 0) "                                                        \
    "FROM application a JOIN position p ON p.id = a.position_id JOIN org_unit o ON o.id = p.org_unit_id "              \
    "WHERE a.id = ?"

struct report_state {
    int found, visible;
    struct report_stamp st;
    int64_t result_id, result_at;
};

/* Reads application id's stamp and whether the caller may see it. found 0: no such application. */
static int state_read(struct svc_ctx *c, int64_t id, struct report_state *rs)
{
    const struct actor *a = c->actor;
    struct db_stmt *s;
    int rc = svc_prepare(c, STATE_SQL, &s);
    if (rc != 0)
        return rc;
    char like[sizeof(a->org_path) + 2];
    snprintf(like, sizeof(like), "%s%%", a->role == ROLE_MANAGER ? a->org_path : "");
    db_bind_text(s, 1, like);
    db_bind_int64(s, 2, a->role == ROLE_INTERVIEWER);
    db_bind_int64(s, 3, a->user_id);
    db_bind_int64(s, 4, id);
    memset(rs, 0, sizeof(*rs));
    rc = db_step(s, c->e);
    if (rc == DB_ROW) {
        rs->found = 1;
        for (int i = 0; i < REPORT_STAMP_N; i++)
            rs->st.v[i] = db_col_int64(s, i);
        rs->result_id = rs->st.v[2];
        int in_org = db_col_int64(s, REPORT_STAMP_N) != 0, assigned = db_col_int64(s, REPORT_STAMP_N + 1) != 0;
        rs->visible = a->role == ROLE_MANAGER ? in_org : a->role == ROLE_INTERVIEWER ? assigned : 1;
        rs->result_at = db_col_int64(s, REPORT_STAMP_N + 2);
    }
    db_reset(s);
    return rc < 0 ? rc : 0;
}

/* A report_state as one actor read it (svc/read_cache.h): who may see what depends on the role,
 * the user (an interviewer's assignments) and the org path (a manager's subtree), so all three
 * are part of the key. */
struct state_entry {
    uint64_t gen; /* 0: empty */
    int64_t app, user_id;
    enum role role;
    char org_path[sizeof(((struct actor *)0)->org_path)];
    struct report_state rs;
};

/* The slot of (application id, actor a). */
static struct state_entry *state_slot(int64_t id, const struct actor *a)
{
    struct state_entry *t = read_cache_table(READ_CACHE_REPORT_STATE, sizeof(*t));
    if (!t)
        return NULL;
    uint64_t h = read_cache_hash(0xcbf29ce484222325ULL, &id, sizeof(id));
    h = read_cache_hash(h, &a->user_id, sizeof(a->user_id));
    h = read_cache_hash(h, &a->role, sizeof(a->role));
    h = read_cache_hash(h, a->org_path, strlen(a->org_path));
    return &t[h % READ_CACHE_SLOTS];
}

/* state_read outside a transaction, answered from this thread's cache while nothing changed since
 * the read it holds (PostgreSQL in the server only; never for a read that must see the caller's
 * own open transaction). */
static int state_read_cached(struct svc_ctx *c, int64_t id, struct report_state *rs)
{
    uint64_t gen = 0;
    if (!read_cache_on(c, &gen) || db_in_transaction(c->db))
        return state_read(c, id, rs);
    const struct actor *a = c->actor;
    struct state_entry *e = state_slot(id, a);
    if (e && e->gen && e->app == id && e->user_id == a->user_id && e->role == a->role &&
        strcmp(e->org_path, a->org_path) == 0 && read_cache_valid(e->gen)) {
        *rs = e->rs;
        return 0;
    }
    int rc = state_read(c, id, rs);
    if (rc == 0 && e) {
        *e = (struct state_entry){.gen = gen, .app = id, .user_id = a->user_id, .role = a->role, .rs = *rs};
        snprintf(e->org_path, sizeof(e->org_path), "%s", a->org_path);
    }
    return rc;
}

/* Who opened application app's result (user, first and last time), in the open transaction. */
static int viewers_load(struct svc_ctx *c, int64_t app, struct report_viewer **out, size_t *n)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, "SELECT user_id, first_at, last_at FROM result_view WHERE application_id = ?", &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, app);
    size_t cap = 0;
    *out = NULL;
    *n = 0;
    while ((rc = db_step(s, c->e)) == DB_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            *out = xrealloc(*out, cap * sizeof(**out));
        }
        (*out)[(*n)++] = (struct report_viewer){db_col_int64(s, 0), db_col_int64(s, 1), db_col_int64(s, 2)};
    }
    db_reset(s);
    return rc < 0 ? rc : 0;
}

/* Contact data is in clear, in clear but for the id number (managers), or masked (svc_candidate_view_tx):
 * the only part of a report that depends on who reads it, besides "viewed". */
static int view_class(const struct actor *a)
{
    return actor_sees_sensitive(a) ? 0 : a->role == ROLE_MANAGER ? 1 : 2;
}

/* Records that the caller opened application app's result (own small transaction) and reads the
 * application's state after that write in the same transaction (*after). */
static int mark_viewed(struct svc_ctx *c, int64_t app, struct report_state *after)
{
    int rc = svc_begin(c);
    if (rc != 0)
        return rc;
    struct db_stmt *s;
    if ((rc = svc_prepare(c,
                          "INSERT INTO result_view (user_id, application_id, first_at, last_at) VALUES (?, ?, ?, ?) "
                          "ON CONFLICT (user_id, application_id) DO UPDATE SET last_at = excluded.last_at",
                          &s)) == 0) {
        db_bind_int64(s, 1, c->actor->user_id);
        db_bind_int64(s, 2, app);
        db_bind_int64(s, 3, c->now);
        db_bind_int64(s, 4, c->now);
        rc = db_step(s, c->e);
        db_reset(s);
        if (rc >= 0 && (rc = state_read(c, app, after)) == 0)
            rc = svc_commit(c);
    }
    return svc_end(c, rc < 0 ? rc : 0);
}

/* When the view just written is the only change since b was rendered at *before (the write bumped
 * report_stamp by one and nothing else moved), files b again with the caller's view at the new stamp,
 * so that a new viewer costs no second rendering; returns the body to send (b or its new copy). */
static const struct report_body *refile_viewed(int64_t app, int cls, const struct report_state *before,
                                               const struct report_state *after, const struct report_body *b,
                                               int64_t user, int64_t now)
{
    struct report_stamp want = before->st;
    want.v[1]++;
    if (!after->found || memcmp(&want, &after->st, sizeof(want)) != 0)
        return b;
    struct report_viewer *v = xmalloc((b->nviewers + 1) * sizeof(*v));
    size_t n = 0, me = b->nviewers;
    for (size_t i = 0; i < b->nviewers; i++) {
        v[n++] = b->viewers[i];
        if (b->viewers[i].user_id == user)
            me = i;
    }
    if (me == b->nviewers)
        v[n++] = (struct report_viewer){user, now, now};
    else
        v[me].last_at = now;
    const struct report_body *nb = report_cache_put(app, cls, &after->st, b->data, b->len, v, n);
    free(v);
    report_cache_release(b);
    return nb;
}

/* Everything of the report but the view marks, in the open read transaction. */
static int report_load(struct svc_ctx *c, int64_t id, struct scores *sc, json_t *o)
{
    json_t *app = NULL, *v = NULL;
    int rc;
    if ((rc = svc_app_load_tx(c, id, &app)))
        return rc;
    json_object_set_new(o, "application", app);
    if ((rc = svc_candidate_view_tx(c, json_integer_value(json_object_get(app, "candidate_id")), &v)))
        return rc;
    json_object_set_new(o, "candidate", v);
    if ((rc = position_load(c, json_integer_value(json_object_get(app, "position_id")), &v)))
        return rc;
    json_object_set_new(o, "position", v);
    if ((rc = scores_load_tx(c, id, sc)))
        return rc;
    v = json_null();
    if (sc->result_id && (rc = result_part(c, sc, &v)))
        return rc;
    json_object_set_new(o, "result", v);
    json_t *versions = json_array(), *revisions = json_array(), *notes = json_array();
    json_object_set_new(o, "versions", versions);
    json_object_set_new(o, "revisions", revisions);
    json_object_set_new(o, "annotations", notes);
    if ((rc = versions_load(c, id, versions)) || (rc = revisions_list_tx(c, id, revisions)) ||
        (rc = annotations_list_tx(c, id, notes)) || (rc = timeline_load(c, id, versions, revisions, &v)))
        return rc;
    json_object_set_new(o, "timeline", v);
    return 0;
}

/* Renders the report of id (without "viewed") in a read snapshot, files it under the stamp read in
 * the same snapshot and refreshes rs from that snapshot. */
static int render(struct svc_ctx *c, int64_t id, int cls, struct report_state *rs, const struct report_body **out)
{
    struct scores sc = {0};
    struct report_viewer *viewers = NULL;
    size_t nviewers = 0;
    json_t *o = json_object();
    int rc = svc_begin_read(c);
    if (rc == 0 && (rc = state_read(c, id, rs)) == 0 && (rc = report_load(c, id, &sc, o)) == 0)
        rc = viewers_load(c, id, &viewers, &nviewers); /* report_load: 404 for one gone or out of sight */
    scores_free(&sc);
    rc = svc_end(c, rc);
    if (rc == 0) {
        char *text = json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(15));
        size_t n = text ? strlen(text) : 0;
        if (n < 2) {
            rc = err_set(c->e, ERR_INTERNAL, NULL, NULL, "the report cannot be written");
        } else { /* filed without its closing brace: "viewed" follows */
            *out = report_cache_put(id, cls, &rs->st, text, n - 1, viewers, nviewers);
        }
        free(text);
    }
    free(viewers);
    json_decref(o);
    return rc;
}

int svc_application_report_body(struct svc_ctx *c, int64_t id, const struct report_body **body, char *tail,
                                size_t tail_n)
{
    struct report_state rs;
    int cls = view_class(c->actor);
    const struct report_body *b = NULL;
    c->now = time_now_ms();
    int rc = state_read_cached(c, id, &rs);
    if (rc != 0)
        return rc;
    if (rs.found && rs.visible)
        b = report_cache_get(id, cls, &rs.st);
    db_rollback(c->db); /* the read snapshot the caller may have opened around its first read ends here */
    if (!b && (rc = render(c, id, cls, &rs, &b)) != 0)
        return rc;
    /* The caller's view: from the viewers the body was rendered with (a view is a change of the stamp).
     * A view is written the first time the caller opens a result, and again the first time after a
     * newer result arrived: once per (application, viewer, result), not per request. */
    int64_t first = 0, last = 0, viewers = (int64_t)b->nviewers;
    for (size_t i = 0; i < b->nviewers; i++) {
        if (b->viewers[i].user_id == c->actor->user_id) {
            first = b->viewers[i].first_at;
            last = b->viewers[i].last_at;
        }
    }
    if (rs.result_id && c->actor->user_id && (!first || last < rs.result_at)) {
        struct report_state after = {0};
        if ((rc = mark_viewed(c, id, &after)) != 0) {
            report_cache_release(b);
            return rc;
        }
        b = refile_viewed(id, cls, &rs, &after, b, c->actor->user_id, c->now);
        if (!first) {
            first = c->now;
            viewers++;
        }
    }
    char at[40] = "";
    if (first)
        time_format_rfc3339(first, at);
    snprintf(tail, tail_n, ",\"viewed\":{\"by_me\":%s%s%s,\"viewers\":%lld}}", first ? "\"" : "", first ? at : "null",
             first ? "\"" : "", (long long)viewers);
    *body = b;
    return 0;
}

int svc_application_report(struct svc_ctx *c, int64_t id, json_t **out)
{
    const struct report_body *b = NULL;
    char tail[REPORT_TAIL_MAX];
    int rc = svc_application_report_body(c, id, &b, tail, sizeof(tail));
    if (rc != 0)
        return rc;
    size_t tn = strlen(tail), n = b->len + tn;
    char *text = xmalloc(n + 1);
    memcpy(text, b->data, b->len);
    memcpy(text + b->len, tail, tn + 1);
    report_cache_release(b);
    *out = json_loadb(text, n, 0, NULL);
    free(text);
    return *out ? 0 : err_set(c->e, ERR_INTERNAL, NULL, NULL, "the report cannot be read back");
}

/* ---- compare ------------------------------------------------------------------------------------ */

/* Reads "1,2,3" into ids (distinct, positive); *n their count. */
static int parse_ids(const char *s, int64_t ids[COMPARE_MAX], int *n, struct err *e)
{
    *n = 0;
    if (!s || !*s)
        return err_set(e, ERR_INVALID, "required", "ids", "ids is required: application ids separated by commas");
    while (*s) {
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno || end == s || v < 1 || (*end && *end != ','))
            return err_set(e, ERR_INVALID, "invalid_value", "ids", "ids must be application ids separated by commas");
        if (*n == COMPARE_MAX)
            return err_set(e, ERR_INVALID, "too_many", "ids", "compare takes at most %d applications", COMPARE_MAX);
        for (int i = 0; i < *n; i++)
            if (ids[i] == v)
                return err_set(e, ERR_INVALID, "duplicate", "ids", "application %lld is named twice", v);
        ids[(*n)++] = v;
        s = *end ? end + 1 : end;
        if (*end && !*s)
            return err_set(e, ERR_INVALID, "invalid_value", "ids", "ids must be application ids separated by commas");
    }
    return 0;
}

/* Adds key to the array of keys when it is not there yet. */
static void add_key(json_t *keys, const char *key)
{
    size_t i;
    json_t *v;
    json_array_foreach(keys, i, v)
    {
        if (strcmp(json_string_value(v), key) == 0)
            return;
    }
    json_array_append_new(keys, json_string(key));
}

/* One compare column: the application's scores as the report shows them. */
static int compare_item(struct svc_ctx *c, int64_t id, int64_t *pid, json_t *keys, json_t **out)
{
    json_t *app = NULL, *sj = NULL;
    struct scores sc = {0};
    int rc = svc_app_load_tx(c, id, &app);
    if (rc != 0)
        return rc;
    int64_t p = json_integer_value(json_object_get(app, "position_id"));
    if (*pid && p != *pid) {
        rc = err_set(c->e, ERR_INVALID, "different_positions", "ids",
                     "application %lld is for another position: compare applications of one position", (long long)id);
        goto done;
    }
    *pid = p;
    if ((rc = scores_load_tx(c, id, &sc)))
        goto done;
    for (int i = 0; i < sc.nmodel; i++) /* the model's dimensions first */
        add_key(keys, sc.model[i].dim);
    json_t *o = json_pack("{s:I,s:O,s:O,s:b}", "application_id", (json_int_t)id, "candidate_name",
                          json_object_get(app, "candidate_name"), "stage", json_object_get(app, "stage"), "has_result",
                          sc.result_id != 0);
    if (sc.result_id) {
        if ((rc = scores_json_tx(c, &sc, 0, &sj))) {
            json_decref(o);
            goto done;
        }
        json_object_update(o, sj);
        for (int i = 0; i < sc.r.ndims; i++)
            add_key(keys, sc.r.dims[i].key);
    } else {
        json_object_set_new(o, "overall", json_null());
        json_object_set_new(o, "dimensions", json_array());
        json_object_set_new(o, "match", json_null());
    }
    *out = o;
done:
    json_decref(sj);
    json_decref(app);
    scores_free(&sc);
    return rc;
}

int svc_compare(struct svc_ctx *c, json_t *query, json_t **out)
{
    static const char *const params[] = {"ids", NULL};
    int64_t ids[COMPARE_MAX];
    int n = 0;
    int rc;
    if ((rc = jq_known(query, params, c->e)) || (rc = parse_ids(q_str(query, "ids"), ids, &n, c->e)))
        return rc;
    json_t *items = json_array(), *keys = json_array(), *pos = NULL;
    int64_t pid = 0;
    if ((rc = svc_begin_read(c)))
        goto done;
    for (int i = 0; i < n && rc == 0; i++) {
        json_t *item = NULL;
        if ((rc = compare_item(c, ids[i], &pid, keys, &item)) == 0)
            json_array_append_new(items, item);
    }
    if (rc == 0 && (rc = position_load(c, pid, &pos)) == 0) {
        json_object_del(pos, "org_unit");
        json_object_del(pos, "show_result_to_candidate");
        *out = json_pack("{s:o,s:O,s:O}", "position", pos, "dims", keys, "items", items);
    }
done:
    json_decref(items);
    json_decref(keys);
    return svc_end(c, rc);
}

/* ---- reminders ---------------------------------------------------------------------------------- */

#define REMINDER_FROM                                                                                                  \
    " FROM application a JOIN candidate cd ON cd.id = a.candidate_id JOIN position p ON p.id = a.position_id "

/* One reminder item: what waits since column 5, and for how many units. */
static json_t *reminder_row(struct svc_ctx *c, struct db_stmt *s, const char *since_key, const char *age_key,
                            int64_t unit_ms)
{
    int64_t at = db_col_int64(s, 5);
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:o,s:I}", "application_id", (json_int_t)db_col_int64(s, 0),
                     "candidate_name", db_col_text(s, 1), "position", db_col_text(s, 2), "position_title",
                     db_col_text(s, 3), "stage", db_col_text(s, 4), since_key, json_time(at), age_key,
                     (json_int_t)((c->now - at) / unit_ms));
}

static json_t *unopened_row(struct svc_ctx *c, struct db_stmt *s)
{
    return reminder_row(c, s, "result_at", "waiting_hours", 3600000);
}

static json_t *stuck_row(struct svc_ctx *c, struct db_stmt *s)
{
    return reminder_row(c, s, "stage_changed_at", "days_in_stage", 86400000);
}

/* Appends the WHERE part of one reminder (after "WHERE 1=1") bound to cutoff. */
static void reminder_where(struct qb *q, const struct actor *a, int unopened, int64_t cutoff)
{
    if (unopened) {
        qb_sql(q, " AND a.result_id IS NOT NULL AND a.result_at <= ? AND NOT EXISTS (SELECT 1 FROM result_view v "
                  "WHERE v.application_id = a.id AND v.last_at >= a.result_at)");
        qb_int(q, cutoff);
    } else {
        qb_sql(q, " AND a.stage_changed_at <= ? AND a.stage NOT IN (");
        qb_int(q, cutoff);
        int first = 1;
        for (int st = STAGE_NONE + 1; st < STAGE__COUNT; st++) {
            if (!stage_is_terminal((enum stage)st))
                continue;
            qb_sql(q, first ? "?" : ", ?");
            qb_text(q, stage_name((enum stage)st));
            first = 0;
        }
        qb_sql(q, ")");
    }
    qb_scope_application(q, a, "a.id");
}

/* {hours|days: n, count, items} of one reminder. */
static int reminder(struct svc_ctx *c, int unopened, int64_t n, int64_t limit, json_t **out)
{
    int64_t cutoff = c->now - n * (unopened ? 3600000 : 86400000);
    struct qb q;
    json_t *count = json_array(), *items = json_array();
    qb_init(&q, "SELECT COUNT(*)" REMINDER_FROM "WHERE 1=1");
    reminder_where(&q, c->actor, unopened, cutoff);
    int rc = qb_all(c, &q, qb_row_int, count);
    if (rc == 0) {
        qb_init(&q, unopened ? "SELECT a.id, cd.name, p.code, p.title, a.stage, a.result_at" REMINDER_FROM "WHERE 1=1"
                             : "SELECT a.id, cd.name, p.code, p.title, a.stage, a.stage_changed_at" REMINDER_FROM
                               "WHERE 1=1");
        reminder_where(&q, c->actor, unopened, cutoff);
        qb_sql(&q, unopened ? " ORDER BY a.result_at, a.id LIMIT ?" : " ORDER BY a.stage_changed_at, a.id LIMIT ?");
        qb_int(&q, limit);
        rc = qb_all(c, &q, unopened ? unopened_row : stuck_row, items);
    }
    if (rc == 0)
        *out = json_pack("{s:I,s:O,s:O}", unopened ? "hours" : "days", (json_int_t)n, "count", json_array_get(count, 0),
                         "items", items);
    json_decref(count);
    json_decref(items);
    return rc;
}

int svc_reminders(struct svc_ctx *c, json_t *query, json_t **out)
{
    static const char *const params[] = {"unopened_hours", "stuck_days", "limit", NULL};
    int64_t hours, days, limit;
    int rc;
    if ((rc = jq_known(query, params, c->e)) ||
        (rc = q_int_range(query, "unopened_hours", 24, 0, 8760, &hours, c->e)) ||
        (rc = q_int_range(query, "stuck_days", 3, 0, 365, &days, c->e)) ||
        (rc = q_int_range(query, "limit", 50, 1, 200, &limit, c->e)))
        return rc;
    json_t *unopened = NULL, *stuck = NULL;
    if ((rc = svc_begin_read(c)) == 0 && (rc = reminder(c, 1, hours, limit, &unopened)) == 0 &&
        (rc = reminder(c, 0, days, limit, &stuck)) == 0)
        *out = json_pack("{s:o,s:o}", "unopened", unopened, "stuck", stuck);
    else
        json_decref(unopened);
    return svc_end(c, rc);
}

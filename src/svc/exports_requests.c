/* exports_requests.c - the queue of exports requested by rules (svc/exports.h):
 * a rule's export(template) action queues its application; the export worker
 * exports what waits in eliminated_pending_export, one job per template, with
 * every check and record of any other export (xjob_run_tx through
 * svc_export_apps_tx). */
#include "svc/exports_impl.h"

#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"
#include "svc/views.h"

#define REQUEST_BATCH 50000    /* applications one job of queued requests exports, at most */
#define REQUEST_RETRY_MS 60000 /* a failed attempt is tried again after this long */

int svc_export_request_tx(struct svc_ctx *c, int64_t app, const char *tmpl, int64_t rule_id)
{
    struct db_stmt *s;
    int rc = svc_prepare(c,
                         "INSERT INTO export_request (application_id, template, rule_id, requested_at, next_at) "
                         "VALUES (?, ?, ?, ?, ?) ON CONFLICT (application_id) DO UPDATE SET template = "
                         "excluded.template, rule_id = excluded.rule_id, requested_at = excluded.requested_at, "
                         "next_at = excluded.next_at, last_error = NULL, last_error_code = NULL",
                         &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, app);
    db_bind_text(s, 2, tmpl);
    if (rule_id)
        db_bind_int64(s, 3, rule_id);
    else
        db_bind_null(s, 3);
    db_bind_int64(s, 4, c->now);
    db_bind_int64(s, 5, c->now);
    return svc_exec(c, s);
}

/* The first template after after (in byte order) with requests due at now ("" when none). */
static int next_template(struct svc_ctx *c, int64_t now, const char *after, char *out, size_t n)
{
    struct db_stmt *s;
    out[0] = 0;
    int rc = svc_begin_read(c);
    if (rc == 0 && (rc = svc_prepare(c, "SELECT MIN(template) FROM export_request WHERE next_at <= ? AND template > ?",
                                     &s)) == 0) {
        db_bind_int64(s, 1, now);
        db_bind_text(s, 2, after);
        if ((rc = db_step(s, c->e)) == DB_ROW && !db_col_isnull(s, 0))
            snprintf(out, n, "%s", db_col_text(s, 0));
        db_reset(s);
        rc = rc < 0 ? rc : 0;
    }
    return svc_end(c, rc);
}

/* Runs one statement over the due requests of tmpl (bound as ?1 = the error's text and ?2 = its code
 * when e is given, then v, tmpl and the run's time now). */
static int requests_exec(struct svc_ctx *c, const char *sql, int64_t v, const char *tmpl, const struct err *e,
                         int64_t now)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, sql, &s);
    if (rc != 0)
        return rc;
    int i = 1;
    if (e) {
        db_bind_text(s, i++, e->message);
        /* the code the API's error envelope would carry (http/server.c) */
        db_bind_text(s, i++, e->slug[0] ? e->slug : err_default_slug(e->code));
    }
    db_bind_int64(s, i++, v);
    db_bind_text(s, i++, tmpl);
    db_bind_int64(s, i, now);
    return svc_exec(c, s);
}

/* The due requests of a template (?1 the run's time, ?2 the template, ?3 how many) whose application
 * waits in eliminated_pending_export, in application order. */
#define DUE_REQUESTS                                                                                                   \
    "SELECT r.application_id FROM export_request r JOIN application a ON a.id = r.application_id "                     \
    "WHERE r.next_at <= ? AND r.template = ? AND a.stage = 'eliminated_pending_export' "                               \
    "ORDER BY r.application_id LIMIT ?"

/* Exports the due requests of template tmpl that wait in eliminated_pending_export; drops those whose
 * application is no longer eliminated; leaves those under review. *ran: 1 when a job was written. */
static int run_template(struct svc_ctx *c, const char *tmpl, int64_t now, int *ran)
{
    *ran = 0;
    int64_t *ids = NULL;
    size_t n = 0, cap = 0;
    json_t *job = NULL;
    int rc = svc_begin(c);
    if (rc != 0)
        return rc;
    /* requests whose application left the buffer some other way (overridden, exported by hand) */
    if ((rc = requests_exec(c,
                            "DELETE FROM export_request WHERE next_at <= ? AND template = ? AND application_id IN "
                            "(SELECT id FROM application WHERE stage NOT IN ('eliminated_pending_review', "
                            "'eliminated_pending_export')) AND requested_at <= ?",
                            now, tmpl, NULL, now)))
        goto done;
    /* On PostgreSQL the requests are locked: a worker running at the same time (another server, or
     * `talentd export run-due` beside the server's own) waits here and then finds them gone, rather than
     * exporting the same applications again (SQLite has one writer). */
    struct db_stmt *s;
    if ((rc = svc_prepare(c, db_kind(c->db) == DB_POSTGRES ? DUE_REQUESTS " FOR UPDATE OF r" : DUE_REQUESTS, &s)))
        goto done;
    db_bind_int64(s, 1, now);
    db_bind_text(s, 2, tmpl);
    db_bind_int64(s, 3, REQUEST_BATCH);
    while ((rc = db_step(s, c->e)) == DB_ROW) {
        if (n == cap) {
            cap = cap ? cap * 2 : 256;
            ids = xrealloc(ids, cap * sizeof(*ids));
        }
        ids[n++] = db_col_int64(s, 0);
    }
    db_reset(s);
    if (rc < 0)
        goto done;
    if (n > 0) {
        if ((rc = svc_export_apps_tx(c, tmpl, ids, n, "rule", &job)) != 0)
            goto done;
        /* exported, or held back by the completeness check (listed on the job): either way done */
        if ((rc = svc_prepare(c, "DELETE FROM export_request WHERE application_id = ?", &s)))
            goto done;
        for (size_t i = 0; i < n && rc == 0; i++) {
            db_bind_int64(s, 1, ids[i]);
            rc = svc_exec(c, s);
        }
        if (rc != 0)
            goto done;
    }
    if ((rc = svc_commit(c)) == 0)
        *ran = n > 0;
done:
    if (rc != 0 && job)
        svc_export_discard(job);
    json_decref(job);
    free(ids);
    svc_end(c, rc);
    if (rc == 0 || n == 0)
        return rc;
    /* The export was refused (an unacknowledged fairness flag, a missing template...): the requests wait
     * and are tried again later, with the reason kept: its English text and its code (which the UI
     * translates). */
    struct err keep = *c->e;
    int fail = rc;
    err_clear(c->e);
    if ((rc = svc_begin(c)) == 0 &&
        (rc = requests_exec(c,
                            "UPDATE export_request SET last_error = ?, last_error_code = ?, next_at = ? "
                            "WHERE template = ? AND next_at <= ?",
                            now + REQUEST_RETRY_MS, tmpl, &keep, now)) == 0)
        rc = svc_commit(c);
    svc_end(c, rc);
    *c->e = keep;
    return fail;
}

int svc_exports_run_requested(struct svc_ctx *c, int64_t now, int *ran)
{
    int first = 0;
    struct err first_err = {0};
    char tmpl[256] = "";
    *ran = 0;
    for (;;) {
        char after[256];
        int one = 0;
        memcpy(after, tmpl, sizeof(after));
        int rc = next_template(c, now, after, tmpl, sizeof(tmpl));
        if (rc == 0 && !tmpl[0])
            break;
        if (rc == 0) {
            rc = run_template(c, tmpl, now, &one);
            *ran += one;
        }
        if (rc != 0 && !first) {
            first = rc;
            first_err = *c->e;
        }
        err_clear(c->e);
        if (!tmpl[0])
            break; /* the read failed */
    }
    if (first)
        *c->e = first_err;
    return first;
}

/* ------------------------------------------------------------------------
 * the queue as people see it (svc_export_request_list) */

/* A request's state: held while its application is not in eliminated_pending_export (under review, or
 * gone elsewhere until the next run drops it), retrying once an attempt was refused, else waiting. */
#define REQUEST_STATE                                                                                                  \
    "CASE WHEN a.stage <> 'eliminated_pending_export' THEN 'held' WHEN r.last_error IS NOT NULL THEN 'retrying' "      \
    "ELSE 'waiting' END"

#define REQUEST_SELECT                                                                                                 \
    "SELECT r.application_id, a.candidate_id, cd.name, p.code, p.title, a.stage, r.template, r.rule_id, ru.name, "     \
    "r.requested_at, r.next_at, r.last_error, " REQUEST_STATE ", r.last_error_code FROM export_request r "             \
    "JOIN application a ON a.id = r.application_id JOIN candidate cd ON cd.id = a.candidate_id "                       \
    "JOIN position p ON p.id = a.position_id LEFT JOIN rule ru ON ru.id = r.rule_id WHERE 1=1"

static json_t *text_or_null(struct db_stmt *s, int col)
{
    return db_col_isnull(s, col) ? json_null() : json_string(db_col_text(s, col));
}

static json_t *request_row(struct svc_ctx *c, struct db_stmt *s)
{
    (void)c;
    return json_pack(
        "{s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o,s:o,s:s}", "application_id", (json_int_t)db_col_int64(s, 0),
        "candidate_id", (json_int_t)db_col_int64(s, 1), "candidate_name", db_col_text(s, 2), "position",
        db_col_text(s, 3), "position_title", db_col_text(s, 4), "stage", db_col_text(s, 5), "template",
        db_col_text(s, 6), "rule_id", db_col_isnull(s, 7) ? json_null() : json_integer(db_col_int64(s, 7)), "rule",
        text_or_null(s, 8), "requested_at", json_time(db_col_int64(s, 9)), "next_at", json_time(db_col_int64(s, 10)),
        "last_error", text_or_null(s, 11), "last_error_code", text_or_null(s, 13), "state", db_col_text(s, 12));
}

int svc_export_request_list(struct svc_ctx *c, json_t *query, json_t **out)
{
    static const char *const params[] = {"template", "state", "limit", "cursor", NULL};
    int rc = jq_known(query, params, c->e);
    if (rc != 0)
        return rc;
    const char *tmpl = q_str(query, "template"), *state = q_str(query, "state");
    if (tmpl && (rc = check_text("template", tmpl, 100, 0, c->e)) != 0)
        return rc;
    if (state && strcmp(state, "waiting") != 0 && strcmp(state, "retrying") != 0 && strcmp(state, "held") != 0)
        return err_set(c->e, ERR_INVALID, "invalid_value", "state", "state must be waiting, retrying or held");
    struct qb q;
    qb_init(&q, REQUEST_SELECT);
    if (tmpl) {
        qb_sql(&q, " AND r.template = ?");
        qb_text(&q, tmpl);
    }
    if (state) {
        qb_sql(&q, " AND " REQUEST_STATE " = ?");
        qb_text(&q, state);
    }
    return qb_page(c, &q, query, "r.application_id", request_row, out);
}

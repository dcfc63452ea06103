/* check.c - cross-table invariants (svc/check.h). */
#include "svc/check.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/pipeline.h"

/* Appends one mismatch. */
static void add(json_t *list, const char *kind, const char *entity, int64_t id, int64_t app, json_t *extra,
                const char *fmt, ...) __attribute__((format(printf, 7, 8)));
static void add(json_t *list, const char *kind, const char *entity, int64_t id, int64_t app, json_t *extra,
                const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    json_t *m = json_pack("{s:s,s:s,s:I,s:s}", "kind", kind, "entity", entity, "id", (json_int_t)id, "message", msg);
    if (app)
        json_object_set_new(m, "application_id", json_integer(app));
    if (extra)
        json_object_update(m, extra);
    json_decref(extra);
    json_array_append_new(list, m);
}

/* 1 when stage s is one of the stages before an interview has ended. */
static int before_end(enum stage s)
{
    return s == STAGE_APPLIED || s == STAGE_AI_INVITED || s == STAGE_AI_IN_PROGRESS;
}

/* What the stage of an application whose newest session has status st may be; NULL when it agrees. */
static const char *session_expects(const char *st, enum stage s)
{
    if (strcmp(st, "invited") == 0)
        return s == STAGE_AI_INVITED ? NULL : "ai_invited";
    if (strcmp(st, "in_progress") == 0)
        return s == STAGE_AI_IN_PROGRESS ? NULL : "ai_in_progress";
    if (strcmp(st, "completed") == 0)
        return !before_end(s) && s != STAGE_AI_INCOMPLETE ? NULL : "ai_pending_evaluation or a later stage";
    /* incomplete, expired, revoked */
    return !before_end(s) ? NULL : "ai_incomplete or a later stage";
}

static int count(struct svc_ctx *c, const char *sql, int64_t *n)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, sql, &s);
    if (rc != 0)
        return rc;
    rc = db_step(s, c->e);
    *n = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_reset(s);
    return rc < 0 ? rc : 0;
}

static int sessions_vs_stages(struct svc_ctx *c, json_t *list)
{
    struct db_stmt *s;
    int rc = svc_prepare(c,
                         "SELECT s.id, s.application_id, s.status, a.stage FROM interview_session s "
                         "JOIN application a ON a.id = s.application_id "
                         "WHERE s.id = (SELECT MAX(s2.id) FROM interview_session s2 "
                         "WHERE s2.application_id = s.application_id) ORDER BY s.id",
                         &s);
    if (rc != 0)
        return rc;
    while ((rc = db_step(s, c->e)) == DB_ROW) {
        const char *st = db_col_text(s, 2), *stage = db_col_text(s, 3);
        const char *want = session_expects(st, stage_parse(stage));
        if (want)
            add(list, "session_stage", "interview_session", db_col_int64(s, 0), db_col_int64(s, 1),
                json_pack("{s:s,s:s}", "status", st, "stage", stage),
                "interview session %lld is %s but its application %lld is in stage %s (expected %s)",
                (long long)db_col_int64(s, 0), st, (long long)db_col_int64(s, 1), stage, want);
    }
    db_reset(s);
    if (rc < 0)
        return rc;
    if ((rc = svc_prepare(c,
                          "SELECT s.id, s.application_id, s.status, (SELECT MAX(s2.id) FROM interview_session s2 "
                          "WHERE s2.application_id = s.application_id) FROM interview_session s "
                          "WHERE s.status IN ('invited', 'in_progress', 'incomplete') AND s.id < "
                          "(SELECT MAX(s2.id) FROM interview_session s2 WHERE s2.application_id = s.application_id) "
                          "ORDER BY s.id",
                          &s)))
        return rc;
    while ((rc = db_step(s, c->e)) == DB_ROW)
        add(list, "stale_open_session", "interview_session", db_col_int64(s, 0), db_col_int64(s, 1),
            json_pack("{s:s,s:I}", "status", db_col_text(s, 2), "newer_session", (json_int_t)db_col_int64(s, 3)),
            "interview session %lld is still %s although application %lld has a newer session %lld",
            (long long)db_col_int64(s, 0), db_col_text(s, 2), (long long)db_col_int64(s, 1),
            (long long)db_col_int64(s, 3));
    db_reset(s);
    if (rc < 0)
        return rc;
    if ((rc = svc_prepare(c,
                          "SELECT s.id, s.application_id, s.result_id, r.id, r.application_id FROM interview_session s "
                          "LEFT JOIN ai_result r ON r.id = s.result_id WHERE s.result_id IS NOT NULL AND "
                          "(r.id IS NULL OR r.application_id IS NULL OR r.application_id <> s.application_id) "
                          "ORDER BY s.id",
                          &s)))
        return rc;
    while ((rc = db_step(s, c->e)) == DB_ROW) {
        long long id = (long long)db_col_int64(s, 0), app = (long long)db_col_int64(s, 1),
                  res = (long long)db_col_int64(s, 2);
        if (db_col_isnull(s, 3))
            add(list, "session_result", "interview_session", id, app, json_pack("{s:I}", "result_id", res),
                "interview session %lld names result %lld, which does not exist", id, res);
        else if (db_col_isnull(s, 4))
            add(list, "session_result", "interview_session", id, app, json_pack("{s:I}", "result_id", res),
                "interview session %lld names result %lld, which is not attached to any application", id, res);
        else
            add(list, "session_result", "interview_session", id, app,
                json_pack("{s:I,s:I}", "result_id", res, "result_application_id", (json_int_t)db_col_int64(s, 4)),
                "interview session %lld of application %lld names result %lld of application %lld", id, app, res,
                (long long)db_col_int64(s, 4));
    }
    db_reset(s);
    return rc < 0 ? rc : 0;
}

static int headcount(struct svc_ctx *c, json_t *list)
{
    struct db_stmt *s;
    int rc = svc_prepare(c,
                         "SELECT p.id, p.code, p.headcount, COUNT(a.id) FROM position p "
                         "JOIN application a ON a.position_id = p.id AND a.stage = 'hired' "
                         "GROUP BY p.id, p.code, p.headcount HAVING COUNT(a.id) > p.headcount ORDER BY p.id",
                         &s);
    if (rc != 0)
        return rc;
    while ((rc = db_step(s, c->e)) == DB_ROW)
        add(list, "headcount", "position", db_col_int64(s, 0), 0,
            json_pack("{s:s,s:I,s:I}", "code", db_col_text(s, 1), "headcount", (json_int_t)db_col_int64(s, 2), "hired",
                      (json_int_t)db_col_int64(s, 3)),
            "position %s has %lld hired applications for a headcount of %lld", db_col_text(s, 1),
            (long long)db_col_int64(s, 3), (long long)db_col_int64(s, 2));
    db_reset(s);
    return rc < 0 ? rc : 0;
}

static int application_results(struct svc_ctx *c, json_t *list)
{
    struct db_stmt *s;
    int rc = svc_prepare(c,
                         "SELECT a.id, a.result_id, r.id, r.application_id, r.is_current FROM application a "
                         "LEFT JOIN ai_result r ON r.id = a.result_id WHERE a.result_id IS NOT NULL AND "
                         "(r.id IS NULL OR r.application_id IS NULL OR r.application_id <> a.id OR r.is_current = 0) "
                         "ORDER BY a.id",
                         &s);
    if (rc != 0)
        return rc;
    while ((rc = db_step(s, c->e)) == DB_ROW) {
        long long id = (long long)db_col_int64(s, 0), res = (long long)db_col_int64(s, 1);
        json_t *extra = json_pack("{s:I}", "result_id", (json_int_t)res);
        if (db_col_isnull(s, 2)) {
            add(list, "application_result", "application", id, id, extra,
                "application %lld names result %lld, which does not exist", id, res);
        } else if (db_col_isnull(s, 3) || db_col_int64(s, 3) != id) {
            if (!db_col_isnull(s, 3))
                json_object_set_new(extra, "result_application_id", json_integer(db_col_int64(s, 3)));
            if (db_col_isnull(s, 3))
                add(list, "application_result", "application", id, id, extra,
                    "application %lld names result %lld, which belongs to no application", id, res);
            else
                add(list, "application_result", "application", id, id, extra,
                    "application %lld names result %lld, which belongs to application %lld", id, res,
                    (long long)db_col_int64(s, 3));
        } else {
            add(list, "application_result", "application", id, id, extra,
                "application %lld names result %lld, a version that is no longer current", id, res);
        }
    }
    db_reset(s);
    return rc < 0 ? rc : 0;
}

int svc_check(struct svc_ctx *c, json_t **out)
{
    json_t *list = json_array();
    int64_t ns = 0, na = 0, np = 0;
    int rc = svc_begin_read(c);
    if (rc == 0 && (rc = count(c, "SELECT COUNT(*) FROM interview_session", &ns)) == 0 &&
        (rc = count(c, "SELECT COUNT(*) FROM application", &na)) == 0 &&
        (rc = count(c, "SELECT COUNT(*) FROM position", &np)) == 0 && (rc = sessions_vs_stages(c, list)) == 0 &&
        (rc = headcount(c, list)) == 0 && (rc = application_results(c, list)) == 0)
        *out = json_pack("{s:b,s:O,s:{s:I,s:I,s:I}}", "ok", json_array_size(list) == 0, "mismatches", list, "checked",
                         "sessions", (json_int_t)ns, "applications", (json_int_t)na, "positions", (json_int_t)np);
    json_decref(list);
    return svc_end(c, rc);
}

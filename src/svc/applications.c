/* applications.c - applications and their pipeline moves. Every stage
 * change goes through pipeline_check and leaves a stage_history row, an
 * audit row and an outbox event in the same transaction. The list and the
 * counts: applications_query.c and applications_list.c. */
#include "svc/applications.h"

#include <string.h>

#include "svc/applications_impl.h"
#include "svc/auth.h"
#include "svc/rules.h"
#include "svc/views.h"

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

/* Appends a stage_history row for a move made by the caller (queued: in an import's pipeline on
 * PostgreSQL it goes with the next statement that waits). */
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
    return db_queue(s, c->e);
}

int svc_app_history_tx(struct svc_ctx *c, int64_t app, const char *from, const char *to, const char *reason,
                       const char *note, enum actor_kind kind)
{
    return add_history(c, app, from, to, reason, note, (int)kind);
}

const char *svc_history_rule_name(const char *actor, const char *note)
{
    if (!note || !actor || strcmp(actor, "rule") != 0 || strncmp(note, SVC_NOTE_RULE, strlen(SVC_NOTE_RULE)) != 0)
        return NULL;
    return note + strlen(SVC_NOTE_RULE);
}

void svc_history_note_code(json_t *item, const char *actor, const char *note)
{
    const char *rule = svc_history_rule_name(actor, note);
    if (rule) {
        json_object_set_new(item, "note_code", json_string("rule"));
        json_object_set_new(item, "note_params", json_pack("{s:s}", "rule", rule));
        return;
    }
    if (!note || !actor)
        return;
    size_t n = strlen(note), head = strlen(SVC_NOTE_RESULT_HEAD), tail = strlen(SVC_NOTE_RESULT_TAIL);
    if (strcmp(actor, "system") != 0 || n <= head + tail || strncmp(note, SVC_NOTE_RESULT_HEAD, head) != 0 ||
        strcmp(note + n - tail, SVC_NOTE_RESULT_TAIL) != 0)
        return;
    const char *vendor = note + head, *slash = memchr(vendor, '/', n - head - tail);
    if (!slash)
        return;
    json_object_set_new(item, "note_code", json_string("result_received"));
    json_object_set_new(item, "note_params",
                        json_pack("{s:s%,s:s%}", "vendor", vendor, (size_t)(slash - vendor), "vendor_result_id",
                                  slash + 1, (size_t)(note + n - tail - slash - 1)));
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
        json_t *item = json_pack("{s:s?,s:s,s:s,s:s?,s:s?,s:s?,s:o}", "from", db_col_text(s, 0), "to", to, "actor",
                                 kind, "user", db_col_text(s, 3), "reason", db_col_text(s, 4), "note",
                                 db_col_text(s, 5), "at", json_time(db_col_int64(s, 6)));
        svc_history_note_code(item, kind, db_col_text(s, 5));
        json_array_append_new(items, item);
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
                            completed_at && exported_at ? json_minutes(exported_at - completed_at) : json_null());
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

/* Puts user (username) on application id's interviewers (add) or takes them off, in one transaction
 * with its audit row and event; a change that is already so changes nothing and audits nothing. */
static int assignee_change(struct svc_ctx *c, int64_t id, const char *user, int add, json_t **out)
{
    int rc = svc_begin(c);
    if (rc != 0)
        return rc;
    json_t *before = NULL, *payload = NULL;
    int64_t uid = 0, found = 0;
    if ((rc = app_load(c, id, &before)) || (rc = add ? interviewer_id(c, user, &uid) : svc_user_id(c, user, &uid)) ||
        (rc = find_id(c, "SELECT user_id FROM application_assignee WHERE application_id = ? AND user_id = ?", 2, id,
                      uid, &found)))
        goto done;
    if ((found != 0) == add) { /* already so: nothing changes, nothing is audited */
        *out = before;
        before = NULL;
        goto done;
    }
    struct db_stmt *s;
    if ((rc = svc_prepare(
             c,
             add ? "INSERT INTO application_assignee (application_id, user_id, assigned_at) VALUES (?, ?, ?)"
                 : "DELETE FROM application_assignee WHERE application_id = ? AND user_id = ?",
             &s)))
        goto done;
    db_bind_int64(s, 1, id);
    db_bind_int64(s, 2, uid);
    if (add)
        db_bind_int64(s, 3, c->now);
    if ((rc = svc_exec(c, s)))
        goto done;
    payload = json_pack("{s:I,s:s}", "id", (json_int_t)id, "user", user);
    rc = finish_write(c, id, add ? "application.assign" : "application.unassign",
                      add ? "application.assigned" : "application.unassigned", before, payload, out);
done:
    json_decref(before);
    json_decref(payload);
    return svc_end(c, rc);
}

int svc_application_assign(struct svc_ctx *c, int64_t id, json_t *in, json_t **out)
{
    static const char *const fields[] = {"user", NULL};
    const char *user;
    int rc;
    if ((rc = jv_known(in, fields, c->e)) || (rc = jv_string(in, "user", 1, 64, &user, NULL, c->e)))
        return rc;
    return assignee_change(c, id, user, 1, out);
}

int svc_application_unassign(struct svc_ctx *c, int64_t id, const char *user, json_t **out)
{
    return assignee_change(c, id, user, 0, out);
}

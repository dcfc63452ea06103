/* positions.c - positions (job openings) under an org unit, with headcount,
 * status, review flag, competency model and salary band. Salary is visible
 * to admin/hr only; other staff get "redacted": ["salary_min","salary_max"].
 * Managers see only positions in their org subtree. A position may name a
 * default interview question set: a shared one or one of its own. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/result.h"
#include "lib/mem.h"
#include "svc/org.h"
#include "svc/query.h"
#include "svc/question_sets.h"
#include "svc/validate.h"
#include "svc/views.h"

#define POS_SELECT                                                                                                     \
    "SELECT p.id, p.code, p.title, p.description, p.org_unit_id, o.code, p.headcount, p.status, "                      \
    "p.review_required, p.competency_json, p.salary_min, p.salary_max, p.created_at, p.updated_at, p.version, "        \
    "p.show_result_to_candidate, p.question_set_id, qs.code FROM position p JOIN org_unit o ON o.id = p.org_unit_id "  \
    "LEFT JOIN question_set qs ON qs.id = p.question_set_id WHERE 1=1"

#define COMPETENCY_MAX 30
#define SALARY_MAX 1000000000000LL
#define WEIGHT_MAX 1000.0

/* The full representation (salary included), as audited. */
static json_t *pos_row_full(struct svc_ctx *c, struct db_stmt *s)
{
    (void)c;
    json_t *model = json_loads(db_col_text(s, 9), 0, NULL);
    if (!json_is_array(model)) {
        json_decref(model);
        model = json_array();
    }
    int no_set = db_col_isnull(s, 16);
    return json_pack("{s:I,s:s,s:s,s:s,s:I,s:s,s:I,s:s,s:b,s:o,s:o,s:o,s:o,s:o,s:I,s:b,s:o,s:o}", "id",
                     (json_int_t)db_col_int64(s, 0), "code", db_col_text(s, 1), "title", db_col_text(s, 2),
                     "description", db_col_text(s, 3), "org_unit_id", (json_int_t)db_col_int64(s, 4), "org_unit",
                     db_col_text(s, 5), "headcount", (json_int_t)db_col_int64(s, 6), "status", db_col_text(s, 7),
                     "review_required", db_col_int64(s, 8) != 0, "competency_model", model, "salary_min",
                     db_col_isnull(s, 10) ? json_null() : json_integer(db_col_int64(s, 10)), "salary_max",
                     db_col_isnull(s, 11) ? json_null() : json_integer(db_col_int64(s, 11)), "created_at",
                     json_time(db_col_int64(s, 12)), "updated_at", json_time(db_col_int64(s, 13)), "version",
                     (json_int_t)db_col_int64(s, 14), "show_result_to_candidate", db_col_int64(s, 15) != 0,
                     "question_set_id", no_set ? json_null() : json_integer(db_col_int64(s, 16)), "question_set",
                     no_set ? json_null() : json_string(db_col_text(s, 17)));
}

/* Applies the field-level rule for the actor in place; returns o. */
static json_t *pos_view(struct svc_ctx *c, json_t *o)
{
    if (o && !actor_sees_sensitive(c->actor)) {
        json_object_del(o, "salary_min");
        json_object_del(o, "salary_max");
        json_object_set_new(o, "redacted", json_pack("[s,s]", "salary_min", "salary_max"));
    }
    return o;
}

static json_t *pos_row_view(struct svc_ctx *c, struct db_stmt *s)
{
    return pos_view(c, pos_row_full(c, s));
}

/* Loads the full representation; scoped limits it to what the actor may see. */
static int pos_load(struct svc_ctx *c, int64_t id, int scoped, json_t **out)
{
    struct qb q;
    qb_init(&q, POS_SELECT " AND p.id = ?");
    qb_int(&q, id);
    if (scoped)
        qb_scope_position(&q, c->actor, "p.org_unit_id");
    return qb_one(c, &q, pos_row_full, "position", out);
}

int svc_position_get(struct svc_ctx *c, int64_t id, json_t **out)
{
    int rc = svc_begin_read(c);
    if (rc == 0 && (rc = pos_load(c, id, 1, out)) == 0)
        pos_view(c, *out);
    return svc_end(c, rc);
}

int svc_position_id_by_code(struct svc_ctx *c, const char *code, int64_t *id)
{
    return svc_lookup_id(c, "SELECT id FROM position WHERE code = ?", code, "position", "position with code", id);
}

/* The writable columns of a position, filled from defaults or the current
 * row and then overlaid with the request. Strings are borrowed from the
 * request or the loaded row; competency is heap. */
struct pos_fields {
    const char *title, *description, *status;
    int64_t org_unit_id, headcount, salary_min, salary_max, question_set_id; /* 0: no default set */
    int has_salary_min, has_salary_max, review_required, show_result;
    char *competency;
};

static void fields_from_row(json_t *row, struct pos_fields *f)
{
    f->title = json_string_value(json_object_get(row, "title"));
    f->description = json_string_value(json_object_get(row, "description"));
    f->status = json_string_value(json_object_get(row, "status"));
    f->org_unit_id = json_integer_value(json_object_get(row, "org_unit_id"));
    f->headcount = json_integer_value(json_object_get(row, "headcount"));
    f->review_required = json_is_true(json_object_get(row, "review_required"));
    f->show_result = json_is_true(json_object_get(row, "show_result_to_candidate"));
    json_t *smin = json_object_get(row, "salary_min"), *smax = json_object_get(row, "salary_max");
    f->has_salary_min = json_is_integer(smin);
    f->salary_min = json_integer_value(smin);
    f->has_salary_max = json_is_integer(smax);
    f->salary_max = json_integer_value(smax);
    f->competency = json_dumps(json_object_get(row, "competency_model"), JSON_COMPACT);
    f->question_set_id = json_integer_value(json_object_get(row, "question_set_id"));
}

/* Prefixes e->field with "competency_model[i]." after a nested validator failed. */
static int entry_error(struct err *e, size_t i, int rc)
{
    char f[sizeof(e->field)];
    snprintf(f, sizeof(f), "competency_model[%d].%.30s", (int)(i % 1000), e->field);
    snprintf(e->field, sizeof(e->field), "%s", f);
    return rc;
}

/* Validates one {dim, weight, min} entry and appends its normal form to norm. */
static int competency_entry(json_t *v, size_t i, json_t *norm, struct err *e)
{
    static const char *const keys[] = {"dim", "weight", "min", NULL};
    if (!json_is_object(v)) {
        char f[32];
        snprintf(f, sizeof(f), "competency_model[%d]", (int)(i % 1000));
        return err_set(e, ERR_INVALID, "wrong_type", f, "%s must be an object {dim, weight, min}", f);
    }
    const char *dim;
    int64_t min = 0;
    int rc;
    if ((rc = jv_known(v, keys, e)) || (rc = jv_string(v, "dim", 1, RESULT_DIM_KEY_MAX, &dim, NULL, e)) ||
        (rc = jv_int(v, "min", 0, 0, 100, &min, NULL, e)))
        return entry_error(e, i, rc);
    if (!result_dim_key_valid(dim, strlen(dim)))
        return entry_error(e, i,
                           err_set(e, ERR_INVALID, "invalid_dim", "dim",
                                   "dim must be a dimension key ([a-z][a-z0-9_]{0,31}), as results name them"));
    json_t *w = json_object_get(v, "weight");
    if (!w || json_is_null(w))
        return entry_error(e, i, err_set(e, ERR_INVALID, "required", "weight", "weight is required"));
    if (!json_is_number(w))
        return entry_error(e, i, err_set(e, ERR_INVALID, "wrong_type", "weight", "weight must be a number"));
    double weight = json_number_value(w);
    if (!isfinite(weight) || weight <= 0 || weight > WEIGHT_MAX)
        return entry_error(e, i,
                           err_set(e, ERR_INVALID, "out_of_range", "weight",
                                   "weight must be greater than 0 and at most %g", WEIGHT_MAX));
    size_t j;
    json_t *prev;
    json_array_foreach(norm, j, prev)
    {
        if (strcmp(json_string_value(json_object_get(prev, "dim")), dim) == 0)
            return entry_error(e, i,
                               err_set(e, ERR_INVALID, "duplicate_dim", "dim", "dimension %s appears twice", dim));
    }
    json_array_append_new(norm, json_pack("{s:s,s:f,s:I}", "dim", dim, "weight", weight, "min", (json_int_t)min));
    return 0;
}

/* Reads competency_model (absent: unchanged; null: empty) into f->competency. */
static int competency_field(json_t *in, struct pos_fields *f, struct err *e)
{
    json_t *a = json_object_get(in, "competency_model");
    if (!a)
        return 0;
    if (!json_is_null(a) && !json_is_array(a))
        return err_set(e, ERR_INVALID, "wrong_type", "competency_model",
                       "competency_model must be an array of {dim, weight, min}");
    if (json_array_size(a) > COMPETENCY_MAX)
        return err_set(e, ERR_INVALID, "too_many", "competency_model", "competency_model has more than %d dimensions",
                       COMPETENCY_MAX);
    json_t *norm = json_array();
    size_t i;
    json_t *v;
    int rc = 0;
    json_array_foreach(a, i, v)
    {
        if ((rc = competency_entry(v, i, norm, e)) != 0)
            break;
    }
    if (rc == 0) {
        free(f->competency);
        f->competency = json_dumps(norm, JSON_COMPACT);
    }
    json_decref(norm);
    return rc;
}

/* Reads salary_min/salary_max (null clears) and checks the band. */
static int salary_fields(json_t *in, struct pos_fields *f, struct err *e)
{
    int rc, has;
    if (json_object_get(in, "salary_min")) {
        if ((rc = jv_int(in, "salary_min", 0, 0, SALARY_MAX, &f->salary_min, &has, e)))
            return rc;
        f->has_salary_min = has;
    }
    if (json_object_get(in, "salary_max")) {
        if ((rc = jv_int(in, "salary_max", 0, 0, SALARY_MAX, &f->salary_max, &has, e)))
            return rc;
        f->has_salary_max = has;
    }
    if (f->has_salary_min && f->has_salary_max && f->salary_min > f->salary_max)
        return err_set(e, ERR_INVALID, "out_of_range", "salary_max", "salary_max must not be below salary_min");
    return 0;
}

/* A position's status is open or closed (422 otherwise). */
static int check_status(const char *status, struct err *e)
{
    if (strcmp(status, "open") == 0 || strcmp(status, "closed") == 0)
        return 0;
    return err_set(e, ERR_INVALID, NULL, "status", "status must be open or closed");
}

/* Reads question_set (a code; null clears): the set must be shared or belong to position self (0 on create). */
static int question_set_field(struct svc_ctx *c, json_t *in, struct pos_fields *f, int64_t self)
{
    json_t *v = json_object_get(in, "question_set");
    const char *code;
    int rc;
    if (!v)
        return 0;
    if (json_is_null(v)) {
        f->question_set_id = 0;
        return 0;
    }
    if ((rc = jv_code(in, "question_set", 0, &code, c->e)) != 0)
        return rc;
    rc = svc_question_set_id_by_code(c, code, &f->question_set_id);
    if (rc == ERR_NOT_FOUND) {
        err_clear(c->e);
        return err_set(c->e, ERR_INVALID, "invalid_reference", "question_set", "no question set with code %.64s", code);
    }
    struct db_stmt *s;
    if (rc != 0 || (rc = svc_prepare(c, "SELECT position_id FROM question_set WHERE id = ?", &s)) != 0)
        return rc;
    db_bind_int64(s, 1, f->question_set_id);
    rc = db_step(s, c->e);
    int64_t owner = rc == DB_ROW && !db_col_isnull(s, 0) ? db_col_int64(s, 0) : 0;
    db_reset(s);
    if (rc < 0)
        return rc;
    if (owner && owner != self)
        return err_set(c->e, ERR_INVALID, "invalid_reference", "question_set",
                       "question set %.64s belongs to another position; use a shared set or one of this position's",
                       code);
    return 0;
}

/* Overlays the request on f. On create the non-nullable fields are required;
 * on update a present non-nullable field may not be null. self is the position's id (0 on create). */
static int fields_read(struct svc_ctx *c, json_t *in, struct pos_fields *f, int create, int64_t self)
{
    const char *title, *desc, *status, *org;
    int has_desc, rc;
#define NEED(k) (create || json_object_get(in, k) != NULL)
    if ((rc = jv_string(in, "title", NEED("title"), 200, &title, NULL, c->e)) ||
        (rc = jv_text(in, "description", 0, 10000, &desc, &has_desc, c->e)) ||
        (rc = jv_string(in, "status", !create && json_object_get(in, "status"), 16, &status, NULL, c->e)) ||
        (rc = jv_code(in, "org_unit", NEED("org_unit"), &org, c->e)) ||
        (rc = jv_int(in, "headcount", NEED("headcount"), 0, 100000, &f->headcount, NULL, c->e)) ||
        (rc = jv_bool(in, "review_required", &f->review_required, NULL, c->e)) ||
        (rc = jv_bool(in, "show_result_to_candidate", &f->show_result, NULL, c->e)) ||
        (rc = competency_field(in, f, c->e)) || (rc = salary_fields(in, f, c->e)))
        return rc;
#undef NEED
    if (title)
        f->title = title;
    if (has_desc)
        f->description = desc ? desc : "";
    if (status) {
        if ((rc = check_status(status, c->e)) != 0)
            return rc;
        f->status = status;
    }
    if (org) {
        rc = svc_org_id_by_code(c, org, &f->org_unit_id);
        if (rc == ERR_NOT_FOUND) {
            c->e->code = 0;
            return err_set(c->e, ERR_INVALID, "invalid_reference", "org_unit", "no org unit with code %.64s", org);
        }
        if (rc != 0)
            return rc;
    }
    return question_set_field(c, in, f, self);
}

/* Binds f to parameters 1..11 (org_unit_id, title, description, headcount,
 * status, review_required, competency_json, salary_min, salary_max,
 * show_result_to_candidate, question_set_id). */
static void bind_fields(struct db_stmt *s, const struct pos_fields *f)
{
    db_bind_int64(s, 1, f->org_unit_id);
    db_bind_text(s, 2, f->title);
    db_bind_text(s, 3, f->description);
    db_bind_int64(s, 4, f->headcount);
    db_bind_text(s, 5, f->status);
    db_bind_int64(s, 6, f->review_required);
    db_bind_text(s, 7, f->competency);
    if (f->has_salary_min)
        db_bind_int64(s, 8, f->salary_min);
    else
        db_bind_null(s, 8);
    if (f->has_salary_max)
        db_bind_int64(s, 9, f->salary_max);
    else
        db_bind_null(s, 9);
    db_bind_int64(s, 10, f->show_result);
    if (f->question_set_id)
        db_bind_int64(s, 11, f->question_set_id);
    else
        db_bind_null(s, 11);
}

int svc_position_create(struct svc_ctx *c, json_t *in, json_t **out)
{
    static const char *const fields[] = {"code",       "title",           "org_unit",    "headcount",
                                         "status",     "review_required", "description", "competency_model",
                                         "salary_min", "salary_max",      "show_result_to_candidate", "question_set",
                                         NULL};
    const char *code;
    int rc;
    if ((rc = jv_known(in, fields, c->e)) || (rc = jv_code(in, "code", 1, &code, c->e)))
        return rc;
    if ((rc = svc_begin(c)) != 0)
        return rc;
    struct pos_fields f = {.description = "", .status = "open", .competency = xstrdup("[]")};
    json_t *o = NULL;
    int64_t id = 0;
    if ((rc = fields_read(c, in, &f, 1, 0)))
        goto done;
    if ((rc = svc_position_id_by_code(c, code, &id)) == 0) {
        rc = err_set(c->e, ERR_CONFLICT, "duplicate", "code", "a position with code %s already exists", code);
        c->e->existing_id = id;
        goto done;
    }
    if (rc != ERR_NOT_FOUND)
        goto done;
    err_clear(c->e);
    struct db_stmt *s;
    if ((rc = svc_prepare(c,
                          "INSERT INTO position (org_unit_id, title, description, headcount, status, review_required, "
                          "competency_json, salary_min, salary_max, show_result_to_candidate, question_set_id, code, "
                          "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          &s)))
        goto done;
    bind_fields(s, &f);
    db_bind_text(s, 12, code);
    db_bind_int64(s, 13, c->now);
    db_bind_int64(s, 14, c->now);
    rc = db_step(s, c->e);
    id = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_reset(s);
    if (rc == ERR_CONFLICT) {
        rc = svc_duplicate(c, svc_position_id_by_code, code, "code", "position code");
        goto done;
    }
    if (rc < 0 || (rc = pos_load(c, id, 0, &o)) || (rc = svc_audit(c, "position.create", "position", id, NULL, o)) ||
        (rc = svc_event(c, "position.created", "position", id, o)) || (rc = svc_commit(c)))
        goto done;
    *out = pos_view(c, o);
    o = NULL;
done:
    free(f.competency);
    json_decref(o);
    return svc_end(c, rc);
}

int svc_position_list(struct svc_ctx *c, json_t *query, json_t **out)
{
    static const char *const params[] = {"org_unit", "status", "code", "limit", "cursor", NULL};
    int rc = jq_known(query, params, c->e);
    if (rc != 0)
        return rc;
    struct qb q;
    qb_init(&q, POS_SELECT);
    const char *org = q_str(query, "org_unit"), *status = q_str(query, "status"), *code = q_str(query, "code");
    if (org) {
        qb_sql(&q, " AND o.path LIKE (SELECT path FROM org_unit WHERE code = ?) || '%'");
        qb_text(&q, org);
    }
    if (status) {
        if ((rc = check_status(status, c->e)) != 0)
            return rc;
        qb_sql(&q, " AND p.status = ?");
        qb_text(&q, status);
    }
    if (code) {
        qb_sql(&q, " AND p.code = ?");
        qb_text(&q, code);
    }
    qb_scope_position(&q, c->actor, "p.org_unit_id");
    return qb_page(c, &q, query, "p.id", pos_row_view, out);
}

int svc_position_update(struct svc_ctx *c, int64_t id, json_t *in, json_t **out)
{
    static const char *const fields[] = {
        "title",      "org_unit",   "headcount", "status", "review_required", "description", "competency_model",
        "salary_min", "salary_max", "version",   "show_result_to_candidate", "question_set", NULL};
    int64_t version = 0;
    int has_version, rc;
    if ((rc = jv_known(in, fields, c->e)) ||
        (rc = jv_int(in, "version", 0, 1, INT64_MAX, &version, &has_version, c->e)))
        return rc;
    if ((rc = svc_begin(c)) != 0)
        return rc;
    json_t *before = NULL, *after = NULL;
    struct pos_fields f = {0};
    if ((rc = pos_load(c, id, 1, &before)))
        goto done;
    int64_t current = json_integer_value(json_object_get(before, "version"));
    if ((rc = svc_check_version(c, "position", before, has_version, version)) != 0)
        goto done;
    fields_from_row(before, &f);
    if ((rc = fields_read(c, in, &f, 0, id)))
        goto done;
    struct db_stmt *s;
    if ((rc = svc_prepare(c,
                          "UPDATE position SET org_unit_id = ?, title = ?, description = ?, headcount = ?, status = ?, "
                          "review_required = ?, competency_json = ?, salary_min = ?, salary_max = ?, "
                          "show_result_to_candidate = ?, question_set_id = ?, updated_at = ?, "
                          "version = version + 1 WHERE id = ? AND version = ? RETURNING id",
                          &s)))
        goto done;
    bind_fields(s, &f);
    db_bind_int64(s, 12, c->now);
    db_bind_int64(s, 13, id);
    db_bind_int64(s, 14, current);
    rc = svc_step_versioned(c, s, "position", id);
    if (rc < 0 || (rc = pos_load(c, id, 0, &after)) ||
        (rc = svc_audit(c, "position.update", "position", id, before, after)) ||
        (rc = svc_event(c, "position.updated", "position", id, after)) || (rc = svc_commit(c)))
        goto done;
    *out = pos_view(c, after);
    after = NULL;
done:
    free(f.competency);
    json_decref(before);
    json_decref(after);
    return svc_end(c, rc);
}

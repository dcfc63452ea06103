/* exports.c - export templates, export jobs, their files and schedules
 * (svc/exports.h). The engine that writes a job is in exports_run.c, the
 * field catalogue in exports_fields.c, the filter in exports_filter.c. */
#include "svc/exports.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/pipeline.h"
#include "lib/mem.h"
#include "lib/timeutil.h"
#include "svc/exports_impl.h"
#include "svc/org.h"
#include "svc/settings.h"
#include "svc/validate.h"
#include "svc/views.h"

#define NAME_MAX_CHARS 100
#define RUN_DUE_MAX 1000 /* templates one svc_exports_run_due call runs at most */

static char *export_dir;

void svc_exports_set_dir(const char *dir)
{
    free(export_dir);
    export_dir = dir ? xstrdup(dir) : NULL;
}

const char *svc_exports_dir(void)
{
    return export_dir;
}

int svc_export_fields(struct svc_ctx *c, json_t *query, json_t **out)
{
    static const char *const params[] = {NULL};
    int rc = jq_known(query, params, c->e);
    if (rc == 0)
        *out = xf_catalogue_json();
    return rc;
}

/* ------------------------------------------------------------------------
 * templates: representation */

#define T_SELECT                                                                                                       \
    "SELECT t.id, t.name, t.fields_json, t.format, t.lang, t.default_position_id, p.code, t.default_stage, "           \
    "t.schedule_at, t.schedule_filter_json, t.schedule_destination, t.schedule_next_at, t.schedule_last_at, "          \
    "t.schedule_last_export_id, t.schedule_last_error, t.created_by, t.created_at, t.updated_at, t.version, "          \
    "(SELECT value FROM setting WHERE key = 'time_zone'), t.schedule_last_error_code "                                 \
    "FROM export_template t LEFT JOIN position p ON p.id = t.default_position_id WHERE 1=1"

static json_t *time_or_null(struct db_stmt *s, int col)
{
    return db_col_isnull(s, col) ? json_null() : json_time(db_col_int64(s, col));
}

static json_t *t_row(struct svc_ctx *c, struct db_stmt *s)
{
    (void)c;
    json_t *fields = json_loads(db_col_text(s, 2), 0, NULL);
    if (!json_is_array(fields)) {
        json_decref(fields);
        fields = json_array();
    }
    int en = strcmp(db_col_text(s, 4), "en") == 0;
    json_t *columns = json_array();
    size_t i;
    json_t *v;
    json_array_foreach(fields, i, v)
    {
        struct xf f;
        if (xf_resolve(json_string_value(v), &f) == 0)
            json_array_append_new(columns, json_pack("{s:s,s:s}", "key", f.key, "label", f.label[en]));
    }
    json_t *schedule = json_null();
    if (!db_col_isnull(s, 8)) {
        json_t *filter = json_loads(db_col_text(s, 9) ? db_col_text(s, 9) : "{}", 0, NULL);
        schedule = json_pack("{s:s,s:s,s:o,s:s,s:o,s:o,s:o,s:o,s:o}", "daily_at", db_col_text(s, 8), "time_zone",
                             db_col_isnull(s, 19) ? SETTINGS_DEFAULT_TIME_ZONE : db_col_text(s, 19), "filter",
                             filter ? filter : json_object(), "destination",
                             db_col_text(s, 10) ? db_col_text(s, 10) : "download", "next_run_at", time_or_null(s, 11),
                             "last_run_at", time_or_null(s, 12), "last_export_id",
                             db_col_isnull(s, 13) ? json_null() : json_integer(db_col_int64(s, 13)), "last_error",
                             db_col_isnull(s, 14) ? json_null() : json_string(db_col_text(s, 14)), "last_error_code",
                             db_col_isnull(s, 20) ? json_null() : json_string(db_col_text(s, 20)));
    }
    return json_pack("{s:I,s:s,s:o,s:o,s:s,s:s,s:o,s:o,s:o,s:s,s:o,s:o,s:I}", "id", (json_int_t)db_col_int64(s, 0),
                     "name", db_col_text(s, 1), "fields", fields, "columns", columns, "format", db_col_text(s, 3),
                     "lang", db_col_text(s, 4), "default_position",
                     db_col_isnull(s, 5) ? json_null() : json_string(db_col_text(s, 6)), "default_stage",
                     db_col_isnull(s, 7) ? json_null() : json_string(db_col_text(s, 7)), "schedule", schedule,
                     "created_by", db_col_text(s, 15), "created_at", json_time(db_col_int64(s, 16)), "updated_at",
                     json_time(db_col_int64(s, 17)), "version", (json_int_t)db_col_int64(s, 18));
}

static int t_load(struct svc_ctx *c, int64_t id, json_t **out)
{
    struct qb q;
    qb_init(&q, T_SELECT " AND t.id = ?");
    qb_int(&q, id);
    return qb_one(c, &q, t_row, "export template", out);
}

static int t_id_by_name(struct svc_ctx *c, const char *name, int64_t *id)
{
    return svc_lookup_id(c, "SELECT id FROM export_template WHERE name = ?", name, "name", "export template named", id);
}

/* The template named by ref: its name, else (all digits) its id. ERR_NOT_FOUND on field. */
static int t_resolve(struct svc_ctx *c, const char *ref, const char *field, json_t **out)
{
    int64_t id = 0;
    int rc = t_id_by_name(c, ref, &id);
    if (rc == ERR_NOT_FOUND && *ref && strspn(ref, "0123456789") == strlen(ref) && strlen(ref) < 19) {
        err_clear(c->e);
        id = strtoll(ref, NULL, 10);
        rc = 0;
    }
    if (rc == 0)
        rc = t_load(c, id, out);
    if (rc == ERR_NOT_FOUND) {
        err_clear(c->e);
        rc = err_set(c->e, ERR_INVALID, "invalid_reference", field, "no export template %.64s", ref);
    }
    return rc;
}

int svc_export_template_exists_tx(struct svc_ctx *c, const char *ref, const char *field)
{
    json_t *t = NULL;
    int rc = t_resolve(c, ref, field, &t);
    json_decref(t);
    return rc;
}

int svc_export_template_get(struct svc_ctx *c, int64_t id, json_t **out)
{
    int rc = svc_begin_read(c);
    if (rc == 0)
        rc = t_load(c, id, out);
    return svc_end(c, rc);
}

int svc_export_template_list(struct svc_ctx *c, json_t *query, json_t **out)
{
    static const char *const params[] = {"name", "format", "limit", "cursor", NULL};
    int rc = jq_known(query, params, c->e);
    if (rc != 0)
        return rc;
    struct qb q;
    qb_init(&q, T_SELECT);
    const char *name = q_str(query, "name"), *format = q_str(query, "format");
    if (name) {
        qb_sql(&q, " AND t.name = ?");
        qb_text(&q, name);
    }
    if (format) {
        qb_sql(&q, " AND t.format = ?");
        qb_text(&q, format);
    }
    return qb_page(c, &q, query, "t.id", t_row, out);
}

/* ------------------------------------------------------------------------
 * templates: validation */

struct tmpl {
    const char *name;
    json_t *fields; /* owned copy */
    enum export_format format;
    int en;
    int has_pos, has_stage, has_schedule;
    const char *pos_code, *stage;
    int64_t pos_id;
    char at[6];      /* "" = no schedule */
    int64_t next_at; /* when it runs next (computed in the organisation's time zone) */
    json_t *filter;  /* owned, normalised */
    int to_directory;
};

static void tmpl_free(struct tmpl *t)
{
    json_decref(t->fields);
    json_decref(t->filter);
}

static int fields_read(json_t *in, json_t **out, struct err *e)
{
    json_t *a = json_object_get(in, "fields");
    if (!json_is_array(a))
        return err_set(e, ERR_INVALID, a ? "wrong_type" : "required", "fields",
                       "fields must be an array of export field keys (GET /api/v1/export-fields)");
    if (json_array_size(a) < 1 || json_array_size(a) > EXPORT_MAX_COLUMNS)
        return err_set(e, ERR_INVALID, json_array_size(a) ? "too_many" : "required", "fields",
                       "fields must name 1 to %d export fields", EXPORT_MAX_COLUMNS);
    size_t i, j;
    json_t *v, *w;
    json_array_foreach(a, i, v)
    {
        char f[32];
        snprintf(f, sizeof(f), "fields[%d]", (int)i);
        struct xf x;
        if (!json_is_string(v))
            return err_set(e, ERR_INVALID, "wrong_type", f, "%s must be an export field key", f);
        if (xf_resolve(json_string_value(v), &x) != 0)
            return err_set(e, ERR_INVALID, "unknown_field", f, "unknown export field \"%.64s\" (%s)",
                           json_string_value(v), f);
        json_array_foreach(a, j, w)
        {
            if (j < i && strcmp(json_string_value(w), json_string_value(v)) == 0)
                return err_set(e, ERR_INVALID, "duplicate", f, "export field %.64s appears twice",
                               json_string_value(v));
        }
    }
    *out = json_deep_copy(a);
    return 0;
}

/* "HH:MM" (00:00..23:59) into out. */
static int daily_at_read(json_t *sched, char out[6], struct err *e)
{
    const char *s = json_string_value(json_object_get(sched, "daily_at"));
    if (!s || strlen(s) != 5 || s[2] != ':' || s[0] < '0' || s[0] > '2' || s[1] < '0' || s[1] > '9' || s[3] < '0' ||
        s[3] > '5' || s[4] < '0' || s[4] > '9' || (s[0] == '2' && s[1] > '3'))
        return err_set(
            e, ERR_INVALID, s ? "invalid_value" : "required", "schedule.daily_at",
            "schedule.daily_at must be a time of day HH:MM (00:00 to 23:59) in the organisation's time zone");
    memcpy(out, s, 6);
    return 0;
}

static int destination_read(json_t *in, const char *key, const char *field, int *to_dir, struct err *e)
{
    json_t *v = json_object_get(in, key);
    *to_dir = 0;
    if (!v || json_is_null(v))
        return 0;
    const char *s = json_string_value(v);
    if (s && strcmp(s, "directory") == 0)
        *to_dir = 1;
    else if (!s || strcmp(s, "download") != 0)
        return err_set(e, ERR_INVALID, "invalid_value", field, "%s must be download or directory", field);
    return 0;
}

static int schedule_read(struct svc_ctx *c, json_t *in, struct tmpl *t)
{
    static const char *const keys[] = {"daily_at", "filter", "destination", NULL};
    json_t *s = json_object_get(in, "schedule");
    t->has_schedule = s != NULL;
    if (!s || json_is_null(s))
        return 0;
    if (!json_is_object(s))
        return err_set(c->e, ERR_INVALID, "wrong_type", "schedule",
                       "schedule must be null or {daily_at: \"HH:MM\", filter, destination}");
    int rc;
    if ((rc = jv_known(s, keys, c->e)) != 0) {
        char f[64];
        snprintf(f, sizeof(f), "schedule.%.50s", c->e->field);
        snprintf(c->e->field, sizeof(c->e->field), "%s", f);
        return rc;
    }
    if ((rc = daily_at_read(s, t->at, c->e)) ||
        (rc = destination_read(s, "destination", "schedule.destination", &t->to_directory, c->e)) ||
        (rc = xfilter_normalise(c, json_object_get(s, "filter"), "schedule.filter", &t->filter)))
        return rc;
    return 0;
}

/* Reads a create (create = 1) or update document into t. */
static int tmpl_read(struct svc_ctx *c, json_t *in, int create, struct tmpl *t)
{
    static const char *const keys[] = {"name",          "fields",   "format",  "lang", "default_position",
                                       "default_stage", "schedule", "version", NULL};
    memset(t, 0, sizeof(*t));
    t->format = EXPORT_CSV;
    int rc;
    if ((rc = jv_known(in, keys, c->e)) ||
        (rc = jv_string(in, "name", create || json_object_get(in, "name"), NAME_MAX_CHARS, &t->name, NULL, c->e)))
        return rc;
    if ((create || json_object_get(in, "fields")) && (rc = fields_read(in, &t->fields, c->e)))
        return rc;
    json_t *v = json_object_get(in, "format");
    if (v && !json_is_null(v) && !(t->format = export_format_parse(json_string_value(v))))
        return err_set(c->e, ERR_INVALID, "invalid_value", "format", "format must be csv, xlsx or jsonl");
    v = json_object_get(in, "lang");
    if (v && !json_is_null(v)) {
        const char *l = json_string_value(v);
        if (!l || (strcmp(l, "zh") != 0 && strcmp(l, "en") != 0))
            return err_set(c->e, ERR_INVALID, "invalid_value", "lang", "lang must be zh or en");
        t->en = strcmp(l, "en") == 0;
    }
    v = json_object_get(in, "default_position");
    t->has_pos = v != NULL;
    if (v && !json_is_null(v) && (rc = jv_code(in, "default_position", 0, &t->pos_code, c->e)))
        return rc;
    v = json_object_get(in, "default_stage");
    t->has_stage = v != NULL;
    if (v && !json_is_null(v)) {
        t->stage = json_string_value(v);
        if (!t->stage || stage_parse(t->stage) == STAGE_NONE)
            return err_set(c->e, ERR_INVALID, "invalid_value", "default_stage", "default_stage must be a stage name");
    }
    return schedule_read(c, in, t);
}

/* *out = the next time HH:MM comes after now in the organisation's time zone (see tz_next_local_time
 * for the DST gaps and overlaps). In the caller's transaction. */
static int next_daily(struct svc_ctx *c, const char *at, int64_t now, int64_t *out)
{
    int hh, mm;
    settings_hhmm(at, &hh, &mm);
    return svc_org_next_local_time(c, hh, mm, now, out);
}

/* Resolves the default position's code, and refuses a default another template already is. */
static int check_defaults(struct svc_ctx *c, struct tmpl *t, int64_t self)
{
    int rc;
    if (t->pos_code) {
        if ((rc = svc_position_id_by_code(c, t->pos_code, &t->pos_id)) == ERR_NOT_FOUND) {
            err_clear(c->e);
            return err_set(c->e, ERR_INVALID, "invalid_reference", "default_position", "no position with code %.64s",
                           t->pos_code);
        }
        if (rc != 0)
            return rc;
    }
    struct {
        int on;
        const char *sql, *field, *what;
    } checks[] = {
        {t->pos_code != NULL, "SELECT id, name FROM export_template WHERE default_position_id = ? AND id <> ?",
         "default_position", "position"},
        {t->stage != NULL, "SELECT id, name FROM export_template WHERE default_stage = ? AND id <> ?", "default_stage",
         "stage"},
    };
    for (int i = 0; i < 2; i++) {
        if (!checks[i].on)
            continue;
        struct db_stmt *s;
        if ((rc = svc_prepare(c, checks[i].sql, &s)) != 0)
            return rc;
        if (i == 0)
            db_bind_int64(s, 1, t->pos_id);
        else
            db_bind_text(s, 1, t->stage);
        db_bind_int64(s, 2, self);
        rc = db_step(s, c->e);
        if (rc == DB_ROW) {
            int64_t other = db_col_int64(s, 0);
            rc =
                err_set(c->e, ERR_CONFLICT, "duplicate", checks[i].field,
                        "export template %.100s is already the default for this %s", db_col_text(s, 1), checks[i].what);
            c->e->existing_id = other;
        }
        db_reset(s);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Binds the schedule columns at first..first+3: at, filter, destination, next_at. */
static void bind_schedule(struct db_stmt *s, int first, const struct tmpl *t)
{
    if (!t->at[0]) {
        for (int i = 0; i < 4; i++)
            db_bind_null(s, first + i);
        return;
    }
    char *f = json_dumps(t->filter, JSON_COMPACT | JSON_SORT_KEYS);
    db_bind_text(s, first, t->at);
    db_bind_text(s, first + 1, f);
    db_bind_text(s, first + 2, t->to_directory ? "directory" : "download");
    db_bind_int64(s, first + 3, t->next_at);
    free(f);
}

/* ------------------------------------------------------------------------
 * templates: writes */

int svc_export_template_create(struct svc_ctx *c, json_t *in, json_t **out)
{
    struct tmpl t;
    json_t *o = NULL;
    int64_t id = 0;
    int rc = tmpl_read(c, in, 1, &t);
    if (rc != 0)
        goto fail;
    if (json_object_get(in, "version")) {
        rc = err_set(c->e, ERR_INVALID, "unknown_field", "version", "version is not taken on create");
        goto fail;
    }
    if ((rc = svc_begin(c)) != 0)
        goto fail;
    if ((rc = check_defaults(c, &t, 0)) != 0 || (t.at[0] && (rc = next_daily(c, t.at, c->now, &t.next_at))))
        goto done;
    if ((rc = t_id_by_name(c, t.name, &id)) == 0) {
        rc = err_set(c->e, ERR_CONFLICT, "duplicate", "name", "an export template named %.100s already exists", t.name);
        c->e->existing_id = id;
        goto done;
    }
    if (rc != ERR_NOT_FOUND)
        goto done;
    err_clear(c->e);
    struct db_stmt *s;
    if ((rc = svc_prepare(c,
                          "INSERT INTO export_template (name, fields_json, format, lang, default_position_id, "
                          "default_stage, schedule_at, schedule_filter_json, schedule_destination, schedule_next_at, "
                          "created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                          "RETURNING id",
                          &s)))
        goto done;
    char *fields = json_dumps(t.fields, JSON_COMPACT), label[160];
    actor_label(c->actor, label, sizeof(label));
    db_bind_text(s, 1, t.name);
    db_bind_text(s, 2, fields);
    db_bind_text(s, 3, export_format_name(t.format));
    db_bind_text(s, 4, t.en ? "en" : "zh");
    if (t.pos_code)
        db_bind_int64(s, 5, t.pos_id);
    else
        db_bind_null(s, 5);
    db_bind_text(s, 6, t.stage);
    bind_schedule(s, 7, &t);
    db_bind_text(s, 11, label);
    db_bind_int64(s, 12, c->now);
    db_bind_int64(s, 13, c->now);
    rc = db_step(s, c->e);
    id = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_reset(s);
    free(fields);
    if (rc == ERR_CONFLICT) {
        rc = svc_duplicate(c, t_id_by_name, t.name, "name", "export template");
        goto done;
    }
    if (rc < 0 || (rc = t_load(c, id, &o)) ||
        (rc = svc_audit(c, "export_template.create", "export_template", id, NULL, o)) ||
        (rc = svc_event(c, "export_template.created", "export_template", id, o)) || (rc = svc_commit(c)))
        goto done;
    *out = o;
    o = NULL;
done:
    json_decref(o);
    tmpl_free(&t);
    return svc_end(c, rc);
fail:
    tmpl_free(&t);
    return rc;
}

int svc_export_template_update(struct svc_ctx *c, int64_t id, json_t *in, json_t **out)
{
    struct tmpl t;
    json_t *before = NULL, *after = NULL;
    int64_t version = 0;
    int has_version = 0;
    int rc = tmpl_read(c, in, 0, &t);
    if (rc == 0)
        rc = jv_int(in, "version", 0, 1, INT64_MAX, &version, &has_version, c->e);
    if (rc != 0) {
        tmpl_free(&t);
        return rc;
    }
    if ((rc = svc_begin(c)) != 0)
        goto done;
    if ((rc = t_load(c, id, &before)) || (rc = svc_check_version(c, "export template", before, has_version, version)))
        goto done;
    /* what the document leaves out stays */
    if (!t.name)
        t.name = json_string_value(json_object_get(before, "name"));
    if (!t.fields)
        t.fields = json_deep_copy(json_object_get(before, "fields"));
    if (!json_object_get(in, "format") || json_is_null(json_object_get(in, "format")))
        t.format = export_format_parse(json_string_value(json_object_get(before, "format")));
    if (!json_object_get(in, "lang") || json_is_null(json_object_get(in, "lang")))
        t.en = strcmp(json_string_value(json_object_get(before, "lang")), "en") == 0;
    if (!t.has_pos)
        t.pos_code = json_string_value(json_object_get(before, "default_position"));
    if (!t.has_stage)
        t.stage = json_string_value(json_object_get(before, "default_stage"));
    json_t *sched = json_object_get(before, "schedule");
    int keep_next = 0;
    if (!t.has_schedule && json_is_object(sched)) { /* unchanged: keep it and its next run */
        snprintf(t.at, sizeof(t.at), "%s", json_string_value(json_object_get(sched, "daily_at")));
        t.filter = json_deep_copy(json_object_get(sched, "filter"));
        t.to_directory = strcmp(json_string_value(json_object_get(sched, "destination")), "directory") == 0;
        keep_next = 1;
    }
    if ((rc = check_defaults(c, &t, id)) != 0 || (t.at[0] && (rc = next_daily(c, t.at, c->now, &t.next_at))))
        goto done;
    int64_t other = 0;
    if ((rc = t_id_by_name(c, t.name, &other)) == 0 && other != id) {
        rc = err_set(c->e, ERR_CONFLICT, "duplicate", "name", "an export template named %.100s already exists", t.name);
        c->e->existing_id = other;
        goto done;
    }
    if (rc != 0 && rc != ERR_NOT_FOUND)
        goto done;
    err_clear(c->e);
    struct db_stmt *s;
    if ((rc = svc_prepare(
             c,
             "UPDATE export_template SET name = ?, fields_json = ?, format = ?, lang = ?, "
             "default_position_id = ?, default_stage = ?, schedule_at = ?, schedule_filter_json = ?, "
             "schedule_destination = ?, schedule_next_at = CASE WHEN ? = 1 THEN schedule_next_at ELSE ? END, "
             "updated_at = ?, version = version + 1 WHERE id = ? AND version = ? RETURNING id",
             &s)))
        goto done;
    char *fields = json_dumps(t.fields, JSON_COMPACT);
    db_bind_text(s, 1, t.name);
    db_bind_text(s, 2, fields);
    db_bind_text(s, 3, export_format_name(t.format));
    db_bind_text(s, 4, t.en ? "en" : "zh");
    if (t.pos_code)
        db_bind_int64(s, 5, t.pos_id);
    else
        db_bind_null(s, 5);
    db_bind_text(s, 6, t.stage);
    /* bind_schedule binds at..next_at at 7..10; the CASE takes keep_next at 10 and next_at at 11 */
    bind_schedule(s, 7, &t);
    db_bind_int64(s, 10, keep_next);
    if (t.at[0])
        db_bind_int64(s, 11, t.next_at);
    else
        db_bind_null(s, 11);
    db_bind_int64(s, 12, c->now);
    db_bind_int64(s, 13, id);
    db_bind_int64(s, 14, json_integer_value(json_object_get(before, "version")));
    free(fields);
    rc = svc_step_versioned(c, s, "export template", id);
    if (rc == ERR_CONFLICT && !strcmp(c->e->slug, "duplicate")) {
        rc = svc_duplicate(c, t_id_by_name, t.name, "name", "export template");
        goto done;
    }
    if (rc < 0 || (rc = t_load(c, id, &after)) ||
        (rc = svc_audit(c, "export_template.update", "export_template", id, before, after)) ||
        (rc = svc_event(c, "export_template.updated", "export_template", id, after)) || (rc = svc_commit(c)))
        goto done;
    *out = after;
    after = NULL;
done:
    json_decref(before);
    json_decref(after);
    tmpl_free(&t);
    return svc_end(c, rc);
}

int svc_export_template_delete(struct svc_ctx *c, int64_t id)
{
    json_t *before = NULL;
    int rc = svc_begin(c);
    if (rc != 0)
        return rc;
    struct db_stmt *s;
    if ((rc = t_load(c, id, &before)) ||
        (rc = svc_prepare(c, "UPDATE export_job SET template_id = NULL WHERE template_id = ?", &s)))
        goto done;
    db_bind_int64(s, 1, id);
    rc = db_step(s, c->e);
    db_reset(s);
    if (rc < 0 || (rc = svc_prepare(c, "DELETE FROM export_template WHERE id = ?", &s)))
        goto done;
    db_bind_int64(s, 1, id);
    rc = db_step(s, c->e);
    db_reset(s);
    if (rc < 0 || (rc = svc_audit(c, "export_template.delete", "export_template", id, before, NULL)) ||
        (rc = svc_event(c, "export_template.deleted", "export_template", id, before)) || (rc = svc_commit(c)))
        goto done;
done:
    json_decref(before);
    return svc_end(c, rc < 0 ? rc : 0);
}

/* ------------------------------------------------------------------------
 * jobs */

/* The trigger recorded for the caller: "api" for users and tokens, the system actor's name otherwise. */
static const char *trigger_of(const struct actor *a)
{
    return a->role == ROLE_SYSTEM ? a->username : "api";
}

/* Fills spec from template t (a representation); the filter and destination are the caller's. */
static void spec_of(json_t *t, struct xjob_spec *spec)
{
    spec->template_id = json_integer_value(json_object_get(t, "id"));
    spec->template_name = json_string_value(json_object_get(t, "name"));
    spec->format = export_format_parse(json_string_value(json_object_get(t, "format")));
    spec->en = strcmp(json_string_value(json_object_get(t, "lang")), "en") == 0;
    spec->fields = json_object_get(t, "fields");
}

/* The template a request without one uses: the default of the filter's position, else of its stage. */
static int default_template(struct svc_ctx *c, json_t *filter, json_t **out)
{
    const char *pos = q_str(filter, "position"), *stage = q_str(filter, "stage");
    struct db_stmt *s;
    int64_t id = 0;
    int rc;
    if (pos) {
        if ((rc = svc_prepare(c,
                              "SELECT t.id FROM export_template t JOIN position p ON p.id = t.default_position_id "
                              "WHERE p.code = ?",
                              &s)))
            return rc;
        db_bind_text(s, 1, pos);
        rc = db_step(s, c->e);
        id = rc == DB_ROW ? db_col_int64(s, 0) : 0;
        db_reset(s);
        if (rc < 0)
            return rc;
    }
    if (!id && stage) {
        if ((rc = svc_prepare(c, "SELECT id FROM export_template WHERE default_stage = ?", &s)))
            return rc;
        db_bind_text(s, 1, stage);
        rc = db_step(s, c->e);
        id = rc == DB_ROW ? db_col_int64(s, 0) : 0;
        db_reset(s);
        if (rc < 0)
            return rc;
    }
    if (!id)
        return err_set(c->e, ERR_INVALID, "template_required", "template",
                       "template is required: no export template is the default for this position or stage");
    return t_load(c, id, out);
}

/* The template of a request: "template" as a name or an id (string or integer), else the default. */
static int request_template(struct svc_ctx *c, json_t *in, json_t *filter, json_t **out)
{
    json_t *v = json_object_get(in, "template");
    if (!v || json_is_null(v))
        return default_template(c, filter, out);
    if (json_is_integer(v)) {
        int rc = t_load(c, json_integer_value(v), out);
        if (rc == ERR_NOT_FOUND) {
            err_clear(c->e);
            rc = err_set(c->e, ERR_INVALID, "invalid_reference", "template", "no export template %lld",
                         (long long)json_integer_value(v));
        }
        return rc;
    }
    if (!json_is_string(v) || !json_string_length(v))
        return err_set(c->e, ERR_INVALID, "wrong_type", "template", "template must be a template name or id");
    return t_resolve(c, json_string_value(v), "template", out);
}

/* Commits the export's transaction; on failure removes the file. */
static int commit_or_discard(struct svc_ctx *c, char *path, int rc)
{
    if (rc == 0)
        rc = svc_commit(c);
    if (rc != 0 && path)
        unlink(path);
    free(path);
    return rc;
}

/* in.application_ids (absent: *n 0): 1..EXPORT_IDS_MAX positive ids into *ids (heap). */
static int ids_read(struct svc_ctx *c, json_t *in, int64_t **ids, size_t *n)
{
    json_t *a = json_object_get(in, "application_ids"), *v;
    *ids = NULL;
    *n = 0;
    if (!a)
        return 0;
    if (!json_is_array(a) || json_array_size(a) == 0 || json_array_size(a) > EXPORT_IDS_MAX)
        return err_invalid(c->e, "wrong_type", "application_ids", "application_ids is a list of 1 to %d ids",
                           EXPORT_IDS_MAX);
    if (json_object_get(in, "filter"))
        return err_invalid(c->e, "invalid_value", "filter", "give application_ids or a filter, not both");
    *ids = xcalloc(json_array_size(a), sizeof(**ids));
    size_t i;
    json_array_foreach(a, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) < 1) {
            free(*ids);
            *ids = NULL;
            return err_invalid(c->e, "wrong_type", "application_ids", "application_ids[%zu] is not an id", i);
        }
        (*ids)[i] = json_integer_value(v);
    }
    *n = json_array_size(a);
    return 0;
}

int svc_export_create_as(struct svc_ctx *c, json_t *in, const char *trigger, json_t **out)
{
    static const char *const keys[] = {"template", "filter", "application_ids", "destination", NULL};
    json_t *filter = NULL, *t = NULL, *job = NULL;
    char *path = NULL;
    int64_t *ids = NULL;
    size_t nids = 0;
    int to_dir = 0;
    int rc;
    if ((rc = jv_known(in, keys, c->e)) || (rc = destination_read(in, "destination", "destination", &to_dir, c->e)) ||
        (rc = ids_read(c, in, &ids, &nids)) ||
        (!ids && (rc = xfilter_normalise(c, json_object_get(in, "filter"), "filter", &filter))))
        return rc;
    if ((rc = svc_begin(c)) != 0)
        goto done;
    if ((rc = request_template(c, in, filter, &t)) != 0)
        goto done;
    struct xjob_spec spec = {0};
    spec_of(t, &spec);
    spec.filter = filter;
    spec.ids = ids;
    spec.nids = nids;
    spec.to_directory = to_dir;
    spec.trigger = trigger ? trigger : trigger_of(c->actor);
    rc = xjob_run_tx(c, &spec, &job, &path);
    rc = commit_or_discard(c, path, rc);
    if (rc == 0) {
        *out = job;
        job = NULL;
    }
done:
    free(ids);
    json_decref(filter);
    json_decref(t);
    json_decref(job);
    return svc_end(c, rc);
}

int svc_export_create(struct svc_ctx *c, json_t *in, json_t **out)
{
    return svc_export_create_as(c, in, NULL, out);
}

int svc_export_apps_tx(struct svc_ctx *c, const char *tmpl, const int64_t *ids, size_t n, const char *trigger,
                       json_t **out)
{
    json_t *t = NULL, *job = NULL;
    char *path = NULL;
    if (out)
        *out = NULL;
    if (!n)
        return err_set(c->e, ERR_INVALID, "nothing_to_export", "application_ids", "no application to export");
    int rc = t_resolve(c, tmpl ? tmpl : "", "template", &t);
    if (rc != 0)
        return rc;
    struct xjob_spec spec = {0};
    spec_of(t, &spec);
    spec.ids = ids;
    spec.nids = n;
    spec.trigger = trigger ? trigger : trigger_of(c->actor);
    rc = xjob_run_tx(c, &spec, &job, &path);
    free(path);
    if (rc == 0 && out) {
        *out = job;
        job = NULL;
    }
    json_decref(job);
    json_decref(t);
    return rc;
}

void svc_export_discard(json_t *job)
{
    const char *path = json_string_value(json_object_get(job, "path"));
    if (path && *path)
        unlink(path);
}

int svc_export_get(struct svc_ctx *c, int64_t id, json_t **out)
{
    int rc = svc_begin_read(c);
    if (rc == 0)
        rc = xjob_load(c, id, out);
    return svc_end(c, rc);
}

int svc_export_list(struct svc_ctx *c, json_t *query, json_t **out)
{
    static const char *const params[] = {"template", "trigger", "limit", "cursor", NULL};
    int rc = jq_known(query, params, c->e);
    return rc ? rc : xjob_list(c, query, out);
}

int svc_export_open_file(struct svc_ctx *c, int64_t id, struct export_download *d)
{
    json_t *job = NULL;
    int fd = -1;
    memset(d, 0, sizeof(*d));
    d->fd = -1;
    int rc = svc_begin_read(c);
    if (rc == 0)
        rc = xjob_load(c, id, &job);
    svc_end(c, rc);
    if (rc != 0)
        goto done;
    /* the file is hashed outside any transaction (a large one takes a while), then the download audited */
    const char *path = json_string_value(json_object_get(job, "path"));
    const char *want = json_string_value(json_object_get(job, "sha256"));
    uint64_t want_n = (uint64_t)json_integer_value(json_object_get(job, "bytes")), n = 0;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        rc = err_set(c->e, ERR_NOT_FOUND, "file_missing", NULL, "the file of export %lld is no longer there",
                     (long long)id);
        goto done;
    }
    char got[65];
    if ((rc = export_sha256_fd(fd, got, &n, c->e)) != 0)
        goto done;
    if (n != want_n || strcmp(got, want) != 0) {
        rc = err_set(c->e, ERR_CONFLICT, "file_changed", NULL,
                     "the file of export %lld was changed after it was written: its SHA-256 is %s, not %s",
                     (long long)id, got, want);
        goto done;
    }
    if (lseek(fd, 0, SEEK_SET) != 0) {
        rc = err_set(c->e, ERR_INTERNAL, NULL, NULL, "cannot read the export file: %s", strerror(errno));
        goto done;
    }
    json_t *seen = json_pack("{s:I,s:s,s:I}", "id", (json_int_t)id, "sha256", got, "bytes", (json_int_t)n);
    if ((rc = svc_begin(c)) == 0 && (rc = svc_audit(c, "export.download", "export", id, NULL, seen)) == 0)
        rc = svc_commit(c);
    json_decref(seen);
    if (rc != 0)
        goto done;
    d->fd = fd;
    fd = -1;
    d->size = n;
    snprintf(d->sha256, sizeof(d->sha256), "%s", got);
    snprintf(d->filename, sizeof(d->filename), "%s", json_string_value(json_object_get(job, "filename")));
    d->mime = export_format_mime(export_format_parse(json_string_value(json_object_get(job, "format"))));
done:
    if (fd >= 0)
        close(fd);
    json_decref(job);
    return svc_end(c, rc);
}

/* ------------------------------------------------------------------------
 * schedules */

/* The first template due at now: *id (0 when none) and its schedule_next_at. */
static int next_due(struct svc_ctx *c, int64_t now, int64_t *id, int64_t *next_at)
{
    *id = 0;
    int rc = svc_begin_read(c);
    struct db_stmt *s;
    if (rc == 0 && (rc = svc_prepare(c,
                                     "SELECT id, schedule_next_at FROM export_template WHERE schedule_next_at <= ? "
                                     "ORDER BY schedule_next_at, id LIMIT 1",
                                     &s)) == 0) {
        db_bind_int64(s, 1, now);
        rc = db_step(s, c->e);
        if (rc == DB_ROW) {
            *id = db_col_int64(s, 0);
            *next_at = db_col_int64(s, 1);
        }
        db_reset(s);
        rc = rc < 0 ? rc : 0;
    }
    return svc_end(c, rc);
}

/* Claims template id's run due at next_at (moving next_at on past now) and records its outcome: error
 * (English) and code (the API's error code, which the UI translates), both NULL for a run that went well. */
static int claim(struct svc_ctx *c, int64_t id, int64_t next_at, int64_t now, const char *at, int64_t job,
                 const char *error, const char *code, int *won)
{
    struct db_stmt *s;
    int64_t next = 0;
    int rc = next_daily(c, at, now, &next);
    if (rc == 0)
        rc = svc_prepare(c,
                         "UPDATE export_template SET schedule_next_at = ?, schedule_last_at = ?, "
                         "schedule_last_export_id = CASE WHEN ? > 0 THEN ? ELSE schedule_last_export_id END, "
                         "schedule_last_error = ?, schedule_last_error_code = ? WHERE id = ? AND schedule_next_at = ? "
                         "RETURNING id",
                         &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, next);
    db_bind_int64(s, 2, c->now);
    db_bind_int64(s, 3, job);
    db_bind_int64(s, 4, job);
    db_bind_text(s, 5, error);
    db_bind_text(s, 6, code);
    db_bind_int64(s, 7, id);
    db_bind_int64(s, 8, next_at);
    rc = db_step(s, c->e);
    *won = rc == DB_ROW;
    db_reset(s);
    return rc < 0 ? rc : 0;
}

/* Runs template id's scheduled export due at next_at. *ran 1 when this call ran it. */
static int run_one(struct svc_ctx *c, int64_t id, int64_t next_at, int64_t now, int *ran)
{
    json_t *t = NULL, *job = NULL;
    char *path = NULL, at[6] = "";
    int won = 0;
    *ran = 0;
    int rc = svc_begin(c);
    if (rc != 0)
        return rc;
    if ((rc = t_load(c, id, &t)) != 0)
        goto done;
    json_t *sched = json_object_get(t, "schedule");
    if (!json_is_object(sched))
        goto done; /* unscheduled meanwhile */
    snprintf(at, sizeof(at), "%s", json_string_value(json_object_get(sched, "daily_at")));
    if ((rc = claim(c, id, next_at, now, at, 0, NULL, NULL, &won)) != 0 || !won)
        goto done;
    struct xjob_spec spec = {0};
    spec_of(t, &spec);
    spec.filter = json_object_get(sched, "filter");
    spec.to_directory = strcmp(json_string_value(json_object_get(sched, "destination")), "directory") == 0;
    spec.trigger = "schedule";
    rc = xjob_run_tx(c, &spec, &job, &path);
    if (rc == 0) {
        int64_t jid = json_integer_value(json_object_get(job, "id"));
        struct db_stmt *s;
        if ((rc = svc_prepare(c, "UPDATE export_template SET schedule_last_export_id = ? WHERE id = ?", &s)) == 0) {
            db_bind_int64(s, 1, jid);
            db_bind_int64(s, 2, id);
            rc = db_step(s, c->e);
            db_reset(s);
            rc = rc < 0 ? rc : 0;
        }
    }
    rc = commit_or_discard(c, path, rc);
    path = NULL;
    if (rc == 0) {
        *ran = 1;
        goto done;
    }
    /* The run failed (or found nothing): record that on the template, claiming the day all the same,
     * so it is not retried before the next one. */
    char msg[sizeof(c->e->message)], code[sizeof(c->e->slug)];
    int nothing = strcmp(c->e->slug, "nothing_to_export") == 0, fail = rc;
    snprintf(msg, sizeof(msg), "%s", nothing ? "nothing to export" : c->e->message);
    /* the code the API's error envelope would carry (http/server.c) */
    snprintf(code, sizeof(code), "%s", c->e->slug[0] ? c->e->slug : err_default_slug(c->e->code));
    svc_end(c, rc);
    struct err keep = *c->e;
    err_clear(c->e);
    if ((rc = svc_begin(c)) == 0 && (rc = claim(c, id, next_at, now, at, 0, msg, code, &won)) == 0)
        rc = svc_commit(c);
    *ran = won;
    if (rc == 0 && !nothing) {
        *c->e = keep;
        rc = fail;
    }
done:
    free(path);
    json_decref(t);
    json_decref(job);
    return svc_end(c, rc);
}

int svc_exports_run_due(struct svc_ctx *c, int64_t now, int *ran)
{
    int first = 0;
    struct err first_err = {0};
    *ran = 0;
    for (int i = 0; i < RUN_DUE_MAX; i++) {
        int64_t id = 0, next_at = 0;
        int one = 0;
        int rc = next_due(c, now, &id, &next_at);
        if (rc != 0)
            return first ? first : rc;
        if (!id)
            break;
        rc = run_one(c, id, next_at, now, &one);
        *ran += one;
        if (rc != 0 && !first) {
            first = rc;
            first_err = *c->e;
        }
        if (rc != 0 && !one)
            break; /* could not even record the failure: stop rather than spin on it */
        err_clear(c->e);
    }
    if (first)
        *c->e = first_err;
    return first;
}

int svc_exports_worker_task(struct svc_ctx *c, const struct worker_config *cfg)
{
    (void)cfg;
    int ran = 0, queued = 0;
    int rc = svc_exports_run_due(c, time_now_ms(), &ran);
    int rc2 = svc_exports_run_requested(c, time_now_ms(), &queued);
    return rc ? rc : rc2;
}

/* settings.c - the organisation's settings (svc/settings.h). */
#include "svc/settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc/validate.h"

/* The stored zone name into out (the default when there is none). */
static int tz_name_read(struct svc_ctx *c, char out[TZ_NAME_MAX + 1])
{
    struct db_stmt *s;
    int rc = svc_prepare(c, "SELECT value FROM setting WHERE key = 'time_zone'", &s);
    if (rc != 0)
        return rc;
    rc = db_step(s, c->e);
    snprintf(out, TZ_NAME_MAX + 1, "%s", rc == DB_ROW ? db_col_text(s, 0) : SETTINGS_DEFAULT_TIME_ZONE);
    db_reset(s);
    return rc < 0 ? rc : 0;
}

int svc_org_tz(struct svc_ctx *c, struct tz **out)
{
    char name[TZ_NAME_MAX + 1];
    int rc = tz_name_read(c, name);
    if (rc != 0)
        return rc;
    if (tz_load(name, out, c->e) != 0) {
        char msg[sizeof(c->e->message)];
        snprintf(msg, sizeof(msg), "%s", c->e->message);
        err_clear(c->e);
        return err_set(c->e, ERR_INTERNAL, NULL, NULL, "the organisation's time zone cannot be read: %.400s", msg);
    }
    return 0;
}

int svc_org_next_local_time(struct svc_ctx *c, int hh, int mm, int64_t now, int64_t *out)
{
    struct tz *z = NULL;
    int rc = svc_org_tz(c, &z);
    if (rc != 0)
        return rc;
    *out = tz_next_local_time(z, hh, mm, now);
    tz_free(z);
    return 0;
}

static json_t *settings_json(const struct tz *z, int64_t now)
{
    return json_pack("{s:s,s:I}", "time_zone", tz_name(z), "time_zone_offset_minutes",
                     (json_int_t)(tz_offset_at(z, now) / 60));
}

int svc_settings_get(struct svc_ctx *c, json_t *query, json_t **out)
{
    static const char *const params[] = {NULL};
    struct tz *z = NULL;
    int rc = query ? jq_known(query, params, c->e) : 0;
    if (rc == 0 && (rc = svc_begin_read(c)) == 0 && (rc = svc_org_tz(c, &z)) == 0)
        *out = settings_json(z, c->now);
    tz_free(z);
    return svc_end(c, rc);
}

/* Ids (and their time of day) of what runs daily, collected before any of them is updated. */
static int collect(struct svc_ctx *c, const char *sql, int text, json_t *into)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, sql, &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, c->now);
    while ((rc = db_step(s, c->e)) == DB_ROW)
        json_array_append_new(into,
                              json_pack("[I,o]", (json_int_t)db_col_int64(s, 0),
                                        text ? json_string(db_col_text(s, 1)) : json_integer(db_col_int64(s, 1))));
    db_reset(s);
    return rc < 0 ? rc : 0;
}

static int set_next(struct svc_ctx *c, const char *sql, int64_t next, int64_t id)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, sql, &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, next);
    db_bind_int64(s, 2, id);
    return svc_exec(c, s);
}

/* Every export schedule's next run and every daily webhook's next digest, in zone z. One already
 * due (its time passed, the scheduler has not run it yet) stays due: it runs at the next pass, which
 * then computes the following one in z. */
static int reschedule(struct svc_ctx *c, const struct tz *z)
{
    json_t *t = json_array(), *w = json_array(), *v;
    size_t i;
    int rc = collect(c,
                     "SELECT id, schedule_at FROM export_template WHERE schedule_at IS NOT NULL AND "
                     "(schedule_next_at IS NULL OR schedule_next_at > ?) ORDER BY id",
                     1, t);
    if (rc == 0)
        rc = collect(c,
                     "SELECT id, digest_hour FROM webhook WHERE frequency = 'daily' AND "
                     "(next_digest_at IS NULL OR next_digest_at > ?) ORDER BY id",
                     0, w);
    json_array_foreach(t, i, v)
    {
        if (rc != 0)
            break;
        int hh, mm;
        settings_hhmm(json_string_value(json_array_get(v, 1)), &hh, &mm);
        rc = set_next(c, "UPDATE export_template SET schedule_next_at = ? WHERE id = ?",
                      tz_next_local_time(z, hh, mm, c->now), json_integer_value(json_array_get(v, 0)));
    }
    json_array_foreach(w, i, v)
    {
        if (rc != 0)
            break;
        rc = set_next(c, "UPDATE webhook SET next_digest_at = ? WHERE id = ?",
                      tz_next_local_time(z, (int)json_integer_value(json_array_get(v, 1)), 0, c->now),
                      json_integer_value(json_array_get(v, 0)));
    }
    json_decref(t);
    json_decref(w);
    return rc;
}

int svc_settings_update(struct svc_ctx *c, json_t *in, json_t **out)
{
    static const char *const keys[] = {"time_zone", NULL};
    const char *name = NULL;
    struct tz *z = NULL, *was = NULL;
    json_t *before = NULL, *after = NULL;
    if (c->actor->role != ROLE_ADMIN && c->actor->role != ROLE_SYSTEM)
        return err_set(c->e, ERR_FORBIDDEN, NULL, NULL, "only an admin may change the organisation's settings");
    int rc = jv_known(in, keys, c->e);
    if (rc == 0 && (rc = jv_string(in, "time_zone", 1, TZ_NAME_MAX + 1, &name, NULL, c->e)) == 0)
        rc = tz_load(name, &z, c->e);
    if (rc != 0)
        return rc;
    struct db_stmt *s;
    char was_name[TZ_NAME_MAX + 1];
    if ((rc = svc_begin(c)) || (rc = tz_name_read(c, was_name)))
        goto done;
    /* a stored zone that can no longer be read (tzdata changed) is replaced all the same */
    struct err ignored = {0};
    before =
        tz_load(was_name, &was, &ignored) == 0 ? settings_json(was, c->now) : json_pack("{s:s}", "time_zone", was_name);
    after = settings_json(z, c->now);
    if ((rc = svc_prepare(c,
                          "INSERT INTO setting (key, value) VALUES ('time_zone', ?) "
                          "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                          &s)))
        goto done;
    db_bind_text(s, 1, tz_name(z));
    if ((rc = svc_exec(c, s)) || (rc = reschedule(c, z)) ||
        (rc = svc_audit(c, "settings.update", "setting", 0, before, after)) ||
        (rc = svc_event(c, "settings.changed", "setting", 0, after)) || (rc = svc_commit(c)))
        goto done;
    *out = json_incref(after);
done:
    json_decref(before);
    json_decref(after);
    tz_free(z);
    tz_free(was);
    return svc_end(c, rc);
}

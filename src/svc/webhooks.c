/* webhooks.c - webhook subscriptions, their deliveries, replay and ping
 * (svc/webhooks.h). Every input is validated before anything is written;
 * the secret is stored encrypted and shown once. Changes to subscriptions
 * are audited but not published as events: a subscription never announces
 * another one's address. */
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/mem.h"
#include "lib/timeutil.h"
#include "svc/query.h"
#include "svc/settings.h"
#include "svc/validate.h"
#include "svc/views.h"
#include "svc/webhooks_impl.h"

#define HOOK_SELECT                                                                                                    \
    "SELECT w.id, w.name, w.url, w.events_json, w.fields_json, w.frequency, w.digest_hour, w.next_digest_at, "         \
    "w.enabled, w.secret_hint, w.created_at, w.updated_at, w.created_by, w.version, "                                  \
    "(SELECT COUNT(*) FROM webhook_delivery d WHERE d.webhook_id = w.id AND d.status = 'held'), "                      \
    "(SELECT COUNT(*) FROM webhook_delivery d WHERE d.webhook_id = w.id AND d.status = 'pending'), "                   \
    "(SELECT COUNT(*) FROM webhook_delivery d WHERE d.webhook_id = w.id AND d.status = 'delivered'), "                 \
    "(SELECT COUNT(*) FROM webhook_delivery d WHERE d.webhook_id = w.id AND d.status = 'dead'), "                      \
    "(SELECT value FROM setting WHERE key = 'time_zone') "                                                             \
    "FROM webhook w WHERE 1=1"

#define DELIVERY_COLS                                                                                                  \
    "d.id, d.webhook_id, d.outbox_id, d.event, d.status, d.attempts, d.next_at, d.last_status, d.last_error, "         \
    "d.replays, d.digest_id, d.created_at, d.updated_at, d.delivered_at"

/* ------------------------------------------------------------------------
 * representations */

static json_t *json_array_col(struct db_stmt *s, int col)
{
    if (db_col_isnull(s, col))
        return json_null();
    json_t *v = json_loads(db_col_text(s, col), 0, NULL);
    if (!json_is_array(v)) {
        json_decref(v);
        return json_array();
    }
    return v;
}

static json_t *int_or_null(struct db_stmt *s, int col)
{
    return db_col_isnull(s, col) ? json_null() : json_integer(db_col_int64(s, col));
}

static json_t *hook_row(struct svc_ctx *c, struct db_stmt *s)
{
    (void)c;
    int daily = strcmp(db_col_text(s, 5), "daily") == 0;
    json_t *o =
        json_pack("{s:I,s:s,s:s,s:o,s:o,s:s,s:I,s:s,s:o,s:b,s:s}", "id", (json_int_t)db_col_int64(s, 0), "name",
                  db_col_text(s, 1), "url", db_col_text(s, 2), "events", json_array_col(s, 3), "fields",
                  json_array_col(s, 4), "frequency", db_col_text(s, 5), "digest_hour", (json_int_t)db_col_int64(s, 6),
                  "time_zone", db_col_isnull(s, 18) ? SETTINGS_DEFAULT_TIME_ZONE : db_col_text(s, 18), "next_digest_at",
                  json_time_or_null(db_col_int64(s, 7), !daily || db_col_isnull(s, 7)), "enabled",
                  db_col_int64(s, 8) != 0, "secret_hint", db_col_text(s, 9));
    json_object_set_new(o, "stats",
                        json_pack("{s:I,s:I,s:I,s:I}", "held", (json_int_t)db_col_int64(s, 14), "pending",
                                  (json_int_t)db_col_int64(s, 15), "delivered", (json_int_t)db_col_int64(s, 16), "dead",
                                  (json_int_t)db_col_int64(s, 17)));
    json_object_set_new(o, "created_at", json_time(db_col_int64(s, 10)));
    json_object_set_new(o, "updated_at", json_time(db_col_int64(s, 11)));
    json_object_set_new(o, "created_by", json_string(db_col_text(s, 12)));
    json_object_set_new(o, "version", json_integer(db_col_int64(s, 13)));
    return o;
}

static json_t *delivery_row(struct svc_ctx *c, struct db_stmt *s)
{
    (void)c;
    int pending = strcmp(db_col_text(s, 4), "pending") == 0;
    json_t *o = json_pack("{s:I,s:I,s:o,s:s,s:s,s:I}", "id", (json_int_t)db_col_int64(s, 0), "webhook_id",
                          (json_int_t)db_col_int64(s, 1), "event_id", int_or_null(s, 2), "event", db_col_text(s, 3),
                          "status", db_col_text(s, 4), "attempts", (json_int_t)db_col_int64(s, 5));
    json_object_set_new(o, "next_at", json_time_or_null(db_col_int64(s, 6), !pending));
    json_object_set_new(o, "last_status", int_or_null(s, 7));
    json_object_set_new(o, "last_error", db_col_isnull(s, 8) ? json_null() : json_string(db_col_text(s, 8)));
    const char *code = wh_error_code(!db_col_isnull(s, 7), db_col_int64(s, 7), db_col_text(s, 8));
    json_object_set_new(o, "last_error_code", code ? json_string(code) : json_null());
    json_object_set_new(o, "replays", json_integer(db_col_int64(s, 9)));
    json_object_set_new(o, "digest_id", int_or_null(s, 10));
    json_object_set_new(o, "created_at", json_time(db_col_int64(s, 11)));
    json_object_set_new(o, "updated_at", json_time(db_col_int64(s, 12)));
    json_object_set_new(o, "delivered_at", json_time_or_null(db_col_int64(s, 13), db_col_isnull(s, 13)));
    return o;
}

/* delivery_row plus "body": the JSON that is POSTed (column 14). */
static json_t *delivery_row_body(struct svc_ctx *c, struct db_stmt *s)
{
    json_t *o = delivery_row(c, s);
    json_t *body = json_loads(db_col_text(s, 14), JSON_DECODE_ANY, NULL);
    json_object_set_new(o, "body", body ? body : json_string(db_col_text(s, 14)));
    return o;
}

static int hook_load(struct svc_ctx *c, int64_t id, json_t **out)
{
    struct qb q;
    qb_init(&q, HOOK_SELECT " AND w.id = ?");
    qb_int(&q, id);
    return qb_one(c, &q, hook_row, "webhook", out);
}

static int delivery_load(struct svc_ctx *c, int64_t id, int64_t delivery_id, int with_body, json_t **out)
{
    struct qb q;
    qb_init(&q, with_body ? "SELECT " DELIVERY_COLS ", d.payload FROM webhook_delivery d WHERE d.webhook_id = ?"
                          : "SELECT " DELIVERY_COLS " FROM webhook_delivery d WHERE d.webhook_id = ?");
    qb_int(&q, id);
    qb_sql(&q, " AND d.id = ?");
    qb_int(&q, delivery_id);
    return qb_one(c, &q, with_body ? delivery_row_body : delivery_row, "delivery of this webhook", out);
}

/* What the audit log keeps of a subscription: no counters, no schedule, never the secret. */
static json_t *audit_view(json_t *hook)
{
    json_t *a = json_deep_copy(hook);
    json_object_del(a, "stats");
    json_object_del(a, "next_digest_at");
    return a;
}

int svc_webhook_get(struct svc_ctx *c, int64_t id, json_t **out)
{
    int rc = svc_begin_read(c);
    if (rc == 0)
        rc = hook_load(c, id, out);
    return svc_end(c, rc);
}

int svc_webhook_list(struct svc_ctx *c, json_t *query, json_t **out)
{
    static const char *const params[] = {"enabled", "limit", "cursor", NULL};
    int enabled, rc;
    if ((rc = jq_known(query, params, c->e)) || (rc = q_bool(query, "enabled", &enabled, c->e)))
        return rc;
    struct qb q;
    qb_init(&q, HOOK_SELECT);
    if (enabled >= 0) {
        qb_sql(&q, " AND w.enabled = ?");
        qb_int(&q, enabled);
    }
    return qb_page(c, &q, query, "w.id", hook_row, out);
}

/* ------------------------------------------------------------------------
 * validation */

struct hook_in {
    const char *name, *url, *frequency, *secret;
    json_t *events; /* new reference, or NULL when absent */
    json_t *fields; /* new reference: an array, or JSON null for all; NULL when absent */
    int64_t digest_hour;
    int has_hour, enabled, has_enabled, rotate;
};

static void hook_in_free(struct hook_in *h)
{
    json_decref(h->events);
    json_decref(h->fields);
}

static int url_check(const char *u, struct err *e)
{
    int ok = strncasecmp(u, "http://", 7) == 0 || strncasecmp(u, "https://", 8) == 0;
    for (const char *p = u; ok && *p; p++)
        ok = (unsigned char)*p > 0x20 && (unsigned char)*p < 0x7f;
    if (ok) {
        CURLU *h = curl_url();
        char *host = NULL;
        ok = h && curl_url_set(h, CURLUPART_URL, u, 0) == CURLUE_OK &&
             curl_url_get(h, CURLUPART_HOST, &host, 0) == CURLUE_OK && host && host[0];
        curl_free(host);
        curl_url_cleanup(h);
    }
    if (!ok)
        return err_set(e, ERR_INVALID, "invalid_url", "url",
                       "url must be an http:// or https:// address with a host, without spaces");
    return 0;
}

static int events_read(json_t *in, int creating, json_t **out, struct err *e)
{
    json_t *a = json_object_get(in, "events");
    *out = NULL;
    if (!a || (json_is_null(a) && creating)) {
        if (creating)
            *out = json_pack("[s]", "*");
        return 0;
    }
    if (!json_is_array(a))
        return err_set(e, ERR_INVALID, "wrong_type", "events",
                       "events must be an array of event names, \"<entity>.*\" or \"*\"");
    if (json_array_size(a) == 0)
        return err_set(e, ERR_INVALID, "required", "events", "events must name at least one event (or \"*\")");
    if (json_array_size(a) > WEBHOOK_MAX_EVENTS)
        return err_set(e, ERR_INVALID, "too_many", "events", "events has more than %d entries", WEBHOOK_MAX_EVENTS);
    size_t i, j;
    json_t *v, *w;
    json_array_foreach(a, i, v)
    {
        char f[32];
        snprintf(f, sizeof(f), "events[%d]", (int)i);
        const char *p = json_string_value(v);
        if (!p)
            return err_set(e, ERR_INVALID, "wrong_type", f, "%s must be a string", f);
        if (strlen(p) > 64 || !wh_event_pattern_ok(p))
            return err_set(e, ERR_INVALID, "unknown_event", f,
                           "%s: %.64s is not an event of the catalogue (GET /api/v1/webhook-events), "
                           "\"<entity>.*\" or \"*\"",
                           f, p);
        json_array_foreach(a, j, w)
        {
            if (j < i && strcmp(json_string_value(w), p) == 0)
                return err_set(e, ERR_INVALID, "duplicate", f, "event %s appears twice", p);
        }
    }
    *out = json_deep_copy(a);
    return 0;
}

static int field_name_ok(const char *k)
{
    size_t n = strlen(k);
    if (n < 1 || n > 64 || !((k[0] >= 'a' && k[0] <= 'z') || (k[0] >= 'A' && k[0] <= 'Z') || k[0] == '_'))
        return 0;
    for (size_t i = 1; i < n; i++)
        if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= 'A' && k[i] <= 'Z') || (k[i] >= '0' && k[i] <= '9') ||
              k[i] == '_'))
            return 0;
    return 1;
}

static int fields_read(json_t *in, json_t **out, struct err *e)
{
    json_t *a = json_object_get(in, "fields");
    *out = NULL;
    if (!a)
        return 0;
    if (json_is_null(a)) {
        *out = json_null();
        return 0;
    }
    if (!json_is_array(a))
        return err_set(e, ERR_INVALID, "wrong_type", "fields",
                       "fields must be an array of top-level field names of the event data, or null for all");
    if (json_array_size(a) == 0)
        return err_set(e, ERR_INVALID, "required", "fields", "fields must name at least one field (or be null)");
    if (json_array_size(a) > WEBHOOK_MAX_FIELDS)
        return err_set(e, ERR_INVALID, "too_many", "fields", "fields has more than %d entries", WEBHOOK_MAX_FIELDS);
    size_t i, j;
    json_t *v, *w;
    json_array_foreach(a, i, v)
    {
        char f[32];
        snprintf(f, sizeof(f), "fields[%d]", (int)i);
        const char *k = json_string_value(v);
        if (!k || !field_name_ok(k))
            return err_set(e, ERR_INVALID, "invalid_field_name", f,
                           "%s must be a field name ([A-Za-z_][A-Za-z0-9_]{0,63})", f);
        json_array_foreach(a, j, w)
        {
            if (j < i && strcmp(json_string_value(w), k) == 0)
                return err_set(e, ERR_INVALID, "duplicate", f, "field %s appears twice", k);
        }
    }
    *out = json_deep_copy(a);
    return 0;
}

static int secret_check(const char *s, struct err *e)
{
    size_t n = strlen(s);
    int ok = n >= WEBHOOK_SECRET_MIN && n <= WEBHOOK_SECRET_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = s[i] > 0x20 && s[i] < 0x7f;
    if (!ok)
        return err_set(e, ERR_INVALID, "invalid_secret", "secret",
                       "secret must be %d to %d printable ASCII characters without spaces", WEBHOOK_SECRET_MIN,
                       WEBHOOK_SECRET_MAX);
    return 0;
}

static int hook_in_read(struct svc_ctx *c, json_t *in, int creating, struct hook_in *h)
{
    static const char *const create_keys[] = {"name",        "url",    "events",  "fields", "frequency",
                                              "digest_hour", "secret", "enabled", NULL};
    static const char *const update_keys[] = {"name",          "url",         "events", "fields",
                                              "frequency",     "digest_hour", "secret", "enabled",
                                              "rotate_secret", "version",     NULL};
    memset(h, 0, sizeof(*h));
    int rc, present = 0;
    if ((rc = jv_known(in, creating ? create_keys : update_keys, c->e)) ||
        (rc = jv_string(in, "name", creating, WEBHOOK_NAME_MAX, &h->name, NULL, c->e)) ||
        (rc = jv_string(in, "url", creating, WEBHOOK_URL_MAX - 1, &h->url, NULL, c->e)) ||
        (h->url && (rc = url_check(h->url, c->e))) || (rc = events_read(in, creating, &h->events, c->e)) ||
        (rc = fields_read(in, &h->fields, c->e)) ||
        (rc = jv_string(in, "frequency", 0, 16, &h->frequency, NULL, c->e)) ||
        (rc = jv_int(in, "digest_hour", 0, 0, 23, &h->digest_hour, &h->has_hour, c->e)) ||
        (rc = jv_string(in, "secret", 0, WEBHOOK_SECRET_MAX + 1, &h->secret, NULL, c->e)) ||
        (h->secret && (rc = secret_check(h->secret, c->e))) ||
        (rc = jv_bool(in, "enabled", &h->enabled, &h->has_enabled, c->e)) ||
        (!creating && (rc = jv_bool(in, "rotate_secret", &h->rotate, &present, c->e))))
        goto fail;
    if (h->frequency && strcmp(h->frequency, "realtime") != 0 && strcmp(h->frequency, "daily") != 0) {
        rc = err_set(c->e, ERR_INVALID, "invalid_value", "frequency", "frequency must be realtime or daily");
        goto fail;
    }
    if (h->rotate && h->secret) {
        rc = err_set(c->e, ERR_INVALID, "conflicting_fields", "rotate_secret",
                     "give either secret or rotate_secret, not both");
        goto fail;
    }
    return 0;
fail:
    hook_in_free(h);
    return rc ? rc : ERR_INVALID;
}

/* A new secret: given, or generated ("whsec_" + 256 random bits) into buf. */
static const char *secret_new(const char *given, char buf[64])
{
    if (given)
        return given;
    crypto_random_token("whsec_", buf, 64);
    return buf;
}

/* Binds the secret (encrypted) at idx and its hint at idx + 1. */
static int bind_secret(struct svc_ctx *c, struct db_stmt *s, int idx, const char *secret)
{
    char hint[16];
    size_t n = strlen(secret);
    snprintf(hint, sizeof(hint), "\xe2\x80\xa6%s", secret + (n > 4 ? n - 4 : 0));
    db_bind_text(s, idx + 1, hint);
    return svc_bind_encrypted(c, s, idx, CTX_WEBHOOK_SECRET, secret, n);
}

static char *dump_or_null(json_t *v)
{
    return (!v || json_is_null(v)) ? NULL : json_dumps(v, JSON_COMPACT);
}

/* ------------------------------------------------------------------------
 * writes */

int svc_webhook_create(struct svc_ctx *c, json_t *in, json_t **out)
{
    struct hook_in h;
    int rc = hook_in_read(c, in, 1, &h);
    if (rc != 0)
        return rc;
    char gen[64], label[160];
    const char *secret = secret_new(h.secret, gen);
    const char *freq = h.frequency ? h.frequency : "realtime";
    int daily = strcmp(freq, "daily") == 0;
    char *ej = dump_or_null(h.events), *fj = dump_or_null(h.fields);
    json_t *o = NULL, *audit = NULL;
    int64_t id = 0, next_digest = 0;
    struct db_stmt *s;
    actor_label(c->actor, label, sizeof(label));
    if ((rc = svc_begin(c)) || (daily && (rc = wh_next_digest(c, c->now, (int)h.digest_hour, &next_digest))) ||
        (rc = svc_prepare(c,
                          "INSERT INTO webhook (name, url, events_json, fields_json, frequency, digest_hour, "
                          "next_digest_at, secret, secret_hint, enabled, from_outbox_id, created_at, updated_at, "
                          "created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(id), 0) FROM "
                          "outbox), ?, ?, ?) RETURNING id",
                          &s)))
        goto done;
    db_bind_text(s, 1, h.name);
    db_bind_text(s, 2, h.url);
    db_bind_text(s, 3, ej);
    db_bind_text(s, 4, fj);
    db_bind_text(s, 5, freq);
    db_bind_int64(s, 6, h.digest_hour);
    if (daily)
        db_bind_int64(s, 7, next_digest);
    else
        db_bind_null(s, 7);
    if ((rc = bind_secret(c, s, 8, secret)) != 0) {
        db_reset(s);
        goto done;
    }
    db_bind_int64(s, 10, h.has_enabled ? h.enabled : 1);
    db_bind_int64(s, 11, c->now);
    db_bind_int64(s, 12, c->now);
    db_bind_text(s, 13, label);
    rc = db_step(s, c->e);
    id = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_reset(s);
    if (rc < 0 || (rc = hook_load(c, id, &o)) != 0)
        goto done;
    audit = audit_view(o);
    if ((rc = svc_audit(c, "webhook.create", "webhook", id, NULL, audit)) || (rc = svc_commit(c)))
        goto done;
    json_object_set_new(o, "secret", json_string(secret));
    *out = o;
    o = NULL;
done:
    sodium_memzero(gen, sizeof(gen));
    free(ej);
    free(fj);
    json_decref(o);
    json_decref(audit);
    hook_in_free(&h);
    return svc_end(c, rc);
}

static int exec_ids(struct svc_ctx *c, const char *sql, int n, int64_t a, int64_t b, int64_t d)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, sql, &s);
    if (rc != 0)
        return rc;
    int64_t v[3] = {a, b, d};
    for (int i = 0; i < n; i++)
        db_bind_int64(s, i + 1, v[i]);
    rc = db_step(s, c->e);
    db_reset(s);
    return rc < 0 ? rc : 0;
}

int svc_webhook_update(struct svc_ctx *c, int64_t id, json_t *in, json_t **out)
{
    struct hook_in h;
    int64_t version = 0;
    int has_version = 0;
    int rc = hook_in_read(c, in, 0, &h);
    if (rc != 0)
        return rc;
    if ((rc = jv_int(in, "version", 0, 1, INT64_MAX, &version, &has_version, c->e)) != 0) {
        hook_in_free(&h);
        return rc;
    }
    json_t *before = NULL, *after = NULL, *ab = NULL, *aa = NULL;
    char *ej = NULL, *fj = NULL, gen[64] = "";
    const char *secret = (h.secret || h.rotate) ? secret_new(h.secret, gen) : NULL;
    struct db_stmt *s;
    if ((rc = svc_begin(c)) || (rc = hook_load(c, id, &before)) ||
        (rc = svc_check_version(c, "webhook", before, has_version, version)))
        goto done;
    int64_t current = json_integer_value(json_object_get(before, "version"));
    int was_daily = strcmp(json_string_value(json_object_get(before, "frequency")), "daily") == 0;
    int was_enabled = json_is_true(json_object_get(before, "enabled"));
    int64_t old_hour = json_integer_value(json_object_get(before, "digest_hour"));
    const char *freq = h.frequency ? h.frequency : (was_daily ? "daily" : "realtime");
    int daily = strcmp(freq, "daily") == 0;
    int64_t hour = h.has_hour ? h.digest_hour : old_hour;
    int enabled = h.has_enabled ? h.enabled : was_enabled;
    ej = json_dumps(h.events ? h.events : json_object_get(before, "events"), JSON_COMPACT);
    fj = dump_or_null(h.fields ? h.fields : json_object_get(before, "fields"));
    if ((rc = svc_prepare(c,
                          "UPDATE webhook SET name = ?, url = ?, events_json = ?, fields_json = ?, frequency = ?, "
                          "digest_hour = ?, enabled = ?, updated_at = ?, version = version + 1 "
                          "WHERE id = ? AND version = ? RETURNING id",
                          &s)))
        goto done;
    db_bind_text(s, 1, h.name ? h.name : json_string_value(json_object_get(before, "name")));
    db_bind_text(s, 2, h.url ? h.url : json_string_value(json_object_get(before, "url")));
    db_bind_text(s, 3, ej);
    db_bind_text(s, 4, fj);
    db_bind_text(s, 5, freq);
    db_bind_int64(s, 6, hour);
    db_bind_int64(s, 7, enabled);
    db_bind_int64(s, 8, c->now);
    db_bind_int64(s, 9, id);
    db_bind_int64(s, 10, current);
    if ((rc = svc_step_versioned(c, s, "webhook", id)) < 0)
        goto done;
    rc = 0;
    /* the digest schedule follows the frequency and the hour */
    int64_t next_digest = 0;
    if (daily && (!was_daily || hour != old_hour) && (rc = wh_next_digest(c, c->now, (int)hour, &next_digest)) == 0)
        rc = exec_ids(c, "UPDATE webhook SET next_digest_at = ? WHERE id = ?", 2, next_digest, id, 0);
    else if (!daily && was_daily)
        rc = exec_ids(c,
                      "UPDATE webhook_delivery SET status = 'pending', next_at = ?, updated_at = ? "
                      "WHERE webhook_id = ? AND status = 'held'",
                      3, c->now, c->now, id);
    if (rc == 0 && !daily)
        rc = exec_ids(c, "UPDATE webhook SET next_digest_at = NULL WHERE id = ?", 1, id, 0, 0);
    /* re-enabled: from the events recorded from now on */
    if (rc == 0 && enabled && !was_enabled)
        rc = exec_ids(c, "UPDATE webhook SET from_outbox_id = (SELECT COALESCE(MAX(id), 0) FROM outbox) WHERE id = ?",
                      1, id, 0, 0);
    if (rc == 0 && secret &&
        (rc = svc_prepare(c, "UPDATE webhook SET secret = ?, secret_hint = ? WHERE id = ?", &s)) == 0) {
        if ((rc = bind_secret(c, s, 1, secret)) == 0) {
            db_bind_int64(s, 3, id);
            rc = db_step(s, c->e);
            rc = rc < 0 ? rc : 0;
        }
        db_reset(s);
    }
    if (rc != 0 || (rc = hook_load(c, id, &after)) != 0)
        goto done;
    ab = audit_view(before);
    aa = audit_view(after);
    if (secret)
        json_object_set_new(aa, "secret_rotated", json_true());
    if ((rc = svc_audit(c, "webhook.update", "webhook", id, ab, aa)) || (rc = svc_commit(c)))
        goto done;
    if (secret)
        json_object_set_new(after, "secret", json_string(secret));
    *out = after;
    after = NULL;
done:
    sodium_memzero(gen, sizeof(gen));
    free(ej);
    free(fj);
    json_decref(before);
    json_decref(after);
    json_decref(ab);
    json_decref(aa);
    hook_in_free(&h);
    return svc_end(c, rc);
}

int svc_webhook_delete(struct svc_ctx *c, int64_t id)
{
    json_t *before = NULL, *ab = NULL;
    int rc;
    if ((rc = svc_begin(c)) || (rc = hook_load(c, id, &before)))
        goto done;
    ab = audit_view(before);
    if ((rc = exec_ids(c, "DELETE FROM webhook_delivery WHERE webhook_id = ?", 1, id, 0, 0)) ||
        (rc = exec_ids(c, "DELETE FROM webhook WHERE id = ?", 1, id, 0, 0)) ||
        (rc = svc_audit(c, "webhook.delete", "webhook", id, ab, NULL)) || (rc = svc_commit(c)))
        goto done;
done:
    json_decref(before);
    json_decref(ab);
    return svc_end(c, rc);
}

/* ------------------------------------------------------------------------
 * deliveries */

/* 0 when webhook id exists (404 otherwise), in the open transaction. */
static int hook_exists_in_tx(struct svc_ctx *c, int64_t id)
{
    json_t *h = NULL;
    int rc = hook_load(c, id, &h);
    json_decref(h);
    return rc;
}

static int hook_exists(struct svc_ctx *c, int64_t id)
{
    int rc = svc_begin_read(c);
    if (rc == 0)
        rc = hook_exists_in_tx(c, id);
    return svc_end(c, rc);
}

int svc_webhook_deliveries(struct svc_ctx *c, int64_t id, json_t *query, json_t **out)
{
    static const char *const params[] = {"status", "event", "limit", "cursor", NULL};
    static const char *const statuses[] = {"held", "pending", "delivered", "dead", "digested", NULL};
    int rc;
    if ((rc = jq_known(query, params, c->e)) != 0)
        return rc;
    const char *status = q_str(query, "status"), *event = q_str(query, "event");
    if (status) {
        int ok = 0;
        for (int i = 0; statuses[i]; i++)
            ok |= strcmp(statuses[i], status) == 0;
        if (!ok)
            return err_set(c->e, ERR_INVALID, "invalid_value", "status",
                           "status must be held, pending, delivered, dead or digested");
    }
    if ((rc = hook_exists(c, id)) != 0)
        return rc;
    struct qb q;
    qb_init(&q, "SELECT " DELIVERY_COLS " FROM webhook_delivery d WHERE d.webhook_id = ?");
    qb_int(&q, id);
    if (status) {
        qb_sql(&q, " AND d.status = ?");
        qb_text(&q, status);
    }
    if (event) {
        qb_sql(&q, " AND d.event = ?");
        qb_text(&q, event);
    }
    return qb_page(c, &q, query, "d.id", delivery_row, out);
}

int svc_webhook_delivery_get(struct svc_ctx *c, int64_t id, int64_t delivery_id, json_t **out)
{
    int rc = svc_begin_read(c);
    if (rc == 0)
        rc = delivery_load(c, id, delivery_id, 1, out);
    return svc_end(c, rc);
}

int svc_webhook_delivery_replay(struct svc_ctx *c, int64_t id, int64_t delivery_id, json_t **out)
{
    json_t *d = NULL, *after = NULL;
    int rc;
    if ((rc = svc_begin(c)) || (rc = hook_exists_in_tx(c, id)) || (rc = delivery_load(c, id, delivery_id, 0, &d)))
        goto done;
    const char *was = json_string_value(json_object_get(d, "status"));
    if (strcmp(was, "held") == 0 || strcmp(was, "digested") == 0) {
        rc = err_set(c->e, ERR_CONFLICT, "not_replayable", "delivery_id",
                     "a %s delivery goes out with its daily digest; replay the digest delivery instead", was);
        goto done;
    }
    if ((rc =
             exec_ids(c,
                      "UPDATE webhook_delivery SET status = 'pending', attempts = 0, next_at = ?, delivered_at = NULL, "
                      "replays = replays + 1, updated_at = ? WHERE id = ?",
                      3, c->now, c->now, delivery_id)) ||
        (rc = delivery_load(c, id, delivery_id, 0, &after)))
        goto done;
    json_t *a = json_pack("{s:I,s:s,s:s}", "delivery_id", (json_int_t)delivery_id, "event",
                          json_string_value(json_object_get(d, "event")), "previous_status", was);
    rc = svc_audit(c, "webhook.replay", "webhook", id, NULL, a);
    json_decref(a);
    if (rc != 0 || (rc = svc_commit(c)) != 0)
        goto done;
    *out = after;
    after = NULL;
done:
    json_decref(d);
    json_decref(after);
    return svc_end(c, rc);
}

/* ------------------------------------------------------------------------
 * replay of a time window */

struct hook_filter {
    json_t *events, *fields;
    int daily;
    int64_t from;
};

static int filter_load(struct svc_ctx *c, int64_t id, struct hook_filter *f)
{
    struct db_stmt *s;
    memset(f, 0, sizeof(*f));
    int rc = svc_prepare(c, "SELECT events_json, fields_json, frequency, from_outbox_id FROM webhook WHERE id = ?", &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, id);
    rc = db_step(s, c->e);
    if (rc == DB_ROW) {
        f->events = json_loads(db_col_text(s, 0), 0, NULL);
        f->fields = db_col_isnull(s, 1) ? NULL : json_loads(db_col_text(s, 1), 0, NULL);
        f->daily = strcmp(db_col_text(s, 2), "daily") == 0;
        f->from = db_col_int64(s, 3);
    }
    db_reset(s);
    if (rc == DB_DONE)
        return err_set(c->e, ERR_NOT_FOUND, NULL, "id", "no such webhook");
    return rc < 0 ? rc : 0;
}

static int time_field(json_t *in, const char *key, int required, int64_t *ms, int *present, struct err *e)
{
    const char *v;
    int rc = jv_string(in, key, required, 40, &v, present, e);
    if (rc != 0 || !v)
        return rc;
    if (present)
        *present = 1;
    if (time_parse_rfc3339(v, ms) != 0)
        return err_set(e, ERR_INVALID, "invalid_time", key, "%s must be an RFC 3339 time (2024-05-01T08:00:00Z)", key);
    return 0;
}

/* One event of a replayed window. */
struct replayed {
    int64_t oid;
    char *event, *body;
};

/* The window's events the subscription takes (*n of them in *out, heap): every recorded event but those
 * still waiting for the fan-out that will deliver them anyway. */
static int window_events(struct svc_ctx *c, const struct hook_filter *f, int64_t since, int64_t until,
                         struct replayed **out, size_t *n)
{
    struct db_stmt *s;
    *out = NULL;
    *n = 0;
    int rc = svc_prepare(c,
                         "SELECT id, event, entity, entity_id, payload, created_at, status FROM outbox "
                         "WHERE created_at >= ? AND created_at <= ? ORDER BY id",
                         &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, since);
    db_bind_int64(s, 2, until);
    size_t cap = 0;
    while ((rc = db_step(s, c->e)) == DB_ROW) {
        int64_t oid = db_col_int64(s, 0);
        const char *event = db_col_text(s, 1);
        if ((strcmp(db_col_text(s, 6), "pending") == 0 && oid > f->from) || !wh_events_match(f->events, event))
            continue;
        if (*n >= WEBHOOK_REPLAY_MAX) {
            rc = err_set(c->e, ERR_INVALID, "too_many_events", "since",
                         "more than %d events match since then; replay a narrower window (until)", WEBHOOK_REPLAY_MAX);
            break;
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 64;
            *out = xrealloc(*out, cap * sizeof(**out));
        }
        struct replayed *r = &(*out)[(*n)++];
        r->oid = oid;
        r->event = xstrdup(event);
        r->body = wh_event_body(oid, event, db_col_text(s, 2), db_col_int64(s, 3), !db_col_isnull(s, 3),
                                db_col_int64(s, 5), db_col_text(s, 4), f->fields);
    }
    db_reset(s);
    return rc < 0 ? rc : 0;
}

/* Queues evs as one digest delivery due now; *did = its id. */
static int queue_digest(struct svc_ctx *c, int64_t id, const struct replayed *evs, size_t k, int64_t *did)
{
    const char **bodies = xmalloc((k ? k : 1) * sizeof(*bodies));
    for (size_t i = 0; i < k; i++)
        bodies[i] = evs[i].body;
    char *body = wh_digest_body(id, c->now, bodies, k);
    int rc = wh_insert_delivery(c, id, 0, "digest", body, "pending", c->now, c->now, did);
    free(body);
    free(bodies);
    return rc;
}

int svc_webhook_replay(struct svc_ctx *c, int64_t id, json_t *in, json_t **out)
{
    static const char *const keys[] = {"since", "until", NULL};
    int64_t since = 0, until = 0;
    int has_until = 0, rc;
    if ((rc = jv_known(in, keys, c->e)) || (rc = time_field(in, "since", 1, &since, NULL, c->e)) ||
        (rc = time_field(in, "until", 0, &until, &has_until, c->e)))
        return rc;
    struct hook_filter f = {0};
    struct replayed *evs = NULL;
    size_t n = 0;
    json_t *ids = json_array(), *a = NULL;
    if ((rc = svc_begin(c)) != 0)
        goto done;
    if (!has_until)
        until = c->now;
    if (since > until) {
        rc = err_set(c->e, ERR_INVALID, "invalid_window", "since", "since must not be after until");
        goto done;
    }
    if ((rc = filter_load(c, id, &f)) || (rc = window_events(c, &f, since, until, &evs, &n)))
        goto done;
    for (size_t i = 0; i < n && rc == 0; i += f.daily ? WEBHOOK_DIGEST_MAX : 1) {
        int64_t did = 0;
        if (f.daily)
            rc = queue_digest(c, id, evs + i, n - i < WEBHOOK_DIGEST_MAX ? n - i : WEBHOOK_DIGEST_MAX, &did);
        else
            rc = wh_insert_delivery(c, id, evs[i].oid, evs[i].event, evs[i].body, "pending", c->now, c->now, &did);
        json_array_append_new(ids, json_integer(did));
    }
    if (rc != 0)
        goto done;
    a = json_pack("{s:o,s:o,s:I,s:I}", "since", json_time(since), "until", json_time(until), "events", (json_int_t)n,
                  "deliveries", (json_int_t)json_array_size(ids));
    if ((rc = svc_audit(c, "webhook.replay", "webhook", id, NULL, a)) || (rc = svc_commit(c)))
        goto done;
    *out = json_pack("{s:I,s:o,s:o,s:I,s:O}", "webhook_id", (json_int_t)id, "since", json_time(since), "until",
                     json_time(until), "events", (json_int_t)n, "deliveries", ids);
done:
    for (size_t i = 0; i < n; i++) {
        free(evs[i].event);
        free(evs[i].body);
    }
    free(evs);
    json_decref(f.events);
    json_decref(f.fields);
    json_decref(ids);
    json_decref(a);
    return svc_end(c, rc);
}

/* ------------------------------------------------------------------------
 * ping */

int svc_webhook_ping(struct svc_ctx *c, int64_t id, json_t **out)
{
    const struct webhook_opts *o = webhooks_config();
    json_t *h = NULL, *a = NULL;
    char *body = NULL;
    int64_t did = 0, lease = 0;
    int rc;
    if ((rc = svc_begin(c)) || (rc = hook_load(c, id, &h)))
        goto done;
    json_t *data = json_pack("{s:I,s:s,s:s}", "webhook_id", (json_int_t)id, "name",
                             json_string_value(json_object_get(h, "name")), "message", "ping from talentd");
    char *payload = json_dumps(data, JSON_COMPACT);
    json_decref(data);
    body = wh_event_body(0, "webhook.ping", "webhook", id, 1, c->now, payload, NULL);
    free(payload);
    lease = c->now + wh_lease_ms(o); /* ours until the attempt below is recorded */
    if ((rc = wh_insert_delivery(c, id, 0, "webhook.ping", body, "pending", lease, c->now, &did)))
        goto done;
    a = json_pack("{s:I}", "delivery_id", (json_int_t)did);
    if ((rc = svc_audit(c, "webhook.ping", "webhook", id, NULL, a)) || (rc = svc_commit(c)))
        goto done;
    svc_end(c, 0);
    if ((rc = wh_send_now(c, o, did, lease)) != 0)
        goto done;
    if ((rc = svc_begin_read(c)) == 0)
        rc = delivery_load(c, id, did, 0, out);
done:
    free(body);
    json_decref(h);
    json_decref(a);
    return svc_end(c, rc);
}

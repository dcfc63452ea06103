/* webhooks_deliver.c - the webhook pass: fan-out of the outbox into
 * deliveries, daily digests, and the signed POSTs with retries
 * (svc/webhooks.h). No transaction is open while a POST is in flight: a
 * delivery is claimed (a lease on next_at, committed), sent, and its outcome
 * recorded in a transaction of its own that only applies while the lease is
 * still the one taken (a replay or another process in between wins). */
#include <curl/curl.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/mem.h"
#include "lib/timeutil.h"
#include "svc/webhooks_impl.h"

#define FANOUT_CHUNK 500          /* outbox rows per fan-out transaction */
#define FANOUT_CHUNKS_PER_PASS 40 /* then the pass moves on to sending */
#define SKIP_CHUNK 10000          /* rows no subscription takes, marked per statement */
#define ROUNDS_PER_PASS 50        /* claims per pass */
#define RESPONSE_KEEP 200         /* bytes of a failed answer kept in last_error */

/* ------------------------------------------------------------------------
 * options */

static struct webhook_opts config = {
    .backoff_ms = WEBHOOK_BACKOFF_MS_DEFAULT,
    .backoff_max_ms = WEBHOOK_BACKOFF_MAX_MS_DEFAULT,
    .max_attempts = WEBHOOK_MAX_ATTEMPTS_DEFAULT,
    .timeout_ms = WEBHOOK_TIMEOUT_MS_DEFAULT,
    .batch = 10,
};

void webhook_opts_default(struct webhook_opts *o)
{
    *o = config;
    o->backoff_ms = WEBHOOK_BACKOFF_MS_DEFAULT;
    o->backoff_max_ms = WEBHOOK_BACKOFF_MAX_MS_DEFAULT;
    o->max_attempts = WEBHOOK_MAX_ATTEMPTS_DEFAULT;
    o->timeout_ms = WEBHOOK_TIMEOUT_MS_DEFAULT;
    o->batch = 10;
    o->at = 0;
    o->stop = NULL;
}

void webhooks_configure(const struct webhook_opts *o)
{
    config = *o;
    config.at = 0;
    config.stop = NULL;
}

const struct webhook_opts *webhooks_config(void)
{
    return &config;
}

int64_t wh_lease_ms(const struct webhook_opts *o)
{
    return (int64_t)(o->batch > 0 ? o->batch : 1) * o->timeout_ms + 30000;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_ready;

static void curl_setup(void)
{
    curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

int webhooks_http_init(struct err *e)
{
    pthread_once(&curl_once, curl_setup);
    return curl_ready ? 0 : err_set(e, ERR_INTERNAL, NULL, NULL, ERR_TEXT_INIT);
}

enum lock_mode { LOCK_ROWS, LOCK_DELIVERY, LOCK_WEBHOOK };

/* The row-locking clause on PostgreSQL, so other processes skip what this one holds (SQLite has one writer):
 * LOCK_ROWS the selected rows, LOCK_DELIVERY the rows of alias d, LOCK_WEBHOOK a webhook row without
 * blocking the fan-out's inserts of its deliveries (their foreign key takes KEY SHARE). */
static const char *skip_locked(struct svc_ctx *c, enum lock_mode m)
{
    if (db_kind(c->db) != DB_POSTGRES)
        return "";
    return m == LOCK_DELIVERY  ? " FOR UPDATE OF d SKIP LOCKED"
           : m == LOCK_WEBHOOK ? " FOR NO KEY UPDATE SKIP LOCKED"
                               : " FOR UPDATE SKIP LOCKED";
}

static int64_t pass_now(const struct webhook_opts *o)
{
    return o->at ? o->at : time_now_ms();
}

static int stopping(const struct webhook_opts *o)
{
    return o->stop && atomic_load(o->stop);
}

/* Runs sql with up to three integer parameters (0 = not bound beyond n), no result. */
static int exec3(struct svc_ctx *c, const char *sql, int n, int64_t a, int64_t b, int64_t d)
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

int wh_insert_delivery(struct svc_ctx *c, int64_t webhook_id, int64_t outbox_id, const char *event, const char *payload,
                       const char *status, int64_t next_at, int64_t now, int64_t *id)
{
    struct db_stmt *s;
    int rc = svc_prepare(c,
                         "INSERT INTO webhook_delivery (webhook_id, outbox_id, event, payload, status, attempts, "
                         "next_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?) RETURNING id",
                         &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, webhook_id);
    if (outbox_id)
        db_bind_int64(s, 2, outbox_id);
    else
        db_bind_null(s, 2);
    db_bind_text(s, 3, event);
    db_bind_text(s, 4, payload);
    db_bind_text(s, 5, status);
    db_bind_int64(s, 6, next_at);
    db_bind_int64(s, 7, now);
    db_bind_int64(s, 8, now);
    rc = db_step(s, c->e);
    if (rc == DB_ROW && id)
        *id = db_col_int64(s, 0);
    db_reset(s);
    return rc < 0 ? rc : 0;
}

/* ------------------------------------------------------------------------
 * survey: what a pass has to do, read in one snapshot (a pass with nothing to do writes nothing) */

struct work {
    int64_t enabled, outbox, digests, due;
};

static int count_of(struct svc_ctx *c, const char *sql, int64_t now, int64_t *n)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, sql, &s);
    if (rc != 0)
        return rc;
    if (now)
        db_bind_int64(s, 1, now);
    rc = db_step(s, c->e);
    *n = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_reset(s);
    return rc < 0 ? rc : 0;
}

static int survey(struct svc_ctx *c, int64_t now, struct work *w)
{
    memset(w, 0, sizeof(*w));
    int rc = svc_begin_read(c);
    if (rc == 0)
        rc = count_of(c, "SELECT COUNT(*) FROM webhook WHERE enabled = 1", 0, &w->enabled);
    if (rc == 0 && w->enabled &&
        !(rc = count_of(c, "SELECT COUNT(*) FROM (SELECT id FROM outbox WHERE status = 'pending' LIMIT 1) x", 0,
                        &w->outbox)) &&
        !(rc = count_of(c,
                        "SELECT COUNT(*) FROM webhook WHERE enabled = 1 AND frequency = 'daily' AND "
                        "next_digest_at <= ?",
                        now, &w->digests)))
        rc = count_of(c,
                      "SELECT COUNT(*) FROM (SELECT d.id FROM webhook_delivery d JOIN webhook w ON w.id = "
                      "d.webhook_id WHERE d.status = 'pending' AND d.next_at <= ? AND w.enabled = 1 LIMIT 1) x",
                      now, &w->due);
    return svc_end(c, rc);
}

/* ------------------------------------------------------------------------
 * fan-out */

struct hook {
    int64_t id, from;
    json_t *events, *fields;
    int daily;
};

struct ev {
    int64_t id, entity_id, created_at;
    int has_entity_id;
    char *event, *entity, *payload;
};

static void hooks_free(struct hook *h, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        json_decref(h[i].events);
        json_decref(h[i].fields);
    }
    free(h);
}

static void evs_free(struct ev *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].event);
        free(v[i].entity);
        free(v[i].payload);
    }
    free(v);
}

static int load_hooks(struct svc_ctx *c, struct hook **out, size_t *n)
{
    struct db_stmt *s;
    *out = NULL;
    *n = 0;
    int rc = svc_prepare(c,
                         "SELECT id, events_json, fields_json, frequency, from_outbox_id FROM webhook "
                         "WHERE enabled = 1 ORDER BY id",
                         &s);
    if (rc != 0)
        return rc;
    size_t cap = 0;
    while ((rc = db_step(s, c->e)) == DB_ROW) {
        if (*n == cap) {
            cap = cap ? cap * 2 : 8;
            *out = xrealloc(*out, cap * sizeof(**out));
        }
        struct hook *h = &(*out)[(*n)++];
        h->id = db_col_int64(s, 0);
        h->events = json_loads(db_col_text(s, 1), 0, NULL);
        h->fields = db_col_isnull(s, 2) ? NULL : json_loads(db_col_text(s, 2), 0, NULL);
        if (h->fields && !json_is_array(h->fields)) {
            json_decref(h->fields);
            h->fields = NULL;
        }
        h->daily = strcmp(db_col_text(s, 3), "daily") == 0;
        h->from = db_col_int64(s, 4);
    }
    db_reset(s);
    return rc < 0 ? rc : 0;
}

static int load_events(struct svc_ctx *c, struct ev **out, size_t *n)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT id, event, entity, entity_id, payload, created_at FROM outbox WHERE status = 'pending' "
             "ORDER BY id LIMIT %d%s",
             FANOUT_CHUNK, skip_locked(c, LOCK_ROWS));
    struct db_stmt *s;
    *out = xcalloc(FANOUT_CHUNK, sizeof(**out));
    *n = 0;
    int rc = svc_prepare(c, sql, &s);
    if (rc != 0)
        return rc;
    while (*n < FANOUT_CHUNK && (rc = db_step(s, c->e)) == DB_ROW) {
        struct ev *v = &(*out)[(*n)++];
        v->id = db_col_int64(s, 0);
        v->event = xstrdup(db_col_text(s, 1));
        v->entity = xstrdup(db_col_text(s, 2));
        v->has_entity_id = !db_col_isnull(s, 3);
        v->entity_id = db_col_int64(s, 3);
        v->payload = xstrdup(db_col_text(s, 4));
        v->created_at = db_col_int64(s, 5);
    }
    db_reset(s);
    return rc < 0 ? rc : 0;
}

/* Marks pending rows up to id `upto` (none of the enabled subscriptions takes them) dispatched, at most
 * SKIP_CHUNK; *n = how many. */
static int skip_old(struct svc_ctx *c, int64_t upto, int64_t *n)
{
    char sql[320];
    snprintf(sql, sizeof(sql),
             "UPDATE outbox SET status = 'dispatched' WHERE id IN (SELECT id FROM outbox WHERE status = 'pending' "
             "AND id <= ? ORDER BY id LIMIT %d%s)",
             SKIP_CHUNK, skip_locked(c, LOCK_ROWS));
    int rc = exec3(c, sql, 1, upto, 0, 0);
    *n = rc == 0 ? db_changes(c->db) : 0;
    return rc;
}

/* One fan-out transaction; *more when there may be more to do. */
static int fanout_chunk(struct svc_ctx *c, int64_t now, struct webhook_pass *p, int *more)
{
    struct hook *hooks = NULL;
    struct ev *evs = NULL;
    size_t nh = 0, ne = 0;
    int64_t skipped = 0;
    int created = 0;
    *more = 0;
    int rc = svc_begin(c);
    if (rc != 0)
        return rc;
    if ((rc = load_hooks(c, &hooks, &nh)) != 0 || nh == 0)
        goto done;
    int64_t min_from = hooks[0].from;
    for (size_t i = 1; i < nh; i++)
        if (hooks[i].from < min_from)
            min_from = hooks[i].from;
    if ((min_from > 0 && (rc = skip_old(c, min_from, &skipped)) != 0) || (rc = load_events(c, &evs, &ne)) != 0)
        goto done;
    for (size_t i = 0; i < ne && rc == 0; i++) {
        struct ev *v = &evs[i];
        for (size_t j = 0; j < nh && rc == 0; j++) {
            struct hook *h = &hooks[j];
            if (v->id <= h->from || !wh_events_match(h->events, v->event))
                continue;
            char *body = wh_event_body(v->id, v->event, v->entity, v->entity_id, v->has_entity_id, v->created_at,
                                       v->payload, h->fields);
            rc = wh_insert_delivery(c, h->id, v->id, v->event, body, h->daily ? "held" : "pending", now, now, NULL);
            free(body);
            created++;
        }
        if (rc == 0)
            rc = exec3(c, "UPDATE outbox SET status = 'dispatched' WHERE id = ?", 1, v->id, 0, 0);
    }
    if (rc == 0 && (rc = svc_commit(c)) == 0) {
        p->dispatched += (int)(ne + (size_t)skipped);
        p->created += created;
        *more = ne == FANOUT_CHUNK || skipped == SKIP_CHUNK;
    }
done:
    hooks_free(hooks, nh);
    evs_free(evs, ne);
    return svc_end(c, rc);
}

/* ------------------------------------------------------------------------
 * digests */

/* Builds the due digest of one daily subscription: its held deliveries go out together, and the next
 * digest time moves on. */
static int digest_one(struct svc_ctx *c, int64_t hook_id, int64_t now, struct webhook_pass *p)
{
    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT digest_hour FROM webhook WHERE id = ? AND enabled = 1 AND frequency = 'daily' AND "
             "next_digest_at <= ?%s",
             skip_locked(c, LOCK_WEBHOOK));
    struct db_stmt *s;
    int rc = svc_begin(c);
    if (rc == 0)
        rc = svc_prepare(c, sql, &s);
    if (rc != 0)
        return svc_end(c, rc);
    db_bind_int64(s, 1, hook_id);
    db_bind_int64(s, 2, now);
    rc = db_step(s, c->e);
    int hour = rc == DB_ROW ? (int)db_col_int64(s, 0) : -1;
    db_reset(s);
    if (rc != DB_ROW)
        return svc_end(c, rc < 0 ? rc : 0);
    int64_t *ids = xmalloc(WEBHOOK_DIGEST_MAX * sizeof(*ids));
    char **bodies = xmalloc(WEBHOOK_DIGEST_MAX * sizeof(*bodies));
    for (;;) {
        size_t n = 0;
        if ((rc = svc_prepare(c,
                              "SELECT id, payload FROM webhook_delivery WHERE webhook_id = ? AND status = 'held' "
                              "ORDER BY id LIMIT ?",
                              &s)) != 0)
            break;
        db_bind_int64(s, 1, hook_id);
        db_bind_int64(s, 2, WEBHOOK_DIGEST_MAX);
        while (n < WEBHOOK_DIGEST_MAX && (rc = db_step(s, c->e)) == DB_ROW) {
            ids[n] = db_col_int64(s, 0);
            bodies[n++] = xstrdup(db_col_text(s, 1));
        }
        db_reset(s);
        if (rc < 0 || n == 0)
            break;
        char *body = wh_digest_body(hook_id, now, (const char *const *)bodies, n);
        int64_t did = 0;
        rc = wh_insert_delivery(c, hook_id, 0, "digest", body, "pending", now, now, &did);
        free(body);
        for (size_t i = 0; i < n && rc == 0; i++)
            rc = exec3(c, "UPDATE webhook_delivery SET status = 'digested', digest_id = ?, updated_at = ? WHERE id = ?",
                       3, did, now, ids[i]);
        for (size_t i = 0; i < n; i++)
            free(bodies[i]);
        if (rc != 0)
            break;
        p->digests++;
        if (n < WEBHOOK_DIGEST_MAX)
            break;
    }
    free(ids);
    free(bodies);
    int64_t next = 0;
    if (rc >= 0 && (rc = wh_next_digest(c, now, hour, &next)) == 0 &&
        (rc = exec3(c, "UPDATE webhook SET next_digest_at = ? WHERE id = ?", 2, next, hook_id, 0)) == 0)
        rc = svc_commit(c);
    return svc_end(c, rc < 0 ? rc : 0);
}

static int digests(struct svc_ctx *c, int64_t now, struct webhook_pass *p)
{
    json_t *ids = json_array(), *v;
    struct db_stmt *s;
    int rc = svc_begin_read(c);
    if (rc == 0 && (rc = svc_prepare(c,
                                     "SELECT id FROM webhook WHERE enabled = 1 AND frequency = 'daily' AND "
                                     "next_digest_at <= ? ORDER BY id",
                                     &s)) == 0) {
        db_bind_int64(s, 1, now);
        while ((rc = db_step(s, c->e)) == DB_ROW)
            json_array_append_new(ids, json_integer(db_col_int64(s, 0)));
        db_reset(s);
    }
    rc = svc_end(c, rc < 0 ? rc : 0);
    size_t i;
    json_array_foreach(ids, i, v)
    {
        if (rc == 0)
            rc = digest_one(c, json_integer_value(v), now, p);
    }
    json_decref(ids);
    return rc;
}

/* ------------------------------------------------------------------------
 * one POST */

struct claim {
    int64_t id, webhook_id, lease;
    int attempts;
    char *url, *event, *payload;
    unsigned char *secret; /* NULL when it cannot be decrypted */
    size_t secret_n;
};

static void claim_free(struct claim *cl)
{
    free(cl->url);
    free(cl->event);
    free(cl->payload);
    if (cl->secret) {
        sodium_memzero(cl->secret, cl->secret_n);
        free(cl->secret);
    }
    memset(cl, 0, sizeof(*cl));
}

/* Fills cl from a row of CLAIM_COLS. */
#define CLAIM_COLS "d.id, d.webhook_id, d.attempts, d.event, d.payload, w.url, w.secret"
static void claim_read(struct svc_ctx *c, struct db_stmt *s, struct claim *cl)
{
    memset(cl, 0, sizeof(*cl));
    cl->id = db_col_int64(s, 0);
    cl->webhook_id = db_col_int64(s, 1);
    cl->attempts = (int)db_col_int64(s, 2);
    cl->event = xstrdup(db_col_text(s, 3));
    cl->payload = xstrdup(db_col_text(s, 4));
    cl->url = xstrdup(db_col_text(s, 5));
    size_t n = 0;
    const unsigned char *blob = db_col_blob(s, 6, &n);
    struct err ignored = {0};
    if (field_decrypt(c->kr, CTX_WEBHOOK_SECRET, blob, n, &cl->secret, &cl->secret_n, &ignored) != 0)
        cl->secret = NULL;
}

struct outcome {
    long status; /* HTTP status, 0 when none came */
    int ok;      /* 2xx */
    int aborted; /* cut short by a stop: not an attempt */
    char error[RESPONSE_KEEP + 96];
};

struct answer {
    char text[RESPONSE_KEEP + 1];
    size_t n;
};

static size_t on_answer(char *ptr, size_t size, size_t nmemb, void *ud)
{
    struct answer *a = ud;
    size_t len = size * nmemb;
    for (size_t i = 0; i < len && a->n < RESPONSE_KEEP; i++) {
        unsigned char ch = (unsigned char)ptr[i];
        char out = (ch <= 0x20 || ch == 0x7f) ? ' ' : (char)ch;
        if (out != ' ' || (a->n > 0 && a->text[a->n - 1] != ' ')) /* runs of white space kept as one */
            a->text[a->n++] = out;
    }
    a->text[a->n] = '\0';
    return len; /* the rest is read and dropped */
}

static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    const atomic_int *stop = ud;
    return stop && atomic_load(stop) ? 1 : 0;
}

/* POSTs cl's payload, signed, within o->timeout_ms. */
static void post(const struct webhook_opts *o, const struct claim *cl, struct outcome *r)
{
    memset(r, 0, sizeof(*r));
    if (!cl->secret) {
        snprintf(r->error, sizeof(r->error), ERR_TEXT_SECRET);
        return;
    }
    struct err ie = {0};
    if (webhooks_http_init(&ie) != 0) {
        snprintf(r->error, sizeof(r->error), "%.200s", ie.message);
        return;
    }
    long long t = (long long)time(NULL);
    size_t plen = strlen(cl->payload);
    char *msg = xasprintf("%lld.%s", t, cl->payload);
    char sig[65];
    crypto_hmac_sha256_hex(cl->secret, cl->secret_n, msg, strlen(msg), sig);
    free(msg);
    char h_event[160], h_delivery[64], h_sig[128];
    snprintf(h_event, sizeof(h_event), "X-Talentd-Event: %.120s", cl->event);
    snprintf(h_delivery, sizeof(h_delivery), "X-Talentd-Delivery: %lld", (long long)cl->id);
    snprintf(h_sig, sizeof(h_sig), "X-Talentd-Signature: t=%lld,v1=%s", t, sig);
    struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
    hdr = curl_slist_append(hdr, h_event);
    hdr = curl_slist_append(hdr, h_delivery);
    hdr = curl_slist_append(hdr, h_sig);
    hdr = curl_slist_append(hdr, "Expect:");
    CURL *curl = curl_easy_init();
    if (!curl) {
        curl_slist_free_all(hdr);
        snprintf(r->error, sizeof(r->error), ERR_TEXT_START);
        return;
    }
    struct answer ans = {{0}, 0};
    curl_easy_setopt(curl, CURLOPT_URL, cl->url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, cl->payload);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)plen);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdr);
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "talentd-webhooks/0.1.0");
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, o->timeout_ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, o->timeout_ms);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_answer);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &ans);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, (void *)o->stop);
    CURLcode cc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
    curl_easy_cleanup(curl);
    curl_slist_free_all(hdr);
    if (cc == CURLE_ABORTED_BY_CALLBACK) {
        r->aborted = 1;
        r->status = 0;
    } else if (cc == CURLE_OPERATION_TIMEDOUT) {
        r->status = 0;
        snprintf(r->error, sizeof(r->error), ERR_TEXT_TIMEOUT "%ld ms", o->timeout_ms);
    } else if (cc != CURLE_OK) {
        r->status = 0;
        snprintf(r->error, sizeof(r->error), "%s", curl_easy_strerror(cc));
    } else if (r->status < 200 || r->status > 299) {
        snprintf(r->error, sizeof(r->error), "HTTP %ld%s%s", r->status, ans.n ? ": " : "", ans.text);
    } else {
        r->ok = 1;
    }
}

/* The retry delay after attempt number `attempts` (1-based): backoff * 2^(attempts-1), at most backoff_max. */
static int64_t backoff(const struct webhook_opts *o, int attempts)
{
    int64_t d = o->backoff_ms > 0 ? o->backoff_ms : 1;
    for (int i = 1; i < attempts && d < o->backoff_max_ms; i++)
        d *= 2;
    return d < o->backoff_max_ms ? d : o->backoff_max_ms;
}

/* Records r for cl, only while cl's lease holds. *status gets the new status ("" when the lease was lost). */
static int record(struct svc_ctx *c, const struct webhook_opts *o, const struct claim *cl, const struct outcome *r,
                  const char **status)
{
    int64_t now = pass_now(o);
    int attempts = cl->attempts + 1;
    const char *st = r->ok ? "delivered" : attempts >= o->max_attempts ? "dead" : "pending";
    int64_t next = r->ok ? now : now + backoff(o, attempts);
    *status = "";
    struct db_stmt *s;
    int rc = svc_begin(c);
    if (rc == 0)
        rc = svc_prepare(c,
                         "UPDATE webhook_delivery SET status = ?, attempts = ?, next_at = ?, last_status = ?, "
                         "last_error = ?, delivered_at = ?, updated_at = ? WHERE id = ? AND status = 'pending' AND "
                         "next_at = ?",
                         &s);
    if (rc != 0)
        return svc_end(c, rc);
    db_bind_text(s, 1, st);
    db_bind_int64(s, 2, attempts);
    db_bind_int64(s, 3, next);
    if (r->status)
        db_bind_int64(s, 4, r->status);
    else
        db_bind_null(s, 4);
    if (r->ok)
        db_bind_null(s, 5);
    else
        db_bind_text(s, 5, r->error);
    if (r->ok)
        db_bind_int64(s, 6, now);
    else
        db_bind_null(s, 6);
    db_bind_int64(s, 7, now);
    db_bind_int64(s, 8, cl->id);
    db_bind_int64(s, 9, cl->lease);
    rc = db_step(s, c->e);
    db_reset(s);
    if (rc >= 0 && db_changes(c->db) == 1)
        *status = st;
    if (rc >= 0)
        rc = svc_commit(c);
    return svc_end(c, rc < 0 ? rc : 0);
}

/* Gives cl back unattempted, due at `at`, while its lease holds. */
static int release(struct svc_ctx *c, const struct claim *cl, int64_t at)
{
    int rc = svc_begin(c);
    if (rc == 0 &&
        (rc = exec3(c, "UPDATE webhook_delivery SET next_at = ? WHERE id = ? AND status = 'pending' AND next_at = ?", 3,
                    at, cl->id, cl->lease)) == 0)
        rc = svc_commit(c);
    return svc_end(c, rc);
}

static void count_outcome(struct webhook_pass *p, const char *st)
{
    p->attempted++;
    if (strcmp(st, "delivered") == 0)
        p->delivered++;
    else if (strcmp(st, "dead") == 0)
        p->dead++;
    else
        p->failed++;
}

/* Claims up to o->batch due deliveries of enabled subscriptions: their next_at moves to the lease's end. */
static int claim_batch(struct svc_ctx *c, const struct webhook_opts *o, struct claim **out, size_t *n)
{
    int64_t now = pass_now(o);
    int batch = o->batch > 0 ? o->batch : 1;
    char sql[512];
    snprintf(sql, sizeof(sql),
             "SELECT " CLAIM_COLS " FROM webhook_delivery d JOIN webhook w ON w.id = d.webhook_id "
             "WHERE d.status = 'pending' AND d.next_at <= ? AND w.enabled = 1 ORDER BY d.id LIMIT %d%s",
             batch, skip_locked(c, LOCK_DELIVERY));
    *out = xcalloc((size_t)batch, sizeof(**out));
    *n = 0;
    struct db_stmt *s;
    int rc = svc_begin(c);
    if (rc == 0)
        rc = svc_prepare(c, sql, &s);
    if (rc != 0)
        return svc_end(c, rc);
    db_bind_int64(s, 1, now);
    while (*n < (size_t)batch && (rc = db_step(s, c->e)) == DB_ROW)
        claim_read(c, s, &(*out)[(*n)++]);
    db_reset(s);
    int64_t lease = now + wh_lease_ms(o);
    for (size_t i = 0; i < *n && rc >= 0; i++) {
        (*out)[i].lease = lease;
        rc = exec3(c, "UPDATE webhook_delivery SET next_at = ? WHERE id = ?", 2, lease, (*out)[i].id, 0);
    }
    if (rc >= 0)
        rc = svc_commit(c);
    if (rc < 0) {
        for (size_t i = 0; i < *n; i++)
            claim_free(&(*out)[i]);
        *n = 0;
    }
    return svc_end(c, rc < 0 ? rc : 0);
}

/* Sends a claimed batch one by one. A subscription that failed once in this batch is not tried again in
 * it: its other deliveries wait until the failed one's retry time, unattempted. */
static int send_batch(struct svc_ctx *c, const struct webhook_opts *o, struct claim *cls, size_t n,
                      struct webhook_pass *p)
{
    int64_t *failed_hook = xcalloc(n ? n : 1, sizeof(int64_t)), *failed_next = xcalloc(n ? n : 1, sizeof(int64_t));
    size_t nf = 0;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct claim *cl = &cls[i];
        if (stopping(o)) {
            rc = release(c, cl, pass_now(o));
            continue;
        }
        size_t f = 0;
        while (f < nf && failed_hook[f] != cl->webhook_id)
            f++;
        if (f < nf) {
            rc = release(c, cl, failed_next[f]);
            continue;
        }
        struct outcome r;
        post(o, cl, &r);
        if (r.aborted) {
            rc = release(c, cl, pass_now(o));
            continue;
        }
        const char *st = "";
        if ((rc = record(c, o, cl, &r, &st)) != 0)
            break;
        if (st[0])
            count_outcome(p, st);
        if (!r.ok) {
            failed_hook[nf] = cl->webhook_id;
            failed_next[nf++] = pass_now(o) + backoff(o, cl->attempts + 1);
        }
    }
    free(failed_hook);
    free(failed_next);
    return rc;
}

int wh_send_now(struct svc_ctx *c, const struct webhook_opts *o, int64_t id, int64_t lease)
{
    struct claim cl;
    struct db_stmt *s;
    int rc = svc_begin_read(c);
    if (rc == 0)
        rc = svc_prepare(c,
                         "SELECT " CLAIM_COLS " FROM webhook_delivery d JOIN webhook w ON w.id = d.webhook_id "
                         "WHERE d.id = ?",
                         &s);
    if (rc != 0)
        return svc_end(c, rc);
    db_bind_int64(s, 1, id);
    rc = db_step(s, c->e);
    int found = rc == DB_ROW;
    if (found)
        claim_read(c, s, &cl);
    db_reset(s);
    svc_end(c, 0);
    if (!found)
        return rc < 0 ? rc : 0;
    cl.lease = lease;
    struct outcome r;
    post(o, &cl, &r);
    const char *st = "";
    rc = r.aborted ? release(c, &cl, pass_now(o)) : record(c, o, &cl, &r, &st);
    claim_free(&cl);
    return rc;
}

/* ------------------------------------------------------------------------
 * the pass */

int svc_webhooks_run(struct svc_ctx *c, const struct webhook_opts *o, struct webhook_pass *p)
{
    memset(p, 0, sizeof(*p));
    int64_t now = pass_now(o);
    struct work w;
    int rc = survey(c, now, &w);
    if (rc != 0 || !w.enabled)
        return rc;
    int more = w.outbox > 0;
    for (int i = 0; more && i < FANOUT_CHUNKS_PER_PASS && rc == 0 && !stopping(o); i++)
        rc = fanout_chunk(c, now, p, &more);
    if (rc == 0 && w.digests && !stopping(o))
        rc = digests(c, now, p);
    if (rc != 0 || !(w.due || p->created || p->digests))
        return rc;
    for (int round = 0; round < ROUNDS_PER_PASS && rc == 0 && !stopping(o); round++) {
        struct claim *cls = NULL;
        size_t n = 0;
        rc = claim_batch(c, o, &cls, &n);
        if (rc == 0 && n > 0)
            rc = send_batch(c, o, cls, n, p);
        for (size_t i = 0; i < n; i++)
            claim_free(&cls[i]);
        free(cls);
        if (n == 0)
            break;
    }
    return rc;
}

/* webhooks.h - outgoing webhooks: subscriptions, the fan-out of the outbox
 * into deliveries, the delivery pass (signed POSTs with retries, backoff and
 * a dead letter), digests and replay (docs/webhooks.md).
 *
 * Events are written to the outbox by svc_event in the transaction of the
 * change that caused them, so a rolled-back change has no event. A pass
 * (svc_webhooks_run, run by the background worker every poll interval and by
 * `talentd webhooks deliver`) then:
 *   1. fans out: takes pending outbox rows in id order (PostgreSQL: FOR
 *      UPDATE SKIP LOCKED, so several processes share the work), creates one
 *      delivery per matching enabled subscription and marks the rows
 *      dispatched, in one transaction per chunk;
 *   2. builds the daily digests that are due (one delivery carrying the
 *      events held since the previous digest);
 *   3. delivers: claims due deliveries (a lease: next_at moves to the end of
 *      the attempt's time limit, committed before the POST), POSTs each with
 *      X-Talentd-Signature: t=<unix>,v1=<hex hmac-sha256(secret, t "." body)>,
 *      X-Talentd-Event and X-Talentd-Delivery, and records the outcome: 2xx
 *      delivered; otherwise attempts + 1 and next_at = now + backoff *
 *      2^(attempts - 1) (capped), dead after max_attempts.
 * Everything lives in the database: a restart loses nothing (a POST cut off
 * by a crash is tried again once its lease ends).
 *
 * Subscription representation: {id, name, url, events, fields (null = all),
 * frequency realtime|daily, digest_hour, next_digest_at (daily only),
 * enabled, secret_hint ("…" + last 4), stats: {held, pending, delivered,
 * dead}, created_at, updated_at, created_by, version}. The secret itself is
 * returned once, by create (and by an update that rotates it), never in
 * lists, audit rows or events.
 *
 * Delivery representation: {id, webhook_id, event_id (the outbox id; null
 * for pings and digests), event, status held|pending|delivered|dead|digested,
 * attempts, next_at (pending only), last_status (HTTP status or null),
 * last_error, replays, digest_id, created_at, updated_at, delivered_at}, and
 * body (the JSON sent) when read one at a time.
 *
 * Admin writes, admin and hr read (api/webhooks.c); svc checks nothing
 * about roles. */
#ifndef TALENTD_SVC_WEBHOOKS_H
#define TALENTD_SVC_WEBHOOKS_H

#include <stdatomic.h>

#include "svc/svc.h"

#define WEBHOOK_URL_MAX 2048
#define WEBHOOK_NAME_MAX 200
#define WEBHOOK_MAX_EVENTS 64
#define WEBHOOK_MAX_FIELDS 50
#define WEBHOOK_SECRET_MIN 16
#define WEBHOOK_SECRET_MAX 128
#define WEBHOOK_REPLAY_MAX 10000 /* events one replay may queue */
#define WEBHOOK_DIGEST_MAX 1000  /* events one digest delivery carries */

/* Delivery settings (talentd serve --webhook-*, talentd webhooks deliver). */
struct webhook_opts {
    int64_t backoff_ms;     /* first retry delay; default 30000 */
    int64_t backoff_max_ms; /* cap of the delay; default 3600000 */
    int max_attempts;       /* then dead; default 8 */
    long timeout_ms;        /* one POST, connecting included; default 10000 */
    int batch;              /* deliveries claimed per round; default 20 */
    int64_t at;             /* run the pass as if it were this time (ms); 0 = now */
    const atomic_int *stop; /* when set and non-zero: cut POSTs short, claim no more (may be NULL) */
};

#define WEBHOOK_BACKOFF_MS_DEFAULT 30000
#define WEBHOOK_BACKOFF_MAX_MS_DEFAULT 3600000
#define WEBHOOK_MAX_ATTEMPTS_DEFAULT 8
#define WEBHOOK_TIMEOUT_MS_DEFAULT 10000

/* Fills o with the defaults. */
void webhook_opts_default(struct webhook_opts *o);

/* Sets the process-wide options the API's ping and the worker use (call once
 * at start-up, before any thread runs; the defaults otherwise). o is copied. */
void webhooks_configure(const struct webhook_opts *o);
const struct webhook_opts *webhooks_config(void);

/* Initialises libcurl once for the process (safe to call from any thread,
 * any number of times). 0, or ERR_INTERNAL when libcurl cannot start. */
int webhooks_http_init(struct err *e);

/* The events catalogue: {"items": [{event, entity, description}]}. */
json_t *webhook_event_catalogue(void);

/* 1 when name is in the catalogue. */
int webhook_event_known(const char *name);

/* in: {name, url (http:// or https://), events? (["*"] default; catalogue
 * names, "<entity>.*" or "*"), fields? (top-level data fields to send; null =
 * all), frequency? (realtime), digest_hour? (0..23, default 0), secret?
 * (16..128 printable ASCII; generated "whsec_..." when absent), enabled?
 * (true)}. *out = the subscription plus "secret" (shown this once). Audit
 * "webhook.create" without the secret. */
int svc_webhook_create(struct svc_ctx *c, json_t *in, json_t **out);

/* The subscription (404 when missing). */
int svc_webhook_get(struct svc_ctx *c, int64_t id, json_t **out);

/* query: enabled (true|false), limit, cursor. */
int svc_webhook_list(struct svc_ctx *c, json_t *query, json_t **out);

/* in: any of name, url, events, fields, frequency, digest_hour, enabled,
 * secret (a new one) or rotate_secret: true (a generated one), version. A new
 * secret is returned once as "secret". Re-enabling starts from the events
 * recorded from then on; daily -> realtime releases the held events one by one. */
int svc_webhook_update(struct svc_ctx *c, int64_t id, json_t *in, json_t **out);

/* Deletes the subscription and its deliveries. */
int svc_webhook_delete(struct svc_ctx *c, int64_t id);

/* Deliveries of webhook id, oldest first. query: status, event, limit, cursor. */
int svc_webhook_deliveries(struct svc_ctx *c, int64_t id, json_t *query, json_t **out);

/* One delivery of webhook id, with its body. */
int svc_webhook_delivery_get(struct svc_ctx *c, int64_t id, int64_t delivery_id, json_t **out);

/* Re-queues delivery delivery_id of webhook id (dead or delivered, or one
 * still pending: due now): pending, attempts 0, due now, replays + 1. 409
 * "not_replayable" for held or digested ones (they go out with the digest).
 * Audit "webhook.replay". */
int svc_webhook_delivery_replay(struct svc_ctx *c, int64_t id, int64_t delivery_id, json_t **out);

/* in: {since (RFC 3339), until? (RFC 3339, default now)}: queues again every
 * recorded event in [since, until] the subscription's events match (at most
 * WEBHOOK_REPLAY_MAX, 422 "too_many_events" beyond: narrow the window), as
 * new deliveries due now; a daily subscription gets them in digests sent now.
 * *out = {webhook_id, since, until, events, deliveries: [ids]}. Audit "webhook.replay". */
int svc_webhook_replay(struct svc_ctx *c, int64_t id, json_t *in, json_t **out);

/* Sends a "webhook.ping" delivery right away (one attempt within the
 * configured timeout; a failed one is retried by the worker like any other).
 * *out = the delivery after the attempt. Audit "webhook.ping". */
int svc_webhook_ping(struct svc_ctx *c, int64_t id, json_t **out);

/* What one pass did. */
struct webhook_pass {
    int dispatched; /* outbox rows fanned out */
    int created;    /* deliveries created by the fan-out (held ones included) */
    int digests;    /* digest deliveries built */
    int attempted;  /* POSTs made */
    int delivered;
    int failed; /* attempts that failed and will be retried */
    int dead;
};

/* One full pass: fan-out, digests, deliveries (see the top of this file).
 * Does nothing (and writes nothing) while no subscription is enabled. Each
 * step runs in transactions of its own on c->db; no transaction is open
 * during a POST. Returns 0 or the first database error. */
int svc_webhooks_run(struct svc_ctx *c, const struct webhook_opts *o, struct webhook_pass *p);

#endif

/* webhooks_impl.h - what the webhook files share (svc/webhooks.c: the
 * subscriptions and replay; svc/webhooks_events.c: the catalogue and the
 * bodies; svc/webhooks_deliver.c: fan-out, digests and the POSTs). Not for
 * other modules: they use svc/webhooks.h. */
#ifndef TALENTD_SVC_WEBHOOKS_IMPL_H
#define TALENTD_SVC_WEBHOOKS_IMPL_H

#include "svc/webhooks.h"

#define CTX_WEBHOOK_SECRET "webhook.secret" /* encryption context of webhook.secret */

/* The failures the delivery worker records in words of its own (the others are libcurl's texts);
 * wh_error_code reads them back. */
#define ERR_TEXT_SECRET "the signing secret cannot be decrypted (key file changed?)"
#define ERR_TEXT_START "libcurl could not start a request"
#define ERR_TEXT_INIT "libcurl failed to initialise"
#define ERR_TEXT_TIMEOUT "no answer within " /* then the timeout in ms */

/* The stable code of a delivery's last failure, for a client to say it in its user's language,
 * from what the worker recorded: its last_status (has_status 0 when none was recorded) and its
 * last_error text (NULL: no failure, and the code is NULL). "http_status" (the receiver answered
 * with last_status), "timeout", "dns", "connect_failed", "tls", "connection_lost" (sent or read
 * in part), "bad_url", "secret_unreadable", "client_failed" (libcurl could not start) or
 * "network" (any other libcurl failure). */
const char *wh_error_code(int has_status, int64_t status, const char *error);

/* 1 when p may stand in a subscription's event list: "*", a catalogue name, or "<entity>.*" for an
 * entity of the catalogue. */
int wh_event_pattern_ok(const char *p);

/* 1 when the subscription's event list (a JSON array of "*", names and
 * "<entity>.*" patterns) takes event. */
int wh_events_match(json_t *events, const char *event);

/* The JSON body POSTed for one outbox event (heap, caller frees):
 * {"id" (null when outbox_id is 0), "event", "entity", "entity_id", "created_at", "data"}, data being
 * the event's payload (JSON text) restricted to fields (a JSON array of
 * top-level keys; NULL = all) when it is an object. */
char *wh_event_body(int64_t outbox_id, const char *event, const char *entity, int64_t entity_id, int has_entity_id,
                    int64_t created_at, const char *payload, json_t *fields);

/* The body of a digest delivery (heap, caller frees): {"event": "digest",
 * "webhook_id", "created_at", "count", "events": [bodies...]}; bodies is an
 * array of n JSON texts made by wh_event_body. */
char *wh_digest_body(int64_t webhook_id, int64_t now, const char *const *bodies, size_t n);

/* *out = the first digest time (ms) strictly after now at hour:00 (hour 0..23) in the organisation's
 * time zone (svc_org_tz; tz_next_local_time's rules for DST gaps and overlaps). In the caller's
 * transaction. */
int wh_next_digest(struct svc_ctx *c, int64_t now, int hour, int64_t *out);

/* Inserts a delivery (no transaction of its own); *id = its id. outbox_id 0 = none. */
int wh_insert_delivery(struct svc_ctx *c, int64_t webhook_id, int64_t outbox_id, const char *event, const char *payload,
                       const char *status, int64_t next_at, int64_t now, int64_t *id);

/* The lease a claim puts on a delivery: long enough for a batch of POSTs one after another. */
int64_t wh_lease_ms(const struct webhook_opts *o);

/* Sends delivery id of webhook_id now, outside any transaction: the caller
 * has just committed it as pending with next_at = lease (nobody else claims
 * it before then). Records the outcome like the worker does. */
int wh_send_now(struct svc_ctx *c, const struct webhook_opts *o, int64_t id, int64_t lease);

#endif

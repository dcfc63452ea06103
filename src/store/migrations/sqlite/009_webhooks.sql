-- 009_webhooks: outgoing webhooks (svc/webhooks.c, jobs/worker.c).
-- webhook is one subscription: where to POST (url), which events (events_json:
-- ["*"], ["application.stage_changed", "interview.*"]), which top-level fields
-- of each event's data (fields_json, NULL = all), how often (realtime, or a
-- daily digest at digest_hour UTC) and the HMAC secret (field_encrypt under
-- "webhook.secret", never shown after creation). A subscription receives the
-- events recorded while it is enabled: from_outbox_id is the last outbox id
-- before it was created or last enabled.
-- The outbox (001_init) is the transactional record of events; the fan-out
-- pass turns each pending outbox row into one webhook_delivery per matching
-- enabled subscription and marks the row 'dispatched', in one transaction.
-- webhook_delivery.status: held (waits for the daily digest), pending (due at
-- next_at; a claimed one has next_at pushed to the end of its lease),
-- delivered, dead (max attempts reached), digested (carried by the digest
-- delivery digest_id). payload is the exact JSON body that is POSTed.

CREATE TABLE webhook (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    url TEXT NOT NULL,
    events_json TEXT NOT NULL,
    fields_json TEXT,
    frequency TEXT NOT NULL CHECK (frequency IN ('realtime', 'daily')),
    digest_hour INTEGER NOT NULL DEFAULT 0 CHECK (digest_hour BETWEEN 0 AND 23),
    next_digest_at BIGINT,
    secret BLOB NOT NULL,
    secret_hint TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    from_outbox_id BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX webhook_enabled ON webhook(enabled, id);

CREATE TABLE webhook_delivery (
    id INTEGER PRIMARY KEY,
    webhook_id BIGINT NOT NULL REFERENCES webhook(id) ON DELETE CASCADE,
    outbox_id BIGINT,
    digest_id BIGINT,
    event TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('held', 'pending', 'delivered', 'dead', 'digested')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at BIGINT NOT NULL,
    last_status INTEGER,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    delivered_at BIGINT,
    replays INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX webhook_delivery_due ON webhook_delivery(status, next_at);
CREATE INDEX webhook_delivery_hook ON webhook_delivery(webhook_id, status, id);
CREATE INDEX webhook_delivery_outbox ON webhook_delivery(outbox_id);

-- Replay of "every event since a time" reads the outbox by time.
CREATE INDEX outbox_created ON outbox(created_at);

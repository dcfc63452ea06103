-- 001_init: identity, org, positions, candidates, applications, audit, outbox.
-- Times are UTC milliseconds; booleans are 0/1 integers.

CREATE TABLE org_unit (
    id INTEGER PRIMARY KEY,
    parent_id BIGINT REFERENCES org_unit(id),
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    path TEXT NOT NULL,               -- materialised '/1/4/9/' for subtree queries
    manager_user_id BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX org_unit_parent ON org_unit(parent_id);
CREATE INDEX org_unit_path ON org_unit(path);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL CHECK (role IN ('admin', 'hr', 'manager', 'interviewer')),
    org_unit_id BIGINT REFERENCES org_unit(id),
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE session (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    user_id BIGINT NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    ip TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX session_by_user ON session(user_id);

CREATE TABLE api_token (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id),
    scopes TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT,
    revoked_at BIGINT,
    last_used_at BIGINT
);

CREATE TABLE login_failure (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    ip TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX login_failure_user ON login_failure(username, at);
CREATE INDEX login_failure_ip ON login_failure(ip, at);

CREATE TABLE position (
    id INTEGER PRIMARY KEY,
    org_unit_id BIGINT NOT NULL REFERENCES org_unit(id),
    code TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    headcount INTEGER NOT NULL CHECK (headcount >= 0),
    status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    review_required INTEGER NOT NULL DEFAULT 0,
    competency_json TEXT NOT NULL DEFAULT '[]',
    salary_min BIGINT,
    salary_max BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX position_org ON position(org_unit_id);

CREATE TABLE candidate (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email_enc BLOB,
    phone_enc BLOB,
    id_number_enc BLOB,
    email_idx TEXT UNIQUE,            -- blind index (keyed HMAC of the normalised value)
    phone_idx TEXT UNIQUE,
    id_number_idx TEXT,
    external_id TEXT UNIQUE,
    source TEXT NOT NULL DEFAULT '',
    consent_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX candidate_id_number ON candidate(id_number_idx);

CREATE TABLE application (
    id INTEGER PRIMARY KEY,
    candidate_id BIGINT NOT NULL REFERENCES candidate(id),
    position_id BIGINT NOT NULL REFERENCES position(id),
    stage TEXT NOT NULL,
    prev_stage TEXT,
    stage_changed_at BIGINT NOT NULL,
    special_note TEXT,
    elimination_reason TEXT,
    elimination_note TEXT,
    talent_pool INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1,
    UNIQUE (candidate_id, position_id)
);
CREATE INDEX application_position_stage ON application(position_id, stage);
CREATE INDEX application_stage ON application(stage);

CREATE TABLE application_assignee (
    application_id BIGINT NOT NULL REFERENCES application(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    assigned_at BIGINT NOT NULL,
    PRIMARY KEY (application_id, user_id)
);
CREATE INDEX application_assignee_user ON application_assignee(user_id);

CREATE TABLE stage_history (
    id INTEGER PRIMARY KEY,
    application_id BIGINT NOT NULL REFERENCES application(id),
    from_stage TEXT,
    to_stage TEXT NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_id BIGINT,
    reason TEXT,
    note TEXT,
    at BIGINT NOT NULL
);
CREATE INDEX stage_history_app ON stage_history(application_id, id);

CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    actor_id BIGINT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT,
    diff_json TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_entity ON audit(entity, entity_id, id);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    event TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id BIGINT,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending'
);
CREATE INDEX outbox_status ON outbox(status, id);

CREATE TABLE idempotency (
    id INTEGER PRIMARY KEY,
    actor TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    request_hash TEXT NOT NULL,       -- SHA-256 of the request body
    status INTEGER NOT NULL,
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (actor, idem_key)
);

CREATE TABLE setting (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

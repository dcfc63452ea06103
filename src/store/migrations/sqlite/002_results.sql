-- 002_results: AI interview results (docs/results.md), the per-position score
-- histograms behind percentiles, score revisions, annotations, viewed marks and
-- vendor secrets. Times are UTC milliseconds.

ALTER TABLE position ADD COLUMN show_result_to_candidate INTEGER NOT NULL DEFAULT 0;

-- The application's current result and what the match report concluded.
ALTER TABLE application ADD COLUMN result_id BIGINT;
ALTER TABLE application ADD COLUMN overall INTEGER;
ALTER TABLE application ADD COLUMN match_score REAL;
ALTER TABLE application ADD COLUMN recommendation TEXT;
ALTER TABLE application ADD COLUMN result_at BIGINT;
CREATE INDEX application_result_at ON application(result_at);

CREATE TABLE ai_result (
    id INTEGER PRIMARY KEY,
    vendor TEXT NOT NULL,
    vendor_result_id TEXT NOT NULL,
    version INTEGER NOT NULL,             -- 1, 2, ... for vendor re-scores of one interview
    is_current INTEGER NOT NULL DEFAULT 1,
    content_hash TEXT NOT NULL,           -- SHA-256 of the canonical normalised result
    application_id BIGINT REFERENCES application(id),   -- NULL while unmatched
    unmatched_reason TEXT,                -- why matching failed (NULL once matched)
    email_idx TEXT,                       -- blind indexes of the candidate hints
    phone_idx TEXT,
    completed_at BIGINT NOT NULL,
    model_version TEXT,
    overall INTEGER NOT NULL,
    vendor_recommendation TEXT,
    reason_category TEXT,
    result_json TEXT NOT NULL,            -- normalised result without transcript and candidate hints
    hints_enc BLOB,                       -- candidate hints, encrypted
    transcript_enc BLOB,                  -- transcript segments, encrypted
    raw_enc BLOB NOT NULL,                -- the payload exactly as received, encrypted
    received_at BIGINT NOT NULL,
    matched_at BIGINT,
    UNIQUE (vendor, vendor_result_id, version)
);
CREATE INDEX ai_result_application ON ai_result(application_id, id);
CREATE INDEX ai_result_unmatched ON ai_result(unmatched_reason, id);

-- Effective dimension scores of each application's current result (after revisions).
CREATE TABLE ai_dim (
    application_id BIGINT NOT NULL REFERENCES application(id),
    dim TEXT NOT NULL,
    score INTEGER NOT NULL,
    PRIMARY KEY (application_id, dim)
);
CREATE INDEX ai_dim_score ON ai_dim(dim, score, application_id);

-- Per position and dimension ('' = overall): how many current scores fall in each bucket 0..100.
CREATE TABLE score_hist (
    position_id BIGINT NOT NULL,
    dim TEXT NOT NULL,
    bucket INTEGER NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (position_id, dim, bucket)
);

CREATE TABLE score_revision (
    id INTEGER PRIMARY KEY,
    result_id BIGINT NOT NULL REFERENCES ai_result(id),
    application_id BIGINT NOT NULL REFERENCES application(id),
    dim TEXT NOT NULL,
    old_score INTEGER NOT NULL,
    new_score INTEGER NOT NULL,
    reason TEXT NOT NULL,
    actor TEXT NOT NULL,
    user_id BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX score_revision_app ON score_revision(application_id, id);

CREATE TABLE annotation (
    id INTEGER PRIMARY KEY,
    application_id BIGINT NOT NULL REFERENCES application(id),
    user_id BIGINT NOT NULL REFERENCES users(id),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX annotation_app ON annotation(application_id, id);

CREATE TABLE result_view (
    user_id BIGINT NOT NULL REFERENCES users(id),
    application_id BIGINT NOT NULL REFERENCES application(id),
    first_at BIGINT NOT NULL,
    last_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, application_id)
);
CREATE INDEX result_view_app ON result_view(application_id);

CREATE TABLE vendor_secret (
    vendor TEXT PRIMARY KEY,
    secret_enc BLOB NOT NULL,
    updated_at BIGINT NOT NULL
);

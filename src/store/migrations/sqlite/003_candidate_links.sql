-- 003_candidate_links: links that let a candidate see where their application
-- stands (and a summary of their AI result when the position allows it)
-- without an account. Only the SHA-256 of the token is stored.

CREATE TABLE candidate_link (
    id INTEGER PRIMARY KEY,
    application_id BIGINT NOT NULL REFERENCES application(id),
    token_hash TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX candidate_link_app ON candidate_link(application_id, id);

-- 006_interviews: the candidate's AI interview sessions (svc/interviews.c).
-- A session is one invitation of an application to answer a question set;
-- the link token is stored as its SHA-256 only. status follows
-- invited -> in_progress -> completed | incomplete, and expired / revoked;
-- the application's stage is moved with it in the same transaction.
-- answer holds one row per question answered (draft or final), each with
-- its own version for autosave (last write wins; a stale version is a 409).

CREATE TABLE interview_session (
    id INTEGER PRIMARY KEY,
    application_id BIGINT NOT NULL REFERENCES application(id),
    set_id BIGINT NOT NULL REFERENCES question_set(id),
    token_hash TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('invited', 'in_progress', 'completed', 'incomplete', 'expired', 'revoked')),
    current_question BIGINT,
    started_at BIGINT,
    last_saved_at BIGINT,
    completed_at BIGINT,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT,
    scored_at BIGINT,
    score_error TEXT,
    result_id BIGINT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX interview_session_application ON interview_session(application_id);
CREATE INDEX interview_session_open ON interview_session(status, expires_at);
CREATE INDEX interview_session_set ON interview_session(set_id);

CREATE TABLE answer (
    session_id BIGINT NOT NULL REFERENCES interview_session(id) ON DELETE CASCADE,
    question_id BIGINT NOT NULL,
    text TEXT NOT NULL,
    is_final INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    saved_at BIGINT NOT NULL,
    PRIMARY KEY (session_id, question_id)
);

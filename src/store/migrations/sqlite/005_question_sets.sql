-- 005_question_sets: interview question sets (svc/question_sets.c), per
-- position or shared (position_id NULL), with their questions in order, and
-- a position's default set. Texts are zh-CN (required) and English
-- (optional); dims_json is the array of dimension keys a question measures,
-- rubric_json {phrases: {dim: [{text, weight}]}, sample_answer}.

CREATE TABLE question_set (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    position_id BIGINT REFERENCES position(id),
    allow_restart INTEGER NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX question_set_position ON question_set(position_id);

CREATE TABLE question (
    id INTEGER PRIMARY KEY,
    set_id BIGINT NOT NULL REFERENCES question_set(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    text_zh TEXT NOT NULL,
    text_en TEXT NOT NULL DEFAULT '',
    time_limit_s INTEGER NOT NULL,
    required INTEGER NOT NULL DEFAULT 1,
    dims_json TEXT NOT NULL,
    rubric_json TEXT NOT NULL,
    UNIQUE (set_id, seq)
);

ALTER TABLE position ADD COLUMN question_set_id BIGINT REFERENCES question_set(id);
CREATE INDEX position_question_set ON position(question_set_id);

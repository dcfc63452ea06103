-- 008_rules: pipeline rules (svc/rules.c), their firings, application tags,
-- voluntarily given candidate attributes and fairness acknowledgements
-- (svc/fairness.c).
--
-- A rule is an expression (docs/rules.md) plus actions (JSON), with the
-- triggers it listens to (result, stage, schedule), a scope (all, an org unit
-- subtree, a position), a priority (lower runs first) and a mode (enforce
-- applies the actions; dry_run only records what it would have done).
-- rule_generation is bumped by every rule change so each process knows when
-- to recompile its cached rules.
-- rule_firing keeps every time a rule held for an application, with the
-- explanation (clauses and the values seen) and what its actions did. A rule
-- fires at most once per application per stage visit (stage_since). Firings
-- outlive their rule (rule_name keeps what it was called).

CREATE TABLE rule (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    when_expr TEXT NOT NULL,
    actions_json TEXT NOT NULL,
    triggers_json TEXT NOT NULL,
    scope_kind TEXT NOT NULL CHECK (scope_kind IN ('all', 'org_unit', 'position')),
    scope_id BIGINT,
    priority INTEGER NOT NULL DEFAULT 100,
    mode TEXT NOT NULL CHECK (mode IN ('enforce', 'dry_run')),
    enabled INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);

CREATE TABLE rule_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    generation BIGINT NOT NULL
);
INSERT INTO rule_generation (id, generation) VALUES (1, 1);

CREATE TABLE rule_firing (
    id INTEGER PRIMARY KEY,
    rule_id BIGINT NOT NULL,
    rule_name TEXT NOT NULL,
    application_id BIGINT NOT NULL REFERENCES application(id),
    trigger_kind TEXT NOT NULL,
    mode TEXT NOT NULL,
    stage TEXT NOT NULL,
    stage_since BIGINT NOT NULL,
    explanation_json TEXT NOT NULL,
    actions_json TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX rule_firing_app ON rule_firing(application_id, id);
CREATE INDEX rule_firing_rule ON rule_firing(rule_id, application_id, stage_since);

CREATE TABLE application_tag (
    application_id BIGINT NOT NULL REFERENCES application(id),
    tag TEXT NOT NULL,
    source TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (application_id, tag)
);
CREATE INDEX application_tag_tag ON application_tag(tag);

CREATE TABLE candidate_attribute (
    candidate_id BIGINT NOT NULL REFERENCES candidate(id),
    attr TEXT NOT NULL,
    value TEXT NOT NULL,
    given_at BIGINT NOT NULL,
    PRIMARY KEY (candidate_id, attr)
);

CREATE TABLE fairness_attribute (
    attr TEXT PRIMARY KEY,
    label_zh TEXT NOT NULL,
    label_en TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE fairness_ack (
    id INTEGER PRIMARY KEY,
    position_id BIGINT NOT NULL REFERENCES position(id),
    reason TEXT NOT NULL,
    report_json TEXT NOT NULL,
    through BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE INDEX fairness_ack_position ON fairness_ack(position_id, id);

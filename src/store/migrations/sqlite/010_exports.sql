-- 010_exports: export templates, export jobs and what each job exported
-- (svc/exports*.c, docs/exports.md).
-- export_template: a named, ordered list of catalogue fields (fields_json,
-- e.g. ["candidate.name", "dim.logic"]) in a format (csv, xlsx, jsonl) with
-- column labels in a language (zh, en); optionally the default template for
-- one position or one stage (at most one template each), and a daily
-- schedule: schedule_at 'HH:MM' UTC with its filter (schedule_filter_json,
-- the application list's filters) and destination; schedule_next_at is the
-- next time it is due (UTC ms), moved on by the run that claims it, so a
-- restart never runs a day twice.
-- export_job: one file written: the template as it was (name, format,
-- fields), the filter, the row count, size and SHA-256 of the file and where
-- it is, and the eliminations it held back because their evaluation was
-- incomplete (held_back, held_back_json). export_item: the applications it holds (the per-application record
-- of the export; moved = 1 where this job moved it to exported, with its
-- row in stage_history).

CREATE TABLE export_template (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    fields_json TEXT NOT NULL,
    format TEXT NOT NULL CHECK (format IN ('csv', 'xlsx', 'jsonl')),
    lang TEXT NOT NULL CHECK (lang IN ('zh', 'en')),
    default_position_id BIGINT REFERENCES position(id),
    default_stage TEXT,
    schedule_at TEXT,
    schedule_filter_json TEXT,
    schedule_destination TEXT CHECK (schedule_destination IN ('download', 'directory')),
    schedule_next_at BIGINT,
    schedule_last_at BIGINT,
    schedule_last_export_id BIGINT,
    schedule_last_error TEXT,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    version INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX export_template_position ON export_template(default_position_id);
CREATE UNIQUE INDEX export_template_stage ON export_template(default_stage);
CREATE INDEX export_template_due ON export_template(schedule_next_at);

CREATE TABLE export_job (
    id INTEGER PRIMARY KEY,
    template_id BIGINT REFERENCES export_template(id) ON DELETE SET NULL,
    template_name TEXT NOT NULL,
    format TEXT NOT NULL,
    lang TEXT NOT NULL,
    fields_json TEXT NOT NULL,
    filter_json TEXT NOT NULL,
    destination TEXT NOT NULL CHECK (destination IN ('download', 'directory')),
    trigger_kind TEXT NOT NULL,
    row_count BIGINT NOT NULL DEFAULT 0,
    moved BIGINT NOT NULL DEFAULT 0,
    bytes BIGINT NOT NULL DEFAULT 0,
    sha256 TEXT NOT NULL DEFAULT '',
    path TEXT NOT NULL DEFAULT '',
    filename TEXT NOT NULL DEFAULT '',
    held_back BIGINT NOT NULL DEFAULT 0,
    held_back_json TEXT NOT NULL DEFAULT '[]',
    created_by TEXT NOT NULL,
    created_by_id BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX export_job_template ON export_job(template_id, id);

CREATE TABLE export_item (
    job_id BIGINT NOT NULL REFERENCES export_job(id),
    application_id BIGINT NOT NULL REFERENCES application(id),
    moved INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (job_id, application_id)
) WITHOUT ROWID;
CREATE INDEX export_item_application ON export_item(application_id);

-- export_request: an application a rule's export(template) action queued for
-- export (svc/exports_requests.c). The export worker exports the queued
-- applications that wait in eliminated_pending_export, one job per template,
-- through the same path as every other export; those under review wait, those
-- no longer eliminated are dropped. A failed attempt is retried after next_at.
CREATE TABLE export_request (
    application_id BIGINT PRIMARY KEY REFERENCES application(id),
    template TEXT NOT NULL,
    rule_id BIGINT,
    requested_at BIGINT NOT NULL,
    next_at BIGINT NOT NULL,
    last_error TEXT
);
CREATE INDEX export_request_due ON export_request(next_at);

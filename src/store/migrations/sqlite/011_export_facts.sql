-- 011_export_facts: what an export reads of an application, kept on the
-- application row itself so that an export reads one row per application
-- (and its candidate) instead of the current result, its dimension rows and
-- the stage history (svc/exports_run.c, docs/performance.md "Export").
-- ai_vendor, ai_model, ai_completed_at, ai_tags (the tags as a JSON array)
-- and ai_transcript (1 when it has a transcript) describe the current result
-- (result_id); ai_dims is the effective dimension scores as a JSON object
-- {"dim": score, ...}, the same as its ai_dim rows; all written with them
-- (svc/results_apply.c). eliminated_at is when the application last entered
-- elimination from outside it; confirmed_at, confirmed_by_kind and
-- confirmed_by (a user id, NULL for a rule or the system) when and by whom
-- it last moved to eliminated_pending_export; written by every move
-- (svc_app_move_tx), filled here from the history.

ALTER TABLE application ADD COLUMN ai_vendor TEXT;
ALTER TABLE application ADD COLUMN ai_model TEXT;
ALTER TABLE application ADD COLUMN ai_completed_at BIGINT;
ALTER TABLE application ADD COLUMN ai_tags TEXT;
ALTER TABLE application ADD COLUMN ai_transcript INTEGER NOT NULL DEFAULT 0;
ALTER TABLE application ADD COLUMN ai_dims TEXT;
ALTER TABLE application ADD COLUMN eliminated_at BIGINT;
ALTER TABLE application ADD COLUMN confirmed_at BIGINT;
ALTER TABLE application ADD COLUMN confirmed_by_kind TEXT;
ALTER TABLE application ADD COLUMN confirmed_by BIGINT;

UPDATE application SET ai_vendor = r.vendor, ai_model = r.model_version, ai_completed_at = r.completed_at,
    ai_tags = json_extract(r.result_json, '$.tags'), ai_transcript = (r.transcript_enc IS NOT NULL)
FROM ai_result r WHERE r.id = application.result_id;

UPDATE application SET ai_dims = d.dims
FROM (SELECT application_id, json_group_object(dim, score) AS dims FROM ai_dim GROUP BY application_id) d
WHERE d.application_id = application.id;

UPDATE application SET eliminated_at = h.at
FROM (SELECT application_id, at, row_number() OVER (PARTITION BY application_id ORDER BY id DESC) AS k
      FROM stage_history
      WHERE to_stage IN ('eliminated_pending_review', 'eliminated_pending_export')
        AND (from_stage IS NULL OR from_stage NOT IN ('eliminated_pending_review', 'eliminated_pending_export'))) h
WHERE h.application_id = application.id AND h.k = 1;

UPDATE application SET confirmed_at = h.at, confirmed_by_kind = h.actor_kind, confirmed_by = h.actor_id
FROM (SELECT application_id, at, actor_kind, actor_id,
             row_number() OVER (PARTITION BY application_id ORDER BY id DESC) AS k
      FROM stage_history WHERE to_stage = 'eliminated_pending_export') h
WHERE h.application_id = application.id AND h.k = 1;

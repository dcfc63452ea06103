-- 018_result_writes: fewer writes per stored AI result.
--
-- ai_dim is clustered by its primary key (application_id, dim): WITHOUT ROWID, the table is the
-- B-tree of its key, where it was a rowid table plus an index of the same key. Each score row is
-- one B-tree entry less to write, and an application's scores (the report, the import's re-score)
-- are read from the table itself.
--
-- The report-stamp triggers of ai_result's inserts and updates are gone: every statement talentd
-- writes a result with also writes its application's row in the same transaction (the result's
-- facts, version + 1: svc/results_apply.c), which is what the report cache checks, so the trigger's
-- second rewrite of that row was redundant. A result's deletion keeps its trigger.
CREATE TABLE ai_dim_clustered (
    application_id BIGINT NOT NULL REFERENCES application(id),
    dim TEXT NOT NULL,
    score INTEGER NOT NULL,
    PRIMARY KEY (application_id, dim)
) WITHOUT ROWID;
INSERT INTO ai_dim_clustered (application_id, dim, score) SELECT application_id, dim, score FROM ai_dim;
DROP TABLE ai_dim;
ALTER TABLE ai_dim_clustered RENAME TO ai_dim;
CREATE INDEX ai_dim_score ON ai_dim(dim, score, application_id);

DROP TRIGGER ai_result_report_stamp_insert;
DROP TRIGGER ai_result_report_stamp_update;

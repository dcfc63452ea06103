-- 018_result_writes: fewer writes per stored AI result.
--
-- The report-stamp trigger of ai_result fires on deletions only: every statement talentd writes a
-- result with also writes its application's row in the same transaction (the result's facts,
-- version + 1: svc/results_apply.c), which is what the report cache checks, so the trigger's second
-- update of that row was redundant (a row version and a plpgsql call per result).
-- (On SQLite this migration also clusters ai_dim by its key; a PostgreSQL table is a heap either way.)
DROP TRIGGER ai_result_report_stamp ON ai_result;
CREATE TRIGGER ai_result_report_stamp AFTER DELETE ON ai_result
    FOR EACH ROW EXECUTE FUNCTION report_stamp_child();

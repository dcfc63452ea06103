-- 013_report_stamp: what the report cache (svc/report_cache.h) checks a cached report against, in
-- one read of the application's row and its position's.
--
-- application.report_stamp goes up with every change of a row the report shows that is not the
-- application's own row (whose version goes up with each of its writes): its results, annotations,
-- score revisions, assignees and views, its candidate, and the role of an annotation's author.
-- Stage history needs none: its rows are written with the stage change of the application's row
-- (an export moves a million of them in one statement: no trigger runs per row there). position.hist_stamp goes up with every change of the position's histograms
-- (score_hist), which the report's percentiles are read from. Triggers keep both, so every writer
-- (the server, the CLI, another process) is seen.

ALTER TABLE application ADD COLUMN report_stamp BIGINT NOT NULL DEFAULT 0;
ALTER TABLE position ADD COLUMN hist_stamp BIGINT NOT NULL DEFAULT 0;

CREATE TRIGGER annotation_report_stamp_insert AFTER INSERT ON annotation WHEN NEW.application_id IS NOT NULL
BEGIN
    UPDATE application SET report_stamp = report_stamp + 1 WHERE id = NEW.application_id;
END;
CREATE TRIGGER annotation_report_stamp_update AFTER UPDATE ON annotation
BEGIN
    UPDATE application SET report_stamp = report_stamp + 1 WHERE id IN (OLD.application_id, NEW.application_id);
END;
CREATE TRIGGER annotation_report_stamp_delete AFTER DELETE ON annotation WHEN OLD.application_id IS NOT NULL
BEGIN
    UPDATE application SET report_stamp = report_stamp + 1 WHERE id = OLD.application_id;
END;

CREATE TRIGGER score_revision_report_stamp_insert AFTER INSERT ON score_revision WHEN NEW.application_id IS NOT NULL
BEGIN
    UPDATE application SET report_stamp = report_stamp + 1 WHERE id = NEW.application_id;
END;
CREATE TRIGGER score_revision_report_stamp_update AFTER UPDATE ON score_revision
BEGIN
    UPDATE application SET report_stamp = report_stamp + 1 WHERE id IN (OLD.application_id, NEW.application_id);
END;
CREATE TRIGGER score_revision_report_stamp_delete AFTER DELETE ON score_revision WHEN OLD.application_id IS NOT NULL
BEGIN
    UPDATE application SET report_stamp = report_stamp + 1 WHERE id = OLD.application_id;
END;


CREATE TRIGGER application_assignee_report_stamp_insert AFTER INSERT ON application_assignee WHEN NEW.application_id IS NOT NULL
BEGIN
    UPDATE application SET report_stamp = report_stamp + 1 WHERE id = NEW.application_id;
END;
CREATE TRIGGER application_assignee_report_stamp_update AFTER UPDATE ON application_assignee
BEGIN
    UPDATE application SET report_stamp = report_stamp + 1 WHERE id IN (OLD.application_id, NEW.application_id);
END;
CREATE TRIGGER application_assignee_report_stamp_delete AFTER DELETE ON application_assignee WHEN OLD.application_id IS NOT NULL
BEGIN
    UPDATE application SET report_stamp = report_stamp + 1 WHERE id = OLD.application_id;
END;

CREATE TRIGGER result_view_report_stamp_insert AFTER INSERT ON result_view WHEN NEW.application_id IS NOT NULL
BEGIN
    UPDATE application SET report_stamp = report_stamp + 1 WHERE id = NEW.application_id;
END;
CREATE TRIGGER result_view_report_stamp_update AFTER UPDATE ON result_view
BEGIN
    UPDATE application SET report_stamp = report_stamp + 1 WHERE id IN (OLD.application_id, NEW.application_id);
END;
CREATE TRIGGER result_view_report_stamp_delete AFTER DELETE ON result_view WHEN OLD.application_id IS NOT NULL
BEGIN
    UPDATE application SET report_stamp = report_stamp + 1 WHERE id = OLD.application_id;
END;

CREATE TRIGGER ai_result_report_stamp_insert AFTER INSERT ON ai_result WHEN NEW.application_id IS NOT NULL
BEGIN
    UPDATE application SET report_stamp = report_stamp + 1 WHERE id = NEW.application_id;
END;
CREATE TRIGGER ai_result_report_stamp_update AFTER UPDATE ON ai_result
BEGIN
    UPDATE application SET report_stamp = report_stamp + 1 WHERE id IN (OLD.application_id, NEW.application_id);
END;
CREATE TRIGGER ai_result_report_stamp_delete AFTER DELETE ON ai_result WHEN OLD.application_id IS NOT NULL
BEGIN
    UPDATE application SET report_stamp = report_stamp + 1 WHERE id = OLD.application_id;
END;

CREATE TRIGGER candidate_report_stamp AFTER UPDATE ON candidate
BEGIN
    UPDATE application SET report_stamp = report_stamp + 1 WHERE candidate_id = NEW.id;
END;

-- Usernames never change; an annotation shows its author's role.
CREATE TRIGGER users_report_stamp AFTER UPDATE OF role, username ON users
BEGIN
    UPDATE application SET report_stamp = report_stamp + 1
    WHERE id IN (SELECT application_id FROM annotation WHERE user_id = NEW.id);
END;

CREATE TRIGGER score_hist_stamp_insert AFTER INSERT ON score_hist
BEGIN
    UPDATE position SET hist_stamp = hist_stamp + 1 WHERE id = NEW.position_id;
END;
CREATE TRIGGER score_hist_stamp_update AFTER UPDATE ON score_hist
BEGIN
    UPDATE position SET hist_stamp = hist_stamp + 1 WHERE id = NEW.position_id;
END;
CREATE TRIGGER score_hist_stamp_delete AFTER DELETE ON score_hist
BEGIN
    UPDATE position SET hist_stamp = hist_stamp + 1 WHERE id = OLD.position_id;
END;

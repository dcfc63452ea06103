-- 013_report_stamp: a position's histogram stamp, for the report cache (svc/report_cache.h).
-- A report shows percentiles against its position's histograms (score_hist), which change with
-- every score of every application of the position; hist_stamp goes up with each change of them,
-- whoever writes it (the server, the CLI, another process), so a cached report can check in one
-- row read that its percentiles still hold.

ALTER TABLE position ADD COLUMN hist_stamp BIGINT NOT NULL DEFAULT 0;

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

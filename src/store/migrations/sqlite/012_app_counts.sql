-- 012_app_counts: counters for the funnel and the rejection reasons (svc_application_counts), and
-- an index for the list's plan (svc_application_list).
-- app_count: how many applications of each position are in each stage with each elimination
-- reason (reason '' for none, else '+' followed by the reason: exact for any text). Kept by
-- the triggers below on every write of an application, whatever the path (a use case, a
-- set-based move, plain SQL); rows left at zero stay. A backfill counts the existing rows.
CREATE TABLE app_count (
    position_id BIGINT NOT NULL,
    stage TEXT NOT NULL,
    reason TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (position_id, stage, reason)
) WITHOUT ROWID;

INSERT INTO app_count (position_id, stage, reason, n)
SELECT position_id, stage, CASE WHEN elimination_reason IS NULL THEN '' ELSE '+' || elimination_reason END,
       COUNT(*)
FROM application GROUP BY 1, 2, 3;

CREATE TRIGGER app_count_insert AFTER INSERT ON application BEGIN
    INSERT INTO app_count (position_id, stage, reason, n)
    VALUES (NEW.position_id, NEW.stage,
            CASE WHEN NEW.elimination_reason IS NULL THEN '' ELSE '+' || NEW.elimination_reason END, 1)
    ON CONFLICT (position_id, stage, reason) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER app_count_delete AFTER DELETE ON application BEGIN
    UPDATE app_count SET n = n - 1
    WHERE position_id = OLD.position_id AND stage = OLD.stage
      AND reason = CASE WHEN OLD.elimination_reason IS NULL THEN '' ELSE '+' || OLD.elimination_reason END;
END;

CREATE TRIGGER app_count_update AFTER UPDATE OF position_id, stage, elimination_reason ON application
WHEN OLD.position_id IS NOT NEW.position_id OR OLD.stage IS NOT NEW.stage
  OR OLD.elimination_reason IS NOT NEW.elimination_reason
BEGIN
    UPDATE app_count SET n = n - 1
    WHERE position_id = OLD.position_id AND stage = OLD.stage
      AND reason = CASE WHEN OLD.elimination_reason IS NULL THEN '' ELSE '+' || OLD.elimination_reason END;
    INSERT INTO app_count (position_id, stage, reason, n)
    VALUES (NEW.position_id, NEW.stage,
            CASE WHEN NEW.elimination_reason IS NULL THEN '' ELSE '+' || NEW.elimination_reason END, 1)
    ON CONFLICT (position_id, stage, reason) DO UPDATE SET n = n + 1;
END;

-- The list's estimate of a dimension range (dim_estimate): the histograms of every position for
-- one dimension and range of scores, read from the index alone.
CREATE INDEX score_hist_dim ON score_hist(dim, bucket, position_id, n);

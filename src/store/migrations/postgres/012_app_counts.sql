-- 012_app_counts: counters for the funnel and the rejection reasons (svc_application_counts).
-- app_count: how many applications of each position are in each stage with each elimination
-- reason (reason '' for none, else '+' followed by the reason: exact for any text). Kept by
-- the statement triggers below on every write of an application, whatever the path (a use
-- case, a set-based move of thousands of rows, plain SQL): one aggregated upsert per statement
-- from its transition tables, in key order (so concurrent writers lock the rows they share in
-- the same order); rows left at zero stay. A backfill counts the existing rows.
CREATE TABLE app_count (
    position_id BIGINT NOT NULL,
    stage TEXT NOT NULL,
    reason TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (position_id, stage, reason)
);

INSERT INTO app_count (position_id, stage, reason, n)
SELECT position_id, stage, CASE WHEN elimination_reason IS NULL THEN '' ELSE '+' || elimination_reason END,
       COUNT(*)
FROM application GROUP BY 1, 2, 3;

CREATE FUNCTION app_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO app_count (position_id, stage, reason, n)
    SELECT position_id, stage, CASE WHEN elimination_reason IS NULL THEN '' ELSE '+' || elimination_reason END,
           COUNT(*)
    FROM new_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (position_id, stage, reason) DO UPDATE SET n = app_count.n + excluded.n;
    RETURN NULL;
END $$;

CREATE FUNCTION app_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO app_count (position_id, stage, reason, n)
    SELECT position_id, stage, CASE WHEN elimination_reason IS NULL THEN '' ELSE '+' || elimination_reason END,
           -COUNT(*)
    FROM old_rows GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (position_id, stage, reason) DO UPDATE SET n = app_count.n + excluded.n;
    RETURN NULL;
END $$;

-- (A trigger with transition tables takes no column list: every UPDATE of an application runs it;
-- one that changes none of the three columns nets to nothing and writes nothing.)
CREATE FUNCTION app_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO app_count (position_id, stage, reason, n)
    SELECT position_id, stage, reason, SUM(d)
    FROM (SELECT position_id, stage,
                 CASE WHEN elimination_reason IS NULL THEN '' ELSE '+' || elimination_reason END AS reason, -1 AS d
          FROM old_rows
          UNION ALL
          SELECT position_id, stage,
                 CASE WHEN elimination_reason IS NULL THEN '' ELSE '+' || elimination_reason END, 1
          FROM new_rows) AS x
    GROUP BY 1, 2, 3 HAVING SUM(d) <> 0 ORDER BY 1, 2, 3
    ON CONFLICT (position_id, stage, reason) DO UPDATE SET n = app_count.n + excluded.n;
    RETURN NULL;
END $$;

CREATE TRIGGER app_count_insert AFTER INSERT ON application REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION app_count_insert();
CREATE TRIGGER app_count_delete AFTER DELETE ON application REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION app_count_delete();
CREATE TRIGGER app_count_update AFTER UPDATE ON application REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION app_count_update();

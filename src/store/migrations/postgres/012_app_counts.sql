-- 012_app_counts: counters for the funnel and the rejection reasons (svc_application_counts).
-- app_count: how many applications of each position are in each stage with each elimination
-- reason (reason '' for none, else '+' followed by the reason: exact for any text), as rows of
-- changes to add up: the count of a key is SUM(n) over its rows. Kept by the statement triggers
-- below on every write of an application, whatever the path (a use case, a set-based move of
-- thousands of rows, plain SQL): each statement appends one row per key it changed, from its
-- transition tables. Appending instead of updating one row per key keeps writers off each
-- other's rows, and keeps a long transaction (an import commits every 10 000 results) from
-- piling up versions of the same rows. Every 2 048 rows appended, one writer (an advisory lock
-- decides) folds the table into one row per key (app_count_fold). A backfill counts the
-- existing rows.
CREATE TABLE app_count (
    id BIGSERIAL PRIMARY KEY,
    position_id BIGINT NOT NULL,
    stage TEXT NOT NULL,
    reason TEXT NOT NULL,
    n BIGINT NOT NULL
);

INSERT INTO app_count (position_id, stage, reason, n)
SELECT position_id, stage, CASE WHEN elimination_reason IS NULL THEN '' ELSE '+' || elimination_reason END,
       COUNT(*)
FROM application GROUP BY 1, 2, 3;

-- Folds app_count into one row per key (keys adding up to zero go) after k rows were appended,
-- when the ids crossed a multiple of 2 048 and no other transaction is folding.
CREATE FUNCTION app_count_fold(k BIGINT) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    last BIGINT;
BEGIN
    IF k <= 0 THEN
        RETURN;
    END IF;
    last := currval('app_count_id_seq');
    IF last / 2048 <> (last - k) / 2048 AND pg_try_advisory_xact_lock(7370706301) THEN
        WITH gone AS (DELETE FROM app_count RETURNING position_id, stage, reason, n)
        INSERT INTO app_count (position_id, stage, reason, n)
        SELECT position_id, stage, reason, SUM(n) FROM gone GROUP BY 1, 2, 3 HAVING SUM(n) <> 0;
    END IF;
END $$;

CREATE FUNCTION app_count_insert() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    k BIGINT;
BEGIN
    INSERT INTO app_count (position_id, stage, reason, n)
    SELECT position_id, stage, CASE WHEN elimination_reason IS NULL THEN '' ELSE '+' || elimination_reason END,
           COUNT(*)
    FROM new_rows GROUP BY 1, 2, 3;
    GET DIAGNOSTICS k = ROW_COUNT;
    PERFORM app_count_fold(k);
    RETURN NULL;
END $$;

CREATE FUNCTION app_count_delete() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    k BIGINT;
BEGIN
    INSERT INTO app_count (position_id, stage, reason, n)
    SELECT position_id, stage, CASE WHEN elimination_reason IS NULL THEN '' ELSE '+' || elimination_reason END,
           -COUNT(*)
    FROM old_rows GROUP BY 1, 2, 3;
    GET DIAGNOSTICS k = ROW_COUNT;
    PERFORM app_count_fold(k);
    RETURN NULL;
END $$;

-- (A trigger with transition tables takes no column list: every UPDATE of an application runs it;
-- one that changes none of the three columns nets to nothing and appends nothing.)
CREATE FUNCTION app_count_update() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    k BIGINT;
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
    GROUP BY 1, 2, 3 HAVING SUM(d) <> 0;
    GET DIAGNOSTICS k = ROW_COUNT;
    PERFORM app_count_fold(k);
    RETURN NULL;
END $$;

CREATE TRIGGER app_count_insert AFTER INSERT ON application REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION app_count_insert();
CREATE TRIGGER app_count_delete AFTER DELETE ON application REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION app_count_delete();
CREATE TRIGGER app_count_update AFTER UPDATE ON application REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION app_count_update();

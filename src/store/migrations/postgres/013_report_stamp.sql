-- 013_report_stamp: a position's histogram stamp, for the report cache (svc/report_cache.h).
-- A report shows percentiles against its position's histograms (score_hist), which change with
-- every score of every application of the position; hist_stamp goes up with each change of them,
-- whoever writes it (the server, the CLI, another process), so a cached report can check in one
-- row read that its percentiles still hold.
--
-- The trigger is deferred to the commit and bumps each position once per transaction (a
-- transaction-local setting remembers which): the position's row is locked only for the last
-- moment of a transaction that changed its histograms, and transactions that change several
-- positions' histograms (an import batch, written in position order) take those locks in the same
-- order, so concurrent writers of one histogram never wait on each other in a cycle.

ALTER TABLE position ADD COLUMN hist_stamp BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION score_hist_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    pid BIGINT;
    flag TEXT;
BEGIN
    IF TG_OP = 'DELETE' THEN
        pid := OLD.position_id;
    ELSE
        pid := NEW.position_id;
    END IF;
    flag := 'talentd.hist_stamp_' || pid;
    IF current_setting(flag, true) IS DISTINCT FROM 'done' THEN
        PERFORM set_config(flag, 'done', true);
        UPDATE position SET hist_stamp = hist_stamp + 1 WHERE id = pid;
    END IF;
    RETURN NULL;
END;
$$;

CREATE CONSTRAINT TRIGGER score_hist_stamp AFTER INSERT OR UPDATE OR DELETE ON score_hist
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION score_hist_stamp();

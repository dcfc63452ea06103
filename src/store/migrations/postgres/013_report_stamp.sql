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
--
-- The histogram trigger is deferred to the commit and bumps each position once per transaction (a
-- transaction-local setting remembers which): the position's row is locked only for the last moment
-- of a transaction that changed its histograms, and transactions that change several positions'
-- histograms (an import batch, written in position order) take those locks in the same order, so
-- concurrent writers of one histogram never wait on each other in a cycle.

ALTER TABLE application ADD COLUMN report_stamp BIGINT NOT NULL DEFAULT 0;
ALTER TABLE position ADD COLUMN hist_stamp BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION report_stamp_child() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.application_id IS NOT NULL THEN
            UPDATE application SET report_stamp = report_stamp + 1 WHERE id = NEW.application_id;
        END IF;
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE application SET report_stamp = report_stamp + 1
        WHERE id = OLD.application_id OR id = NEW.application_id;
    ELSIF OLD.application_id IS NOT NULL THEN
        UPDATE application SET report_stamp = report_stamp + 1 WHERE id = OLD.application_id;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER annotation_report_stamp AFTER INSERT OR UPDATE OR DELETE ON annotation
    FOR EACH ROW EXECUTE FUNCTION report_stamp_child();
CREATE TRIGGER score_revision_report_stamp AFTER INSERT OR UPDATE OR DELETE ON score_revision
    FOR EACH ROW EXECUTE FUNCTION report_stamp_child();
CREATE TRIGGER application_assignee_report_stamp AFTER INSERT OR UPDATE OR DELETE ON application_assignee
    FOR EACH ROW EXECUTE FUNCTION report_stamp_child();
CREATE TRIGGER result_view_report_stamp AFTER INSERT OR UPDATE OR DELETE ON result_view
    FOR EACH ROW EXECUTE FUNCTION report_stamp_child();
CREATE TRIGGER ai_result_report_stamp AFTER INSERT OR UPDATE OR DELETE ON ai_result
    FOR EACH ROW EXECUTE FUNCTION report_stamp_child();

CREATE FUNCTION report_stamp_candidate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE application SET report_stamp = report_stamp + 1 WHERE candidate_id = NEW.id;
    RETURN NULL;
END;
$$;
CREATE TRIGGER candidate_report_stamp AFTER UPDATE ON candidate
    FOR EACH ROW EXECUTE FUNCTION report_stamp_candidate();

-- Usernames never change; an annotation shows its author's role.
CREATE FUNCTION report_stamp_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE application SET report_stamp = report_stamp + 1
    WHERE id IN (SELECT application_id FROM annotation WHERE user_id = NEW.id);
    RETURN NULL;
END;
$$;
CREATE TRIGGER users_report_stamp AFTER UPDATE OF role, username ON users
    FOR EACH ROW EXECUTE FUNCTION report_stamp_user();

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

-- 015_change_notify: a notification on channel talentd_change at the commit of every transaction
-- that writes a row the server's in-process read caches depend on (store/change_gen.h): the API
-- token and session lookups (api_token, session, users, org_unit) and the report's stamp and
-- visibility read (application, position, org_unit, application_assignee, and every table whose
-- changes migration 013's triggers turn into stamp bumps). A listening server drops what it
-- cached when one arrives.
--
-- The triggers run once per statement, not per row: PostgreSQL collapses identical notifications
-- of one transaction into one and sends it only at the commit (none for a rolled-back
-- transaction), so an import of a million rows sends one. The payload is empty: the caches are
-- dropped whole, whatever changed.

CREATE FUNCTION talentd_change_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('talentd_change', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER api_token_change_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON api_token
    FOR EACH STATEMENT EXECUTE FUNCTION talentd_change_notify();
CREATE TRIGGER session_change_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON session
    FOR EACH STATEMENT EXECUTE FUNCTION talentd_change_notify();
CREATE TRIGGER users_change_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON users
    FOR EACH STATEMENT EXECUTE FUNCTION talentd_change_notify();
CREATE TRIGGER org_unit_change_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON org_unit
    FOR EACH STATEMENT EXECUTE FUNCTION talentd_change_notify();
CREATE TRIGGER position_change_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON position
    FOR EACH STATEMENT EXECUTE FUNCTION talentd_change_notify();
CREATE TRIGGER application_change_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON application
    FOR EACH STATEMENT EXECUTE FUNCTION talentd_change_notify();
CREATE TRIGGER application_assignee_change_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
    ON application_assignee FOR EACH STATEMENT EXECUTE FUNCTION talentd_change_notify();
-- What migration 013 turns into stamp bumps (those bumps are writes of application and position,
-- which notify too; these make it independent of how 013's triggers work).
CREATE TRIGGER ai_result_change_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ai_result
    FOR EACH STATEMENT EXECUTE FUNCTION talentd_change_notify();
CREATE TRIGGER annotation_change_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON annotation
    FOR EACH STATEMENT EXECUTE FUNCTION talentd_change_notify();
CREATE TRIGGER score_revision_change_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON score_revision
    FOR EACH STATEMENT EXECUTE FUNCTION talentd_change_notify();
CREATE TRIGGER result_view_change_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON result_view
    FOR EACH STATEMENT EXECUTE FUNCTION talentd_change_notify();
CREATE TRIGGER candidate_change_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON candidate
    FOR EACH STATEMENT EXECUTE FUNCTION talentd_change_notify();
CREATE TRIGGER score_hist_change_notify AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON score_hist
    FOR EACH STATEMENT EXECUTE FUNCTION talentd_change_notify();

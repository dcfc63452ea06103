-- 007_session_snapshot: an interview session keeps the questions it was
-- invited with (svc/interviews.c). Editing a question set afterwards changes
-- new invitations only: a candidate halfway through never sees a question
-- change, move or vanish under them, and scoring uses the rubric the
-- candidate answered. questions_json is the array the session works from
-- ({id, seq, text_zh, text_en, time_limit_s, required, dims, rubric}),
-- set_version the question set's version it was taken from. token_enc is
-- the link token encrypted (context "interview.token"), so HR can fetch the
-- invitation again while the session is open; lookups still go through
-- token_hash. Sessions made before this migration get their set's current
-- questions and no token_enc (their invitation cannot be shown again).

ALTER TABLE interview_session ADD COLUMN questions_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE interview_session ADD COLUMN set_version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE interview_session ADD COLUMN token_enc BLOB;

UPDATE interview_session SET
    set_version = (SELECT version FROM question_set WHERE question_set.id = interview_session.set_id),
    questions_json = (
        SELECT COALESCE(json_group_array(json(q)), '[]') FROM (
            SELECT json_object('id', id, 'seq', seq, 'text_zh', text_zh, 'text_en', text_en,
                               'time_limit_s', time_limit_s,
                               'required', json(CASE WHEN required <> 0 THEN 'true' ELSE 'false' END),
                               'dims', json(dims_json), 'rubric', json(rubric_json)) AS q
            FROM question WHERE question.set_id = interview_session.set_id ORDER BY seq));

/* interviews.h - the candidate's AI interview session (issue 4): HR invites
 * an application to answer a question set through a link; the candidate
 * reads the questions, autosaves answers (drafts and final), exits with a
 * confirmation, resumes before the deadline; on completion the answers are
 * scored and the score enters through svc_result_ingest like any vendor
 * result.
 *
 * Session status and application stage move together, in one transaction:
 *   invited     <-> ai_invited          (invite: applied / ai_incomplete -> ai_invited)
 *   in_progress <-> ai_in_progress      (first save; resume of an incomplete session)
 *   completed   <-> ai_pending_evaluation (exit with every required question answered finally)
 *   incomplete  <-> ai_incomplete       (exit with required answers missing)
 *   expired     ->  ai_incomplete       (a candidate call past expires_at, or the sweep)
 *   revoked     ->  ai_incomplete       (HR revokes an open session)
 * An application that is no longer in the stage the session expects is not
 * moved by expiry or revocation (HR moved it on); a candidate action that
 * the pipeline refuses answers its error (409 illegal_transition).
 *
 * Link tokens are "tdi_" + 256 random bits, stored as SHA-256 for lookups
 * and encrypted for svc_interview_invitation.
 * A wrong, unknown or revoked token is 404; past expires_at every candidate
 * call marks the session expired (if it is still open) and answers 409
 * "expired". A completed session stays readable through its link.
 *
 * Staff representation of a session: {id, application_id, set_id,
 * question_set (code), status, current_question, answered (final answers),
 * saved (answers saved), total (questions), set_version (of the question
 * set when the questions were copied), started_at, last_saved_at,
 * completed_at, expires_at, revoked_at, scored_at, score_error, result_id,
 * version, created_at, created_by} - never the token. */
#ifndef TALENTD_SVC_INTERVIEWS_H
#define TALENTD_SVC_INTERVIEWS_H

#include "svc/svc.h"

#define INTERVIEW_DAYS_DEFAULT 7
#define INTERVIEW_DAYS_MAX 30
#define INTERVIEW_ANSWER_MAX 20000 /* bytes of one answer (RUBRIC_ANSWER_MAX) */
#define INTERVIEW_BULK_MAX 200

#define INTERVIEW_EXIT_WARNING_ZH "未完成的答题内容将不计入最终评估结果"
#define INTERVIEW_EXIT_WARNING_EN "Questions you have not finished will not count towards the final evaluation."
#define INTERVIEW_RESUME_ZH "是否继续上次未完成的面试？"
#define INTERVIEW_RESUME_EN "Continue the interview where you left off?"

/* A scorer, in one of two ways:
 *
 * score: turns a completed session's questions (as rubric_score takes them,
 * with text_zh/text_en kept) and final answers ({"<id>": text}) into the
 * scoring part of a normalised result: *out {overall, dimensions: [{key,
 * score, evidence}], answers?: [{question_id, keywords, star}]}
 * (rubric_score's shape), from which the session builds the result. The
 * built-in one (rubric_score) works this way.
 *
 * result (used when set): takes the scoring request {session_id,
 * application_id, position_code, question_set, completed_at, questions:
 * [{id, seq, text_zh, text_en, required, dims}], answers: [{question_id,
 * text}] (final answers)} and returns a whole normalised result
 * (docs/results.md) in *out. Whatever it says, the session forces vendor
 * (this scorer's), vendor_result_id ("session-<id>"), candidate
 * ({application_id} of the session) and completed_at (the session's)
 * before the result is ingested, so a scorer can only ever score the
 * session it was asked about. The external HTTP scorer (svc/scorer_http.h)
 * works this way.
 *
 * vendor names the scorer in the result; model_version is the result's
 * model_version when the scorer gives none. */
struct interview_scorer {
    const char *vendor;        /* the result's vendor, e.g. "builtin" */
    const char *model_version; /* e.g. "rubric-1" */
    int (*score)(const struct interview_scorer *s, json_t *questions, json_t *answers, json_t **out, struct err *e);
    int (*result)(const struct interview_scorer *s, json_t *request, json_t **out, struct err *e);
    void *ud;
};

/* The built-in rubric scorer (core/rubric.h). */
extern const struct interview_scorer interview_scorer_builtin;

/* in: {question_set? (code; default the position's set), expires_in_days? (1..30, default 7)}.
 * Creates a session for the application (admin/hr), moves it to ai_invited
 * (from applied, or ai_incomplete; an open session past its deadline is
 * expired first; an incomplete one is revoked), audit "interview.invite",
 * events interview.invited and application.stage_changed. 409
 * "interview_open" while the application has a live session; 422
 * "no_question_set" when neither the request nor the position names one.
 * The session keeps a copy of the set's questions as they are now
 * (session.set_version): later edits of the set change new invitations
 * only. The token is stored as its SHA-256 (for lookups) and encrypted
 * (for svc_interview_invitation).
 * *out = {session, token, path ("/i/<token>"), invitation: {zh, en,
 * deadline}}. */
int svc_interview_invite(struct svc_ctx *c, int64_t app, json_t *in, json_t **out);

/* The invitation of open session id again (admin/hr), as svc_interview_invite
 * answered it, for resending: the same token and path, the text with the
 * candidate's and position's current names. 409 "not_open" once the
 * session is finished, revoked or past its deadline; 409 "link_unavailable"
 * for a session whose token was not kept. Audit "interview.invitation_shown". */
int svc_interview_invitation(struct svc_ctx *c, int64_t id, json_t **out);

/* in: {application_ids: [1..200 ids], question_set?, expires_in_days?}: each
 * application invited in its own transaction. *out = {invited, failed,
 * items: [{application_id, ok, ...invite output | error: {code, message,
 * field}}]} in the order given. */
int svc_interview_invite_bulk(struct svc_ctx *c, json_t *in, json_t **out);

/* {"items": [session...]} of the application, newest first. */
int svc_interview_list(struct svc_ctx *c, int64_t app, json_t **out);

/* Revokes session id: its link stops working; an open session's
 * application moves ai_invited/ai_in_progress -> ai_incomplete. Revoking a
 * finished (completed, expired, revoked) session is 409 "not_open". */
int svc_interview_revoke(struct svc_ctx *c, int64_t id, json_t **out);

/* Candidate calls: token is the credential. */

/* {status, expires_at, time_left_s, question_set: {name, allow_restart},
 * questions: [{id, seq, text_zh, text_en, time_limit_s, required}] (no
 * rubric), answers: [{question_id, text, final, version, saved_at}],
 * progress: {answered, saved, total, required, required_answered},
 * current_question, resume_offer: null | {continue: true, restart: bool,
 * prompt_zh, prompt_en}, instructions: {zh, en}}. */
int svc_interview_state(struct svc_ctx *c, const char *token, json_t **out);

/* in: {text (<= 20000 bytes; 413 beyond), final (bool), version?}. Autosave
 * of question qid (404 when not in the set). The same text and final again
 * changes nothing; otherwise the answer's version goes up (a stale version
 * is 409 version_conflict). The first save of an invited session starts it.
 * *out = {question_id, text, final, version, saved_at, changed, status,
 * current_question, progress}. 409 "not_in_progress" for an incomplete
 * session (resume first), "already_finished" for a completed one. */
int svc_interview_save(struct svc_ctx *c, const char *token, int64_t qid, json_t *in, json_t **out);

/* in: {confirm?}. Without confirm: {confirm_required: true, warning: {zh,
 * en}, unanswered_required: [{id, seq, text_zh, text_en}], unanswered: n},
 * nothing changed. Confirmed: completed (then scored, after the commit) or
 * incomplete; *out = {status, session state..., scoring: {ok, result_id |
 * error}} . 409 "already_finished" once finished. */
int svc_interview_exit(struct svc_ctx *c, const char *token, json_t *in, json_t **out);

/* in: {mode: "continue" | "restart"}. *out = the state. */
int svc_interview_resume(struct svc_ctx *c, const char *token, json_t *in, json_t **out);

/* Scores completed session id with scorer and ingests the result; on failure
 * records score_error on the session (answers untouched) and returns the
 * error. Used after exit and by a later `talentd rescore`. */
int svc_interview_score(struct svc_ctx *c, int64_t id, const struct interview_scorer *scorer, json_t **out);

/* HR's retry: scores completed session id (one the actor may see; 409
 * "not_completed" otherwise) again with c->scorer (the built-in one when
 * NULL), scored or not before. A scorer failure is not an error of the
 * call: it is recorded on the session (score_error) and reported.
 * *out = {session (after), scoring: {ok: true, result_id, vendor, version,
 * duplicate} | {ok: false, error}}. */
int svc_interview_rescore(struct svc_ctx *c, int64_t id, json_t **out);

/* {"items": [id...]}: the completed sessions without a result (never
 * scored, or every scoring failed), oldest first. */
int svc_interviews_unscored(struct svc_ctx *c, json_t **out);

/* Marks every open session (invited, in_progress, incomplete) whose
 * expires_at is before `before` (ms) expired, each in its own transaction,
 * moving its application to ai_incomplete. *n = how many. */
int svc_interviews_expire(struct svc_ctx *c, int64_t before, int *n);

#endif

/* interviews_impl.h - what the interview session use cases (interviews.c)
 * share with interview scoring (interview_scoring.c). Not for other modules:
 * they use svc/interviews.h. All run in the caller's open transaction. */
#ifndef TALENTD_SVC_INTERVIEWS_IMPL_H
#define TALENTD_SVC_INTERVIEWS_IMPL_H

#include "svc/svc.h"

#define SESSION_LOCK_BASE 0x49560000000LL /* + session id: serialises a session's writers (PostgreSQL) */

#define JI(o, k) ((int64_t)json_integer_value(json_object_get((o), (k))))
#define JS(o, k) json_string_value(json_object_get((o), (k)))

/* Session id as loaded (internal "_" fields included); scoped limits it to the actor's applications. */
int iv_sess_load(struct svc_ctx *c, int64_t id, int scoped, json_t **out);
/* A copy of a loaded session without its internal fields. */
json_t *iv_public_session(json_t *sess);
/* The questions a loaded session works from, in order, rubrics included: the snapshot of its question set
 * taken at the invitation (a new reference). */
json_t *iv_questions(json_t *sess);
/* The saved answers of session sess_id. */
int iv_answers_load(struct svc_ctx *c, int64_t sess_id, json_t **out);
/* 1 when text holds something other than whitespace. */
int iv_not_blank(const char *t);
/* 1 when question q has a final, non-blank answer in answers. */
int iv_answered(json_t *answers, json_t *q);
/* Audit row (before -> the reloaded session) and event (may be NULL) for a change of session id;
 * extra is merged into the recorded representation; *after (may be NULL) gets the reload. */
int iv_record(struct svc_ctx *c, const char *action, const char *event, json_t *before, json_t **after, json_t *extra);

#endif

/* question_sets.h - interview question sets: per position or shared, each an
 * ordered list of questions (zh-CN and English text, time limit, required,
 * the dimensions it measures and a rubric). Staff read them (a manager only
 * shared sets and those of positions in their org subtree); admin/hr write.
 *
 * A set is {id, code, name, position_id, position (code) | null, shared,
 * allow_restart, question_count, questions, created_at, updated_at, version};
 * a question {id, seq, text_zh, text_en, time_limit_s, required, dims,
 * rubric: {phrases: {dim: [{text, weight}]}, sample_answer}}. Question ids
 * are row ids: stable while the question is kept (an update names it by id). */
#ifndef TALENTD_SVC_QUESTION_SETS_H
#define TALENTD_SVC_QUESTION_SETS_H

#include "svc/svc.h"

#define QSET_MAX_QUESTIONS 50
#define QSET_MAX_DIMS 20
#define QSET_MAX_PHRASES 50
#define QSET_TEXT_MAX 2000
#define QSET_SAMPLE_MAX 4000
#define QSET_PHRASE_MAX 64
#define QSET_TIME_MIN 10
#define QSET_TIME_MAX 3600
#define QSET_TIME_DEFAULT 180

/* in: {code, name, position? (code; absent/null = shared), allow_restart? (false),
 * questions: [1..50 of {text_zh, text_en?, time_limit_s? (180), required? (true),
 * dims: [key], rubric?: {phrases?: {dim: [{text, weight}]}, sample_answer?}}]}.
 * Creates the set and its questions in one transaction; 409 "duplicate" on code. */
int svc_question_set_create(struct svc_ctx *c, json_t *in, json_t **out);

/* The set with its questions in order (404 when missing or not visible). */
int svc_question_set_get(struct svc_ctx *c, int64_t id, json_t **out);

/* query: position (code), shared ("true": shared only, "false": per position only),
 * code, limit, cursor. Items carry question_count but not the questions. */
int svc_question_set_list(struct svc_ctx *c, json_t *query, json_t **out);

/* in: {name?, allow_restart?, position? (code or null for shared), questions? (the whole
 * new list: an entry with "id" keeps that question of this set, updated; entries without
 * are new; questions left out are deleted), version?}. */
int svc_question_set_update(struct svc_ctx *c, int64_t id, json_t *in, json_t **out);

/* Refused (409 "in_use") while a position uses the set as its default, or any interview session uses it. */
int svc_question_set_delete(struct svc_ctx *c, int64_t id);

/* Id for a code, ERR_NOT_FOUND when none (no transaction of its own). */
int svc_question_set_id_by_code(struct svc_ctx *c, const char *code, int64_t *id);

/* Creates the set in (a create document) or, when its code exists, replaces that set's
 * name, allow_restart, position and questions with the document's (absent position =
 * shared). *created tells which. For `talentd questions import`. */
int svc_question_set_import(struct svc_ctx *c, json_t *in, json_t **out, int *created);

#endif

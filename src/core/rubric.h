/* rubric.h - the built-in, explainable rubric scorer of text answers
 * (issue 4 "Scoring"): weighted phrase matching that works on Chinese
 * without word segmentation, STAR structure detection in Chinese and
 * English, and coverage of each question's dimensions. Every dimension score
 * comes with its evidence: the phrases found, in which answer.
 *
 * Pure domain logic: no I/O, no SQL, no globals that change. The same input
 * always gives byte-identical output.
 *
 * Matching. Answer and phrase are both normalised: ASCII letters folded to
 * lower case; full-width forms U+FF01..U+FF5E folded to ASCII (ＡＢＣ１２％ ->
 * abc12%); whitespace (ASCII, controls, U+00A0, U+2000..U+200A, U+2028,
 * U+2029, U+202F, U+205F, U+3000) collapsed to one space and trimmed. A
 * phrase is found when it is a substring of the normalised answer; an end of
 * the phrase that is an ASCII letter or digit must also sit on a word
 * boundary (no ASCII letter or digit next to it in the answer). So "lead"
 * does not match "leader" or "leading" (list those forms when wanted),
 * "python" matches "用Python写", and a Chinese phrase (沟通) matches anywhere.
 *
 * STAR. An answer shows a STAR element when it contains one of the built-in
 * markers of rubric.c (Chinese and English, matched as phrases are):
 *   S situation: 当时, 背景, 情况是, 那时, 有一次, ... / situation, at the time, when I was, back then, ...
 *   T task:      任务, 目标, 负责, 需要我, 职责, ...   / task, goal, my responsibility, I had to, ...
 *   A action:    我决定, 我采取, 首先, 然后, 于是, ... / I decided, I took, first, then, I implemented, ...
 *   R result:    结果, 最终, 最后, 提升了, 降低了, ... / as a result, result, in the end, increased, ...
 * and a number followed by "%" (or "％", optionally after one space) also
 * counts as a result.
 *
 * Formula. For a question q measuring dimension d, with its answer answered:
 *   length = code points of the normalised answer,
 *   len    = min(1, length / 200),
 *   star   = (elements of S, T, A, R present) / 4,
 *   cov    = (sum of the weights of d's phrases found in the answer)
 *            / (sum of the weights of all of d's phrases in q),
 *   s(q,d) = 100 * (0.6 * cov + 0.25 * star + 0.15 * len)   when q lists phrases for d,
 *   s(q,d) = 100 * (0.625 * star + 0.375 * len)             when it does not
 *            (the same STAR and length parts, rescaled to 100);
 * an unanswered question (missing, null, or only whitespace) has s(q,d) = 0.
 * The score of d is the mean of s(q,d) over the questions that measure d and
 * are either answered or required (an optional question left unanswered is
 * not counted; a required one counts 0), rounded half up; 0 when no question
 * counts. overall is the mean of the (rounded) dimension scores, rounded
 * half up; 0 when there are none. */
#ifndef TALENTD_RUBRIC_H
#define TALENTD_RUBRIC_H

#include <jansson.h>

#include "lib/err.h"

/* Input limits. */
#define RUBRIC_MAX_QUESTIONS 50
#define RUBRIC_MAX_DIMS_PER_QUESTION 20
#define RUBRIC_MAX_PHRASES 50     /* per dimension and question */
#define RUBRIC_PHRASE_MAX 64      /* code points of a phrase's text */
#define RUBRIC_WEIGHT_MAX 10.0    /* a weight is > 0 and <= this */
#define RUBRIC_ANSWER_MAX 20000   /* bytes of one answer */
#define RUBRIC_LENGTH_TARGET 200  /* code points for the full length part */
#define RUBRIC_EVIDENCE_MAX 2000  /* code points; docs/results.md's evidence limit */
#define RUBRIC_MAX_RESULT_DIMS 32 /* distinct dimensions; RESULT_MAX_DIMS of core/result.h */

/* Scores the answers to a set of questions against their rubric.
 *
 * questions: JSON array of 1..50 objects
 *   {id (integer > 0, unique; 7.0 counts as 7),
 *    dims: [1..20 unique dimension keys, each [a-z][a-z0-9_]{0,31}],
 *    required (bool),
 *    rubric: {phrases: {<dim key>: [{text (1..64 code points, no control
 *                                     characters, not blank), weight (number > 0, <= 10)}, ...0..50]},
 *             sample_answer? (string or null; not scored)}}.
 *   A phrases key must be one of the question's dims; a dim without one has
 *   no phrases. Two phrases of one list that normalise alike are refused.
 *   Other keys are ignored. At most 32 distinct dimensions in all (what a
 *   result holds).
 * answers: JSON object {"<question id>": "answer text" or null, ...} (final
 *   answers only; a missing question is unanswered); each key the decimal id
 *   of a question, each answer at most 20000 bytes of UTF-8.
 * Neither is modified; no reference is stolen.
 *
 * Returns 0 with *out a new reference:
 *   {overall: int 0-100,
 *    dimensions: [{key, score: int 0-100, evidence: string}], one per
 *      dimension any question measures, in first-seen order (questions in
 *      order, each question's dims in order),
 *    answers: [{question_id, answered: bool, length (code points of the
 *      normalised answer, 0 when unanswered), keywords: [the texts, as
 *      written in the rubric, of the phrases found, any dim, in rubric order
 *      (the question's dims in order, then each list in order), no phrase
 *      twice], star: {situation, task, action, result: bool}}], in question
 *      order}.
 * The evidence of a dimension lists, for each question counted in its score,
 * the phrases found ("-" when none were, or none are listed) or "no answer",
 * then the STAR elements of each answered question:
 *   "Q2: 沟通, 协调; Q3: -; Q5: no answer | STAR: S T A R (Q2), A R (Q3)"
 * (a question with no element shows "-"); just "no answer" when no question
 * counts. It is at most 2000 code points, cut on a character boundary and
 * ended with "…" when longer. The object fits docs/results.md: overall and
 * dimensions can go straight into a normalised result.
 *
 * Otherwise returns ERR_INVALID with *out NULL and e filled (an error already
 * in e is kept, as err_set does): e->field the path of the first problem
 * ("questions", "questions[2].dims[0]",
 * "questions[2].rubric.phrases.logic[0].weight", "answers.7"; cut to fit
 * e->field, on a character boundary when it holds a payload's key),
 * e->slug one of "required", "wrong_type", "out_of_range", "too_long",
 * "too_many", "invalid_value", "duplicate", "unknown_field". */
int rubric_score(json_t *questions, json_t *answers, json_t **out, struct err *e);

#endif

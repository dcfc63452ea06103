/* candidates.h - candidates: one archive per person, contact data encrypted
 * at rest and deduplicated by blind index.
 *
 * Representation: {id, name, email, phone, id_number, source, external_id,
 * consent_at, created_at, updated_at, version}. What the caller sees follows
 * c->actor: id_number only for admin/hr/system (else omitted and named in
 * "redacted"); interviewers get email and phone masked ("138****1234",
 * "z***@example.com", named in "masked"). Audit rows and outbox events never
 * hold the plaintext: email/phone/id_number appear there as "[set]" or null
 * (and as "[changed]" in an audit "after" when a present value changed). */
#ifndef TALENTD_SVC_CANDIDATES_H
#define TALENTD_SVC_CANDIDATES_H

#include <stddef.h>

#include "svc/svc.h"

/* Size of a buffer that holds any normalised contact value. */
#define CANDIDATE_PII_MAX 256

/* Normalisers shared by the API, imports and dedupe. Each writes the
 * normal form of in into out (n bytes, at least CANDIDATE_PII_MAX) and
 * returns 0, or -1 when in is not a valid value (out then undefined).
 * email: trimmed, lower-case, local@domain.tld, at most 254 characters.
 * phone: digits only after dropping spaces, '-', '(', ')' and a leading '+';
 *        a leading "86" on 13 digits is dropped; 6..20 digits.
 * id_number: trimmed, upper-case, [0-9A-Z]{6,32}. */
int candidate_norm_email(const char *in, char *out, size_t n);
int candidate_norm_phone(const char *in, char *out, size_t n);
int candidate_norm_id_number(const char *in, char *out, size_t n);

/* in: {name (1..100), email?, phone?, id_number?, source? (<=64),
 * external_id? (<=128), consent? (bool; true records consent_at = now)}.
 * At least one of email/phone. A candidate with the same email or phone
 * is a 409 "duplicate" naming the field, with e->existing_id set. */
int svc_candidate_create(struct svc_ctx *c, json_t *in, json_t **out);

/* One candidate as c->actor may see it; ERR_NOT_FOUND also when it exists
 * but is outside the actor's visibility. Runs its own read transaction. */
int svc_candidate_get(struct svc_ctx *c, int64_t id, json_t **out);

/* query: email (exact), phone (exact), name (substring, ASCII
 * case-insensitive), source, position (code: has an application to it),
 * limit, cursor. Rows are limited to what the actor may see. */
int svc_candidate_list(struct svc_ctx *c, json_t *query, json_t **out);

/* in: {name?, email?, phone?, id_number?, source?, external_id?, consent?,
 * version?}; null clears an optional field (email and phone may not both
 * end up empty). version, when given, must equal the current one (409
 * "version_conflict"). Same validation and duplicate rules as create. */
int svc_candidate_update(struct svc_ctx *c, int64_t id, json_t *in, json_t **out);

/* The candidate as c->actor may see it (svc_candidate_get's answer) in the open transaction. */
int svc_candidate_view_tx(struct svc_ctx *c, int64_t id, json_t **out);

/* svc_candidate_create's work inside the caller's open transaction (audit row and event
 * included, no commit): *id of the new candidate. */
int svc_candidate_insert_tx(struct svc_ctx *c, json_t *in, int64_t *id);

#endif

/* audit.h - reading and verifying the hash-chained audit log that
 * svc_audit (svc.h) appends to. */
#ifndef TALENTD_SVC_AUDIT_H
#define TALENTD_SVC_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "svc/svc.h"

/* The hash of one audit row (defined in svc.c): SHA-256 hex of the row's
 * canonical text chained to prev, the previous row's hash (64 '0's for the
 * first row). A NULL actor_id column is passed as 0. */
void audit_row_hash(const char *prev, int64_t at, const char *actor, int64_t actor_id, const char *action,
                    const char *entity, int64_t entity_id, const char *diff, char out[65]);

/* query: entity, id (entity_id; needs entity), actor (a label such as
 * "user:alice" or "system:cli", or a bare username), action, limit, cursor.
 * Oldest first. Each item: {id, at, actor, action, entity, entity_id, diff
 * (the parsed {"before","after"} object), hash, prev_hash}. */
int svc_audit_list(struct svc_ctx *c, json_t *query, json_t **out);

/* Walks the whole chain in id order in one read snapshot, a batch of rows
 * at a time, recomputing every hash and checking that each prev_hash is the
 * previous row's hash. Returns 0 when the walk completed, whatever it found:
 * *rows = rows checked, *broken_id = the first bad row (0 when the chain is
 * intact) and why (why_n bytes) says what is wrong with it ("hash mismatch",
 * "prev_hash does not match row N"). A negative ERR_* (c->e set) when the
 * database fails. */
int svc_audit_verify(struct svc_ctx *c, int64_t *rows, int64_t *broken_id, char *why, size_t why_n);

#endif

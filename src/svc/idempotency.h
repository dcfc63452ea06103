/* idempotency.h - Idempotency-Key on creating POSTs: a repeat of the same
 * key by the same caller replays the first response instead of creating again. */
#ifndef TALENTD_IDEMPOTENCY_H
#define TALENTD_IDEMPOTENCY_H

#include "svc/svc.h"

/* Returns 1 and sets *status and *body when key was used before by this actor for
 * the same method, path and request body; 0 when new; ERR_INVALID when the key
 * is malformed or was used for a different request. */
int svc_idem_replay(struct svc_ctx *c, const char *key, const char *method, const char *path, const void *req,
                    size_t req_len, int *status, json_t **body);

/* Remembers the response for key (best effort; a concurrent duplicate loses). */
int svc_idem_store(struct svc_ctx *c, const char *key, const char *method, const char *path, const void *req,
                   size_t req_len, int status, json_t *body);

#endif

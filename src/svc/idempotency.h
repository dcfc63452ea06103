/* idempotency.h - Idempotency-Key on creating POSTs: a repeat of the same
 * key by the same caller replays the first response instead of creating again.
 *
 * The key is claimed before the handler runs (a row with status 0, committed on
 * its own), so of two concurrent requests with one key exactly one runs: the
 * other gets 409 "idempotency_key_in_progress" while the first is running and
 * the replay afterwards. A successful response is then stored on the claim; a
 * refused one releases the claim so a corrected retry may use the key.
 * Stored responses are kept for 24 hours; a claim whose request never finished
 * (the server stopped mid-request) is given up after 5 minutes. */
#ifndef TALENTD_IDEMPOTENCY_H
#define TALENTD_IDEMPOTENCY_H

#include "svc/svc.h"

/* Claims key for this actor's request. Returns 0 when claimed (run the handler,
 * then svc_idem_finish), 1 with *status and *body set when the key already holds
 * the response to the same method, path and body, or an error: ERR_INVALID for a
 * malformed key or one used for a different request, ERR_CONFLICT while the
 * first request with the key is still running. */
int svc_idem_claim(struct svc_ctx *c, const char *key, const char *method, const char *path, const void *req,
                   size_t req_len, int *status, json_t **body);

/* Stores a 2xx response on the claim, or releases the claim for any other status
 * (body may then be NULL). Best effort: an error is returned, the claim stays. */
int svc_idem_finish(struct svc_ctx *c, const char *key, int status, json_t *body);

#endif

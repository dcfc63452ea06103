/* results.h - AI interview results: ingestion (docs/results.md), the unmatched
 * queue and vendor secrets.
 *
 * Every way in (POST /api/v1/results, vendor webhooks through a mapping,
 * `talentd import results`, later the built-in scorer) ends in
 * svc_result_ingest: one code path, one transaction per result. */
#ifndef TALENTD_SVC_RESULTS_H
#define TALENTD_SVC_RESULTS_H

#include <stddef.h>

#include "core/result.h"
#include "svc/svc.h"

/* Ingests one normalised result. in is validated with result_parse (422 with
 * the field path); raw/raw_len is the payload exactly as received, kept
 * encrypted. In one transaction: a resend of the same content changes nothing
 * (*out has duplicate true); different content under the same (vendor,
 * vendor_result_id) becomes the next version; the result is matched to an
 * application (docs/results.md, Matching) or parked in the unmatched queue;
 * a matched result updates the application's scores, histograms, match report
 * and stage (-> ai_pending_evaluation from the early stages), with an audit
 * row and the event result.received (or result.unmatched).
 * *out: {id, vendor, vendor_result_id, version, duplicate, application_id,
 * unmatched_reason, stage, match_score, recommendation}. */
int svc_result_ingest(struct svc_ctx *c, json_t *in, const char *raw, size_t raw_len, json_t **out);

/* svc_result_ingest in two halves, so that bulk imports can prepare results
 * on other threads while one thread stores them in order.
 *
 * The first half needs no database: it validates in (result_parse, 422 with
 * the field path into e), builds the canonical form and its hash, the blind
 * indexes of the email/phone hints, and encrypts the hints, the transcript
 * and the raw payload (raw NULL: the compact JSON of in). kr is only read, so
 * any number of threads may prepare at once. Returns 0 with *p filled (free
 * it with svc_result_prep_free, also after a failure), or an error in e. */
struct result_prep {
    struct result r;                                     /* the parsed result; r.normalised owned */
    char hash[65];                                       /* SHA-256 (hex) of the canonical JSON */
    char email_idx[65], phone_idx[65];                   /* blind indexes, "" when absent or not valid */
    char *public_json;                                   /* the canonical form without candidate and transcript */
    unsigned char *hints_enc, *transcript_enc, *raw_enc; /* transcript_enc NULL without segments */
    size_t hints_n, transcript_n, raw_n;
};
int svc_result_prepare(const struct keyring *kr, json_t *in, const char *raw, size_t raw_len, struct result_prep *p,
                       struct err *e);
void svc_result_prep_free(struct result_prep *p);

/* The second half: everything else svc_result_ingest does, in c's
 * transaction (or savepoint, in batch mode). p is only read. */
int svc_result_store(struct svc_ctx *c, const struct result_prep *p, json_t **out);

/* One stored result version: the normalised result (transcript and candidate
 * hints decrypted) with {id, version, is_current, application_id,
 * unmatched_reason, received_at}; "raw" (the payload as received) only for
 * admin/hr. Visibility follows the application; unmatched results are for
 * admin/hr only. */
int svc_result_get(struct svc_ctx *c, int64_t id, json_t **out);

/* The unmatched queue, oldest first. query: vendor, reason, limit, cursor.
 * Items: {id, vendor, vendor_result_id, version, unmatched_reason, received_at,
 * completed_at, overall, candidate (hints; email/phone masked for
 * non-admin/hr)}. */
int svc_unmatched_list(struct svc_ctx *c, json_t *query, json_t **out);

/* Resolves an unmatched result. in: {application_id} attaches it to that
 * application; {create_candidate: true, position (code), name?, email?,
 * phone?} creates the candidate (hints fill what in leaves out) and its
 * application, then attaches. The application then gets everything a matched
 * arrival does. 409 "not_unmatched" when the result is already matched. */
int svc_unmatched_attach(struct svc_ctx *c, int64_t id, json_t *in, json_t **out);

#endif

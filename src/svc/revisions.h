/* revisions.h - score revisions: a person changes one score of an
 * application's current AI result, with a reason. The vendor's score stays
 * in the stored result; the revision history answers "did someone change
 * this score?" with who, when, old, new and why. The effective score feeds
 * the histograms, percentiles and the match report like any other. */
#ifndef TALENTD_SVC_REVISIONS_H
#define TALENTD_SVC_REVISIONS_H

#include "svc/svc.h"

/* in: {dim (a dimension key of the current result, or "overall"), score
 * (integer 0..100), reason (1..500 characters), version? (the
 * application's, for optimistic concurrency)}. 409 "no_result" when the
 * application has no result; 422 "unknown_dimension" (field dim) for a key
 * the result lacks; 422 "unchanged" when score is the effective score
 * already. In one transaction: the revision row, the histograms moved, the
 * application's match score and recommendation recomputed, audit
 * "result.revise" and event "result.revised". *out = {revision,
 * match_score, recommendation}. */
int svc_score_revise(struct svc_ctx *c, int64_t app, json_t *in, json_t **out);

/* {"items": [{id, result_id, dim, old, new, reason, user, actor, at}...]} oldest first. */
int svc_score_revisions(struct svc_ctx *c, int64_t app, json_t **out);

/* Appends application app's revisions, oldest first, to into (open transaction, no visibility check). */
int revisions_list_tx(struct svc_ctx *c, int64_t app, json_t *into);

#endif

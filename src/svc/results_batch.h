/* results_batch.h - the state an import batch keeps for results (private to results_apply.c and
 * results_batch.c): histogram changes held back until the batch commits, the positions read so far,
 * the audit chain's head and result ids taken ahead. */
#ifndef TALENTD_RESULTS_BATCH_H
#define TALENTD_RESULTS_BATCH_H

#include <stddef.h>
#include <stdint.h>

#include "core/match.h"
#include "svc/results_apply.h"

/* Histogram changes a batch holds back until it commits (see svc_hist_flush): one entry per change,
 * in order, so that a use case rolled back to its savepoint takes its own entries back. dim is an
 * index into the batch's table of dimension keys. */
struct hist_delta {
    int64_t pid;
    uint32_t dim;
    uint32_t key; /* set by svc_hist_flush: the rank of dim among the keys, then the bucket */
    int bucket, delta;
};

typedef char dim_key[RESULT_DIM_KEY_MAX + 1];

/* What a position contributes to applying a result: its competency model and review flag. */
struct pos_info {
    int64_t id, version;
    int review_required;
    int n; /* entries of model */
    struct competency model[MATCH_MODEL_MAX];
};

#define POS_CACHE 64 /* positions remembered per batch (a direct-mapped cache by id) */

/* The state a batch keeps for results (c->hist): the held-back histogram changes, the positions
 * read so far, and, in an unguarded batch, the audit chain's last hash. On SQLite the batch's
 * transaction holds the write lock, so no other connection can change a position until it
 * commits, and no use case of an import changes one; on PostgreSQL other writers can, and a
 * remembered position is used only while its version is the one the application's facts name
 * (read with them, in the same statement). */
struct hist_log {
    struct hist_delta *d;
    size_t n, cap;
    size_t mark;   /* entries before the current use case's savepoint */
    dim_key *dims; /* the dimension keys the entries name */
    uint32_t ndims, dims_cap, last;
    struct pos_info *pos[POS_CACHE];
    int unguarded;                 /* svc_batch_unguard */
    char audit_head[65];           /* unguarded: the hash of the last audit row this batch wrote, "" before */
    int64_t ids[RESULT_IDS_AHEAD]; /* svc_batch_result_id: ids taken from the sequence, not used yet */
    int nids, next_id;
    int64_t rule_gen; /* the rules' generation the batch read first (rules_engine.c), when rule_gen_read */
    int rule_gen_read;
};

/* The batch state, made on first use; NULL outside batch mode. */
struct hist_log *svc_batch_state(struct svc_ctx *c);

/* Counts score in (delta 1) or out of (delta -1) the position's histogram for dim ("" = overall);
 * in batch mode held back and summed per bucket until the batch commits. */
int svc_hist_add(struct svc_ctx *c, int64_t pid, const char *dim, int score, int delta);

#endif

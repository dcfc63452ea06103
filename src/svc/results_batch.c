/* results_batch.c - the state an import batch keeps for results (svc/results_batch.h): the score
 * histograms' changes held back and flushed in position order at commit, the batch's result ids,
 * the unguarded mode, and reading a position's histogram with what the batch holds back. */
#include "svc/results_batch.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"

/* Adds delta to one histogram bucket in the database. */
static int hist_write(struct svc_ctx *c, int64_t pid, const char *dim, int bucket, int64_t delta)
{
    struct db_stmt *s;
    int rc = svc_prepare(c,
                         "INSERT INTO score_hist (position_id, dim, bucket, n) VALUES (?, ?, ?, ?) "
                         "ON CONFLICT (position_id, dim, bucket) DO UPDATE SET n = score_hist.n + excluded.n",
                         &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, pid);
    db_bind_text(s, 2, dim);
    db_bind_int64(s, 3, bucket);
    db_bind_int64(s, 4, delta);
    return db_queue(s, c->e); /* pipelined in an unguarded batch (PostgreSQL) */
}

struct hist_log *svc_batch_state(struct svc_ctx *c)
{
    if (!c->batch)
        return NULL;
    if (!c->hist)
        c->hist = xcalloc(1, sizeof(*c->hist));
    return c->hist;
}

static void batch_state_free(struct hist_log *h)
{
    for (int i = 0; i < POS_CACHE; i++)
        free(h->pos[i]);
    free(h->dims);
    free(h->d);
    free(h);
}

/* The index of dim (at most RESULT_DIM_KEY_MAX characters) in h's table of keys, added when new;
 * UINT32_MAX from dim_find when it is not there. */
static uint32_t dim_find(const struct hist_log *h, const char *dim)
{
    if (h->last < h->ndims && strcmp(h->dims[h->last], dim) == 0)
        return h->last;
    for (uint32_t i = 0; i < h->ndims; i++)
        if (strcmp(h->dims[i], dim) == 0)
            return i;
    return UINT32_MAX;
}

static uint32_t dim_id(struct hist_log *h, const char *dim)
{
    uint32_t i = dim_find(h, dim);
    if (i == UINT32_MAX) {
        if (h->ndims == h->dims_cap) {
            h->dims_cap = h->dims_cap ? h->dims_cap * 2 : 32;
            h->dims = xrealloc(h->dims, h->dims_cap * sizeof(*h->dims));
        }
        i = h->ndims++;
        snprintf(h->dims[i], sizeof(h->dims[i]), "%s", dim);
    }
    h->last = i + 1; /* the keys of a result come in the same order each time: guess the next */
    return i;
}

/* Counts score in (or, delta -1, out of) the position's histogram for dim. In batch mode the change
 * is logged and written, summed per bucket, when the batch commits: the same counts, a fraction of
 * the writes (nothing reads a histogram inside an import's batch; svc_hist_read adds what is
 * pending all the same). */
int svc_hist_add(struct svc_ctx *c, int64_t pid, const char *dim, int score, int delta)
{
    int bucket = score < 0 ? 0 : score > 100 ? 100 : score;
    if (!c->batch || strlen(dim) > RESULT_DIM_KEY_MAX)
        return hist_write(c, pid, dim, bucket, delta);
    struct hist_log *h = svc_batch_state(c);
    if (h->n == h->cap) {
        h->cap = h->cap ? h->cap * 2 : 1024;
        h->d = xrealloc(h->d, h->cap * sizeof(*h->d));
    }
    struct hist_delta *d = &h->d[h->n++];
    d->pid = pid;
    d->bucket = bucket;
    d->delta = delta;
    d->dim = dim_id(h, dim);
    return 0;
}

void svc_batch_unguard(struct svc_ctx *c)
{
    struct hist_log *h = svc_batch_state(c);
    if (h) {
        h->unguarded = 1;
        db_pipeline_begin(c->db);
    }
}

int svc_batch_sync(struct svc_ctx *c)
{
    if (!svc_batch_unguarded(c))
        return 0;
    int rc = db_pipeline_end(c->db, c->e);
    db_pipeline_begin(c->db);
    return rc;
}

static int id_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

int svc_batch_result_id(struct svc_ctx *c, int64_t *id)
{
    *id = 0;
    if (!svc_batch_unguarded(c) || db_kind(c->db) != DB_POSTGRES)
        return 0;
    struct hist_log *h = c->hist;
    if (h->next_id == h->nids) {
        struct db_stmt *s;
        int rc =
            svc_prepare(c, "SELECT nextval(pg_get_serial_sequence('ai_result', 'id')) FROM generate_series(1, ?)", &s);
        if (rc != 0)
            return rc;
        db_bind_int64(s, 1, RESULT_IDS_AHEAD);
        h->nids = h->next_id = 0;
        while ((rc = db_step(s, c->e)) == DB_ROW && h->nids < RESULT_IDS_AHEAD)
            h->ids[h->nids++] = db_col_int64(s, 0);
        db_reset(s);
        if (rc < 0)
            return rc;
        if (h->nids == 0)
            return err_set(c->e, ERR_DB, NULL, NULL, "no ids from the sequence of ai_result");
        qsort(h->ids, (size_t)h->nids, sizeof(h->ids[0]), id_cmp); /* handed out in the order they were drawn */
    }
    *id = h->ids[h->next_id++];
    return 0;
}

const char *svc_batch_audit_head(const struct svc_ctx *c)
{
    return svc_batch_unguarded(c) && c->hist->audit_head[0] ? c->hist->audit_head : NULL;
}

void svc_batch_audit_wrote(struct svc_ctx *c, const char hash[65])
{
    if (svc_batch_unguarded(c))
        memcpy(c->hist->audit_head, hash, 65);
}

int svc_batch_unguarded(const struct svc_ctx *c)
{
    return c->batch && c->hist && c->hist->unguarded;
}

void svc_batch_abort(struct svc_ctx *c)
{
    struct err ignored = {0};
    db_pipeline_end(c->db, &ignored);
    db_rollback(c->db);
    c->batch = 0;
    c->savepoint = 0;
    if (c->hist)
        batch_state_free(c->hist);
    c->hist = NULL;
}

void svc_hist_mark(struct svc_ctx *c)
{
    if (c->hist)
        c->hist->mark = c->hist->n;
}

void svc_hist_undo(struct svc_ctx *c)
{
    if (c->hist)
        c->hist->n = c->hist->mark;
}

/* Orders entries by position, dimension key (strcmp) and bucket, with key set. */
static int delta_cmp(const void *a, const void *b)
{
    const struct hist_delta *x = a, *y = b;
    if (x->pid != y->pid)
        return x->pid < y->pid ? -1 : 1;
    return x->key < y->key ? -1 : x->key > y->key;
}

static const dim_key *rank_dims; /* for dim_rank_cmp: svc_hist_flush runs on one thread at a time */

static int dim_rank_cmp(const void *a, const void *b)
{
    return strcmp(rank_dims[*(const uint32_t *)a], rank_dims[*(const uint32_t *)b]);
}

int svc_hist_flush(struct svc_ctx *c)
{
    struct hist_log *h = c->hist;
    int rc = 0;
    if (!h)
        return 0;
    c->hist = NULL;
    int unguarded = h->unguarded;
    /* Sum the changes per bucket; a bucket whose changes cancel out is still written (n + 0), so that
     * the rows are exactly those the changes one by one would have left. The buckets are written in
     * order of position, dimension key and bucket. */
    uint32_t *order = xmalloc((h->ndims + 1) * sizeof(*order)), *rank = xmalloc((h->ndims + 1) * sizeof(*rank));
    for (uint32_t i = 0; i < h->ndims; i++)
        order[i] = i;
    rank_dims = h->dims;
    qsort(order, h->ndims, sizeof(*order), dim_rank_cmp);
    rank_dims = NULL;
    for (uint32_t i = 0; i < h->ndims; i++)
        rank[order[i]] = i;
    for (size_t i = 0; i < h->n; i++)
        h->d[i].key = rank[h->d[i].dim] << 8 | (uint32_t)h->d[i].bucket;
    free(order);
    free(rank);
    qsort(h->d, h->n, sizeof(*h->d), delta_cmp);
    for (size_t i = 0; i < h->n && rc == 0;) {
        size_t j = i;
        int64_t sum = 0;
        for (; j < h->n && delta_cmp(&h->d[i], &h->d[j]) == 0; j++)
            sum += h->d[j].delta;
        rc = hist_write(c, h->d[i].pid, h->dims[h->d[i].dim], h->d[i].bucket, sum);
        i = j;
    }
    batch_state_free(h);
    if (unguarded) { /* the end of the batch's pipelining: what was queued has run, or rc says why not */
        int prc = db_pipeline_end(c->db, c->e);
        rc = rc ? rc : prc;
    }
    return rc;
}

int svc_hist_read(struct svc_ctx *c, int64_t position_id, const char *dim, int64_t counts[HIST_BUCKETS])
{
    memset(counts, 0, sizeof(int64_t) * HIST_BUCKETS);
    struct db_stmt *s;
    int rc = svc_prepare(c, "SELECT bucket, n FROM score_hist WHERE position_id = ? AND dim = ?", &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, position_id);
    db_bind_text(s, 2, dim);
    while ((rc = db_step(s, c->e)) == DB_ROW) {
        int64_t b = db_col_int64(s, 0);
        if (b >= 0 && b < HIST_BUCKETS)
            counts[b] = db_col_int64(s, 1);
    }
    db_reset(s);
    uint32_t id = c->hist && strlen(dim) <= RESULT_DIM_KEY_MAX ? dim_find(c->hist, dim) : UINT32_MAX;
    for (size_t i = 0; id != UINT32_MAX && i < c->hist->n; i++) /* what the batch holds back */
        if (c->hist->d[i].pid == position_id && c->hist->d[i].dim == id)
            counts[c->hist->d[i].bucket] += c->hist->d[i].delta;
    return rc < 0 ? rc : 0;
}

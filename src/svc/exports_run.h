/* exports_run.h - the export engine's shared state (private to exports_run.c, exports_read.c and
 * exports_cells.c): the run, its chunks and rows, and the steps each file provides. */
#ifndef TALENTD_EXPORTS_RUN_H
#define TALENTD_EXPORTS_RUN_H

#include <pthread.h>

#include "lib/mem.h"
#include "lib/strbuf.h"
#include "svc/exports_impl.h"

#define CHUNK 2000  /* applications read per query */
#define SLOTS 6     /* chunks in flight */
#define RENDERERS 2 /* render threads at most */
#define DIMS_MAX EXPORT_MAX_COLUMNS
#define ROW_DIMS RESULT_MAX_DIMS

/* What the template's fields need read. */
enum {
    NEED_EMAIL = 1u << 0,
    NEED_PHONE = 1u << 1,
    NEED_RESULT = 1u << 2, /* the ai_result row itself (result_json, transcript) */
    NEED_RJSON = 1u << 3,  /* its result_json (video, key moments) */
    NEED_TRANSCRIPT = 1u << 4,
    NEED_REVIEWER = 1u << 5,
    NEED_DIMS = 1u << 6,
    NEED_HIST = 1u << 7, /* score histograms (percentiles) */
};

/* Columns of the main query. */
enum {
    M_ID,
    M_POSITION_ID,
    M_STAGE,
    M_REASON,
    M_NOTE,
    M_CREATED_AT,
    M_SPECIAL_NOTE,
    M_OVERALL,
    M_MATCH,
    M_REC,
    M_NAME,
    M_SOURCE,
    M_EMAIL,
    M_PHONE,
    M_POS_CODE,
    M_POS_TITLE,
    M_DEPT_CODE,
    M_DEPT_NAME,
    M_VENDOR,
    M_MODEL,
    M_COMPLETED_AT,
    M_TAGS,
    M_DIMS,
    M_HAS_TRANSCRIPT,
    M_RESULT_ID,
    M_ELIMINATED_AT,
    M_CONFIRMED_AT,
    M_CONFIRMED_KIND,
    M_CONFIRMED_BY,
    M_RJSON,
    M_TRANSCRIPT,
    M_NCOLS
};

/* One value of a row as read (text and blobs copied into the chunk's arena, NUL-terminated). */
struct xv {
    const char *s;
    size_t n;
    int64_t i;
    double d;
    int null;
};

/* A position of the selection: what the gate and the percentiles need of it, loaded by the reading
 * thread when it first meets the position, read-only for the render threads. */
struct xpos {
    struct xpos *next;
    struct xgate_pos g;
    int64_t (*hist)[HIST_BUCKETS]; /* NEED_HIST: per template dimension, then the overall's */
};

/* One row: its values, what the reading thread looked up for it, and what the render thread found. */
struct xrow {
    struct xv v[M_NCOLS];
    const struct xpos *pos;
    const char *reviewer; /* label, or NULL */
    int leaving;          /* in eliminated_pending_export: through the gate, then moved */
    int keep;             /* 0: held back by the gate */
    int *dim;             /* per template dimension (run.dims): the score, -1 when none */
    int *pct;             /* per template dimension: its percentile, -1; [ndims]: the overall's */
};

/* A chunk's way: read (FREE -> READY), rendered (RENDERING -> RENDERED), written to the file in order
 * (WRITTEN), then its moves made and the slot free again. */
enum slot_state { SLOT_FREE, SLOT_READY, SLOT_RENDERING, SLOT_RENDERED, SLOT_WRITTEN };

/* A chunk of rows on its way from the query to the file. */
struct xchunk {
    struct xrow *rows;
    int n;
    int64_t lo, hi; /* ids (lo, hi] */
    int64_t *moves; /* applications of the chunk that move to exported */
    int nmoves;
    struct arena a;            /* values and cells */
    struct export_encoder *en; /* CSV, JSONL: the encoded rows */
    struct export_cell *cells; /* XLSX: n x nf cells */
    int kept;                  /* rows the gate let through */
    json_t *held;              /* held back: [{application_id, missing}] (HELD_SHOWN at most) */
    int64_t nheld;
    struct strbuf sb; /* render scratch */
    enum slot_state state;
    int rc;
    struct err e;
};

/* A user as a reviewer's label. */
struct user_label {
    int64_t id;
    char *label;
};

struct run {
    struct svc_ctx *c;
    const struct xjob_spec *spec;
    struct xf *f;
    int nf;
    int en;
    unsigned need;
    char dims[DIMS_MAX][33];
    int ndims;
    int *fdim; /* per field: index into dims, -1 */
    size_t dims_len[DIMS_MAX];
    struct export_writer *w;
    struct xpos *pos; /* positions met (a list: rows point at them) */
    struct xpos *last_pos;
    struct user_label *users;
    int nusers, users_cap;
    struct arena keep; /* for the whole run: user labels */
    json_t *held;      /* held-back eliminations shown (HELD_SHOWN at most) */
    int64_t nheld;
    int64_t job_id;
    char exported_at[24];
    uint64_t rows, moved;
    enum actor_kind kind;
    /* the pipeline */
    struct xchunk slot[SLOTS];
    pthread_mutex_t mu;
    pthread_cond_t ready, done;
    int stop;
    pthread_t thr[RENDERERS + 1]; /* the render threads, then the writer */
    int nthr;
    int writer; /* 1 when the writer thread runs */
};

#define HELD_SHOWN 200 /* held-back applications listed on a job, at most */

/* exports_read.c (the reading thread): the template's plan (what to read, the dimensions), the
 * selection's query, a chunk read (values copied, positions and reviewers looked up). */
int xrun_plan(struct run *r);
void xrun_main_sql(const struct run *r, struct qb *q);
int xrun_read_chunk(struct run *r, struct qb *q, struct xchunk *k, int64_t *lo, int *more);
void xrun_positions_free(struct run *r);

/* exports_cells.c (a render thread): the gate's row check, then each kept row's cells and encoding. */
int xrun_render_chunk(struct run *r, struct xchunk *k);
/* "YYYY-MM-DDTHH:MM:SSZ" for UTC ms (the milliseconds cut); the number itself for a year beyond
 * 0..9999. */
void xrun_fmt_time(int64_t ms, char out[24]);

#endif

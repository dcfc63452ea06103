/* exports_run.c - the export engine (svc/exports_impl.h): selection, gate,
 * file, the job record and the moves, inside the caller's transaction.
 *
 * One pass over the selection in application id order, CHUNK rows at a time
 * (keyset: the filter's query with "a.id > last ORDER BY a.id LIMIT CHUNK"),
 * reading one row per application and its candidate: what an export needs of
 * the current result, the effective scores and the history is kept on the
 * application row (migration 011), so nothing else is read unless the
 * template asks for the transcript, the video or the key moments. The main
 * thread reads a chunk (copying the values it needs), passes every
 * elimination leaving the buffer through the gate (exports_gate.c: fairness
 * acknowledged, evaluation complete, or held back), and hands the chunk to
 * the render threads, which decrypt the contact data and format and encode
 * the rows; meanwhile it reads the next chunks. Chunks are written to the
 * file strictly in order, and after each one its applications waiting for
 * export move to exported, set-based. Memory stays at SLOTS chunks, on SQLite
 * and PostgreSQL alike (whose results arrive whole). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/match.h"
#include "core/pipeline.h"
#include "lib/crypto.h"
#include "lib/mem.h"
#include "lib/strbuf.h"
#include "lib/timeutil.h"
#include "svc/applications.h"
#include "svc/exports_impl.h"
#include "svc/results_apply.h"
#include "svc/views.h"

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

/* ---- small formatting helpers ------------------------------------------------------------------- */

/* "YYYY-MM-DDTHH:MM:SSZ" for UTC ms (the milliseconds cut); the number itself for a year beyond
 * 0..9999. */
static void fmt_time(int64_t ms, char out[24])
{
    if (time_format_seconds(ms, out) != 0)
        snprintf(out, 24, "%lld", (long long)ms);
}

/* A video offset as "mm:ss" (or "h:mm:ss" from an hour on). */
static void fmt_offset(int64_t ms, struct strbuf *b)
{
    int64_t s = ms < 0 ? 0 : ms / 1000;
    if (s >= 3600)
        sb_printf(b, "%lld:%02d:%02d", (long long)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
    else
        sb_printf(b, "%02d:%02d", (int)(s / 60), (int)(s % 60));
}

/* ---- cells (render threads) ---------------------------------------------------------------------- */

static struct export_cell cell_text(const char *s)
{
    struct export_cell c = {.type = s ? EXPORT_TEXT : EXPORT_NULL, .s = s, .n = s ? strlen(s) : 0};
    return c;
}

static struct export_cell cell_val(const struct xv *v)
{
    struct export_cell c = {.type = v->null ? EXPORT_NULL : EXPORT_TEXT, .s = v->s, .n = v->n};
    return c;
}

static struct export_cell cell_int(int64_t v)
{
    struct export_cell c = {.type = EXPORT_INT, .i = v};
    return c;
}

/* A time column as text (the chunk's arena), or null. */
static struct export_cell cell_time(struct xchunk *k, const struct xv *v)
{
    if (v->null)
        return cell_text(NULL);
    char *t = arena_alloc(&k->a, 24);
    fmt_time(v->i, t);
    return cell_text(t);
}

/* Copies the scratch text into the chunk's arena as a cell (null when empty). */
static struct export_cell cell_buf(struct xchunk *k)
{
    if (!k->sb.len)
        return cell_text(NULL);
    struct export_cell c = {.type = EXPORT_TEXT, .s = arena_strndup(&k->a, k->sb.p, k->sb.len), .n = k->sb.len};
    return c;
}

/* The value of top-level key in the stored normalised result (compact JSON whose schema has no
 * nested key of these names, so the first `"key":` after '{' or ',' is the top-level one): a new
 * reference, NULL when absent or unreadable. Only that value is parsed. */
static json_t *rjson_value(const char *json, const char *key)
{
    if (!json)
        return NULL;
    char pat[48];
    int n = snprintf(pat, sizeof(pat), "\"%s\":", key);
    const char *p = json;
    while ((p = strstr(p, pat)) != NULL) {
        if (p > json && (p[-1] == '{' || p[-1] == ','))
            break;
        p += n;
    }
    if (!p)
        return NULL;
    p += n;
    json_error_t je;
    return json_loadb(p, strlen(p), JSON_DECODE_ANY | JSON_DISABLE_EOF_CHECK, &je);
}

/* The tags (ai_tags, a JSON array of strings) as "a; b; c". Strings without escapes are copied as
 * they are; anything else goes through jansson. */
static struct export_cell cell_tags(struct xchunk *k, const struct xv *v)
{
    sb_reset(&k->sb);
    if (v->null)
        return cell_text(NULL);
    if (!memchr(v->s, '\\', v->n)) {
        const char *p = v->s, *end = v->s + v->n;
        while ((p = memchr(p, '"', (size_t)(end - p))) != NULL) {
            const char *q = memchr(p + 1, '"', (size_t)(end - p - 1));
            if (!q)
                break;
            if (k->sb.len)
                sb_append(&k->sb, "; ", 2);
            sb_append(&k->sb, p + 1, (size_t)(q - p - 1));
            p = q + 1;
        }
        return cell_buf(k);
    }
    json_t *a = json_loadb(v->s, v->n, 0, NULL), *t;
    size_t i;
    json_array_foreach(a, i, t)
    {
        if (json_is_string(t))
            sb_printf(&k->sb, "%s%s", k->sb.len ? "; " : "", json_string_value(t));
    }
    json_decref(a);
    return cell_buf(k);
}

static struct export_cell cell_moments(struct xchunk *k, const char *rj)
{
    json_t *a = rjson_value(rj, "key_moments");
    size_t i;
    json_t *v;
    sb_reset(&k->sb);
    json_array_foreach(a, i, v)
    {
        if (k->sb.len)
            sb_puts(&k->sb, "; ");
        fmt_offset(json_integer_value(json_object_get(v, "at_ms")), &k->sb);
        const char *label = json_string_value(json_object_get(v, "label"));
        if (label)
            sb_printf(&k->sb, " %s", label);
    }
    json_decref(a);
    return cell_buf(k);
}

static struct export_cell cell_video(struct xchunk *k, const char *rj)
{
    json_t *v = rjson_value(rj, "video_url");
    struct export_cell c = cell_text(NULL);
    if (json_is_string(v))
        c = cell_text(arena_strdup(&k->a, json_string_value(v)));
    json_decref(v);
    return c;
}

/* Decrypts blob v under context ctx into the chunk's arena: 0 with *out (NULL for a null value), or
 * ERR_INTERNAL naming the application. */
static int decrypt_val(struct run *r, struct xchunk *k, const struct xrow *row, const struct xv *v, const char *ctx,
                       const char **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (v->null)
        return 0;
    unsigned char *pt = arena_alloc(&k->a, field_plain_len(v->n) + 1);
    struct err ignored = {0};
    if (field_decrypt_to(r->c->kr, ctx, (const unsigned char *)v->s, v->n, pt, n, &ignored) != 0)
        return err_set(&k->e, ERR_INTERNAL, "decrypt_failed", NULL,
                       "application %lld: the %s cannot be decrypted with the key file in use",
                       (long long)row->v[M_ID].i, ctx);
    *out = (const char *)pt;
    return 0;
}

/* A candidate's encrypted contact field in clear, or null. */
static int cell_pii(struct run *r, struct xchunk *k, const struct xrow *row, int col, const char *ctx,
                    struct export_cell *out)
{
    const char *s;
    size_t n;
    int rc = decrypt_val(r, k, row, &row->v[col], ctx, &s, &n);
    *out = cell_text(NULL);
    if (rc == 0 && s) {
        out->type = EXPORT_TEXT;
        out->s = s;
        out->n = n;
    }
    return rc;
}

/* The transcript (decrypted), one line per segment: "[mm:ss-mm:ss] speaker: text". */
static int cell_transcript(struct run *r, struct xchunk *k, const struct xrow *row, struct export_cell *out)
{
    const char *s;
    size_t n;
    *out = cell_text(NULL);
    int rc = decrypt_val(r, k, row, &row->v[M_TRANSCRIPT], CTX_RESULT_TRANSCRIPT, &s, &n);
    if (rc != 0 || !s)
        return rc;
    json_t *t = json_loadb(s, n, 0, NULL), *v;
    size_t i;
    sb_reset(&k->sb);
    json_array_foreach(t, i, v)
    {
        if (k->sb.len)
            sb_putc(&k->sb, '\n');
        sb_putc(&k->sb, '[');
        fmt_offset(json_integer_value(json_object_get(v, "start_ms")), &k->sb);
        sb_putc(&k->sb, '-');
        fmt_offset(json_integer_value(json_object_get(v, "end_ms")), &k->sb);
        const char *text = json_string_value(json_object_get(v, "text"));
        sb_printf(&k->sb, "] %s: %s", xf_speaker_label(json_string_value(json_object_get(v, "speaker")), r->en),
                  text ? text : "");
    }
    json_decref(t);
    *out = cell_buf(k);
    return 0;
}

static struct export_cell cell_score(int score)
{
    return score < 0 ? cell_text(NULL) : cell_int(score);
}

/* Fills cells with row's cells. */
static int render_row(struct run *r, struct xchunk *k, const struct xrow *row, struct export_cell *cells)
{
    int rc = 0;
    const struct xv *v = row->v;
    const char *rj = v[M_RJSON].null ? NULL : v[M_RJSON].s;
    for (int i = 0; i < r->nf && rc == 0; i++) {
        struct export_cell *c = &cells[i];
        const struct xf *f = &r->f[i];
        switch (f->kind) {
        case XF_CAND_NAME:
            *c = cell_val(&v[M_NAME]);
            break;
        case XF_CAND_EMAIL:
            rc = cell_pii(r, k, row, M_EMAIL, "candidate.email", c);
            break;
        case XF_CAND_PHONE:
            rc = cell_pii(r, k, row, M_PHONE, "candidate.phone", c);
            break;
        case XF_CAND_SOURCE:
            *c = cell_val(&v[M_SOURCE]);
            break;
        case XF_APP_ID:
            *c = cell_int(v[M_ID].i);
            break;
        case XF_POS_CODE:
            *c = cell_val(&v[M_POS_CODE]);
            break;
        case XF_POS_TITLE:
            *c = cell_val(&v[M_POS_TITLE]);
            break;
        case XF_DEPT_CODE:
            *c = cell_val(&v[M_DEPT_CODE]);
            break;
        case XF_DEPT_NAME:
            *c = cell_val(&v[M_DEPT_NAME]);
            break;
        case XF_STAGE:
            *c = cell_val(&v[M_STAGE]);
            break;
        case XF_STAGE_LABEL:
            *c = cell_text(xf_stage_label(v[M_STAGE].s, r->en));
            break;
        case XF_APPLIED_AT:
            *c = cell_time(k, &v[M_CREATED_AT]);
            break;
        case XF_ELIM_REASON:
            *c = cell_val(&v[M_REASON]);
            break;
        case XF_ELIM_REASON_LABEL:
            *c = cell_text(xf_reason_label(v[M_REASON].null ? NULL : v[M_REASON].s, r->en));
            break;
        case XF_ELIM_NOTE:
            *c = cell_val(&v[M_NOTE]);
            break;
        case XF_ELIMINATED_AT:
            *c = cell_time(k, &v[M_ELIMINATED_AT]);
            break;
        case XF_SPECIAL_NOTE:
            *c = cell_val(&v[M_SPECIAL_NOTE]);
            break;
        case XF_AI_VENDOR:
            *c = cell_val(&v[M_VENDOR]);
            break;
        case XF_AI_MODEL:
            *c = cell_val(&v[M_MODEL]);
            break;
        case XF_AI_COMPLETED_AT:
            *c = cell_time(k, &v[M_COMPLETED_AT]);
            break;
        case XF_AI_OVERALL:
            *c = v[M_OVERALL].null ? cell_text(NULL) : cell_int(v[M_OVERALL].i);
            break;
        case XF_AI_OVERALL_PCT:
            *c = cell_score(row->pct[r->ndims]);
            break;
        case XF_AI_REC:
            *c = cell_val(&v[M_REC]);
            break;
        case XF_AI_REC_LABEL:
            *c = cell_text(xf_rec_label(v[M_REC].null ? NULL : v[M_REC].s, r->en));
            break;
        case XF_AI_MATCH:
            *c = cell_text(NULL);
            if (!v[M_MATCH].null) {
                c->type = EXPORT_REAL;
                c->d = v[M_MATCH].d;
            }
            break;
        case XF_AI_TAGS:
            *c = cell_tags(k, &v[M_TAGS]);
            break;
        case XF_AI_TRANSCRIPT:
            rc = cell_transcript(r, k, row, c);
            break;
        case XF_AI_VIDEO:
            *c = cell_video(k, rj);
            break;
        case XF_AI_MOMENTS:
            *c = cell_moments(k, rj);
            break;
        case XF_REVIEWER:
            *c = cell_text(row->reviewer);
            break;
        case XF_REVIEWED_AT:
            *c = cell_time(k, &v[M_CONFIRMED_AT]);
            break;
        case XF_EXPORTED_AT:
            *c = cell_text(r->exported_at);
            break;
        case XF_DIM:
            *c = cell_score(row->dim[r->fdim[i]]);
            break;
        case XF_PCT:
            *c = cell_score(row->pct[r->fdim[i]]);
            break;
        }
    }
    return rc;
}

/* What the render thread works out for row before its cells: its dimension scores, the gate for an
 * elimination leaving the buffer (held back when its evaluation is incomplete, else one of the
 * chunk's moves), its percentiles. */
static void check_row(struct run *r, struct xchunk *k, struct xrow *row)
{
    const struct xv *v = row->v;
    struct xdim d[ROW_DIMS];
    int nd = xdims_parse(v[M_DIMS].null ? NULL : v[M_DIMS].s, v[M_DIMS].n, d, ROW_DIMS);
    if (nd < 0)
        nd = 0;
    if (row->leaving) {
        json_t *missing = xgate_missing(&row->pos->g, !v[M_RESULT_ID].null, v[M_HAS_TRANSCRIPT].i != 0, d, nd);
        if (missing) {
            row->keep = 0;
            if (json_array_size(k->held) < HELD_SHOWN)
                json_array_append_new(
                    k->held, json_pack("{s:I,s:o}", "application_id", (json_int_t)v[M_ID].i, "missing", missing));
            else
                json_decref(missing);
            k->nheld++;
            return;
        }
        k->moves[k->nmoves++] = v[M_ID].i;
    }
    if (r->ndims) {
        row->dim = arena_alloc(&k->a, (size_t)r->ndims * sizeof(int));
        for (int i = 0; i < r->ndims; i++) {
            row->dim[i] = -1;
            for (int j = 0; j < nd; j++)
                if (xdim_is(&d[j], r->dims[i], r->dims_len[i]))
                    row->dim[i] = d[j].score;
        }
    }
    if (r->need & NEED_HIST) {
        row->pct = arena_alloc(&k->a, (size_t)(r->ndims + 1) * sizeof(int));
        for (int i = 0; i <= r->ndims; i++) {
            int score = i < r->ndims ? row->dim[i] : v[M_OVERALL].null ? -1 : (int)v[M_OVERALL].i;
            row->pct[i] = score >= 0 ? match_percentile(row->pos->hist[i], score) : -1;
        }
    }
}

/* Renders chunk k: the gate, then its rows encoded (CSV, JSONL) or as cells (XLSX). Errors go to
 * k->e. */
static int render_chunk(struct run *r, struct xchunk *k)
{
    int rc = 0;
    struct export_cell one[EXPORT_MAX_COLUMNS];
    if (k->en)
        export_encoder_reset(k->en);
    else
        k->cells = arena_alloc(&k->a, (size_t)k->n * (size_t)r->nf * sizeof(*k->cells));
    for (int i = 0; i < k->n && rc == 0; i++) {
        struct xrow *row = &k->rows[i];
        check_row(r, k, row);
        if (!row->keep)
            continue;
        struct export_cell *cells = k->en ? one : &k->cells[(size_t)k->kept * (size_t)r->nf];
        if ((rc = render_row(r, k, row, cells)) == 0 && k->en)
            rc = export_encode_row(k->en, cells, &k->e);
        k->kept++;
    }
    return rc;
}

/* ---- the render threads ------------------------------------------------------------------------- */

static void *renderer(void *arg)
{
    struct run *r = arg;
    pthread_mutex_lock(&r->mu);
    for (;;) {
        struct xchunk *k = NULL;
        while (!r->stop) {
            for (int i = 0; i < SLOTS && !k; i++)
                if (r->slot[i].state == SLOT_READY)
                    k = &r->slot[i];
            if (k)
                break;
            pthread_cond_wait(&r->ready, &r->mu);
        }
        if (!k)
            break;
        k->state = SLOT_RENDERING;
        pthread_mutex_unlock(&r->mu);
        int rc = render_chunk(r, k);
        pthread_mutex_lock(&r->mu);
        k->rc = rc;
        k->state = SLOT_RENDERED;
        pthread_cond_broadcast(&r->done);
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

/* Appends chunk k (rendered) to the file. Errors go to k->e. */
static int write_chunk(struct run *r, struct xchunk *k)
{
    int rc = k->rc;
    if (rc != 0)
        return rc;
    if (k->en)
        return export_write_encoded(r->w, k->en, &k->e);
    for (int i = 0; i < k->kept && rc == 0; i++)
        rc = export_row(r->w, &k->cells[(size_t)i * (size_t)r->nf], &k->e);
    return rc;
}

/* The writer thread: the rendered chunks into the file, strictly in the order they were read (the
 * file's SHA-256 is computed as it is written). */
static void *writer(void *arg)
{
    struct run *r = arg;
    pthread_mutex_lock(&r->mu);
    for (int64_t seq = 0;; seq++) {
        struct xchunk *k = &r->slot[seq % SLOTS];
        while (!r->stop && k->state != SLOT_RENDERED)
            pthread_cond_wait(&r->done, &r->mu);
        if (k->state != SLOT_RENDERED)
            break;
        pthread_mutex_unlock(&r->mu);
        int rc = write_chunk(r, k);
        pthread_mutex_lock(&r->mu);
        k->rc = rc;
        k->state = SLOT_WRITTEN;
        pthread_cond_broadcast(&r->done);
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

/* Starts the render threads (cores - 1, at least one: the reading thread has a core of its own) and
 * the writer. */
static void pipeline_start(struct run *r)
{
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->ready, NULL);
    pthread_cond_init(&r->done, NULL);
    for (int i = 0; i < SLOTS; i++) {
        sb_init(&r->slot[i].sb, 0);
        r->slot[i].en = export_encoder_new(r->w);
        r->slot[i].held = json_array();
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int n = cores > RENDERERS ? RENDERERS : cores > 1 ? (int)cores - 1 : 1;
    for (int i = 0; i < n; i++)
        if (pthread_create(&r->thr[r->nthr], NULL, renderer, r) == 0)
            r->nthr++;
    if (pthread_create(&r->thr[r->nthr], NULL, writer, r) == 0) {
        r->nthr++;
        r->writer = 1;
    }
}

static void pipeline_stop(struct run *r)
{
    pthread_mutex_lock(&r->mu);
    r->stop = 1;
    pthread_cond_broadcast(&r->ready);
    pthread_cond_broadcast(&r->done);
    pthread_mutex_unlock(&r->mu);
    for (int i = 0; i < r->nthr; i++)
        pthread_join(r->thr[i], NULL);
    for (int i = 0; i < SLOTS; i++) {
        struct xchunk *k = &r->slot[i];
        export_encoder_free(k->en);
        json_decref(k->held);
        sb_free(&k->sb);
        arena_free(&k->a);
        free(k->rows);
        free(k->moves);
    }
    pthread_cond_destroy(&r->ready);
    pthread_cond_destroy(&r->done);
    pthread_mutex_destroy(&r->mu);
}

/* ---- positions and reviewers (reading thread) -------------------------------------------------- */

/* The position of the row at hand: met before, or loaded now (its model; its histograms when the
 * template shows percentiles). */
static int position_of(struct run *r, int64_t pid, struct xpos **out)
{
    if (r->last_pos && r->last_pos->g.id == pid) {
        *out = r->last_pos;
        return 0;
    }
    for (struct xpos *q = r->pos; q; q = q->next)
        if (q->g.id == pid) {
            *out = r->last_pos = q;
            return 0;
        }
    struct xpos *p = xcalloc(1, sizeof(*p));
    p->next = r->pos;
    r->pos = p;
    int rc = xgate_pos_load(r->c, pid, &p->g);
    if (rc == 0 && (r->need & NEED_HIST)) {
        p->hist = xcalloc((size_t)r->ndims + 1, sizeof(*p->hist));
        for (int i = 0; i <= r->ndims && rc == 0; i++)
            rc = svc_hist_read(r->c, pid, i < r->ndims ? r->dims[i] : "", p->hist[i]);
    }
    *out = r->last_pos = p;
    return rc;
}

static void positions_free(struct run *r)
{
    while (r->pos) {
        struct xpos *n = r->pos->next;
        free(r->pos->hist);
        free(r->pos);
        r->pos = n;
    }
}

/* The label of the reviewer who confirmed the elimination: "display (username)", the username, or
 * the kind of actor (a rule, the system); users are read once. */
static int reviewer_of(struct run *r, const struct xrow *row, const char **out)
{
    *out = NULL;
    if (row->v[M_CONFIRMED_AT].null)
        return 0;
    if (row->v[M_CONFIRMED_BY].null) {
        *out = row->v[M_CONFIRMED_KIND].null ? NULL : row->v[M_CONFIRMED_KIND].s;
        return 0;
    }
    int64_t id = row->v[M_CONFIRMED_BY].i;
    for (int i = 0; i < r->nusers; i++)
        if (r->users[i].id == id) {
            *out = r->users[i].label ? r->users[i].label : row->v[M_CONFIRMED_KIND].s;
            return 0;
        }
    struct db_stmt *s;
    int rc = svc_prepare(r->c, "SELECT username, display_name FROM users WHERE id = ?", &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, id);
    char *label = NULL;
    if ((rc = db_step(s, r->c->e)) == DB_ROW) {
        const char *user = db_col_text(s, 0), *display = db_col_text(s, 1);
        if (user && display && *display && strcmp(display, user) != 0)
            label = arena_printf(&r->keep, "%.60s (%.64s)", display, user);
        else if (user)
            label = arena_strdup(&r->keep, user);
    }
    db_reset(s);
    if (rc < 0)
        return rc;
    if (r->nusers == r->users_cap) {
        r->users_cap = r->users_cap ? 2 * r->users_cap : 16;
        r->users = xrealloc(r->users, (size_t)r->users_cap * sizeof(*r->users));
    }
    r->users[r->nusers++] = (struct user_label){.id = id, .label = label};
    *out = label ? label : (row->v[M_CONFIRMED_KIND].null ? NULL : row->v[M_CONFIRMED_KIND].s);
    return 0;
}

/* ---- the plan ------------------------------------------------------------------------------------- */

static int dim_slot(struct run *r, const char *dim)
{
    for (int i = 0; i < r->ndims; i++)
        if (strcmp(r->dims[i], dim) == 0)
            return i;
    snprintf(r->dims[r->ndims], sizeof(r->dims[0]), "%s", dim);
    r->dims_len[r->ndims] = strlen(r->dims[r->ndims]);
    return r->ndims++;
}

static int plan(struct run *r)
{
    size_t n = json_array_size(r->spec->fields), i;
    json_t *v;
    if (n < 1 || n > EXPORT_MAX_COLUMNS)
        return err_set(r->c->e, ERR_INVALID, NULL, "fields", "a template has 1 to %d fields", EXPORT_MAX_COLUMNS);
    r->f = xcalloc(n, sizeof(*r->f));
    r->fdim = xcalloc(n, sizeof(int));
    json_array_foreach(r->spec->fields, i, v)
    {
        struct xf *f = &r->f[r->nf];
        if (xf_resolve(json_string_value(v), f) != 0)
            return err_set(r->c->e, ERR_INVALID, "unknown_field", "fields", "unknown export field %.64s",
                           json_string_value(v) ? json_string_value(v) : "?");
        r->fdim[r->nf] = -1;
        switch (f->kind) {
        case XF_CAND_EMAIL:
            r->need |= NEED_EMAIL;
            break;
        case XF_CAND_PHONE:
            r->need |= NEED_PHONE;
            break;
        case XF_AI_VIDEO:
        case XF_AI_MOMENTS:
            r->need |= NEED_RESULT | NEED_RJSON;
            break;
        case XF_AI_TRANSCRIPT:
            r->need |= NEED_RESULT | NEED_TRANSCRIPT;
            break;
        case XF_REVIEWER:
            r->need |= NEED_REVIEWER;
            break;
        case XF_AI_OVERALL_PCT:
            r->need |= NEED_HIST;
            break;
        case XF_DIM:
            r->need |= NEED_DIMS;
            r->fdim[r->nf] = dim_slot(r, f->dim);
            break;
        case XF_PCT:
            r->need |= NEED_DIMS | NEED_HIST;
            r->fdim[r->nf] = dim_slot(r, f->dim);
            break;
        default:
            break;
        }
        r->nf++;
    }
    return 0;
}

/* The main query (column order: the M_ enum), ending in the filter's terms to come. */
static void main_sql(const struct run *r, struct qb *q)
{
    char sql[2048];
    int res = (r->need & NEED_RESULT) != 0;
    snprintf(sql, sizeof(sql),
             "SELECT a.id, a.position_id, a.stage, a.elimination_reason, a.elimination_note, a.created_at, "
             "a.special_note, a.overall, a.match_score, a.recommendation, cd.name, cd.source, %s, %s, p.code, "
             "p.title, o.code, o.name, a.ai_vendor, a.ai_model, a.ai_completed_at, a.ai_tags, a.ai_dims, "
             "a.ai_transcript, a.result_id, a.eliminated_at, a.confirmed_at, a.confirmed_by_kind, "
             "a.confirmed_by, %s, %s "
             "FROM application a JOIN candidate cd ON cd.id = a.candidate_id JOIN position p ON p.id = "
             "a.position_id JOIN org_unit o ON o.id = p.org_unit_id%s WHERE 1=1",
             (r->need & NEED_EMAIL) ? "cd.email_enc" : "NULL", (r->need & NEED_PHONE) ? "cd.phone_enc" : "NULL",
             (r->need & NEED_RJSON) ? "r.result_json" : "NULL",
             (r->need & NEED_TRANSCRIPT) ? "r.transcript_enc" : "NULL",
             res ? " LEFT JOIN ai_result r ON r.id = a.result_id" : "");
    qb_init(q, sql);
}

/* ---- reading (the calling thread) ---------------------------------------------------------------- */

/* Copies column col of s into v (texts and blobs into the chunk's arena). */
static void read_val(struct xchunk *k, struct db_stmt *s, int col, struct xv *v)
{
    v->null = db_col_isnull(s, col);
    v->s = NULL;
    v->n = 0;
    v->i = 0;
    v->d = 0;
    if (v->null)
        return;
    switch (col) {
    case M_ID:
    case M_POSITION_ID:
    case M_CREATED_AT:
    case M_OVERALL:
    case M_COMPLETED_AT:
    case M_HAS_TRANSCRIPT:
    case M_RESULT_ID:
    case M_ELIMINATED_AT:
    case M_CONFIRMED_AT:
    case M_CONFIRMED_BY:
        v->i = db_col_int64(s, col);
        return;
    case M_MATCH:
        v->d = db_col_double(s, col);
        return;
    case M_EMAIL:
    case M_PHONE:
    case M_TRANSCRIPT: {
        const void *p = db_col_blob(s, col, &v->n);
        v->s = arena_strndup(&k->a, p, v->n);
        return;
    }
    default: {
        const char *t = db_col_text(s, col);
        v->n = strlen(t);
        v->s = arena_strndup(&k->a, t, v->n);
    }
    }
}

/* The columns the plan reads (the others are left null). */
static int col_needed(const struct run *r, int col)
{
    switch (col) {
    case M_EMAIL:
        return (r->need & NEED_EMAIL) != 0;
    case M_PHONE:
        return (r->need & NEED_PHONE) != 0;
    case M_RJSON:
        return (r->need & NEED_RJSON) != 0;
    case M_TRANSCRIPT:
        return (r->need & NEED_TRANSCRIPT) != 0;
    case M_CONFIRMED_KIND:
    case M_CONFIRMED_BY:
        return (r->need & NEED_REVIEWER) != 0;
    default:
        return 1;
    }
}

/* What the reading thread looks up for row: its position (and, for an elimination leaving the
 * buffer, the position's fairness acknowledgement: 409 when missing) and its reviewer. */
static int note_row(struct run *r, struct xrow *row)
{
    struct xpos *p;
    int rc = position_of(r, row->v[M_POSITION_ID].i, &p);
    if (rc != 0)
        return rc;
    row->pos = p;
    row->leaving = strcmp(row->v[M_STAGE].s, "eliminated_pending_export") == 0;
    if (row->leaving && (rc = xgate_fairness(r->c, &p->g)) != 0)
        return rc;
    return (r->need & NEED_REVIEWER) ? reviewer_of(r, row, &row->reviewer) : 0;
}

/* Reads the next chunk after id *lo into k (the rows the gate lets through); *more 0 at the end. */
static int read_chunk(struct run *r, struct qb *q, struct xchunk *k, int64_t *lo, int *more)
{
    struct db_stmt *s;
    int rc = svc_prepare(r->c, q->sql, &s);
    if (rc != 0)
        return rc;
    qb_bind(q, s);
    db_bind_int64(s, q->n + 1, *lo);
    if (!k->rows) {
        k->rows = xmalloc(CHUNK * sizeof(*k->rows));
        k->moves = xmalloc(CHUNK * sizeof(*k->moves));
    }
    k->n = k->nmoves = k->kept = 0;
    k->nheld = 0;
    k->lo = *lo;
    while ((rc = db_step(s, r->c->e)) == DB_ROW) {
        struct xrow *row = &k->rows[k->n];
        row->reviewer = NULL;
        row->dim = row->pct = NULL;
        row->keep = 1;
        for (int col = 0; col < M_NCOLS; col++) {
            if (col_needed(r, col))
                read_val(k, s, col, &row->v[col]);
            else
                row->v[col].null = 1;
        }
        *lo = row->v[M_ID].i;
        if ((rc = note_row(r, row)) != 0)
            break;
        k->n++;
    }
    db_reset(s);
    k->hi = *lo;
    *more = k->n == CHUNK;
    return rc < 0 ? rc : 0;
}

/* ---- the moves ------------------------------------------------------------------------------------ */

/* The applications of the chunk (lo, hi] of the job that it moves to exported. */
#define MOVED_NOW                                                                                                      \
    "FROM export_item x WHERE x.job_id = ? AND x.application_id > ? AND x.application_id <= ? AND x.moved = 1"

/* Runs sql (ending in MOVED_NOW) with job, lo and hi bound from index i on. */
static int exec_chunk(struct run *r, struct db_stmt *s, int i, int64_t lo, int64_t hi)
{
    db_bind_int64(s, i, r->job_id);
    db_bind_int64(s, i + 1, lo);
    db_bind_int64(s, i + 2, hi);
    return svc_exec(r->c, s);
}

/* Moves the chunk's applications waiting for export to exported, set-based: the job's items (the
 * record of what it moved), the application rows, their stage_history rows and their
 * application.exported events, as svc_app_move_tx and svc_event write them one by one (the
 * pipeline's check made once: the same transition by the same actor for every row). The moves to
 * exported do not start stage rules: the buffer ends there. */
static int run_moves(struct run *r, const struct xchunk *k)
{
    if (k->nmoves == 0)
        return 0;
    struct svc_ctx *c = r->c;
    int64_t lo = k->lo, hi = k->hi;
    struct transition_req tr = {.from = STAGE_ELIMINATED_PENDING_EXPORT, .to = STAGE_EXPORTED, .actor = r->kind};
    int rc = pipeline_check(&tr, c->e);
    struct db_stmt *s;
    if (rc != 0 || (rc = svc_prepare(c,
                                     "INSERT INTO export_item (job_id, application_id, moved) VALUES (?, ?, 1) "
                                     "ON CONFLICT (job_id, application_id) DO UPDATE SET moved = 1",
                                     &s)))
        return rc;
    for (int i = 0; i < k->nmoves && rc == 0; i++) {
        db_bind_int64(s, 1, r->job_id);
        db_bind_int64(s, 2, k->moves[i]);
        rc = svc_exec(c, s);
    }
    if (rc != 0 ||
        (rc = svc_prepare(c,
                          "UPDATE application SET stage = 'exported', prev_stage = stage, "
                          "stage_changed_at = ?, updated_at = ?, version = version + 1 WHERE "
                          "stage = 'eliminated_pending_export' AND id IN (SELECT x.application_id " MOVED_NOW ")",
                          &s)))
        return rc;
    db_bind_int64(s, 1, c->now);
    db_bind_int64(s, 2, c->now);
    if ((rc = exec_chunk(r, s, 3, lo, hi)) != 0)
        return rc;
    int64_t n = db_changes(c->db);
    if (n != k->nmoves) /* PostgreSQL: another writer moved one meanwhile */
        return err_set(c->e, ERR_CONFLICT, "conflict", NULL,
                       "an application of the export changed while it was exported; run the export again");
    if ((rc = svc_prepare(c,
                          "INSERT INTO stage_history (application_id, from_stage, to_stage, actor_kind, actor_id, "
                          "reason, note, at) SELECT x.application_id, 'eliminated_pending_export', 'exported', ?, "
                          "?, NULL, NULL, ? " MOVED_NOW " ORDER BY x.application_id",
                          &s)))
        return rc;
    db_bind_text(s, 1, actor_kind_name(r->kind));
    if (c->actor->user_id)
        db_bind_int64(s, 2, c->actor->user_id);
    else
        db_bind_null(s, 2);
    db_bind_int64(s, 3, c->now);
    if ((rc = exec_chunk(r, s, 4, lo, hi)) != 0)
        return rc;
    /* the payload svc_event writes for {id, from, to, export_id, template} */
    json_t *tn = json_string(r->spec->template_name);
    char *tj = result_json_compact(tn, 0, NULL);
    json_decref(tn);
    char head[160];
    snprintf(head, sizeof(head),
             ",\"from\":\"eliminated_pending_export\",\"to\":\"exported\",\"export_id\":%lld,"
             "\"template\":",
             (long long)r->job_id);
    if ((rc = svc_prepare(
             c,
             "INSERT INTO outbox (event, entity, entity_id, payload, created_at) SELECT "
             "'application.exported', 'application', x.application_id, '{\"id\":' || x.application_id || ? || ? "
             "|| '}', ? " MOVED_NOW " ORDER BY x.application_id",
             &s)) == 0) {
        db_bind_text(s, 1, head);
        db_bind_text(s, 2, tj);
        db_bind_int64(s, 3, c->now);
        rc = exec_chunk(r, s, 4, lo, hi);
    }
    free(tj);
    if (rc == 0)
        r->moved += (uint64_t)n;
    return rc;
}

/* ---- the pass ----------------------------------------------------------------------------------- */

/* After chunk k is written: its held-back eliminations and rows counted, its applications moved. */
static int finish_chunk(struct run *r, struct xchunk *k)
{
    if (k->rc != 0) {
        *r->c->e = k->e;
        return k->rc;
    }
    size_t i;
    json_t *h;
    json_array_foreach(k->held, i, h)
    {
        if (json_array_size(r->held) < HELD_SHOWN)
            json_array_append(r->held, h);
    }
    json_array_clear(k->held);
    r->nheld += k->nheld;
    r->rows += (uint64_t)k->kept;
    return run_moves(r, k);
}

/* The selection's query: the filter's terms, or the job's named applications (export_item rows
 * with moved 0, made by xjob_run_tx), then the keyset. */
static int selection_sql(struct run *r, struct qb *q)
{
    main_sql(r, q);
    int rc = 0;
    if (r->spec->filter) {
        rc = xfilter_where(r->c, r->spec->filter, q);
    } else {
        qb_sql(q, " AND a.id IN (SELECT i.application_id FROM export_item i WHERE i.job_id = ?)");
        qb_int(q, r->job_id);
    }
    if (rc == 0) {
        char tail[64];
        snprintf(tail, sizeof(tail), " AND a.id > ? ORDER BY a.id LIMIT %d", CHUNK);
        qb_sql(q, tail);
    }
    return rc;
}

/* Reads, gates, renders and writes every row of the selection, moving each chunk's applications after
 * it is written. */
static int write_rows(struct run *r)
{
    struct qb q;
    int rc = selection_sql(r, &q);
    if (rc != 0)
        return rc;
    pipeline_start(r);
    if (!r->writer || r->nthr < 2) { /* a writer and at least one render thread */
        pipeline_stop(r);
        return err_set(r->c->e, ERR_INTERNAL, NULL, NULL, "cannot start the export's threads");
    }
    int64_t lo = 0, next_read = 0, next_done = 0;
    int more = 1;
    while (rc == 0 && (more || next_done < next_read)) {
        struct xchunk *k = &r->slot[next_read % SLOTS];
        if (more && next_read - next_done < SLOTS) {
            /* the slot is free: its chunk was written and finished */
            arena_reset(&k->a);
            if ((rc = read_chunk(r, &q, k, &lo, &more)) != 0)
                break;
            if (k->n == 0) /* the end */
                continue;
            pthread_mutex_lock(&r->mu);
            k->state = SLOT_READY;
            pthread_cond_signal(&r->ready);
            pthread_mutex_unlock(&r->mu);
            next_read++;
            continue;
        }
        k = &r->slot[next_done % SLOTS];
        pthread_mutex_lock(&r->mu);
        while (k->state != SLOT_WRITTEN)
            pthread_cond_wait(&r->done, &r->mu);
        k->state = SLOT_FREE;
        pthread_mutex_unlock(&r->mu);
        rc = finish_chunk(r, k);
        next_done++;
    }
    pipeline_stop(r);
    return rc;
}

/* ---- the job -------------------------------------------------------------------------------------- */

static json_t *job_row(struct svc_ctx *c, struct db_stmt *s)
{
    (void)c;
    json_t *fields = json_loads(db_col_text(s, 5), 0, NULL), *filter = json_loads(db_col_text(s, 6), 0, NULL);
    int64_t id = db_col_int64(s, 0);
    char url[64];
    snprintf(url, sizeof(url), "/api/v1/exports/%lld/file", (long long)id);
    json_t *o =
        json_pack("{s:I,s:o,s:s,s:s,s:s,s:o,s:o,s:s,s:s,s:I,s:I,s:I,s:s,s:s,s:s,s:s,s:s,s:o}", "id", (json_int_t)id,
                  "template_id", db_col_isnull(s, 1) ? json_null() : json_integer(db_col_int64(s, 1)), "template",
                  db_col_text(s, 2), "format", db_col_text(s, 3), "lang", db_col_text(s, 4), "fields",
                  fields ? fields : json_array(), "filter", filter ? filter : json_null(), "destination",
                  db_col_text(s, 7), "trigger", db_col_text(s, 8), "rows", (json_int_t)db_col_int64(s, 9), "moved",
                  (json_int_t)db_col_int64(s, 10), "bytes", (json_int_t)db_col_int64(s, 11), "sha256",
                  db_col_text(s, 12), "path", db_col_text(s, 13), "filename", db_col_text(s, 14), "file_url", url,
                  "created_by", db_col_text(s, 15), "created_at", json_time(db_col_int64(s, 16)));
    json_t *held = json_loads(db_col_text(s, 18), 0, NULL);
    json_object_set_new(o, "held_back", json_integer(db_col_int64(s, 17)));
    json_object_set_new(o, "held_back_items", held ? held : json_array());
    return o;
}

#define JOB_SELECT                                                                                                     \
    "SELECT id, template_id, template_name, format, lang, fields_json, filter_json, destination, trigger_kind, "       \
    "row_count, moved, bytes, sha256, path, filename, created_by, created_at, held_back, held_back_json "              \
    "FROM export_job WHERE 1=1"

int xjob_load(struct svc_ctx *c, int64_t id, json_t **out)
{
    struct qb q;
    qb_init(&q, JOB_SELECT " AND id = ?");
    qb_int(&q, id);
    return qb_one(c, &q, job_row, "export", out);
}

/* The job list, newest first (svc_export_list): query filters template (name) and trigger. */
int xjob_list(struct svc_ctx *c, json_t *query, json_t **out)
{
    static const struct qb_sort order[] = {{"id", NULL, 0, 0}, {NULL, NULL, 0, 0}};
    struct qb q;
    qb_init(&q, JOB_SELECT);
    const char *t = q_str(query, "template"), *trig = q_str(query, "trigger");
    if (t) {
        qb_sql(&q, " AND template_name = ?");
        qb_text(&q, t);
    }
    if (trig) {
        qb_sql(&q, " AND trigger_kind = ?");
        qb_text(&q, trig);
    }
    json_t *newest = json_copy(query); /* the order is fixed: newest first, keyset cursor */
    json_object_set_new(newest, "sort", json_string("-id"));
    int rc = qb_page_sorted(c, &q, newest, "id", order, job_row, NULL, out);
    json_decref(newest);
    return rc;
}

/* A file name from the template name: path separators, controls and characters Windows refuses
 * become '_'; at most 80 bytes, cut at a character boundary. */
static void safe_name(const char *in, char *out, size_t n)
{
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p && k + 1 < n && k < 80; p++) {
        unsigned char ch = *p;
        out[k++] = (ch < 0x20 || ch == 0x7f || strchr("/\\:*?\"<>| ", ch)) ? '_' : (char)ch;
    }
    while (k > 0 && ((unsigned char)out[k - 1] & 0xC0) == 0x80)
        k--; /* drop a cut character's tail ... */
    if (k > 0 && ((unsigned char)out[k - 1] & 0xC0) == 0xC0)
        k--; /* ... and its lead byte */
    out[k] = '\0';
    if (!k)
        snprintf(out, n, "export");
}

/* mkdir -p of one level (the parent exists). */
static int ensure_dir(struct svc_ctx *c, const char *dir)
{
    if (mkdir(dir, 0700) == 0 || errno == EEXIST)
        return 0;
    return err_set(c->e, ERR_INTERNAL, NULL, NULL, "cannot create %s: %s", dir, strerror(errno));
}

static void fsync_dir(const char *path)
{
    char *dir = xstrdup(path), *slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        int fd = open(*dir ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd >= 0) {
            fsync(fd);
            close(fd);
        }
    }
    free(dir);
}

/* The job row (placeholders for what the run finds out). */
static int insert_job(struct svc_ctx *c, const struct xjob_spec *spec, int64_t *id)
{
    struct db_stmt *s;
    int rc = svc_prepare(c,
                         "INSERT INTO export_job (template_id, template_name, format, lang, fields_json, filter_json, "
                         "destination, trigger_kind, created_by, created_by_id, created_at) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                         &s);
    if (rc != 0)
        return rc;
    char *fields = json_dumps(spec->fields, JSON_COMPACT);
    json_t *filter =
        spec->filter ? json_incref(spec->filter) : json_pack("{s:I}", "application_ids", (json_int_t)spec->nids);
    char *filter_s = json_dumps(filter, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(filter);
    char label[160];
    actor_label(c->actor, label, sizeof(label));
    if (spec->template_id)
        db_bind_int64(s, 1, spec->template_id);
    else
        db_bind_null(s, 1);
    db_bind_text(s, 2, spec->template_name);
    db_bind_text(s, 3, export_format_name(spec->format));
    db_bind_text(s, 4, spec->en ? "en" : "zh");
    db_bind_text(s, 5, fields);
    db_bind_text(s, 6, filter_s);
    db_bind_text(s, 7, spec->to_directory ? "directory" : "download");
    db_bind_text(s, 8, spec->trigger);
    db_bind_text(s, 9, label);
    if (c->actor->user_id)
        db_bind_int64(s, 10, c->actor->user_id);
    else
        db_bind_null(s, 10);
    db_bind_int64(s, 11, c->now);
    rc = db_step(s, c->e);
    *id = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_reset(s);
    free(fields);
    free(filter_s);
    return rc < 0 ? rc : 0;
}

/* Records the named applications of a job as its items (moved 0) for the selection to read; those
 * it does not move are removed again when it is done. */
static int name_apps(struct svc_ctx *c, const struct xjob_spec *spec, int64_t job)
{
    struct db_stmt *s;
    int rc = svc_prepare(c,
                         "INSERT INTO export_item (job_id, application_id) SELECT ?, id FROM application WHERE id = ? "
                         "ON CONFLICT DO NOTHING",
                         &s);
    for (size_t i = 0; rc == 0 && i < spec->nids; i++) {
        db_bind_int64(s, 1, job);
        db_bind_int64(s, 2, spec->ids[i]);
        rc = svc_exec(c, s);
    }
    return rc;
}

/* Removes the items of a job of named applications that it did not move. */
static int unname_apps(struct svc_ctx *c, int64_t job)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, "DELETE FROM export_item WHERE job_id = ? AND moved = 0", &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, job);
    return svc_exec(c, s);
}

static enum actor_kind kind_of(const struct actor *a)
{
    return a->role == ROLE_ADMIN ? ACTOR_ADMIN : a->role == ROLE_HR ? ACTOR_HR : ACTOR_SYSTEM;
}

/* Writes the file to tmp and the job's rows; on success the file is renamed to path. */
static int run_file(struct svc_ctx *c, struct run *r, const char *tmp, const char *path, char sha[65], uint64_t *bytes)
{
    int rc = export_open(r->spec->format, tmp, &r->w, c->e);
    if (rc != 0)
        return rc;
    struct export_column *cols = xcalloc((size_t)r->nf, sizeof(*cols));
    for (int i = 0; i < r->nf; i++) {
        cols[i].key = r->f[i].key;
        cols[i].label = r->f[i].label[r->en];
    }
    rc = export_begin(r->w, cols, r->nf, c->e);
    free(cols);
    if (rc == 0 && (rc = write_rows(r)) == 0 && (rc = export_finish(r->w, bytes, sha, c->e)) == 0 &&
        rename(tmp, path) != 0)
        rc = err_set(c->e, ERR_INTERNAL, NULL, NULL, "cannot move the export to %s: %s", path, strerror(errno));
    if (rc == 0)
        fsync_dir(path);
    return rc;
}

int xjob_run_tx(struct svc_ctx *c, const struct xjob_spec *spec, json_t **job, char **path_out)
{
    struct run r = {.c = c, .spec = spec, .en = spec->en, .kind = kind_of(c->actor)};
    char *path = NULL, *tmp = NULL, *dir = NULL;
    json_t *o = NULL;
    int rc;
    r.held = json_array();
    *job = NULL;
    if (path_out)
        *path_out = NULL;
    fmt_time(c->now, r.exported_at);
    if ((rc = plan(&r)) != 0)
        goto done;
    if (spec->to_directory && !svc_exports_dir()) {
        rc = err_set(c->e, ERR_INVALID, "no_export_dir", "destination",
                     "no export directory is configured (talentd serve --export-dir DIR)");
        goto done;
    }
    if (!spec->to_directory && !c->data_dir) {
        rc = err_set(c->e, ERR_INTERNAL, NULL, NULL, "no data directory to write the export to");
        goto done;
    }
    if ((rc = insert_job(c, spec, &r.job_id)) != 0 || (!spec->filter && (rc = name_apps(c, spec, r.job_id)) != 0))
        goto done;
    char name[96], stamp[24], filename[200];
    safe_name(spec->template_name, name, sizeof(name));
    fmt_time(c->now, stamp);
    snprintf(filename, sizeof(filename), "%s-%.4s%.2s%.2s-%.2s%.2s%.2s-%lld.%s", name, stamp, stamp + 5, stamp + 8,
             stamp + 11, stamp + 14, stamp + 17, (long long)r.job_id, export_format_name(spec->format));
    if (spec->to_directory) {
        path = xasprintf("%s/%s", svc_exports_dir(), filename);
    } else {
        dir = xasprintf("%s/exports", c->data_dir);
        if ((rc = ensure_dir(c, dir)) != 0)
            goto done;
        path = xasprintf("%s/%lld.%s", dir, (long long)r.job_id, export_format_name(spec->format));
    }
    tmp = xasprintf("%s.part", path);
    char sha[65];
    uint64_t bytes = 0;
    rc = run_file(c, &r, tmp, path, sha, &bytes);
    export_free(r.w);
    r.w = NULL;
    if (rc == 0 && r.rows == 0) {
        json_t *h0 = json_array_get(r.held, 0);
        if (h0)
            rc = err_set(c->e, ERR_INVALID, "nothing_to_export", "filter",
                         "nothing to export: the %lld eliminations that match have an incomplete evaluation "
                         "(application %lld lacks %s)",
                         (long long)r.nheld, (long long)json_integer_value(json_object_get(h0, "application_id")),
                         json_string_value(json_array_get(json_object_get(h0, "missing"), 0)));
        else
            rc = err_set(c->e, ERR_INVALID, "nothing_to_export", "filter", "no application matches: nothing to export");
        unlink(path);
        goto done;
    }
    if (rc == 0 && !spec->filter)
        rc = unname_apps(c, r.job_id);
    if (rc != 0) {
        unlink(tmp);
        unlink(path);
        goto done;
    }
    struct db_stmt *s;
    if ((rc = svc_prepare(c,
                          "UPDATE export_job SET row_count = ?, moved = ?, bytes = ?, sha256 = ?, path = ?, "
                          "filename = ?, held_back = ?, held_back_json = ? WHERE id = ?",
                          &s)) == 0) {
        char *hj = json_dumps(r.held, JSON_COMPACT);
        db_bind_int64(s, 1, (int64_t)r.rows);
        db_bind_int64(s, 2, (int64_t)r.moved);
        db_bind_int64(s, 3, (int64_t)bytes);
        db_bind_text(s, 4, sha);
        db_bind_text(s, 5, path);
        db_bind_text(s, 6, filename);
        db_bind_int64(s, 7, r.nheld);
        db_bind_text(s, 8, hj ? hj : "[]");
        db_bind_int64(s, 9, r.job_id);
        rc = svc_exec(c, s);
        free(hj);
    }
    if (rc == 0 && (rc = xjob_load(c, r.job_id, &o)) == 0 &&
        (rc = svc_audit(c, "export.create", "export", r.job_id, NULL, o)) == 0)
        rc = svc_event(c, "export.created", "export", r.job_id, o);
    if (rc != 0) {
        unlink(path);
        goto done;
    }
    *job = o;
    o = NULL;
    if (path_out) {
        *path_out = path;
        path = NULL;
    }
done:
    export_free(r.w);
    positions_free(&r);
    arena_free(&r.keep);
    free(r.users);
    free(r.f);
    free(r.fdim);
    json_decref(o);
    json_decref(r.held);
    free(path);
    free(tmp);
    free(dir);
    return rc;
}

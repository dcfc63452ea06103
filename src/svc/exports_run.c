/* exports_run.c - the export engine (svc/exports_impl.h): selection, the
 * file, the job record and the moves, inside the caller's transaction.
 *
 * The selection is materialised first (export_item rows of the job). The
 * file is then written in chunks of CHUNK applications in id order: per
 * chunk one query for the application rows, one for their dimension scores
 * and one for their stage history (only those the template needs), merged
 * in id order while the rows are written; nothing is kept per row beyond the
 * chunk, so memory stays flat on SQLite and PostgreSQL alike (whose results
 * arrive whole). After each chunk, its applications in
 * eliminated_pending_export move to exported through svc_app_move_tx, each
 * with its event application.exported. */
#include <errno.h>
#include <fcntl.h>
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
#include "svc/applications.h"
#include "svc/exports_impl.h"
#include "svc/results_apply.h"
#include "svc/views.h"

#define CHUNK 2000
#define DIMS_MAX EXPORT_MAX_COLUMNS

/* What the template's fields need read. */
enum {
    NEED_EMAIL = 1u << 0,
    NEED_PHONE = 1u << 1,
    NEED_RESULT = 1u << 2, /* the ai_result row */
    NEED_RJSON = 1u << 3,  /* its result_json (tags, video, key moments) */
    NEED_TRANSCRIPT = 1u << 4,
    NEED_HISTORY = 1u << 5,
    NEED_DIMS = 1u << 6,
    NEED_HIST = 1u << 7, /* score histograms (percentiles) */
};

/* Columns of the main query. */
enum {
    M_ID,
    M_VERSION,
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
    M_RJSON,
    M_TRANSCRIPT,
};

/* One cached score histogram of a position and dimension ("" = overall). */
struct hist_entry {
    int64_t position_id;
    char dim[33];
    int64_t counts[HIST_BUCKETS];
    struct hist_entry *next;
};
#define HIST_SLOTS 256

/* Per application: what the history and dimension cursors found. */
struct extra {
    int64_t eliminated_at, confirmed_at; /* 0: none */
    char reviewer[130];
    int dim[DIMS_MAX]; /* score per needed dimension, -1 when the result has none */
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
    struct export_writer *w;
    struct export_cell *cells;
    struct hist_entry *hist[HIST_SLOTS];
    struct arena chunk; /* this chunk's strings */
    int64_t nmoves;     /* applications of the current chunk waiting for export */
    int64_t job_id;
    char exported_at[24];
    uint64_t rows, moved;
    enum actor_kind kind;
};

/* ---- small formatting helpers ------------------------------------------------------------------- */

/* "YYYY-MM-DDTHH:MM:SSZ" for UTC ms (days_from_civil's inverse, H. Hinnant). */
static void fmt_time(int64_t ms, char out[24])
{
    int64_t s = ms >= 0 ? ms / 1000 : (ms - 999) / 1000;
    int64_t days = s >= 0 ? s / 86400 : (s - 86399) / 86400;
    int64_t sod = s - days * 86400;
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    if (y < 0 || y > 9999) {
        snprintf(out, 24, "%lld", (long long)ms);
        return;
    }
    int hh = (int)(sod / 3600), mm = (int)(sod / 60 % 60), ss = (int)(sod % 60);
    char *p = out;
    int yy = (int)y;
    *p++ = (char)('0' + yy / 1000);
    *p++ = (char)('0' + yy / 100 % 10);
    *p++ = (char)('0' + yy / 10 % 10);
    *p++ = (char)('0' + yy % 10);
    *p++ = '-';
    *p++ = (char)('0' + m / 10);
    *p++ = (char)('0' + m % 10);
    *p++ = '-';
    *p++ = (char)('0' + d / 10);
    *p++ = (char)('0' + d % 10);
    *p++ = 'T';
    *p++ = (char)('0' + hh / 10);
    *p++ = (char)('0' + hh % 10);
    *p++ = ':';
    *p++ = (char)('0' + mm / 10);
    *p++ = (char)('0' + mm % 10);
    *p++ = ':';
    *p++ = (char)('0' + ss / 10);
    *p++ = (char)('0' + ss % 10);
    *p++ = 'Z';
    *p = '\0';
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

static struct export_cell cell_text(const char *s)
{
    struct export_cell c = {.type = s ? EXPORT_TEXT : EXPORT_NULL, .s = s, .n = s ? strlen(s) : 0};
    return c;
}

static struct export_cell cell_int(int64_t v)
{
    struct export_cell c = {.type = EXPORT_INT, .i = v};
    return c;
}

/* A time column as text (arena), or null. */
static struct export_cell cell_time(struct run *r, int64_t ms, int is_null)
{
    if (is_null)
        return cell_text(NULL);
    char *t = arena_alloc(&r->chunk, 24);
    fmt_time(ms, t);
    return cell_text(t);
}

/* Copies b's text into the chunk arena as a cell (null when empty). */
static struct export_cell cell_buf(struct run *r, struct strbuf *b)
{
    if (!b->len)
        return cell_text(NULL);
    struct export_cell c = {.type = EXPORT_TEXT, .s = arena_strndup(&r->chunk, b->p, b->len), .n = b->len};
    return c;
}

/* ---- the stored result's public JSON ------------------------------------------------------------- */

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

static struct export_cell cell_tags(struct run *r, const char *rj, struct strbuf *b)
{
    json_t *a = rjson_value(rj, "tags");
    size_t i;
    json_t *v;
    sb_reset(b);
    json_array_foreach(a, i, v)
    {
        if (json_is_string(v))
            sb_printf(b, "%s%s", b->len ? "; " : "", json_string_value(v));
    }
    json_decref(a);
    return cell_buf(r, b);
}

static struct export_cell cell_moments(struct run *r, const char *rj, struct strbuf *b)
{
    json_t *a = rjson_value(rj, "key_moments");
    size_t i;
    json_t *v;
    sb_reset(b);
    json_array_foreach(a, i, v)
    {
        if (b->len)
            sb_puts(b, "; ");
        fmt_offset(json_integer_value(json_object_get(v, "at_ms")), b);
        const char *label = json_string_value(json_object_get(v, "label"));
        if (label)
            sb_printf(b, " %s", label);
    }
    json_decref(a);
    return cell_buf(r, b);
}

static struct export_cell cell_video(struct run *r, const char *rj)
{
    json_t *v = rjson_value(rj, "video_url");
    struct export_cell c = cell_text(NULL);
    if (json_is_string(v))
        c = cell_text(arena_strdup(&r->chunk, json_string_value(v)));
    json_decref(v);
    return c;
}

/* The transcript (decrypted), one line per segment: "[mm:ss-mm:ss] speaker: text". */
static struct export_cell cell_transcript(struct run *r, struct db_stmt *s, struct strbuf *b)
{
    json_t *t = svc_col_decrypt_json(r->c, s, M_TRANSCRIPT, CTX_RESULT_TRANSCRIPT);
    size_t i;
    json_t *v;
    sb_reset(b);
    json_array_foreach(t, i, v)
    {
        if (b->len)
            sb_putc(b, '\n');
        sb_putc(b, '[');
        fmt_offset(json_integer_value(json_object_get(v, "start_ms")), b);
        sb_putc(b, '-');
        fmt_offset(json_integer_value(json_object_get(v, "end_ms")), b);
        const char *text = json_string_value(json_object_get(v, "text"));
        sb_printf(b, "] %s: %s", xf_speaker_label(json_string_value(json_object_get(v, "speaker")), r->en),
                  text ? text : "");
    }
    json_decref(t);
    return cell_buf(r, b);
}

/* A candidate's encrypted contact field in clear (arena), or null. */
static int cell_pii(struct run *r, struct db_stmt *s, int col, const char *ctx, struct export_cell *out)
{
    *out = cell_text(NULL);
    if (db_col_isnull(s, col))
        return 0;
    size_t n;
    const unsigned char *blob = db_col_blob(s, col, &n);
    unsigned char *pt = NULL;
    size_t ptn = 0;
    struct err ignored = {0};
    if (field_decrypt(r->c->kr, ctx, blob, n, &pt, &ptn, &ignored) != 0)
        return err_set(r->c->e, ERR_INTERNAL, "decrypt_failed", NULL,
                       "application %lld: the candidate's %s cannot be decrypted with the key file in use",
                       (long long)db_col_int64(s, M_ID), ctx);
    out->type = EXPORT_TEXT;
    out->s = arena_strndup(&r->chunk, (const char *)pt, ptn);
    out->n = ptn;
    free(pt);
    return 0;
}

/* ---- percentiles ---------------------------------------------------------------------------------- */

static int percentile(struct run *r, int64_t pid, const char *dim, int score, int *out)
{
    unsigned h = (unsigned)pid * 31u;
    for (const char *p = dim; *p; p++)
        h = h * 131u + (unsigned char)*p;
    struct hist_entry **slot = &r->hist[h % HIST_SLOTS], *e;
    for (e = *slot; e; e = e->next)
        if (e->position_id == pid && strcmp(e->dim, dim) == 0)
            break;
    if (!e) {
        e = xcalloc(1, sizeof(*e));
        e->position_id = pid;
        snprintf(e->dim, sizeof(e->dim), "%s", dim);
        int rc = svc_hist_read(r->c, pid, dim, e->counts);
        if (rc != 0) {
            free(e);
            return rc;
        }
        e->next = *slot;
        *slot = e;
    }
    *out = match_percentile(e->counts, score);
    return 0;
}

static void hist_free(struct run *r)
{
    for (int i = 0; i < HIST_SLOTS; i++) {
        while (r->hist[i]) {
            struct hist_entry *n = r->hist[i]->next;
            free(r->hist[i]);
            r->hist[i] = n;
        }
    }
}

/* ---- the plan ------------------------------------------------------------------------------------- */

static int dim_slot(struct run *r, const char *dim)
{
    for (int i = 0; i < r->ndims; i++)
        if (strcmp(r->dims[i], dim) == 0)
            return i;
    snprintf(r->dims[r->ndims], sizeof(r->dims[0]), "%s", dim);
    return r->ndims++;
}

static int plan(struct run *r)
{
    size_t n = json_array_size(r->spec->fields), i;
    json_t *v;
    r->f = xcalloc(n ? n : 1, sizeof(*r->f));
    r->fdim = xcalloc(n ? n : 1, sizeof(int));
    r->cells = xcalloc(n ? n : 1, sizeof(*r->cells));
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
        case XF_AI_VENDOR:
        case XF_AI_MODEL:
        case XF_AI_COMPLETED_AT:
            r->need |= NEED_RESULT;
            break;
        case XF_AI_TAGS:
        case XF_AI_VIDEO:
        case XF_AI_MOMENTS:
            r->need |= NEED_RESULT | NEED_RJSON;
            break;
        case XF_AI_TRANSCRIPT:
            r->need |= NEED_RESULT | NEED_TRANSCRIPT;
            break;
        case XF_ELIMINATED_AT:
        case XF_REVIEWER:
        case XF_REVIEWED_AT:
            r->need |= NEED_HISTORY;
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
    if (r->nf < 1 || r->nf > EXPORT_MAX_COLUMNS)
        return err_set(r->c->e, ERR_INVALID, NULL, "fields", "a template has 1 to %d fields", EXPORT_MAX_COLUMNS);
    return 0;
}

/* The main query's text for the plan's needs (column order: the M_ enum). */
static void main_sql(const struct run *r, char *out, size_t n)
{
    int res = (r->need & NEED_RESULT) != 0;
    snprintf(out, n,
             "SELECT a.id, a.version, a.position_id, a.stage, a.elimination_reason, a.elimination_note, "
             "a.created_at, a.special_note, a.overall, a.match_score, a.recommendation, cd.name, cd.source, %s, %s, "
             "p.code, p.title, o.code, o.name, %s, %s, %s, %s, %s "
             "FROM export_item x JOIN application a ON a.id = x.application_id "
             "JOIN candidate cd ON cd.id = a.candidate_id JOIN position p ON p.id = a.position_id "
             "JOIN org_unit o ON o.id = p.org_unit_id%s "
             "WHERE x.job_id = ? AND x.application_id > ? AND x.application_id <= ? ORDER BY x.application_id",
             (r->need & NEED_EMAIL) ? "cd.email_enc" : "NULL", (r->need & NEED_PHONE) ? "cd.phone_enc" : "NULL",
             res ? "r.vendor" : "NULL", res ? "r.model_version" : "NULL", res ? "r.completed_at" : "NULL",
             (r->need & NEED_RJSON) ? "r.result_json" : "NULL",
             (r->need & NEED_TRANSCRIPT) ? "r.transcript_enc" : "NULL",
             res ? " LEFT JOIN ai_result r ON r.id = a.result_id" : "");
}

#define DIMS_SQL                                                                                                       \
    "SELECT d.application_id, d.dim, d.score FROM export_item x JOIN ai_dim d ON d.application_id = x.application_id " \
    "WHERE x.job_id = ? AND x.application_id > ? AND x.application_id <= ? ORDER BY x.application_id"

#define HISTORY_SQL                                                                                                    \
    "SELECT h.application_id, h.from_stage, h.to_stage, h.actor_kind, u.username, u.display_name, h.at "               \
    "FROM export_item x JOIN stage_history h ON h.application_id = x.application_id "                                  \
    "LEFT JOIN users u ON u.id = h.actor_id "                                                                          \
    "WHERE x.job_id = ? AND x.application_id > ? AND x.application_id <= ? ORDER BY x.application_id, h.id"

/* ---- one row -------------------------------------------------------------------------------------- */

static int is_eliminated(const char *stage)
{
    return stage &&
           (strcmp(stage, "eliminated_pending_review") == 0 || strcmp(stage, "eliminated_pending_export") == 0);
}

/* Reads application app's rows of the history cursor (positioned at *state: DB_ROW or DB_DONE). */
static int read_history(struct run *r, struct db_stmt *h, int *state, int64_t app, struct extra *x)
{
    x->eliminated_at = x->confirmed_at = 0;
    x->reviewer[0] = '\0';
    while (*state == DB_ROW && db_col_int64(h, 0) < app)
        *state = db_step(h, r->c->e);
    while (*state == DB_ROW && db_col_int64(h, 0) == app) {
        const char *from = db_col_text(h, 1), *to = db_col_text(h, 2);
        int64_t at = db_col_int64(h, 6);
        if (is_eliminated(to) && !is_eliminated(from))
            x->eliminated_at = at;
        if (to && strcmp(to, "eliminated_pending_export") == 0) {
            const char *user = db_col_text(h, 4), *display = db_col_text(h, 5);
            x->confirmed_at = at;
            if (user && display && *display && strcmp(display, user) != 0)
                snprintf(x->reviewer, sizeof(x->reviewer), "%.60s (%.64s)", display, user);
            else
                snprintf(x->reviewer, sizeof(x->reviewer), "%s", user ? user : db_col_text(h, 3));
        }
        *state = db_step(h, r->c->e);
    }
    return *state < 0 ? *state : 0;
}

static int read_dims(struct run *r, struct db_stmt *d, int *state, int64_t app, struct extra *x)
{
    for (int i = 0; i < r->ndims; i++)
        x->dim[i] = -1;
    while (*state == DB_ROW && db_col_int64(d, 0) < app)
        *state = db_step(d, r->c->e);
    while (*state == DB_ROW && db_col_int64(d, 0) == app) {
        const char *dim = db_col_text(d, 1);
        for (int i = 0; i < r->ndims; i++)
            if (strcmp(r->dims[i], dim) == 0)
                x->dim[i] = (int)db_col_int64(d, 2);
        *state = db_step(d, r->c->e);
    }
    return *state < 0 ? *state : 0;
}

static const char *col_text(struct db_stmt *s, int col)
{
    return db_col_isnull(s, col) ? NULL : db_col_text(s, col);
}

/* Builds and writes the row at s (with x from the other cursors). */
static int write_row(struct run *r, struct db_stmt *s, const struct extra *x, struct strbuf *b)
{
    int rc = 0;
    int64_t pid = db_col_int64(s, M_POSITION_ID);
    const char *rj = col_text(s, M_RJSON);
    for (int i = 0; i < r->nf && rc == 0; i++) {
        struct export_cell *c = &r->cells[i];
        const struct xf *f = &r->f[i];
        int score;
        switch (f->kind) {
        case XF_CAND_NAME:
            *c = cell_text(col_text(s, M_NAME));
            break;
        case XF_CAND_EMAIL:
            rc = cell_pii(r, s, M_EMAIL, "candidate.email", c);
            break;
        case XF_CAND_PHONE:
            rc = cell_pii(r, s, M_PHONE, "candidate.phone", c);
            break;
        case XF_CAND_SOURCE:
            *c = cell_text(col_text(s, M_SOURCE));
            break;
        case XF_APP_ID:
            *c = cell_int(db_col_int64(s, M_ID));
            break;
        case XF_POS_CODE:
            *c = cell_text(col_text(s, M_POS_CODE));
            break;
        case XF_POS_TITLE:
            *c = cell_text(col_text(s, M_POS_TITLE));
            break;
        case XF_DEPT_CODE:
            *c = cell_text(col_text(s, M_DEPT_CODE));
            break;
        case XF_DEPT_NAME:
            *c = cell_text(col_text(s, M_DEPT_NAME));
            break;
        case XF_STAGE:
            *c = cell_text(col_text(s, M_STAGE));
            break;
        case XF_STAGE_LABEL:
            *c = cell_text(xf_stage_label(col_text(s, M_STAGE), r->en));
            break;
        case XF_APPLIED_AT:
            *c = cell_time(r, db_col_int64(s, M_CREATED_AT), 0);
            break;
        case XF_ELIM_REASON:
            *c = cell_text(col_text(s, M_REASON));
            break;
        case XF_ELIM_REASON_LABEL:
            *c = cell_text(xf_reason_label(col_text(s, M_REASON), r->en));
            break;
        case XF_ELIM_NOTE:
            *c = cell_text(col_text(s, M_NOTE));
            break;
        case XF_ELIMINATED_AT:
            *c = cell_time(r, x->eliminated_at, x->eliminated_at == 0);
            break;
        case XF_SPECIAL_NOTE:
            *c = cell_text(col_text(s, M_SPECIAL_NOTE));
            break;
        case XF_AI_VENDOR:
            *c = cell_text(col_text(s, M_VENDOR));
            break;
        case XF_AI_MODEL:
            *c = cell_text(col_text(s, M_MODEL));
            break;
        case XF_AI_COMPLETED_AT:
            *c = cell_time(r, db_col_int64(s, M_COMPLETED_AT), db_col_isnull(s, M_COMPLETED_AT));
            break;
        case XF_AI_OVERALL:
            *c = db_col_isnull(s, M_OVERALL) ? cell_text(NULL) : cell_int(db_col_int64(s, M_OVERALL));
            break;
        case XF_AI_OVERALL_PCT:
            *c = cell_text(NULL);
            if (!db_col_isnull(s, M_OVERALL) &&
                (rc = percentile(r, pid, "", (int)db_col_int64(s, M_OVERALL), &score)) == 0)
                *c = cell_int(score);
            break;
        case XF_AI_REC:
            *c = cell_text(col_text(s, M_REC));
            break;
        case XF_AI_REC_LABEL:
            *c = cell_text(xf_rec_label(col_text(s, M_REC), r->en));
            break;
        case XF_AI_MATCH:
            *c = cell_text(NULL);
            if (!db_col_isnull(s, M_MATCH)) {
                c->type = EXPORT_REAL;
                c->d = db_col_double(s, M_MATCH);
            }
            break;
        case XF_AI_TAGS:
            *c = cell_tags(r, rj, b);
            break;
        case XF_AI_TRANSCRIPT:
            *c = cell_transcript(r, s, b);
            break;
        case XF_AI_VIDEO:
            *c = cell_video(r, rj);
            break;
        case XF_AI_MOMENTS:
            *c = cell_moments(r, rj, b);
            break;
        case XF_REVIEWER:
            *c = cell_text(x->confirmed_at ? arena_strdup(&r->chunk, x->reviewer) : NULL);
            break;
        case XF_REVIEWED_AT:
            *c = cell_time(r, x->confirmed_at, x->confirmed_at == 0);
            break;
        case XF_EXPORTED_AT:
            *c = cell_text(r->exported_at);
            break;
        case XF_DIM:
            score = x->dim[r->fdim[i]];
            *c = score < 0 ? cell_text(NULL) : cell_int(score);
            break;
        case XF_PCT:
            score = x->dim[r->fdim[i]];
            *c = cell_text(NULL);
            if (score >= 0 && (rc = percentile(r, pid, f->dim, score, &score)) == 0)
                *c = cell_int(score);
            break;
        }
    }
    return rc ? rc : export_row(r->w, r->cells, r->c->e);
}

/* Counts the application at s for the chunk's moves when it waits for export. */
static void note_move(struct run *r, struct db_stmt *s)
{
    const char *stage = col_text(s, M_STAGE);
    if (stage && strcmp(stage, "eliminated_pending_export") == 0)
        r->nmoves++;
}

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

/* Moves the chunk's applications waiting for export to exported, set-based: the application rows, their
 * stage_history rows and their application.exported events, as svc_app_move_tx and svc_event write them
 * one by one (the pipeline's check made once: the same transition by the same actor for every row). The
 * moves to exported do not start stage rules: the buffer ends there. */
static int run_moves(struct run *r, int64_t lo, int64_t hi)
{
    if (r->nmoves == 0)
        return 0;
    struct svc_ctx *c = r->c;
    struct transition_req tr = {.from = STAGE_ELIMINATED_PENDING_EXPORT, .to = STAGE_EXPORTED, .actor = r->kind};
    int rc = pipeline_check(&tr, c->e);
    struct db_stmt *s;
    /* mark the job's items that wait for export, then move exactly those */
    if (rc != 0 || (rc = svc_prepare(c,
                                     "UPDATE export_item SET moved = 1 WHERE job_id = ? AND application_id > ? AND "
                                     "application_id <= ? AND application_id IN (SELECT id FROM application WHERE "
                                     "stage = 'eliminated_pending_export' AND id > ? AND id <= ?)",
                                     &s)))
        return rc;
    db_bind_int64(s, 4, lo);
    db_bind_int64(s, 5, hi);
    if ((rc = exec_chunk(r, s, 1, lo, hi)) != 0)
        return rc;
    int64_t n = db_changes(c->db);
    if ((rc = svc_prepare(c,
                          "UPDATE application SET stage = 'exported', prev_stage = stage, stage_changed_at = ?, "
                          "updated_at = ?, version = version + 1 WHERE stage = 'eliminated_pending_export' AND "
                          "id IN (SELECT x.application_id " MOVED_NOW ")",
                          &s)))
        return rc;
    db_bind_int64(s, 1, c->now);
    db_bind_int64(s, 2, c->now);
    if ((rc = exec_chunk(r, s, 3, lo, hi)) != 0)
        return rc;
    if (db_changes(c->db) != n || n != r->nmoves) /* PostgreSQL: another writer moved one meanwhile */
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
    r->nmoves = 0;
    return rc;
}

/* The next chunk's last application id after lo (INT64_MAX when fewer than CHUNK remain);
 * *any 0 when nothing is left. */
static int chunk_end(struct run *r, int64_t lo, int64_t *hi, int *any)
{
    struct db_stmt *s;
    int rc = svc_prepare(r->c,
                         "SELECT application_id FROM export_item WHERE job_id = ? AND application_id > ? "
                         "ORDER BY application_id LIMIT 1 OFFSET ?",
                         &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, r->job_id);
    db_bind_int64(s, 2, lo);
    db_bind_int64(s, 3, CHUNK - 1);
    rc = db_step(s, r->c->e);
    *hi = rc == DB_ROW ? db_col_int64(s, 0) : INT64_MAX;
    db_reset(s);
    if (rc < 0)
        return rc;
    if (rc == DB_ROW) {
        *any = 1;
        return 0;
    }
    /* fewer than CHUNK left: is there any? */
    if ((rc = svc_prepare(r->c, "SELECT 1 FROM export_item WHERE job_id = ? AND application_id > ? LIMIT 1", &s)))
        return rc;
    db_bind_int64(s, 1, r->job_id);
    db_bind_int64(s, 2, lo);
    rc = db_step(s, r->c->e);
    *any = rc == DB_ROW;
    db_reset(s);
    return rc < 0 ? rc : 0;
}

static int open_range(struct run *r, const char *sql, int64_t lo, int64_t hi, struct db_stmt **s, int *state)
{
    int rc = svc_prepare(r->c, sql, s);
    if (rc != 0)
        return rc;
    db_bind_int64(*s, 1, r->job_id);
    db_bind_int64(*s, 2, lo);
    db_bind_int64(*s, 3, hi);
    *state = db_step(*s, r->c->e);
    return *state < 0 ? *state : 0;
}

/* Writes every row of the job's selection, chunk by chunk, moving each chunk's applications after it. */
static int write_rows(struct run *r)
{
    char sql[2048];
    main_sql(r, sql, sizeof(sql));
    struct strbuf b;
    sb_init(&b, 0);
    struct extra *x = xcalloc(1, sizeof(*x));
    int64_t lo = 0;
    int rc = 0;
    for (;;) {
        int64_t hi;
        int any = 0;
        if ((rc = chunk_end(r, lo, &hi, &any)) != 0 || !any)
            break;
        struct db_stmt *m = NULL, *d = NULL, *h = NULL;
        int ms = DB_DONE, ds = DB_DONE, hs = DB_DONE;
        if ((rc = open_range(r, sql, lo, hi, &m, &ms)) == 0 && (r->need & NEED_DIMS))
            rc = open_range(r, DIMS_SQL, lo, hi, &d, &ds);
        if (rc == 0 && (r->need & NEED_HISTORY))
            rc = open_range(r, HISTORY_SQL, lo, hi, &h, &hs);
        while (rc == 0 && ms == DB_ROW) {
            int64_t app = db_col_int64(m, M_ID);
            if ((d && (rc = read_dims(r, d, &ds, app, x)) != 0) || (h && (rc = read_history(r, h, &hs, app, x)) != 0))
                break;
            if ((rc = write_row(r, m, x, &b)) != 0)
                break;
            r->rows++;
            note_move(r, m);
            ms = db_step(m, r->c->e);
        }
        if (rc == 0 && ms < 0)
            rc = ms;
        if (m)
            db_reset(m);
        if (d)
            db_reset(d);
        if (h)
            db_reset(h);
        if (rc == 0)
            rc = run_moves(r, lo, hi);
        arena_free(&r->chunk);
        if (rc != 0 || hi == INT64_MAX)
            break;
        lo = hi;
    }
    free(x);
    sb_free(&b);
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

/* Fills export_item with the selection; *n gets its size. */
static int select_apps(struct svc_ctx *c, const struct xjob_spec *spec, int64_t job, int64_t *n)
{
    int rc;
    *n = 0;
    if (spec->filter) {
        struct qb q;
        qb_init(&q, "INSERT INTO export_item (job_id, application_id) SELECT ?, a.id FROM application a "
                    "JOIN position p ON p.id = a.position_id JOIN org_unit o ON o.id = p.org_unit_id WHERE 1=1");
        qb_int(&q, job);
        if ((rc = xfilter_where(c, spec->filter, &q)) != 0)
            return rc;
        struct db_stmt *s;
        if ((rc = svc_prepare(c, q.sql, &s)) != 0)
            return rc;
        qb_bind(&q, s);
        rc = db_step(s, c->e);
        db_reset(s);
        if (rc < 0)
            return rc;
        *n = db_changes(c->db);
        return 0;
    }
    struct db_stmt *s;
    if ((rc = svc_prepare(c,
                          "INSERT INTO export_item (job_id, application_id) SELECT ?, id FROM application WHERE id = ? "
                          "ON CONFLICT DO NOTHING",
                          &s)) != 0)
        return rc;
    for (size_t i = 0; i < spec->nids; i++) {
        db_bind_int64(s, 1, job);
        db_bind_int64(s, 2, spec->ids[i]);
        rc = db_step(s, c->e);
        db_reset(s);
        if (rc < 0)
            return rc;
        *n += db_changes(c->db);
    }
    return 0;
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
    json_t *o = NULL, *held = NULL;
    int64_t n = 0;
    int rc;
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
    if ((rc = insert_job(c, spec, &r.job_id)) != 0 || (rc = select_apps(c, spec, r.job_id, &n)) != 0 ||
        (n > 0 && (rc = xjob_gate_tx(c, r.job_id, &n, &held)) != 0))
        goto done;
    if (n == 0) {
        if (json_array_size(held))
            rc = err_set(c->e, ERR_INVALID, "nothing_to_export", "filter",
                         "nothing to export: the %zu eliminations that match have an incomplete evaluation "
                         "(application %lld lacks %s)",
                         json_array_size(held),
                         (long long)json_integer_value(json_object_get(json_array_get(held, 0), "application_id")),
                         json_string_value(json_array_get(json_object_get(json_array_get(held, 0), "missing"), 0)));
        else
            rc = err_set(c->e, ERR_INVALID, "nothing_to_export", "filter", "no application matches: nothing to export");
        goto done;
    }
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
    if (rc != 0) {
        unlink(tmp);
        goto done;
    }
    struct db_stmt *s;
    if ((rc = svc_prepare(c,
                          "UPDATE export_job SET row_count = ?, moved = ?, bytes = ?, sha256 = ?, path = ?, "
                          "filename = ?, held_back = ?, held_back_json = ? WHERE id = ?",
                          &s)) == 0) {
        char *hj = json_dumps(held, JSON_COMPACT);
        db_bind_int64(s, 1, (int64_t)r.rows);
        db_bind_int64(s, 2, (int64_t)r.moved);
        db_bind_int64(s, 3, (int64_t)bytes);
        db_bind_text(s, 4, sha);
        db_bind_text(s, 5, path);
        db_bind_text(s, 6, filename);
        db_bind_int64(s, 7, (int64_t)json_array_size(held));
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
    hist_free(&r);
    arena_free(&r.chunk);
    free(r.f);
    free(r.fdim);
    free(r.cells);
    json_decref(o);
    json_decref(held);
    free(path);
    free(tmp);
    free(dir);
    return rc;
}

/* exports_cells.c - the export engine's render step (exports_run.c): per row of a chunk, the gate's
 * completeness check, the contact data decrypted, the template's fields as cells (times, scores,
 * percentiles, tags, transcript, video and key moments) and the row encoded. */
#include <stdio.h>
#include <string.h>

#include "core/match.h"
#include "core/pipeline.h"
#include "lib/crypto.h"
#include "lib/mem.h"
#include "lib/strbuf.h"
#include "lib/timeutil.h"
#include "svc/applications.h"
#include "svc/exports_run.h"
#include "svc/views.h"

/* ---- small formatting helpers ------------------------------------------------------------------- */

void xrun_fmt_time(int64_t ms, char out[24])
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
    xrun_fmt_time(v->i, t);
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
int xrun_render_chunk(struct run *r, struct xchunk *k)
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

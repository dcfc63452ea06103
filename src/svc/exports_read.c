/* exports_read.c - the export engine's reading step (exports_run.c): the template's plan, the
 * selection's keyset query, and a chunk's rows read with their positions and reviewers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/match.h"
#include "lib/mem.h"
#include "svc/applications.h"
#include "svc/exports_run.h"
#include "svc/results_apply.h"

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

void xrun_positions_free(struct run *r)
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

int xrun_plan(struct run *r)
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
void xrun_main_sql(const struct run *r, struct qb *q)
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
int xrun_read_chunk(struct run *r, struct qb *q, struct xchunk *k, int64_t *lo, int *more)
{
    struct db_stmt *s;
    int rc = qb_prepare(r->c, q, &s);
    if (rc != 0)
        return rc;
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

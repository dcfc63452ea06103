/* applications_list.c - GET /applications: the page of the list written as JSON text straight
 * from the rows (svc_application_list_text), and as JSON values (svc_application_list). */
#include "svc/applications.h"

#include <stdlib.h>
#include <string.h>

#include "lib/jsontext.h"
#include "lib/mem.h"
#include "lib/numtext.h"
#include "lib/strbuf.h"
#include "lib/timeutil.h"
#include "lib/utf8.h"
#include "svc/applications_impl.h"
#include "svc/query.h"

/* The list's page as JSON text: what json_dumps (JSON_COMPACT, JSON_REAL_PRECISION(15)) writes of
 * the page of app_json's representations, written straight from the rows: building and dumping the
 * JSON values took more than half of a page's time. */

/* Appends s as a JSON string as jansson writes it, or null for NULL. -1 when s is not UTF-8
 * (jansson takes no such string: a row holding one cannot be shown). */
static int jw_str(struct strbuf *b, const char *s)
{
    if (!s) {
        sb_append(b, "null", 4);
        return 0;
    }
    size_t n = strlen(s);
    if (!utf8_valid(s, n))
        return -1;
    char *at = sb_space(b, JSON_QUOTE_MAX(n)); /* quoted straight into the page */
    if (!at)
        return -1;
    sb_wrote(b, json_quote(at, s, n));
    return 0;
}

/* An integer as jansson writes it. */
static void jw_int(struct strbuf *b, int64_t v)
{
    char buf[NUM_INT_MAX];
    sb_append(b, buf, num_int(v, buf));
}

/* A real as jansson writes it with precision 15: "%.15g" (num_real), ".0" added to an integral
 * value, the exponent without '+' or leading zeros. */
static void jw_real(struct strbuf *b, double d)
{
    char buf[NUM_REAL_MAX + 3];
    int n = (int)num_real(d, buf);
    buf[n] = '\0';
    if (!memchr(buf, '.', (size_t)n) && !memchr(buf, 'e', (size_t)n)) {
        memcpy(buf + n, ".0", 3);
        n += 2;
    }
    char *start = memchr(buf, 'e', (size_t)n);
    if (start) {
        start++;
        char *end = start + 1;
        if (*start == '-')
            start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, (size_t)(buf + n - end) + 1);
            n -= (int)(end - start);
        }
    }
    sb_append(b, buf, (size_t)n);
}

/* A time as json_time writes it ("2026-11-20T09:30:00.000Z", time_format_rfc3339). */
static void jw_time(struct strbuf *b, int64_t ms)
{
    char buf[34];
    buf[0] = '"';
    time_format_rfc3339(ms, buf + 1);
    size_t n = strlen(buf);
    buf[n] = '"';
    sb_append(b, buf, n + 1);
}

/* Appends the list row at s (APP_COLUMNS) as app_json's representation, without the value of
 * "assignees": *cut gets the offset where it goes. -1 for a text that is not UTF-8. */
static int list_row_text(struct strbuf *b, struct db_stmt *s, size_t *cut)
{
    static const char *const texts[] = {
        ",\"position\":", ",\"position_title\":", ",\"org_unit\":", ",\"stage\":", ",\"prev_stage\":"};
    int bad = 0;
    SB_LIT(b, "{\"id\":");
    jw_int(b, db_col_int64(s, 0));
    SB_LIT(b, ",\"candidate_id\":");
    jw_int(b, db_col_int64(s, 1));
    SB_LIT(b, ",\"candidate_name\":");
    bad |= jw_str(b, db_col_text(s, 2));
    SB_LIT(b, ",\"position_id\":");
    jw_int(b, db_col_int64(s, 3));
    for (int i = 0; i < 5; i++) {
        sb_puts(b, texts[i]);
        bad |= jw_str(b, db_col_text(s, 4 + i));
    }
    SB_LIT(b, ",\"stage_changed_at\":");
    jw_time(b, db_col_int64(s, 9));
    SB_LIT(b, ",\"special_note\":");
    bad |= jw_str(b, db_col_text(s, 10));
    SB_LIT(b, ",\"elimination_reason\":");
    bad |= jw_str(b, db_col_text(s, 11));
    SB_LIT(b, ",\"elimination_note\":");
    bad |= jw_str(b, db_col_text(s, 12));
    sb_puts(b,
            db_col_int64(s, 13) ? ",\"talent_pool\":true,\"created_at\":" : ",\"talent_pool\":false,\"created_at\":");
    jw_time(b, db_col_int64(s, 14));
    SB_LIT(b, ",\"updated_at\":");
    jw_time(b, db_col_int64(s, 15));
    SB_LIT(b, ",\"version\":");
    jw_int(b, db_col_int64(s, 16));
    SB_LIT(b, ",\"assignees\":");
    *cut = b->len;
    SB_LIT(b, ",\"overall\":");
    if (db_col_isnull(s, 17))
        SB_LIT(b, "null");
    else
        jw_int(b, db_col_int64(s, 17));
    SB_LIT(b, ",\"match_score\":");
    if (db_col_isnull(s, 18))
        SB_LIT(b, "null");
    else
        jw_real(b, db_col_double(s, 18));
    SB_LIT(b, ",\"recommendation\":");
    bad |= jw_str(b, db_col_isnull(s, 19) ? NULL : db_col_text(s, 19));
    SB_LIT(b, ",\"result_at\":");
    if (db_col_isnull(s, 20))
        SB_LIT(b, "null");
    else
        jw_time(b, db_col_int64(s, 20));
    sb_putc(b, '}');
    return bad ? -1 : 0;
}

#define PAGE_MAX 200 /* page_params' largest limit */

/* A page of list rows as text: row i is rows[at[i], at[i + 1]), its assignees going at cut[i]
 * as names[from[i], to[i]) (the names as JSON strings, comma separated). */
struct list_text {
    struct strbuf rows, names;
    int n;
    int64_t id[PAGE_MAX + 1];
    size_t at[PAGE_MAX + 1], cut[PAGE_MAX], from[PAGE_MAX], to[PAGE_MAX];
};

#define ASSIGNEE_CHUNK 50 /* ids per query: PostgreSQL statements here take at most 64 parameters */

/* The assignees of the page's rows into t->names, a query per ASSIGNEE_CHUNK rows. */
static int list_text_assignees(struct svc_ctx *c, struct list_text *t)
{
    int rc = 0;
    for (int from = 0; from < t->n && rc == 0; from += ASSIGNEE_CHUNK) {
        struct db_stmt *s;
        if ((rc = svc_prepare(c,
                              "SELECT aa.application_id, u.username FROM application_assignee aa JOIN users u ON "
                              "u.id = aa.user_id WHERE aa.application_id IN (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
                              "?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) "
                              "ORDER BY aa.application_id, u.username",
                              &s)))
            break;
        int to = from + ASSIGNEE_CHUNK < t->n ? from + ASSIGNEE_CHUNK : t->n, at = from, prev = -1;
        for (int i = 0; i < ASSIGNEE_CHUNK; i++) /* places beyond the rows repeat the first id */
            db_bind_int64(s, i + 1, t->id[from + i < to ? from + i : from]);
        while ((rc = db_step(s, c->e)) == DB_ROW) {
            int64_t id = db_col_int64(s, 0);
            for (int k = from; k < to && t->id[at] != id; k++) /* by id: often the same again */
                at = at + 1 < to ? at + 1 : from;
            if (t->id[at] != id)
                continue;
            if (at != prev)
                t->from[at] = t->names.len;
            else
                sb_putc(&t->names, ',');
            if (jw_str(&t->names, db_col_text(s, 1)) != 0) {
                rc = err_set(c->e, ERR_INTERNAL, NULL, NULL, "a username is not UTF-8");
                break;
            }
            t->to[at] = t->names.len;
            prev = at;
        }
        db_reset(s);
        rc = rc < 0 ? rc : 0;
    }
    return rc;
}

/* qb_page_rows' each for list_text_run: the row's text appended to t's rows (arg). */
static int list_text_row(struct svc_ctx *c, struct db_stmt *s, void *arg)
{
    struct list_text *t = arg;
    t->id[t->n] = db_col_int64(s, 0);
    t->at[t->n] = t->rows.len;
    if (list_row_text(&t->rows, s, &t->cut[t->n]) != 0)
        return err_set(c->e, ERR_INTERNAL, NULL, NULL, "application %lld holds text that is not UTF-8",
                       (long long)t->id[t->n]);
    t->n++;
    return 0;
}

/* Runs pg's queries in the caller's read transaction and writes the page ({items, next_cursor}) to out. */
static int list_text_run(struct svc_ctx *c, struct qb_page *pg, struct strbuf *out)
{
    struct list_text *t = xcalloc(1, sizeof(*t));
    struct page_key last = {0};
    int more = 0;
    int rc = qb_page_rows(c, pg, list_text_row, t, &last, &more);
    t->at[t->n] = t->rows.len;
    if (rc == 0)
        rc = list_text_assignees(c, t);
    if (rc == 0) {
        SB_LIT(out, "{\"items\":[");
        for (int i = 0; i < t->n; i++) {
            if (i)
                sb_putc(out, ',');
            sb_append(out, t->rows.p + t->at[i], t->cut[i] - t->at[i]);
            sb_putc(out, '[');
            if (t->to[i] > t->from[i])
                sb_append(out, t->names.p + t->from[i], t->to[i] - t->from[i]);
            sb_putc(out, ']');
            sb_append(out, t->rows.p + t->cut[i], t->at[i + 1] - t->cut[i]);
        }
        char *next = more ? qb_page_next_cursor(pg, &last) : NULL;
        SB_LIT(out, "],\"next_cursor\":");
        jw_str(out, next);
        sb_putc(out, '}');
        free(next);
    }
    sb_free(&t->rows);
    sb_free(&t->names);
    free(t);
    return rc;
}

int svc_application_list_text(struct svc_ctx *c, json_t *query, char **text, size_t *len)
{
    struct qb_page *pg = xmalloc(sizeof(*pg));
    struct strbuf out;
    sb_init(&out, 0);
    int64_t budget = 0;
    int rc = svc_begin_read(c); /* one snapshot for the plan and the page */
    if (rc == 0 && (rc = app_list_page(c, query, 0, pg, &budget)) == 0) {
        if (budget)
            db_budget(c->db, budget);
        rc = list_text_run(c, pg, &out);
        if (budget)
            db_budget(c->db, 0);
        if (budget && rc == ERR_DB && strcmp(c->e->slug, DB_BUDGET_EXCEEDED) == 0) {
            err_clear(c->e); /* the walk met few matches: the dimension's list, sorted, is cheaper */
            if ((rc = app_list_page(c, query, 1, pg, &budget)) == 0)
                rc = list_text_run(c, pg, &out);
        }
    }
    rc = svc_end(c, rc);
    free(pg);
    *len = out.len;
    *text = sb_steal(&out);
    if (rc != 0) {
        free(*text);
        *text = NULL;
        *len = 0;
    }
    return rc;
}

int svc_application_list(struct svc_ctx *c, json_t *query, json_t **out)
{
    char *text;
    size_t len;
    int rc = svc_application_list_text(c, query, &text, &len);
    if (rc != 0)
        return rc;
    json_error_t je;
    *out = json_loadb(text, len, 0, &je);
    free(text);
    return *out ? 0 : err_set(c->e, ERR_INTERNAL, NULL, NULL, "the list's page does not read back: %s", je.text);
}

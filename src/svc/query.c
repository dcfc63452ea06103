/* query.c - list query building, row-level scoping and pagination. */
#include "svc/query.h"
#include <errno.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/result.h"
#include "lib/timeutil.h"
#include "svc/validate.h"

void qb_init(struct qb *q, const char *base)
{
    q->len = 0;
    q->n = 0;
    q->store_len = 0;
    q->sql[0] = '\0';
    qb_sql(q, base);
}

void qb_sql(struct qb *q, const char *sql)
{
    size_t n = strlen(sql);
    if (q->len + n + 1 > sizeof(q->sql))
        abort(); /* queries are built from code-defined fragments: a bug */
    memcpy(q->sql + q->len, sql, n + 1);
    q->len += n;
}

void qb_int(struct qb *q, int64_t v)
{
    if (q->n >= QB_MAX_BINDS)
        abort();
    q->b[q->n].is_text = 0;
    q->b[q->n++].i = v;
}

void qb_real(struct qb *q, double v)
{
    if (q->n >= QB_MAX_BINDS)
        abort();
    q->b[q->n].is_text = 2;
    q->b[q->n++].d = v;
}

void qb_text(struct qb *q, const char *s)
{
    if (q->n >= QB_MAX_BINDS)
        abort();
    q->b[q->n].is_text = 1;
    q->b[q->n++].s = s;
}

void qb_text_copy(struct qb *q, const char *s)
{
    size_t n = strlen(s) + 1;
    if (q->store_len + n > sizeof(q->store))
        abort();
    char *p = q->store + q->store_len;
    memcpy(p, s, n);
    q->store_len += n;
    qb_text(q, p);
}

const char *q_str(json_t *query, const char *key)
{
    return json_string_value(json_object_get(query, key));
}

int q_time(json_t *query, const char *key, int64_t *v, struct err *e)
{
    const char *s = q_str(query, key);
    if (s && time_parse_rfc3339(s, v) != 0)
        return err_set(e, ERR_INVALID, NULL, key, "%s must be an RFC 3339 time such as 2026-11-20T09:30:00Z", key);
    return 0;
}

int q_bool(json_t *query, const char *key, int *v, struct err *e)
{
    const char *s = q_str(query, key);
    *v = -1;
    if (!s)
        return 0;
    if (strcmp(s, "true") == 0)
        *v = 1;
    else if (strcmp(s, "false") == 0)
        *v = 0;
    else
        return err_set(e, ERR_INVALID, NULL, key, "%s must be true or false", key);
    return 0;
}

int q_int_range(json_t *query, const char *key, int64_t def, int64_t min, int64_t max, int64_t *v, struct err *e)
{
    const char *s = q_str(query, key);
    *v = def;
    if (!s)
        return 0;
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (errno || end == s || *end || x < min || x > max) {
        if (min == 1 && max == INT64_MAX)
            return err_set(e, ERR_INVALID, NULL, key, "%s must be a positive integer", key);
        return err_set(e, ERR_INVALID, NULL, key, "%s must be an integer from %lld to %lld", key, (long long)min,
                       (long long)max);
    }
    *v = x;
    return 0;
}

int q_id(json_t *query, const char *key, int64_t *v, struct err *e)
{
    return q_int_range(query, key, 0, 1, INT64_MAX, v, e);
}

/* Binds the LIKE pattern matching the actor's org subtree. */
static void qb_like_subtree(struct qb *q, const struct actor *a)
{
    char like[300];
    snprintf(like, sizeof(like), "%s%%", a->org_path);
    qb_text_copy(q, like);
}

void qb_scope_position(struct qb *q, const struct actor *a, const char *org_expr)
{
    if (a->role != ROLE_MANAGER)
        return;
    char buf[256];
    snprintf(buf, sizeof(buf), " AND %s IN (SELECT id FROM org_unit WHERE path LIKE ?)", org_expr);
    qb_sql(q, buf);
    qb_like_subtree(q, a);
}

void qb_scope_application(struct qb *q, const struct actor *a, const char *app_expr)
{
    char buf[384];
    if (a->role == ROLE_MANAGER) {
        snprintf(buf, sizeof(buf),
                 " AND %s IN (SELECT ap.id FROM application ap JOIN position sp ON sp.id = ap.position_id "
                 "JOIN org_unit so ON so.id = sp.org_unit_id WHERE so.path LIKE ?)",
                 app_expr);
        qb_sql(q, buf);
        qb_like_subtree(q, a);
    } else if (a->role == ROLE_INTERVIEWER) {
        snprintf(buf, sizeof(buf), " AND %s IN (SELECT application_id FROM application_assignee WHERE user_id = ?)",
                 app_expr);
        qb_sql(q, buf);
        qb_int(q, a->user_id);
    }
}

void qb_scope_application_at(struct qb *q, const struct actor *a, const char *app_expr, const char *path_expr)
{
    if (a->role != ROLE_MANAGER) {
        qb_scope_application(q, a, app_expr);
        return;
    }
    char buf[256];
    snprintf(buf, sizeof(buf), " AND %s LIKE ?", path_expr);
    qb_sql(q, buf);
    qb_like_subtree(q, a);
}

void qb_scope_candidate(struct qb *q, const struct actor *a, const char *cand_expr)
{
    char buf[384];
    if (a->role == ROLE_MANAGER) {
        snprintf(buf, sizeof(buf),
                 " AND %s IN (SELECT ap.candidate_id FROM application ap JOIN position sp ON sp.id = ap.position_id "
                 "JOIN org_unit so ON so.id = sp.org_unit_id WHERE so.path LIKE ?)",
                 cand_expr);
        qb_sql(q, buf);
        qb_like_subtree(q, a);
    } else if (a->role == ROLE_INTERVIEWER) {
        snprintf(buf, sizeof(buf),
                 " AND %s IN (SELECT ap.candidate_id FROM application ap JOIN application_assignee aa ON "
                 "aa.application_id = ap.id WHERE aa.user_id = ?)",
                 cand_expr);
        qb_sql(q, buf);
        qb_int(q, a->user_id);
    }
}

void qb_copy(struct qb *dst, const struct qb *src)
{
    /* what is in use: a query's text is a few hundred bytes of the 16 KB it may take */
    dst->len = src->len;
    dst->n = src->n;
    dst->store_len = src->store_len;
    memcpy(dst->sql, src->sql, src->len + 1);
    memcpy(dst->b, src->b, (size_t)src->n * sizeof(src->b[0]));
    memcpy(dst->store, src->store, src->store_len);
    for (int i = 0; i < dst->n; i++) { /* copies made by qb_text_copy move with the store */
        uintptr_t off = (uintptr_t)dst->b[i].s - (uintptr_t)src->store;
        if (dst->b[i].is_text == 1 && off < sizeof(src->store))
            dst->b[i].s = dst->store + off;
    }
}

void qb_bind(struct qb *q, struct db_stmt *s)
{
    for (int i = 0; i < q->n; i++) {
        if (q->b[i].is_text == 2)
            db_bind_double(s, i + 1, q->b[i].d);
        else if (q->b[i].is_text)
            db_bind_text(s, i + 1, q->b[i].s);
        else
            db_bind_int64(s, i + 1, q->b[i].i);
    }
}

/* Reads the sort value of the current row for the cursor. */
static void read_key(struct db_stmt *s, const struct qb_sort *sort, struct page_key *k)
{
    k->id = db_col_int64(s, 0);
    k->is_real = sort && (sort->flags & QB_SORT_REAL);
    k->i = k->id;
    k->d = 0;
    if (!sort || !sort->expr)
        return;
    int null = db_col_isnull(s, sort->col);
    if (k->is_real)
        k->d = null ? -1 : db_col_double(s, sort->col);
    else
        k->i = null ? -1 : db_col_int64(s, sort->col);
}

int qb_page_rows(struct svc_ctx *c, struct qb_page *pg, int (*each)(struct svc_ctx *c, struct db_stmt *s, void *arg),
                 void *arg, struct page_key *last, int *more)
{
    int n = 0, rc = 0;
    *more = 0;
    for (int i = 0; i < pg->nq && !*more && rc == 0; i++) {
        struct db_stmt *s;
        if ((rc = qb_prepare(c, &pg->qs[i], &s)) != 0)
            break;
        while ((rc = db_step(s, c->e)) == DB_ROW) {
            if (n == pg->limit) {
                *more = 1;
                break;
            }
            read_key(s, pg->sort, last);
            if ((rc = each(c, s, arg)) != 0)
                break;
            n++;
        }
        db_reset(s);
        rc = rc < 0 ? rc : 0;
    }
    return rc;
}

char *qb_page_next_cursor(const struct qb_page *pg, const struct page_key *last)
{
    if (!pg->sort)
        return last->id > 0 ? page_cursor(last->id) : NULL;
    return page_key_cursor(pg->sort_s, last);
}

/* qb_page_rows' each for qb_page_run: the row as row() maps it, appended to the items (arg). */
struct json_rows {
    json_t *items;
    json_t *(*row)(struct svc_ctx *c, struct db_stmt *s);
};

static int json_row(struct svc_ctx *c, struct db_stmt *s, void *arg)
{
    struct json_rows *j = arg;
    json_t *item = j->row(c, s);
    if (!item)
        return c->e->code ? c->e->code : ERR_INTERNAL;
    json_array_append_new(j->items, item);
    return 0;
}

int qb_page_run(struct svc_ctx *c, struct qb_page *pg, json_t *(*row)(struct svc_ctx *c, struct db_stmt *s),
                int (*fill)(struct svc_ctx *c, json_t *items), json_t **out)
{
    int rc;
    if ((rc = svc_begin_read(c)) != 0)
        return rc;
    struct json_rows j = {json_array(), row};
    struct page_key last = {0};
    int more = 0;
    rc = qb_page_rows(c, pg, json_row, &j, &last, &more);
    if (rc >= 0 && fill)
        rc = fill(c, j.items);
    if (rc < 0) {
        json_decref(j.items);
        return svc_end(c, rc);
    }
    char *next = more ? qb_page_next_cursor(pg, &last) : NULL;
    *out = page_result_cursor(j.items, next);
    free(next);
    return svc_end(c, 0);
}

/* The default order's page: ascending idcol after qb_page's cursor. */
static int plan_by_id(struct qb *q, json_t *query, const char *idcol, struct qb_page *pg, struct err *e)
{
    int64_t after;
    pg->nq = 0;
    int rc = page_params(q_str(query, "limit"), q_str(query, "cursor"), &pg->limit, &after, e);
    if (rc != 0)
        return rc;
    char tail[160];
    snprintf(tail, sizeof(tail), " AND %s > ? ORDER BY %s LIMIT ?", idcol, idcol);
    qb_copy(&pg->qs[0], q);
    qb_sql(&pg->qs[0], tail);
    qb_int(&pg->qs[0], after);
    qb_int(&pg->qs[0], pg->limit + 1);
    pg->nq = 1;
    pg->sort = NULL;
    pg->sort_s = NULL;
    return 0;
}

int qb_page(struct svc_ctx *c, struct qb *q, json_t *query, const char *idcol,
            json_t *(*row)(struct svc_ctx *c, struct db_stmt *s), json_t **out)
{
    struct qb_page pg;
    int rc = plan_by_id(q, query, idcol, &pg, c->e);
    return rc ? rc : qb_page_run(c, &pg, row, NULL, out);
}

/* 422 on field sort naming the orders of sorts. */
static int bad_sort(const struct qb_sort *sorts, struct err *e)
{
    char names[256];
    size_t n = 0;
    names[0] = '\0';
    for (const struct qb_sort *t = sorts; t->name && n < sizeof(names); t++)
        n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", t == sorts ? "" : ", ", t->name);
    return err_set(e, ERR_INVALID, NULL, "sort", "sort must be one of %s, with '-' in front for descending", names);
}

int qb_page_plan(struct qb *q, json_t *query, const char *idcol, const struct qb_sort *sorts, struct qb_page *pg,
                 struct err *e)
{
    const char *sort_s = q_str(query, "sort");
    pg->nq = 0; /* (nothing to run until planned) */
    if (!sort_s || strcmp(sort_s, sorts[0].name) == 0)
        return plan_by_id(q, query, idcol, pg, e); /* the default order and its cursor */
    int desc = sort_s[0] == '-';
    const struct qb_sort *sort = sorts;
    while (sort->name && strcmp(sort->name, sort_s + desc) != 0)
        sort++;
    if (!sort->name)
        return bad_sort(sorts, e);
    int64_t unused;
    int rc = page_params(q_str(query, "limit"), NULL, &pg->limit, &unused, e);
    if (rc != 0)
        return rc;
    int limit = pg->limit;
    const char *cursor = q_str(query, "cursor");
    struct page_key k = {0};
    int is_real = (sort->flags & QB_SORT_REAL) != 0;
    if (cursor && (rc = page_key_parse(cursor, sort_s, is_real, &k, e)) != 0)
        return rc;
    if (cursor && (sort->flags & QB_SORT_INT32) && (k.i < INT32_MIN || k.i > INT32_MAX))
        return err_set(e, ERR_MALFORMED, NULL, "cursor", "invalid cursor");
    const char *dir = desc ? "DESC" : "ASC";
    char cmp = desc ? '<' : '>';
    char key[160], buf[512];
    pg->sort = sort;
    pg->sort_s = sort_s;
    pg->nq = 1;
    qb_copy(&pg->qs[0], q);
    if (!sort->expr) {
        if (cursor) {
            snprintf(buf, sizeof(buf), " AND %s %c ?", idcol, cmp);
            qb_sql(&pg->qs[0], buf);
            qb_int(&pg->qs[0], k.id);
        }
        snprintf(buf, sizeof(buf), " ORDER BY %s %s LIMIT ?", idcol, dir);
        qb_sql(&pg->qs[0], buf);
        qb_int(&pg->qs[0], limit + 1);
        return 0;
    }
    if (sort->flags & QB_SORT_NULLABLE)
        snprintf(key, sizeof(key), "COALESCE(%s, -1)", sort->expr);
    else
        snprintf(key, sizeof(key), "%s", sort->expr);
    if (!cursor) {
        snprintf(buf, sizeof(buf), " ORDER BY %s %s, %s %s LIMIT ?", key, dir, idcol, dir);
        qb_sql(&pg->qs[0], buf);
        qb_int(&pg->qs[0], limit + 1);
        return 0;
    }
    /* After the cursor come the rest of its value's ties, then the values beyond it: two index
     * ranges on (key, id), exact in both databases (SQLite uses no index for a row value
     * comparison on an expression, and a CAST of the parameter costs it the range). */
    pg->nq = 2;
    qb_copy(&pg->qs[1], q);
    snprintf(buf, sizeof(buf), " AND %s = ? AND %s %c ? ORDER BY %s %s LIMIT ?", key, idcol, cmp, idcol, dir);
    qb_sql(&pg->qs[0], buf);
    snprintf(buf, sizeof(buf), " AND %s %c ? ORDER BY %s %s, %s %s LIMIT ?", key, cmp, key, dir, idcol, dir);
    qb_sql(&pg->qs[1], buf);
    for (int i = 0; i < 2; i++) {
        if (is_real)
            qb_real(&pg->qs[i], k.d);
        else
            qb_int(&pg->qs[i], k.i);
        if (i == 0)
            qb_int(&pg->qs[i], k.id);
        qb_int(&pg->qs[i], limit + 1);
    }
    return 0;
}

int qb_page_sorted(struct svc_ctx *c, struct qb *q, json_t *query, const char *idcol, const struct qb_sort *sorts,
                   json_t *(*row)(struct svc_ctx *c, struct db_stmt *s), int (*fill)(struct svc_ctx *c, json_t *items),
                   json_t **out)
{
    struct qb_page pg;
    int rc = qb_page_plan(q, query, idcol, sorts, &pg, c->e);
    return rc ? rc : qb_page_run(c, &pg, row, fill, out);
}

int qb_id_page_params(json_t *query, const struct qb_sort *sorts, int *desc, int64_t *after, int *limit, struct err *e)
{
    const char *sort_s = q_str(query, "sort");
    *desc = sort_s && sort_s[0] == '-';
    if (sort_s && strcmp(sort_s + *desc, sorts[0].name) != 0)
        return bad_sort(sorts, e);
    if (!*desc) /* the default order's cursor (qb_page) */
        return page_params(q_str(query, "limit"), q_str(query, "cursor"), limit, after, e);
    int64_t unused;
    int rc = page_params(q_str(query, "limit"), NULL, limit, &unused, e);
    if (rc != 0)
        return rc;
    const char *cursor = q_str(query, "cursor");
    struct page_key k = {0};
    if (cursor && (rc = page_key_parse(cursor, sort_s, 0, &k, e)) != 0)
        return rc;
    *after = cursor ? k.id : INT64_MAX;
    return 0;
}

void qb_page_walk(struct qb_page *pg, const struct qb *q, json_t *query, const struct qb_sort *sorts, int limit)
{
    const char *sort_s = q_str(query, "sort");
    qb_copy(&pg->qs[0], q);
    pg->nq = 1;
    pg->limit = limit;
    pg->sort = sort_s && sort_s[0] == '-' ? sorts : NULL;
    pg->sort_s = sort_s;
}

int q_range_param(const char *param, const char *prefix, char key[33], int *upper)
{
    size_t pn = strlen(prefix), n = strlen(param);
    if (strncmp(param, prefix, pn) != 0 || n < pn + 5)
        return -1;
    const char *suffix = param + n - 4;
    if (strcmp(suffix, "_gte") == 0)
        *upper = 0;
    else if (strcmp(suffix, "_lte") == 0)
        *upper = 1;
    else
        return -1;
    const char *k = param + pn;
    size_t kn = (size_t)(suffix - k);
    if (!result_dim_key_valid(k, kn))
        return -1;
    memcpy(key, k, kn);
    key[kn] = '\0';
    return 0;
}

int q_score(const char *param, const char *v, int fraction, double *out, struct err *e)
{
    if (!v)
        v = "";
    size_t digits = strspn(v, "0123456789"), frac = 0;
    if (fraction && v[digits] == '.')
        frac = strspn(v + digits + 1, "0123456789");
    size_t len = digits + (frac ? frac + 1 : 0);
    double x = digits && digits <= 3 && frac <= 6 && v[len] == '\0' ? strtod(v, NULL) : -1;
    if (x < 0 || x > 100)
        return err_set(e, ERR_INVALID, NULL, param, "%s must be %s from 0 to 100", param,
                       fraction ? "a number" : "an integer");
    *out = x;
    return 0;
}

int qb_prepare(struct svc_ctx *c, struct qb *q, struct db_stmt **out)
{
    int rc = svc_prepare(c, q->sql, out);
    if (rc == 0)
        qb_bind(q, *out);
    return rc;
}

int qb_one(struct svc_ctx *c, struct qb *q, json_t *(*row)(struct svc_ctx *c, struct db_stmt *s), const char *what,
           json_t **out)
{
    struct db_stmt *s;
    int rc = qb_prepare(c, q, &s);
    if (rc != 0)
        return rc;
    rc = db_step(s, c->e);
    if (rc == DB_ROW) {
        *out = row(c, s);
        if (!*out)
            rc = c->e->code ? c->e->code : ERR_INTERNAL;
    }
    db_reset(s);
    if (rc == DB_DONE)
        return err_set(c->e, ERR_NOT_FOUND, NULL, "id", "no such %s", what);
    return rc < 0 ? rc : 0;
}

json_t *qb_row_int(struct svc_ctx *c, struct db_stmt *s)
{
    (void)c;
    return json_integer(db_col_int64(s, 0));
}

int qb_all(struct svc_ctx *c, struct qb *q, json_t *(*row)(struct svc_ctx *c, struct db_stmt *s), json_t *into)
{
    struct db_stmt *s;
    int rc = qb_prepare(c, q, &s);
    if (rc != 0)
        return rc;
    while ((rc = db_step(s, c->e)) == DB_ROW) {
        json_t *item = row(c, s);
        if (!item) {
            rc = c->e->code ? c->e->code : ERR_INTERNAL;
            break;
        }
        json_array_append_new(into, item);
    }
    db_reset(s);
    return rc < 0 ? rc : 0;
}

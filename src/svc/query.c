/* query.c - list query building, row-level scoping and pagination. */
#include "svc/query.h"
#include <errno.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int q_id(json_t *query, const char *key, int64_t *v, struct err *e)
{
    const char *s = q_str(query, key);
    *v = 0;
    if (!s)
        return 0;
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (errno || end == s || *end || x < 1)
        return err_set(e, ERR_INVALID, NULL, key, "%s must be a positive integer", key);
    *v = x;
    return 0;
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

static void bind_all(struct qb *q, struct db_stmt *s)
{
    for (int i = 0; i < q->n; i++) {
        if (q->b[i].is_text)
            db_bind_text(s, i + 1, q->b[i].s);
        else
            db_bind_int64(s, i + 1, q->b[i].i);
    }
}

int qb_page(struct svc_ctx *c, struct qb *q, json_t *query, const char *idcol,
            json_t *(*row)(struct svc_ctx *c, struct db_stmt *s), json_t **out)
{
    int limit;
    int64_t after;
    int rc = page_params(q_str(query, "limit"), q_str(query, "cursor"), &limit, &after, c->e);
    if (rc != 0)
        return rc;
    char tail[160];
    snprintf(tail, sizeof(tail), " AND %s > ? ORDER BY %s LIMIT ?", idcol, idcol);
    qb_sql(q, tail);
    qb_int(q, after);
    qb_int(q, limit + 1);
    if ((rc = svc_begin_read(c)) != 0)
        return rc;
    struct db_stmt *s;
    if ((rc = svc_prepare(c, q->sql, &s)) != 0)
        return svc_end(c, rc);
    bind_all(q, s);
    json_t *items = json_array();
    int64_t last = 0;
    int more = 0;
    while ((rc = db_step(s, c->e)) == DB_ROW) {
        if ((int)json_array_size(items) == limit) {
            more = 1;
            break;
        }
        last = db_col_int64(s, 0);
        json_t *item = row(c, s);
        if (!item) {
            rc = c->e->code ? c->e->code : ERR_INTERNAL;
            break;
        }
        json_array_append_new(items, item);
    }
    db_reset(s);
    if (rc < 0) {
        json_decref(items);
        return svc_end(c, rc);
    }
    *out = page_result(items, more, last);
    return svc_end(c, 0);
}

int qb_one(struct svc_ctx *c, struct qb *q, json_t *(*row)(struct svc_ctx *c, struct db_stmt *s), const char *what,
           json_t **out)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, q->sql, &s);
    if (rc != 0)
        return rc;
    bind_all(q, s);
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

int qb_all(struct svc_ctx *c, struct qb *q, json_t *(*row)(struct svc_ctx *c, struct db_stmt *s), json_t *into)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, q->sql, &s);
    if (rc != 0)
        return rc;
    bind_all(q, s);
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

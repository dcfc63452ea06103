/* query.h - building filtered, cursor-paginated list queries. */
#ifndef TALENTD_QUERY_H
#define TALENTD_QUERY_H

#include <jansson.h>
#include <stdint.h>

#include "svc/svc.h"

#define QB_MAX_BINDS 24

struct qb {
    char sql[4096];
    size_t len;
    int n;
    struct {
        int is_text;
        int64_t i;
        const char *s; /* borrowed, or into store */
    } b[QB_MAX_BINDS];
    char store[1024]; /* copies made by qb_text_copy */
    size_t store_len;
};

/* Starts with base SQL (a SELECT whose first column is the row id, ending in a WHERE clause). */
void qb_init(struct qb *q, const char *base);
/* Appends SQL text (with '?' placeholders bound in order by qb_int/qb_text). */
void qb_sql(struct qb *q, const char *sql);
void qb_int(struct qb *q, int64_t v);
void qb_text(struct qb *q, const char *s);
/* Binds a copy of s (for values built on the stack). */
void qb_text_copy(struct qb *q, const char *s);

/* Row-level visibility for the actor: appends " AND <pos_alias>.org_unit_id IN
 * (subtree)" for managers and an assignment check on <app_id_expr> for
 * interviewers. app_id_expr may be NULL when the query has no application:
 * then an interviewer's visibility is decided by candidate_expr (a candidate
 * id expression: they see candidates of applications assigned to them). */
void qb_scope_position(struct qb *q, const struct actor *a, const char *position_org_expr);
void qb_scope_application(struct qb *q, const struct actor *a, const char *app_id_expr);
void qb_scope_candidate(struct qb *q, const struct actor *a, const char *candidate_id_expr);

/* Reads the query's limit/cursor, appends "AND <idcol> > ? ORDER BY <idcol>
 * LIMIT ?", runs it in a read transaction, and maps rows with row(). *out =
 * {"items": [...], "next_cursor": ...}. */
int qb_page(struct svc_ctx *c, struct qb *q, json_t *query, const char *idcol,
            json_t *(*row)(struct svc_ctx *c, struct db_stmt *s), json_t **out);

/* Runs q and returns its first row mapped with row() (ERR_NOT_FOUND naming what when none). */
int qb_one(struct svc_ctx *c, struct qb *q, json_t *(*row)(struct svc_ctx *c, struct db_stmt *s), const char *what,
           json_t **out);

/* Runs q in the open transaction and appends every row mapped with row() to into. */
int qb_all(struct svc_ctx *c, struct qb *q, json_t *(*row)(struct svc_ctx *c, struct db_stmt *s), json_t *into);

/* Query string value (from the API's query parameters or the CLI's flags). */
const char *q_str(json_t *query, const char *key);

/* A "true"/"false" query parameter: *v = -1 when absent, else 0 or 1; 422 naming key otherwise. */
int q_bool(json_t *query, const char *key, int *v, struct err *e);

/* A positive integer query parameter: *v = 0 when absent, 422 naming key when not a positive integer. */
int q_id(json_t *query, const char *key, int64_t *v, struct err *e);

#endif

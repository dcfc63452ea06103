/* query.h - building filtered, cursor-paginated list queries. */
#ifndef TALENTD_QUERY_H
#define TALENTD_QUERY_H

#include <jansson.h>
#include <stdint.h>

#include "svc/svc.h"
#include "svc/validate.h"

#define QB_MAX_BINDS 64

struct qb {
    char sql[16384]; /* a merged index walk (svc_application_list) takes up to 101 arms */
    size_t len;
    int n;
    struct {
        int is_text; /* 0 integer, 1 text, 2 real */
        int64_t i;
        double d;
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
void qb_real(struct qb *q, double v);
void qb_text(struct qb *q, const char *s);
/* Binds a copy of s (for values built on the stack). */
void qb_text_copy(struct qb *q, const char *s);

/* Copies src to dst, with the copies of qb_text_copy: dst does not depend on src. */
void qb_copy(struct qb *dst, const struct qb *src);

/* Binds q's values to s, a statement prepared from q->sql (for running q by hand). */
void qb_bind(struct qb *q, struct db_stmt *s);

/* Prepares q->sql (svc_prepare) into *out with q's values bound: q run by hand. */
int qb_prepare(struct svc_ctx *c, struct qb *q, struct db_stmt **out);

/* Row-level visibility for the actor: appends " AND <pos_alias>.org_unit_id IN
 * (subtree)" for managers and an assignment check on <app_id_expr> for
 * interviewers. app_id_expr may be NULL when the query has no application:
 * then an interviewer's visibility is decided by candidate_expr (a candidate
 * id expression: they see candidates of applications assigned to them). */
void qb_scope_position(struct qb *q, const struct actor *a, const char *position_org_expr);
void qb_scope_application(struct qb *q, const struct actor *a, const char *app_id_expr);
void qb_scope_candidate(struct qb *q, const struct actor *a, const char *candidate_id_expr);
/* qb_scope_application for a query that already joins the application's position's org unit:
 * a manager's subtree is checked on path_expr (that unit's path) instead of through a list of
 * every application in the subtree. */
void qb_scope_application_at(struct qb *q, const struct actor *a, const char *app_id_expr, const char *path_expr);

/* Reads the query's limit/cursor, appends "AND <idcol> > ? ORDER BY <idcol>
 * LIMIT ?", runs it in a read transaction, and maps rows with row(). *out =
 * {"items": [...], "next_cursor": ...}. */
int qb_page(struct svc_ctx *c, struct qb *q, json_t *query, const char *idcol,
            json_t *(*row)(struct svc_ctx *c, struct db_stmt *s), json_t **out);

/* One order a list can be sorted in (qb_page_sorted). */
struct qb_sort {
    const char *name; /* as the client spells it, without the '-' of descending */
    const char *expr; /* SQL of the sort value; NULL: the id column alone */
    int col;          /* result column holding the raw value, read for the cursor */
    unsigned flags;   /* QB_SORT_* */
};
#define QB_SORT_REAL 1u     /* the value is a REAL (else an integer) */
#define QB_SORT_NULLABLE 2u /* NULL sorts as -1, through "COALESCE(expr, -1)" */
#define QB_SORT_INT32 4u    /* a 32-bit INTEGER column: a cursor value beyond it is invalid */

/* Like qb_page, ordered by the query's "sort" parameter: the name of one of
 * sorts (an array ended by a {NULL} entry whose first entry, the default, is
 * the id order), '-' in front for descending. Ties are broken by idcol in
 * the same direction, so an index on (expr, id) serves both directions; NULL
 * values of a QB_SORT_NULLABLE sort come first ascending and last
 * descending. Keyset pagination without OFFSET: the next cursor holds the
 * sort, the last row's value and id (page_key_cursor); the default
 * ascending order keeps qb_page's cursor. An unknown sort is a 422 on field
 * "sort", a cursor of another sort a 400 "invalid cursor". fill, when not
 * NULL, completes the page's items in the same read transaction (one query
 * for the page instead of one per row). */
int qb_page_sorted(struct svc_ctx *c, struct qb *q, json_t *query, const char *idcol, const struct qb_sort *sorts,
                   json_t *(*row)(struct svc_ctx *c, struct db_stmt *s), int (*fill)(struct svc_ctx *c, json_t *items),
                   json_t **out);

/* A page's queries as qb_page_sorted makes them (qb_page_plan), for a caller that runs them
 * itself: each ordered and limited to limit + 1 rows, run one after the other as one list. */
struct qb_page {
    struct qb qs[2];
    int nq, limit;
    const struct qb_sort *sort; /* the order's entry; NULL for the default order (qb_page's cursor) */
    const char *sort_s;         /* the order as the client gave it, for the cursor */
};

/* The queries of qb_page_sorted's page into *pg (errors as there). */
int qb_page_plan(struct qb *q, json_t *query, const char *idcol, const struct qb_sort *sorts, struct qb_page *pg,
                 struct err *e);

/* Runs pg's queries in one read transaction as qb_page_sorted does (row, fill and *out as there). */
int qb_page_run(struct svc_ctx *c, struct qb_page *pg, json_t *(*row)(struct svc_ctx *c, struct db_stmt *s),
                int (*fill)(struct svc_ctx *c, json_t *items), json_t **out);

/* Steps pg's queries in order (in the caller's transaction) and calls each(c, s, arg) on the page's
 * rows, pg->limit at most, noting the last one's cursor key in *last; *more is 1 when a row follows
 * the page. Returns 0, a database error, or the first nonzero each() returned. */
int qb_page_rows(struct svc_ctx *c, struct qb_page *pg, int (*each)(struct svc_ctx *c, struct db_stmt *s, void *arg),
                 void *arg, struct page_key *last, int *more);

/* The next page's cursor after the last row's key (heap; NULL when there is none to give). */
char *qb_page_next_cursor(const struct qb_page *pg, const struct page_key *last);

/* The page a list in id order asks for (query's sort "id", "-id" or none, read as qb_page_sorted
 * reads them; sorts as there): *desc for "-id", *after the id after which (before which,
 * descending) the page starts (0, or INT64_MAX descending, without a cursor), *limit. Errors as
 * qb_page_sorted. For a query that walks the id order itself (in an index of its own) and so
 * needs the cursor's id inside it rather than appended. */
int qb_id_page_params(json_t *query, const struct qb_sort *sorts, int *desc, int64_t *after, int *limit, struct err *e);

/* *pg for such a query q: its rows come in the id order of query's sort after its cursor, at most
 * limit + 1 of them; the page and next cursor are then those qb_page_sorted makes for that sort. */
void qb_page_walk(struct qb_page *pg, const struct qb *q, json_t *query, const struct qb_sort *sorts, int limit);

/* Runs q and returns its first row mapped with row() (ERR_NOT_FOUND naming what when none). */
int qb_one(struct svc_ctx *c, struct qb *q, json_t *(*row)(struct svc_ctx *c, struct db_stmt *s), const char *what,
           json_t **out);

/* A row mapper for qb_one/qb_all: the first column as a JSON integer. */
json_t *qb_row_int(struct svc_ctx *c, struct db_stmt *s);

/* Runs q in the open transaction and appends every row mapped with row() to into. */
int qb_all(struct svc_ctx *c, struct qb *q, json_t *(*row)(struct svc_ctx *c, struct db_stmt *s), json_t *into);

/* Query string value (from the API's query parameters or the CLI's flags). */
const char *q_str(json_t *query, const char *key);

/* A "true"/"false" query parameter: *v = -1 when absent, else 0 or 1; 422 naming key otherwise. */
int q_bool(json_t *query, const char *key, int *v, struct err *e);

/* An RFC 3339 time query parameter into *v (milliseconds; left as it is when absent), 422 naming key
 * otherwise. */
int q_time(json_t *query, const char *key, int64_t *v, struct err *e);

/* A positive integer query parameter: *v = 0 when absent, 422 naming key when not a positive integer. */
int q_id(json_t *query, const char *key, int64_t *v, struct err *e);

/* An integer query parameter from min to max: *v = def when absent, 422 naming key otherwise. */
int q_int_range(json_t *query, const char *key, int64_t def, int64_t min, int64_t max, int64_t *v, struct err *e);

/* Splits a range filter parameter "<prefix><key>_gte" or "<prefix><key>_lte"
 * (prefix "dim." for dim.logic_gte): copies key, which must be
 * [a-z][a-z0-9_]{0,31} (a result dimension key), into key and sets *upper to
 * 0 for _gte, 1 for _lte. Returns 0, or -1 when param is not of that form. */
int q_range_param(const char *param, const char *prefix, char key[33], int *upper);

/* A score query value 0..100 for parameter param: digits only, or with
 * decimals ("69.5", up to 6 digits after the point) when fraction is set.
 * 422 naming param otherwise. */
int q_score(const char *param, const char *v, int fraction, double *out, struct err *e);

#endif

/* applications_impl.h - what the files of the applications service share (applications.c: the
 * records and their moves; applications_query.c: the list's filters, plans and the counts;
 * applications_list.c: the list's page written as JSON text). Private to src/svc. */
#ifndef TALENTD_APPLICATIONS_IMPL_H
#define TALENTD_APPLICATIONS_IMPL_H

#include <jansson.h>

#include "svc/query.h"
#include "svc/svc.h"

/* The columns of an application's representation, in the order app_json and the list's text
 * writer read them, and the joins they come from. */
#define APP_COLUMNS                                                                                                    \
    "SELECT a.id, a.candidate_id, cd.name, a.position_id, p.code, p.title, o.code, a.stage, a.prev_stage, "            \
    "a.stage_changed_at, a.special_note, a.elimination_reason, a.elimination_note, a.talent_pool, a.created_at, "      \
    "a.updated_at, a.version, a.overall, a.match_score, a.recommendation, a.result_at "
#define APP_SELECT                                                                                                     \
    APP_COLUMNS "FROM application a JOIN candidate cd ON cd.id = a.candidate_id "                                      \
                "JOIN position p ON p.id = a.position_id JOIN org_unit o ON o.id = p.org_unit_id WHERE 1=1"

/* The list's filters (applications_query.c), shared with the counts (applications_counts.c). */
#define MAX_DIM_FILTERS 8

/* A score range filter: [lo, hi] of one dimension (or of overall / match). */
struct range {
    char key[33];
    double lo, hi;
    int on;
};

struct app_filter {
    const char *stage, *position, *org, *rec;
    int64_t position_id, candidate_id, since;
    int pool, has_result, unviewed, ndims;
    struct range overall, match, dims[MAX_DIM_FILTERS];
    int rare[MAX_DIM_FILTERS]; /* drive by this dimension's list (IN) rather than probe it (EXISTS) */
    int pg_planned;            /* PostgreSQL: rare and probed dimensions in the forms pg_plan chose */
    int no_walk;               /* SQLite: drive by a dimension's list, never probe while walking an index */
    int64_t smallest;          /* SQLite: the fewest applications in one of the dimension ranges (app_plan) */
};

/* Reads query's filters (the list's parameters; sort, limit and cursor allowed) into f. */
int filter_params(struct svc_ctx *c, json_t *query, struct app_filter *f);
/* Appends f's terms and the actor's scope to q (hint: see app_plan in applications_query.c). */
void app_where(struct svc_ctx *c, struct qb *q, const struct app_filter *f, int hint);
/* Appends the filters on the position and a manager's scope, on position id column pcol (org unit o). */
void pos_terms(struct svc_ctx *c, struct qb *q, const struct app_filter *f, const char *pcol);

/* The list's page queries for query (filters, sort, cursor, limit) into *pg, planned from the data
 * (applications_query.c), in the caller's read transaction. The strings bound point into query.
 * *budget: 0, or the plan walks an index probing each application's dimension scores, which reads
 * far more than the estimates say when the scores and the order go together (SQLite), and should
 * run within this db_budget; past it, the page is planned again with no_walk, which drives by the
 * dimension's list instead. */
int app_list_page(struct svc_ctx *c, json_t *query, int no_walk, struct qb_page *pg, int64_t *budget);

#endif

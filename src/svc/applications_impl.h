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

/* The list's page queries for query (filters, sort, cursor, limit) into *pg, planned from the data
 * (applications_query.c), in the caller's read transaction. The strings bound point into query.
 * *budget: 0, or the plan walks an index probing each application's dimension scores, which reads
 * far more than the estimates say when the scores and the order go together (SQLite), and should
 * run within this db_budget; past it, the page is planned again with no_walk, which drives by the
 * dimension's list instead. */
int app_list_page(struct svc_ctx *c, json_t *query, int no_walk, struct qb_page *pg, int64_t *budget);

#endif

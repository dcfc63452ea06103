/* org.h - org units (a tree) and positions. */
#ifndef TALENTD_SVC_ORG_H
#define TALENTD_SVC_ORG_H

#include "svc/svc.h"

/* Org units. in: {code, name, parent? (code), manager? (username)}. */
int svc_org_create(struct svc_ctx *c, json_t *in, json_t **out);
int svc_org_get(struct svc_ctx *c, int64_t id, json_t **out);
/* query: parent (code), root ("true": top level only), limit, cursor. */
int svc_org_list(struct svc_ctx *c, json_t *query, json_t **out);
/* in: {name?, parent? (code or null for top level), manager? (username or null)}; moving re-roots the subtree. */
int svc_org_update(struct svc_ctx *c, int64_t id, json_t *in, json_t **out);
/* Refused (409) while the unit has children, positions or users. */
int svc_org_delete(struct svc_ctx *c, int64_t id);
/* Id for a code, ERR_NOT_FOUND when none (no transaction of its own). */
int svc_org_id_by_code(struct svc_ctx *c, const char *code, int64_t *id);

/* Positions. in: {code, title, org_unit (code), headcount, status? open|closed, review_required?,
 * description?, competency_model? [{dim, weight, min}], salary_min?, salary_max?,
 * show_result_to_candidate? (the candidate's own page shows a summary of their AI result),
 * question_set? (code of the default interview question set, shared or this position's; null clears)}. */
int svc_position_create(struct svc_ctx *c, json_t *in, json_t **out);
int svc_position_get(struct svc_ctx *c, int64_t id, json_t **out);
/* query: org_unit (code; includes its subtree), status, code, limit, cursor. */
int svc_position_list(struct svc_ctx *c, json_t *query, json_t **out);
/* in: any create field but code; version? for optimistic concurrency. */
int svc_position_update(struct svc_ctx *c, int64_t id, json_t *in, json_t **out);
/* Id for a code, ERR_NOT_FOUND when none. */
int svc_position_id_by_code(struct svc_ctx *c, const char *code, int64_t *id);

#endif

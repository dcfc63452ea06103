/* talent_pool.h - the talent pool (人才库, issue 5): candidates kept when
 * eliminated (by a rule's talent_pool action or by hand), with tags, and
 * searched by dimension scores and tags when a new position opens.
 *
 * A pool entry is the application that was kept: {application_id,
 * candidate_id, candidate_name, position, position_title, stage, overall,
 * recommendation, dims: {key: score}, tags: [...], added_at, match?:
 * {match_score, recommendation} against for_position's competency model}. */
#ifndef TALENTD_SVC_TALENT_POOL_H
#define TALENTD_SVC_TALENT_POOL_H

#include "svc/svc.h"

#define POOL_TAGS_MAX 16
#define POOL_TAG_MAX 40

/* query: tag (repeatable as a comma list: every tag must be present), dim.<key>_gte/_lte, position (where
 * they applied), for_position (a position code: each entry gets its match against that position's
 * competency model and the list is sorted by it, best first), limit, cursor. Managers see their org
 * subtree; interviewers are refused at the route. */
int svc_pool_search(struct svc_ctx *c, json_t *query, json_t **out);

/* in {application_id, tags?}: keeps the application in the pool with the tags (hr, admin); adding one that is
 * there adds the tags. Audit "talent_pool.add", event talent_pool.added. */
int svc_pool_add(struct svc_ctx *c, json_t *in, json_t **out);

/* In the open transaction: keeps application app in the pool (when it is not there yet) and gives it the
 * tags (a JSON array of strings, may be NULL), recording source ("hand", "rule:NAME") on each new tag. */
int svc_pool_keep_tx(struct svc_ctx *c, int64_t app, json_t *tags, const char *source);

/* In the open transaction: gives application app tag (once), recording where it came from. */
int svc_app_tag_tx(struct svc_ctx *c, int64_t app, const char *tag, const char *source);

/* Takes application app out of the pool (its tags stay). 409 "not_in_pool" when it is not there. */
int svc_pool_remove(struct svc_ctx *c, int64_t app, json_t **out);

#endif

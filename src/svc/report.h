/* report.h - reading AI results the way people act on them: one
 * application's report, several applications side by side, and the
 * reminders of results nobody opened and applications that stopped moving.
 * Row-level visibility is the application's (an invisible application is a
 * 404); contact data follows the candidate's masking rules. */
#ifndef TALENTD_SVC_REPORT_H
#define TALENTD_SVC_REPORT_H

#include "svc/svc.h"

/* Most applications compare takes. */
#define COMPARE_MAX 10

/* The report of application id:
 * {application, candidate (as svc_candidate_get shows it to the caller),
 *  position: {id, code, title, org_unit, competency_model, show_result_to_candidate},
 *  result: null | {id, vendor, vendor_result_id, version, model_version, completed_at,
 *          received_at, vendor_recommendation, reason_category, video_url, key_moments,
 *          tags, transcript, overall, dimensions, match} (scores_json_tx),
 *  versions: [{id, version, is_current, received_at, completed_at, overall, model_version}],
 *  revisions: [{id, result_id, dim, old, new, reason, user, at}],
 *  annotations: [{id, user, role, body, at}],
 *  timeline: [{kind: stage|result|revision, at, ...}] oldest first,
 *  viewed: {by_me: first time the caller opened it | null, viewers: N}}.
 * Opening the report of an application with a result marks it viewed by the
 * calling user, in its own small write after the read: the first time, and
 * again the first time after a newer result arrived (last_at then covers it),
 * so repeated opens stay reads.
 * The rendering (all but "viewed") comes from the report cache
 * (svc/report_cache.h) when the stamp of the rows it was made of is unchanged;
 * who may see the application is checked on every call. */
int svc_application_report(struct svc_ctx *c, int64_t id, json_t **out);

/* Room svc_application_report_body needs for the tail. */
#define REPORT_TAIL_MAX 128

/* The same report as bytes: *body (a reference to release with
 * report_cache_release) is the JSON object without its closing brace, and
 * tail (NUL-terminated, at most REPORT_TAIL_MAX bytes) the rest:
 * ',"viewed":{...}}'. Sent one after the other they are the report. May be
 * called inside a read transaction of the caller's (the server's for its
 * authentication): it ends it after its first read. */
struct report_body;
int svc_application_report_body(struct svc_ctx *c, int64_t id, const struct report_body **body, char *tail,
                                size_t tail_n);

/* query: ids = "1,2,3" (1..COMPARE_MAX distinct application ids of one
 * position). 422 "too_many" above COMPARE_MAX, "different_positions" when
 * they are not all of one position; 404 for one the caller may not see.
 * *out = {position: {id, code, title, competency_model}, dims: [keys: the
 * model's, then others any result has], items: [{application_id,
 * candidate_name, stage, has_result, overall, dimensions, match}] in the
 * order asked. */
int svc_compare(struct svc_ctx *c, json_t *query, json_t **out);

/* query: unopened_hours (default 24, 0..8760), stuck_days (default 3,
 * 0..365), limit (default 50, 1..200); 0 lists every unopened result / every
 * application in a non-final stage.
 * *out = {unopened: {hours, count, items: [{application_id, candidate_name,
 *         position, position_title, stage, result_at, waiting_hours}]},
 *         stuck: {days, count, items: [{application_id, candidate_name,
 *         position, position_title, stage, stage_changed_at, days_in_stage}]}}:
 * results received at least N hours ago that nobody has opened since they
 * arrived, oldest first; applications in a non-final stage for at least N
 * days, longest first. Limited to what the caller may see. */
int svc_reminders(struct svc_ctx *c, json_t *query, json_t **out);

#endif

/* report.c - reading and working with results: the application report,
 * compare, reminders, annotations, score revisions and candidate links. */
#include "svc/report.h"
#include "api/api.h"
#include "svc/annotations.h"
#include "svc/portal.h"
#include "svc/revisions.h"

int api_report_get(struct req *r)
{
    return api_get(r, svc_application_report);
}
int api_compare(struct req *r)
{
    return api_list(r, svc_compare);
}
int api_reminders(struct req *r)
{
    return api_list(r, svc_reminders);
}
int api_annotations_list(struct req *r)
{
    return api_get(r, svc_annotation_list);
}
int api_annotations_create(struct req *r)
{
    return api_create_under(r, svc_annotation_add);
}
int api_revisions_list(struct req *r)
{
    return api_get(r, svc_score_revisions);
}
int api_revisions_create(struct req *r)
{
    return api_create_under(r, svc_score_revise);
}
int api_links_list(struct req *r)
{
    return api_get(r, svc_candidate_link_list);
}
int api_links_create(struct req *r)
{
    return api_create_under(r, svc_candidate_link_create);
}
int api_links_revoke(struct req *r)
{
    return api_action(r, svc_candidate_link_revoke);
}

/* The candidate's page: the link token is the only credential. */
int api_portal_get(struct req *r)
{
    json_t *out = NULL;
    actor_system(&r->actor, "candidate-link");
    int rc = svc_portal_get(&r->ctx, r->params[0], &out);
    return rc ? rc : req_reply(r, 200, out);
}

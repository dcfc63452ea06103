/* report.c - reading and working with results: the application report,
 * compare, reminders, annotations, score revisions and candidate links. */
#include "svc/report.h"

#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "svc/annotations.h"
#include "svc/portal.h"
#include "svc/report_cache.h"
#include "svc/revisions.h"

/* The report as bytes: the cached rendering and the caller's "viewed" end, copied once into the
 * response (one buffer: MHD sends the headers and the body in one write). */
int api_report_get(struct req *r)
{
    int64_t id;
    const struct report_body *b = NULL;
    char tail[REPORT_TAIL_MAX];
    int rc = req_param_id(r, 0, &id);
    if (rc == 0)
        rc = svc_application_report_body(&r->ctx, id, &b, tail, sizeof(tail));
    if (rc != 0)
        return rc;
    size_t tn = strlen(tail);
    free(r->raw);
    r->raw = xmalloc(b->len + tn);
    memcpy(r->raw, b->data, b->len);
    memcpy(r->raw + b->len, tail, tn);
    r->raw_len = b->len + tn;
    report_cache_release(b);
    r->content_type = "application/json; charset=utf-8";
    r->status = 200;
    return 0;
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

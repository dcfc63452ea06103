/* applications.c - /applications, their transitions, history and assignees. */
#include "svc/applications.h"
#include "api/api.h"
#include "svc/kpis.h"

/* The page is written as JSON text by the use case itself (svc_application_list_text). */
int api_applications_list(struct req *r)
{
    json_t *q = req_query_json(r);
    char *text = NULL;
    size_t len = 0;
    int rc = svc_application_list_text(&r->ctx, q, &text, &len);
    json_decref(q);
    if (rc != 0)
        return rc;
    r->raw = text;
    r->raw_len = len;
    r->content_type = "application/json; charset=utf-8";
    r->status = 200;
    return 0;
}
int api_application_counts(struct req *r)
{
    return api_list(r, svc_application_counts);
}
int api_pipeline_kpis(struct req *r)
{
    return api_list(r, svc_pipeline_kpis);
}
int api_applications_create(struct req *r)
{
    return api_create(r, svc_application_create);
}
int api_applications_get(struct req *r)
{
    return api_get(r, svc_application_get);
}
int api_applications_update(struct req *r)
{
    return api_update(r, svc_application_update);
}
int api_applications_transition(struct req *r)
{
    return api_update(r, svc_application_transition);
}
int api_applications_history(struct req *r)
{
    return api_get(r, svc_application_history);
}
int api_applications_assign(struct req *r)
{
    return api_update(r, svc_application_assign);
}
int api_applications_unassign(struct req *r)
{
    int64_t id;
    json_t *out = NULL;
    int rc = req_param_id(r, 0, &id);
    if (rc == 0)
        rc = svc_application_unassign(&r->ctx, id, r->params[1], &out);
    return rc ? rc : req_reply(r, 200, out);
}

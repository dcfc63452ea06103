/* results.c - AI results: the native endpoint, vendor webhooks, the unmatched queue. */
#include "svc/results.h"
#include "api/api.h"
#include "svc/vendors.h"

/* 201 for a stored result (new or a new version), 200 for a resend that changed nothing. */
static int reply_ingested(struct req *r, json_t *out)
{
    return req_reply(r, json_is_true(json_object_get(out, "duplicate")) ? 200 : 201, out);
}

int api_results_create(struct req *r)
{
    json_t *in = NULL, *out = NULL;
    int rc = req_json_body(r, &in);
    if (rc == 0)
        rc = svc_result_ingest(&r->ctx, in, r->body.p, r->body.len, &out);
    json_decref(in);
    return rc ? rc : reply_ingested(r, out);
}

int api_results_get(struct req *r)
{
    return api_get(r, svc_result_get);
}
int api_unmatched_list(struct req *r)
{
    return api_list(r, svc_unmatched_list);
}
int api_unmatched_attach(struct req *r)
{
    return api_update(r, svc_unmatched_attach);
}

static const char *header_of(void *cls, const char *name)
{
    return req_header(cls, name);
}

/* The vendor's webhook: no token or session; the mapping's HMAC signature authenticates it. */
int api_vendor_results(struct req *r)
{
    json_t *out = NULL;
    actor_system(&r->actor, "vendor");
    snprintf(r->actor.username, sizeof(r->actor.username), "vendor:%.40s", r->params[0]);
    int rc = svc_vendor_ingest(&r->ctx, r->params[0], r->body.p, r->body.len, header_of, r, &out);
    return rc ? rc : reply_ingested(r, out);
}

int api_vendors_list(struct req *r)
{
    json_t *out = NULL;
    int rc = svc_vendor_list(&r->ctx, &out);
    return rc ? rc : req_reply(r, 200, out);
}

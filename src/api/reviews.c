/* reviews.c - /reviews (the review queue of eliminations), /fairness (the
 * adverse-impact check) and /candidates/{id}/attributes (voluntary answers
 * the check groups by). */
#include "svc/reviews.h"
#include "api/api.h"
#include "svc/fairness.h"

int api_reviews_list(struct req *r)
{
    return api_list(r, svc_review_list);
}
/* The note is optional, and so is the body. */
int api_reviews_confirm(struct req *r)
{
    json_t *in = NULL, *out = NULL;
    int64_t id;
    int rc = req_param_id(r, 0, &id);
    if (rc == 0 && r->body.len > 0)
        rc = req_json_body(r, &in);
    if (rc == 0 && !in)
        in = json_object();
    if (rc == 0)
        rc = svc_review_confirm(&r->ctx, id, in, &out);
    json_decref(in);
    return rc ? rc : req_reply(r, 200, out);
}
int api_reviews_override(struct req *r)
{
    return api_update(r, svc_review_override);
}
int api_reviews_confirm_bulk(struct req *r)
{
    return api_post(r, svc_review_confirm_bulk);
}

static int config_get(struct svc_ctx *c, json_t *query, json_t **out)
{
    (void)query;
    return svc_fairness_config_get(c, out);
}
int api_fairness_config_get(struct req *r)
{
    return api_list(r, config_get);
}
int api_fairness_config_put(struct req *r)
{
    return api_post(r, svc_fairness_config_put);
}
int api_fairness_report(struct req *r)
{
    return api_list(r, svc_fairness_report);
}
int api_fairness_acknowledge(struct req *r)
{
    return api_create(r, svc_fairness_acknowledge);
}
int api_candidate_attributes_get(struct req *r)
{
    return api_get(r, svc_candidate_attributes_get);
}
int api_candidate_attributes_put(struct req *r)
{
    return api_update(r, svc_candidate_attributes_put);
}

/* candidates.c - /candidates. */
#include "svc/candidates.h"
#include "api/api.h"

int api_candidates_list(struct req *r)
{
    return api_list(r, svc_candidate_list);
}
int api_candidates_create(struct req *r)
{
    return api_create(r, svc_candidate_create);
}
int api_candidates_get(struct req *r)
{
    return api_get(r, svc_candidate_get);
}
int api_candidates_update(struct req *r)
{
    return api_update(r, svc_candidate_update);
}

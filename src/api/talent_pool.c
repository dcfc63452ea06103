/* talent_pool.c - /talent-pool: candidates kept for later positions. */
#include "svc/talent_pool.h"
#include "api/api.h"

int api_pool_search(struct req *r)
{
    return api_list(r, svc_pool_search);
}
int api_pool_add(struct req *r)
{
    return api_create(r, svc_pool_add);
}
int api_pool_remove(struct req *r)
{
    return api_action(r, svc_pool_remove);
}

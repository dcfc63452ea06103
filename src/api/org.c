/* org.c - /org-units and /positions. */
#include "svc/org.h"
#include "api/api.h"

int api_org_list(struct req *r)
{
    return api_list(r, svc_org_list);
}
int api_org_create(struct req *r)
{
    return api_create(r, svc_org_create);
}
int api_org_get(struct req *r)
{
    return api_get(r, svc_org_get);
}
int api_org_update(struct req *r)
{
    return api_update(r, svc_org_update);
}

int api_org_delete(struct req *r)
{
    return api_delete(r, svc_org_delete);
}

int api_positions_list(struct req *r)
{
    return api_list(r, svc_position_list);
}
int api_positions_create(struct req *r)
{
    return api_create(r, svc_position_create);
}
int api_positions_get(struct req *r)
{
    return api_get(r, svc_position_get);
}
int api_positions_update(struct req *r)
{
    return api_update(r, svc_position_update);
}

/* org.c - /org-units and /positions. */
#include "api/api.h"
#include "svc/org.h"

int api_org_list(struct req *r) { return api_list(r, svc_org_list); }
int api_org_create(struct req *r) { return api_create(r, svc_org_create); }
int api_org_get(struct req *r) { return api_get(r, svc_org_get); }
int api_org_update(struct req *r) { return api_update(r, svc_org_update); }

int api_org_delete(struct req *r)
{
    int64_t id;
    int rc = req_param_id(r, 0, &id);
    if (rc == 0)
        rc = svc_org_delete(&r->ctx, id);
    return rc ? rc : req_reply(r, 200, json_pack("{s:I,s:b}", "id", (json_int_t)id, "deleted", 1));
}

int api_positions_list(struct req *r) { return api_list(r, svc_position_list); }
int api_positions_create(struct req *r) { return api_create(r, svc_position_create); }
int api_positions_get(struct req *r) { return api_get(r, svc_position_get); }
int api_positions_update(struct req *r) { return api_update(r, svc_position_update); }

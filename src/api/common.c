/* common.c - the generic create/get/update/list adapters. */
#include <microhttpd.h>

#include "api/api.h"

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    json_t *o = cls;
    if (!json_object_get(o, key))
        json_object_set_new(o, key, json_string(value ? value : ""));
    return MHD_YES;
}

json_t *req_query_json(struct req *r)
{
    json_t *o = json_object();
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, collect, o);
    return o;
}

int api_create(struct req *r, svc_create_fn f)
{
    json_t *in = NULL, *out = NULL;
    int rc = req_json_body(r, &in);
    if (rc == 0)
        rc = f(&r->ctx, in, &out);
    json_decref(in);
    return rc ? rc : req_reply(r, 201, out);
}

int api_get(struct req *r, svc_get_fn f)
{
    int64_t id;
    json_t *out = NULL;
    int rc = req_param_id(r, 0, &id);
    if (rc == 0)
        rc = f(&r->ctx, id, &out);
    return rc ? rc : req_reply(r, 200, out);
}

int api_delete(struct req *r, svc_delete_fn f)
{
    int64_t id;
    int rc = req_param_id(r, 0, &id);
    if (rc == 0)
        rc = f(&r->ctx, id);
    return rc ? rc : req_reply(r, 200, json_pack("{s:I,s:b}", "id", (json_int_t)id, "deleted", 1));
}

int api_post(struct req *r, svc_create_fn f)
{
    json_t *in = NULL, *out = NULL;
    int rc = req_json_body(r, &in);
    if (rc == 0)
        rc = f(&r->ctx, in, &out);
    json_decref(in);
    return rc ? rc : req_reply(r, 200, out);
}

int api_action(struct req *r, svc_get_fn f)
{
    return api_get(r, f);
}

/* POST/PATCH /x/{id}... with a JSON body, answering status. */
static int with_body(struct req *r, svc_update_fn f, int status)
{
    int64_t id;
    json_t *in = NULL, *out = NULL;
    int rc = req_param_id(r, 0, &id);
    if (rc == 0)
        rc = req_json_body(r, &in);
    if (rc == 0)
        rc = f(&r->ctx, id, in, &out);
    json_decref(in);
    return rc ? rc : req_reply(r, status, out);
}

int api_update(struct req *r, svc_update_fn f)
{
    return with_body(r, f, 200);
}

int api_create_under(struct req *r, svc_update_fn f)
{
    return with_body(r, f, 201);
}

int api_list(struct req *r, svc_list_fn f)
{
    json_t *q = req_query_json(r), *out = NULL;
    int rc = f(&r->ctx, q, &out);
    json_decref(q);
    return rc ? rc : req_reply(r, 200, out);
}

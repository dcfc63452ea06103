/* webhooks.c - /webhooks: outgoing webhook subscriptions, their deliveries,
 * replay and ping; /webhook-events: the events catalogue (svc/webhooks.h). */
#include "svc/webhooks.h"
#include "api/api.h"

int api_webhooks_list(struct req *r)
{
    return api_list(r, svc_webhook_list);
}
int api_webhooks_create(struct req *r)
{
    return api_create(r, svc_webhook_create);
}
int api_webhooks_get(struct req *r)
{
    return api_get(r, svc_webhook_get);
}
int api_webhooks_update(struct req *r)
{
    return api_update(r, svc_webhook_update);
}
int api_webhooks_replay(struct req *r)
{
    return api_update(r, svc_webhook_replay);
}
int api_webhooks_ping(struct req *r)
{
    return api_action(r, svc_webhook_ping);
}

int api_webhooks_delete(struct req *r)
{
    return api_delete(r, svc_webhook_delete);
}

int api_webhook_events(struct req *r)
{
    return req_reply(r, 200, webhook_event_catalogue());
}

int api_webhook_deliveries(struct req *r)
{
    int64_t id;
    json_t *q = NULL, *out = NULL;
    int rc = req_param_id(r, 0, &id);
    if (rc == 0) {
        q = req_query_json(r);
        rc = svc_webhook_deliveries(&r->ctx, id, q, &out);
    }
    json_decref(q);
    return rc ? rc : req_reply(r, 200, out);
}

int api_webhook_delivery_get(struct req *r)
{
    int64_t id, did;
    json_t *out = NULL;
    int rc = req_param_id(r, 0, &id);
    if (rc == 0)
        rc = req_param_id(r, 1, &did);
    if (rc == 0)
        rc = svc_webhook_delivery_get(&r->ctx, id, did, &out);
    return rc ? rc : req_reply(r, 200, out);
}

int api_webhook_delivery_replay(struct req *r)
{
    int64_t id, did;
    json_t *out = NULL;
    int rc = req_param_id(r, 0, &id);
    if (rc == 0)
        rc = req_param_id(r, 1, &did);
    if (rc == 0)
        rc = svc_webhook_delivery_replay(&r->ctx, id, did, &out);
    return rc ? rc : req_reply(r, 200, out);
}

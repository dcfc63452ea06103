/* rules.c - /rules (CRUD, check, simulate) and
 * /applications/{id}/rule-firings: the pipeline rules. */
#include "svc/rules.h"
#include "api/api.h"

int api_rules_list(struct req *r)
{
    return api_list(r, svc_rule_list);
}
int api_rules_create(struct req *r)
{
    return api_create(r, svc_rule_create);
}
int api_rules_get(struct req *r)
{
    return api_get(r, svc_rule_get);
}
int api_rules_update(struct req *r)
{
    return api_update(r, svc_rule_update);
}
int api_rules_delete(struct req *r)
{
    return api_delete(r, svc_rule_delete);
}

int api_rules_check(struct req *r)
{
    return api_post(r, svc_rule_check);
}
int api_rules_simulate(struct req *r)
{
    return api_update(r, svc_rule_simulate);
}

static int simulate_unsaved(struct svc_ctx *c, json_t *in, json_t **out)
{
    return svc_rule_simulate(c, 0, in, out);
}
int api_rules_simulate_unsaved(struct req *r)
{
    return api_post(r, simulate_unsaved);
}
int api_rule_firings(struct req *r)
{
    return api_get(r, svc_rule_firings);
}

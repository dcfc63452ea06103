/* audit.c - /audit. */
#include "svc/audit.h"
#include "api/api.h"

int api_audit_list(struct req *r)
{
    return api_list(r, svc_audit_list);
}

/* audit.c - /audit. */
#include "api/api.h"
#include "svc/audit.h"

int api_audit_list(struct req *r) { return api_list(r, svc_audit_list); }

/* exports.c - /export-fields, /export-templates, /exports and /export-requests (svc/exports.h). */
#include "svc/exports.h"
#include "api/api.h"

int api_export_fields(struct req *r)
{
    return api_list(r, svc_export_fields);
}

int api_export_templates_list(struct req *r)
{
    return api_list(r, svc_export_template_list);
}

int api_export_templates_create(struct req *r)
{
    return api_create(r, svc_export_template_create);
}

int api_export_templates_get(struct req *r)
{
    return api_get(r, svc_export_template_get);
}

int api_export_templates_update(struct req *r)
{
    return api_update(r, svc_export_template_update);
}

int api_export_templates_delete(struct req *r)
{
    return api_delete(r, svc_export_template_delete);
}

int api_exports_create(struct req *r)
{
    return api_create(r, svc_export_create);
}

int api_exports_list(struct req *r)
{
    return api_list(r, svc_export_list);
}

/* The queue of exports requested by rules (read-only). */
int api_export_requests_list(struct req *r)
{
    return api_list(r, svc_export_request_list);
}

int api_exports_get(struct req *r)
{
    return api_get(r, svc_export_get);
}

/* The job's file, byte for byte as written (its SHA-256 checked first), as an attachment. */
int api_exports_file(struct req *r)
{
    int64_t id;
    struct export_download d;
    int rc = req_param_id(r, 0, &id);
    if (rc == 0)
        rc = svc_export_open_file(&r->ctx, id, &d);
    return rc ? rc : req_reply_file(r, d.fd, d.size, d.mime, d.filename);
}

/* settings.c - /settings: the organisation's settings (svc/settings.h). */
#include "svc/settings.h"
#include "api/api.h"

int api_settings_get(struct req *r)
{
    return api_list(r, svc_settings_get);
}

int api_settings_update(struct req *r)
{
    return api_post(r, svc_settings_update);
}

#include "lib/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void err_clear(struct err *e)
{
    if (e)
        memset(e, 0, sizeof(*e));
}

const char *err_default_slug(int code)
{
    switch (code) {
    case ERR_MALFORMED: return "bad_request";
    case ERR_UNAUTHORIZED: return "unauthorized";
    case ERR_FORBIDDEN: return "forbidden";
    case ERR_NOT_FOUND: return "not_found";
    case ERR_CONFLICT: return "conflict";
    case ERR_TOO_LARGE: return "payload_too_large";
    case ERR_INVALID: return "validation_failed";
    case ERR_RATE_LIMITED: return "rate_limited";
    case ERR_METHOD: return "method_not_allowed";
    case ERR_DB: return "database_error";
    default: return "internal_error";
    }
}

int err_http_status(int code)
{
    switch (code) {
    case ERR_OK: return 200;
    case ERR_MALFORMED: return 400;
    case ERR_UNAUTHORIZED: return 401;
    case ERR_FORBIDDEN: return 403;
    case ERR_NOT_FOUND: return 404;
    case ERR_METHOD: return 405;
    case ERR_CONFLICT: return 409;
    case ERR_TOO_LARGE: return 413;
    case ERR_INVALID: return 422;
    case ERR_RATE_LIMITED: return 429;
    case ERR_DB: return 503;
    default: return 500;
    }
}

int err_set(struct err *e, int code, const char *slug, const char *field, const char *fmt, ...)
{
    if (!e)
        return code;
    /* Keep the first error: a lower layer's precise message wins. */
    if (e->code != 0)
        return code;
    e->code = code;
    snprintf(e->slug, sizeof(e->slug), "%s", slug ? slug : err_default_slug(code));
    snprintf(e->field, sizeof(e->field), "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof(e->message), fmt, ap);
    va_end(ap);
    return code;
}

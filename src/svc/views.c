/* views.c - small JSON helpers for representations. */
#include "svc/views.h"

#include "lib/timeutil.h"

json_t *json_time(int64_t ms)
{
    char buf[32];
    time_format_rfc3339(ms, buf);
    return json_string(buf);
}

json_t *json_time_or_null(int64_t ms, int is_null)
{
    return is_null ? json_null() : json_time(ms);
}

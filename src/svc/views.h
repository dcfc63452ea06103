/* views.h - JSON representations shared by use cases (what the API returns). */
#ifndef TALENTD_VIEWS_H
#define TALENTD_VIEWS_H

#include <jansson.h>
#include <stdint.h>

/* RFC 3339 string for ms, or JSON null when ms is 0 and null_if_zero. */
json_t *json_time(int64_t ms);
json_t *json_time_or_null(int64_t ms, int is_null);

#endif

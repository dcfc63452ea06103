/* settings.h - the organisation's settings (the setting table): its time zone, in which the times
 * of day HR sets (export schedules' daily_at, webhooks' digest_hour) are read. */
#ifndef TALENTD_SVC_SETTINGS_H
#define TALENTD_SVC_SETTINGS_H

#include "lib/tz.h"
#include "svc/svc.h"

/* The zone used when the setting is missing (a database the 016 migration has not reached). */
#define SETTINGS_DEFAULT_TIME_ZONE "UTC"

/* {time_zone: "Asia/Shanghai", time_zone_offset_minutes: 480 (now)}. query takes no parameters. */
int svc_settings_get(struct svc_ctx *c, json_t *query, json_t **out);

/* in: {time_zone}. Admin (or the CLI) only. An unknown or malformed zone is 422 on time_zone. In
 * one transaction: the setting, every export schedule's next run and every daily webhook's next
 * digest recomputed in the new zone, the audit row (settings.update) and the event
 * (settings.changed). *out as svc_settings_get. */
int svc_settings_update(struct svc_ctx *c, json_t *in, json_t **out);

/* In the caller's transaction: the organisation's time zone, loaded (*out; tz_free). A stored zone
 * that can no longer be read (tzdata removed) is ERR_INTERNAL. */
int svc_org_tz(struct svc_ctx *c, struct tz **out);

/* The hour and minute of a time of day "HH:MM" (a schedule's daily_at, checked when it was set). */
static inline void settings_hhmm(const char *at, int *hh, int *mm)
{
    *hh = (at[0] - '0') * 10 + (at[1] - '0');
    *mm = (at[3] - '0') * 10 + (at[4] - '0');
}

/* *out = the first time after now whose wall time in the organisation's time zone is hh:mm
 * (tz_next_local_time's rules for DST gaps and overlaps); errors as svc_org_tz. */
int svc_org_next_local_time(struct svc_ctx *c, int hh, int mm, int64_t now, int64_t *out);

#endif

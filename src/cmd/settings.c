/* settings.c - `talentd settings show | set time-zone NAME`: the organisation's settings through the
 * same svc_ calls as GET/PATCH /api/v1/settings (svc/settings.h). */
#include <stdio.h>
#include <string.h>

#include "cmd/app.h"
#include "cmd/cmd.h"
#include "cmd/flags.h"
#include "svc/settings.h"

static const char settings_usage[] =
    "usage: talentd settings show\n"
    "       talentd settings set time-zone NAME\n"
    "NAME is a time zone of the system's zone files (tzdata), e.g. Asia/Shanghai or UTC: export schedules'\n"
    "daily_at and webhooks' digest_hour are times of day in it. Setting it recomputes their next times.\n";

static int set_settings(struct svc_ctx *c, json_t *in, json_t **out)
{
    return svc_settings_update(c, in, out);
}

int cmd_settings(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fputs(settings_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    struct app_opts o = {0};
    const struct flag flags[] = {{NULL, NULL, 0}};
    const char *pos[2] = {NULL, NULL};
    if (strcmp(argv[1], "show") == 0) {
        if (flags_parse(argc, argv, 2, flags, &o, pos, 0, "settings show") != 0)
            return 2;
        return app_run_in(&o, "settings show", NULL, NULL, svc_settings_get);
    }
    if (strcmp(argv[1], "set") == 0) {
        if (flags_parse(argc, argv, 2, flags, &o, pos, 2, "settings set") != 0)
            return 2;
        if (!pos[0] || !pos[1] || strcmp(pos[0], "time-zone") != 0) {
            fputs(settings_usage, stderr);
            return 2;
        }
        json_t *in = json_pack("{s:s}", "time_zone", pos[1]);
        int rc = app_run_in(&o, "settings set", NULL, in, set_settings);
        json_decref(in);
        return rc;
    }
    fprintf(stderr, "talentd settings: unknown command '%s'\n", argv[1]);
    fputs(settings_usage, stderr);
    return 2;
}

/* interviews.c - `talentd interviews expire|list`: the AI interview sessions
 * from the command line (svc/interviews.h).
 *
 * `interviews expire` is the sweep a background job will run: every open
 * session (invited, in_progress, incomplete) whose deadline is before now -
 * or before --before TIME - is marked expired and its application moved to
 * ai_incomplete, exactly as a candidate call past the deadline does. A
 * --before later than now closes sessions early (an administrator ending
 * an interview round; tests use it to make time pass). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/app.h"
#include "cmd/cmd.h"
#include "cmd/flags.h"
#include "lib/timeutil.h"
#include "svc/interviews.h"

static const char interviews_usage[] =
    "usage: talentd interviews expire [--before RFC3339-TIME]   (mark open sessions past the deadline expired)\n"
    "       talentd interviews list APPLICATION_ID             (the application's sessions, as JSON)\n"
    "expire treats every open session whose expires_at is before TIME (default: now) as expired: the link\n"
    "stops working (409 expired), saved answers are kept, the application moves to ai_incomplete.\n";

static int do_expire(struct app_opts *o, const char *before_s)
{
    int64_t before = time_now_ms();
    if (before_s && time_parse_rfc3339(before_s, &before) != 0) {
        fprintf(stderr, "talentd interviews expire: --before must be an RFC 3339 time (2026-11-20T09:30:00Z)\n");
        return 2;
    }
    struct app a;
    if (app_open(&a, o, "cli") != 0)
        return 1;
    int n = 0, rc = svc_interviews_expire(&a.ctx, before, &n);
    if (rc != 0)
        rc = app_fail(&a, "interviews expire");
    else
        printf("expired %d interview session(s)\n", n);
    app_close(&a);
    return rc;
}

static int do_list(struct app_opts *o, const char *app_s)
{
    long long id;
    if (flag_int("interviews list", "APPLICATION_ID", app_s, 1, INT64_MAX, &id) != 0)
        return 2;
    struct app a;
    if (app_open(&a, o, "cli") != 0)
        return 1;
    json_t *out = NULL;
    int rc = svc_interview_list(&a.ctx, id, &out);
    if (rc != 0)
        rc = app_fail(&a, "interviews list");
    else
        app_print_json(out);
    json_decref(out);
    app_close(&a);
    return rc;
}

int cmd_interviews(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fputs(interviews_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    struct app_opts o = {0};
    const char *pos[1] = {NULL}, *before = NULL;
    if (strcmp(argv[1], "expire") == 0) {
        const struct flag flags[] = {{"--before", &before, 0}, {NULL, NULL, 0}};
        if (flags_parse(argc, argv, 2, flags, &o, pos, 0, "interviews expire") != 0)
            return 2;
        return do_expire(&o, before);
    }
    if (strcmp(argv[1], "list") == 0) {
        const struct flag flags[] = {{NULL, NULL, 0}};
        if (flags_parse(argc, argv, 2, flags, &o, pos, 1, "interviews list") != 0)
            return 2;
        if (!pos[0]) {
            fputs(interviews_usage, stderr);
            return 2;
        }
        return do_list(&o, pos[0]);
    }
    fputs(interviews_usage, stderr);
    return 2;
}

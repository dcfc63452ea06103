/* interviews.c - `talentd interviews invite|invitation|revoke|list|expire`:
 * the AI interview sessions from the command line (svc/interviews.h), the
 * same use cases as the API.
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
    "usage: talentd interviews invite APPLICATION_ID [--question-set CODE] [--days N]   (invite to the AI interview)\n"
    "       talentd interviews invitation SESSION_ID    (an open session's invitation again: link and text)\n"
    "       talentd interviews revoke SESSION_ID        (the link stops working; the application -> ai_incomplete)\n"
    "       talentd interviews list APPLICATION_ID      (the application's sessions, as JSON)\n"
    "       talentd interviews expire [--before RFC3339-TIME]   (mark open sessions past the deadline expired)\n"
    "invite and invitation print {session, token, path, invitation: {zh, en, deadline}} as JSON; the link is\n"
    "the server's address followed by path. --days is the deadline in days (1-30, default 7); the question set\n"
    "defaults to the position's.\n"
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

static int do_invite(struct app_opts *o, const char *app_s, const char *set, const char *days_s)
{
    long long id, days = INTERVIEW_DAYS_DEFAULT;
    if (flag_int("interviews invite", "APPLICATION_ID", app_s, 1, INT64_MAX, &id) != 0 ||
        (days_s && flag_int("interviews invite", "--days", days_s, 1, INTERVIEW_DAYS_MAX, &days) != 0))
        return 2;
    struct app a;
    if (app_open(&a, o, "cli") != 0)
        return 1;
    json_t *in = json_pack("{s:I}", "expires_in_days", (json_int_t)days), *out = NULL;
    if (set)
        json_object_set_new(in, "question_set", json_string(set));
    int rc = svc_interview_invite(&a.ctx, id, in, &out);
    if (rc != 0)
        rc = app_fail(&a, "interviews invite");
    else
        app_print_json(out);
    json_decref(in);
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
    static const struct {
        const char *verb, *cmd, *what;
        int (*f)(struct svc_ctx *, int64_t, json_t **);
    } by_id[] = {{"list", "interviews list", "APPLICATION_ID", svc_interview_list},
                 {"invitation", "interviews invitation", "SESSION_ID", svc_interview_invitation},
                 {"revoke", "interviews revoke", "SESSION_ID", svc_interview_revoke}};
    for (size_t i = 0; i < sizeof(by_id) / sizeof(by_id[0]); i++) {
        if (strcmp(argv[1], by_id[i].verb) != 0)
            continue;
        const struct flag flags[] = {{NULL, NULL, 0}};
        if (flags_parse(argc, argv, 2, flags, &o, pos, 1, by_id[i].cmd) != 0)
            return 2;
        if (!pos[0]) {
            fputs(interviews_usage, stderr);
            return 2;
        }
        return app_run_id(&o, by_id[i].cmd, by_id[i].what, pos[0], by_id[i].f);
    }
    if (strcmp(argv[1], "invite") == 0) {
        const char *set = NULL, *days = NULL;
        const struct flag flags[] = {{"--question-set", &set, 0}, {"--days", &days, 0}, {NULL, NULL, 0}};
        if (flags_parse(argc, argv, 2, flags, &o, pos, 1, "interviews invite") != 0)
            return 2;
        if (!pos[0]) {
            fputs(interviews_usage, stderr);
            return 2;
        }
        return do_invite(&o, pos[0], set, days);
    }
    fputs(interviews_usage, stderr);
    return 2;
}

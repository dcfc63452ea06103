/* rescore.c - `talentd rescore`: scores completed AI interview sessions
 * again (svc/interviews.h, svc_interview_rescore), one session or every
 * completed one without a result, with the built-in scorer or an external
 * one (cmd/scorer_opts.h). One line per session: "session ID: scored,
 * result RID (VENDOR, version V)" or "session ID: failed, ERROR"; exit 1
 * when any failed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/app.h"
#include "cmd/cmd.h"
#include "cmd/flags.h"
#include "cmd/scorer_opts.h"
#include "svc/interviews.h"

static const char rescore_usage[] =
    "usage: talentd rescore --session ID | --unscored  " SCORER_OPTS_USAGE "\n"
    "Scores completed AI interviews again: one session (--session, scored before or not), or every completed\n"
    "session without a result (--unscored: never scored, or its scoring failed). The scorer is the built-in\n"
    "rubric scorer unless --scorer-url (or --scorer external --scorer-url) names an external one. A failure\n"
    "is recorded on the session (score_error) and leaves its answers as they are. Exit 1 when any failed.\n";

/* Rescores session id; prints its line. 0 scored, 1 failed. */
static int one(struct app *a, int64_t id)
{
    json_t *out = NULL;
    int rc = svc_interview_rescore(&a->ctx, id, &out);
    if (rc != 0) {
        printf("session %lld: failed, %s\n", (long long)id, a->err.message);
        err_clear(&a->err);
        return 1;
    }
    json_t *sc = json_object_get(out, "scoring");
    int ok = json_is_true(json_object_get(sc, "ok"));
    if (ok)
        printf("session %lld: scored, result %lld (%s, version %lld%s)\n", (long long)id,
               (long long)json_integer_value(json_object_get(sc, "result_id")),
               json_string_value(json_object_get(sc, "vendor")),
               (long long)json_integer_value(json_object_get(sc, "version")),
               json_is_true(json_object_get(sc, "duplicate")) ? ", unchanged" : "");
    else
        printf("session %lld: failed, %s\n", (long long)id,
               json_string_value(json_object_get(json_object_get(out, "session"), "score_error")));
    json_decref(out);
    return !ok;
}

int cmd_rescore(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
        fputs(rescore_usage, stdout);
        return 0;
    }
    struct app_opts o = {0};
    struct scorer_opts so = {0};
    const char *session = NULL, *unscored = NULL, *pos[1] = {NULL};
    const struct flag flags[] = {{"--session", &session, 0},
                                 {"--unscored", &unscored, 1},
                                 {"--scorer", &so.kind, 0},
                                 {"--scorer-url", &so.url, 0},
                                 {"--scorer-name", &so.name, 0},
                                 {"--scorer-timeout", &so.timeout, 0},
                                 {NULL, NULL, 0}};
    if (flags_parse(argc, argv, 1, flags, &o, pos, 0, "rescore") != 0)
        return 2;
    if (!session == !unscored) {
        fputs(rescore_usage, stderr);
        return 2;
    }
    long long id = 0;
    if (session && flag_int("rescore", "--session", session, 1, INT64_MAX, &id) != 0)
        return 2;
    struct scorer_http external;
    const struct interview_scorer *scorer = NULL;
    if (scorer_opts_build(&so, &external, &scorer, "rescore") != 0)
        return 2;
    struct app a;
    if (app_open(&a, &o, "cli") != 0)
        return 1;
    a.ctx.scorer = scorer;
    int failed = 0, n = 0, rc = 0;
    if (session) {
        failed = one(&a, id);
    } else {
        json_t *ids = NULL, *v;
        if (svc_interviews_unscored(&a.ctx, &ids) != 0) {
            rc = app_fail(&a, "rescore");
            app_close(&a);
            return rc;
        }
        size_t i;
        json_array_foreach(json_object_get(ids, "items"), i, v)
        {
            failed += one(&a, json_integer_value(v));
            n++;
        }
        json_decref(ids);
        printf("rescored %d session(s): %d scored, %d failed\n", n, n - failed, failed);
    }
    app_close(&a);
    return failed ? 1 : 0;
}

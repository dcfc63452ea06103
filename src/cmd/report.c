/* report.c - talentd report / compare / reminders / revise / link: reading and
 * working with results from the command line, through the same svc_ calls
 * as the API (svc/report.h, svc/revisions.h, svc/portal.h). */
#include <stdio.h>
#include <string.h>

#include "cmd/app.h"
#include "cmd/cmd.h"
#include "cmd/flags.h"
#include "svc/applications.h"
#include "svc/kpis.h"
#include "svc/portal.h"
#include "svc/report.h"
#include "svc/revisions.h"

/* One call: exactly one of the three shapes is used. */
struct call {
    int (*by_id)(struct svc_ctx *c, int64_t id, json_t **out);
    int (*with_in)(struct svc_ctx *c, int64_t id, json_t *in, json_t **out);
    int (*with_query)(struct svc_ctx *c, json_t *query, json_t **out);
    int64_t id;
    json_t *arg; /* in or query (owned) */
};

/* Opens the data directory, makes the call and prints its answer (or the error). */
static int run(struct app_opts *o, const char *what, struct call *k)
{
    struct app a;
    if (app_open(&a, o, "cli") != 0) {
        json_decref(k->arg);
        return 1;
    }
    json_t *out = NULL;
    int rc = k->by_id     ? k->by_id(&a.ctx, k->id, &out)
             : k->with_in ? k->with_in(&a.ctx, k->id, k->arg, &out)
                          : k->with_query(&a.ctx, k->arg, &out);
    if (rc != 0)
        rc = app_fail(&a, what);
    else
        app_print_json(out);
    json_decref(out);
    json_decref(k->arg);
    app_close(&a);
    return rc;
}

static int usage(const char *text, int argc)
{
    fputs(text, argc < 2 ? stderr : stdout);
    return argc < 2 ? 2 : 0;
}

/* Reads the positional application id of cmd into *id (2 on a bad one). */
static int id_arg(const char *cmd, const char *s, int64_t *id)
{
    long long v = 0;
    if (!s) {
        fprintf(stderr, "talentd %s: an application id is required\n", cmd);
        return 2;
    }
    if (flag_int(cmd, "ID", s, 1, INT64_MAX, &v) != 0)
        return 2;
    *id = v;
    return 0;
}

static const char report_usage[] = "usage: talentd report ID   (the application's AI report as JSON)\n";

int cmd_report(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0)
        return usage(report_usage, argc);
    struct app_opts o = {0};
    const char *pos[1] = {NULL};
    const struct flag flags[] = {{NULL, NULL, 0}};
    struct call k = {.by_id = svc_application_report};
    if (flags_parse(argc, argv, 1, flags, &o, pos, 1, "report") != 0 || id_arg("report", pos[0], &k.id) != 0)
        return 2;
    return run(&o, "report", &k);
}

static const char compare_usage[] = "usage: talentd compare ID,ID,...   (up to 10 applications of one position)\n";

int cmd_compare(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0)
        return usage(compare_usage, argc);
    struct app_opts o = {0};
    const char *pos[1] = {NULL};
    const struct flag flags[] = {{NULL, NULL, 0}};
    if (flags_parse(argc, argv, 1, flags, &o, pos, 1, "compare") != 0)
        return 2;
    struct call k = {.with_query = svc_compare, .arg = json_pack("{s:s}", "ids", pos[0] ? pos[0] : "")};
    return run(&o, "compare", &k);
}

static const char reminders_usage[] =
    "usage: talentd reminders [--unopened-hours N (24)] [--stuck-days N (3)] [--limit N (50)]\n";

#define QUERY_FLAGS_MAX 8

/* A command whose flags are its query's keys (--KEY VALUE, '_' in a key written '-'): parses them
 * into the query of fn and prints fn's answer. */
static int query_cmd(int argc, char **argv, const char *usage_text, const char *name,
                     int (*fn)(struct svc_ctx *c, json_t *query, json_t **out), const char *const *keys)
{
    if (argc >= 2 && strcmp(argv[1], "--help") == 0)
        return usage(usage_text, argc);
    struct app_opts o = {0};
    const char *v[QUERY_FLAGS_MAX] = {NULL};
    char names[QUERY_FLAGS_MAX][40];
    struct flag flags[QUERY_FLAGS_MAX + 1];
    int n = 0;
    for (; keys[n] && n < QUERY_FLAGS_MAX; n++) {
        snprintf(names[n], sizeof(names[n]), "--%s", keys[n]);
        for (char *p = names[n] + 2; *p; p++)
            *p = *p == '_' ? '-' : *p;
        flags[n] = (struct flag){names[n], &v[n], 0};
    }
    flags[n] = (struct flag){NULL, NULL, 0};
    if (flags_parse(argc, argv, 1, flags, &o, NULL, 0, name) != 0)
        return 2;
    struct call k = {.with_query = fn, .arg = json_object()};
    for (int i = 0; i < n; i++)
        if (v[i])
            json_object_set_new(k.arg, keys[i], json_string(v[i]));
    return run(&o, name, &k);
}

int cmd_reminders(int argc, char **argv)
{
    static const char *const keys[] = {"unopened_hours", "stuck_days", "limit", NULL};
    return query_cmd(argc, argv, reminders_usage, "reminders", svc_reminders, keys);
}

static const char kpis_usage[] =
    "usage: talentd kpis [--since T] [--until T] [--position CODE] [--department CODE]\n"
    "       the applications exported from since (default 30 days before until) to until (default now),\n"
    "       RFC 3339 times: minutes from the AI interview to the export, the automation rate, the triggers\n";

int cmd_kpis(int argc, char **argv)
{
    static const char *const keys[] = {"since", "until", "position", "department", NULL};
    return query_cmd(argc, argv, kpis_usage, "kpis", svc_pipeline_kpis, keys);
}

static const char counts_usage[] =
    "usage: talentd counts [--by stage,position,department,recommendation,reason] [--stage S] [--position CODE]\n"
    "                      [--department CODE] [--recommendation R]   (how many applications, grouped)\n";

int cmd_counts(int argc, char **argv)
{
    static const char *const keys[] = {"by", "stage", "position", "department", "recommendation", NULL};
    return query_cmd(argc, argv, counts_usage, "counts", svc_application_counts, keys);
}

static const char revise_usage[] = "usage: talentd revise ID --dim KEY|overall --score N --reason TEXT\n"
                                   "       talentd revise ID --history\n";

int cmd_revise(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0)
        return usage(revise_usage, argc);
    struct app_opts o = {0};
    const char *pos[1] = {NULL}, *dim = NULL, *score = NULL, *reason = NULL, *history = NULL;
    const struct flag flags[] = {{"--dim", &dim, 0},
                                 {"--score", &score, 0},
                                 {"--reason", &reason, 0},
                                 {"--history", &history, 1},
                                 {NULL, NULL, 0}};
    struct call k = {0};
    if (flags_parse(argc, argv, 1, flags, &o, pos, 1, "revise") != 0 || id_arg("revise", pos[0], &k.id) != 0)
        return 2;
    if (history) {
        k.by_id = svc_score_revisions;
        return run(&o, "revise", &k);
    }
    long long v = 0;
    if (!dim || !score || !reason) {
        fputs(revise_usage, stderr);
        return 2;
    }
    if (flag_int("revise", "--score", score, 0, 100, &v) != 0)
        return 2;
    k.with_in = svc_score_revise;
    k.arg = json_pack("{s:s,s:I,s:s}", "dim", dim, "score", (json_int_t)v, "reason", reason);
    return run(&o, "revise", &k);
}

static const char link_usage[] = "usage: talentd link create ID [--days N (30)]   (prints the candidate page's token)\n"
                                 "       talentd link list ID\n"
                                 "       talentd link revoke LINK_ID\n";

int cmd_link(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0)
        return usage(link_usage, argc);
    struct app_opts o = {0};
    const char *pos[1] = {NULL}, *days = NULL;
    const struct flag flags[] = {{"--days", &days, 0}, {NULL, NULL, 0}};
    struct call k = {0};
    if (flags_parse(argc, argv, 2, flags, &o, pos, 1, "link") != 0 || id_arg("link", pos[0], &k.id) != 0)
        return 2;
    if (strcmp(argv[1], "create") == 0) {
        long long v = LINK_DAYS_DEFAULT;
        if (days && flag_int("link", "--days", days, 1, LINK_DAYS_MAX, &v) != 0)
            return 2;
        k.with_in = svc_candidate_link_create;
        k.arg = json_pack("{s:I}", "expires_in_days", (json_int_t)v);
    } else if (strcmp(argv[1], "list") == 0) {
        k.by_id = svc_candidate_link_list;
    } else if (strcmp(argv[1], "revoke") == 0) {
        k.by_id = svc_candidate_link_revoke;
    } else {
        fputs(link_usage, stderr);
        return 2;
    }
    return run(&o, "link", &k);
}

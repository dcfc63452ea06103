/* rules.c - `talentd rules`: pipeline rules from the command line, the same
 * use cases as /api/v1/rules (svc/rules.h). A rule file is one rule as
 * POST /api/v1/rules takes it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/app.h"
#include "cmd/cmd.h"
#include "cmd/flags.h"
#include "svc/rules.h"

#define RULE_FILE_MAX ((long long)64 * 1024)

static const char rules_usage[] =
    "usage: talentd rules list [--enabled true|false]\n"
    "       talentd rules add FILE.json            (a rule as POST /api/v1/rules takes it)\n"
    "       talentd rules show ID | delete ID | enable ID | disable ID\n"
    "       talentd rules check 'EXPRESSION'       (syntax and types, with the line and column of a problem)\n"
    "       talentd rules simulate ID [--stage S] [--position CODE] [--limit N]\n"
    "       talentd rules simulate --file FILE.json   (an unsaved rule: {when, actions, scope?})\n"
    "       talentd rules firings APPLICATION_ID   (the rules that fired for it, with their explanation)\n"
    "       talentd rules run-schedule             (one pass of the rules triggered by schedule)\n"
    "The expression language is in docs/rules.md, e.g.\n"
    "  ai.overall < 60 && !has(application.special_note)\n";

static int list_rules(struct svc_ctx *c, json_t *in, json_t **out)
{
    return svc_rule_list(c, in, out);
}

static int do_check(struct app_opts *o, const char *expr)
{
    struct app a;
    if (app_open(&a, o, "cli") != 0)
        return 1;
    json_t *in = json_pack("{s:s}", "when", expr), *out = NULL;
    int rc = svc_rule_check(&a.ctx, in, &out);
    if (rc == 0) {
        app_print_json(out);
    } else if (a.err.line > 0) {
        /* the line of the expression with a caret under the column */
        const char *p = expr;
        for (int l = 1; l < a.err.line && (p = strchr(p, '\n')) != NULL; l++)
            p++;
        if (p) {
            size_t n = strcspn(p, "\n");
            fprintf(stderr, "%.*s\n%*s^\n", (int)n, p, a.err.col > 0 ? a.err.col - 1 : 0, "");
        }
        fprintf(stderr, "talentd rules check: %s\n", a.err.message);
        rc = 1;
    } else {
        rc = app_fail(&a, "rules check");
    }
    json_decref(in);
    json_decref(out);
    app_close(&a);
    return rc;
}

static int set_enabled(struct app_opts *o, const char *id_s, int on)
{
    long long id;
    if (flag_int(on ? "rules enable" : "rules disable", "ID", id_s, 1, INT64_MAX, &id) != 0)
        return 2;
    struct app a;
    if (app_open(&a, o, "cli") != 0)
        return 1;
    json_t *in = json_pack("{s:b}", "enabled", on), *out = NULL;
    int rc = svc_rule_update(&a.ctx, id, in, &out);
    if (rc != 0)
        rc = app_fail(&a, on ? "rules enable" : "rules disable");
    else
        app_print_json(out);
    json_decref(in);
    json_decref(out);
    app_close(&a);
    return rc;
}

static int delete_rule(struct svc_ctx *c, int64_t id, json_t **out)
{
    int rc = svc_rule_delete(c, id);
    if (rc == 0)
        *out = json_pack("{s:I,s:b}", "id", (json_int_t)id, "deleted", 1);
    return rc;
}

static int simulate(struct app_opts *o, const char *id_s, const char *file, const char *stage, const char *position,
                    const char *limit)
{
    long long id = 0, lim = 0;
    if ((!id_s && !file) || (id_s && file))
        return fputs(rules_usage, stderr), 2;
    if ((id_s && flag_int("rules simulate", "ID", id_s, 1, INT64_MAX, &id) != 0) ||
        (limit && flag_int("rules simulate", "--limit", limit, 1, RULE_SIM_MAX, &lim) != 0))
        return 2;
    json_t *in = file ? app_load_json_file(file, RULE_FILE_MAX) : json_object();
    if (!in)
        return 1;
    if (stage)
        json_object_set_new(in, "stage", json_string(stage));
    if (position)
        json_object_set_new(in, "position", json_string(position));
    if (lim)
        json_object_set_new(in, "limit", json_integer(lim));
    struct app a;
    int rc = 1;
    if (app_open(&a, o, "cli") == 0) {
        json_t *out = NULL;
        rc = svc_rule_simulate(&a.ctx, id, in, &out);
        if (rc != 0 && file) {
            fprintf(stderr, "%s: %s%s%s\n", file, a.err.field, a.err.field[0] ? ": " : "", a.err.message);
            rc = 1;
        } else if (rc != 0) {
            rc = app_fail(&a, "rules simulate");
        } else {
            app_print_json(out);
        }
        json_decref(out);
        app_close(&a);
    }
    json_decref(in);
    return rc;
}

static int run_schedule(struct app_opts *o)
{
    struct app a;
    if (app_open(&a, o, "cli") != 0)
        return 1;
    int fired = 0, rc = svc_rules_run_schedule(&a.ctx, &fired);
    if (rc != 0)
        rc = app_fail(&a, "rules run-schedule");
    else
        printf("schedule rules fired %d time(s)\n", fired);
    app_close(&a);
    return rc;
}

int cmd_rules(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fputs(rules_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    struct app_opts o = {0};
    const char *pos[2] = {NULL}, *enabled = NULL, *file = NULL, *stage = NULL, *position = NULL, *limit = NULL;
    const char *verb = argv[1];
    const struct flag flags[] = {{"--enabled", &enabled, 0},   {"--file", &file, 0},   {"--stage", &stage, 0},
                                 {"--position", &position, 0}, {"--limit", &limit, 0}, {NULL, NULL, 0}};
    if (flags_parse(argc, argv, 2, flags, &o, pos, 2, "rules") != 0)
        return 2;
    if (strcmp(verb, "list") == 0) {
        json_t *in = json_pack("{s:s}", "limit", "200");
        if (enabled)
            json_object_set_new(in, "enabled", json_string(enabled));
        int rc = app_run_in(&o, "rules list", NULL, in, list_rules);
        json_decref(in);
        return rc;
    }
    if (strcmp(verb, "add") == 0 && pos[0]) {
        json_t *in = app_load_json_file(pos[0], RULE_FILE_MAX);
        int rc = in ? app_run_in(&o, "rules add", pos[0], in, svc_rule_create) : 1;
        json_decref(in);
        return rc;
    }
    if (strcmp(verb, "check") == 0 && pos[0])
        return do_check(&o, pos[0]);
    if (strcmp(verb, "simulate") == 0)
        return simulate(&o, pos[0], file, stage, position, limit);
    if (strcmp(verb, "run-schedule") == 0)
        return run_schedule(&o);
    if ((strcmp(verb, "enable") == 0 || strcmp(verb, "disable") == 0) && pos[0])
        return set_enabled(&o, pos[0], verb[0] == 'e');
    static const struct {
        const char *verb, *cmd, *what;
        int (*f)(struct svc_ctx *, int64_t, json_t **);
    } by_id[] = {{"show", "rules show", "ID", svc_rule_get},
                 {"delete", "rules delete", "ID", delete_rule},
                 {"firings", "rules firings", "APPLICATION_ID", svc_rule_firings}};
    for (size_t i = 0; i < sizeof(by_id) / sizeof(by_id[0]); i++)
        if (strcmp(verb, by_id[i].verb) == 0 && pos[0])
            return app_run_id(&o, by_id[i].cmd, by_id[i].what, pos[0], by_id[i].f);
    fputs(rules_usage, stderr);
    return 2;
}

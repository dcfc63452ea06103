/* reviews.c - what happens after the AI says no, from the command line:
 * `talentd reviews` (the review queue of eliminations), `talentd fairness`
 * (the adverse-impact check and its configuration) and `talentd pool` (the
 * talent pool); the same use cases as /api/v1/reviews, /fairness and
 * /talent-pool. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/app.h"
#include "cmd/cmd.h"
#include "cmd/flags.h"
#include "svc/fairness.h"
#include "svc/reviews.h"
#include "svc/talent_pool.h"

#define CONFIG_FILE_MAX ((long long)64 * 1024)

static const char reviews_usage[] =
    "usage: talentd reviews list [--position CODE]          (eliminations waiting for review, oldest first)\n"
    "       talentd reviews confirm ID [ID...] [--note TEXT]  (-> eliminated_pending_export)\n"
    "       talentd reviews override ID --reason TEXT [--to STAGE]   (back to where it came from, or ai_passed)\n";

static const char fairness_usage[] =
    "usage: talentd fairness report --position CODE   (selection rates and impact ratios by group)\n"
    "       talentd fairness ack --position CODE --reason TEXT   (acknowledge a flagged position)\n"
    "       talentd fairness config [FILE.json]       (show, or set {attributes: [{attr, label_zh, label_en}]})\n"
    "       talentd fairness answers CANDIDATE_ID [ATTR=VALUE | ATTR= ...]   (show or set a candidate's answers)\n"
    "A group's impact ratio is its selection rate over the highest group's; below 0.8 it is flagged (the\n"
    "four-fifths rule), and the position's eliminations cannot be exported until someone acknowledges it.\n";

static int usage(const char *text)
{
    fputs(text, stderr);
    return 2;
}

static int list_reviews(struct svc_ctx *c, json_t *in, json_t **out)
{
    return svc_review_list(c, in, out);
}

int cmd_reviews(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fputs(reviews_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    struct app_opts o = {0};
    const char *pos[REVIEW_BULK_MAX] = {NULL}, *position = NULL, *note = NULL, *reason = NULL, *to = NULL;
    const char *verb = argv[1];
    const struct flag flags[] = {{"--position", &position, 0},
                                 {"--note", &note, 0},
                                 {"--reason", &reason, 0},
                                 {"--to", &to, 0},
                                 {NULL, NULL, 0}};
    if (flags_parse(argc, argv, 2, flags, &o, pos, REVIEW_BULK_MAX, "reviews") != 0)
        return 2;
    json_t *in = json_object();
    int rc = 2;
    if (strcmp(verb, "list") == 0) {
        if (position)
            json_object_set_new(in, "position", json_string(position));
        json_object_set_new(in, "limit", json_string("200"));
        rc = app_run_in(&o, "reviews list", NULL, in, list_reviews);
    } else if (strcmp(verb, "confirm") == 0 && pos[0]) {
        json_t *ids = json_array();
        for (int i = 0; i < REVIEW_BULK_MAX && pos[i]; i++) {
            long long id;
            if (flag_int("reviews confirm", "ID", pos[i], 1, INT64_MAX, &id) != 0) {
                json_decref(ids);
                json_decref(in);
                return 2;
            }
            json_array_append_new(ids, json_integer(id));
        }
        json_object_set_new(in, "application_ids", ids);
        if (note)
            json_object_set_new(in, "note", json_string(note));
        rc = app_run_in(&o, "reviews confirm", NULL, in, svc_review_confirm_bulk);
    } else if (strcmp(verb, "override") == 0 && pos[0] && !pos[1] && reason) {
        long long id;
        if (flag_int("reviews override", "ID", pos[0], 1, INT64_MAX, &id) == 0) {
            json_object_set_new(in, "reason", json_string(reason));
            if (to)
                json_object_set_new(in, "to", json_string(to));
            struct app a;
            rc = 1;
            if (app_open(&a, &o, "cli") == 0) {
                json_t *out = NULL;
                rc = svc_review_override(&a.ctx, id, in, &out) ? app_fail(&a, "reviews override") : 0;
                if (rc == 0)
                    app_print_json(out);
                json_decref(out);
                app_close(&a);
            }
        }
    } else {
        rc = usage(reviews_usage);
    }
    json_decref(in);
    return rc;
}

static int config_get(struct svc_ctx *c, json_t *in, json_t **out)
{
    (void)in;
    return svc_fairness_config_get(c, out);
}

/* `fairness answers ID [attr=value...]`: shows, or sets then shows. */
static int answers(struct app_opts *o, const char **pos)
{
    long long id;
    if (flag_int("fairness answers", "CANDIDATE_ID", pos[0], 1, INT64_MAX, &id) != 0)
        return 2;
    json_t *in = json_object();
    for (int i = 1; i < 16 && pos[i]; i++) {
        const char *eq = strchr(pos[i], '=');
        if (!eq || eq == pos[i]) {
            json_decref(in);
            fprintf(stderr, "talentd fairness answers: %s is not ATTR=VALUE\n", pos[i]);
            return 2;
        }
        char key[40];
        snprintf(key, sizeof(key), "%.*s", (int)(eq - pos[i] < 39 ? eq - pos[i] : 39), pos[i]);
        json_object_set_new(in, key, eq[1] ? json_string(eq + 1) : json_null());
    }
    struct app a;
    if (app_open(&a, o, "cli") != 0) {
        json_decref(in);
        return 1;
    }
    json_t *out = NULL;
    int rc = json_object_size(in) ? svc_candidate_attributes_put(&a.ctx, id, in, &out)
                                  : svc_candidate_attributes_get(&a.ctx, id, &out);
    if (rc != 0)
        rc = app_fail(&a, "fairness answers");
    else
        app_print_json(out);
    json_decref(out);
    json_decref(in);
    app_close(&a);
    return rc;
}

int cmd_fairness(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fputs(fairness_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    struct app_opts o = {0};
    const char *pos[16] = {NULL}, *position = NULL, *reason = NULL;
    const char *verb = argv[1];
    const struct flag flags[] = {{"--position", &position, 0}, {"--reason", &reason, 0}, {NULL, NULL, 0}};
    if (flags_parse(argc, argv, 2, flags, &o, pos, 16, "fairness") != 0)
        return 2;
    int rc;
    if (strcmp(verb, "report") == 0 && position) {
        json_t *in = json_pack("{s:s}", "position", position);
        rc = app_run_in(&o, "fairness report", NULL, in, svc_fairness_report);
        json_decref(in);
    } else if (strcmp(verb, "ack") == 0 && position && reason) {
        json_t *in = json_pack("{s:s,s:s}", "position", position, "reason", reason);
        rc = app_run_in(&o, "fairness ack", NULL, in, svc_fairness_acknowledge);
        json_decref(in);
    } else if (strcmp(verb, "config") == 0) {
        json_t *in = pos[0] ? app_load_json_file(pos[0], CONFIG_FILE_MAX) : json_object();
        rc = !in      ? 1
             : pos[0] ? app_run_in(&o, "fairness config", pos[0], in, svc_fairness_config_put)
                      : app_run_in(&o, "fairness config", NULL, in, config_get);
        json_decref(in);
    } else if (strcmp(verb, "answers") == 0 && pos[0]) {
        rc = answers(&o, pos);
    } else {
        rc = usage(fairness_usage);
    }
    return rc;
}

static const char pool_usage[] =
    "usage: talentd pool search [--tag T[,T...]] [--dim KEY>=N | KEY<=N]... [--position CODE] [--for-position CODE]\n"
    "       talentd pool add APPLICATION_ID [--tags T[,T...]]   (keep the candidate in the talent pool)\n"
    "       talentd pool remove APPLICATION_ID\n"
    "--for-position ranks the pool by the match against that position's competency model, best first.\n";

/* "logic>=80" -> dim.logic_gte = "80" in q; 0, or 2 after printing the problem. */
static int dim_filter(json_t *q, const char *spec)
{
    const char *op = strstr(spec, ">=");
    int upper = 0;
    if (!op && (op = strstr(spec, "<=")) != NULL)
        upper = 1;
    if (!op || op == spec || !op[2] || op - spec > 32) {
        fprintf(stderr, "talentd pool search: --dim takes KEY>=N or KEY<=N, not %s\n", spec);
        return 2;
    }
    char key[64];
    snprintf(key, sizeof(key), "dim.%.*s_%s", (int)(op - spec), spec, upper ? "lte" : "gte");
    json_object_set_new(q, key, json_string(op + 2));
    return 0;
}

int cmd_pool(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fputs(pool_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *verb = argv[1];
    json_t *q = json_object();
    /* --dim repeats: take them out before the common parser sees the rest */
    char **rest = calloc((size_t)argc + 1, sizeof(*rest));
    int n = 0, rc = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--dim") == 0 && i + 1 < argc) {
            if ((rc = dim_filter(q, argv[++i])) != 0)
                break;
        } else {
            rest[n++] = argv[i];
        }
    }
    struct app_opts o = {0};
    const char *pos[2] = {NULL}, *tag = NULL, *tags = NULL, *position = NULL, *for_position = NULL;
    const struct flag flags[] = {{"--tag", &tag, 0},
                                 {"--tags", &tags, 0},
                                 {"--position", &position, 0},
                                 {"--for-position", &for_position, 0},
                                 {NULL, NULL, 0}};
    if (rc == 0 && flags_parse(n, rest, 2, flags, &o, pos, 2, "pool") != 0)
        rc = 2;
    if (rc == 0 && strcmp(verb, "search") == 0) {
        if (tag)
            json_object_set_new(q, "tag", json_string(tag));
        if (position)
            json_object_set_new(q, "position", json_string(position));
        if (for_position)
            json_object_set_new(q, "for_position", json_string(for_position));
        json_object_set_new(q, "limit", json_string("200"));
        rc = app_run_in(&o, "pool search", NULL, q, svc_pool_search);
    } else if (rc == 0 && strcmp(verb, "add") == 0 && pos[0]) {
        long long id;
        if (flag_int("pool add", "APPLICATION_ID", pos[0], 1, INT64_MAX, &id) != 0) {
            rc = 2;
        } else {
            json_t *in = json_pack("{s:I,s:[]}", "application_id", (json_int_t)id, "tags");
            char buf[1024];
            snprintf(buf, sizeof(buf), "%s", tags ? tags : "");
            for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
                json_array_append_new(json_object_get(in, "tags"), json_string(t));
            rc = app_run_in(&o, "pool add", NULL, in, svc_pool_add);
            json_decref(in);
        }
    } else if (rc == 0 && strcmp(verb, "remove") == 0 && pos[0]) {
        rc = app_run_id(&o, "pool remove", "APPLICATION_ID", pos[0], svc_pool_remove);
    } else if (rc == 0) {
        rc = usage(pool_usage);
    }
    free(rest);
    json_decref(q);
    return rc;
}

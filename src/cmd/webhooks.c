/* webhooks.c - `talentd webhooks add|list|show|remove|deliveries|replay|ping|deliver`:
 * outgoing webhooks from the command line, through the same svc_ calls as
 * the API (svc/webhooks.h). `deliver` runs one pass of fan-out, digests and
 * deliveries and exits: for cron, and for tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/app.h"
#include "cmd/cmd.h"
#include "cmd/flags.h"
#include "jobs/worker.h"
#include "lib/timeutil.h"
#include "svc/webhooks.h"

static const char webhooks_usage[] =
    "usage: talentd webhooks add --name NAME --url URL [--events E1,E2|*] [--fields F1,F2]\n"
    "                            [--frequency realtime|daily] [--digest-hour H] [--secret S] [--disabled]\n"
    "       talentd webhooks list\n"
    "       talentd webhooks show ID\n"
    "       talentd webhooks remove ID\n"
    "       talentd webhooks deliveries ID [--status held|pending|delivered|dead|digested]\n"
    "       talentd webhooks replay ID --delivery DELIVERY_ID | --since TIME [--until TIME]\n"
    "       talentd webhooks ping ID\n"
    "       talentd webhooks deliver [--at TIME] [--webhook-backoff-ms N] [--webhook-backoff-max-ms N]\n"
    "                                [--webhook-max-attempts N] [--webhook-timeout-ms N]\n"
    "--digest-hour is an hour of the day in the organisation's time zone (talentd settings show).\n"
    "add prints the signing secret once. deliver runs one pass (fan-out of new events, due digests, due\n"
    "deliveries) and exits; --at runs it as if it were TIME (RFC 3339). docs/webhooks.md has the details.\n";

/* A comma-separated list as a JSON array of strings. */
static json_t *split_list(const char *v)
{
    json_t *a = json_array();
    const char *p = v;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        json_array_append_new(a, json_stringn(p, n));
        p += n + (comma ? 1 : 0);
    }
    return a;
}

static int parse_id(const char *s, int64_t *id)
{
    char *end;
    long long v = s ? strtoll(s, &end, 10) : 0;
    if (!s || !*s || *end || v < 1) {
        fprintf(stderr, "talentd webhooks: ID must be a positive number\n");
        return 2;
    }
    *id = v;
    return 0;
}

static void print_hook_line(json_t *h)
{
    json_t *st = json_object_get(h, "stats");
    char *ev = json_dumps(json_object_get(h, "events"), JSON_COMPACT);
    printf("%-6lld %-8s %-8s %-7lld %-9lld %-5lld %-30s %s %s\n",
           (long long)json_integer_value(json_object_get(h, "id")),
           json_is_true(json_object_get(h, "enabled")) ? "enabled" : "disabled",
           json_string_value(json_object_get(h, "frequency")),
           (long long)json_integer_value(json_object_get(st, "pending")),
           (long long)json_integer_value(json_object_get(st, "delivered")),
           (long long)json_integer_value(json_object_get(st, "dead")), json_string_value(json_object_get(h, "name")),
           json_string_value(json_object_get(h, "url")), ev ? ev : "");
    free(ev);
}

static int do_add(struct app_opts *o, const char *name, const char *url, const char *events, const char *fields,
                  const char *frequency, const char *hour, const char *secret, const char *disabled)
{
    json_t *in = json_object();
    if (name)
        json_object_set_new(in, "name", json_string(name));
    if (url)
        json_object_set_new(in, "url", json_string(url));
    if (events)
        json_object_set_new(in, "events", split_list(events));
    if (fields)
        json_object_set_new(in, "fields", split_list(fields));
    if (frequency)
        json_object_set_new(in, "frequency", json_string(frequency));
    if (hour) {
        long long h;
        if (flag_int("webhooks add", "--digest-hour", hour, 0, 23, &h) != 0) {
            json_decref(in);
            return 2;
        }
        json_object_set_new(in, "digest_hour", json_integer(h));
    }
    if (secret)
        json_object_set_new(in, "secret", json_string(secret));
    if (disabled)
        json_object_set_new(in, "enabled", json_false());
    struct app a;
    if (app_open(&a, o, "cli") != 0) {
        json_decref(in);
        return 1;
    }
    json_t *out = NULL;
    int rc = svc_webhook_create(&a.ctx, in, &out);
    if (rc != 0) {
        rc = app_fail(&a, "webhooks add");
    } else {
        printf("created webhook %lld\nsecret: %s\n(the secret is shown this once: keep it to verify signatures)\n",
               (long long)json_integer_value(json_object_get(out, "id")),
               json_string_value(json_object_get(out, "secret")));
    }
    json_decref(out);
    json_decref(in);
    app_close(&a);
    return rc;
}

static int do_list(struct app_opts *o)
{
    struct app a;
    if (app_open(&a, o, "cli") != 0)
        return 1;
    json_t *q = json_pack("{s:s}", "limit", "200");
    char header[128];
    snprintf(header, sizeof(header), "%-6s %-8s %-8s %-7s %-9s %-5s %-30s %s %s\n", "ID", "STATE", "FREQ", "PENDING",
             "DELIVERED", "DEAD", "NAME", "URL", "EVENTS");
    int rc = app_print_pages(&a, "webhooks list", svc_webhook_list, q, header, print_hook_line, "no webhooks");
    json_decref(q);
    app_close(&a);
    return rc;
}

/* show, remove, ping: one id. */
static int do_one(struct app_opts *o, const char *verb, int64_t id)
{
    struct app a;
    if (app_open(&a, o, "cli") != 0)
        return 1;
    json_t *out = NULL;
    int rc;
    char what[32];
    snprintf(what, sizeof(what), "webhooks %s", verb);
    if (strcmp(verb, "remove") == 0)
        rc = svc_webhook_delete(&a.ctx, id);
    else if (strcmp(verb, "ping") == 0)
        rc = svc_webhook_ping(&a.ctx, id, &out);
    else
        rc = svc_webhook_get(&a.ctx, id, &out);
    if (rc != 0)
        rc = app_fail(&a, what);
    else if (out)
        app_print_json(out);
    else
        printf("removed webhook %lld\n", (long long)id);
    json_decref(out);
    app_close(&a);
    return rc;
}

/* The subscription whose deliveries list_deliveries pages through (the CLI runs one command). */
static int64_t deliveries_of;

static int list_deliveries(struct svc_ctx *c, json_t *q, json_t **out)
{
    return svc_webhook_deliveries(c, deliveries_of, q, out);
}

static void delivery_line(json_t *d)
{
    json_t *ls = json_object_get(d, "last_status");
    json_t *le = json_object_get(d, "last_error");
    char http[16] = "-";
    if (json_is_integer(ls))
        snprintf(http, sizeof(http), "%lld", (long long)json_integer_value(ls));
    printf("%-8lld %-9s %-8lld %-28s %-6s %s\n", (long long)json_integer_value(json_object_get(d, "id")),
           json_string_value(json_object_get(d, "status")),
           (long long)json_integer_value(json_object_get(d, "attempts")),
           json_string_value(json_object_get(d, "event")), http, json_is_string(le) ? json_string_value(le) : "");
}

static int do_deliveries(struct app_opts *o, int64_t id, const char *status)
{
    struct app a;
    if (app_open(&a, o, "cli") != 0)
        return 1;
    json_t *q = json_pack("{s:s}", "limit", "200");
    if (status)
        json_object_set_new(q, "status", json_string(status));
    char header[96];
    snprintf(header, sizeof(header), "%-8s %-9s %-8s %-28s %-6s %s\n", "ID", "STATUS", "ATTEMPTS", "EVENT", "HTTP",
             "LAST ERROR");
    deliveries_of = id;
    int rc = app_print_pages(&a, "webhooks deliveries", list_deliveries, q, header, delivery_line, "no deliveries");
    json_decref(q);
    app_close(&a);
    return rc;
}

static int do_replay(struct app_opts *o, int64_t id, const char *delivery, const char *since, const char *until)
{
    int64_t did = 0;
    if ((delivery != NULL) == (since != NULL)) {
        fprintf(stderr, "talentd webhooks replay: give --delivery DELIVERY_ID or --since TIME\n");
        return 2;
    }
    if (delivery && parse_id(delivery, &did) != 0)
        return 2;
    struct app a;
    if (app_open(&a, o, "cli") != 0)
        return 1;
    json_t *out = NULL;
    int rc;
    if (delivery) {
        rc = svc_webhook_delivery_replay(&a.ctx, id, did, &out);
    } else {
        json_t *in = json_pack("{s:s}", "since", since);
        if (until)
            json_object_set_new(in, "until", json_string(until));
        rc = svc_webhook_replay(&a.ctx, id, in, &out);
        json_decref(in);
    }
    if (rc != 0)
        rc = app_fail(&a, "webhooks replay");
    else
        app_print_json(out);
    json_decref(out);
    app_close(&a);
    return rc;
}

static int do_deliver(int argc, char **argv)
{
    struct app_opts o = {0};
    struct worker_config wc;
    worker_config_default(&wc);
    const char *at = NULL;
    for (int i = 2; i < argc; i++) {
        int r = app_opt(&o, argc, argv, &i);
        if (r == 1)
            continue;
        if (r == 0 && strncmp(argv[i], "--webhook-", 10) == 0) {
            r = worker_opt(&wc, argc, argv, &i, "webhooks deliver");
            if (r == 1)
                continue;
            if (r == -2)
                return 2;
        }
        if (r == 0 && strcmp(argv[i], "--at") == 0 && i + 1 < argc) {
            at = argv[++i];
        } else {
            fprintf(stderr, "talentd webhooks deliver: unknown or incomplete option %s\n", argv[i]);
            return 2;
        }
    }
    if (at && time_parse_rfc3339(at, &wc.webhook.at) != 0) {
        fprintf(stderr, "talentd webhooks deliver: --at must be an RFC 3339 time, not \"%s\"\n", at);
        return 2;
    }
    struct app a;
    if (app_open(&a, &o, "cli") != 0)
        return 1;
    struct webhook_pass p;
    int rc = webhooks_http_init(&a.err);
    if (rc == 0)
        rc = svc_webhooks_run(&a.ctx, &wc.webhook, &p);
    if (rc != 0) {
        rc = app_fail(&a, "webhooks deliver");
    } else {
        printf("dispatched %d events into %d deliveries, %d digests; attempted %d: %d delivered, %d to retry, %d "
               "dead\n",
               p.dispatched, p.created, p.digests, p.attempted, p.delivered, p.failed, p.dead);
    }
    app_close(&a);
    return rc;
}

int cmd_webhooks(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fputs(webhooks_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *verb = argv[1];
    if (strcmp(verb, "deliver") == 0)
        return do_deliver(argc, argv);
    struct app_opts o = {0};
    const char *pos[1] = {NULL};
    if (strcmp(verb, "add") == 0) {
        const char *name = NULL, *url = NULL, *events = NULL, *fields = NULL, *freq = NULL, *hour = NULL,
                   *secret = NULL, *disabled = NULL;
        const struct flag flags[] = {
            {"--name", &name, 0},     {"--url", &url, 0},           {"--events", &events, 0},
            {"--fields", &fields, 0}, {"--frequency", &freq, 0},    {"--digest-hour", &hour, 0},
            {"--secret", &secret, 0}, {"--disabled", &disabled, 1}, {NULL, NULL, 0},
        };
        if (flags_parse(argc, argv, 2, flags, &o, pos, 0, "webhooks add") != 0)
            return 2;
        return do_add(&o, name, url, events, fields, freq, hour, secret, disabled);
    }
    if (strcmp(verb, "list") == 0) {
        const struct flag flags[] = {{NULL, NULL, 0}};
        if (flags_parse(argc, argv, 2, flags, &o, pos, 0, "webhooks list") != 0)
            return 2;
        return do_list(&o);
    }
    int64_t id = 0;
    if (strcmp(verb, "deliveries") == 0) {
        const char *status = NULL;
        const struct flag flags[] = {{"--status", &status, 0}, {NULL, NULL, 0}};
        if (flags_parse(argc, argv, 2, flags, &o, pos, 1, "webhooks deliveries") != 0 || parse_id(pos[0], &id) != 0)
            return 2;
        return do_deliveries(&o, id, status);
    }
    if (strcmp(verb, "replay") == 0) {
        const char *delivery = NULL, *since = NULL, *until = NULL;
        const struct flag flags[] = {
            {"--delivery", &delivery, 0}, {"--since", &since, 0}, {"--until", &until, 0}, {NULL, NULL, 0}};
        if (flags_parse(argc, argv, 2, flags, &o, pos, 1, "webhooks replay") != 0 || parse_id(pos[0], &id) != 0)
            return 2;
        return do_replay(&o, id, delivery, since, until);
    }
    if (strcmp(verb, "show") == 0 || strcmp(verb, "remove") == 0 || strcmp(verb, "ping") == 0) {
        const struct flag flags[] = {{NULL, NULL, 0}};
        char what[32];
        snprintf(what, sizeof(what), "webhooks %s", verb);
        if (flags_parse(argc, argv, 2, flags, &o, pos, 1, what) != 0 || parse_id(pos[0], &id) != 0)
            return 2;
        if (strcmp(verb, "ping") == 0) {
            struct err e = {0};
            if (webhooks_http_init(&e) != 0) {
                fprintf(stderr, "talentd webhooks ping: %s\n", e.message);
                return 1;
            }
        }
        return do_one(&o, verb, id);
    }
    fputs(webhooks_usage, stderr);
    return 2;
}

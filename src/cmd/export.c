/* export.c - `talentd export`: export applications to a file with a template,
 * run the scheduled exports that are due, list templates, the export
 * history and the queue of exports requested by rules; the same svc_ calls
 * as the API (svc/exports.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/app.h"
#include "cmd/cmd.h"
#include "lib/timeutil.h"
#include "svc/exports.h"

#define EXPORT_CACHE_KIB 1048576       /* 1 GiB of SQLite page cache for the export's connection */
#define EXPORT_MMAP_BYTES 2147418112LL /* and up to 2 GiB of the file read through a memory map (SQLite's cap) */

static const char export_usage[] =
    "usage: talentd export --template NAME [filters] [--destination download|directory] [--export-dir DIR]\n"
    "                      [--out FILE|-] [--json] [--quiet]\n"
    "       talentd export run-due [--now TIME] [--export-dir DIR]   (run the scheduled exports that are due and those "
    "rules requested)\n"
    "       talentd export templates | history [--limit N]\n"
    "       talentd export requests [--template NAME] [--state waiting|retrying|held]   (the queue of exports "
    "rules requested)\n"
    "filters (the application list's; the stage defaults to eliminated_pending_export):\n"
    "  --position CODE  --stage STAGE  --department CODE  --recommendation R  --filter KEY=VALUE ...\n"
    "  (KEY as in GET /api/v1/applications: dim.logic_gte=60, overall_lte=50, talent_pool=false, ...)\n"
    "Writes DATA_DIR/exports/<id>.<ext> (or, with --destination directory, a file in --export-dir),\n"
    "records the export with its SHA-256 and moves the exported applications from\n"
    "eliminated_pending_export to exported. --out also copies the file to FILE (- = standard output).\n"
    "Exit status: 0 exported, 1 failure or nothing to export, 2 usage.\n";

/* Copies the file at from to path to ("-": standard output). */
static int copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    int out = strcmp(to, "-") == 0 ? STDOUT_FILENO : open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int rc = 0;
    if (in < 0 || out < 0) {
        fprintf(stderr, "talentd export: cannot copy to %s: %s\n", to, strerror(errno));
        rc = 1;
    }
    char buf[65536];
    ssize_t n;
    while (rc == 0 && (n = read(in, buf, sizeof(buf))) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        for (ssize_t off = 0; n > 0 && off < n;) {
            ssize_t k = write(out, buf + off, (size_t)(n - off));
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0) {
                n = -1;
                break;
            }
            off += k;
        }
        if (n < 0) {
            fprintf(stderr, "talentd export: copying to %s: %s\n", to, strerror(errno));
            rc = 1;
        }
    }
    if (in >= 0)
        close(in);
    if (out >= 0 && out != STDOUT_FILENO && close(out) != 0 && rc == 0) {
        fprintf(stderr, "talentd export: writing %s: %s\n", to, strerror(errno));
        rc = 1;
    }
    return rc;
}

/* Prints the failure of an export: the field and message, exit status 1. */
static int fail(struct app *a)
{
    if (a->err.field[0])
        fprintf(stderr, "talentd export: %s: %s\n", a->err.field, a->err.message);
    else
        fprintf(stderr, "talentd export: %s\n", a->err.message);
    return 1;
}

static int do_export(struct app_opts *o, json_t *in, const char *out_path, int as_json, int quiet)
{
    struct app a;
    if (app_open(&a, o, "cli") != 0)
        return 1;
    /* An export reads every selected application's rows once and, in its one transaction, changes the
     * pages of the moved applications, their indexes, history and events: a page cache that holds them
     * (EXPORT_CACHE_KIB instead of SQLite's 2 MiB: with 256 MiB a million moves spilled dirty pages into the
     * write-ahead log again and again, ~15 % slower) and a memory map for the reads (~15 % faster on 1M rows;
     * the mapped pages are the file's page cache, counted in RSS). The cache grows only as far as it is
     * used. The moves' pages are written to disk while it works (db_bulk). */
    db_bulk(a.db, EXPORT_CACHE_KIB, EXPORT_MMAP_BYTES);
    json_t *job = NULL;
    int rc = svc_export_create_as(&a.ctx, in, "cli", &job);
    if (rc != 0) {
        rc = fail(&a);
    } else {
        const char *path = json_string_value(json_object_get(job, "path"));
        if (out_path)
            rc = copy_file(path, out_path);
        if (as_json) {
            app_print_json(job);
        } else if (!quiet) {
            FILE *f = out_path && strcmp(out_path, "-") == 0 ? stderr : stdout;
            fprintf(f, "export %lld: %lld applications (%lld moved to exported) to %s\nsha256 %s  %lld bytes\n",
                    (long long)json_integer_value(json_object_get(job, "id")),
                    (long long)json_integer_value(json_object_get(job, "rows")),
                    (long long)json_integer_value(json_object_get(job, "moved")), path,
                    json_string_value(json_object_get(job, "sha256")),
                    (long long)json_integer_value(json_object_get(job, "bytes")));
        }
    }
    json_decref(job);
    app_close(&a);
    return rc;
}

static int do_run_due(struct app_opts *o, const char *now_s)
{
    int64_t now = time_now_ms();
    if (now_s && time_parse_rfc3339(now_s, &now) != 0) {
        fprintf(stderr, "talentd export run-due: --now must be an RFC 3339 time, not \"%s\"\n", now_s);
        return 2;
    }
    struct app a;
    if (app_open(&a, o, "cli") != 0)
        return 1;
    int ran = 0, queued = 0;
    int rc = svc_exports_run_due(&a.ctx, now, &ran);
    printf("ran %d scheduled export%s\n", ran, ran == 1 ? "" : "s");
    if (rc == 0) {
        rc = svc_exports_run_requested(&a.ctx, now, &queued);
        printf("ran %d export%s requested by rules\n", queued, queued == 1 ? "" : "s");
    }
    if (rc != 0)
        rc = fail(&a);
    app_close(&a);
    return rc;
}

/* Prints every item of a list use case, one line each with show(). */
static int do_list(struct app_opts *o, int (*list)(struct svc_ctx *, json_t *, json_t **), void (*show)(json_t *),
                   const char *limit)
{
    struct app a;
    if (app_open(&a, o, "cli") != 0)
        return 1;
    json_t *q = json_pack("{s:s}", "limit", limit ? limit : "200"), *page = NULL;
    int rc = list(&a.ctx, q, &page);
    if (rc != 0) {
        rc = fail(&a);
    } else {
        size_t i;
        json_t *it;
        json_array_foreach(json_object_get(page, "items"), i, it)
        {
            show(it);
        }
    }
    json_decref(page);
    json_decref(q);
    app_close(&a);
    return rc;
}

static void show_template(json_t *t)
{
    json_t *sched = json_object_get(t, "schedule");
    /* the schedule: "daily 18:00 Asia/Shanghai" (a time of day in the organisation's time zone) */
    printf("%-6lld %-28s %-5s %-2s %3d fields  %s%s%s\n", (long long)json_integer_value(json_object_get(t, "id")),
           json_string_value(json_object_get(t, "name")), json_string_value(json_object_get(t, "format")),
           json_string_value(json_object_get(t, "lang")), (int)json_array_size(json_object_get(t, "fields")),
           json_is_object(sched) ? json_string_value(json_object_get(sched, "daily_at")) : "-",
           json_is_object(sched) ? " " : "",
           json_is_object(sched) ? json_string_value(json_object_get(sched, "time_zone")) : "");
}

static void show_job(json_t *j)
{
    printf("%-6lld %s %-8s %-20s %8lld rows  %s\n", (long long)json_integer_value(json_object_get(j, "id")),
           json_string_value(json_object_get(j, "created_at")), json_string_value(json_object_get(j, "trigger")),
           json_string_value(json_object_get(j, "template")), (long long)json_integer_value(json_object_get(j, "rows")),
           json_string_value(json_object_get(j, "sha256")));
}

static void show_request(json_t *r)
{
    json_t *rule = json_object_get(r, "rule");
    const char *why = json_string_value(json_object_get(r, "last_error")),
               *code = json_string_value(json_object_get(r, "last_error_code"));
    /* the reason as "[code] text" (either part alone when the other is missing) */
    char reason[1024];
    snprintf(reason, sizeof(reason), "%s%s%s%s%s", code ? "[" : "", code ? code : "", code ? "]" : "",
             code && why ? " " : "", why ? why : "");
    printf("%-8lld %s %-8s %-20s %-20s %-16s %-12s %s\n",
           (long long)json_integer_value(json_object_get(r, "application_id")),
           json_string_value(json_object_get(r, "requested_at")), json_string_value(json_object_get(r, "state")),
           json_string_value(json_object_get(r, "template")), json_is_string(rule) ? json_string_value(rule) : "-",
           json_string_value(json_object_get(r, "candidate_name")), json_string_value(json_object_get(r, "position")),
           reason);
}

/* The queue of rule-requested exports, every page; q: its filters. */
static int do_requests(struct app_opts *o, json_t *q)
{
    struct app a;
    if (app_open(&a, o, "cli") != 0)
        return 1;
    int rc = app_print_pages(&a, "export requests", svc_export_request_list, q,
                             "APP      REQUESTED                STATE    TEMPLATE             RULE                 "
                             "CANDIDATE        POSITION     LAST ERROR\n",
                             show_request, "no export requests");
    app_close(&a);
    return rc;
}

/* Reads "--x VALUE" at argv[*i] into *v; 1 consumed, 0 not this flag, -1 value missing. */
static int opt_value(int argc, char **argv, int *i, const char *flag, const char **v)
{
    if (strcmp(argv[*i], flag) != 0)
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *v = argv[++*i];
    return 1;
}

int cmd_export(int argc, char **argv)
{
    struct app_opts o = {0};
    const char *tmpl = NULL, *dest = NULL, *out = NULL, *dir = NULL, *now = NULL, *limit = NULL, *sub = NULL,
               *state = NULL;
    int as_json = 0, quiet = 0;
    json_t *filter = json_object();
    static const struct {
        const char *flag, *key;
    } shortcuts[] = {
        {"--position", "position"},
        {"--stage", "stage"},
        {"--department", "department"},
        {"--recommendation", "recommendation"},
    };
    int rc = 0;
    for (int i = 1; i < argc && rc == 0; i++) {
        const char *v = NULL;
        int r = app_opt(&o, argc, argv, &i);
        if (r == 0)
            r = opt_value(argc, argv, &i, "--template", &tmpl);
        if (r == 0)
            r = opt_value(argc, argv, &i, "--destination", &dest);
        if (r == 0)
            r = opt_value(argc, argv, &i, "--out", &out);
        if (r == 0)
            r = opt_value(argc, argv, &i, "--export-dir", &dir);
        if (r == 0)
            r = opt_value(argc, argv, &i, "--now", &now);
        if (r == 0)
            r = opt_value(argc, argv, &i, "--limit", &limit);
        if (r == 0)
            r = opt_value(argc, argv, &i, "--state", &state);
        for (size_t k = 0; r == 0 && k < sizeof(shortcuts) / sizeof(shortcuts[0]); k++)
            if ((r = opt_value(argc, argv, &i, shortcuts[k].flag, &v)) == 1)
                json_object_set_new(filter, shortcuts[k].key, json_string(v));
        if (r == 0 && (r = opt_value(argc, argv, &i, "--filter", &v)) == 1) {
            const char *eq = strchr(v, '=');
            if (!eq || eq == v) {
                fprintf(stderr, "talentd export: --filter takes KEY=VALUE, not \"%s\"\n", v);
                rc = 2;
                break;
            }
            char key[64];
            snprintf(key, sizeof(key), "%.*s", (int)(eq - v < 63 ? eq - v : 63), v);
            json_object_set_new(filter, key, json_string(eq + 1));
        }
        if (r == 0 && strcmp(argv[i], "--json") == 0)
            r = as_json = 1;
        if (r == 0 && strcmp(argv[i], "--quiet") == 0)
            r = quiet = 1;
        if (r == 0 && strcmp(argv[i], "--help") == 0) {
            fputs(export_usage, stdout);
            json_decref(filter);
            return 0;
        }
        if (r == 0 && !sub && argv[i][0] != '-' &&
            (strcmp(argv[i], "run-due") == 0 || strcmp(argv[i], "templates") == 0 || strcmp(argv[i], "history") == 0 ||
             strcmp(argv[i], "requests") == 0)) {
            sub = argv[i];
            r = 1;
        }
        if (r < 0) {
            fprintf(stderr, "talentd export: %s needs a value\n", argv[i]);
            rc = 2;
        } else if (r == 0) {
            fprintf(stderr, "talentd export: unknown option or argument %s\n%s", argv[i], export_usage);
            rc = 2;
        }
    }
    if (rc == 0 && dir)
        svc_exports_set_dir(dir);
    if (rc == 0 && sub && strcmp(sub, "run-due") == 0) {
        rc = do_run_due(&o, now);
    } else if (rc == 0 && sub && strcmp(sub, "requests") == 0) {
        json_t *q = json_object();
        if (tmpl)
            json_object_set_new(q, "template", json_string(tmpl));
        if (state)
            json_object_set_new(q, "state", json_string(state));
        if (limit)
            json_object_set_new(q, "limit", json_string(limit));
        rc = do_requests(&o, q);
        json_decref(q);
    } else if (rc == 0 && sub && strcmp(sub, "templates") == 0) {
        rc = do_list(&o, svc_export_template_list, show_template, limit);
    } else if (rc == 0 && sub) {
        rc = do_list(&o, svc_export_list, show_job, limit);
    } else if (rc == 0) {
        if (!tmpl) {
            fprintf(stderr, "talentd export: --template NAME is required\n%s", export_usage);
            rc = 2;
        } else {
            json_t *in = json_pack("{s:s,s:O}", "template", tmpl, "filter", filter);
            if (dest)
                json_object_set_new(in, "destination", json_string(dest));
            rc = do_export(&o, in, out, as_json, quiet);
            json_decref(in);
        }
    }
    json_decref(filter);
    return rc;
}

/* serve.c - `talentd serve` and `talentd migrate`. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/app.h"
#include "cmd/cmd.h"
#include "cmd/flags.h"
#include "cmd/scorer_opts.h"
#include "http/server.h"
#include "http/static.h"
#include "jobs/worker.h"
#include "store/change_gen.h"
#include "store/migrate.h"
#include "svc/exports.h"

static int parse_listen(const char *v, char *host, size_t n, uint16_t *port)
{
    const char *colon = strrchr(v, ':');
    if (!colon || colon == v || (size_t)(colon - v) >= n)
        return -1;
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end || p < 1 || p > 65535)
        return -1;
    memcpy(host, v, (size_t)(colon - v));
    host[colon - v] = '\0';
    *port = (uint16_t)p;
    return 0;
}

int cmd_serve(int argc, char **argv)
{
    struct app_opts o = {0};
    const char *listen = "127.0.0.1:8080";
    unsigned threads = 0;
    int quiet = 0;
    const char *web = NULL; /* --web DIR: the built UI (default: TALENTD_WEB_DIR, else web/dist by the binary) */
    struct scorer_opts so = {0};
    struct worker_config wc; /* the background worker (jobs/worker.h) */
    worker_config_default(&wc);
    for (int i = 1; i < argc; i++) {
        int r = app_opt(&o, argc, argv, &i);
        if (r == 1)
            continue;
        if (r == 0 && (r = scorer_opt(&so, argc, argv, &i)) == 1)
            continue;
        if (r == 0 && (r = worker_opt(&wc, argc, argv, &i, "serve")) == 1)
            continue;
        if (r == -2)
            return 2;
        if (r == 0 && strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
            listen = argv[++i];
        } else if (r == 0 && strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
            long long t;
            if (flag_int("serve", "--threads", argv[++i], 1, 256, &t) != 0)
                return 2;
            threads = (unsigned)t;
        } else if (r == 0 && strcmp(argv[i], "--web") == 0 && i + 1 < argc) {
            web = argv[++i];
        } else if (r == 0 && strcmp(argv[i], "--quiet") == 0) {
            quiet = 1;
        } else if (r == 0 && strcmp(argv[i], "--export-dir") == 0 && i + 1 < argc) {
            svc_exports_set_dir(argv[++i]); /* where exports with destination "directory" go (docs/exports.md) */
        } else if (strcmp(argv[i], "--help") == 0) {
            puts("usage: talentd serve [--data DIR] [--db URL] [--listen HOST:PORT] [--threads N] [--quiet]\n"
                 "                     [--export-dir DIR] [--web DIR]\n"
                 "                     " SCORER_OPTS_USAGE "\n"
                 "                     " WORKER_OPTS_USAGE "\n"
                 "--threads N: event-loop threads (default one per core, at least 2); 1 runs a single loop.\n"
                 "Completed AI interviews are scored by the built-in rubric scorer, or with --scorer-url by an\n"
                 "external scorer: the answers are POSTed as JSON to URL and a result in the native schema\n"
                 "(docs/results.md) comes back; 3 attempts, each within --scorer-timeout seconds (default 10).\n"
                 "Its results carry vendor NAME (--scorer-name, default external).\n"
                 "A background worker delivers webhooks, expires interviews and runs due exports every\n"
                 "--jobs-interval-ms (default 1000), and the schedule rules every --rules-every-ms (default\n"
                 "60000); --no-jobs serves the API without it (docs/webhooks.md, docs/automation.md).\n"
                 "The web UI is served at / from --web DIR (default: $TALENTD_WEB_DIR, else the web/dist of the\n"
                 "source tree the binary was built in, ../web/dist from its directory); without a built UI, / answers\n"
                 "the API's root document (docs/ui.md).");
            return 0;
        } else {
            fprintf(stderr, "talentd serve: unknown or incomplete option %s\n", argv[i]);
            return 2;
        }
    }
    char host[64];
    uint16_t port;
    if (parse_listen(listen, host, sizeof(host), &port) != 0) {
        fprintf(stderr, "talentd serve: --listen must be HOST:PORT, got %s\n", listen);
        return 2;
    }
    const char *web_env = getenv("TALENTD_WEB_DIR");
    if (!web && web_env && *web_env)
        web = web_env;
    static char web_root[4096]; /* lives as long as the server */
    struct err werr = {0};
    int wrc = http_static_find_root(web, web_root, sizeof(web_root), &werr);
    if (wrc < 0) {
        fprintf(stderr, "talentd serve: --web: %s\n", werr.message);
        return 2;
    }
    static struct scorer_http external; /* lives as long as the server */
    const struct interview_scorer *scorer = NULL;
    if (scorer_opts_build(&so, &external, &scorer, "serve") != 0)
        return 2;
    struct app a;
    if (app_open(&a, &o, "serve") != 0)
        return 1;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    struct server_config cfg = {
        .host = host,
        .port = port,
        .threads = threads ? threads : (unsigned)(cores > 2 ? cores : 2),
        .max_body = (size_t)1024 * 1024,
        .conn_limit = 1024,
        .timeout_s = 30,
        .db_url = a.db_url,
        .kr = &a.kr,
        .data_dir = a.data_dir,
        .public_url = a.ctx.public_url,
        .quiet = quiet,
        .scorer = scorer,
        .web_root = wrc == 0 ? web_root : NULL,
    };
    /* Block the stop signals in every thread; the main thread waits for them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    struct http_server *srv;
    if (http_server_start(&cfg, &srv, &a.err) != 0) {
        app_fail(&a, "serve");
        app_close(&a);
        return 1;
    }
    /* PostgreSQL: the change notifications that keep the read caches (svc/read_cache.h) valid. */
    struct change_listener *changes = NULL;
    if (db_kind(a.db) == DB_POSTGRES && change_listener_start(a.db_url, &changes, &a.err) != 0) {
        app_fail(&a, "serve");
        http_server_stop(srv);
        app_close(&a);
        return 1;
    }
    wc.db_url = a.db_url;
    wc.kr = &a.kr;
    wc.data_dir = a.data_dir;
    wc.public_url = a.ctx.public_url;
    struct worker *jobs = NULL;
    if (worker_start(&wc, &jobs, &a.err) != 0) {
        app_fail(&a, "serve");
        change_listener_stop(changes);
        http_server_stop(srv);
        app_close(&a);
        return 1;
    }
    printf("talentd: serving on http://%s:%u (%s, %u threads, %s interview scorer)\n", host, port,
           db_kind(a.db) == DB_POSTGRES ? "postgresql" : "sqlite", cfg.threads, scorer ? scorer->vendor : "built-in");
    if (wrc == 0)
        printf("talentd: web UI from %s\n", web_root);
    else
        printf("talentd: no web UI built (make web); / answers the API root document\n");
    fflush(stdout);
    int sig;
    sigwait(&set, &sig);
    fprintf(stderr, "talentd: stopping (signal %d)\n", sig);
    worker_stop(jobs);
    http_server_stop(srv);
    change_listener_stop(changes);
    app_close(&a);
    return 0;
}

int cmd_migrate(int argc, char **argv)
{
    struct app_opts o = {0};
    for (int i = 1; i < argc; i++) {
        if (app_opt(&o, argc, argv, &i) != 1) {
            if (strcmp(argv[i], "--help") == 0) {
                puts("usage: talentd migrate [--data DIR] [--db URL]");
                return 0;
            }
            fprintf(stderr, "talentd migrate: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    struct app a;
    if (app_open(&a, &o, "migrate") != 0)
        return 1;
    printf("talentd: schema at version %d\n", migrate_latest());
    app_close(&a);
    return 0;
}

/* worker.h - the background worker of `talentd serve`: one thread that, every
 * poll interval, runs a table of periodic tasks (jobs/worker.c: webhook
 * fan-out and delivery, the interview expiry sweep, ...). Each task runs with
 * a database connection of its own and opens its own transactions through
 * the svc_ functions it calls; nothing it needs is held only in memory, so
 * several talentd processes may run workers on one PostgreSQL database and a
 * restart loses nothing.
 *
 * Options (talentd serve): --no-jobs, --jobs-interval-ms N (default 1000),
 * --webhook-backoff-ms N (first retry delay, default 30000),
 * --webhook-backoff-max-ms N (default 3600000), --webhook-max-attempts N
 * (default 8), --webhook-timeout-ms N (one POST, default 10000). */
#ifndef TALENTD_JOBS_WORKER_H
#define TALENTD_JOBS_WORKER_H

#include "lib/crypto.h"
#include "lib/err.h"
#include "svc/webhooks.h"

#define WORKER_INTERVAL_MS_DEFAULT 1000

#define WORKER_OPTS_USAGE                                                                                              \
    "[--no-jobs] [--jobs-interval-ms N] [--webhook-backoff-ms N] [--webhook-backoff-max-ms N]\n"                       \
    "                     [--webhook-max-attempts N] [--webhook-timeout-ms N]"

struct worker_config {
    const char *db_url;       /* each task opens its own connection */
    const struct keyring *kr; /* borrowed: must outlive the worker */
    const char *data_dir;     /* may be NULL */
    const char *public_url;   /* may be NULL */
    int64_t interval_ms;      /* pause between runs of the table */
    int64_t rules_every_ms;   /* pause between passes of the schedule rules (--rules-every-ms) */
    int disabled;             /* --no-jobs: worker_start starts nothing */
    struct webhook_opts webhook;
};

/* The defaults (everything but the connection fields). */
void worker_config_default(struct worker_config *cfg);

/* Consumes one worker option at argv[*i] (with its value): 1 when consumed,
 * 0 when argv[*i] is not one, -1 when its value is missing, -2 when the value
 * is out of range (the problem printed as "talentd <cmd>: ..."). */
int worker_opt(struct worker_config *cfg, int argc, char **argv, int *i, const char *cmd);

struct worker;

/* Applies cfg->webhook process-wide (webhooks_configure: the API's ping uses
 * it) and, unless cfg->disabled, starts the thread; *out is NULL when
 * disabled. cfg is copied; its strings and key ring are borrowed. Call with
 * the stop signals blocked (the thread inherits the mask). */
int worker_start(const struct worker_config *cfg, struct worker **out, struct err *e);

/* Asks the thread to stop (a POST in flight is cut short and its delivery
 * given back, due at once), waits for it and frees w. NULL is a no-op. */
void worker_stop(struct worker *w);

#endif

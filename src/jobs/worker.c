/* worker.c - the background worker (jobs/worker.h): a thread running the
 * table of periodic tasks below every poll interval.
 *
 * To add a task, write `static int job_x(struct svc_ctx *c, const struct
 * worker_config *cfg)` (0 or an ERR_* code with c->e filled; it opens its own
 * transactions through svc_ calls) and add one line to jobs[]. Tasks run in
 * the table's order, each with its own connection (reopened after a database
 * failure) and the system actor "worker"; a failing task is logged (once per
 * distinct message) and does not stop the others. */
#include "jobs/worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/mem.h"
#include "lib/timeutil.h"
#include "store/db.h"
#include "svc/exports.h"
#include "svc/interviews.h"
#include "svc/rules.h"

/* ------------------------------------------------------------------------
 * the tasks */

/* Webhooks: fan-out of the outbox, due digests, due deliveries. */
static int job_webhooks(struct svc_ctx *c, const struct worker_config *cfg)
{
    struct webhook_pass p;
    return svc_webhooks_run(c, &cfg->webhook, &p);
}

/* AI interview sessions past their deadline: expired, their applications moved to ai_incomplete. */
static int job_interview_expiry(struct svc_ctx *c, const struct worker_config *cfg)
{
    (void)cfg;
    int n = 0;
    return svc_interviews_expire(c, time_now_ms(), &n);
}

/* Rules triggered by schedule (svc/rules.h): a pass over the open applications, at most every
 * cfg->rules_every_ms (one worker thread runs the table, so the time of the last pass is its own). */
static int job_rules_schedule(struct svc_ctx *c, const struct worker_config *cfg)
{
    static int64_t last;
    int64_t now = time_now_ms();
    if (last && now - last < cfg->rules_every_ms)
        return 0;
    last = now;
    int fired = 0;
    return svc_rules_run_schedule(c, &fired);
}

static const struct job {
    const char *name;
    int (*run)(struct svc_ctx *c, const struct worker_config *cfg);
} jobs[] = {
    {"webhooks", job_webhooks},
    {"interview_expiry", job_interview_expiry},
    {"rules_schedule", job_rules_schedule},
    {"scheduled_exports", svc_exports_worker_task}, /* svc/exports.h: daily exports that are due */
};
#define N_JOBS ((int)(sizeof(jobs) / sizeof(jobs[0])))

/* ------------------------------------------------------------------------
 * options */

void worker_config_default(struct worker_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->interval_ms = WORKER_INTERVAL_MS_DEFAULT;
    cfg->rules_every_ms = 60000;
    webhook_opts_default(&cfg->webhook);
}

static int number(const char *cmd, const char *flag, const char *v, long long min, long long max, long long *out)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || end == v || *end || n < min || n > max) {
        fprintf(stderr, "talentd %s: %s must be a whole number from %lld to %lld, not \"%s\"\n", cmd, flag, min, max,
                v);
        return -2;
    }
    *out = n;
    return 1;
}

int worker_opt(struct worker_config *cfg, int argc, char **argv, int *i, const char *cmd)
{
    static const struct {
        const char *flag;
        long long min, max;
    } nums[] = {
        {"--jobs-interval-ms", 10, 3600000},       {"--webhook-backoff-ms", 1, 86400000},
        {"--webhook-backoff-max-ms", 1, 86400000}, {"--webhook-max-attempts", 1, 100},
        {"--webhook-timeout-ms", 100, 300000},     {"--rules-every-ms", 10, 86400000},
    };
    const char *a = argv[*i];
    if (strcmp(a, "--no-jobs") == 0) {
        cfg->disabled = 1;
        return 1;
    }
    int k = 0;
    while (k < (int)(sizeof(nums) / sizeof(nums[0])) && strcmp(nums[k].flag, a) != 0)
        k++;
    if (k == (int)(sizeof(nums) / sizeof(nums[0])))
        return 0;
    if (*i + 1 >= argc)
        return -1;
    long long v = 0;
    int rc = number(cmd, a, argv[++*i], nums[k].min, nums[k].max, &v);
    if (rc != 1)
        return rc;
    switch (k) {
    case 0:
        cfg->interval_ms = v;
        break;
    case 1:
        cfg->webhook.backoff_ms = v;
        break;
    case 2:
        cfg->webhook.backoff_max_ms = v;
        break;
    case 3:
        cfg->webhook.max_attempts = (int)v;
        break;
    case 4:
        cfg->webhook.timeout_ms = (long)v;
        break;
    default:
        cfg->rules_every_ms = v;
        break;
    }
    return 1;
}

/* ------------------------------------------------------------------------
 * the thread */

struct worker {
    struct worker_config cfg;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    atomic_int stop;
    struct db *db[N_JOBS];
    char last_error[N_JOBS][sizeof(((struct err *)0)->message)];
};

static void run_job(struct worker *w, int j)
{
    struct err e = {0};
    if (!w->db[j] && db_open(w->cfg.db_url, &w->db[j], &e) != 0) {
        w->db[j] = NULL;
    } else {
        struct actor a;
        actor_system(&a, "worker");
        struct svc_ctx c = {
            .db = w->db[j],
            .kr = w->cfg.kr,
            .actor = &a,
            .e = &e,
            .data_dir = w->cfg.data_dir,
            .public_url = w->cfg.public_url,
        };
        if (jobs[j].run(&c, &w->cfg) == 0) {
            w->last_error[j][0] = '\0';
            return;
        }
        db_rollback(w->db[j]);
        if (e.code == ERR_DB) { /* start over with a new connection next time */
            db_close(w->db[j]);
            w->db[j] = NULL;
        }
    }
    if (strcmp(w->last_error[j], e.message) != 0) {
        fprintf(stderr, "talentd: worker: %s: %s\n", jobs[j].name, e.message[0] ? e.message : "failed");
        snprintf(w->last_error[j], sizeof(w->last_error[j]), "%s", e.message);
    }
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    while (!atomic_load(&w->stop)) {
        for (int j = 0; j < N_JOBS && !atomic_load(&w->stop); j++)
            run_job(w, j);
        struct timespec until;
        time_mono_deadline(&until, w->cfg.interval_ms);
        pthread_mutex_lock(&w->mu);
        while (!atomic_load(&w->stop) && pthread_cond_timedwait(&w->cv, &w->mu, &until) == 0) {
        }
        pthread_mutex_unlock(&w->mu);
    }
    for (int j = 0; j < N_JOBS; j++)
        db_close(w->db[j]);
    return NULL;
}

int worker_start(const struct worker_config *cfg, struct worker **out, struct err *e)
{
    *out = NULL;
    webhooks_configure(&cfg->webhook);
    if (webhooks_http_init(e) != 0)
        return ERR_INTERNAL;
    if (cfg->disabled)
        return 0;
    struct worker *w = xcalloc(1, sizeof(*w));
    w->cfg = *cfg;
    w->cfg.webhook.stop = &w->stop;
    w->cfg.webhook.at = 0;
    atomic_init(&w->stop, 0);
    time_cond_init_monotonic(&w->cv);
    pthread_mutex_init(&w->mu, NULL);
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mu);
        free(w);
        return err_set(e, ERR_INTERNAL, NULL, NULL, "cannot start the background worker thread");
    }
    *out = w;
    return 0;
}

void worker_stop(struct worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    atomic_store(&w->stop, 1);
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mu);
    free(w);
}

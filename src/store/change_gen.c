/* change_gen.c - see change_gen.h. The listener is one thread with its own libpq connection:
 * LISTEN talentd_change, then poll() on the connection's socket and on a stop eventfd, and a bump
 * of the generation for every batch of notifications read. A lost connection turns the caches off
 * until a new one listens again (reconnecting after 100 ms, doubling up to 5 s). */
#include "store/change_gen.h"

#include <libpq-fe.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "lib/mem.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000

static _Atomic uint64_t generation = 1;
static atomic_int listening;

struct change_listener {
    pthread_t thread;
    char *url;
    int stop_fd; /* eventfd: readable once the listener is to stop */
};

int change_gen_current(uint64_t *gen)
{
    if (!atomic_load(&listening))
        return 0;
    *gen = atomic_load(&generation);
    return 1;
}

int change_gen_valid(uint64_t gen)
{
    return atomic_load(&listening) && atomic_load(&generation) == gen;
}

void change_gen_bump(void)
{
    atomic_fetch_add(&generation, 1);
}

/* Waits up to ms for fd to be readable or the stop eventfd (-1: no timeout). 1 when the listener is
 * to stop, 0 otherwise (readable, timed out or interrupted). */
static int wait_for(const struct change_listener *l, int fd, int ms)
{
    struct pollfd p[2] = {{.fd = l->stop_fd, .events = POLLIN}, {.fd = fd, .events = POLLIN}};
    int n = poll(p, fd >= 0 ? 2 : 1, ms);
    return n > 0 && (p[0].revents & POLLIN);
}

/* libpq's notices (the server's "terminating connection" among them) go nowhere. */
static void quiet_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* A connection that listens on the channel, or NULL. TCP keepalives find a dead peer on a silent
 * network within ~15 s (the caches stay on until then: notifications cannot arrive). */
static PGconn *listen_connect(const char *url)
{
    const char *const keys[] = {
        "dbname",           "application_name", "keepalives", "keepalives_idle", "keepalives_interval",
        "keepalives_count", "connect_timeout",  NULL};
    const char *const vals[] = {url, CHANGE_LISTEN_APP, "1", "5", "5", "2", "5", NULL};
    PGconn *conn = PQconnectdbParams(keys, vals, 1);
    if (conn && PQstatus(conn) == CONNECTION_OK) {
        PQsetNoticeProcessor(conn, quiet_notice, NULL); /* the loss is said once, by listener_main */
        PGresult *res = PQexec(conn, "LISTEN " CHANGE_CHANNEL);
        int ok = PQresultStatus(res) == PGRES_COMMAND_OK;
        PQclear(res);
        if (ok && PQsetnonblocking(conn, 1) == 0)
            return conn;
    }
    PQfinish(conn);
    return NULL;
}

/* Reads what the server sent; bumps the generation when notifications came. 0 while the
 * connection is sound. */
static int drain(PGconn *conn)
{
    if (!PQconsumeInput(conn))
        return -1;
    int any = 0;
    PGnotify *n;
    while ((n = PQnotifies(conn)) != NULL) {
        any = 1;
        PQfreemem(n);
    }
    if (any)
        change_gen_bump();
    return PQstatus(conn) == CONNECTION_OK ? 0 : -1;
}

/* Listens on conn until it fails (returns 0) or the listener is to stop (returns 1). */
static int listen_loop(const struct change_listener *l, PGconn *conn)
{
    int fd = PQsocket(conn);
    /* Listening from here on: what committed before LISTEN is older than the generation moved now. */
    change_gen_bump();
    atomic_store(&listening, 1);
    int stop = 0;
    while (!(stop = wait_for(l, fd, -1)) && drain(conn) == 0)
        ;
    atomic_store(&listening, 0);
    return stop;
}

static void *listener_main(void *arg)
{
    const struct change_listener *l = arg;
    int backoff = BACKOFF_MIN_MS;
    for (;;) {
        PGconn *conn = listen_connect(l->url);
        int stop = 0;
        if (conn) {
            stop = listen_loop(l, conn);
            if (!stop)
                fprintf(stderr,
                        "talentd: lost the change notification connection (%.*s); read caches off until it is back\n",
                        (int)strcspn(PQerrorMessage(conn), "\n"), PQerrorMessage(conn));
            PQfinish(conn);
            backoff = BACKOFF_MIN_MS;
        }
        if (stop || wait_for(l, -1, backoff))
            break;
        if (!conn)
            backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
    }
    return NULL;
}

int change_listener_start(const char *url, struct change_listener **out, struct err *e)
{
    struct change_listener *l = xcalloc(1, sizeof(*l));
    l->url = xstrdup(url);
    l->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (l->stop_fd < 0 || pthread_create(&l->thread, NULL, listener_main, l) != 0) {
        if (l->stop_fd >= 0)
            close(l->stop_fd);
        free(l->url);
        free(l);
        return err_set(e, ERR_INTERNAL, NULL, NULL, "cannot start the change notification listener");
    }
    *out = l;
    return 0;
}

void change_listener_stop(struct change_listener *l)
{
    if (!l)
        return;
    uint64_t one = 1;
    if (write(l->stop_fd, &one, sizeof(one)) != (ssize_t)sizeof(one))
        perror("talentd: stopping the change listener");
    pthread_join(l->thread, NULL);
    atomic_store(&listening, 0);
    close(l->stop_fd);
    free(l->url);
    free(l);
}

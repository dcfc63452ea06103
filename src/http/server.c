/* server.c - libmicrohttpd plumbing and request dispatch.
 *
 * Settings follow DESIGN.md: one event loop per thread on epoll (serve's
 * default: one per core and at least 2, so that one slow request does not
 * hold up all others), suspend/resume allowed, explicit connection limit,
 * timeout and per-connection memory limit. Each loop is a daemon without a
 * thread of its own, run by talentd's serve_loop, and all accept from one
 * listening socket: libmicrohttpd's own polling threads (single or pool)
 * stall once 128 requests are ready at once (docs/performance.md). The
 * access handler never queues a response on its first call (that would
 * force Connection: close); the body is accumulated into a capped buffer,
 * and anything over the cap is a 413. Each loop keeps its own database
 * connection. */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "http/auth.h"
#include "http/router.h"
#include "http/static.h"
#include "lib/mem.h"
#include "lib/timeutil.h"
#include "store/db.h"
#include "svc/idempotency.h"

/* One event loop: a daemon without a thread of its own and the thread that runs it (serve_loop). */
struct loop {
    struct MHD_Daemon *d;
    pthread_t thread;
    int wait_fd; /* epoll set of the daemon's epoll fd and the server's stop_fd */
    int stop_fd;
};

struct http_server {
    struct server_config cfg;
    struct loop *loops; /* cfg.threads of them, each accepting from the same listening socket */
    unsigned n;         /* loops started */
    int stop_fd;        /* eventfd: wakes every loop to stop */
};

#define SERVE_CACHE_KIB "16384" /* SQLite page cache of each loop's connection: 16 MiB at most */

/* Each worker thread's connection lives in a thread-specific slot whose
 * destructor closes it when the pool thread exits. */
static pthread_key_t db_key;
static pthread_once_t db_key_once = PTHREAD_ONCE_INIT;

static void db_key_destroy(void *p)
{
    db_close(p);
}
static void db_key_init(void)
{
    pthread_key_create(&db_key, db_key_destroy);
}

static int thread_db(const struct http_server *s, struct db **out, struct err *e)
{
    pthread_once(&db_key_once, db_key_init);
    struct db *db = pthread_getspecific(db_key);
    if (!db) {
        int rc = db_open(s->cfg.db_url, &db, e);
        if (rc != 0)
            return rc;
        /* SQLite: a loop's page cache holds the pages its lists and reports keep reading (the top of
         * the indexes, the first pages of the applications); 2 MiB, SQLite's default, did not, and
         * every list request read ~7 pages from the file (docs/performance.md, "The page cache") */
        if (db_kind(db) == DB_SQLITE && (rc = db_exec(db, "PRAGMA cache_size=-" SERVE_CACHE_KIB, e)) != 0) {
            db_close(db);
            return rc;
        }
        pthread_setspecific(db_key, db);
    }
    *out = db;
    return 0;
}

/* Drops this thread's connection after a database failure so the next
 * request reconnects (PostgreSQL restarts, broken sockets). */
static void thread_db_reset(void)
{
    struct db *db = pthread_getspecific(db_key);
    if (db) {
        db_close(db);
        pthread_setspecific(db_key, NULL);
    }
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int valid_request_id(const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n > 39)
        return 0;
    for (const char *p = v; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
              *p == '_' || *p == '.'))
            return 0;
    return 1;
}

/* A request id of 24 hex digits: 12 random bytes drawn once per thread, the first 8 read as a number
 * advanced by one per request. Unique within and across processes, without a getrandom() call per
 * request. */
static void new_request_id(char out[25])
{
    static _Thread_local unsigned char seed[12];
    static _Thread_local uint64_t n;
    if (n == 0)
        randombytes_buf(seed, sizeof(seed));
    unsigned char b[12];
    memcpy(b, seed, sizeof(b));
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)b[i] << (8 * i);
    v += n++;
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    hex_encode(b, sizeof(b), out);
}

static struct req *req_new(const struct http_server *s, struct MHD_Connection *conn, const char *method,
                           const char *url)
{
    struct req *r = xcalloc(1, sizeof(*r));
    r->conn = conn;
    r->method = method;
    r->url = url;
    r->t0_us = now_us();
    sb_init(&r->body, s->cfg.max_body);
    const char *rid = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "X-Request-Id");
    if (rid && valid_request_id(rid)) {
        snprintf(r->request_id, sizeof(r->request_id), "%.39s", rid);
    } else {
        new_request_id(r->request_id);
    }
    return r;
}

static void req_free(struct req *r)
{
    sb_free(&r->body);
    json_decref(r->out);
    free(r->raw);
    free(r->set_cookie);
    free(r->location);
    free(r->disposition);
    if (r->file_fd > 0)
        close(r->file_fd);
    arena_free(&r->arena);
    free(r);
}

/* Turns r->err into the error envelope. */
static void set_error_body(struct req *r)
{
    if (r->err.code == 0)
        err_set(&r->err, ERR_INTERNAL, NULL, NULL, "internal error");
    r->status = err_http_status(r->err.code);
    json_t *e = json_object();
    json_object_set_new(e, "code", json_string(r->err.slug[0] ? r->err.slug : err_default_slug(r->err.code)));
    json_object_set_new(e, "message", json_string(r->err.message));
    if (r->err.field[0])
        json_object_set_new(e, "field", json_string(r->err.field));
    if (r->err.existing_id)
        json_object_set_new(e, "existing_id", json_integer(r->err.existing_id));
    if (r->err.current[0])
        json_object_set_new(e, "current_stage", json_string(r->err.current));
    if (r->err.line > 0) {
        json_object_set_new(e, "line", json_integer(r->err.line));
        json_object_set_new(e, "column", json_integer(r->err.col));
    }
    json_object_set_new(e, "request_id", json_string(r->request_id));
    json_decref(r->out);
    r->out = json_pack("{s:o}", "error", e);
    free(r->raw);
    r->raw = NULL;
}

static int method_is_safe(const char *m)
{
    return strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0 || strcmp(m, "OPTIONS") == 0;
}

/* Authenticates and authorises r for route rt. */
static int check_access(struct req *r, const struct route *rt)
{
    if (rt->flags & ROUTE_PUBLIC)
        return 0;
    if (r->actor.role == ROLE_NONE)
        return err_set(&r->err, ERR_UNAUTHORIZED, NULL, NULL, "authentication required");
    if (!(rt->roles & ROLE_BIT(r->actor.role)))
        return err_set(&r->err, ERR_FORBIDDEN, NULL, NULL, "role %s may not %s %s", role_name(r->actor.role),
                       rt->method, rt->pattern);
    /* Routes without a scope (e.g. /me) are open to any valid token. */
    if (r->actor.token_id && rt->scope && !scope_allows(r->actor.scopes, rt->scope))
        return err_set(&r->err, ERR_FORBIDDEN, "insufficient_scope", NULL, "this token lacks the scope %s", rt->scope);
    return 0;
}

static void dispatch(struct http_server *s, struct req *r)
{
    struct db *db = NULL;
    char path[2048];
    const char *q = strchr(r->url, '?');
    size_t plen = q ? (size_t)(q - r->url) : strlen(r->url);
    if (plen >= sizeof(path)) {
        err_set(&r->err, ERR_MALFORMED, "uri_too_long", NULL, "request path too long");
        goto fail;
    }
    memcpy(path, r->url, plen);
    path[plen] = '\0';

    if (r->body_too_large) {
        err_set(&r->err, ERR_TOO_LARGE, NULL, NULL, "request body larger than %zu bytes", s->cfg.max_body);
        goto fail;
    }
    int status = 0;
    const struct route *rt = router_match(r, r->method, path, &status);
    /* The web UI's files, client-side routes and the page at / (static.h); never /api/. */
    if (s->cfg.web_root && http_static_applies(r, path, rt != NULL)) {
        if (http_static_serve(r, s->cfg.web_root, path) != 0)
            goto fail;
        return;
    }
    if (!rt) {
        if (status == 405)
            err_set(&r->err, ERR_METHOD, NULL, NULL, "%s is not allowed on %s", r->method, path);
        else
            err_set(&r->err, ERR_NOT_FOUND, NULL, NULL, "no such resource: %s", path);
        goto fail;
    }
    if (thread_db(s, &db, &r->err) != 0)
        goto fail;
    r->ctx.db = db;
    r->ctx.kr = s->cfg.kr;
    r->ctx.data_dir = s->cfg.data_dir;
    r->ctx.public_url = s->cfg.public_url;
    r->ctx.scorer = s->cfg.scorer;
    r->ctx.actor = &r->actor;
    r->ctx.e = &r->err;
    if ((rt->flags & ROUTE_SNAPSHOT) && db_kind(db) == DB_SQLITE && db_begin_read(db, &r->err) != 0)
        goto fail;
    if (auth_resolve(r) != 0)
        goto fail;
    if (check_access(r, rt) != 0)
        goto fail;
    if (r->via_cookie && !method_is_safe(r->method) && !(rt->flags & ROUTE_NO_CSRF) && auth_check_csrf(r) != 0)
        goto fail;

    const char *idem = NULL;
    if ((rt->flags & ROUTE_CREATE) && (idem = req_header(r, "Idempotency-Key")) != NULL) {
        int rc = svc_idem_claim(&r->ctx, idem, r->method, path, r->body.p, r->body.len, &r->status, &r->out);
        if (rc < 0)
            goto fail;
        if (rc == 1)
            return;
    }
    int failed = rt->fn(r) != 0;
    if (idem) { /* keep the response on the claim, or release it; never let this change the answer */
        struct err ignored = {0};
        r->ctx.e = &ignored;
        if (failed)
            db_rollback(db);
        svc_idem_finish(&r->ctx, idem, failed ? 0 : r->status, failed ? NULL : r->out);
        r->ctx.e = &r->err;
    }
    if (failed)
        goto fail;
    if (rt->flags & ROUTE_SNAPSHOT)
        db_rollback(db); /* a snapshot the handler left open */
    return;
fail:
    if (db)
        db_rollback(db);
    if (r->err.code == ERR_DB)
        thread_db_reset();
    set_error_body(r);
}

static enum MHD_Result send_response(struct req *r)
{
    char *buf;
    size_t len;
    const char *ctype;
    if (r->out) {
        buf = json_dumps(r->out, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
        len = strlen(buf);
        ctype = "application/json; charset=utf-8";
    } else if (r->raw) {
        buf = r->raw;
        len = r->raw_len;
        r->raw = NULL;
        ctype = r->content_type ? r->content_type : "application/octet-stream";
    } else {
        buf = NULL;
        len = 0;
        ctype = NULL;
    }
    struct MHD_Response *resp = buf ? MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE)
                                    : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (r->file_fd > 0 && !r->out) { /* a file body (req_reply_file): MHD sends and closes it */
        struct MHD_Response *file = MHD_create_response_from_fd64(r->file_len, r->file_fd);
        if (file) {
            MHD_destroy_response(resp);
            resp = file;
            r->file_fd = 0;
            ctype = r->content_type;
            if (r->disposition)
                MHD_add_response_header(resp, "Content-Disposition", r->disposition);
        }
    }
    if (ctype)
        MHD_add_response_header(resp, "Content-Type", ctype);
    MHD_add_response_header(resp, "X-Request-Id", r->request_id);
    MHD_add_response_header(resp, "Cache-Control", r->cache_control ? r->cache_control : "no-store");
    if (r->etag[0])
        MHD_add_response_header(resp, "ETag", r->etag);
    if (r->content_encoding)
        MHD_add_response_header(resp, "Content-Encoding", r->content_encoding);
    if (r->vary)
        MHD_add_response_header(resp, "Vary", r->vary);
    if (r->csp)
        MHD_add_response_header(resp, "Content-Security-Policy", r->csp);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    if (r->set_cookie)
        MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
    if (r->location)
        MHD_add_response_header(resp, "Location", r->location);
    if (r->status == 405)
        MHD_add_response_header(resp, "Allow", "GET, POST, PUT, PATCH, DELETE");
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)(r->status ? r->status : 200), resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                 const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct http_server *s = cls;
    struct req *r = *con_cls;
    if (!r) {
        r = req_new(s, conn, method, url);
        *con_cls = r;
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        unsigned long long len = cl ? strtoull(cl, NULL, 10) : 0;
        if (len > s->cfg.max_body * 16) {
            /* Far too large to drain: refuse at once (the connection closes). */
            r->body_too_large = 1;
            dispatch(s, r);
            return send_response(r);
        }
        /* Moderately oversized bodies are drained and discarded so the client
         * reads the 413 instead of a reset connection. */
        r->body_too_large = len > s->cfg.max_body;
        return MHD_YES;
    }
    if (*upload_data_size) {
        if (!r->body_too_large && sb_append(&r->body, upload_data, *upload_data_size) != 0)
            r->body_too_large = 1;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->status == 0 && !r->out)
        dispatch(s, r);
    return send_response(r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    struct http_server *s = cls;
    struct req *r = *con_cls;
    if (!r)
        return;
    if (!s->cfg.quiet) {
        char ts[32];
        time_format_rfc3339(time_now_ms(), ts);
        char label[160] = "-";
        if (r->actor.role != ROLE_NONE)
            actor_label(&r->actor, label, sizeof(label));
        fprintf(stderr, "%s %s %s %d %.3fms rid=%s actor=%s%s\n", ts, r->method, r->url, r->status ? r->status : 200,
                (double)(now_us() - r->t0_us) / 1000.0, r->request_id, label,
                toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted");
    }
    req_free(r);
    *con_cls = NULL;
}

/* The event loop of one daemon without a thread of its own: waits on the daemon's epoll fd (and the
 * stop eventfd) for as long as the daemon's next timeout, then lets MHD_run do the work ready. */
static void *serve_loop(void *arg)
{
    struct loop *l = arg;
    for (;;) {
        MHD_UNSIGNED_LONG_LONG ms = 0;
        int timeout = -1;
        if (MHD_get_timeout(l->d, &ms) == MHD_YES)
            timeout = ms > 1000 ? 1000 : (int)ms;
        struct epoll_event ev[2];
        int n = epoll_wait(l->wait_fd, ev, 2, timeout);
        for (int i = 0; i < n; i++)
            if (ev[i].data.fd == l->stop_fd)
                return NULL;
        MHD_run(l->d);
    }
}

/* The listening socket every loop's daemon accepts from (-1 with errno set when it cannot be made). */
static int listen_socket(const struct sockaddr_in *addr)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0)
        return -1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(fd, (const struct sockaddr *)addr, sizeof(*addr)) != 0 || listen(fd, SOMAXCONN) != 0) {
        int keep = errno;
        close(fd);
        errno = keep;
        return -1;
    }
    return fd;
}

/* Starts loop l: its daemon on (a duplicate of) listening socket fd, with limit connections at most,
 * and the thread that runs it (0, or -1 with nothing of l left open). */
static int loop_start(struct http_server *s, struct loop *l, int fd, unsigned limit)
{
    const struct server_config *cfg = &s->cfg;
    int own = dup(fd);
    l->stop_fd = s->stop_fd;
    l->wait_fd = epoll_create1(EPOLL_CLOEXEC);
    if (own < 0 || l->wait_fd < 0)
        goto fail;
    l->d = MHD_start_daemon(MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_access, s,
                            MHD_OPTION_LISTEN_SOCKET, own, MHD_OPTION_CONNECTION_LIMIT, limit,
                            MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s ? cfg->timeout_s : 30,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)64 * 1024, MHD_OPTION_NOTIFY_COMPLETED,
                            on_completed, s, MHD_OPTION_END);
    if (!l->d)
        goto fail;
    own = -1; /* the daemon's now: closed when it stops */
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(l->d, MHD_DAEMON_INFO_EPOLL_FD);
    struct epoll_event in = {.events = EPOLLIN};
    in.data.fd = info ? info->epoll_fd : -1;
    if (!info || epoll_ctl(l->wait_fd, EPOLL_CTL_ADD, info->epoll_fd, &in) != 0)
        goto fail;
    in.data.fd = l->stop_fd;
    if (epoll_ctl(l->wait_fd, EPOLL_CTL_ADD, l->stop_fd, &in) != 0 || pthread_create(&l->thread, NULL, serve_loop, l))
        goto fail;
    return 0;
fail:
    if (l->d)
        MHD_stop_daemon(l->d);
    l->d = NULL;
    if (own >= 0)
        close(own);
    if (l->wait_fd >= 0)
        close(l->wait_fd);
    return -1;
}

/* Stops the loops started (s->n of them) and closes what the server holds. */
static void server_free(struct http_server *s)
{
    if (s->n > 0) {
        uint64_t one = 1; /* never read: every loop sees the eventfd readable */
        if (write(s->stop_fd, &one, sizeof(one)) != (ssize_t)sizeof(one))
            perror("talentd: stopping the event loops");
    }
    for (unsigned i = 0; i < s->n; i++) {
        pthread_join(s->loops[i].thread, NULL);
        MHD_stop_daemon(s->loops[i].d);
        close(s->loops[i].wait_fd);
    }
    if (s->stop_fd >= 0)
        close(s->stop_fd);
    free(s->loops);
    free(s);
}

int http_server_start(const struct server_config *cfg, struct http_server **out, struct err *e)
{
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof(addr));
    addr.sin_family = AF_INET;
    addr.sin_port = htons(cfg->port);
    if (inet_pton(AF_INET, cfg->host, &addr.sin_addr) != 1)
        return err_set(e, ERR_INVALID, NULL, "listen", "cannot parse listen address %s", cfg->host);
    int fd = listen_socket(&addr);
    if (fd < 0)
        return err_set(e, ERR_INTERNAL, NULL, "listen", "cannot listen on %s:%u: %s", cfg->host, cfg->port,
                       strerror(errno));
    struct http_server *s = xcalloc(1, sizeof(*s));
    s->cfg = *cfg;
    unsigned threads = cfg->threads < 1 ? 1 : cfg->threads;
    unsigned limit = (cfg->conn_limit ? cfg->conn_limit : 1024) / threads;
    s->loops = xcalloc(threads, sizeof(*s->loops));
    s->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    int rc = s->stop_fd < 0 ? -1 : 0;
    for (unsigned i = 0; i < threads && rc == 0; i++)
        if ((rc = loop_start(s, &s->loops[i], fd, limit ? limit : 1)) == 0)
            s->n++;
    close(fd); /* each daemon holds its own duplicate */
    if (rc != 0) {
        server_free(s);
        return err_set(e, ERR_INTERNAL, NULL, "listen", "cannot start the server's event loops");
    }
    *out = s;
    return 0;
}

void http_server_stop(struct http_server *s)
{
    if (s)
        server_free(s);
}

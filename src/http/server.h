/* server.h - the libmicrohttpd server: epoll thread pool, limits, the
 * two-call handler pattern, capped body accumulation, access log. */
#ifndef TALENTD_SERVER_H
#define TALENTD_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "lib/crypto.h"
#include "lib/err.h"

struct interview_scorer; /* svc/interviews.h */

struct server_config {
    const char *host; /* "127.0.0.1" */
    uint16_t port;
    unsigned threads; /* event-loop threads; 1: one loop (serve's default: one per core, >= 2) */
    size_t max_body;  /* bytes; larger bodies get 413 */
    unsigned conn_limit;
    unsigned timeout_s;
    const char *db_url; /* each worker thread opens its own connection */
    const struct keyring *kr;
    const char *web_root;                  /* directory of the built web UI, or NULL */
    const char *data_dir;                  /* the data directory (vendor mappings, exports) */
    const char *public_url;                /* the address candidates and users reach talentd at; may be NULL */
    int quiet;                             /* no access log */
    const struct interview_scorer *scorer; /* scores completed interviews; NULL: the built-in one */
};

struct http_server;

/* Starts listening; *out is owned by the caller (http_server_stop). */
int http_server_start(const struct server_config *cfg, struct http_server **out, struct err *e);
void http_server_stop(struct http_server *s);

#endif

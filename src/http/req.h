/* req.h - one HTTP request as the API handlers see it.
 *
 * The server accumulates the body (capped), the router fills the path
 * parameters and the actor, the handler sets status + out (a JSON value it
 * hands over) or returns a negative ERR_* with r->err filled, and the server
 * writes the response: the value, or the error envelope
 * {"error":{"code","message","field"?,...}}. */
#ifndef TALENTD_REQ_H
#define TALENTD_REQ_H

#include <jansson.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/mem.h"
#include "lib/strbuf.h"
#include "svc/svc.h"

struct MHD_Connection;

#define REQ_MAX_PARAMS 4

struct req {
    struct MHD_Connection *conn;
    const char *method;
    const char *url;
    struct strbuf body;
    int body_too_large;
    struct arena arena;
    char request_id[40];
    int64_t t0_us;
    const char *params[REQ_MAX_PARAMS]; /* {id}-style path segments in order (arena) */
    int nparams;
    struct actor actor;
    int via_cookie;     /* authenticated by the session cookie */
    char csrf[96];      /* that session's CSRF token */
    struct svc_ctx ctx; /* db, keyring, actor, err for svc calls */

    /* response */
    int status;
    json_t *out; /* owned; sent as JSON */
    char *raw;   /* owned; sent as is when out is NULL */
    size_t raw_len;
    const char *content_type; /* for raw */
    int file_fd;              /* > 0: the body is this open file of file_len bytes; the server sends and closes it */
    uint64_t file_len;
    char *disposition; /* owned; Content-Disposition of a file body */
    /* static files of the web UI (http/static.h); NULL/empty: not sent, and Cache-Control: no-store */
    const char *cache_control;    /* static string */
    const char *content_encoding; /* static string, e.g. "gzip" */
    const char *vary;             /* static string */
    const char *csp;              /* static string: Content-Security-Policy of an HTML page */
    char etag[64];
    char *set_cookie; /* owned */
    char *location;   /* owned */
    struct err err;
};

/* Query parameter value or NULL. */
const char *req_query(struct req *r, const char *name);

/* 0 if every query parameter is in allowed (NULL-terminated; a trailing '*'
 * in an entry matches a prefix, e.g. "dim.*"), else ERR_MALFORMED naming the
 * unknown parameter. */
int req_check_query(struct req *r, const char *const *allowed);

/* Header value or NULL. */
const char *req_header(struct req *r, const char *name);

/* Parses path parameter i as a positive 64-bit id; ERR_NOT_FOUND if it is not one. */
int req_param_id(struct req *r, int i, int64_t *id);

/* Parses the JSON body into *out (new reference): ERR_MALFORMED on empty or
 * invalid JSON (message with line/column), ERR_INVALID when it is not an object. */
int req_json_body(struct req *r, json_t **out);

/* Sets status and the JSON body (reference stolen). Returns 0. */
int req_reply(struct req *r, int status, json_t *out);

/* Sets status 200 and the body to the open file fd of len bytes (the server sends and closes
 * it; so does req_free when it is never sent), with Content-Type ctype and an "attachment"
 * Content-Disposition naming filename: an ASCII fallback and, for other UTF-8 names, RFC 5987
 * filename*. Returns 0. */
int req_reply_file(struct req *r, int fd, uint64_t len, const char *ctype, const char *filename);

#endif

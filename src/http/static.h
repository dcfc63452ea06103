/* static.h - the built web UI (web/dist) served by the HTTP layer at "/".
 *
 * The UI's files are not API routes (docs/openapi.yaml does not list them):
 * the server asks http_static_applies() about every request before the
 * route table answers it, and http_static_serve() answers from the UI
 * directory. The rules (docs/ui.md):
 *   - only GET and HEAD, never a path under /api/;
 *   - an existing file is served to anyone, with its Content-Type; hashed
 *     build output under /assets/ is cached for a year (immutable), every
 *     other file (index.html) is revalidated (no-cache, ETag);
 *   - HTML is for those who ask for it: GET / and client-side routes such as
 *     /applications/7 answer index.html only when the Accept header names
 *     text/html (a browser navigating). API clients (fetch's default Accept
 *     of any type, or application/json) keep getting the JSON root document at / and 404
 *     envelopes for unknown paths;
 *   - FILE.gz next to FILE is sent instead (Content-Encoding: gzip) when the
 *     client accepts gzip;
 *   - paths with a segment starting with '.' (so "..", hidden files), a
 *     backslash, control characters or "//" are refused (400), symbolic links
 *     are not followed, files larger than HTTP_STATIC_MAX_FILE are refused. */
#ifndef TALENTD_STATIC_H
#define TALENTD_STATIC_H

#include <stddef.h>

#include "http/req.h"
#include "lib/err.h"

#define HTTP_STATIC_MAX_FILE ((long long)32 * 1024 * 1024)
#define HTTP_STATIC_MAX_PATH 1024

/* Finds the UI directory and writes its absolute path to out (n bytes).
 * dir is the one the operator named (--web or TALENTD_WEB_DIR), or NULL for
 * the default: web/dist next to the source tree the binary was built in,
 * <directory of the executable>/../web/dist. Returns 0 when the directory
 * holds an index.html; 1 when dir is NULL and no default UI is built (not an
 * error: the server answers the API only); ERR_NOT_FOUND with e filled when
 * the named dir has no index.html. */
int http_static_find_root(const char *dir, char *out, size_t n, struct err *e);

/* 1 if the UI should answer r for path (the URL path without the query):
 * GET or HEAD, not under /api/, and either no route matched (routed == 0) or
 * the path is "/" and the client asks for text/html. 0 otherwise. */
int http_static_applies(struct req *r, const char *path, int routed);

/* Answers r from the UI directory root (http_static_find_root's): sets the
 * status, the open file (r->file_fd, which the server sends and closes),
 * Content-Type, Cache-Control, ETag (304 when If-None-Match matches) and
 * Content-Encoding. Returns 0, or ERR_MALFORMED (a refused path),
 * ERR_NOT_FOUND (no such file, and no HTML fallback) or ERR_INTERNAL (an
 * unreadable or oversized file) with r->err filled. */
int http_static_serve(struct req *r, const char *root, const char *path);

/* 1 if path (starting with '/') is one the UI may serve, per the rules above. */
int http_static_path_ok(const char *path);

/* The Content-Type for a file name, by its extension; application/octet-stream when unknown. */
const char *http_static_mime(const char *name);

/* 1 if the header value (Accept or Accept-Encoding: a comma separated list
 * with optional ";q=" weights) lists token (case-insensitive) with a weight
 * above 0. Wildcards do not count. header may be NULL. */
int http_static_accepts(const char *header, const char *token);

#endif

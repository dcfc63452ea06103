/* scorer_http.h - the external interview scorer (issue 4): the scoring
 * request of a completed session (svc/interviews.h, struct
 * interview_scorer, "result") is POSTed as JSON to a URL the operator
 * configures (`talentd serve --scorer-url URL`, `talentd rescore
 * --scorer-url URL`), and the answer is a normalised result
 * (docs/results.md), taken through the same ingestion path as any vendor
 * result after svc/interviews.c has forced its vendor, identity and
 * application.
 *
 * One call makes at most SCORER_HTTP_ATTEMPTS attempts, each bounded by
 * the configured timeout (connecting included), with pauses of 0.5 s and
 * 1 s between them, so it never takes longer than 3 x timeout + 1.5 s. A
 * connection failure, a timeout, HTTP 408, 429 or 5xx is tried again; any
 * other non-2xx, a body that is not a JSON object or a body over
 * SCORER_HTTP_BODY_MAX fails at once. Only http:// and https:// URLs, no
 * redirects followed. Error messages never contain the URL (it may carry a
 * credential). */
#ifndef TALENTD_SCORER_HTTP_H
#define TALENTD_SCORER_HTTP_H

#include "svc/interviews.h"

#define SCORER_HTTP_TIMEOUT_S_DEFAULT 10
#define SCORER_HTTP_TIMEOUT_S_MAX 300
#define SCORER_HTTP_ATTEMPTS 3
#define SCORER_HTTP_URL_MAX 2048
#define SCORER_HTTP_BODY_MAX ((size_t)16 * 1024 * 1024)
#define SCORER_HTTP_VENDOR_DEFAULT "external"

struct scorer_http {
    struct interview_scorer scorer; /* what svc takes; its ud points back here */
    char url[SCORER_HTTP_URL_MAX];
    char vendor[33];
    long timeout_ms; /* per attempt */
    long backoff_ms[SCORER_HTTP_ATTEMPTS - 1];
};

/* Fills h: url must be http:// or https:// followed by a host, printable
 * ASCII without spaces, shorter than SCORER_HTTP_URL_MAX; vendor (NULL:
 * "external") follows the result schema's vendor rule [a-z0-9_-]{1,32};
 * timeout_s is 1..SCORER_HTTP_TIMEOUT_S_MAX (0: the default). 422 naming
 * the option otherwise. h must outlive every use of h->scorer. */
int scorer_http_init(struct scorer_http *h, const char *url, const char *vendor, int timeout_s, struct err *e);

#endif

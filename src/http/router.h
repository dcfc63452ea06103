/* router.h - the route table: method + pattern -> handler, with who may call it.
 *
 * Patterns are literal segments and "{name}" segments (one path segment,
 * delivered in req->params in order). Access: a route is public, or lists the
 * roles that may call it and the scope an API token needs. */
#ifndef TALENTD_ROUTER_H
#define TALENTD_ROUTER_H

#include "http/req.h"

typedef int (*route_fn)(struct req *r);

enum route_flags {
    ROUTE_PUBLIC = 1,      /* no authentication */
    ROUTE_CREATE = 2,      /* POST that creates: honours Idempotency-Key */
    ROUTE_NO_CSRF = 4,     /* cookie callers need no CSRF token (login) */
    ROUTE_SNAPSHOT = 8,    /* SQLite: authentication and the handler's first read share one read
                            * transaction (one round of file locks, not two); the handler ends it
                            * (db_rollback) before any transaction of its own */
};

struct route {
    const char *method;
    const char *pattern;
    route_fn fn;
    unsigned roles;        /* ROLE_BIT mask; ignored when ROUTE_PUBLIC */
    const char *scope;     /* token scope required, e.g. "candidates:read" */
    unsigned flags;
};

extern const struct route routes[];
extern const int routes_count;

/* Finds the route for method+path, filling r->params. Returns the route, or
 * NULL with *status 404 (no such path) or 405 (path exists, other method). */
const struct route *router_match(struct req *r, const char *method, const char *path, int *status);

/* 1 if the token scopes (comma separated) include scope. */
int scope_allows(const char *scopes, const char *scope);

#endif

/* auth.c - resolving credentials to an actor (the lookups are svc_auth_*). */
#include "http/auth.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "svc/auth.h"

void auth_client_ip(struct req *r, char *out, size_t n)
{
    snprintf(out, n, "unknown");
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out, (socklen_t)n);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out, (socklen_t)n);
}

int auth_resolve(struct req *r)
{
    auth_client_ip(r, r->actor.ip, sizeof(r->actor.ip));
    const char *authz = req_header(r, "Authorization");
    if (authz) {
        if (strncasecmp(authz, "Bearer ", 7) != 0)
            return err_set(&r->err, ERR_UNAUTHORIZED, NULL, NULL, "unsupported Authorization scheme");
        const char *tok = authz + 7;
        while (*tok == ' ')
            tok++;
        return svc_auth_token(&r->ctx, tok, &r->actor);
    }
    const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, SESSION_COOKIE);
    if (cookie && *cookie) {
        int rc = svc_auth_session(&r->ctx, cookie, &r->actor, r->csrf, sizeof(r->csrf));
        if (rc != 0)
            return rc;
        r->via_cookie = 1;
    }
    return 0;
}

int auth_check_csrf(struct req *r)
{
    const char *h = req_header(r, "X-CSRF-Token");
    size_t n = strlen(r->csrf);
    if (!h || strlen(h) != n || n == 0 || !crypto_consttime_eq(h, r->csrf, n))
        return err_set(&r->err, ERR_FORBIDDEN, "csrf_failed", NULL,
                       "missing or wrong X-CSRF-Token header for a cookie session");
    return 0;
}

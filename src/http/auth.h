/* auth.h - who is calling: session cookie (+ CSRF token) or bearer token. */
#ifndef TALENTD_AUTH_H
#define TALENTD_AUTH_H

#include "http/req.h"

#define SESSION_COOKIE "talentd_session"

/* Fills r->actor from the Authorization header or the session cookie. No
 * credentials leaves the actor anonymous (ROLE_NONE, returns 0); invalid,
 * expired or revoked credentials are ERR_UNAUTHORIZED. */
int auth_resolve(struct req *r);

/* For cookie-authenticated unsafe requests: X-CSRF-Token must match the
 * session's token (ERR_FORBIDDEN "csrf_failed" otherwise). */
int auth_check_csrf(struct req *r);

/* The caller's address as text (for rate limiting and audit). */
void auth_client_ip(struct req *r, char *out, size_t n);

#endif

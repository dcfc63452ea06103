/* auth.h - identity use cases: login/logout, sessions, API tokens, users. */
#ifndef TALENTD_SVC_AUTH_H
#define TALENTD_SVC_AUTH_H

#include "svc/svc.h"

#define SESSION_TTL_MS (12LL * 3600 * 1000)
#define LOGIN_WINDOW_MS (15LL * 60 * 1000)
#define LOGIN_MAX_FAILURES_USER 5
#define LOGIN_MAX_FAILURES_IP 30

/* Every scope an API token may carry (NULL-terminated). */
extern const char *const token_scopes[];

/* Resolves a bearer token to its owner's actor with the token's scopes.
 * ERR_UNAUTHORIZED when unknown, revoked, expired or the user is disabled. */
int svc_auth_token(struct svc_ctx *c, const char *token, struct actor *out);

/* Resolves a session cookie value; copies the session's CSRF token into csrf. */
int svc_auth_session(struct svc_ctx *c, const char *token, struct actor *out, char *csrf, size_t csrf_n);

/* in: {username, password}. Rate limited per username and per ip (ERR_RATE_LIMITED).
 * On success *out = {user, csrf_token, expires_at} and *session_token (heap) is the cookie value. */
int svc_login(struct svc_ctx *c, json_t *in, const char *ip, json_t **out, char **session_token);

/* Ends the session with this cookie value (no error if already gone). */
int svc_logout(struct svc_ctx *c, const char *session_token);

/* The calling user's view. */
int svc_me(struct svc_ctx *c, json_t **out);

/* Users. in for create: {username, role, password, display_name?, org_unit? (code; required for manager)}. */
int svc_user_create(struct svc_ctx *c, json_t *in, json_t **out);
int svc_user_get(struct svc_ctx *c, int64_t id, json_t **out);
/* query: role, disabled ("true"/"false"), limit, cursor. */
int svc_user_list(struct svc_ctx *c, json_t *query, json_t **out);
/* The staff directory for picking people (an application's interviewers, an org unit's manager): the
 * active users as {id, username, display_name, role, org_unit}. query: role, limit, cursor. */
int svc_staff_list(struct svc_ctx *c, json_t *query, json_t **out);
/* in: {display_name?, role?, org_unit?, password?, disabled?} */
int svc_user_update(struct svc_ctx *c, int64_t id, json_t *in, json_t **out);
/* Disables the user and ends their sessions. */
int svc_user_disable(struct svc_ctx *c, int64_t id, json_t **out);
/* Looks up a user id by username (ERR_NOT_FOUND). */
int svc_user_id(struct svc_ctx *c, const char *username, int64_t *id);

/* Tokens. in: {name, scopes:[...], user?: username (admin only; default the caller), expires_in_days?}.
 * *out includes the plain token once ("token"); only its hash is stored. */
int svc_token_create(struct svc_ctx *c, json_t *in, json_t **out);
int svc_token_list(struct svc_ctx *c, json_t *query, json_t **out);
int svc_token_revoke(struct svc_ctx *c, int64_t id, json_t **out);

#endif

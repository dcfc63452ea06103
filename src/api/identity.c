/* identity.c - /auth, /me, /users, /tokens. */
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

#include "api/api.h"
#include "http/auth.h"
#include "lib/mem.h"
#include "svc/auth.h"

int api_login(struct req *r)
{
    json_t *in = NULL, *out = NULL;
    char *token = NULL;
    int rc = req_json_body(r, &in);
    if (rc == 0)
        rc = svc_login(&r->ctx, in, r->actor.ip, &out, &token);
    json_decref(in);
    if (rc != 0)
        return rc;
    r->set_cookie = xasprintf("%s=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld", SESSION_COOKIE, token,
                              (long long)(SESSION_TTL_MS / 1000));
    free(token);
    return req_reply(r, 200, out);
}

int api_logout(struct req *r)
{
    const char *cookie = MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, SESSION_COOKIE);
    if (!r->via_cookie || !cookie) /* a bearer token is revoked, not logged out */
        return req_reply(r, 200, json_pack("{s:b}", "logged_out", 0));
    int rc = svc_logout(&r->ctx, cookie);
    if (rc != 0)
        return rc;
    r->set_cookie = xasprintf("%s=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0", SESSION_COOKIE);
    return req_reply(r, 200, json_pack("{s:b}", "logged_out", 1));
}

int api_me(struct req *r)
{
    json_t *out = NULL;
    int rc = svc_me(&r->ctx, &out);
    if (rc)
        return rc;
    /* A session caller (the web UI after a reload) learns its CSRF token again; another origin
     * cannot read this answer, and a bearer token has none. */
    if (r->via_cookie && r->csrf[0])
        json_object_set_new(out, "csrf_token", json_string(r->csrf));
    return req_reply(r, 200, out);
}

int api_users_list(struct req *r)
{
    return api_list(r, svc_user_list);
}
int api_staff_list(struct req *r)
{
    return api_list(r, svc_staff_list);
}
int api_users_create(struct req *r)
{
    return api_create(r, svc_user_create);
}

static int user_get_tx(struct svc_ctx *c, int64_t id, json_t **out)
{
    int rc = svc_begin_read(c);
    if (rc == 0)
        rc = svc_user_get(c, id, out);
    return svc_end(c, rc);
}

int api_users_get(struct req *r)
{
    return api_get(r, user_get_tx);
}
int api_users_update(struct req *r)
{
    return api_update(r, svc_user_update);
}
int api_users_disable(struct req *r)
{
    return api_action(r, svc_user_disable);
}
int api_tokens_list(struct req *r)
{
    return api_list(r, svc_token_list);
}
int api_tokens_create(struct req *r)
{
    return api_create(r, svc_token_create);
}
int api_tokens_revoke(struct req *r)
{
    return api_action(r, svc_token_revoke);
}

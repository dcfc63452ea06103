/* auth.c - login, logout, sessions and bearer-token resolution. */
#include "svc/auth.h"

#include <stdio.h>
#include <string.h>

#include "lib/mem.h"
#include "lib/timeutil.h"
#include "svc/read_cache.h"
#include "svc/validate.h"
#include "svc/views.h"

#define ACTOR_COLS "u.username, u.role, u.org_unit_id, u.disabled, o.path"

/* Fills an actor from ACTOR_COLS at column col of s (the user user_id); ERR_UNAUTHORIZED when the
 * user is missing or disabled. Does not reset s. */
static int actor_from_row(struct svc_ctx *c, struct db_stmt *s, int col, int64_t user_id, struct actor *a)
{
    if (db_col_isnull(s, col) || db_col_int64(s, col + 3) != 0)
        return err_set(c->e, ERR_UNAUTHORIZED, NULL, NULL, "the account is disabled or gone");
    a->user_id = user_id;
    snprintf(a->username, sizeof(a->username), "%s", db_col_text(s, col));
    a->role = role_parse(db_col_text(s, col + 1));
    a->org_unit_id = db_col_int64(s, col + 2);
    snprintf(a->org_path, sizeof(a->org_path), "%s", db_col_isnull(s, col + 4) ? "" : db_col_text(s, col + 4));
    /* A manager without an org unit sees nothing rather than everything. */
    if (a->role == ROLE_MANAGER && !a->org_path[0])
        snprintf(a->org_path, sizeof(a->org_path), "/none/");
    return 0;
}

/* Loads the user row into an actor; ERR_UNAUTHORIZED when missing or disabled. */
static int load_actor(struct svc_ctx *c, int64_t user_id, struct actor *a)
{
    struct db_stmt *s;
    int rc = svc_prepare(c,
                         "SELECT " ACTOR_COLS " FROM users u LEFT JOIN org_unit o ON o.id = u.org_unit_id "
                         "WHERE u.id = ?",
                         &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, user_id);
    rc = db_step(s, c->e);
    if (rc == DB_ROW)
        rc = actor_from_row(c, s, 0, user_id, a);
    else if (rc == DB_DONE)
        rc = err_set(c->e, ERR_UNAUTHORIZED, NULL, NULL, "the account is disabled or gone");
    db_reset(s);
    return rc;
}

/* The actor of a valid cached lookup of credential hash into out (its ip kept), with the
 * session's CSRF token into csrf (when not NULL): 1, or 0 when the database must be asked (nothing
 * cached, changed since, or expired by now). */
static int auth_cached(const char *hash, int session, int64_t now, struct actor *out, char *csrf, size_t csrf_n)
{
    struct auth_entry e;
    if (!auth_cache_get(hash, session, &e) || e.expires_at <= now)
        return 0;
    char ip[sizeof(out->ip)];
    memcpy(ip, out->ip, sizeof(ip));
    *out = e.actor;
    memcpy(out->ip, ip, sizeof(ip));
    if (csrf)
        snprintf(csrf, csrf_n, "%s", e.csrf);
    return 1;
}

/* Files a successful lookup of credential hash read at generation gen. */
static void auth_remember(const char *hash, int session, uint64_t gen, int64_t expires_at, const struct actor *a,
                          const char *csrf)
{
    struct auth_entry e = {.gen = gen, .session = session, .expires_at = expires_at, .actor = *a};
    snprintf(e.hash, sizeof(e.hash), "%s", hash);
    snprintf(e.csrf, sizeof(e.csrf), "%s", csrf ? csrf : "");
    auth_cache_put(&e);
}

/* The token's row and its owner's in one statement: one lookup per request, none for a token
 * looked up before while nothing changed (svc/read_cache.h). */
int svc_auth_token(struct svc_ctx *c, const char *token, struct actor *out)
{
    char hash[65];
    crypto_sha256_hex(token, strlen(token), hash);
    int64_t now = time_now_ms();
    uint64_t gen = 0;
    int cache = read_cache_on(c, &gen);
    if (cache && auth_cached(hash, 0, now, out, NULL, 0))
        return 0;
    struct db_stmt *s;
    int rc = svc_prepare(c,
                         "SELECT t.id, t.user_id, t.scopes, t.expires_at, t.revoked_at, " ACTOR_COLS
                         " FROM api_token t LEFT JOIN users u ON u.id = t.user_id "
                         "LEFT JOIN org_unit o ON o.id = u.org_unit_id WHERE t.token_hash = ?",
                         &s);
    if (rc != 0)
        return rc;
    db_bind_text(s, 1, hash);
    rc = db_step(s, c->e);
    if (rc < 0)
        return rc;
    if (rc != DB_ROW || !db_col_isnull(s, 4) || (!db_col_isnull(s, 3) && db_col_int64(s, 3) <= now)) {
        db_reset(s);
        return err_set(c->e, ERR_UNAUTHORIZED, "invalid_token", NULL, "the API token is unknown, revoked or expired");
    }
    int64_t tid = db_col_int64(s, 0), uid = db_col_int64(s, 1);
    int64_t expires = db_col_isnull(s, 3) ? INT64_MAX : db_col_int64(s, 3);
    char scopes[sizeof(out->scopes)];
    snprintf(scopes, sizeof(scopes), "%s", db_col_text(s, 2));
    rc = actor_from_row(c, s, 5, uid, out);
    db_reset(s);
    if (rc != 0)
        return rc;
    out->token_id = tid;
    snprintf(out->scopes, sizeof(out->scopes), "%s", scopes);
    if (cache)
        auth_remember(hash, 0, gen, expires, out, NULL);
    return 0;
}

int svc_auth_session(struct svc_ctx *c, const char *token, struct actor *out, char *csrf, size_t csrf_n)
{
    char hash[65];
    crypto_sha256_hex(token, strlen(token), hash);
    int64_t now = time_now_ms();
    uint64_t gen = 0;
    int cache = read_cache_on(c, &gen);
    if (cache && auth_cached(hash, 1, now, out, csrf, csrf_n))
        return 0;
    struct db_stmt *s;
    int rc = svc_prepare(c,
                         "SELECT x.user_id, x.csrf_token, x.expires_at, " ACTOR_COLS
                         " FROM session x LEFT JOIN users u ON u.id = x.user_id "
                         "LEFT JOIN org_unit o ON o.id = u.org_unit_id WHERE x.token_hash = ?",
                         &s);
    if (rc != 0)
        return rc;
    db_bind_text(s, 1, hash);
    rc = db_step(s, c->e);
    if (rc < 0)
        return rc;
    if (rc != DB_ROW || db_col_int64(s, 2) <= now) {
        db_reset(s);
        return err_set(c->e, ERR_UNAUTHORIZED, "session_expired", NULL, "the session has ended; log in again");
    }
    int64_t uid = db_col_int64(s, 0), expires = db_col_int64(s, 2);
    snprintf(csrf, csrf_n, "%s", db_col_text(s, 1));
    rc = actor_from_row(c, s, 3, uid, out);
    db_reset(s);
    if (rc == 0 && cache)
        auth_remember(hash, 1, gen, expires, out, csrf);
    return rc;
}

static int count_failures(struct svc_ctx *c, const char *sql, const char *key, int64_t *n)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, sql, &s);
    if (rc != 0)
        return rc;
    db_bind_text(s, 1, key);
    db_bind_int64(s, 2, c->now - LOGIN_WINDOW_MS);
    rc = db_step(s, c->e);
    *n = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_reset(s);
    return rc < 0 ? rc : 0;
}

/* Records a failed attempt in its own committed transaction. */
static void record_failure(struct svc_ctx *c, const char *username, const char *ip)
{
    struct err ignored = {0};
    struct err *saved = c->e;
    c->e = &ignored;
    struct db_stmt *s;
    if (svc_begin(c) == 0 && svc_prepare(c, "INSERT INTO login_failure (username, ip, at) VALUES (?, ?, ?)", &s) == 0) {
        db_bind_text(s, 1, username);
        db_bind_text(s, 2, ip);
        db_bind_int64(s, 3, c->now);
        if (db_step(s, c->e) >= 0)
            svc_commit(c);
        db_reset(s);
    }
    db_rollback(c->db);
    c->e = saved;
}

/* A valid Argon2id hash of a random string: verifying against it costs the
 * same as for a real user, so unknown usernames take as long as wrong passwords. */
static const char *dummy_hash(void)
{
    static char h[PWHASH_MAX];
    static int done;
    if (!done) {
        char pw[33];
        crypto_random_password(pw, 32);
        crypto_password_hash(pw, h, NULL);
        done = 1;
    }
    return h;
}

int svc_login(struct svc_ctx *c, json_t *in, const char *ip, json_t **out, char **session_token)
{
    static const char *const fields[] = {"username", "password", NULL};
    const char *username, *password;
    int rc;
    *out = NULL;
    *session_token = NULL;
    if ((rc = jv_known(in, fields, c->e)) != 0 || (rc = jv_string(in, "username", 1, 64, &username, NULL, c->e)) ||
        (rc = jv_string(in, "password", 1, 1024, &password, NULL, c->e)))
        return rc;
    if ((rc = svc_begin(c)) != 0)
        return rc;
    int64_t nu = 0, ni = 0;
    if ((rc = count_failures(c, "SELECT COUNT(*) FROM login_failure WHERE username = ? AND at > ?", username, &nu)) !=
            0 ||
        (rc = count_failures(c, "SELECT COUNT(*) FROM login_failure WHERE ip = ? AND at > ?", ip, &ni)) != 0)
        return svc_end(c, rc);
    if (nu >= LOGIN_MAX_FAILURES_USER || ni >= LOGIN_MAX_FAILURES_IP)
        return svc_end(c,
                       err_set(c->e, ERR_RATE_LIMITED, NULL, NULL, "too many failed logins; try again in 15 minutes"));
    struct db_stmt *s;
    if ((rc = svc_prepare(c, "SELECT id, password_hash, disabled FROM users WHERE username = ?", &s)) != 0)
        return svc_end(c, rc);
    db_bind_text(s, 1, username);
    rc = db_step(s, c->e);
    if (rc < 0)
        return svc_end(c, rc);
    int64_t uid = 0;
    int ok;
    if (rc == DB_ROW) {
        uid = db_col_int64(s, 0);
        ok = crypto_password_verify(db_col_text(s, 1), password) == 0 && db_col_int64(s, 2) == 0;
    } else {
        crypto_password_verify(dummy_hash(), password);
        ok = 0;
    }
    db_reset(s);
    if (!ok) {
        db_rollback(c->db);
        record_failure(c, username, ip);
        return err_set(c->e, ERR_UNAUTHORIZED, "invalid_credentials", NULL, "wrong username or password");
    }
    struct actor a = {0};
    if ((rc = load_actor(c, uid, &a)) != 0)
        return svc_end(c, rc);
    snprintf(a.ip, sizeof(a.ip), "%s", ip);
    const struct actor *saved = c->actor;
    c->actor = &a;

    char tok[96], csrf[96], hash[65];
    crypto_random_token("", tok, sizeof(tok));
    crypto_random_token("", csrf, sizeof(csrf));
    crypto_sha256_hex(tok, strlen(tok), hash);
    int64_t expires = c->now + SESSION_TTL_MS;
    if ((rc = svc_prepare(c,
                          "INSERT INTO session (token_hash, user_id, csrf_token, ip, created_at, expires_at) "
                          "VALUES (?, ?, ?, ?, ?, ?)",
                          &s)) != 0)
        goto done;
    db_bind_text(s, 1, hash);
    db_bind_int64(s, 2, uid);
    db_bind_text(s, 3, csrf);
    db_bind_text(s, 4, ip);
    db_bind_int64(s, 5, c->now);
    db_bind_int64(s, 6, expires);
    rc = db_step(s, c->e);
    db_reset(s);
    if (rc < 0)
        goto done;
    if ((rc = svc_prepare(c, "DELETE FROM login_failure WHERE username = ?", &s)) != 0)
        goto done;
    db_bind_text(s, 1, username);
    rc = db_step(s, c->e);
    db_reset(s);
    if (rc < 0)
        goto done;
    json_t *info = json_pack("{s:s}", "ip", ip);
    rc = svc_audit(c, "auth.login", "user", uid, NULL, info);
    json_decref(info);
    if (rc != 0 || (rc = svc_commit(c)) != 0)
        goto done;
    json_t *user = NULL;
    if ((rc = svc_user_get(c, uid, &user)) != 0)
        goto done;
    char exp[32];
    time_format_rfc3339(expires, exp);
    *out = json_pack("{s:o,s:s,s:s}", "user", user, "csrf_token", csrf, "expires_at", exp);
    *session_token = xstrdup(tok);
done:
    c->actor = saved;
    return svc_end(c, rc);
}

int svc_logout(struct svc_ctx *c, const char *session_token)
{
    char hash[65];
    crypto_sha256_hex(session_token, strlen(session_token), hash);
    int rc = svc_begin(c);
    if (rc != 0)
        return rc;
    struct db_stmt *s;
    if ((rc = svc_prepare(c, "DELETE FROM session WHERE token_hash = ?", &s)) != 0)
        return svc_end(c, rc);
    db_bind_text(s, 1, hash);
    rc = db_step(s, c->e);
    db_reset(s);
    if (rc < 0)
        return svc_end(c, rc);
    if (db_changes(c->db) > 0 && (rc = svc_audit(c, "auth.logout", "user", c->actor->user_id, NULL, NULL)) != 0)
        return svc_end(c, rc);
    return svc_end(c, svc_commit(c));
}

int svc_me(struct svc_ctx *c, json_t **out)
{
    if (c->actor->role == ROLE_SYSTEM || !c->actor->user_id)
        return err_set(c->e, ERR_NOT_FOUND, NULL, NULL, "no user");
    json_t *u = NULL;
    int rc = svc_user_get(c, c->actor->user_id, &u);
    if (rc != 0)
        return rc;
    if (c->actor->token_id) {
        json_t *sc = json_array();
        char buf[sizeof(c->actor->scopes)];
        snprintf(buf, sizeof(buf), "%s", c->actor->scopes);
        for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
            json_array_append_new(sc, json_string(t));
        json_object_set_new(u, "token_scopes", sc);
    }
    *out = u;
    return 0;
}

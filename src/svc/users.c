/* users.c - user accounts and API tokens. */
#include <stdio.h>
#include <string.h>

#include "lib/mem.h"
#include "svc/auth.h"
#include "svc/org.h"
#include "svc/query.h"
#include "svc/validate.h"
#include "svc/views.h"

const char *const token_scopes[] = {
    "org:read",          "org:write",
    "positions:read",    "positions:write",
    "candidates:read",   "candidates:write",
    "applications:read", "applications:write",
    "users:read",        "users:write",
    "tokens:write",      "audit:read",
    "results:read",      "results:write",
    "events:read",       "questions:read",
    "questions:write",   "rules:read",
    "rules:write",       "webhooks:read",
    "webhooks:write",    NULL,
};

#define USER_COLS                                                                                                      \
    "u.id, u.username, u.display_name, u.role, u.org_unit_id, o.code, u.disabled, u.created_at, u.updated_at"

static json_t *user_row(struct db_stmt *s)
{
    return json_pack("{s:I,s:s,s:s,s:s,s:o,s:o,s:b,s:o,s:o}", "id", (json_int_t)db_col_int64(s, 0), "username",
                     db_col_text(s, 1), "display_name", db_col_text(s, 2), "role", db_col_text(s, 3), "org_unit_id",
                     db_col_isnull(s, 4) ? json_null() : json_integer(db_col_int64(s, 4)), "org_unit",
                     db_col_isnull(s, 5) ? json_null() : json_string(db_col_text(s, 5)), "disabled",
                     (int)db_col_int64(s, 6), "created_at", json_time(db_col_int64(s, 7)), "updated_at",
                     json_time(db_col_int64(s, 8)));
}

int svc_user_get(struct svc_ctx *c, int64_t id, json_t **out)
{
    struct db_stmt *s;
    int rc = svc_prepare(
        c, "SELECT " USER_COLS " FROM users u LEFT JOIN org_unit o ON o.id = u.org_unit_id WHERE u.id = ?", &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, id);
    rc = db_step(s, c->e);
    if (rc == DB_ROW)
        *out = user_row(s);
    db_reset(s);
    if (rc == DB_DONE)
        return err_set(c->e, ERR_NOT_FOUND, NULL, "id", "no user %lld", (long long)id);
    return rc < 0 ? rc : 0;
}

int svc_user_id(struct svc_ctx *c, const char *username, int64_t *id)
{
    return svc_lookup_id(c, "SELECT id FROM users WHERE username = ?", username, "username", "user named", id);
}

static int check_username(const char *u, struct err *e)
{
    size_t n = strlen(u);
    if (n < 2 || n > 64)
        return err_set(e, ERR_INVALID, NULL, "username", "username must be 2 to 64 characters");
    for (const char *p = u; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' || *p == '-'))
            return err_set(e, ERR_INVALID, NULL, "username",
                           "username may contain only lower-case letters, digits, '_', '.' and '-'");
    return 0;
}

static int check_password(const char *p, struct err *e)
{
    if (strlen(p) < 10)
        return err_set(e, ERR_INVALID, "weak_password", "password", "password must be at least 10 characters");
    return 0;
}

/* Resolves the org_unit field (a code) to an id; 0 when absent. */
static int org_field(struct svc_ctx *c, json_t *in, int64_t *org_id, int *present)
{
    const char *code;
    *org_id = 0;
    int rc = jv_string(in, "org_unit", 0, 64, &code, present, c->e);
    if (rc != 0 || !code)
        return rc;
    rc = svc_org_id_by_code(c, code, org_id);
    if (rc == ERR_NOT_FOUND) {
        c->e->code = 0;
        return err_set(c->e, ERR_INVALID, "invalid_reference", "org_unit", "no org unit with code %.64s", code);
    }
    return rc;
}

int svc_user_create(struct svc_ctx *c, json_t *in, json_t **out)
{
    static const char *const fields[] = {"username", "role", "password", "display_name", "org_unit", NULL};
    const char *username, *role_s, *password, *display;
    int rc;
    if ((rc = jv_known(in, fields, c->e)) || (rc = jv_string(in, "username", 1, 64, &username, NULL, c->e)) ||
        (rc = check_username(username, c->e)) || (rc = jv_string(in, "role", 1, 32, &role_s, NULL, c->e)) ||
        (rc = jv_string(in, "password", 1, 1024, &password, NULL, c->e)) || (rc = check_password(password, c->e)) ||
        (rc = jv_string(in, "display_name", 0, 100, &display, NULL, c->e)))
        return rc;
    enum role role = role_parse(role_s);
    if (role == ROLE_NONE)
        return err_set(c->e, ERR_INVALID, NULL, "role", "role must be admin, hr, manager or interviewer");
    char hash[PWHASH_MAX];
    if ((rc = crypto_password_hash(password, hash, c->e)) != 0)
        return rc;
    if ((rc = svc_begin(c)) != 0)
        return rc;
    int64_t org_id = 0;
    if ((rc = org_field(c, in, &org_id, NULL)) != 0)
        return svc_end(c, rc);
    if (role == ROLE_MANAGER && !org_id)
        return svc_end(c, err_set(c->e, ERR_INVALID, "required", "org_unit", "a manager needs an org_unit"));
    struct db_stmt *s;
    if ((rc = svc_prepare(c,
                          "INSERT INTO users (username, display_name, role, org_unit_id, password_hash, created_at, "
                          "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          &s)) != 0)
        return svc_end(c, rc);
    db_bind_text(s, 1, username);
    db_bind_text(s, 2, display ? display : "");
    db_bind_text(s, 3, role_name(role));
    if (org_id)
        db_bind_int64(s, 4, org_id);
    else
        db_bind_null(s, 4);
    db_bind_text(s, 5, hash);
    db_bind_int64(s, 6, c->now);
    db_bind_int64(s, 7, c->now);
    rc = db_step(s, c->e);
    int64_t id = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_reset(s);
    if (rc == ERR_CONFLICT)
        return svc_duplicate(c, svc_user_id, username, "username", "username");
    if (rc < 0)
        return svc_end(c, rc);
    json_t *u = NULL;
    if ((rc = svc_user_get(c, id, &u)) || (rc = svc_audit(c, "user.create", "user", id, NULL, u)) ||
        (rc = svc_event(c, "user.created", "user", id, u)) || (rc = svc_commit(c))) {
        json_decref(u);
        return svc_end(c, rc);
    }
    *out = u;
    return 0;
}

static json_t *user_list_row(struct svc_ctx *c, struct db_stmt *s)
{
    (void)c;
    return user_row(s);
}

/* A staff directory entry (svc_staff_list): who someone is, not their account's details. */
static json_t *staff_row(struct svc_ctx *c, struct db_stmt *s)
{
    (void)c;
    return json_pack("{s:I,s:s,s:s,s:s,s:o}", "id", (json_int_t)db_col_int64(s, 0), "username", db_col_text(s, 1),
                     "display_name", db_col_text(s, 2), "role", db_col_text(s, 3), "org_unit",
                     db_col_isnull(s, 5) ? json_null() : json_string(db_col_text(s, 5)));
}

/* A page of users filtered by query's role and disabled ("true"/"false"; staff: only active users, and
 * no disabled parameter), each as staff_row or user_row maps it. */
static int users_page(struct svc_ctx *c, json_t *query, int staff, json_t **out)
{
    static const char *const user_params[] = {"role", "disabled", "limit", "cursor", NULL};
    static const char *const staff_params[] = {"role", "limit", "cursor", NULL};
    int rc, dis = 0;
    if ((rc = jq_known(query, staff ? staff_params : user_params, c->e)) ||
        (!staff && (rc = q_bool(query, "disabled", &dis, c->e))))
        return rc;
    const char *role = q_str(query, "role");
    if (role && role_parse(role) == ROLE_NONE)
        return err_set(c->e, ERR_INVALID, NULL, "role", "unknown role %.32s", role);
    struct qb q;
    qb_init(&q, "SELECT " USER_COLS " FROM users u LEFT JOIN org_unit o ON o.id = u.org_unit_id WHERE 1=1");
    if (role) {
        qb_sql(&q, " AND u.role = ?");
        qb_text(&q, role);
    }
    if (dis >= 0) {
        qb_sql(&q, " AND u.disabled = ?");
        qb_int(&q, dis);
    }
    return qb_page(c, &q, query, "u.id", staff ? staff_row : user_list_row, out);
}

int svc_user_list(struct svc_ctx *c, json_t *query, json_t **out)
{
    return users_page(c, query, 0, out);
}

int svc_staff_list(struct svc_ctx *c, json_t *query, json_t **out)
{
    return users_page(c, query, 1, out);
}

/* Ends every session of a user (after disabling or a password change). */
static int end_sessions(struct svc_ctx *c, int64_t id)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, "DELETE FROM session WHERE user_id = ?", &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, id);
    rc = db_step(s, c->e);
    db_reset(s);
    return rc < 0 ? rc : 0;
}

int svc_user_update(struct svc_ctx *c, int64_t id, json_t *in, json_t **out)
{
    static const char *const fields[] = {"display_name", "role", "org_unit", "password", "disabled", NULL};
    const char *display, *role_s, *password;
    int disabled = 0, has_dis = 0, has_org = 0, rc;
    if ((rc = jv_known(in, fields, c->e)) || (rc = jv_string(in, "display_name", 0, 100, &display, NULL, c->e)) ||
        (rc = jv_string(in, "role", 0, 32, &role_s, NULL, c->e)) ||
        (rc = jv_string(in, "password", 0, 1024, &password, NULL, c->e)) ||
        (password && (rc = check_password(password, c->e))) ||
        (rc = jv_bool(in, "disabled", &disabled, &has_dis, c->e)))
        return rc;
    enum role role = role_s ? role_parse(role_s) : ROLE_NONE;
    if (role_s && role == ROLE_NONE)
        return err_set(c->e, ERR_INVALID, NULL, "role", "role must be admin, hr, manager or interviewer");
    char hash[PWHASH_MAX] = "";
    if (password && (rc = crypto_password_hash(password, hash, c->e)) != 0)
        return rc;
    if ((rc = svc_begin(c)) != 0)
        return rc;
    json_t *before = NULL, *after = NULL;
    int64_t org_id = 0;
    if ((rc = svc_user_get(c, id, &before)) || (rc = org_field(c, in, &org_id, &has_org)))
        goto done;
    const char *new_role = role_s ? role_name(role) : json_string_value(json_object_get(before, "role"));
    int64_t final_org = has_org ? org_id : json_integer_value(json_object_get(before, "org_unit_id"));
    if (strcmp(new_role, "manager") == 0 && !final_org) {
        rc = err_set(c->e, ERR_INVALID, "required", "org_unit", "a manager needs an org_unit");
        goto done;
    }
    struct db_stmt *s;
    if ((rc = svc_prepare(c,
                          "UPDATE users SET display_name = COALESCE(?, display_name), role = ?, org_unit_id = ?, "
                          "password_hash = COALESCE(?, password_hash), disabled = ?, updated_at = ?, "
                          "version = version + 1 WHERE id = ?",
                          &s)))
        goto done;
    db_bind_text(s, 1, display);
    db_bind_text(s, 2, new_role);
    if (final_org)
        db_bind_int64(s, 3, final_org);
    else
        db_bind_null(s, 3);
    db_bind_text(s, 4, password ? hash : NULL);
    db_bind_int64(s, 5, has_dis ? disabled : json_is_true(json_object_get(before, "disabled")));
    db_bind_int64(s, 6, c->now);
    db_bind_int64(s, 7, id);
    rc = db_step(s, c->e);
    db_reset(s);
    if (rc < 0)
        goto done;
    if ((password || (has_dis && disabled)) && (rc = end_sessions(c, id)))
        goto done;
    if ((rc = svc_user_get(c, id, &after)))
        goto done;
    if (password)
        json_object_set_new(after, "password_changed", json_true());
    if ((rc = svc_audit(c, "user.update", "user", id, before, after)) ||
        (rc = svc_event(c, "user.updated", "user", id, after)) || (rc = svc_commit(c)))
        goto done;
    json_object_del(after, "password_changed");
    *out = after;
    after = NULL;
done:
    json_decref(before);
    json_decref(after);
    return svc_end(c, rc);
}

int svc_user_disable(struct svc_ctx *c, int64_t id, json_t **out)
{
    json_t *in = json_pack("{s:b}", "disabled", 1);
    int rc = svc_user_update(c, id, in, out);
    json_decref(in);
    return rc;
}

static json_t *token_row(struct db_stmt *s)
{
    json_t *sc = json_array();
    char buf[512];
    snprintf(buf, sizeof(buf), "%s", db_col_text(s, 3));
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
        json_array_append_new(sc, json_string(t));
    return json_pack("{s:I,s:s,s:s,s:o,s:s,s:o,s:o,s:o}", "id", (json_int_t)db_col_int64(s, 0), "name",
                     db_col_text(s, 1), "prefix", db_col_text(s, 2), "scopes", sc, "user", db_col_text(s, 4),
                     "created_at", json_time(db_col_int64(s, 5)), "expires_at",
                     json_time_or_null(db_col_int64(s, 6), db_col_isnull(s, 6)), "revoked_at",
                     json_time_or_null(db_col_int64(s, 7), db_col_isnull(s, 7)));
}

#define TOKEN_SELECT                                                                                                   \
    "SELECT t.id, t.name, t.prefix, t.scopes, u.username, t.created_at, t.expires_at, t.revoked_at "                   \
    "FROM api_token t JOIN users u ON u.id = t.user_id "

static int token_get(struct svc_ctx *c, int64_t id, json_t **out)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, TOKEN_SELECT "WHERE t.id = ?", &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, id);
    rc = db_step(s, c->e);
    if (rc == DB_ROW)
        *out = token_row(s);
    db_reset(s);
    if (rc == DB_DONE)
        return err_set(c->e, ERR_NOT_FOUND, NULL, "id", "no token %lld", (long long)id);
    return rc < 0 ? rc : 0;
}

static int scopes_field(json_t *in, char *out, size_t n, struct err *e)
{
    json_t *a = json_object_get(in, "scopes");
    if (!a)
        return err_set(e, ERR_INVALID, "required", "scopes", "scopes is required");
    if (!json_is_array(a) || json_array_size(a) == 0)
        return err_set(e, ERR_INVALID, "wrong_type", "scopes", "scopes must be a non-empty array of strings");
    out[0] = '\0';
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
    {
        const char *sc = json_string_value(v);
        int ok = 0;
        for (const char *const *k = token_scopes; sc && *k; k++)
            ok |= strcmp(*k, sc) == 0;
        if (!ok)
            return err_set(e, ERR_INVALID, "unknown_scope", "scopes", "unknown scope: %.64s",
                           sc ? sc : "(not a string)");
        size_t used = strlen(out);
        if (used + strlen(sc) + 2 > n)
            return err_set(e, ERR_INVALID, NULL, "scopes", "too many scopes");
        snprintf(out + used, n - used, "%s%s", used ? "," : "", sc);
    }
    return 0;
}

int svc_token_create(struct svc_ctx *c, json_t *in, json_t **out)
{
    static const char *const fields[] = {"name", "scopes", "user", "expires_in_days", NULL};
    const char *name, *user;
    char scopes[512];
    int64_t days = 0;
    int has_days = 0, rc;
    if ((rc = jv_known(in, fields, c->e)) || (rc = jv_string(in, "name", 1, 100, &name, NULL, c->e)) ||
        (rc = scopes_field(in, scopes, sizeof(scopes), c->e)) ||
        (rc = jv_string(in, "user", 0, 64, &user, NULL, c->e)) ||
        (rc = jv_int(in, "expires_in_days", 0, 1, 3650, &days, &has_days, c->e)))
        return rc;
    if ((rc = svc_begin(c)) != 0)
        return rc;
    int64_t uid = c->actor->user_id;
    if (user) {
        rc = svc_user_id(c, user, &uid);
        if (rc == ERR_NOT_FOUND) {
            c->e->code = 0;
            rc = err_set(c->e, ERR_INVALID, "invalid_reference", "user", "no user named %.64s", user);
        }
        if (rc)
            return svc_end(c, rc);
    }
    if (!uid)
        return svc_end(c, err_set(c->e, ERR_INVALID, "required", "user", "a token must belong to a user"));
    char tok[96], hash[65], prefix[16];
    crypto_random_token("tdk_", tok, sizeof(tok));
    crypto_sha256_hex(tok, strlen(tok), hash);
    snprintf(prefix, sizeof(prefix), "%.10s", tok);
    struct db_stmt *s;
    if ((rc = svc_prepare(c,
                          "INSERT INTO api_token (name, token_hash, prefix, user_id, scopes, created_at, expires_at) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          &s)))
        return svc_end(c, rc);
    db_bind_text(s, 1, name);
    db_bind_text(s, 2, hash);
    db_bind_text(s, 3, prefix);
    db_bind_int64(s, 4, uid);
    db_bind_text(s, 5, scopes);
    db_bind_int64(s, 6, c->now);
    if (has_days)
        db_bind_int64(s, 7, c->now + days * 86400000LL);
    else
        db_bind_null(s, 7);
    rc = db_step(s, c->e);
    int64_t id = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_reset(s);
    if (rc < 0)
        return svc_end(c, rc);
    json_t *t = NULL;
    if ((rc = token_get(c, id, &t)) || (rc = svc_audit(c, "token.create", "api_token", id, NULL, t)) ||
        (rc = svc_commit(c))) {
        json_decref(t);
        return svc_end(c, rc);
    }
    json_object_set_new(t, "token", json_string(tok));
    *out = t;
    return 0;
}

int svc_token_list(struct svc_ctx *c, json_t *q, json_t **out)
{
    static const char *const params[] = {"limit", "cursor", NULL};
    int limit, rc;
    int64_t after;
    if ((rc = jq_known(q, params, c->e)) ||
        (rc = page_params(json_string_value(json_object_get(q, "limit")),
                          json_string_value(json_object_get(q, "cursor")), &limit, &after, c->e)))
        return rc;
    if ((rc = svc_begin_read(c)) != 0)
        return rc;
    struct db_stmt *s;
    if ((rc = svc_prepare(c, TOKEN_SELECT "WHERE t.id > ? ORDER BY t.id LIMIT ?", &s)))
        return svc_end(c, rc);
    db_bind_int64(s, 1, after);
    db_bind_int64(s, 2, limit + 1);
    json_t *items = json_array();
    int64_t last = 0;
    int more = 0;
    while ((rc = db_step(s, c->e)) == DB_ROW) {
        if ((int)json_array_size(items) == limit) {
            more = 1;
            break;
        }
        last = db_col_int64(s, 0);
        json_array_append_new(items, token_row(s));
    }
    db_reset(s);
    if (rc < 0) {
        json_decref(items);
        return svc_end(c, rc);
    }
    *out = page_result(items, more, last);
    return svc_end(c, 0);
}

int svc_token_revoke(struct svc_ctx *c, int64_t id, json_t **out)
{
    int rc = svc_begin(c);
    if (rc != 0)
        return rc;
    json_t *before = NULL, *after = NULL;
    if ((rc = token_get(c, id, &before)))
        goto done;
    if (!json_is_null(json_object_get(before, "revoked_at"))) {
        rc = err_set(c->e, ERR_CONFLICT, "already_revoked", "id", "token %lld is already revoked", (long long)id);
        goto done;
    }
    struct db_stmt *s;
    if ((rc = svc_prepare(c, "UPDATE api_token SET revoked_at = ? WHERE id = ?", &s)))
        goto done;
    db_bind_int64(s, 1, c->now);
    db_bind_int64(s, 2, id);
    rc = db_step(s, c->e);
    db_reset(s);
    if (rc < 0 || (rc = token_get(c, id, &after)) ||
        (rc = svc_audit(c, "token.revoke", "api_token", id, before, after)) || (rc = svc_commit(c)))
        goto done;
    *out = after;
    after = NULL;
done:
    json_decref(before);
    json_decref(after);
    return svc_end(c, rc);
}

/* portal.c - see portal.h. */
#include "svc/portal.h"

#include <sodium.h>
#include <string.h>

#include "core/pipeline.h"
#include "lib/crypto.h"
#include "svc/applications.h"
#include "svc/query.h"
#include "svc/scores.h"
#include "svc/validate.h"
#include "svc/views.h"

#define DAY_MS 86400000LL
#define TOKEN_PREFIX "tdc_"

#define LINK_SELECT                                                                                                    \
    "SELECT l.id, l.application_id, l.created_by, l.created_at, l.expires_at, l.revoked_at FROM candidate_link l "     \
    "WHERE "

static json_t *link_row(struct svc_ctx *c, struct db_stmt *s)
{
    int revoked = !db_col_isnull(s, 5);
    int64_t expires = db_col_int64(s, 4);
    return json_pack("{s:I,s:I,s:s,s:o,s:o,s:o,s:b}", "id", (json_int_t)db_col_int64(s, 0), "application_id",
                     (json_int_t)db_col_int64(s, 1), "created_by", db_col_text(s, 2), "created_at",
                     json_time(db_col_int64(s, 3)), "expires_at", json_time(expires), "revoked_at",
                     json_time_or_null(db_col_int64(s, 5), !revoked), "active", !revoked && expires > c->now);
}

static int link_load(struct svc_ctx *c, int64_t id, json_t **out)
{
    struct qb q;
    qb_init(&q, LINK_SELECT "l.id = ?");
    qb_int(&q, id);
    qb_scope_application(&q, c->actor, "l.application_id");
    return qb_one(c, &q, link_row, "candidate link", out);
}

int svc_candidate_link_create(struct svc_ctx *c, int64_t app, json_t *in, json_t **out)
{
    static const char *const fields[] = {"expires_in_days", NULL};
    int64_t days = LINK_DAYS_DEFAULT;
    int rc;
    if ((rc = jv_known(in, fields, c->e)) ||
        (rc = jv_int(in, "expires_in_days", 0, 1, LINK_DAYS_MAX, &days, NULL, c->e)))
        return rc;
    if ((rc = svc_begin(c)) != 0)
        return rc;
    json_t *a = NULL, *link = NULL;
    char token[64], hash[65], by[160];
    crypto_random_token(TOKEN_PREFIX, token, sizeof(token));
    crypto_sha256_hex(token, strlen(token), hash);
    actor_label(c->actor, by, sizeof(by));
    struct db_stmt *s;
    if ((rc = svc_app_load_tx(c, app, &a)) ||
        (rc = svc_prepare(c,
                          "INSERT INTO candidate_link (application_id, token_hash, created_by, created_at, expires_at) "
                          "VALUES (?, ?, ?, ?, ?) RETURNING id",
                          &s)))
        goto done;
    db_bind_int64(s, 1, app);
    db_bind_text(s, 2, hash);
    db_bind_text(s, 3, by);
    db_bind_int64(s, 4, c->now);
    db_bind_int64(s, 5, c->now + days * DAY_MS);
    rc = db_step(s, c->e);
    int64_t id = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_reset(s);
    if (rc < 0 || (rc = link_load(c, id, &link)) ||
        (rc = svc_audit(c, "candidate_link.create", "application", app, NULL, link)) ||
        (rc = svc_event(c, "candidate_link.created", "application", app, link)) || (rc = svc_commit(c)))
        goto done;
    char path[80];
    snprintf(path, sizeof(path), "/c/%s", token);
    json_object_set_new(link, "token", json_string(token));
    json_object_set_new(link, "path", json_string(path));
    *out = link;
    link = NULL;
done:
    sodium_memzero(token, sizeof(token));
    json_decref(a);
    json_decref(link);
    return svc_end(c, rc);
}

int svc_candidate_link_list(struct svc_ctx *c, int64_t app, json_t **out)
{
    json_t *a = NULL, *items = json_array();
    struct qb q;
    qb_init(&q, LINK_SELECT "l.application_id = ? ORDER BY l.id DESC");
    qb_int(&q, app);
    int rc = svc_begin_read(c);
    if (rc == 0 && (rc = svc_app_load_tx(c, app, &a)) == 0 && (rc = qb_all(c, &q, link_row, items)) == 0)
        *out = json_pack("{s:O}", "items", items);
    json_decref(a);
    json_decref(items);
    return svc_end(c, rc);
}

int svc_candidate_link_revoke(struct svc_ctx *c, int64_t id, json_t **out)
{
    int rc = svc_begin(c);
    if (rc != 0)
        return rc;
    json_t *before = NULL, *after = NULL;
    if ((rc = link_load(c, id, &before)))
        goto done;
    if (!json_is_null(json_object_get(before, "revoked_at"))) { /* already revoked: nothing changes */
        *out = before;
        before = NULL;
        goto done;
    }
    struct db_stmt *s;
    if ((rc = svc_prepare(c, "UPDATE candidate_link SET revoked_at = ? WHERE id = ?", &s)))
        goto done;
    db_bind_int64(s, 1, c->now);
    db_bind_int64(s, 2, id);
    rc = db_step(s, c->e);
    db_reset(s);
    int64_t app = json_integer_value(json_object_get(before, "application_id"));
    if (rc < 0 || (rc = link_load(c, id, &after)) ||
        (rc = svc_audit(c, "candidate_link.revoke", "application", app, before, after)) ||
        (rc = svc_event(c, "candidate_link.revoked", "application", app, after)) || (rc = svc_commit(c)))
        goto done;
    *out = after;
    after = NULL;
done:
    json_decref(before);
    json_decref(after);
    return svc_end(c, rc);
}

/* The application a live token opens: *app, or 404. */
static int token_app(struct svc_ctx *c, const char *token, int64_t *app)
{
    char hash[65];
    if (!token || strncmp(token, TOKEN_PREFIX, strlen(TOKEN_PREFIX)) != 0 || strlen(token) > 64)
        return err_set(c->e, ERR_NOT_FOUND, NULL, NULL, "no such link");
    crypto_sha256_hex(token, strlen(token), hash);
    struct db_stmt *s;
    int rc = svc_prepare(c,
                         "SELECT application_id FROM candidate_link WHERE token_hash = ? AND revoked_at IS NULL "
                         "AND expires_at > ?",
                         &s);
    if (rc != 0)
        return rc;
    db_bind_text(s, 1, hash);
    db_bind_int64(s, 2, c->now);
    rc = db_step(s, c->e);
    *app = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_reset(s);
    if (rc == DB_DONE)
        return err_set(c->e, ERR_NOT_FOUND, NULL, NULL, "no such link");
    return rc < 0 ? rc : 0;
}

static json_t *portal_row(struct svc_ctx *c, struct db_stmt *s)
{
    (void)c;
    const struct candidate_step *st = stage_candidate_step(stage_parse(db_col_text(s, 3)));
    return json_pack("{s:{s:s},s:{s:s,s:s},s:{s:s,s:s,s:s},s:o,s:o,s:b}", "candidate", "name", db_col_text(s, 0),
                     "position", "code", db_col_text(s, 1), "title", db_col_text(s, 2), "status", "key",
                     st ? st->key : "", "label_zh", st ? st->zh : "", "label_en", st ? st->en : "", "applied_at",
                     json_time(db_col_int64(s, 4)), "updated_at", json_time(db_col_int64(s, 5)), "result_visible",
                     db_col_int64(s, 6) != 0);
}

/* The summary of the current result a candidate may see. */
static int result_summary(struct svc_ctx *c, int64_t app, json_t **out)
{
    struct scores sc;
    int rc = scores_load_tx(c, app, &sc);
    if (rc == 0 && sc.result_id) {
        json_t *dims = json_array();
        for (int i = 0; i < sc.r.ndims; i++)
            json_array_append_new(dims, json_pack("{s:s,s:s,s:s,s:i}", "key", sc.r.dims[i].key, "label_zh",
                                                  sc.r.dims[i].label_zh, "label_en", sc.r.dims[i].label_en, "score",
                                                  sc.r.dims[i].score));
        *out = json_pack("{s:o,s:i,s:o}", "completed_at", json_time(sc.r.completed_at), "overall", sc.r.overall,
                         "dimensions", dims);
    }
    scores_free(&sc);
    return rc;
}

int svc_portal_get(struct svc_ctx *c, const char *token, json_t **out)
{
    int64_t app = 0;
    json_t *o = NULL, *res = NULL;
    int rc = svc_begin_read(c);
    if (rc != 0 || (rc = token_app(c, token, &app)))
        goto done;
    struct qb q;
    qb_init(&q, "SELECT cd.name, p.code, p.title, a.stage, a.created_at, a.updated_at, p.show_result_to_candidate "
                "FROM application a JOIN candidate cd ON cd.id = a.candidate_id "
                "JOIN position p ON p.id = a.position_id WHERE a.id = ?");
    qb_int(&q, app);
    if ((rc = qb_one(c, &q, portal_row, "link", &o)))
        goto done;
    if (json_is_true(json_object_get(o, "result_visible")) && (rc = result_summary(c, app, &res)))
        goto done;
    json_object_set_new(o, "result", res ? res : json_null());
    res = NULL;
    *out = o;
    o = NULL;
done:
    json_decref(o);
    json_decref(res);
    return svc_end(c, rc);
}

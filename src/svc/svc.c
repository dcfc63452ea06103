/* svc.c - transactions, audit chain and outbox shared by every use case. */
#include "svc/svc.h"

#include <stdio.h>
#include <string.h>

#include "core/result.h"
#include "lib/mem.h"
#include "lib/timeutil.h"
#include "svc/results_apply.h"

static const char *const role_names[] = {"", "admin", "hr", "manager", "interviewer", "system"};

const char *role_name(enum role r)
{
    return (r >= ROLE_NONE && r <= ROLE_SYSTEM) ? role_names[r] : "";
}

enum role role_parse(const char *s)
{
    if (!s)
        return ROLE_NONE;
    for (int r = ROLE_ADMIN; r <= ROLE_INTERVIEWER; r++)
        if (strcmp(s, role_names[r]) == 0)
            return (enum role)r;
    return ROLE_NONE;
}

void actor_system(struct actor *a, const char *name)
{
    memset(a, 0, sizeof(*a));
    a->role = ROLE_SYSTEM;
    snprintf(a->username, sizeof(a->username), "%s", name);
}

int actor_sees_sensitive(const struct actor *a)
{
    return a->role == ROLE_ADMIN || a->role == ROLE_HR || a->role == ROLE_SYSTEM;
}

void actor_label(const struct actor *a, char *out, size_t n)
{
    if (a->role == ROLE_SYSTEM)
        snprintf(out, n, "system:%s", a->username);
    else if (a->token_id)
        snprintf(out, n, "token:%lld:%s", (long long)a->token_id, a->username);
    else
        snprintf(out, n, "user:%s", a->username);
}

int svc_batch_begin(struct svc_ctx *c)
{
    int rc = db_begin(c->db, c->e);
    if (rc == 0)
        c->batch = 1;
    return rc;
}

int svc_batch_commit(struct svc_ctx *c)
{
    c->batch = 0;
    int rc = svc_hist_flush(c);
    if (rc == 0)
        rc = db_commit(c->db, c->e);
    if (rc != 0)
        db_rollback(c->db);
    return rc;
}

/* In batch mode a use case's transaction is a savepoint of the batch. */
static int savepoint_open(struct svc_ctx *c)
{
    int rc = db_exec(c->db, "SAVEPOINT use_case", c->e);
    c->savepoint = rc == 0;
    svc_hist_mark(c);
    return rc;
}

int svc_begin(struct svc_ctx *c)
{
    c->now = time_now_ms();
    return c->batch ? savepoint_open(c) : db_begin(c->db, c->e);
}

int svc_begin_read(struct svc_ctx *c)
{
    c->now = time_now_ms();
    return c->batch ? savepoint_open(c) : db_begin_read(c->db, c->e);
}

int svc_commit(struct svc_ctx *c)
{
    if (c->batch) {
        int rc = db_exec(c->db, "RELEASE SAVEPOINT use_case", c->e);
        if (rc == 0)
            c->savepoint = 0;
        return rc;
    }
    int rc = db_commit(c->db, c->e);
    if (rc != 0)
        db_rollback(c->db);
    return rc;
}

int svc_end(struct svc_ctx *c, int rc)
{
    if (!c->batch) {
        db_rollback(c->db);
    } else if (c->savepoint) {
        struct err ignored = {0};
        db_exec(c->db, "ROLLBACK TO SAVEPOINT use_case", &ignored);
        db_exec(c->db, "RELEASE SAVEPOINT use_case", &ignored);
        c->savepoint = 0;
        svc_hist_undo(c);
    }
    return rc;
}

int svc_prepare(struct svc_ctx *c, const char *sql, struct db_stmt **out)
{
    return db_prepare(c->db, sql, out, c->e);
}

int svc_lookup_id(struct svc_ctx *c, const char *sql, const char *key, const char *field, const char *what, int64_t *id)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, sql, &s);
    if (rc != 0)
        return rc;
    db_bind_text(s, 1, key);
    rc = db_step(s, c->e);
    if (rc == DB_ROW)
        *id = db_col_int64(s, 0);
    db_reset(s);
    if (rc == DB_DONE)
        return err_set(c->e, ERR_NOT_FOUND, NULL, field, "no %s %.64s", what, key);
    return rc < 0 ? rc : 0;
}

int svc_duplicate(struct svc_ctx *c, int (*lookup)(struct svc_ctx *c, const char *key, int64_t *id), const char *key,
                  const char *field, const char *what)
{
    int64_t existing = 0;
    svc_end(c, 0);
    err_clear(c->e);
    if (svc_begin_read(c) == 0)
        lookup(c, key, &existing);
    svc_end(c, 0);
    int rc = err_set(c->e, ERR_CONFLICT, "duplicate", field, "%s %.64s already exists", what, key);
    c->e->existing_id = existing;
    return rc;
}

int svc_check_version(struct svc_ctx *c, const char *what, json_t *before, int has_version, int64_t version)
{
    int64_t current = json_integer_value(json_object_get(before, "version"));
    if (!has_version || version == current)
        return 0;
    return err_set(c->e, ERR_CONFLICT, "version_conflict", "version", "%s %lld is at version %lld, not %lld", what,
                   (long long)json_integer_value(json_object_get(before, "id")), (long long)current,
                   (long long)version);
}

int svc_step_versioned(struct svc_ctx *c, struct db_stmt *s, const char *what, int64_t id)
{
    int rc = db_step(s, c->e);
    db_reset(s);
    if (rc == DB_DONE)
        return err_set(c->e, ERR_CONFLICT, "version_conflict", "version", "%s %lld was changed concurrently", what,
                       (long long)id);
    return rc;
}

int svc_bulk(struct svc_ctx *c, json_t *in, const char *key, int max, const char *ok_name,
             int (*one)(struct svc_ctx *c, int64_t id, json_t *sub, json_t **out), json_t **out)
{
    json_t *ids = json_object_get(in, key), *v;
    if (!json_is_array(ids))
        return err_invalid(c->e, ids ? "wrong_type" : "required", key, "%s must be a list of ids", key);
    if (json_array_size(ids) == 0 || json_array_size(ids) > (size_t)max)
        return err_invalid(c->e, "out_of_range", key, "%s holds 1 to %d ids", key, max);
    size_t i;
    json_array_foreach(ids, i, v)
    {
        if (!json_is_integer(v) || json_integer_value(v) <= 0) {
            char f[96];
            snprintf(f, sizeof(f), "%.40s[%d]", key, (int)i);
            return err_invalid(c->e, "wrong_type", f, "%s must be a positive integer", f);
        }
    }
    json_t *sub = json_deep_copy(in), *items = json_array();
    json_object_del(sub, key);
    int64_t ok = 0, failed = 0;
    json_array_foreach(ids, i, v)
    {
        json_t *o = NULL;
        int64_t id = json_integer_value(v);
        err_clear(c->e);
        if (one(c, id, sub, &o) == 0) {
            json_t *item = json_pack("{s:I,s:b}", "application_id", (json_int_t)id, "ok", 1);
            if (json_is_object(o))
                json_object_update_missing(item, o);
            json_array_append_new(items, item);
            ok++;
        } else {
            json_array_append_new(items, json_pack("{s:I,s:b,s:i,s:{s:s,s:s,s:s}}", "application_id", (json_int_t)id,
                                                   "ok", 0, "status", err_http_status(c->e->code), "error", "code",
                                                   c->e->slug[0] ? c->e->slug : "error", "message", c->e->message,
                                                   "field", c->e->field));
            failed++;
        }
        json_decref(o);
    }
    err_clear(c->e);
    json_decref(sub);
    *out = json_pack("{s:I,s:I,s:o}", ok_name, (json_int_t)ok, "failed", (json_int_t)failed, "items", items);
    return 0;
}

int svc_exec(struct svc_ctx *c, struct db_stmt *s)
{
    int rc = db_step(s, c->e);
    db_reset(s);
    return rc < 0 ? rc : 0;
}

int svc_step_one(struct svc_ctx *c, struct db_stmt *s)
{
    int rc = db_step(s, c->e);
    return rc;
}

/* {"before":{k:old},"after":{k:new}} for every key whose value differs. */
static json_t *diff_of(json_t *before, json_t *after)
{
    json_t *b = json_object(), *a = json_object();
    const char *k;
    json_t *v;
    if (before) {
        json_object_foreach(before, k, v)
        {
            json_t *nv = after ? json_object_get(after, k) : NULL;
            if (!nv || !json_equal(v, nv)) {
                json_object_set(b, k, v);
                if (nv)
                    json_object_set(a, k, nv);
            }
        }
    }
    if (after) {
        json_object_foreach(after, k, v)
        {
            if (!before || !json_object_get(before, k))
                json_object_set(a, k, v);
        }
    }
    json_t *d = json_object();
    json_object_set_new(d, "before", before ? b : json_null());
    json_object_set_new(d, "after", after ? a : json_null());
    if (!before)
        json_decref(b);
    if (!after)
        json_decref(a);
    return d;
}

/* The canonical text hashed for one audit row. */
static char *audit_canon(const char *prev, int64_t at, const char *actor, int64_t actor_id, const char *action,
                         const char *entity, int64_t entity_id, const char *diff)
{
    return xasprintf("%s\n%lld\n%s\n%lld\n%s\n%s\n%lld\n%s", prev, (long long)at, actor, (long long)actor_id, action,
                     entity, (long long)entity_id, diff);
}

void audit_row_hash(const char *prev, int64_t at, const char *actor, int64_t actor_id, const char *action,
                    const char *entity, int64_t entity_id, const char *diff, char out[65]);
void audit_row_hash(const char *prev, int64_t at, const char *actor, int64_t actor_id, const char *action,
                    const char *entity, int64_t entity_id, const char *diff, char out[65])
{
    char *canon = audit_canon(prev, at, actor, actor_id, action, entity, entity_id, diff);
    crypto_sha256_hex(canon, strlen(canon), out);
    free(canon);
}

#define AUDIT_LOCK_KEY 0x7a6c6475 /* serialises chain appends on PostgreSQL */
#define GENESIS_HASH "0000000000000000000000000000000000000000000000000000000000000000"

int svc_audit(struct svc_ctx *c, const char *action, const char *entity, int64_t id, json_t *before, json_t *after)
{
    struct db_stmt *s;
    char prev[65];
    const char *head = svc_batch_audit_head(c); /* an unguarded batch holds the lock since its first row */
    int rc = 0;
    if (head) {
        memcpy(prev, head, sizeof(prev));
    } else {
        if ((rc = db_lock(c->db, AUDIT_LOCK_KEY, c->e)) != 0 ||
            (rc = svc_prepare(c, "SELECT hash FROM audit ORDER BY id DESC LIMIT 1", &s)) != 0)
            return rc;
        rc = db_step(s, c->e);
        if (rc < 0)
            return rc;
        snprintf(prev, sizeof(prev), "%s", rc == DB_ROW ? db_col_text(s, 0) : GENESIS_HASH);
        db_reset(s);
    }

    json_t *d = diff_of(before, after);
    char *diff = result_json_compact(d, 1, NULL); /* the bytes of json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS) */
    json_decref(d);
    char label[160];
    actor_label(c->actor, label, sizeof(label));
    char hash[65];
    audit_row_hash(prev, c->now, label, c->actor->user_id, action, entity, id, diff, hash);
    if ((rc = svc_prepare(c,
                          "INSERT INTO audit (at, actor, actor_id, action, entity, entity_id, diff_json, "
                          "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                          &s)) != 0) {
        free(diff);
        return rc;
    }
    db_bind_int64(s, 1, c->now);
    db_bind_text(s, 2, label);
    if (c->actor->user_id)
        db_bind_int64(s, 3, c->actor->user_id);
    else
        db_bind_null(s, 3);
    db_bind_text(s, 4, action);
    db_bind_text(s, 5, entity);
    db_bind_int64(s, 6, id);
    db_bind_text_kept(s, 7, diff); /* freed after the queued run */
    db_bind_text(s, 8, prev);
    db_bind_text(s, 9, hash);
    rc = db_queue(s, c->e); /* pipelined in an unguarded batch (PostgreSQL) */
    free(diff);
    if (rc == 0)
        svc_batch_audit_wrote(c, hash);
    return rc;
}

int svc_event(struct svc_ctx *c, const char *event, const char *entity, int64_t id, json_t *payload)
{
    struct db_stmt *s;
    int rc =
        svc_prepare(c, "INSERT INTO outbox (event, entity, entity_id, payload, created_at) VALUES (?, ?, ?, ?, ?)", &s);
    if (rc != 0)
        return rc;
    char *p = result_json_compact(payload ? payload : json_null(), 0, NULL); /* as json_dumps, JSON_COMPACT */
    db_bind_text(s, 1, event);
    db_bind_text(s, 2, entity);
    db_bind_int64(s, 3, id);
    db_bind_text_kept(s, 4, p); /* freed after the queued run */
    db_bind_int64(s, 5, c->now);
    rc = db_queue(s, c->e); /* pipelined in an unguarded batch (PostgreSQL) */
    free(p);
    return rc;
}

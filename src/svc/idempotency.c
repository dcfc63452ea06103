/* idempotency.c - see idempotency.h. */
#include "svc/idempotency.h"

#include <stdlib.h>
#include <string.h>

#include "lib/crypto.h"

static int key_ok(const char *k)
{
    size_t n = strlen(k);
    if (n == 0 || n > 128)
        return 0;
    for (const char *p = k; *p; p++)
        if (*p < 0x21 || *p > 0x7e)
            return 0;
    return 1;
}

int svc_idem_replay(struct svc_ctx *c, const char *key, const char *method, const char *path, const void *req,
                    size_t req_len, int *status, json_t **body)
{
    char rh[65];
    crypto_sha256_hex(req ? req : "", req_len, rh);
    if (!key_ok(key))
        return err_set(c->e, ERR_INVALID, NULL, "Idempotency-Key",
                       "Idempotency-Key must be 1 to 128 printable ASCII characters");
    char label[160];
    actor_label(c->actor, label, sizeof(label));
    struct db_stmt *s;
    int rc = svc_prepare(c, "SELECT method, path, request_hash, status, body FROM idempotency WHERE actor = ? AND idem_key = ?", &s);
    if (rc != 0)
        return rc;
    db_bind_text(s, 1, label);
    db_bind_text(s, 2, key);
    rc = db_step(s, c->e);
    if (rc != DB_ROW) {
        db_reset(s);
        return rc < 0 ? rc : 0;
    }
    if (strcmp(db_col_text(s, 0), method) != 0 || strcmp(db_col_text(s, 1), path) != 0 ||
        strcmp(db_col_text(s, 2), rh) != 0) {
        db_reset(s);
        return err_set(c->e, ERR_INVALID, "idempotency_key_reused", "Idempotency-Key",
                       "this Idempotency-Key was used for a different request");
    }
    *status = (int)db_col_int64(s, 3);
    *body = json_loads(db_col_text(s, 4), 0, NULL);
    db_reset(s);
    return 1;
}

int svc_idem_store(struct svc_ctx *c, const char *key, const char *method, const char *path, const void *req,
                   size_t req_len, int status, json_t *body)
{
    char rh[65];
    crypto_sha256_hex(req ? req : "", req_len, rh);
    char label[160];
    actor_label(c->actor, label, sizeof(label));
    int rc = svc_begin(c);
    if (rc != 0)
        return rc;
    struct db_stmt *s;
    if ((rc = svc_prepare(c,
                          "INSERT INTO idempotency (actor, idem_key, method, path, request_hash, status, body, created_at) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                          &s)))
        return svc_end(c, rc);
    char *text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
    db_bind_text(s, 1, label);
    db_bind_text(s, 2, key);
    db_bind_text(s, 3, method);
    db_bind_text(s, 4, path);
    db_bind_text(s, 5, rh);
    db_bind_int64(s, 6, status);
    db_bind_text(s, 7, text);
    db_bind_int64(s, 8, c->now);
    rc = db_step(s, c->e);
    db_reset(s);
    free(text);
    if (rc < 0)
        return svc_end(c, rc);
    return svc_end(c, svc_commit(c));
}

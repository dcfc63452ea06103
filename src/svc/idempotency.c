/* idempotency.c - see idempotency.h. */
#include "svc/idempotency.h"

#include <stdlib.h>
#include <string.h>

#include "lib/crypto.h"

enum { IDEM_CLAIM_TTL = 300, IDEM_RESPONSE_TTL = 86400 };

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

/* Stored responses can hold what is shown once (a new token, a webhook's secret, an invitation
 * link): they are kept encrypted, as base64url of field_encrypt's blob. */
#define BODY_CONTEXT "idempotency.body"

static char *body_seal(struct svc_ctx *c, json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
    unsigned char *ct = NULL;
    size_t n = 0;
    char *sealed = NULL;
    if (text && field_encrypt(c->kr, BODY_CONTEXT, text, strlen(text), &ct, &n) == 0)
        sealed = base64url_encode(ct, n);
    free(ct);
    free(text);
    return sealed;
}

/* The stored response; NULL when it cannot be read back (the replay then answers without a body). */
static json_t *body_open(struct svc_ctx *c, const char *sealed)
{
    unsigned char *ct = NULL, *pt = NULL;
    size_t n = 0, ptn = 0;
    json_t *v = NULL;
    struct err ignored = {0};
    if (base64url_decode(sealed, &ct, &n) == 0 && field_decrypt(c->kr, BODY_CONTEXT, ct, n, &pt, &ptn, &ignored) == 0)
        v = json_loadb((const char *)pt, ptn, JSON_DECODE_ANY, NULL);
    free(ct);
    free(pt);
    return v;
}

/* The existing row for (actor, key): 1 replay, or an error (different request / in progress). */
static int existing(struct svc_ctx *c, const char *label, const char *key, const char *method, const char *path,
                    const char *rh, int *status, json_t **body)
{
    int rc = svc_begin_read(c);
    if (rc != 0)
        return rc;
    struct db_stmt *s;
    if ((rc = svc_prepare(c,
                          "SELECT method, path, request_hash, status, body FROM idempotency "
                          "WHERE actor = ? AND idem_key = ?",
                          &s)) != 0)
        return svc_end(c, rc);
    db_bind_text(s, 1, label);
    db_bind_text(s, 2, key);
    rc = db_step(s, c->e);
    int reused = rc == DB_ROW && (strcmp(db_col_text(s, 0), method) != 0 || strcmp(db_col_text(s, 1), path) != 0 ||
                                  strcmp(db_col_text(s, 2), rh) != 0);
    /* no row: released between our insert and this read; status 0: claimed, not finished */
    int running = rc == DB_DONE || (rc == DB_ROW && !reused && db_col_int64(s, 3) == 0);
    if (reused)
        rc = err_set(c->e, ERR_INVALID, "idempotency_key_reused", "Idempotency-Key",
                     "this Idempotency-Key was used for a different request");
    else if (running)
        rc = err_set(c->e, ERR_CONFLICT, "idempotency_key_in_progress", "Idempotency-Key",
                     "a request with this Idempotency-Key is still running; retry shortly");
    else if (rc == DB_ROW) {
        *status = (int)db_col_int64(s, 3);
        *body = body_open(c, db_col_text(s, 4));
        rc = 1;
    }
    db_reset(s);
    return svc_end(c, rc);
}

int svc_idem_claim(struct svc_ctx *c, const char *key, const char *method, const char *path, const void *req,
                   size_t req_len, int *status, json_t **body)
{
    if (!key_ok(key))
        return err_set(c->e, ERR_INVALID, NULL, "Idempotency-Key",
                       "Idempotency-Key must be 1 to 128 printable ASCII characters");
    char rh[65], label[160];
    crypto_sha256_hex(req ? req : "", req_len, rh);
    actor_label(c->actor, label, sizeof(label));
    int rc = svc_begin(c);
    if (rc != 0)
        return rc;
    struct db_stmt *s;
    /* A stored response is kept for a day; a claim whose request never finished (the server
     * stopped mid-request) is given up after five minutes. */
    if ((rc = svc_prepare(c,
                          "DELETE FROM idempotency WHERE actor = ? AND idem_key = ? AND "
                          "created_at < CASE WHEN status = 0 THEN CAST(? AS BIGINT) ELSE CAST(? AS BIGINT) END",
                          &s)) != 0)
        return svc_end(c, rc);
    db_bind_text(s, 1, label);
    db_bind_text(s, 2, key);
    db_bind_int64(s, 3, c->now - IDEM_CLAIM_TTL);
    db_bind_int64(s, 4, c->now - IDEM_RESPONSE_TTL);
    rc = db_step(s, c->e);
    db_reset(s);
    if (rc < 0)
        return svc_end(c, rc);
    if ((rc = svc_prepare(
             c,
             "INSERT INTO idempotency (actor, idem_key, method, path, request_hash, status, body, created_at) "
             "VALUES (?, ?, ?, ?, ?, 0, '', ?)",
             &s)) != 0)
        return svc_end(c, rc);
    db_bind_text(s, 1, label);
    db_bind_text(s, 2, key);
    db_bind_text(s, 3, method);
    db_bind_text(s, 4, path);
    db_bind_text(s, 5, rh);
    db_bind_int64(s, 6, c->now);
    rc = db_step(s, c->e);
    db_reset(s);
    if (rc == ERR_CONFLICT) { /* the key is taken: roll back (PostgreSQL aborted the transaction), then look */
        svc_end(c, rc);
        *c->e = (struct err){0};
        return existing(c, label, key, method, path, rh, status, body);
    }
    if (rc < 0)
        return svc_end(c, rc);
    return svc_end(c, svc_commit(c));
}

int svc_idem_finish(struct svc_ctx *c, const char *key, int status, json_t *body)
{
    char label[160];
    actor_label(c->actor, label, sizeof(label));
    int keep = status >= 200 && status < 300 && body;
    int rc = svc_begin(c);
    if (rc != 0)
        return rc;
    struct db_stmt *s;
    char *text = NULL;
    if (keep) {
        if ((rc = svc_prepare(c, "UPDATE idempotency SET status = ?, body = ? WHERE actor = ? AND idem_key = ?", &s)))
            return svc_end(c, rc);
        if (!(text = body_seal(c, body)))
            return svc_end(c, err_set(c->e, ERR_INTERNAL, NULL, NULL, "cannot seal the idempotent response"));
        db_bind_int64(s, 1, status);
        db_bind_text(s, 2, text);
        db_bind_text(s, 3, label);
        db_bind_text(s, 4, key);
    } else {
        if ((rc = svc_prepare(c, "DELETE FROM idempotency WHERE actor = ? AND idem_key = ? AND status = 0", &s)))
            return svc_end(c, rc);
        db_bind_text(s, 1, label);
        db_bind_text(s, 2, key);
    }
    rc = db_step(s, c->e);
    db_reset(s);
    free(text);
    if (rc < 0)
        return svc_end(c, rc);
    return svc_end(c, svc_commit(c));
}

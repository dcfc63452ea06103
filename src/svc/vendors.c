/* vendors.c - see vendors.h. */
#include "svc/vendors.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/mapping.h"
#include "io/vendors.h"
#include "lib/crypto.h"
#include "svc/results.h"

#define CTX_SECRET "vendor.secret" /* encryption context of vendor_secret.secret_enc */

int svc_vendor_ingest(struct svc_ctx *c, const char *vendor, const char *body, size_t len,
                      const char *(*header)(void *cls, const char *name), void *cls, json_t **out)
{
    struct mapping *m = NULL;
    json_t *payload = NULL, *norm = NULL;
    int rc = vendor_mapping_open(c->data_dir, vendor, &m, c->e);
    if (rc != 0)
        return rc;
    /* The webhook is public: it is authenticated by the vendor's signature or not at all. */
    const char *hname = NULL;
    if (!mapping_signature_header(m, &hname)) {
        rc = err_set(c->e, ERR_UNAUTHORIZED, "bad_signature", NULL,
                     "vendor %s has no signature in its mapping; send its results to POST /api/v1/results with "
                     "an API token instead",
                     vendor);
        goto done;
    }
    unsigned char secret[256];
    size_t n = 0;
    const char *sig = header(cls, hname);
    struct err ignored = {0};
    struct err *saved = c->e;
    c->e = &ignored;
    int have = svc_vendor_secret_get(c, vendor, secret, sizeof(secret), &n) == 0;
    c->e = saved;
    if (!sig || !*sig)
        rc = err_set(c->e, ERR_UNAUTHORIZED, "bad_signature", hname, "the %s header is missing", hname);
    else if (!have)
        rc = err_set(c->e, ERR_UNAUTHORIZED, "bad_signature", hname,
                     "no secret is set for vendor %s (talentd vendor secret %s), so %s cannot be checked", vendor,
                     vendor, hname);
    else if (mapping_verify_signature(m, secret, n, body, len, sig, c->e) != 0)
        rc = err_set(c->e, ERR_UNAUTHORIZED, "bad_signature", hname, "the %s signature does not match", hname);
    sodium_memzero(secret, sizeof(secret));
    if (rc != 0)
        goto done;
    json_error_t je;
    payload = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &je);
    if (!payload) {
        rc = err_set(c->e, ERR_MALFORMED, "malformed_json", NULL, "the body is not valid JSON: %s", je.text);
        goto done;
    }
    if ((rc = mapping_apply_json(m, payload, &norm, c->e)) != 0)
        goto done;
    rc = svc_result_ingest(c, norm, body, len, out);
done:
    json_decref(payload);
    json_decref(norm);
    mapping_free(m);
    return rc;
}

int svc_vendor_list(struct svc_ctx *c, json_t **out)
{
    *out = json_pack("{s:o}", "items", vendor_list(c->data_dir));
    return 0;
}

/* Encrypts text (n bytes) and binds it at idx. */
static int bind_encrypted(struct svc_ctx *c, struct db_stmt *s, int idx, const char *ctx, const char *text, size_t n)
{
    unsigned char *ct = NULL;
    size_t ctn = 0;
    if (field_encrypt(c->kr, ctx, text, n, &ct, &ctn) != 0)
        return err_set(c->e, ERR_INTERNAL, NULL, NULL, "cannot encrypt %s", ctx);
    db_bind_blob(s, idx, ct, ctn);
    free(ct);
    return 0;
}

int svc_vendor_secret_set(struct svc_ctx *c, const char *vendor, const unsigned char *secret, size_t n)
{
    if (n == 0 || n > 256)
        return err_set(c->e, ERR_INVALID, "out_of_range", "secret", "a vendor secret is 1 to 256 bytes");
    int rc = svc_begin(c);
    if (rc != 0)
        return rc;
    struct db_stmt *s;
    if ((rc = svc_prepare(c,
                          "INSERT INTO vendor_secret (vendor, secret_enc, updated_at) VALUES (?, ?, ?) "
                          "ON CONFLICT (vendor) DO UPDATE SET secret_enc = excluded.secret_enc, "
                          "updated_at = excluded.updated_at",
                          &s)))
        return svc_end(c, rc);
    db_bind_text(s, 1, vendor);
    if ((rc = bind_encrypted(c, s, 2, CTX_SECRET, (const char *)secret, n)) == 0) {
        db_bind_int64(s, 3, c->now);
        rc = db_step(s, c->e);
        rc = rc < 0 ? rc : 0;
    }
    db_reset(s);
    json_t *after = json_pack("{s:s,s:s}", "vendor", vendor, "secret", "[set]");
    if (rc == 0 && !(rc = svc_audit(c, "vendor.secret_set", "vendor", 0, NULL, after)))
        rc = svc_commit(c);
    json_decref(after);
    return svc_end(c, rc);
}

int svc_vendor_secret_get(struct svc_ctx *c, const char *vendor, unsigned char *buf, size_t cap, size_t *n)
{
    int rc = svc_begin_read(c);
    if (rc != 0)
        return rc;
    struct db_stmt *s;
    if ((rc = svc_prepare(c, "SELECT secret_enc FROM vendor_secret WHERE vendor = ?", &s)))
        return svc_end(c, rc);
    db_bind_text(s, 1, vendor);
    rc = db_step(s, c->e);
    if (rc == DB_ROW) {
        size_t bn = 0, ptn = 0;
        const unsigned char *blob = db_col_blob(s, 0, &bn);
        unsigned char *pt = NULL;
        rc = field_decrypt(c->kr, CTX_SECRET, blob, bn, &pt, &ptn, c->e);
        if (rc == 0) {
            *n = ptn < cap ? ptn : cap;
            memcpy(buf, pt, *n);
            sodium_memzero(pt, ptn);
            free(pt);
        }
    } else if (rc == DB_DONE) {
        rc = err_set(c->e, ERR_NOT_FOUND, NULL, "vendor", "no secret is set for vendor %.32s", vendor);
    }
    db_reset(s);
    return svc_end(c, rc < 0 ? rc : 0);
}

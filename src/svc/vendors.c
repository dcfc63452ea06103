/* vendors.c - see vendors.h. */
#include "svc/vendors.h"

#include <sodium.h>
#include <string.h>

#include "core/mapping.h"
#include "io/vendors.h"
#include "svc/results.h"

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

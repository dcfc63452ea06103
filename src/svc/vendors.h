/* vendors.h - results arriving from a vendor through its mapping file, and the vendors' webhook secrets. */
#ifndef TALENTD_SVC_VENDORS_H
#define TALENTD_SVC_VENDORS_H

#include <stddef.h>

#include "svc/svc.h"

/* A vendor's webhook: loads the mapping `vendor` (404 unknown_vendor) and
 * checks the HMAC signature in the header the mapping names, read with
 * header(cls, name): 401 "bad_signature" when the mapping has no signature
 * block, the header is missing, no secret is set, or it does not match —
 * nothing is stored then. Then parses body as JSON (400), maps it (422 naming
 * the payload path) and ingests it with svc_result_ingest, body kept as the
 * raw payload. *out as svc_result_ingest. */
int svc_vendor_ingest(struct svc_ctx *c, const char *vendor, const char *body, size_t len,
                      const char *(*header)(void *cls, const char *name), void *cls, json_t **out);

/* {"items": [{name, label, format, source}]}: every vendor mapping. */
int svc_vendor_list(struct svc_ctx *c, json_t **out);

/* Stores (replaces) a vendor's webhook secret, encrypted. 1..256 bytes. */
int svc_vendor_secret_set(struct svc_ctx *c, const char *vendor, const unsigned char *secret, size_t n);

/* Reads a vendor's secret into buf (up to cap bytes): 0 and *n, or
 * ERR_NOT_FOUND when none is set. Own read transaction. */
int svc_vendor_secret_get(struct svc_ctx *c, const char *vendor, unsigned char *buf, size_t cap, size_t *n);

#endif

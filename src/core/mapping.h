/* mapping.h - vendor mappings: a JSON file (not code) that says how one AI
 * interview vendor's payload becomes a normalised result (docs/results.md).
 * The file format is documented in docs/vendors.md; talentd ships
 * vendors/native.json, stars.json, analysis.json and csv_zh.json.
 *
 * Pure logic: no I/O, no SQL. A loaded mapping is immutable and may be
 * shared by any number of threads; every other object here belongs to one
 * caller at a time. The output of mapping_apply_json / mapping_apply_row has
 * the exact shape and types of a normalised result; ranges (lengths, counts,
 * 0 <= start_ms <= end_ms, ...) are checked afterwards by result_parse. */
#ifndef TALENTD_MAPPING_H
#define TALENTD_MAPPING_H

#include <jansson.h>
#include <stddef.h>

#include "lib/err.h"

struct mapping;      /* opaque, immutable after load; safe to share across threads */
struct mapping_cols; /* a CSV header resolved against a mapping */

/* Parses and checks a mapping file's JSON. name_hint is the file name
 * without ".json" and must equal the file's "name" (NULL skips that check,
 * for tests and tools). file is only read; the mapping keeps no reference
 * to it. Returns 0 and sets *out (free with mapping_free), or ERR_INVALID
 * with e->field the path into the mapping file that is wrong
 * ("dimensions.scale", "candidate.email.path", "signature.encoding") and
 * *out NULL. Unknown keys are errors, so a typo cannot go unnoticed. */
int mapping_load(json_t *file, const char *name_hint, struct mapping **out, struct err *e);

/* Frees a mapping. NULL is a no-op. */
void mapping_free(struct mapping *m);

/* The mapping's name ("stars"): the `vendor` of every result it makes. */
const char *mapping_name(const struct mapping *m);

/* The mapping's human label ("StarRate AI interviews"). */
const char *mapping_label(const struct mapping *m);

/* 1 for a "csv" mapping (use mapping_csv_header / mapping_apply_row), 0 for
 * a "json" mapping (use mapping_apply_json, also for each JSONL line). */
int mapping_is_csv(const struct mapping *m);

/* JSON payload -> normalised result. On success returns 0 and sets *out to
 * a new reference (the caller decrefs). payload is only read. Returns
 * ERR_INVALID (*out NULL) with e->field the payload path that failed
 * ("$.analysis[2].score", "$.finished_at") and a message saying what was
 * expected (it repeats the path only when the path did not fit in
 * e->field); also when m is a CSV mapping or payload is not an object. */
int mapping_apply_json(const struct mapping *m, json_t *payload, json_t **out, struct err *e);

/* CSV, step 1: resolves the header row (n cells; a UTF-8 byte order mark has
 * already been removed by the CSV reader, surrounding spaces are ignored)
 * against a CSV mapping. Returns 0 and *out (free with mapping_cols_free),
 * or ERR_INVALID (*out NULL) with e->field the column: a column of a
 * required field missing from the header, a column named twice, a dimension
 * column the mapping does not know (unknown_dimensions "error"), or m not a
 * CSV mapping. */
int mapping_csv_header(const struct mapping *m, char **headers, int n, struct mapping_cols **out, struct err *e);

/* CSV, step 2: one data row (n cells, fewer or more than the header is
 * fine: missing cells are empty, extra cells ignored) -> normalised result,
 * as mapping_apply_json. cols must come from mapping_csv_header for the
 * same m. ERR_INVALID names the column in e->field; the caller adds the
 * line number. */
int mapping_apply_row(const struct mapping *m, const struct mapping_cols *cols, char **fields, int n, json_t **out,
                      struct err *e);

/* Frees what mapping_csv_header made. NULL is a no-op. */
void mapping_cols_free(struct mapping_cols *c);

/* 1 when the mapping asks for a signature, with *header (if header is
 * non-NULL) the HTTP header that carries it ("X-Vendor-Signature"); 0
 * otherwise (*header NULL). */
int mapping_signature_header(const struct mapping *m, const char **header);

/* Verifies sig (the header value: prefix, then hex or base64 of the
 * HMAC-SHA256 of body[0..body_len) under secret[0..secret_len)) in constant
 * time. Surrounding spaces in sig are ignored; hex may be either case.
 * Returns 0 when it matches, otherwise ERR_UNAUTHORIZED (slug
 * "bad_signature", e->field the header name): sig NULL or empty, wrong
 * prefix, not decodable, not 32 bytes, a different MAC, an empty secret, or
 * a mapping without a signature block. */
int mapping_verify_signature(const struct mapping *m, const unsigned char *secret, size_t secret_len, const void *body,
                             size_t body_len, const char *sig, struct err *e);

#endif

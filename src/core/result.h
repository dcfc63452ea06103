/* result.h - the normalised AI interview result of docs/results.md:
 * validation and the canonical JSON form.
 *
 * Pure domain logic: no I/O, no SQL. Every source of results (native API,
 * vendor webhooks through a mapping, `talentd import results`) hands its
 * normalised object to result_parse; everything after that (ingestion,
 * matching, percentiles, the match report) reads struct result or its
 * canonical JSON only. */
#ifndef TALENTD_RESULT_H
#define TALENTD_RESULT_H

#include <jansson.h>
#include <stdint.h>

#include "lib/err.h"

#define RESULT_MAX_DIMS 32
#define RESULT_DIM_KEY_MAX 32 /* characters of a dimension key ([a-z][a-z0-9_]*) */

struct result_dim {
    const char *key, *label_zh, *label_en, *evidence; /* evidence NULL when absent */
    int score;                                        /* 0..100 */
};

struct result {
    /* vendor and vendor_result_id are never NULL; the others are NULL when absent. */
    const char *vendor, *vendor_result_id, *model_version, *vendor_recommendation, *reason_category, *video_url;
    int64_t completed_at; /* UTC ms */
    int overall;          /* 0..100, rounded */
    /* candidate hints (NULL / 0 when absent); at least one is present */
    int64_t application_id;
    const char *external_id, *name, *email, *phone, *position_code;
    int ndims;
    struct result_dim dims[RESULT_MAX_DIMS];
    int ntags, nsegments, nmoments;
    json_t *normalised; /* owned: canonical JSON; every const char * above points into it */
};

/* Validates in (a normalised result object; not modified, reference not
 * stolen) against docs/results.md and builds its canonical form.
 *
 * Returns 0 with *out filled; out->normalised is a new object owned by out
 * (release with result_free) holding every documented key (null or [] for
 * absent optional ones), scores rounded half away from zero, completed_at as
 * RFC 3339 UTC ("2026-11-20T09:30:00Z", ".mmm" only when the milliseconds
 * are not zero), missing dimension labels taken from the catalogue (the key
 * when unknown), tags trimmed with duplicates dropped (first occurrence
 * kept), CRLF turned into LF in evidence and transcript text, empty optional
 * strings turned into null, the candidate object holding only the present
 * hints, trimmed, the email lower-cased. Two payloads that mean the same give
 * byte-identical json_dumps(normalised, JSON_COMPACT | JSON_SORT_KEYS).
 *
 * Otherwise returns ERR_INVALID with *out zeroed (result_free is still safe)
 * and e filled (an error already in e is kept, as err_set does): e->field is
 * the path of the first problem ("overall", "candidate",
 * "dimensions[2].score", "transcript[0].end_ms"; empty when in is not an
 * object), e->message an English sentence naming it, e->slug one of
 * "required", "wrong_type", "out_of_range", "too_long", "too_many",
 * "invalid_value", "duplicate", "unknown_field" (unknown keys are refused at
 * every level). */
int result_parse(json_t *in, struct result *out, struct err *e);

/* Releases r->normalised and zeroes r. NULL and zeroed structs are fine. */
void result_free(struct result *r);

/* Label of a well-known dimension key from the catalogue (communication
 * 沟通能力 / Communication, logic 逻辑思维 / Logical thinking, ...): Chinese
 * when english is 0, English otherwise. Static string; NULL when key is NULL
 * or not in the catalogue. */
const char *result_dim_label(const char *key, int english);

/* The catalogue key whose Chinese label equals label, or whose English label
 * equals it ignoring ASCII case ("沟通能力", "communication" -> "communication").
 * Static string; NULL when no catalogue entry has that label. */
const char *result_dim_key(const char *label);

/* 1 if the n bytes at s are a dimension key: [a-z][a-z0-9_]* of 1 to
 * RESULT_DIM_KEY_MAX characters; the one rule every part of talentd that
 * names a dimension (results, mappings, competency models, rubrics, list
 * filters) checks. */
int result_dim_key_valid(const char *s, size_t n);

/* What talentd stores of a parsed result, each text exactly the bytes
 * jansson's json_dumps writes for it (so the stored form does not depend on
 * which of the two wrote it), built without json_dumps' per-container loop
 * checks and per-character UTF-8 decoding:
 *   canonical   json_dumps(normalised, JSON_COMPACT | JSON_SORT_KEYS): the
 *               form hashed to tell a resend from a re-score;
 *   public_json the canonical form without "candidate" and "transcript"
 *               (stored in clear);
 *   hints       the "candidate" object, JSON_COMPACT | JSON_SORT_KEYS;
 *   transcript  the "transcript" array, JSON_COMPACT (keys in insertion
 *               order); NULL when there are no segments.
 * Heap strings owned by t; release with result_texts_free. */
struct result_texts {
    char *canonical, *public_json, *hints, *transcript;
    size_t canonical_len, hints_len, transcript_len;
};
void result_texts(const struct result *r, struct result_texts *t);

/* Frees what result_texts made and zeroes t. NULL and zeroed structs are fine. */
void result_texts_free(struct result_texts *t);

/* The bytes of json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY), with
 * JSON_SORT_KEYS when sort is non-zero, as a heap string the caller frees;
 * *len (if len is non-NULL) its length. v must not contain itself. */
char *result_json_compact(json_t *v, int sort, size_t *len);

/* The value json_loadb(s, n, JSON_REJECT_DUPLICATES, ...) returns for the n bytes at s (the same
 * tree: values, types, member order), read several times faster than jansson reads it; or NULL
 * when jansson would refuse the text, and for the few texts this reader leaves to jansson (nesting
 * deeper than 256, integers of more than 18 digits, reals out of range): the caller then calls
 * json_loadb, for the value or for jansson's own error message. */
json_t *result_json_load(const char *s, size_t n);

#endif

/* validate.h - field validators for JSON input, shared by every use case.
 * Each returns 0 or ERR_INVALID with the field named in e. */
#ifndef TALENTD_VALIDATE_H
#define TALENTD_VALIDATE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

/* Every key of in must be in allowed (NULL-terminated): "unknown_field" otherwise. */
int jv_known(json_t *in, const char *const *allowed, struct err *e);

/* Every key of a query object must be in allowed: ERR_MALFORMED "unknown_parameter" otherwise. */
int jq_known(json_t *query, const char *const *allowed, struct err *e);

/* A string field of 1..maxlen characters (code points) with no control
 * characters except newline/tab when multiline. Absent or null: *out = NULL
 * (an error when required). *present tells whether the key was there (may be NULL). */
int jv_string(json_t *in, const char *key, int required, size_t maxlen, const char **out, int *present, struct err *e);
int jv_text(json_t *in, const char *key, int required, size_t maxlen, const char **out, int *present,
            struct err *e); /* multiline allowed */

/* An identifier: [A-Za-z0-9][A-Za-z0-9_.-]{0,63}. */
int jv_code(json_t *in, const char *key, int required, const char **out, struct err *e);

/* An integer in [min, max]; absent/null leaves *out unchanged and *present 0. */
int jv_int(json_t *in, const char *key, int required, int64_t min, int64_t max, int64_t *out, int *present,
           struct err *e);

/* A boolean; absent leaves *out unchanged. */
int jv_bool(json_t *in, const char *key, int *out, int *present, struct err *e);

/* Validates a plain string value the same way jv_string does (for CLI/CSV input). */
int check_text(const char *field, const char *v, size_t maxlen, int multiline, struct err *e);

/* Pagination: limit (1..200, default 50) and an opaque cursor; *after_id is
 * the id to continue after (0 at the start). ERR_MALFORMED on bad input. */
int page_params(const char *limit_s, const char *cursor_s, int *limit, int64_t *after_id, struct err *e);

/* Opaque cursor text for continuing after id (heap). */
char *page_cursor(int64_t id);

/* Wraps items into {"items":[...],"next_cursor":...} (reference stolen);
 * next_cursor continues after last_id when has_more, else null. List queries
 * fetch limit+1 rows to know has_more. */
json_t *page_result(json_t *items, int has_more, int64_t last_id);

/* Keyset position of a sorted list (qb_page_sorted): the last row's sort
 * value (an integer, or a number when is_real) and its id, the tie-breaker. */
struct page_key {
    int64_t id;
    int is_real;
    int64_t i;
    double d;
};

/* Opaque cursor text (heap) continuing after k in the order named sort (as
 * the client gave it, "-match_score"; at most 40 characters): base64url of
 * "s:<sort>:<value>:<id>". */
char *page_key_cursor(const char *sort, const struct page_key *k);

/* Parses a cursor made by page_key_cursor for the same sort into *k (value
 * read as a number when is_real, else as an integer). ERR_MALFORMED "invalid
 * cursor" (field cursor) for anything else, including a cursor made for
 * another sort or by page_cursor. */
int page_key_parse(const char *cursor, const char *sort, int is_real, struct page_key *k, struct err *e);

/* Like page_result with an already made next cursor (copied; NULL when there
 * is no next page). */
json_t *page_result_cursor(json_t *items, const char *next_cursor);

#endif

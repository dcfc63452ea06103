/* err.h - the one error enum and the error struct every layer fills.
 *
 * Functions return int: 0 on success, a negative ERR_* code on failure, and
 * fill a struct err (message, optional field, optional details) for the
 * caller to show. The HTTP layer maps codes to statuses; the CLI prints the
 * message with the field. */
#ifndef TALENTD_ERR_H
#define TALENTD_ERR_H

#include <stdint.h>

enum err_code {
    ERR_OK = 0,
    ERR_MALFORMED = -1,    /* 400: unparsable input, unknown parameter */
    ERR_UNAUTHORIZED = -2, /* 401 */
    ERR_FORBIDDEN = -3,    /* 403 */
    ERR_NOT_FOUND = -4,    /* 404 */
    ERR_CONFLICT = -5,     /* 409: duplicate, illegal transition, stale version */
    ERR_TOO_LARGE = -6,    /* 413 */
    ERR_INVALID = -7,      /* 422: well-formed but invalid value */
    ERR_RATE_LIMITED = -8, /* 429 */
    ERR_INTERNAL = -9,     /* 500: a bug or an environment failure */
    ERR_DB = -10,          /* 500/503: the database failed */
    ERR_METHOD = -11,      /* 405 */
};

struct err {
    int code;            /* enum err_code, 0 when unset */
    char slug[32];       /* machine code, e.g. "validation_failed" */
    char field[64];      /* offending field, "" when none */
    char message[512];   /* human readable, English */
    int64_t existing_id; /* for duplicates: the id that already exists, else 0 */
    char current[48];    /* for illegal transitions: the current stage, else "" */
    int line, col;       /* for errors in a source text (rule expressions): 1-based position, else 0 */
};

/* Sets e (if non-NULL) and returns code. slug may be NULL (derived from code). */
int err_set(struct err *e, int code, const char *slug, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* err_set(e, ERR_INVALID, ...) as an expression that evaluates to
 * ERR_INVALID where the static analyzer can see it (it does not follow the
 * variadic call's return value). */
#define err_invalid(e, slug, field, ...) (err_set((e), ERR_INVALID, (slug), (field), __VA_ARGS__), ERR_INVALID)

/* Clears e to the no-error state. */
void err_clear(struct err *e);

/* HTTP status for an error code (500 for unknown codes). */
int err_http_status(int code);

/* Default machine slug for a code ("validation_failed", "not_found", ...). */
const char *err_default_slug(int code);

#endif

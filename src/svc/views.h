/* views.h - JSON representations shared by use cases (what the API returns). */
#ifndef TALENTD_VIEWS_H
#define TALENTD_VIEWS_H

#include <jansson.h>
#include <stdint.h>

#include "svc/svc.h"

/* Encryption contexts of the stored AI result's personal data. */
#define CTX_RESULT_TRANSCRIPT "ai_result.transcript"
#define CTX_RESULT_HINTS "ai_result.hints"
#define CTX_RESULT_RAW "ai_result.raw"

/* RFC 3339 string for ms, or JSON null when ms is 0 and null_if_zero. */
json_t *json_time(int64_t ms);
json_t *json_time_or_null(int64_t ms, int is_null);
/* A duration of ms milliseconds as minutes to a tenth (half up), as the KPIs give them. */
json_t *json_minutes(int64_t ms);

/* Column col of s decrypted (field_encrypt under context ctx) and parsed as
 * JSON of any type: a new reference, or NULL when the column is NULL or
 * cannot be decrypted or parsed. The plaintext is wiped after parsing. */
json_t *svc_col_decrypt_json(struct svc_ctx *c, struct db_stmt *s, int col, const char *ctx);

/* Binds text (n bytes) at idx of s encrypted with field_encrypt under
 * context ctx; NULL text binds NULL. ERR_INTERNAL when it cannot encrypt. */
int svc_bind_encrypted(struct svc_ctx *c, struct db_stmt *s, int idx, const char *ctx, const char *text, size_t n);

#endif

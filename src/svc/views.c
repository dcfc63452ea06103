/* views.c - small JSON helpers for representations. */
#include "svc/views.h"

#include <math.h>
#include <sodium.h>
#include <stdlib.h>

#include "lib/crypto.h"
#include "lib/timeutil.h"

json_t *json_time(int64_t ms)
{
    char buf[32];
    time_format_rfc3339(ms, buf);
    return json_string(buf);
}

json_t *json_time_or_null(int64_t ms, int is_null)
{
    return is_null ? json_null() : json_time(ms);
}

json_t *json_minutes(int64_t ms)
{
    return json_real((double)llround((double)ms / 6000.0) / 10.0);
}

json_t *svc_col_decrypt_json(struct svc_ctx *c, struct db_stmt *s, int col, const char *ctx)
{
    if (db_col_isnull(s, col))
        return NULL;
    size_t n = 0, ptn = 0;
    const unsigned char *blob = db_col_blob(s, col, &n);
    unsigned char *pt = NULL;
    struct err ignored = {0};
    if (field_decrypt(c->kr, ctx, blob, n, &pt, &ptn, &ignored) != 0)
        return NULL;
    json_t *v = json_loadb((const char *)pt, ptn, JSON_DECODE_ANY, NULL);
    sodium_memzero(pt, ptn);
    free(pt);
    return v;
}

int svc_bind_encrypted(struct svc_ctx *c, struct db_stmt *s, int idx, const char *ctx, const char *text, size_t n)
{
    if (!text) {
        db_bind_null(s, idx);
        return 0;
    }
    unsigned char *ct = NULL;
    size_t ctn = 0;
    if (field_encrypt(c->kr, ctx, text, n, &ct, &ctn) != 0)
        return err_set(c->e, ERR_INTERNAL, NULL, NULL, "cannot encrypt %s", ctx);
    db_bind_blob(s, idx, ct, ctn);
    free(ct);
    return 0;
}

/* system.c - /healthz, /api/v1/openapi.json and the root document. */
#include <string.h>

#include "api/api.h"
#include "embedded.h"
#include "lib/mem.h"
#include "store/migrate.h"

int api_healthz(struct req *r)
{
    struct db_stmt *s;
    int rc = db_prepare(r->ctx.db, "SELECT 1", &s, &r->err);
    if (rc == 0) {
        rc = db_step(s, &r->err);
        db_reset(s);
    }
    if (rc < 0)
        return rc;
    return req_reply(r, 200,
                     json_pack("{s:s,s:s,s:i}", "status", "ok", "database",
                               db_kind(r->ctx.db) == DB_POSTGRES ? "postgresql" : "sqlite", "schema_version",
                               migrate_latest()));
}

int api_openapi(struct req *r)
{
    r->raw = xstrndup(openapi_json, openapi_json_len);
    r->raw_len = openapi_json_len;
    r->content_type = "application/json; charset=utf-8";
    r->status = 200;
    return 0;
}

int api_root(struct req *r)
{
    return req_reply(
        r, 200, json_pack("{s:s,s:s,s:s}", "name", "talentd", "api", "/api/v1", "openapi", "/api/v1/openapi.json"));
}

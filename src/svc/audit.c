/* audit.c - the audit log API (filtered, cursor-paginated reads) and the
 * chain verifier behind `talentd audit verify`. */
#include "svc/audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "svc/query.h"
#include "svc/validate.h"
#include "svc/views.h"

#define AUDIT_COLS "a.id, a.at, a.actor, a.actor_id, a.action, a.entity, a.entity_id, a.diff_json, a.prev_hash, a.hash"
#define VERIFY_BATCH 2000
#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

static json_t *audit_row(struct svc_ctx *c, struct db_stmt *s)
{
    (void)c;
    json_t *diff = json_loads(db_col_text(s, 7), 0, NULL);
    return json_pack("{s:I,s:o,s:s,s:s,s:s,s:o,s:o,s:s,s:s}", "id", (json_int_t)db_col_int64(s, 0), "at",
                     json_time(db_col_int64(s, 1)), "actor", db_col_text(s, 2), "action", db_col_text(s, 4), "entity",
                     db_col_text(s, 5), "entity_id",
                     db_col_isnull(s, 6) ? json_null() : json_integer(db_col_int64(s, 6)), "diff",
                     diff ? diff : json_null(), "prev_hash", db_col_text(s, 8), "hash", db_col_text(s, 9));
}

int svc_audit_list(struct svc_ctx *c, json_t *query, json_t **out)
{
    static const char *const params[] = {"entity", "id", "actor", "action", "limit", "cursor", NULL};
    int64_t id;
    int rc;
    if ((rc = jq_known(query, params, c->e)) || (rc = q_id(query, "id", &id, c->e)))
        return rc;
    const char *entity = q_str(query, "entity"), *actor = q_str(query, "actor"), *action = q_str(query, "action");
    struct qb q;
    qb_init(&q, "SELECT " AUDIT_COLS " FROM audit a WHERE 1=1");
    if (entity) {
        qb_sql(&q, " AND a.entity = ?");
        qb_text(&q, entity);
    }
    if (id) {
        if (!entity)
            return err_set(c->e, ERR_INVALID, "required", "entity", "filtering by id needs entity");
        qb_sql(&q, " AND a.entity_id = ?");
        qb_int(&q, id);
    }
    if (actor && strchr(actor, ':')) {
        qb_sql(&q, " AND a.actor = ?");
        qb_text(&q, actor);
    } else if (actor) {
        qb_sql(&q, " AND a.actor_id = (SELECT id FROM users WHERE username = ?)");
        qb_text(&q, actor);
    }
    if (action) {
        qb_sql(&q, " AND a.action = ?");
        qb_text(&q, action);
    }
    return qb_page(c, &q, query, "a.id", audit_row, out);
}

/* Checks one row against the chain so far; fills broken/why on a break. */
static int check_row(struct db_stmt *s, char prev[65], int64_t *prev_id, int64_t *broken_id, char *why, size_t why_n)
{
    int64_t id = db_col_int64(s, 0);
    const char *prev_hash = db_col_text(s, 8), *hash = db_col_text(s, 9);
    if (strcmp(prev_hash, prev) != 0) {
        *broken_id = id;
        if (*prev_id)
            snprintf(why, why_n, "prev_hash does not match row %lld", (long long)*prev_id);
        else
            snprintf(why, why_n, "prev_hash of the first row is not the genesis hash");
        return 1;
    }
    char want[65];
    audit_row_hash(prev_hash, db_col_int64(s, 1), db_col_text(s, 2), db_col_int64(s, 3), db_col_text(s, 4),
                   db_col_text(s, 5), db_col_int64(s, 6), db_col_text(s, 7), want);
    if (strcmp(want, hash) != 0) {
        *broken_id = id;
        snprintf(why, why_n, "hash mismatch");
        return 1;
    }
    snprintf(prev, 65, "%s", hash);
    *prev_id = id;
    return 0;
}

int svc_audit_verify(struct svc_ctx *c, int64_t *rows, int64_t *broken_id, char *why, size_t why_n)
{
    *rows = 0;
    *broken_id = 0;
    if (why_n)
        why[0] = '\0';
    int rc = svc_begin_read(c);
    if (rc != 0)
        return rc;
    char prev[65] = GENESIS;
    int64_t prev_id = 0;
    for (;;) {
        struct db_stmt *s;
        if ((rc = svc_prepare(c, "SELECT " AUDIT_COLS " FROM audit a WHERE a.id > ? ORDER BY a.id LIMIT ?", &s)))
            break;
        db_bind_int64(s, 1, prev_id);
        db_bind_int64(s, 2, VERIFY_BATCH);
        int n = 0;
        while (!*broken_id && (rc = db_step(s, c->e)) == DB_ROW) {
            n++;
            ++*rows;
            check_row(s, prev, &prev_id, broken_id, why, why_n);
        }
        db_reset(s);
        if (rc < 0 || *broken_id || n < VERIFY_BATCH)
            break;
    }
    return svc_end(c, rc < 0 ? rc : 0);
}

/* org.c - the org-unit tree. Each unit keeps a materialised path
 * ("/1/4/9/") so a manager's subtree is one indexed LIKE. */
#include <stdio.h>
#include <string.h>

#include "lib/mem.h"
#include "svc/auth.h"
#include "svc/org.h"
#include "svc/query.h"
#include "svc/validate.h"
#include "svc/views.h"

#define ORG_SELECT                                                                                                     \
    "SELECT o.id, o.code, o.name, o.parent_id, p.code, o.path, o.manager_user_id, u.username, o.created_at, "          \
    "o.updated_at, o.version FROM org_unit o LEFT JOIN org_unit p ON p.id = o.parent_id "                              \
    "LEFT JOIN users u ON u.id = o.manager_user_id WHERE 1=1"

static json_t *org_row(struct svc_ctx *c, struct db_stmt *s)
{
    (void)c;
    return json_pack("{s:I,s:s,s:s,s:o,s:o,s:s,s:o,s:o,s:o,s:o,s:I}", "id", (json_int_t)db_col_int64(s, 0), "code",
                     db_col_text(s, 1), "name", db_col_text(s, 2), "parent_id",
                     db_col_isnull(s, 3) ? json_null() : json_integer(db_col_int64(s, 3)), "parent",
                     db_col_isnull(s, 4) ? json_null() : json_string(db_col_text(s, 4)), "path", db_col_text(s, 5),
                     "manager_user_id", db_col_isnull(s, 6) ? json_null() : json_integer(db_col_int64(s, 6)), "manager",
                     db_col_isnull(s, 7) ? json_null() : json_string(db_col_text(s, 7)), "created_at",
                     json_time(db_col_int64(s, 8)), "updated_at", json_time(db_col_int64(s, 9)), "version",
                     (json_int_t)db_col_int64(s, 10));
}

static int org_load(struct svc_ctx *c, int64_t id, json_t **out)
{
    struct qb q;
    qb_init(&q, ORG_SELECT " AND o.id = ?");
    qb_int(&q, id);
    return qb_one(c, &q, org_row, "org unit", out);
}

int svc_org_get(struct svc_ctx *c, int64_t id, json_t **out)
{
    int rc = svc_begin_read(c);
    if (rc == 0)
        rc = org_load(c, id, out);
    return svc_end(c, rc);
}

int svc_org_id_by_code(struct svc_ctx *c, const char *code, int64_t *id)
{
    return svc_lookup_id(c, "SELECT id FROM org_unit WHERE code = ?", code, "org_unit", "org unit with code", id);
}

/* Resolves a reference field holding a code or username to an id; a
 * missing target is a 422 on that field. present/null are reported. */
static int ref_field(struct svc_ctx *c, json_t *in, const char *key, int is_user, int64_t *id, int *present)
{
    json_t *v = json_object_get(in, key);
    *present = v != NULL;
    *id = 0;
    if (!v || json_is_null(v))
        return 0;
    const char *code;
    int rc = jv_string(in, key, 1, 64, &code, NULL, c->e);
    if (rc != 0)
        return rc;
    rc = is_user ? svc_user_id(c, code, id) : svc_org_id_by_code(c, code, id);
    if (rc == ERR_NOT_FOUND) {
        c->e->code = 0;
        return err_set(c->e, ERR_INVALID, "invalid_reference", key, "%s %.64s does not exist", key, code);
    }
    return rc;
}

static int path_of(struct svc_ctx *c, int64_t id, char *out, size_t n)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, "SELECT path FROM org_unit WHERE id = ?", &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, id);
    rc = db_step(s, c->e);
    if (rc == DB_ROW)
        snprintf(out, n, "%s", db_col_text(s, 0));
    db_reset(s);
    if (rc == DB_DONE)
        return err_set(c->e, ERR_NOT_FOUND, NULL, "parent", "no such org unit");
    return rc < 0 ? rc : 0;
}

static int exec_path(struct svc_ctx *c, const char *sql, const char *a, int64_t b)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, sql, &s);
    if (rc != 0)
        return rc;
    db_bind_text(s, 1, a);
    db_bind_int64(s, 2, b);
    rc = db_step(s, c->e);
    db_reset(s);
    return rc < 0 ? rc : 0;
}

int svc_org_create(struct svc_ctx *c, json_t *in, json_t **out)
{
    static const char *const fields[] = {"code", "name", "parent", "manager", NULL};
    const char *code, *name;
    int rc, has;
    if ((rc = jv_known(in, fields, c->e)) || (rc = jv_code(in, "code", 1, &code, c->e)) ||
        (rc = jv_string(in, "name", 1, 100, &name, NULL, c->e)))
        return rc;
    if ((rc = svc_begin(c)) != 0)
        return rc;
    int64_t parent = 0, manager = 0, id = 0;
    char ppath[256] = "/";
    if ((rc = ref_field(c, in, "parent", 0, &parent, &has)) || (rc = ref_field(c, in, "manager", 1, &manager, &has)) ||
        (parent && (rc = path_of(c, parent, ppath, sizeof(ppath)))))
        return svc_end(c, rc);
    if (strlen(ppath) > 200)
        return svc_end(c, err_set(c->e, ERR_INVALID, "too_deep", "parent", "the org tree is too deep"));
    struct db_stmt *s;
    if ((rc = svc_prepare(c,
                          "INSERT INTO org_unit (parent_id, code, name, path, manager_user_id, created_at, updated_at) "
                          "VALUES (?, ?, ?, '', ?, ?, ?) RETURNING id",
                          &s)))
        return svc_end(c, rc);
    if (parent)
        db_bind_int64(s, 1, parent);
    else
        db_bind_null(s, 1);
    db_bind_text(s, 2, code);
    db_bind_text(s, 3, name);
    if (manager)
        db_bind_int64(s, 4, manager);
    else
        db_bind_null(s, 4);
    db_bind_int64(s, 5, c->now);
    db_bind_int64(s, 6, c->now);
    rc = db_step(s, c->e);
    if (rc == DB_ROW)
        id = db_col_int64(s, 0);
    db_reset(s);
    if (rc == ERR_CONFLICT)
        return svc_duplicate(c, svc_org_id_by_code, code, "code", "org unit code");
    if (rc < 0)
        return svc_end(c, rc);
    char path[300];
    snprintf(path, sizeof(path), "%s%lld/", ppath, (long long)id);
    json_t *o = NULL;
    if ((rc = exec_path(c, "UPDATE org_unit SET path = ? WHERE id = ?", path, id)) || (rc = org_load(c, id, &o)) ||
        (rc = svc_audit(c, "org_unit.create", "org_unit", id, NULL, o)) ||
        (rc = svc_event(c, "org_unit.created", "org_unit", id, o)) || (rc = svc_commit(c))) {
        json_decref(o);
        return svc_end(c, rc);
    }
    *out = o;
    return 0;
}

int svc_org_list(struct svc_ctx *c, json_t *query, json_t **out)
{
    static const char *const params[] = {"parent", "root", "limit", "cursor", NULL};
    int rc, root;
    if ((rc = jq_known(query, params, c->e)) || (rc = q_bool(query, "root", &root, c->e)))
        return rc;
    struct qb q;
    qb_init(&q, ORG_SELECT);
    const char *parent = q_str(query, "parent");
    if (parent) {
        qb_sql(&q, " AND p.code = ?");
        qb_text(&q, parent);
    }
    if (root == 1)
        qb_sql(&q, " AND o.parent_id IS NULL");
    return qb_page(c, &q, query, "o.id", org_row, out);
}

int svc_org_update(struct svc_ctx *c, int64_t id, json_t *in, json_t **out)
{
    static const char *const fields[] = {"name", "parent", "manager", "version", NULL};
    const char *name;
    int64_t version = 0;
    int rc, has_parent, has_manager, has_version = 0;
    if ((rc = jv_known(in, fields, c->e)) || (rc = jv_string(in, "name", 0, 100, &name, NULL, c->e)) ||
        (rc = jv_int(in, "version", 0, 1, INT64_MAX, &version, &has_version, c->e)))
        return rc;
    if ((rc = svc_begin(c)) != 0)
        return rc;
    json_t *before = NULL, *after = NULL;
    int64_t parent = 0, manager = 0;
    if ((rc = org_load(c, id, &before)) || (rc = svc_check_version(c, "org unit", before, has_version, version)) ||
        (rc = ref_field(c, in, "parent", 0, &parent, &has_parent)) ||
        (rc = ref_field(c, in, "manager", 1, &manager, &has_manager)))
        goto done;
    const char *old_path = json_string_value(json_object_get(before, "path"));
    if (has_parent) {
        char ppath[256] = "/";
        if (parent && (rc = path_of(c, parent, ppath, sizeof(ppath))))
            goto done;
        if (strncmp(ppath, old_path, strlen(old_path)) == 0) {
            rc = err_set(c->e, ERR_INVALID, "cycle", "parent", "an org unit cannot move under itself");
            goto done;
        }
        char new_path[300];
        snprintf(new_path, sizeof(new_path), "%s%lld/", ppath, (long long)id);
        if (strlen(new_path) > 250) {
            rc = err_set(c->e, ERR_INVALID, "too_deep", "parent", "the org tree is too deep");
            goto done;
        }
        /* Re-root the whole subtree: replace the old prefix with the new one. */
        struct db_stmt *s;
        if ((rc = svc_prepare(c, "UPDATE org_unit SET path = ? || SUBSTR(path, ?) WHERE path LIKE ?", &s)))
            goto done;
        char like[300];
        snprintf(like, sizeof(like), "%s%%", old_path);
        db_bind_text(s, 1, new_path);
        db_bind_int64(s, 2, (int64_t)strlen(old_path) + 1);
        db_bind_text(s, 3, like);
        rc = db_step(s, c->e);
        db_reset(s);
        if (rc < 0)
            goto done;
    }
    struct db_stmt *s;
    if ((rc = svc_prepare(c,
                          "UPDATE org_unit SET name = COALESCE(?, name), parent_id = CASE WHEN ? = 1 THEN ? ELSE "
                          "parent_id END, manager_user_id = CASE WHEN ? = 1 THEN ? ELSE manager_user_id END, "
                          "updated_at = ?, version = version + 1 WHERE id = ?",
                          &s)))
        goto done;
    db_bind_text(s, 1, name);
    db_bind_int64(s, 2, has_parent);
    if (parent)
        db_bind_int64(s, 3, parent);
    else
        db_bind_null(s, 3);
    db_bind_int64(s, 4, has_manager);
    if (manager)
        db_bind_int64(s, 5, manager);
    else
        db_bind_null(s, 5);
    db_bind_int64(s, 6, c->now);
    db_bind_int64(s, 7, id);
    rc = db_step(s, c->e);
    db_reset(s);
    if (rc < 0 || (rc = org_load(c, id, &after)) ||
        (rc = svc_audit(c, "org_unit.update", "org_unit", id, before, after)) ||
        (rc = svc_event(c, "org_unit.updated", "org_unit", id, after)) || (rc = svc_commit(c)))
        goto done;
    *out = after;
    after = NULL;
done:
    json_decref(before);
    json_decref(after);
    return svc_end(c, rc);
}

static int count_where(struct svc_ctx *c, const char *sql, int64_t id, int64_t *n)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, sql, &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, id);
    rc = db_step(s, c->e);
    *n = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_reset(s);
    return rc < 0 ? rc : 0;
}

int svc_org_delete(struct svc_ctx *c, int64_t id)
{
    int rc = svc_begin(c);
    if (rc != 0)
        return rc;
    json_t *before = NULL;
    int64_t kids = 0, pos = 0, users = 0;
    if ((rc = org_load(c, id, &before)) ||
        (rc = count_where(c, "SELECT COUNT(*) FROM org_unit WHERE parent_id = ?", id, &kids)) ||
        (rc = count_where(c, "SELECT COUNT(*) FROM position WHERE org_unit_id = ?", id, &pos)) ||
        (rc = count_where(c, "SELECT COUNT(*) FROM users WHERE org_unit_id = ?", id, &users)))
        goto done;
    if (kids || pos || users) {
        rc = err_set(c->e, ERR_CONFLICT, "in_use", NULL,
                     "org unit has %lld child units, %lld positions and %lld users; move them first", (long long)kids,
                     (long long)pos, (long long)users);
        goto done;
    }
    struct db_stmt *s;
    if ((rc = svc_prepare(c, "DELETE FROM org_unit WHERE id = ?", &s)))
        goto done;
    db_bind_int64(s, 1, id);
    rc = db_step(s, c->e);
    db_reset(s);
    if (rc < 0 || (rc = svc_audit(c, "org_unit.delete", "org_unit", id, before, NULL)) ||
        (rc = svc_event(c, "org_unit.deleted", "org_unit", id, before)) || (rc = svc_commit(c)))
        goto done;
done:
    json_decref(before);
    return svc_end(c, rc);
}

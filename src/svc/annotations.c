/* annotations.c - see annotations.h. */
#include "svc/annotations.h"

#include "svc/applications.h"
#include "svc/query.h"
#include "svc/validate.h"
#include "svc/views.h"

#define NOTE_SELECT                                                                                                    \
    "SELECT n.id, n.application_id, u.username, u.role, n.body, n.created_at FROM annotation n "                       \
    "JOIN users u ON u.id = n.user_id WHERE "

static json_t *note_row(struct svc_ctx *c, struct db_stmt *s)
{
    (void)c;
    return json_pack("{s:I,s:I,s:s,s:s,s:s,s:o}", "id", (json_int_t)db_col_int64(s, 0), "application_id",
                     (json_int_t)db_col_int64(s, 1), "user", db_col_text(s, 2), "role", db_col_text(s, 3), "body",
                     db_col_text(s, 4), "at", json_time(db_col_int64(s, 5)));
}

int annotations_list_tx(struct svc_ctx *c, int64_t app, json_t *into)
{
    struct qb q;
    qb_init(&q, NOTE_SELECT "n.application_id = ? ORDER BY n.id");
    qb_int(&q, app);
    return qb_all(c, &q, note_row, into);
}

int svc_annotation_list(struct svc_ctx *c, int64_t app, json_t **out)
{
    json_t *a = NULL, *items = json_array();
    int rc = svc_begin_read(c);
    if (rc == 0 && (rc = svc_app_load_tx(c, app, &a)) == 0 && (rc = annotations_list_tx(c, app, items)) == 0)
        *out = json_pack("{s:O}", "items", items);
    json_decref(a);
    json_decref(items);
    return svc_end(c, rc);
}

int svc_annotation_add(struct svc_ctx *c, int64_t app, json_t *in, json_t **out)
{
    static const char *const fields[] = {"body", NULL};
    const char *body;
    int rc;
    if ((rc = jv_known(in, fields, c->e)) || (rc = jv_text(in, "body", 1, ANNOTATION_MAX, &body, NULL, c->e)))
        return rc;
    if (!c->actor->user_id)
        return err_set(c->e, ERR_FORBIDDEN, NULL, NULL, "annotations are written by users");
    if ((rc = svc_begin(c)) != 0)
        return rc;
    json_t *a = NULL, *note = NULL;
    struct db_stmt *s;
    if ((rc = svc_app_load_tx(c, app, &a)) ||
        (rc = svc_prepare(c,
                          "INSERT INTO annotation (application_id, user_id, body, created_at) VALUES (?, ?, ?, ?) "
                          "RETURNING id",
                          &s)))
        goto done;
    db_bind_int64(s, 1, app);
    db_bind_int64(s, 2, c->actor->user_id);
    db_bind_text(s, 3, body);
    db_bind_int64(s, 4, c->now);
    rc = db_step(s, c->e);
    int64_t id = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_reset(s);
    if (rc < 0)
        goto done;
    struct qb q;
    qb_init(&q, NOTE_SELECT "n.id = ?");
    qb_int(&q, id);
    if ((rc = qb_one(c, &q, note_row, "annotation", &note)) ||
        (rc = svc_audit(c, "application.annotate", "application", app, NULL, note)) ||
        (rc = svc_event(c, "application.annotated", "application", app, note)) || (rc = svc_commit(c)))
        goto done;
    *out = note;
    note = NULL;
done:
    json_decref(a);
    json_decref(note);
    return svc_end(c, rc);
}

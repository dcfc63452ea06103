/* moves.c - an application's stage move with its audit row and event (svc/moves.h). */
#include "svc/moves.h"

#include "svc/applications.h"

enum actor_kind svc_staff_kind(const struct actor *a)
{
    return a->role == ROLE_ADMIN ? ACTOR_ADMIN : a->role == ROLE_HR ? ACTOR_HR : ACTOR_SYSTEM;
}

int svc_app_move_audited_tx(struct svc_ctx *c, json_t *before, enum stage to, enum actor_kind kind, const char *reason,
                            const char *note, json_t *extra, json_t **after)
{
    int64_t id = json_integer_value(json_object_get(before, "id"));
    json_t *a = NULL;
    int rc = svc_app_move_tx(c, before, to, kind, reason, note);
    if (rc != 0 || (rc = svc_app_load_tx(c, id, &a)) != 0)
        return rc;
    json_t *ev = json_pack("{s:I,s:O,s:s,s:s?}", "id", (json_int_t)id, "from", json_object_get(before, "stage"), "to",
                           stage_name(to), "reason", reason);
    if (extra)
        json_object_update(ev, extra);
    if ((rc = svc_audit(c, "application.transition", "application", id, before, a)) == 0)
        rc = svc_event(c, "application.stage_changed", "application", id, ev);
    json_decref(ev);
    if (rc == 0 && after)
        *after = json_incref(a);
    json_decref(a);
    return rc;
}

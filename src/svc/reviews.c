/* reviews.c - the review queue of eliminations (svc/reviews.h). */
#include "svc/reviews.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pipeline.h"
#include "svc/applications.h"
#include "svc/fairness.h"
#include "svc/moves.h"
#include "svc/query.h"
#include "svc/validate.h"
#include "svc/views.h"

#define REVIEW_SELECT                                                                                                  \
    "SELECT a.id, c.name, p.code, p.title, a.stage_changed_at, a.elimination_reason, a.elimination_note, "             \
    "(SELECT h.actor_kind FROM stage_history h WHERE h.application_id = a.id ORDER BY h.id DESC LIMIT 1), "            \
    "(SELECT u.username FROM stage_history h LEFT JOIN users u ON u.id = h.actor_id WHERE h.application_id = a.id "    \
    "ORDER BY h.id DESC LIMIT 1), "                                                                                    \
    "(SELECT f.rule_name FROM rule_firing f WHERE f.application_id = a.id AND f.mode = 'enforce' "                     \
    "AND f.stage_since < a.stage_changed_at + 1 ORDER BY f.id DESC LIMIT 1), "                                         \
    "a.overall, a.recommendation, a.position_id "                                                                      \
    "FROM application a JOIN candidate c ON c.id = a.candidate_id JOIN position p ON p.id = a.position_id "            \
    "WHERE a.stage = 'eliminated_pending_review'"

struct review_row_ctx {
    json_t *flags; /* position id -> flagged, computed once per position */
};

static json_t *review_row(struct svc_ctx *c, struct db_stmt *s)
{
    int64_t since = db_col_int64(s, 4);
    const char *kind = db_col_isnull(s, 7) ? "" : db_col_text(s, 7), *note = db_col_text(s, 6);
    /* a rule's elimination names the rule in its note; the latest firing of the stage visit otherwise */
    const char *rule = svc_history_rule_name(kind, note);
    const char *by = rule                                                ? rule
                     : strcmp(kind, "rule") == 0 && !db_col_isnull(s, 9) ? db_col_text(s, 9)
                     : db_col_isnull(s, 8)                               ? kind
                                                                         : db_col_text(s, 8);
    json_t *o =
        json_pack("{s:I,s:s,s:s,s:s,s:o,s:I,s:s?,s:s?,s:s,s:s,s:o,s:s?,s:I}", "application_id",
                  (json_int_t)db_col_int64(s, 0), "candidate_name", db_col_text(s, 1), "position", db_col_text(s, 2),
                  "position_title", db_col_text(s, 3), "stage_changed_at", json_time(since), "age_hours",
                  (json_int_t)((c->now - since) / 3600000), "reason", db_col_isnull(s, 5) ? NULL : db_col_text(s, 5),
                  "note", db_col_isnull(s, 6) ? NULL : db_col_text(s, 6), "by_kind", kind, "by", by, "overall",
                  db_col_isnull(s, 10) ? json_null() : json_integer(db_col_int64(s, 10)), "recommendation",
                  db_col_isnull(s, 11) ? NULL : db_col_text(s, 11), "_position_id", (json_int_t)db_col_int64(s, 12));
    /* the user whose request made the move (a system move made during an import, say), else null */
    json_object_set_new(o, "by_user", db_col_isnull(s, 8) ? json_null() : json_string(db_col_text(s, 8)));
    svc_history_note_code(o, kind, note);
    return o;
}

int svc_review_list(struct svc_ctx *c, json_t *query, json_t **out)
{
    static const char *const params[] = {"position", "limit", "cursor", NULL};
    int rc = jq_known(query, params, c->e);
    if (rc != 0)
        return rc;
    struct qb q;
    qb_init(&q, REVIEW_SELECT);
    const char *pos = q_str(query, "position");
    if (pos) {
        qb_sql(&q, " AND p.code = ?");
        qb_text(&q, pos);
    }
    qb_scope_application(&q, c->actor, "a.id");
    json_t *page = NULL;
    if ((rc = qb_page(c, &q, query, "a.id", review_row, &page)) != 0)
        return rc;
    /* the fairness flag of each position on the page, once per position */
    json_t *flags = json_object(), *it;
    size_t i;
    if ((rc = svc_begin_read(c)) == 0) {
        json_array_foreach(json_object_get(page, "items"), i, it)
        {
            char key[24];
            int64_t pid = json_integer_value(json_object_get(it, "_position_id"));
            snprintf(key, sizeof(key), "%lld", (long long)pid);
            json_t *f = json_object_get(flags, key);
            if (!f) {
                int r = svc_fairness_export_check_tx(c, pid);
                if (r != 0 && r != ERR_CONFLICT) {
                    rc = r;
                    break;
                }
                err_clear(c->e);
                f = json_boolean(r == ERR_CONFLICT);
                json_object_set_new(flags, key, f);
            }
            json_object_set(it, "fairness_flagged", f);
            json_object_del(it, "_position_id");
        }
    }
    rc = svc_end(c, rc);
    json_decref(flags);
    if (rc != 0) {
        json_decref(page);
        return rc;
    }
    *out = page;
    return 0;
}

/* Review decisions are a person's: from the command line, the operator's (admin). */
static enum actor_kind reviewer_kind(const struct actor *a)
{
    enum actor_kind k = svc_staff_kind(a);
    return k == ACTOR_SYSTEM ? ACTOR_ADMIN : k;
}

/* Loads app for a review decision: 409 "not_in_review" unless it is in eliminated_pending_review. */
static int review_load(struct svc_ctx *c, int64_t app, json_t **before)
{
    int rc = svc_app_load_tx(c, app, before);
    if (rc != 0)
        return rc;
    const char *stage = json_string_value(json_object_get(*before, "stage"));
    if (strcmp(stage, "eliminated_pending_review") != 0) {
        rc = err_set(c->e, ERR_CONFLICT, "not_in_review", "id", "application %lld is %s, not waiting for review",
                     (long long)app, stage);
        snprintf(c->e->current, sizeof(c->e->current), "%s", stage);
        json_decref(*before);
        *before = NULL;
    }
    return rc;
}

int svc_review_confirm(struct svc_ctx *c, int64_t app, json_t *in, json_t **out)
{
    static const char *const fields[] = {"note", NULL};
    const char *note = NULL;
    int rc;
    if ((rc = jv_known(in, fields, c->e)) || (rc = jv_text(in, "note", 0, 2000, &note, NULL, c->e)))
        return rc;
    json_t *before = NULL, *extra = json_pack("{s:s}", "review", "confirmed");
    if ((rc = svc_begin(c)) == 0 && (rc = review_load(c, app, &before)) == 0 &&
        (rc = svc_app_move_audited_tx(c, before, STAGE_ELIMINATED_PENDING_EXPORT, reviewer_kind(c->actor), NULL, note,
                                      extra, out)) == 0 &&
        (rc = svc_commit(c)) != 0) {
        json_decref(*out);
        *out = NULL;
    }
    json_decref(before);
    json_decref(extra);
    return svc_end(c, rc);
}

int svc_review_override(struct svc_ctx *c, int64_t app, json_t *in, json_t **out)
{
    static const char *const fields[] = {"reason", "to", NULL};
    const char *reason, *to_s = NULL;
    int rc;
    if ((rc = jv_known(in, fields, c->e)) || (rc = jv_text(in, "reason", 1, 500, &reason, NULL, c->e)) ||
        (rc = jv_string(in, "to", 0, 48, &to_s, NULL, c->e)))
        return rc;
    json_t *before = NULL, *extra = json_pack("{s:s}", "review", "overridden");
    if ((rc = svc_begin(c)) || (rc = review_load(c, app, &before)))
        goto done;
    const char *prev = json_string_value(json_object_get(before, "prev_stage"));
    enum stage to = to_s ? stage_parse(to_s) : stage_parse(prev);
    if (to == STAGE_NONE || stage_is_eliminated(to))
        to = STAGE_AI_PASSED; /* no earlier stage to go back to */
    if (to_s && to != STAGE_AI_PASSED && (!prev || strcmp(to_s, prev) != 0)) {
        rc = err_invalid(c->e, "invalid_value", "to",
                         "an overridden elimination goes back to %s (where it came from) or to ai_passed",
                         prev ? prev : "ai_pending_evaluation");
        goto done;
    }
    if ((rc = svc_app_move_audited_tx(c, before, to, reviewer_kind(c->actor), reason, NULL, extra, out)) == 0 &&
        (rc = svc_commit(c)) != 0) {
        json_decref(*out);
        *out = NULL;
    }
done:
    json_decref(before);
    json_decref(extra);
    return svc_end(c, rc);
}

int svc_review_confirm_bulk(struct svc_ctx *c, json_t *in, json_t **out)
{
    static const char *const fields[] = {"application_ids", "note", NULL};
    int rc = jv_known(in, fields, c->e);
    return rc != 0 ? rc : svc_bulk(c, in, "application_ids", REVIEW_BULK_MAX, "confirmed", svc_review_confirm, out);
}

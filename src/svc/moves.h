/* moves.h - moving an application's stage with its audit row and event, as
 * one building block for the use cases that move applications besides the
 * transitions endpoint (reviews, rules). Runs in the caller's open
 * transaction. */
#ifndef TALENTD_SVC_MOVES_H
#define TALENTD_SVC_MOVES_H

#include "core/pipeline.h"
#include "svc/svc.h"

/* Moves application app (representation before, as svc_app_load_tx gives it) to stage to as an actor of
 * kind (svc_app_move_tx: pipeline check, elimination reason/note, stage_history), then writes audit
 * "application.transition" (before -> after) and event "application.stage_changed" {id, from, to, reason,
 * ...extra}. *after (may be NULL) receives the application after the move. */
int svc_app_move_audited_tx(struct svc_ctx *c, json_t *before, enum stage to, enum actor_kind kind, const char *reason,
                            const char *note, json_t *extra, json_t **after);

/* The actor kind a staff member's decisions are recorded as: admin, hr, else system (the CLI and jobs). */
enum actor_kind svc_staff_kind(const struct actor *a);

#endif

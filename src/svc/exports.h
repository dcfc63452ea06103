/* exports.h - exporting applications to files (docs/exports.md): the field
 * catalogue, export templates, export jobs and daily scheduled exports.
 *
 * An export job selects applications (the application list's filters,
 * stage eliminated_pending_export unless the filter names another), writes
 * one file (CSV, XLSX or JSONL; io/export.h) with the template's fields in
 * its order, decrypting the candidates' contact data (the file leaves the
 * system on purpose), records the job (template, filter, rows, size,
 * SHA-256, path, who, when) with its applications (export_item), and moves
 * every exported application in eliminated_pending_export to exported
 * (svc_app_move_tx: stage_history, event application.exported each), with
 * audit "export.create" and event "export.created": all in one transaction.
 * When anything fails nothing is recorded and the file is removed.
 *
 * Templates and jobs are for admin and hr (and the CLI / background jobs).
 *
 * Template: {id, name, fields: [key...], columns: [{key, label}] (labels in
 * the template's language), format: csv|xlsx|jsonl, lang: zh|en,
 * default_position (code) | null, default_stage | null, schedule: null |
 * {daily_at: "HH:MM" (UTC), filter: {...}, destination, next_run_at,
 * last_run_at, last_export_id, last_error}, created_by, created_at,
 * updated_at, version}.
 * Job: {id, template_id, template (name), format, lang, fields, filter,
 * destination: download|directory, trigger: api|cli|schedule|rule|...,
 * rows, moved, bytes, sha256, filename, path, file_url, created_by,
 * created_at}. */
#ifndef TALENTD_SVC_EXPORTS_H
#define TALENTD_SVC_EXPORTS_H

#include <stddef.h>
#include <stdint.h>

#include "svc/svc.h"

/* Where destination "directory" writes (talentd serve --export-dir DIR): process-wide,
 * set once at start-up before any export runs; NULL (the default) means none is configured
 * and such exports are refused (422 "no_export_dir"). The string is copied. */
void svc_exports_set_dir(const char *dir);
/* The configured export directory, or NULL. */
const char *svc_exports_dir(void);

/* The field catalogue: *out = {items: [{key, group, type, label_zh, label_en, description}],
 * patterns: [{key: "dim.<key>"|"percentile.<key>", ...}]}. query takes no parameters. */
int svc_export_fields(struct svc_ctx *c, json_t *query, json_t **out);

/* in: {name (1..100), fields: [1..EXPORT_MAX_COLUMNS catalogue keys, distinct, in column
 * order], format? (csv), lang? (zh), default_position? (code|null), default_stage?
 * (stage|null), schedule? (null | {daily_at: "HH:MM", filter?: {...}, destination?
 * (download)})}. 422 naming the field (an unknown export field: "unknown_field" on
 * fields[i], the message naming it); 409 "duplicate" on name, or when another template
 * already is the default of that position / stage. */
int svc_export_template_create(struct svc_ctx *c, json_t *in, json_t **out);
int svc_export_template_get(struct svc_ctx *c, int64_t id, json_t **out);
/* In the caller's transaction: 0 when ref names a template (its name, else all digits its id), else
 * 422 "invalid_reference" on field. For what refers to a template by name (a rule's export action). */
int svc_export_template_exists_tx(struct svc_ctx *c, const char *ref, const char *field);
/* query: name, format, limit, cursor. */
int svc_export_template_list(struct svc_ctx *c, json_t *query, json_t **out);
/* in: any field of create (null clears default_position / default_stage / schedule), version?. */
int svc_export_template_update(struct svc_ctx *c, int64_t id, json_t *in, json_t **out);
/* Deletes the template; its jobs keep their record (template_id becomes null). */
int svc_export_template_delete(struct svc_ctx *c, int64_t id);

/* in: {template? (id or name; absent: the template that is the default of the filter's
 * position, else of its stage), filter? (the application list's filters as an object of
 * strings, numbers or booleans: stage, position, position_id, candidate_id, department,
 * talent_pool, recommendation, has_result, received_since, overall_gte/_lte,
 * match_gte/_lte, dim.<key>_gte/_lte; stage defaults to eliminated_pending_export),
 * destination? ("download": DATA_DIR/exports/<id>.<ext>; "directory": the export
 * directory)}. Runs the export described at the top of this file; *out is the job.
 * 422 "nothing_to_export" when no application matches (no job, no file), 422 naming
 * filter.<key> for a bad filter, 422 "template_required" when no template applies. */
int svc_export_create(struct svc_ctx *c, json_t *in, json_t **out);
/* Instead of filter, in.application_ids may name the applications (1..EXPORT_IDS_MAX ids; unknown
 * ids are left out), in any stage: those in eliminated_pending_export move to exported. */
#define EXPORT_IDS_MAX 10000

/* As svc_export_create, recording trigger (e.g. "cli") on the job instead of the one
 * derived from the caller ("api" for users and tokens, else the system actor's name). */
int svc_export_create_as(struct svc_ctx *c, json_t *in, const char *trigger, json_t **out);

/* Inside the caller's open transaction (no begin, no commit): exports the n applications
 * ids (duplicates and unknown ids are ignored; at least one must exist) with template tmpl
 * (its name, or its id in decimal) to the template's format in DATA_DIR/exports, recording
 * the job with trigger (e.g. "rule") and moving those in eliminated_pending_export to
 * exported, as svc_export_create does; *out (may be NULL) receives the job. The file is
 * in place when it returns 0: a caller that then rolls back removes it with
 * svc_export_discard(job). For the rule action export(template). */
int svc_export_apps_tx(struct svc_ctx *c, const char *tmpl, const int64_t *ids, size_t n, const char *trigger,
                       json_t **out);

/* Removes the file of a job whose transaction was rolled back (job as svc_export_apps_tx gave it). */
void svc_export_discard(json_t *job);

/* One job (404 when missing). */
int svc_export_get(struct svc_ctx *c, int64_t id, json_t **out);
/* The export history, newest first. query: template (name), trigger, limit, cursor. */
int svc_export_list(struct svc_ctx *c, json_t *query, json_t **out);

/* A job's file, opened for sending. */
struct export_download {
    int fd;        /* open for reading at offset 0; the receiver closes it */
    uint64_t size; /* bytes */
    char sha256[65];
    char filename[256]; /* for Content-Disposition (UTF-8) */
    const char *mime;   /* static */
};

/* Opens job id's file after checking it still is the file the job wrote: same size and
 * SHA-256 (409 "file_changed" otherwise; 404 "file_missing" when it is gone). Appends audit
 * "export.download". d->fd belongs to the caller on success. */
int svc_export_open_file(struct svc_ctx *c, int64_t id, struct export_download *d);

/* Runs every scheduled export whose time has come at now (UTC ms): for each template whose
 * schedule_next_at <= now, claims the day (moves next_at to the next HH:MM after now, in
 * the database, so a restart or a second process never runs it twice) and runs its export
 * with the schedule's filter and destination, trigger "schedule". An empty selection is a
 * run without a job (last_error "nothing to export"); a failed run is recorded on the
 * template (last_error) and not retried before the next day. *ran gets the number of
 * scheduled exports run. Returns the first failure (after running the others). */
int svc_exports_run_due(struct svc_ctx *c, int64_t now, int *ran);

/* In the open transaction: queues application app for export with template tmpl (its name), as
 * rule rule_id's export action asks (0: no rule); a request already queued is replaced. */
int svc_export_request_tx(struct svc_ctx *c, int64_t app, const char *tmpl, int64_t rule_id);

/* Exports the queued requests due at now: per template, one job (trigger "rule") of the queued
 * applications waiting in eliminated_pending_export, whose requests it then drops (exported or held
 * back by the completeness check); requests of applications under review wait, those no longer
 * eliminated are dropped. A refused export (fairness flag not acknowledged, unknown template) keeps
 * its requests, with the reason, for another try a minute later. *ran counts the jobs written.
 * Returns the first failure after trying every template. */
int svc_exports_run_requested(struct svc_ctx *c, int64_t now, int *ran);

/* The queue of rule-requested exports, a page in application order (keyset cursor: limit, cursor):
 * items {application_id, candidate_id, candidate_name, position (code), position_title, stage (the
 * application's), template, rule_id | null, rule (its name; null when the rule is gone), requested_at,
 * next_at (when the worker next tries it), last_error | null (why the last attempt was refused), state}.
 * state: "held" while the application is not in eliminated_pending_export (under review: it waits),
 * else "retrying" when an attempt was refused (last_error), else "waiting". query: template (name,
 * 1..100 characters), state (waiting|retrying|held; 422 naming the field otherwise), limit, cursor;
 * any other parameter is a 400 "unknown_parameter". Read-only; for admin and hr (the API's route). */
int svc_export_request_list(struct svc_ctx *c, json_t *query, json_t **out);

/* The background worker's task (jobs/worker.c's table): svc_exports_run_due and
 * svc_exports_run_requested at the current time. */
struct worker_config;
int svc_exports_worker_task(struct svc_ctx *c, const struct worker_config *cfg);

#endif

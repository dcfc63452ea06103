/* results_apply.h - what a result does to its application: effective scores,
 * per-position histograms, the stored match report and the stage move. Shared
 * by ingestion, attaching unmatched results and score revisions. */
#ifndef TALENTD_SVC_RESULTS_APPLY_H
#define TALENTD_SVC_RESULTS_APPLY_H

#include "core/match.h"
#include "core/result.h"
#include "svc/svc.h"

/* What applying a result left on the application. */
struct applied {
    char stage[40];
    double match_score;
    const char *recommendation; /* static string; NULL when nothing was applied */
};

/* In the open transaction: makes stored result rid (r is its parsed form) the
 * current result of application app. Takes the previous current scores out of
 * the position's histograms, puts r's in, writes ai_dim, stores overall /
 * match_score / recommendation / result_at on the application and moves it
 * to ai_pending_evaluation (actor system) when it is in applied, ai_invited,
 * ai_in_progress or ai_incomplete. */
int svc_result_apply_tx(struct svc_ctx *c, int64_t app, int64_t rid, const struct result *r, struct applied *out);

/* What svc_result_apply_tx reads of the application first. */
struct app_facts {
    int64_t position_id;
    int64_t position_version; /* PostgreSQL only (the version of the position the model is read from) */
    int has_dims;             /* it has ai_dim rows */
    int has_result;
    int overall;
    char stage[40];
};
/* Reads application app's facts into f: DB_ROW, DB_DONE when there is no such application, or an
 * error. */
int svc_app_facts(struct svc_ctx *c, int64_t app, struct app_facts *f);
/* svc_result_apply_tx with the facts already known in this transaction (f NULL: read them): the
 * caller looked the application up with svc_app_facts, or has just created it. */
int svc_result_apply_known_tx(struct svc_ctx *c, int64_t app, int64_t rid, const struct result *r,
                              const struct app_facts *f, struct applied *out);

/* A system actor on SQLite, or an unguarded batch on PostgreSQL (whose result ids are drawn ahead): a
 * result's application created with the result in one write instead of svc_app_insert_new_tx and
 * then svc_result_apply_known_tx (the insert, then an update of every column the result sets and of
 * the stage, with their indexes). svc_result_new_app_tx, before the result's row is inserted with id
 * rid (the id SQLite would give it, or the one drawn for it): inserts candidate cand's application
 * for position pid (at version pver, PostgreSQL: as the position's lookup read it) as the two steps
 * would leave it: in ai_pending_evaluation, moved from applied by the system, r's scores and match
 * report stored, rid its current result, version 3, with both stage_history rows; *app is its id,
 * out what was applied. svc_result_new_app_done_tx, after the result's row: its ai_dim rows and
 * histogram counts, then the rules of the move and of the result (out->stage follows a rule's move).
 * Stores the same rows as the two steps (on PostgreSQL the counters' change rows of migration 012
 * differ, their sums do not). */
int svc_result_new_app_tx(struct svc_ctx *c, int64_t cand, int64_t pid, int64_t pver, int64_t rid,
                          const struct result *r, int64_t *app, struct applied *out);
int svc_result_new_app_done_tx(struct svc_ctx *c, int64_t app, int64_t pid, const struct result *r,
                               struct applied *out);

/* In the open transaction: replaces application app's effective score of dim
 * (the overall score when dim is "") by score, moving the histogram count, and
 * recomputes the stored match report from the effective scores of r. */
int svc_result_rescore_tx(struct svc_ctx *c, int64_t app, const struct result *r, const char *dim, int score,
                          struct applied *out);

/* The position's histogram for dim ("" = overall) into counts (with what the batch holds back). */
int svc_hist_read(struct svc_ctx *c, int64_t position_id, const char *dim, int64_t counts[HIST_BUCKETS]);

/* Batch mode defers histogram changes to the batch's commit; svc.c calls these. svc_hist_mark: a
 * use case's savepoint opens; svc_hist_undo: it rolls back (its changes are dropped); svc_hist_flush:
 * in the batch's transaction, right before it commits, writes every held-back change, summed per
 * bucket, and forgets them (also when writing fails: the batch then rolls back). */
void svc_hist_mark(struct svc_ctx *c);
void svc_hist_undo(struct svc_ctx *c);
int svc_hist_flush(struct svc_ctx *c);

/* A batch without a savepoint per use case, for bulk imports (on SQLite each savepoint costs a copy
 * of every page the use case changes; on PostgreSQL a subtransaction and two round trips): after
 * svc_batch_unguard (in batch mode; until the batch ends) svc_result_store writes straight into the
 * batch's transaction, and a result that fails leaves whatever it had written. The batch also
 * pipelines its writes (db_pipeline_begin): on PostgreSQL a write's error may only be reported by a
 * later result's svc_result_store, by svc_batch_sync or by the commit. The caller must then drop the
 * whole batch (svc_batch_abort: rolls its transaction back, forgets what it held back and leaves
 * batch mode) and store its results again in a guarded batch, where each fails alone. The audit
 * chain's last hash is remembered for the batch (svc_batch_audit_head): the first audit row takes
 * the chain's lock (held until the batch ends) and reads it, the others need not. */
void svc_batch_unguard(struct svc_ctx *c);
int svc_batch_unguarded(const struct svc_ctx *c);
void svc_batch_abort(struct svc_ctx *c);
/* Waits for everything an unguarded batch has sent: 0, or the error of a write that failed (then
 * the batch must be dropped, as above). 0 at once in a guarded batch. */
int svc_batch_sync(struct svc_ctx *c);
/* Unguarded batch: the hash of the last audit row it wrote, or NULL (before its first audit row, and
 * outside an unguarded batch); svc_batch_audit_wrote records a row's hash (svc_audit calls both). */
const char *svc_batch_audit_head(const struct svc_ctx *c);
/* Unguarded batch on PostgreSQL: the id of the next ai_result row, drawn from its sequence
 * RESULT_IDS_AHEAD at a time, so that the row's INSERT needs no answer (RETURNING) and can be
 * pipelined; ids drawn and not used when the batch ends are left out, as a rolled-back insert's
 * are. *id is 0 (the INSERT must say it with RETURNING) elsewhere. */
#define RESULT_IDS_AHEAD 64
int svc_batch_result_id(struct svc_ctx *c, int64_t *id);
void svc_batch_audit_wrote(struct svc_ctx *c, const char hash[65]);

/* The position's competency model (up to max entries): the count, or a negative error. */
int svc_position_model(struct svc_ctx *c, int64_t position_id, struct competency *model, int max);

#endif

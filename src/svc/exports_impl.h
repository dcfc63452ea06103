/* exports_impl.h - what the export modules share (svc/exports*.c); not for
 * other modules: the field catalogue, the filter, and the export engine. */
#ifndef TALENTD_SVC_EXPORTS_IMPL_H
#define TALENTD_SVC_EXPORTS_IMPL_H

#include "core/match.h"
#include "io/export.h"
#include "svc/exports.h"
#include "svc/query.h"

/* ---- the field catalogue (exports_fields.c) ---- */

enum xf_kind {
    XF_CAND_NAME,
    XF_CAND_EMAIL,
    XF_CAND_PHONE,
    XF_CAND_SOURCE,
    XF_APP_ID,
    XF_POS_CODE,
    XF_POS_TITLE,
    XF_DEPT_CODE,
    XF_DEPT_NAME,
    XF_STAGE,
    XF_STAGE_LABEL,
    XF_APPLIED_AT,
    XF_ELIM_REASON,
    XF_ELIM_REASON_LABEL,
    XF_ELIM_NOTE,
    XF_ELIMINATED_AT,
    XF_SPECIAL_NOTE,
    XF_AI_VENDOR,
    XF_AI_MODEL,
    XF_AI_COMPLETED_AT,
    XF_AI_OVERALL,
    XF_AI_OVERALL_PCT,
    XF_AI_REC,
    XF_AI_REC_LABEL,
    XF_AI_MATCH,
    XF_AI_TAGS,
    XF_AI_TRANSCRIPT,
    XF_AI_VIDEO,
    XF_AI_MOMENTS,
    XF_REVIEWER,
    XF_REVIEWED_AT,
    XF_EXPORTED_AT,
    XF_DIM, /* dim.<key> */
    XF_PCT, /* percentile.<key> */
};

/* One resolved field of a template. */
struct xf {
    enum xf_kind kind;
    char key[48];       /* as the template names it */
    char dim[33];       /* XF_DIM / XF_PCT: the dimension key */
    char label[2][160]; /* [0] zh, [1] en */
};

/* Resolves a catalogue key ("candidate.name", "dim.logic", "percentile.logic") into f.
 * Returns 0, or -1 when key names no field. */
int xf_resolve(const char *key, struct xf *f);

/* The catalogue as svc_export_fields shows it (new reference). */
json_t *xf_catalogue_json(void);

/* Labels of enumerated values in language en (0 zh, 1 en); the value itself when unknown. */
const char *xf_stage_label(const char *stage, int en);
const char *xf_reason_label(const char *reason, int en);
const char *xf_rec_label(const char *rec, int en);
const char *xf_speaker_label(const char *speaker, int en);

/* ---- the filter (exports_filter.c) ---- */

/* Normalises a filter object (values strings, numbers or booleans) into a query object of
 * strings with the default stage filled in (new reference in *out). 422 naming
 * "<prefix>.<key>" for a bad key or value (checked with the list's validators). */
int xfilter_normalise(struct svc_ctx *c, json_t *filter, const char *prefix, json_t **out);

/* Appends the filter's terms (query as xfilter_normalise made it) to q, whose FROM joins
 * application a, position p (a's) and org_unit o (p's), and the actor's row scope. */
int xfilter_where(struct svc_ctx *c, json_t *query, struct qb *q);

/* ---- the engine (exports_run.c) ---- */

/* What a job is made from. */
struct xjob_spec {
    int64_t template_id;
    const char *template_name;
    enum export_format format;
    int en;         /* label language: 0 zh, 1 en */
    json_t *fields; /* array of keys (borrowed) */
    json_t *filter; /* normalised filter (borrowed), or NULL with ids */
    const int64_t *ids;
    size_t nids;
    int to_directory;
    const char *trigger;
};

/* Inside the open transaction: runs the job (selection, gate, file, record, moves, audit, events).
 * *job gets the job's representation; *path (heap) the file written, for the caller to
 * remove when its transaction rolls back. */
int xjob_run_tx(struct svc_ctx *c, const struct xjob_spec *spec, json_t **job, char **path);

/* ---- the gate (exports_gate.c) ---- */

/* One effective dimension score as an application keeps it (ai_dims: {"dim":score,...}); key points
 * into the text read, klen bytes, not NUL-terminated. */
struct xdim {
    const char *key;
    size_t klen;
    int score;
};

/* Reads ai_dims text s (n bytes; NULL: none) into out (at most max): the count, -1 when s is not
 * such an object. */
int xdims_parse(const char *s, size_t n, struct xdim *out, int max);
/* 1 when d's key is key (of len bytes). */
int xdim_is(const struct xdim *d, const char *key, size_t len);

/* A position as the gate knows it during one export: its competency model, and whether its
 * eliminations may leave (checked once). Read-only once loaded. */
struct xgate_pos {
    int64_t id;
    int fair_checked;
    int n;
    struct competency m[MATCH_MODEL_MAX];
    size_t mlen[MATCH_MODEL_MAX];
};

/* Loads position pid's model into p. */
int xgate_pos_load(struct svc_ctx *c, int64_t pid, struct xgate_pos *p);
/* 0 when the eliminations of p may leave the buffer: nothing flagged by the adverse-impact check,
 * or acknowledged; 409 "fairness_unacknowledged" otherwise (asked once, then remembered). */
int xgate_fairness(struct svc_ctx *c, struct xgate_pos *p);
/* What an elimination of p lacks for a complete evaluation (no current result, no transcript, a
 * dimension of the model without a score: ["result"], ["transcript", "dim.logic", ...], a new
 * array), or NULL when it is complete. No database: safe on any thread. */
json_t *xgate_missing(const struct xgate_pos *p, int has_result, int has_transcript, const struct xdim *dims,
                      int ndims);

/* The job's representation in the open transaction. */
int xjob_load(struct svc_ctx *c, int64_t id, json_t **out);

/* The job list, newest first: query filters template (name) and trigger, with limit and cursor. */
int xjob_list(struct svc_ctx *c, json_t *query, json_t **out);

#endif

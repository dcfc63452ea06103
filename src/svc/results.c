/* results.c - see results.h. */
#include "svc/results.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/mask.h"
#include "core/match.h"
#include "core/pipeline.h"
#include "core/result.h"
#include "lib/crypto.h"
#include "lib/mem.h"
#include "lib/timeutil.h"
#include "svc/applications.h"
#include "svc/candidates.h"
#include "svc/query.h"
#include "svc/results_apply.h"
#include "svc/validate.h"
#include "svc/views.h"

/* Blind index of a normalised email/phone hint ("" when absent or not valid). */
static void hint_index(const struct keyring *kr, const char *value, int is_email, char out[65])
{
    char norm[CANDIDATE_PII_MAX];
    out[0] = '\0';
    if (!value)
        return;
    if ((is_email ? candidate_norm_email(value, norm, sizeof(norm))
                  : candidate_norm_phone(value, norm, sizeof(norm))) != 0)
        return;
    blind_index(kr, is_email ? "candidate.email" : "candidate.phone", norm, out);
}

/* Candidate hints as the actor may see them: email and phone masked unless admin/hr/system. Steals hints. */
static json_t *mask_hints(struct svc_ctx *c, json_t *hints)
{
    if (actor_sees_sensitive(c->actor))
        return hints;
    char buf[CANDIDATE_PII_MAX];
    const char *v;
    if ((v = json_string_value(json_object_get(hints, "email"))) && mask_email(v, buf, sizeof(buf)))
        json_object_set_new(hints, "email", json_string(buf));
    if ((v = json_string_value(json_object_get(hints, "phone"))) && mask_phone(v, buf, sizeof(buf)))
        json_object_set_new(hints, "phone", json_string(buf));
    return hints;
}

/* First id selected by sql with one text (or, when text is NULL, integer) parameter; 0 when none. */
static int one_id(struct svc_ctx *c, const char *sql, const char *text, int64_t num, int64_t *id)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, sql, &s);
    if (rc != 0)
        return rc;
    if (text)
        db_bind_text(s, 1, text);
    else
        db_bind_int64(s, 1, num);
    rc = db_step(s, c->e);
    *id = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_reset(s);
    return rc < 0 ? rc : 0;
}

/* The candidate named by the hints: external id, then email, then phone (blind indexes, as
 * svc_result_prepare computed them). */
static int find_candidate(struct svc_ctx *c, const struct result_prep *p, int64_t *cand)
{
    const struct result *r = &p->r;
    int rc = 0;
    *cand = 0;
    if (r->external_id && (rc = one_id(c, "SELECT id FROM candidate WHERE external_id = ?", r->external_id, 0, cand)))
        return rc;
    if (!*cand && p->email_idx[0] &&
        (rc = one_id(c, "SELECT id FROM candidate WHERE email_idx = ?", p->email_idx, 0, cand)))
        return rc;
    if (!*cand && p->phone_idx[0] &&
        (rc = one_id(c, "SELECT id FROM candidate WHERE phone_idx = ?", p->phone_idx, 0, cand)))
        return rc;
    return 0;
}

/* An application match_application leaves to the caller to create with the result
 * (svc_result_new_app_tx): candidate cand's for position pid; pid 0 when none. */
struct new_app {
    int64_t cand, pid, pver; /* pver: the position's version as its lookup read it */
};

/* Matching of docs/results.md: *app, or 0 with *why naming what failed. May create the application;
 * with create non-NULL, an application to create is left in *create instead (*app 0, *why NULL).
 * *known is set when the application's facts (svc_app_facts) came with the match: read with the
 * lookup by id, or those of the application just created. */
static int match_application(struct svc_ctx *c, const struct result_prep *p, int64_t *app, const char **why,
                             struct app_facts *f, int *known, struct new_app *create)
{
    const struct result *r = &p->r;
    int rc;
    *app = 0;
    *why = NULL;
    *known = 0;
    if (r->application_id) {
        if ((rc = svc_app_facts(c, r->application_id, f)) < 0)
            return rc;
        *known = rc == DB_ROW;
        *app = *known ? r->application_id : 0;
        if (!*app)
            *why = "application_not_found";
        return 0;
    }
    int64_t cand, pid = 0;
    if ((rc = find_candidate(c, p, &cand)))
        return rc;
    if (!cand) {
        *why = "candidate_not_found";
        return 0;
    }
    if (!r->position_code) {
        struct db_stmt *s;
        if ((rc = svc_prepare(c, "SELECT id FROM application WHERE candidate_id = ? ORDER BY id LIMIT 2", &s)))
            return rc;
        db_bind_int64(s, 1, cand);
        int n = 0;
        while ((rc = db_step(s, c->e)) == DB_ROW)
            *app = n++ ? 0 : db_col_int64(s, 0);
        db_reset(s);
        if (rc < 0)
            return rc;
        if (!*app)
            *why = n ? "ambiguous_application" : "no_application";
        return 0;
    }
    /* The position and the candidate's application for it, in one statement. */
    struct db_stmt *s;
    int open = 0;
    if ((rc = svc_prepare(c,
                          "SELECT p.id, p.status, (SELECT a.id FROM application a WHERE a.candidate_id = ? AND "
                          "a.position_id = p.id), p.version FROM position p WHERE p.code = ?",
                          &s)))
        return rc;
    db_bind_int64(s, 1, cand);
    db_bind_text(s, 2, r->position_code);
    rc = db_step(s, c->e);
    if (rc == DB_ROW) {
        pid = db_col_int64(s, 0);
        open = strcmp(db_col_text(s, 1), "open") == 0;
        *app = db_col_isnull(s, 2) ? 0 : db_col_int64(s, 2);
        f->position_version = db_col_int64(s, 3);
    }
    db_reset(s);
    if (rc < 0)
        return rc;
    if (!pid) {
        *why = "position_not_found";
        return 0;
    }
    if (*app)
        return 0;
    if (!open) {
        *why = "position_closed";
        return 0;
    }
    /* What svc_app_insert_tx checks first is known here: the candidate was just found, the position is
     * open, and the candidate has no application for it. */
    if (create) { /* created with the result, in one write */
        create->cand = cand;
        create->pid = pid;
        create->pver = f->position_version;
        return 0;
    }
    if ((rc = svc_app_insert_new_tx(c, cand, pid, NULL, app)))
        return rc;
    f->position_id = pid; /* a new application: in stage applied, no result, no scores */
    f->has_dims = f->has_result = f->overall = 0;
    snprintf(f->stage, sizeof(f->stage), "%s", stage_name(STAGE_APPLIED));
    *known = 1;
    return 0;
}

/* Encrypts n bytes of text into *ct / *ctn (text NULL: *ct NULL). */
static int encrypt_into(const struct keyring *kr, const char *ctx, const char *text, size_t n, unsigned char **ct,
                        size_t *ctn, struct err *e)
{
    *ct = NULL;
    *ctn = 0;
    if (text && field_encrypt(kr, ctx, text, n, ct, ctn) != 0)
        return err_set(e, ERR_INTERNAL, NULL, NULL, "cannot encrypt %s", ctx);
    return 0;
}

int svc_result_prepare(const struct keyring *kr, json_t *in, const char *raw, size_t raw_len, struct result_prep *p,
                       struct err *e)
{
    memset(p, 0, sizeof(*p));
    int rc = result_parse(in, &p->r, e);
    if (rc != 0)
        return rc;
    struct result_texts t;
    result_texts(&p->r, &t);
    crypto_sha256_hex(t.canonical, t.canonical_len, p->hash);
    hint_index(kr, p->r.email, 1, p->email_idx);
    hint_index(kr, p->r.phone, 0, p->phone_idx);
    char *raw_copy = NULL;
    if (!raw) { /* no raw bytes given: the request object is what arrived */
        raw_copy = result_json_compact(in, 0, &raw_len);
        raw = raw_copy;
    }
    if ((rc = encrypt_into(kr, CTX_RESULT_HINTS, t.hints, t.hints_len, &p->hints_enc, &p->hints_n, e)) ||
        (rc = encrypt_into(kr, CTX_RESULT_TRANSCRIPT, t.transcript, t.transcript_len, &p->transcript_enc,
                           &p->transcript_n, e)) ||
        (rc = encrypt_into(kr, CTX_RESULT_RAW, raw, raw_len, &p->raw_enc, &p->raw_n, e))) {
        result_texts_free(&t);
        free(raw_copy);
        svc_result_prep_free(p);
        return rc;
    }
    p->public_json = t.public_json;
    t.public_json = NULL;
    result_texts_free(&t);
    free(raw_copy);
    return 0;
}

void svc_result_prep_free(struct result_prep *p)
{
    if (!p)
        return;
    result_free(&p->r);
    free(p->public_json);
    free(p->hints_enc);
    free(p->transcript_enc);
    free(p->raw_enc);
    memset(p, 0, sizeof(*p));
}

/* Inserts the result's row: *id is its id; on SQLite with *id non-zero, the id it is given (the one
 * SQLite would give it: next_result_id). */
static int insert_result(struct svc_ctx *c, const struct result_prep *p, int version, int64_t app, const char *why,
                         int64_t *id)
{
#define INSERT_RESULT                                                                                                  \
    "INSERT INTO ai_result (vendor, vendor_result_id, version, is_current, content_hash, application_id, "             \
    "unmatched_reason, email_idx, phone_idx, completed_at, model_version, overall, vendor_recommendation, "            \
    "reason_category, result_json, hints_enc, transcript_enc, raw_enc, received_at, matched_at) VALUES (?, ?, ?, 1, "  \
    "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define INSERT_RESULT_ID                                                                                               \
    "INSERT INTO ai_result (vendor, vendor_result_id, version, is_current, content_hash, application_id, "             \
    "unmatched_reason, email_idx, phone_idx, completed_at, model_version, overall, vendor_recommendation, "            \
    "reason_category, result_json, hints_enc, transcript_enc, raw_enc, received_at, matched_at, id) VALUES (?, ?, ?, " \
    "1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    const struct result *r = &p->r;
    struct db_stmt *s;
    /* SQLite: without RETURNING (see db_last_insert_id); an unguarded batch on PostgreSQL: with an id
     * drawn ahead, pipelined */
    int sqlite = db_kind(c->db) == DB_SQLITE;
    int64_t drawn = *id; /* given: the id the result's new application names */
    int rc = sqlite || drawn ? 0 : svc_batch_result_id(c, &drawn);
    if (rc == 0)
        rc = svc_prepare(c, drawn ? INSERT_RESULT_ID : sqlite ? INSERT_RESULT : INSERT_RESULT " RETURNING id", &s);
    if (rc != 0)
        return rc;
    db_bind_text(s, 1, r->vendor);
    db_bind_text(s, 2, r->vendor_result_id);
    db_bind_int64(s, 3, version);
    db_bind_text(s, 4, p->hash);
    if (app)
        db_bind_int64(s, 5, app);
    else
        db_bind_null(s, 5);
    db_bind_text(s, 6, why);
    db_bind_text(s, 7, p->email_idx[0] ? p->email_idx : NULL);
    db_bind_text(s, 8, p->phone_idx[0] ? p->phone_idx : NULL);
    db_bind_int64(s, 9, r->completed_at);
    db_bind_text(s, 10, r->model_version);
    db_bind_int64(s, 11, r->overall);
    db_bind_text(s, 12, r->vendor_recommendation);
    db_bind_text(s, 13, r->reason_category);
    /* the large values without a copy: the prepared result outlives the statement's run */
    db_bind_text_kept(s, 14, p->public_json);
    db_bind_blob_kept(s, 15, p->hints_enc, p->hints_n);
    db_bind_blob_kept(s, 16, p->transcript_enc, p->transcript_n);
    db_bind_blob_kept(s, 17, p->raw_enc, p->raw_n);
    db_bind_int64(s, 18, c->now);
    if (app)
        db_bind_int64(s, 19, c->now);
    else
        db_bind_null(s, 19);
    if (drawn) {
        db_bind_int64(s, 20, drawn);
        *id = drawn;
        if (!sqlite)
            return db_queue(s, c->e);
        rc = db_step(s, c->e);
        db_reset(s);
        return rc < 0 ? rc : 0;
    }
    rc = db_step(s, c->e);
    *id = rc == DB_ROW ? db_col_int64(s, 0) : rc == DB_DONE && sqlite ? db_last_insert_id(c->db) : 0;
    rc = rc < 0 ? rc : 0;
    db_reset(s);
    return rc;
}

/* The id SQLite gives the next ai_result row: one more than the largest (0 when that is the largest
 * possible, and SQLite would pick one at random). */
static int next_result_id(struct svc_ctx *c, int64_t *id)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, "SELECT COALESCE(MAX(id), 0) FROM ai_result", &s);
    if (rc != 0)
        return rc;
    rc = db_step(s, c->e);
    int64_t max = rc == DB_ROW ? db_col_int64(s, 0) : INT64_MAX;
    db_reset(s);
    *id = max < INT64_MAX ? max + 1 : 0;
    return rc < 0 ? rc : 0;
}

/* The summary handed back by ingest/attach and written to the audit log (no personal data). */
static json_t *summary(int64_t id, const struct result *r, int version, int duplicate, int64_t app, const char *why,
                       const struct applied *ap)
{
    json_t *o = json_pack("{s:I,s:s,s:s,s:i,s:b,s:o,s:s?}", "id", (json_int_t)id, "vendor", r->vendor,
                          "vendor_result_id", r->vendor_result_id, "version", version, "duplicate", duplicate,
                          "application_id", app ? json_integer(app) : json_null(), "unmatched_reason", why);
    if (!why)
        json_object_set_new(o, "unmatched_reason", json_null());
    json_object_set_new(o, "stage", ap && ap->stage[0] ? json_string(ap->stage) : json_null());
    json_object_set_new(o, "match_score", ap && ap->recommendation ? json_real(ap->match_score) : json_null());
    json_object_set_new(o, "recommendation", ap && ap->recommendation ? json_string(ap->recommendation) : json_null());
    return o;
}

/* The current version of (vendor, vendor_result_id), if any. */
struct current {
    int64_t id, app;
    int version;
    char hash[65];
    char stage[40];
};

static int load_current(struct svc_ctx *c, const struct result *r, struct current *cur)
{
    struct db_stmt *s;
    memset(cur, 0, sizeof(*cur));
    int rc = svc_prepare(c,
                         "SELECT r.id, r.version, r.content_hash, r.application_id, a.stage FROM ai_result r "
                         "LEFT JOIN application a ON a.id = r.application_id "
                         "WHERE r.vendor = ? AND r.vendor_result_id = ? AND r.is_current = 1",
                         &s);
    if (rc != 0)
        return rc;
    db_bind_text(s, 1, r->vendor);
    db_bind_text(s, 2, r->vendor_result_id);
    rc = db_step(s, c->e);
    if (rc == DB_ROW) {
        cur->id = db_col_int64(s, 0);
        cur->version = (int)db_col_int64(s, 1);
        snprintf(cur->hash, sizeof(cur->hash), "%s", db_col_text(s, 2));
        cur->app = db_col_isnull(s, 3) ? 0 : db_col_int64(s, 3);
        snprintf(cur->stage, sizeof(cur->stage), "%s", db_col_isnull(s, 4) ? "" : db_col_text(s, 4));
    }
    db_reset(s);
    return rc < 0 ? rc : 0;
}

int svc_result_ingest(struct svc_ctx *c, json_t *in, const char *raw, size_t raw_len, json_t **out)
{
    struct result_prep p;
    int rc = svc_result_prepare(c->kr, in, raw, raw_len, &p, c->e);
    if (rc == 0)
        rc = svc_result_store(c, &p, out);
    svc_result_prep_free(&p);
    return rc;
}

int svc_result_store(struct svc_ctx *c, const struct result_prep *p, json_t **out)
{
    const struct result *r = &p->r;
    struct current cur;
    struct applied ap = {0};
    struct app_facts facts = {0};
    int known = 0;
    int64_t id = 0, app = 0;
    const char *why = NULL;
    json_t *sum = NULL;
    int rc, unguarded = svc_batch_unguarded(c);
    if (unguarded) { /* in the batch's transaction itself (results_apply.h) */
        c->now = time_now_ms();
        svc_hist_mark(c);
    } else if ((rc = svc_begin(c)) != 0) {
        goto done;
    }
    if ((rc = load_current(c, r, &cur)))
        goto done;
    if (cur.id && strcmp(cur.hash, p->hash) == 0) { /* a resend: nothing changes */
        snprintf(ap.stage, sizeof(ap.stage), "%s", cur.stage);
        *out = summary(cur.id, r, cur.version, 1, cur.app, cur.app ? NULL : "unmatched", &ap);
        rc = 0;
        goto done;
    }
    /* A system actor's new application is written with the result (svc_result_new_app_tx) on SQLite,
     * and on PostgreSQL in an unguarded batch, where the result's id is drawn ahead. */
    struct new_app create = {0};
    int sqlite = db_kind(c->db) == DB_SQLITE;
    int fold = c->actor->role == ROLE_SYSTEM && !cur.id && (sqlite || unguarded);
    if (cur.app)
        app = cur.app; /* a re-score belongs where the first version went */
    else if ((rc = match_application(c, p, &app, &why, &facts, &known, fold ? &create : NULL)))
        goto done;
    if (create.pid) {
        if ((rc = sqlite ? next_result_id(c, &id) : svc_batch_result_id(c, &id)))
            goto done;
        if (id) {
            rc = svc_result_new_app_tx(c, create.cand, create.pid, create.pver, id, r, &app, &ap);
        } else { /* no id to give the result: the two steps */
            rc = svc_app_insert_new_tx(c, create.cand, create.pid, NULL, &app);
            create.pid = 0;
        }
        if (rc != 0)
            goto done;
    }
    if (cur.id) {
        struct db_stmt *s;
        if ((rc = svc_prepare(c, "UPDATE ai_result SET is_current = 0 WHERE id = ?", &s)))
            goto done;
        db_bind_int64(s, 1, cur.id);
        if ((rc = db_queue(s, c->e)))
            goto done;
    }
    if ((rc = insert_result(c, p, cur.version + 1, app, why, &id)))
        goto done;
    if (app && create.pid && (rc = svc_result_new_app_done_tx(c, app, create.pid, r, &ap)))
        goto done;
    if (app && !create.pid && (rc = svc_result_apply_known_tx(c, app, id, r, known ? &facts : NULL, &ap)))
        goto done;
    sum = summary(id, r, cur.version + 1, 0, app, why, &ap);
    if ((rc = svc_audit(c, cur.id ? "result.rescore" : "result.receive", "ai_result", id, NULL, sum)) ||
        (rc = svc_event(c, app ? "result.received" : "result.unmatched", "ai_result", id, sum)) ||
        (!unguarded && (rc = svc_commit(c))))
        goto done;
    *out = sum;
    sum = NULL;
done:
    json_decref(sum);
    return svc_end(c, rc);
}

/* ---- reading ---------------------------------------------------------------------------------- */

#define RESULT_COLS                                                                                                    \
    "r.id, r.version, r.is_current, r.application_id, r.unmatched_reason, r.received_at, r.result_json, r.hints_enc, " \
    "r.transcript_enc, r.raw_enc "

static json_t *result_full(struct svc_ctx *c, struct db_stmt *s, int with_raw)
{
    json_t *o = json_loads(db_col_text(s, 6), 0, NULL);
    if (!o)
        o = json_object();
    json_object_set_new(o, "id", json_integer(db_col_int64(s, 0)));
    json_object_set_new(o, "version", json_integer(db_col_int64(s, 1)));
    json_object_set_new(o, "is_current", json_boolean(db_col_int64(s, 2)));
    json_object_set_new(o, "application_id", db_col_isnull(s, 3) ? json_null() : json_integer(db_col_int64(s, 3)));
    json_object_set_new(o, "unmatched_reason", db_col_isnull(s, 4) ? json_null() : json_string(db_col_text(s, 4)));
    json_object_set_new(o, "received_at", json_time(db_col_int64(s, 5)));
    json_t *hints = svc_col_decrypt_json(c, s, 7, CTX_RESULT_HINTS);
    json_object_set_new(o, "candidate", mask_hints(c, hints ? hints : json_object()));
    json_t *tr = svc_col_decrypt_json(c, s, 8, CTX_RESULT_TRANSCRIPT);
    json_object_set_new(o, "transcript", tr ? tr : json_array());
    if (with_raw && actor_sees_sensitive(c->actor) && !db_col_isnull(s, 9)) {
        size_t n = 0, ptn = 0;
        const unsigned char *blob = db_col_blob(s, 9, &n);
        unsigned char *pt = NULL;
        struct err ignored = {0};
        if (field_decrypt(c->kr, CTX_RESULT_RAW, blob, n, &pt, &ptn, &ignored) == 0) {
            json_object_set_new(o, "raw", json_stringn((const char *)pt, ptn));
            free(pt);
        }
    }
    return o;
}

static json_t *result_row(struct svc_ctx *c, struct db_stmt *s)
{
    return result_full(c, s, 1);
}

int svc_result_get(struct svc_ctx *c, int64_t id, json_t **out)
{
    struct qb q;
    qb_init(&q, "SELECT " RESULT_COLS "FROM ai_result r WHERE r.id = ?");
    qb_int(&q, id);
    if (!actor_sees_sensitive(c->actor))
        qb_sql(&q, " AND r.application_id IS NOT NULL");
    qb_scope_application(&q, c->actor, "r.application_id");
    int rc = svc_begin_read(c);
    if (rc == 0)
        rc = qb_one(c, &q, result_row, "result", out);
    return svc_end(c, rc);
}

static json_t *unmatched_row(struct svc_ctx *c, struct db_stmt *s)
{
    json_t *o =
        json_pack("{s:I,s:s,s:s,s:I,s:s,s:o,s:o,s:I}", "id", (json_int_t)db_col_int64(s, 0), "vendor",
                  db_col_text(s, 1), "vendor_result_id", db_col_text(s, 2), "version", (json_int_t)db_col_int64(s, 3),
                  "unmatched_reason", db_col_text(s, 4), "received_at", json_time(db_col_int64(s, 5)), "completed_at",
                  json_time(db_col_int64(s, 6)), "overall", (json_int_t)db_col_int64(s, 7));
    json_t *hints = svc_col_decrypt_json(c, s, 8, CTX_RESULT_HINTS);
    json_object_set_new(o, "candidate", mask_hints(c, hints ? hints : json_object()));
    return o;
}

int svc_unmatched_list(struct svc_ctx *c, json_t *query, json_t **out)
{
    static const char *const params[] = {"vendor", "reason", "limit", "cursor", NULL};
    int rc = jq_known(query, params, c->e);
    if (rc != 0)
        return rc;
    struct qb q;
    qb_init(&q, "SELECT r.id, r.vendor, r.vendor_result_id, r.version, r.unmatched_reason, r.received_at, "
                "r.completed_at, r.overall, r.hints_enc FROM ai_result r "
                "WHERE r.application_id IS NULL AND r.is_current = 1");
    const char *vendor = q_str(query, "vendor"), *reason = q_str(query, "reason");
    if (vendor) {
        qb_sql(&q, " AND r.vendor = ?");
        qb_text(&q, vendor);
    }
    if (reason) {
        qb_sql(&q, " AND r.unmatched_reason = ?");
        qb_text(&q, reason);
    }
    return qb_page(c, &q, query, "r.id", unmatched_row, out);
}

/* Loads the stored version id back into a struct result (for attaching later). */
static int load_stored(struct svc_ctx *c, int64_t id, struct result *r, json_t **norm_out, int64_t *app)
{
    struct db_stmt *s;
    int rc = svc_prepare(c, "SELECT " RESULT_COLS "FROM ai_result r WHERE r.id = ?", &s);
    if (rc != 0)
        return rc;
    db_bind_int64(s, 1, id);
    rc = db_step(s, c->e);
    json_t *norm = NULL;
    if (rc == DB_ROW) {
        *app = db_col_isnull(s, 3) ? 0 : db_col_int64(s, 3);
        if (!db_col_int64(s, 2))
            *app = -1; /* not the current version */
        norm = json_loads(db_col_text(s, 6), 0, NULL);
        json_t *hints = svc_col_decrypt_json(c, s, 7, CTX_RESULT_HINTS),
               *tr = svc_col_decrypt_json(c, s, 8, CTX_RESULT_TRANSCRIPT);
        if (norm) {
            json_object_set_new(norm, "candidate", hints ? hints : json_object());
            json_object_set_new(norm, "transcript", tr ? tr : json_array());
        } else {
            json_decref(hints);
            json_decref(tr);
        }
    }
    db_reset(s);
    if (rc == DB_DONE)
        return err_set(c->e, ERR_NOT_FOUND, NULL, "id", "no result %lld", (long long)id);
    if (rc < 0)
        return rc;
    if (!norm)
        return err_set(c->e, ERR_INTERNAL, NULL, NULL, "stored result %lld cannot be read", (long long)id);
    /* Stored hints may be empty ({}): parse a copy with a placeholder hint so validation passes. */
    json_t *cand = json_object_get(norm, "candidate");
    if (json_object_size(cand) == 0)
        json_object_set_new(cand, "external_id", json_string("-"));
    rc = result_parse(norm, r, c->e);
    *norm_out = norm;
    return rc;
}

/* Creates the candidate and application an unmatched result asks for (create_candidate). */
static int create_for(struct svc_ctx *c, json_t *in, const struct result *r, int64_t *app)
{
    static const char *const fields[] = {"create_candidate", "position", "name", "email", "phone", NULL};
    const char *code, *name, *email, *phone;
    int rc;
    if ((rc = jv_known(in, fields, c->e)) || (rc = jv_code(in, "position", 0, &code, c->e)) ||
        (rc = jv_string(in, "name", 0, 100, &name, NULL, c->e)) ||
        (rc = jv_string(in, "email", 0, 254, &email, NULL, c->e)) ||
        (rc = jv_string(in, "phone", 0, 40, &phone, NULL, c->e)))
        return rc;
    code = code ? code : r->position_code;
    if (!code)
        return err_set(c->e, ERR_INVALID, "required", "position", "position (code) is required");
    name = name ? name : r->name;
    if (!name)
        return err_set(c->e, ERR_INVALID, "required", "name", "the result names nobody: give name");
    char source[64];
    snprintf(source, sizeof(source), "vendor:%.50s", r->vendor);
    json_t *cand_in = json_pack("{s:s,s:s}", "name", name, "source", source);
    if (email || r->email)
        json_object_set_new(cand_in, "email", json_string(email ? email : r->email));
    if (phone || r->phone)
        json_object_set_new(cand_in, "phone", json_string(phone ? phone : r->phone));
    if (r->external_id && strcmp(r->external_id, "-") != 0)
        json_object_set_new(cand_in, "external_id", json_string(r->external_id));
    int64_t cand = 0;
    rc = svc_candidate_insert_tx(c, cand_in, &cand);
    json_decref(cand_in);
    if (rc == 0)
        rc = svc_app_insert_tx(c, cand, code, 0, NULL, app);
    return rc;
}

int svc_unmatched_attach(struct svc_ctx *c, int64_t id, json_t *in, json_t **out)
{
    if (!json_is_object(in))
        return err_set(c->e, ERR_INVALID, "wrong_type", NULL, "the body must be a JSON object");
    int create = json_is_true(json_object_get(in, "create_candidate"));
    int64_t app = 0, cur_app = 0;
    int rc;
    if (!create) {
        static const char *const fields[] = {"application_id", "create_candidate", NULL};
        if ((rc = jv_known(in, fields, c->e)) || (rc = jv_int(in, "application_id", 1, 1, INT64_MAX, &app, NULL, c->e)))
            return rc;
    }
    struct result r = {0};
    json_t *norm = NULL, *sum = NULL;
    struct applied ap = {0};
    if ((rc = svc_begin(c)) != 0)
        return rc;
    if ((rc = load_stored(c, id, &r, &norm, &cur_app)))
        goto done;
    if (cur_app != 0) {
        rc = err_set(c->e, ERR_CONFLICT, "not_unmatched", "id",
                     cur_app < 0 ? "result %lld is an earlier version" : "result %lld is already matched",
                     (long long)id);
        goto done;
    }
    if (create) {
        if ((rc = create_for(c, in, &r, &app)))
            goto done;
    } else {
        int64_t found = 0;
        if ((rc = one_id(c, "SELECT id FROM application WHERE id = ?", NULL, app, &found)))
            goto done;
        if (!found) {
            rc = err_set(c->e, ERR_INVALID, "invalid_reference", "application_id", "no application %lld",
                         (long long)app);
            goto done;
        }
    }
    struct db_stmt *s;
    if ((rc = svc_prepare(c,
                          "UPDATE ai_result SET application_id = ?, unmatched_reason = NULL, matched_at = ? "
                          "WHERE id = ? AND application_id IS NULL",
                          &s)))
        goto done;
    db_bind_int64(s, 1, app);
    db_bind_int64(s, 2, c->now);
    db_bind_int64(s, 3, id);
    rc = db_step(s, c->e);
    db_reset(s);
    if (rc < 0 || (rc = svc_result_apply_tx(c, app, id, &r, &ap)))
        goto done;
    sum = summary(id, &r, 1, 0, app, NULL, &ap);
    json_object_set_new(sum, "version", json_integer(json_integer_value(json_object_get(norm, "version"))));
    json_object_del(sum, "version");
    if ((rc = svc_audit(c, "result.attach", "ai_result", id, NULL, sum)) ||
        (rc = svc_event(c, "result.received", "ai_result", id, sum)) || (rc = svc_commit(c)))
        goto done;
    *out = sum;
    sum = NULL;
done:
    json_decref(sum);
    json_decref(norm);
    result_free(&r);
    return svc_end(c, rc);
}

/* svc.h - the use-case layer's shared contract.
 *
 * Every use case is one function taking a struct svc_ctx: it begins one
 * transaction, loads, calls core/, saves, appends its audit row and its
 * outbox event, and commits; on any failure it rolls back and leaves e set.
 * The HTTP API (api/) and the CLI (cmd/) call the same svc_ functions.
 * Inputs and outputs are jansson objects: svc validates every field itself
 * so both callers get the same errors. */
#ifndef TALENTD_SVC_H
#define TALENTD_SVC_H

#include <jansson.h>
#include <stdint.h>

#include "lib/crypto.h"
#include "lib/err.h"
#include "store/db.h"

enum role {
    ROLE_NONE = 0,
    ROLE_ADMIN = 1,
    ROLE_HR = 2,
    ROLE_MANAGER = 3,
    ROLE_INTERVIEWER = 4,
    ROLE_SYSTEM = 5, /* the CLI and background jobs acting with full rights */
};
#define ROLE_BIT(r) (1u << (r))
#define ROLES_STAFF (ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_HR) | ROLE_BIT(ROLE_MANAGER) | ROLE_BIT(ROLE_INTERVIEWER))
#define ROLES_HR (ROLE_BIT(ROLE_ADMIN) | ROLE_BIT(ROLE_HR))
#define ROLES_ADMIN ROLE_BIT(ROLE_ADMIN)

const char *role_name(enum role r);
enum role role_parse(const char *s); /* ROLE_NONE when unknown (system is not parseable) */

/* Who is calling. For a manager, org_path is the materialised path of the
 * org unit whose subtree they may see ("/1/4/"). */
struct actor {
    enum role role;
    int64_t user_id; /* 0 for system */
    char username[64];
    int64_t org_unit_id;
    char org_path[256];
    int64_t token_id; /* API token in use, 0 for sessions and the CLI */
    char scopes[512]; /* token scopes, comma separated; "" when not a token */
    char ip[64];
};

/* Fills a for the CLI / background jobs: role system, full rights. */
void actor_system(struct actor *a, const char *name);

/* 1 if the actor may see fields restricted to admin/hr (id_number, salary). */
int actor_sees_sensitive(const struct actor *a);

/* Label written to the audit log: "user:alice", "token:3:alice", "system:cli". */
void actor_label(const struct actor *a, char *out, size_t n);

struct interview_scorer; /* svc/interviews.h */

struct svc_ctx {
    struct db *db;
    const struct keyring *kr;
    const struct actor *actor;
    struct err *e;
    int64_t now;                           /* ms, fixed per use case */
    const char *data_dir;                  /* the data directory (vendor mappings, exports); may be NULL */
    const char *public_url;                /* "https://hr.example.com": where links in invitations point; may be NULL */
    const struct interview_scorer *scorer; /* scores completed interviews; NULL: the built-in one */
    /* Batch mode (bulk imports): the caller holds one transaction open across many use cases
     * (svc_batch_begin/commit); each use case then runs in a savepoint of it, so a failing one
     * leaves nothing behind while the others stay. */
    int batch;
    int savepoint;         /* the current use case's savepoint is open */
    struct hist_log *hist; /* batch mode: histogram changes held back until the commit (results_apply.c) */
};

/* Opens the outer transaction of a batch and switches c to batch mode. */
int svc_batch_begin(struct svc_ctx *c);
/* Commits the batch's transaction (everything the use cases released) and leaves batch mode. */
int svc_batch_commit(struct svc_ctx *c);

/* Begins the use case's write transaction; sets c->now. */
int svc_begin(struct svc_ctx *c);
/* Begins a read snapshot; sets c->now. */
int svc_begin_read(struct svc_ctx *c);
/* Commits; on failure rolls back. */
int svc_commit(struct svc_ctx *c);
/* Rolls back (safe when nothing is open) and returns rc, for `goto done` tails. */
int svc_end(struct svc_ctx *c, int rc);

/* Appends the hash-chained audit row for the current transaction. before and
 * after are the entity's representation (either may be NULL); only keys that
 * differ are recorded as {"before":{..},"after":{..}}. Borrowed references. */
int svc_audit(struct svc_ctx *c, const char *action, const char *entity, int64_t id, json_t *before, json_t *after);

/* Appends an outbox event in the current transaction. payload is borrowed. */
int svc_event(struct svc_ctx *c, const char *event, const char *entity, int64_t id, json_t *payload);

/* A bulk action: in[key] is a list of 1..max positive ids; one(c, id, sub, &o) runs for each in its own
 * use case, sub being in without key. *out = {<ok_name>: n, failed: n, items: [{application_id, ok: true,
 * ...o} | {application_id, ok: false, status, error: {code, message, field}}]} in the order given. A bad list
 * is 422 on key (nothing run). */
int svc_bulk(struct svc_ctx *c, json_t *in, const char *key, int max, const char *ok_name,
             int (*one)(struct svc_ctx *c, int64_t id, json_t *sub, json_t **out), json_t **out);

/* Steps s once (a statement without rows, bound by the caller) and resets it: 0 or the error. */
int svc_exec(struct svc_ctx *c, struct db_stmt *s);

/* Runs a prepared statement expected to produce at most one row; returns DB_ROW/DB_DONE or an error. */
int svc_step_one(struct svc_ctx *c, struct db_stmt *s);

/* Runs sql (one text parameter, selecting one id) for key: *id on a row,
 * ERR_NOT_FOUND naming field ("no <what> <key>") when none. No transaction of its own. */
int svc_lookup_id(struct svc_ctx *c, const char *sql, const char *key, const char *field, const char *what,
                  int64_t *id);

/* 409 "version_conflict" when the caller named a version (has_version) other than the one in
 * before's "version"; what names the entity in the message. */
int svc_check_version(struct svc_ctx *c, const char *what, json_t *before, int has_version, int64_t version);

/* Steps an optimistic "UPDATE ... WHERE id = ? AND version = ? RETURNING id" and resets it: no row
 * means another writer got there first (409 "version_conflict"). Returns DB_ROW or an error. */
int svc_step_versioned(struct svc_ctx *c, struct db_stmt *s, const char *what, int64_t id);

/* After a unique violation on insert: ends the transaction (PostgreSQL has aborted it), looks the
 * existing row up by key with lookup in a fresh snapshot and answers 409 "duplicate" naming field,
 * with existing_id set ("<what> <key> already exists"). */
int svc_duplicate(struct svc_ctx *c, int (*lookup)(struct svc_ctx *c, const char *key, int64_t *id), const char *key,
                  const char *field, const char *what);

/* Prepares sql on c->db (error into c->e). */
int svc_prepare(struct svc_ctx *c, const char *sql, struct db_stmt **out);

#endif

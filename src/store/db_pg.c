/* db_pg.c - the PostgreSQL (libpq) backend of db.h.
 *
 * One PGconn per struct db, used by one thread at a time. On open the
 * session is set to client_encoding UTF8, time zone UTC and
 * client_min_messages warning (no "already exists, skipping" notices on
 * stderr from idempotent migrations). SQL keeps the
 * neutral '?' placeholders; prepare rewrites them to $1..$n (not inside
 * '...' strings, "..." identifiers or comments) and PQprepares the text once
 * per connection under a generated name ("s1", "s2", ...), with no declared
 * parameter types so the server infers them. Statements are cached by their
 * original SQL text and owned by the connection; a cached statement comes
 * back reset with its bindings cleared.
 *
 * Parameters are sent in text format (int64 as decimal, double as %.17g)
 * except blobs, which go in binary format (raw bytes for a bytea parameter).
 * Results are requested in text format and read whole into the client on the
 * first db_step; bytea columns are decoded from their hex text form.
 *
 * Errors map SQLSTATEs onto lib/err.h codes: 23505 ERR_CONFLICT "duplicate",
 * 23503 ERR_INVALID "invalid_reference", 23514/23502 ERR_INVALID
 * "constraint_violation", class 22 ERR_INVALID "invalid_value", 40001/40P01
 * ERR_CONFLICT "serialization_failure", anything else ERR_DB. After an error
 * inside a transaction PostgreSQL refuses further statements until the
 * caller rolls back.
 *
 * Pipelining (db_pipeline_begin): db_queue and db_lock send their statement
 * in libpq's pipeline mode (PQenterPipelineMode, libpq 14+) and return; the
 * next statement that needs its outcome (db_step) is sent behind them, with a
 * Sync, and the results are read up to that Sync: one round trip for all of
 * them. Everything that is not pipelined (PQprepare of a new text, db_exec,
 * a write transaction's BEGIN, COMMIT, ROLLBACK) first waits for what is
 * queued and leaves pipeline mode. A read transaction's BEGIN is queued too,
 * pipelining or not, and so is what db_queue is given behind it. */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"
#include "store/change_gen.h"
#include "store/db_impl.h"

#define PG_MAX_PARAMS 64
#define PG_BOOL_OID 16
#define PG_BYTEA_OID 17
#define PG_INT8_OID 20
#define PG_CACHE_BUCKETS 256

struct pg_stmt {
    struct db_stmt base;
    char *sql;     /* original text, the cache key */
    char name[16]; /* server-side prepared statement name */
    int nparams;
    char *vals[PG_MAX_PARAMS]; /* owned copies; NULL binds SQL NULL */
    int lens[PG_MAX_PARAMS];
    int fmts[PG_MAX_PARAMS]; /* 0 text, 1 binary */
    int bad_bind;            /* a bind index was out of range */
    int executed;            /* PQexecPrepared ran since the last reset */
    int done;                /* stepped past the last row or failed */
    PGresult *res;           /* rows of the current execution */
    int row;                 /* current row, -1 before the first */
    unsigned char **blobs;   /* decoded bytea per column of the current row */
    size_t *blob_lens;
    int nblobs;
    struct pg_stmt *next; /* hash chain */
};

struct pg_db {
    struct db base;
    PGconn *conn;
    struct pg_stmt *buckets[PG_CACHE_BUCKETS]; /* statement cache by SQL text */
    int64_t changes;
    int stmt_counter;
    int pipelining; /* between db_pipeline_begin and db_pipeline_end */
    int in_pipe;    /* libpq is in pipeline mode, with `queued` statements sent and not yet read */
    int queued;
    int read_only; /* the open transaction was begun as a read snapshot */
};

#define PG_MAX_QUEUED 1024 /* statements sent before their results are read anyway */

static unsigned hash_sql(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

/* libpq messages span lines and end in a newline; copy them as one line. */
static const char *trim_msg(const char *msg, char *buf, size_t size)
{
    snprintf(buf, size, "%s", msg ? msg : "unknown error");
    size_t n = strlen(buf);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
        buf[--n] = '\0';
    for (char *c = buf; *c; c++)
        if (*c == '\n' || *c == '\t')
            *c = ' ';
    return buf;
}

/* Maps a failed result (or a NULL one: connection trouble) onto e. */
static int pg_error(struct pg_db *d, const PGresult *res, struct err *e)
{
    char buf[512];
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (!state || !primary) {
        const char *msg = res ? PQresultErrorMessage(res) : "";
        if (!msg || !*msg)
            msg = PQerrorMessage(d->conn);
        return err_set(e, ERR_DB, NULL, NULL, "postgres: %s", trim_msg(msg, buf, sizeof(buf)));
    }
    if (strcmp(state, "23505") == 0) {
        const char *c = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
        return err_set(e, ERR_CONFLICT, "duplicate", NULL, "duplicate value violates unique constraint %s",
                       c ? c : "(unknown)");
    }
    if (strcmp(state, "23503") == 0)
        return err_set(e, ERR_INVALID, "invalid_reference", NULL, "%s", primary);
    if (strcmp(state, "23514") == 0 || strcmp(state, "23502") == 0)
        return err_set(e, ERR_INVALID, "constraint_violation", NULL, "%s", primary);
    if (strncmp(state, "22", 2) == 0)
        return err_set(e, ERR_INVALID, "invalid_value", NULL, "%s", primary);
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
        return err_set(e, ERR_CONFLICT, "serialization_failure", NULL, "%s", primary);
    return err_set(e, ERR_DB, NULL, NULL, "postgres: %s (SQLSTATE %s)", primary, state);
}

static int pipe_drain(struct pg_db *d, struct err *e);

/* Runs a parameterless command (or several); 0 or a mapped error. */
static int pg_run(struct pg_db *d, const char *sql, struct err *e)
{
    int rc = pipe_drain(d, e);
    if (rc != 0)
        return rc;
    PGresult *res = PQexec(d->conn, sql);
    ExecStatusType st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY)
        rc = pg_error(d, res, e);
    PQclear(res);
    return rc;
}

/* Updates the connection's change count from an INSERT/UPDATE/DELETE/MERGE. A write outside a
 * transaction (committed by itself) moves the change generation on (store/change_gen.h), as a
 * COMMIT does. */
static void note_changes(struct pg_db *d, PGresult *res)
{
    const char *status = PQcmdStatus(res);
    static const char *const verbs[] = {"INSERT", "UPDATE", "DELETE", "MERGE"};
    int counts = 0;
    for (size_t i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
        counts |= strncmp(status, verbs[i], strlen(verbs[i])) == 0;
    if (!counts)
        return;
    d->changes = strtoll(PQcmdTuples(res), NULL, 10);
    if (!d->in_pipe && PQtransactionStatus(d->conn) == PQTRANS_IDLE)
        change_gen_bump();
}

/* Sends a Sync behind what is queued (and mine, sent last, if not NULL) and reads every result up
 * to it, then leaves pipeline mode. The first error is returned (what follows an error comes back
 * as PGRES_PIPELINE_ABORTED: PostgreSQL skipped it); when all went well, mine's rows (if it
 * returned rows) are left in mine->res. */
static int pipe_wait(struct pg_db *d, struct pg_stmt *mine, struct err *e)
{
    int rc = 0;
    PGresult *last = NULL; /* the last statement's rows: mine's when everything went well */
    if (!PQpipelineSync(d->conn))
        rc = pg_error(d, NULL, e);
    while (rc == 0 || PQstatus(d->conn) == CONNECTION_OK) {
        PGresult *res = PQgetResult(d->conn);
        if (!res) { /* the end of one statement's results */
            if (PQstatus(d->conn) != CONNECTION_OK) {
                if (rc == 0)
                    rc = pg_error(d, NULL, e);
                break;
            }
            continue;
        }
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_PIPELINE_SYNC) {
            PQclear(res);
            break;
        }
        if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
            note_changes(d, res);
            PQclear(last);
            last = st == PGRES_TUPLES_OK ? res : NULL;
            if (!last)
                PQclear(res);
        } else {
            if (rc == 0)
                rc = st == PGRES_PIPELINE_ABORTED
                         ? err_set(e, ERR_DB, NULL, NULL, "postgres: a pipelined statement was skipped")
                         : pg_error(d, res, e);
            PQclear(res);
        }
    }
    d->queued = 0;
    d->in_pipe = 0;
    if (!PQexitPipelineMode(d->conn) && rc == 0)
        rc = pg_error(d, NULL, e);
    if (PQtransactionStatus(d->conn) == PQTRANS_IDLE) /* what was queued committed by itself */
        change_gen_bump();
    if (mine && rc == 0)
        mine->res = last;
    else
        PQclear(last);
    return rc;
}

/* Whether a statement whose outcome nobody waits for goes into the pipe: between db_pipeline_begin
 * and db_pipeline_end, and behind a read's queued BEGIN. */
static int queueing(const struct pg_db *d)
{
    return d->pipelining || d->in_pipe;
}

#define READ_BEGIN "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"

/* Waits for what is queued, if anything, before a statement that cannot be pipelined. */
static int pipe_drain(struct pg_db *d, struct err *e)
{
    return d->in_pipe ? pipe_wait(d, NULL, e) : 0;
}

/* Enters pipeline mode for a statement about to be queued. */
static int pipe_enter(struct pg_db *d, struct err *e)
{
    if (d->in_pipe)
        return 0;
    if (!PQenterPipelineMode(d->conn))
        return pg_error(d, NULL, e);
    d->in_pipe = 1;
    return 0;
}

/* Counts a statement just sent; reads the results when many are waiting. */
static int pipe_sent(struct pg_db *d, int ok, struct err *e)
{
    if (!ok) {
        int rc = pg_error(d, NULL, e);
        pipe_wait(d, NULL, NULL);
        return rc;
    }
    return ++d->queued >= PG_MAX_QUEUED ? pipe_wait(d, NULL, e) : 0;
}

/* Rewrites '?' to $1..$n into a fresh string; *nparams gets n, or -1 when
 * there are more than PG_MAX_PARAMS. Skips '...' strings (E'...' with
 * backslash escapes), "..." identifiers, -- and block comments. Not
 * recognised: $$ quoting and the jsonb operators ?, ?| and ?& (the neutral
 * SQL uses neither). */
static char *rewrite_placeholders(const char *sql, int *nparams)
{
    size_t len = strlen(sql);
    size_t size = len * 3 + 1; /* "?" -> at most "$64" */
    char *out = xmalloc(size);
    size_t o = 0;
    int n = 0;
    for (size_t i = 0; i < len; i++) {
        char c = sql[i];
        if (c == '\'' || c == '"') {
            int esc = c == '\'' && i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e');
            out[o++] = c;
            for (i++; i < len; i++) {
                out[o++] = sql[i];
                if (esc && sql[i] == '\\' && i + 1 < len)
                    out[o++] = sql[++i];
                else if (sql[i] == c)
                    break; /* a doubled quote just reopens on the next pass */
            }
        } else if (c == '-' && sql[i + 1] == '-') {
            for (; i < len && sql[i] != '\n'; i++)
                out[o++] = sql[i];
            if (i < len)
                out[o++] = sql[i];
        } else if (c == '/' && sql[i + 1] == '*') {
            out[o++] = sql[i++];
            out[o++] = sql[i++];
            for (; i < len && !(sql[i] == '*' && sql[i + 1] == '/'); i++)
                out[o++] = sql[i];
            if (i < len) {
                out[o++] = sql[i++];
                out[o++] = sql[i];
            }
        } else if (c == '?') {
            if (++n > PG_MAX_PARAMS) {
                free(out);
                *nparams = -1;
                return NULL;
            }
            o += (size_t)snprintf(out + o, size - o, "$%d", n);
        } else {
            out[o++] = c;
        }
    }
    out[o] = '\0';
    *nparams = n;
    return out;
}

/* Drops the current execution's rows and decoded blobs. */
static void clear_result(struct pg_stmt *s)
{
    for (int i = 0; i < s->nblobs; i++)
        PQfreemem(s->blobs[i]);
    free(s->blobs);
    free(s->blob_lens);
    s->blobs = NULL;
    s->blob_lens = NULL;
    s->nblobs = 0;
    PQclear(s->res);
    s->res = NULL;
    s->row = -1;
}

static void clear_bindings(struct pg_stmt *s)
{
    for (int i = 0; i < s->nparams; i++) {
        free(s->vals[i]);
        s->vals[i] = NULL;
        s->lens[i] = 0;
        s->fmts[i] = 0;
    }
    s->bad_bind = 0;
}

static void pg_reset(struct db_stmt *base)
{
    struct pg_stmt *s = (struct pg_stmt *)base;
    clear_result(s);
    clear_bindings(s);
    s->executed = 0;
    s->done = 0;
}

static void stmt_free(struct pg_stmt *s)
{
    pg_reset(&s->base);
    free(s->sql);
    free(s);
}

static void pg_close(struct db *db)
{
    struct pg_db *d = (struct pg_db *)db;
    pipe_drain(d, NULL);
    for (int i = 0; i < PG_CACHE_BUCKETS; i++) {
        struct pg_stmt *s = d->buckets[i];
        while (s) {
            struct pg_stmt *next = s->next;
            stmt_free(s);
            s = next;
        }
    }
    PQfinish(d->conn);
    free(d);
}

static int pg_exec(struct db *db, const char *sql, struct err *e)
{
    return pg_run((struct pg_db *)db, sql, e);
}

/* A read transaction is a snapshot, as SQLite's deferred BEGIN gives. Its BEGIN is queued: it goes
 * to the server with the first statement that waits (a request's reads are one round trip fewer),
 * and its error, if any, comes back from there. */
static int pg_begin(struct db *db, int write, struct err *e)
{
    struct pg_db *d = (struct pg_db *)db;
    d->read_only = !write;
    if (write || d->pipelining)
        return pg_run(d, write ? "BEGIN" : READ_BEGIN, e);
    int rc = pipe_enter(d, e);
    return rc ? rc : pipe_sent(d, PQsendQueryParams(d->conn, READ_BEGIN, 0, NULL, NULL, NULL, NULL, 0), e);
}

/* COMMIT of a transaction aborted by an earlier error "succeeds" with the
 * status ROLLBACK; report that as the failure it is. */
static int pg_commit(struct db *db, struct err *e)
{
    struct pg_db *d = (struct pg_db *)db;
    int rc = pipe_drain(d, e);
    if (rc != 0) {
        pg_run(d, "ROLLBACK", NULL);
        return rc;
    }
    PGresult *res = PQexec(d->conn, "COMMIT");
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        rc = pg_error(d, res, e);
        PQclear(res);
        if (!d->read_only) /* a connection lost at the commit may have committed */
            change_gen_bump();
        if (PQtransactionStatus(d->conn) != PQTRANS_IDLE)
            pg_run(d, "ROLLBACK", NULL);
        return rc;
    }
    if (strcmp(PQcmdStatus(res), "ROLLBACK") == 0)
        rc = err_set(e, ERR_DB, NULL, NULL, "postgres: transaction was aborted by an earlier error and rolled back");
    else if (!d->read_only) /* what this process's caches hold may have changed: at once, not at the notification */
        change_gen_bump();
    PQclear(res);
    return rc;
}

/* Only when a transaction is open: a stray ROLLBACK draws a warning. */
static void pg_rollback(struct db *db)
{
    struct pg_db *d = (struct pg_db *)db;
    pipe_drain(d, NULL);
    PGTransactionStatusType ts = PQtransactionStatus(d->conn);
    if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR)
        pg_run(d, "ROLLBACK", NULL);
}

static int pg_lock(struct db *db, int64_t key, struct err *e)
{
    struct pg_db *d = (struct pg_db *)db;
    char num[24];
    snprintf(num, sizeof(num), "%lld", (long long)key);
    const char *vals[1] = {num};
    Oid types[1] = {PG_INT8_OID};
    if (queueing(d)) {
        int rc = pipe_enter(d, e);
        return rc ? rc
                  : pipe_sent(
                        d,
                        PQsendQueryParams(d->conn, "SELECT pg_advisory_xact_lock($1)", 1, types, vals, NULL, NULL, 0),
                        e);
    }
    PGresult *res = PQexecParams(d->conn, "SELECT pg_advisory_xact_lock($1)", 1, types, vals, NULL, NULL, 0);
    int rc = PQresultStatus(res) == PGRES_TUPLES_OK ? 0 : pg_error(d, res, e);
    PQclear(res);
    return rc;
}

static int pg_prepare(struct db *db, const char *sql, struct db_stmt **out, struct err *e)
{
    struct pg_db *d = (struct pg_db *)db;
    *out = NULL;
    for (struct pg_stmt *s = d->buckets[hash_sql(sql) % PG_CACHE_BUCKETS]; s; s = s->next) {
        if (strcmp(s->sql, sql) == 0) {
            pg_reset(&s->base);
            *out = &s->base;
            return 0;
        }
    }
    int rc = pipe_drain(d, e);
    if (rc != 0)
        return rc;
    int nparams;
    char *text = rewrite_placeholders(sql, &nparams);
    if (!text)
        return err_set(e, ERR_INTERNAL, NULL, NULL, "statement has more than %d parameters", PG_MAX_PARAMS);
    struct pg_stmt *s = xcalloc(1, sizeof(*s));
    s->base.db = db;
    s->nparams = nparams;
    s->row = -1;
    snprintf(s->name, sizeof(s->name), "s%d", ++d->stmt_counter);
    PGresult *res = PQprepare(d->conn, s->name, text, 0, NULL);
    free(text);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
        rc = pg_error(d, res, e);
        PQclear(res);
        free(s);
        return rc;
    }
    PQclear(res);
    s->sql = xstrdup(sql);
    unsigned h = hash_sql(sql) % PG_CACHE_BUCKETS;
    s->next = d->buckets[h];
    d->buckets[h] = s;
    *out = &s->base;
    return 0;
}

/* Stores an owned copy of n bytes (plus a NUL for text) at 1-based idx. */
static void bind_bytes(struct db_stmt *base, int idx, const void *p, size_t n, int fmt)
{
    struct pg_stmt *s = (struct pg_stmt *)base;
    if (idx < 1 || idx > s->nparams || n > (size_t)0x7fffffff) {
        s->bad_bind = 1;
        return;
    }
    free(s->vals[idx - 1]);
    s->vals[idx - 1] = NULL;
    s->lens[idx - 1] = 0;
    s->fmts[idx - 1] = fmt;
    if (!p)
        return;
    char *v = xmalloc(n + 1);
    memcpy(v, p, n);
    v[n] = '\0';
    s->vals[idx - 1] = v;
    s->lens[idx - 1] = (int)n;
}

static void pg_bind_int64(struct db_stmt *s, int idx, int64_t v)
{
    char buf[24];
    int n = snprintf(buf, sizeof(buf), "%lld", (long long)v);
    bind_bytes(s, idx, buf, (size_t)n, 0);
}

static void pg_bind_double(struct db_stmt *s, int idx, double v)
{
    char buf[40];
    int n = snprintf(buf, sizeof(buf), "%.17g", v);
    bind_bytes(s, idx, buf, (size_t)n, 0);
}

static void pg_bind_textn(struct db_stmt *s, int idx, const char *v, size_t n)
{
    bind_bytes(s, idx, v, n, 0);
}

static void pg_bind_blob(struct db_stmt *s, int idx, const void *p, size_t n)
{
    /* A zero-length blob is not NULL: give it a non-NULL pointer. */
    bind_bytes(s, idx, p ? p : "", n, 1);
}

static void pg_bind_null(struct db_stmt *s, int idx)
{
    bind_bytes(s, idx, NULL, 0, 0);
}

static int pg_step(struct db_stmt *base, struct err *e)
{
    struct pg_stmt *s = (struct pg_stmt *)base;
    struct pg_db *d = (struct pg_db *)base->db;
    if (s->done)
        return DB_DONE;
    if (!s->executed) {
        s->executed = 1;
        if (s->bad_bind) {
            s->done = 1;
            return err_set(e, ERR_INTERNAL, NULL, NULL, "bind index out of range for: %.200s", s->sql);
        }
        if (d->in_pipe) { /* behind what is queued, in the same round trip */
            int rc = 0;
            if (!PQsendQueryPrepared(d->conn, s->name, s->nparams, (const char *const *)s->vals, s->lens, s->fmts, 0))
                rc = pg_error(d, NULL, e);
            int wrc = pipe_wait(d, rc == 0 ? s : NULL, e);
            rc = rc ? rc : wrc;
            if (rc != 0 || !s->res) {
                s->done = 1;
                return rc < 0 ? rc : DB_DONE;
            }
            s->row = -1;
            goto rows;
        }
        PGresult *res = PQexecPrepared(d->conn, s->name, s->nparams, (const char *const *)s->vals, s->lens, s->fmts, 0);
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_TUPLES_OK) {
            note_changes(d, res);
            s->res = res;
            s->row = -1;
        } else {
            int rc = 0;
            if (st == PGRES_COMMAND_OK)
                note_changes(d, res);
            else
                rc = pg_error(d, res, e);
            PQclear(res);
            s->done = 1;
            return rc < 0 ? rc : DB_DONE;
        }
    }
rows:
    for (int i = 0; i < s->nblobs; i++) {
        PQfreemem(s->blobs[i]);
        s->blobs[i] = NULL;
    }
    if (++s->row < PQntuples(s->res))
        return DB_ROW;
    clear_result(s);
    s->done = 1;
    return DB_DONE;
}

static void pg_pipeline_begin(struct db *db)
{
    ((struct pg_db *)db)->pipelining = 1;
}

static int pg_pipeline_end(struct db *db, struct err *e)
{
    struct pg_db *d = (struct pg_db *)db;
    d->pipelining = 0;
    return pipe_drain(d, e);
}

static int pg_queue(struct db_stmt *base, struct err *e)
{
    struct pg_stmt *s = (struct pg_stmt *)base;
    struct pg_db *d = (struct pg_db *)base->db;
    int rc;
    if (!queueing(d) || s->bad_bind) {
        rc = pg_step(base, e);
        pg_reset(base);
        return rc < 0 ? rc : 0;
    }
    if ((rc = pipe_enter(d, e)) == 0)
        rc = pipe_sent(
            d, PQsendQueryPrepared(d->conn, s->name, s->nparams, (const char *const *)s->vals, s->lens, s->fmts, 0), e);
    pg_reset(base);
    return rc;
}

/* The current row, or -1 when there is none or col is out of range. */
static int cur_row(struct pg_stmt *s, int col)
{
    if (!s->res || s->row < 0 || s->row >= PQntuples(s->res) || col < 0 || col >= PQnfields(s->res))
        return -1;
    return s->row;
}

static int pg_col_count(struct db_stmt *base)
{
    struct pg_stmt *s = (struct pg_stmt *)base;
    return s->res ? PQnfields(s->res) : 0;
}

static int pg_col_isnull(struct db_stmt *base, int col)
{
    struct pg_stmt *s = (struct pg_stmt *)base;
    int r = cur_row(s, col);
    return r < 0 || PQgetisnull(s->res, r, col);
}

static const char *pg_col_text(struct db_stmt *base, int col)
{
    struct pg_stmt *s = (struct pg_stmt *)base;
    int r = cur_row(s, col);
    if (r < 0 || PQgetisnull(s->res, r, col))
        return NULL;
    return PQgetvalue(s->res, r, col);
}

static int64_t pg_col_int64(struct db_stmt *s, int col)
{
    const char *v = pg_col_text(s, col);
    if (!v)
        return 0;
    if (PQftype(((struct pg_stmt *)s)->res, col) == PG_BOOL_OID)
        return v[0] == 't';
    return strtoll(v, NULL, 10);
}

static double pg_col_double(struct db_stmt *s, int col)
{
    const char *v = pg_col_text(s, col);
    return v ? strtod(v, NULL) : 0.0;
}

/* bytea arrives as "\x<hex>" text and is decoded into a buffer the
 * statement owns until the next step or reset; other types as their text. */
static const void *pg_col_blob(struct db_stmt *base, int col, size_t *n)
{
    struct pg_stmt *s = (struct pg_stmt *)base;
    *n = 0;
    int r = cur_row(s, col);
    if (r < 0 || PQgetisnull(s->res, r, col))
        return NULL;
    if (PQftype(s->res, col) != PG_BYTEA_OID) {
        *n = (size_t)PQgetlength(s->res, r, col);
        return PQgetvalue(s->res, r, col);
    }
    if (!s->blobs) {
        s->nblobs = PQnfields(s->res);
        s->blobs = xcalloc((size_t)s->nblobs, sizeof(*s->blobs));
        s->blob_lens = xcalloc((size_t)s->nblobs, sizeof(*s->blob_lens));
    }
    if (!s->blobs[col]) {
        const unsigned char *hex = (const unsigned char *)PQgetvalue(s->res, r, col);
        s->blobs[col] = PQunescapeBytea(hex, &s->blob_lens[col]);
        if (!s->blobs[col]) {
            fprintf(stderr, "talentd: out of memory decoding bytea\n");
            abort();
        }
    }
    *n = s->blob_lens[col];
    return s->blobs[col];
}

static const char *pg_col_name(struct db_stmt *base, int col)
{
    struct pg_stmt *s = (struct pg_stmt *)base;
    if (!s->res || col < 0 || col >= PQnfields(s->res))
        return NULL;
    return PQfname(s->res, col);
}

static int64_t pg_changes(struct db *db)
{
    return ((struct pg_db *)db)->changes;
}

static const struct db_ops pg_ops = {
    .close = pg_close,
    .exec = pg_exec,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .lock = pg_lock,
    .prepare = pg_prepare,
    .bind_int64 = pg_bind_int64,
    .bind_double = pg_bind_double,
    .bind_textn = pg_bind_textn,
    .bind_blob = pg_bind_blob,
    .bind_null = pg_bind_null,
    .step = pg_step,
    .col_count = pg_col_count,
    .col_isnull = pg_col_isnull,
    .col_int64 = pg_col_int64,
    .col_double = pg_col_double,
    .col_text = pg_col_text,
    .col_blob = pg_col_blob,
    .col_name = pg_col_name,
    .reset = pg_reset,
    .changes = pg_changes,
    .pipeline_begin = pg_pipeline_begin,
    .pipeline_end = pg_pipeline_end,
    .queue = pg_queue,
};

int db_pg_open(const char *conninfo, struct db **out, struct err *e)
{
    char buf[512];
    *out = NULL;
    PGconn *conn = PQconnectdb(conninfo);
    if (!conn)
        return err_set(e, ERR_DB, NULL, "db", "postgres: out of memory connecting");
    if (PQstatus(conn) != CONNECTION_OK) {
        /* libpq's message names host, port and user, never the password. */
        err_set(e, ERR_DB, NULL, "db", "postgres: cannot connect: %s",
                trim_msg(PQerrorMessage(conn), buf, sizeof(buf)));
        PQfinish(conn);
        return ERR_DB;
    }
    struct pg_db *d = xcalloc(1, sizeof(*d));
    d->base.ops = &pg_ops;
    d->base.kind = DB_POSTGRES;
    d->conn = conn;
    int rc = 0;
    if (PQsetClientEncoding(conn, "UTF8") != 0)
        rc = err_set(e, ERR_DB, NULL, "db", "postgres: cannot set client_encoding UTF8: %s",
                     trim_msg(PQerrorMessage(conn), buf, sizeof(buf)));
    if (rc == 0)
        rc = pg_run(d, "SET TIME ZONE 'UTC'; SET client_min_messages TO warning", e);
    if (rc != 0) {
        pg_close(&d->base);
        return rc;
    }
    *out = &d->base;
    return 0;
}

/* db.h - the only SQL entry point: one neutral API over SQLite and PostgreSQL.
 *
 * A struct db is one connection and is used by one thread at a time (the
 * server keeps one per worker thread). SQL uses '?' placeholders; the
 * PostgreSQL backend rewrites them to $1..$n. Write SQL both backends accept:
 * BIGINT/INTEGER/TEXT/BLOB(bytea)/DOUBLE PRECISION columns, integers 0/1 for
 * booleans, times as BIGINT UTC milliseconds, "RETURNING id" for new ids, and
 * CAST(? AS BIGINT)/CAST(? AS TEXT) where PostgreSQL cannot infer a type. */
#ifndef TALENTD_DB_H
#define TALENTD_DB_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"

struct db;
struct db_stmt;

enum db_kind { DB_SQLITE = 1, DB_POSTGRES = 2 };

/* db_step results (errors are negative ERR_* codes). */
enum { DB_DONE = 0, DB_ROW = 1 };

/* Opens a connection. url is "postgresql://..." / "postgres://..." for
 * PostgreSQL, otherwise a SQLite file path (optionally prefixed "sqlite:").
 * SQLite connections get WAL, synchronous=NORMAL, busy_timeout=5000 and
 * foreign_keys=ON. On success *out is owned by the caller (db_close). */
int db_open(const char *url, struct db **out, struct err *e);
void db_close(struct db *db);
enum db_kind db_kind(const struct db *db);

/* Runs one or more parameterless statements (migrations, pragmas). */
int db_exec(struct db *db, const char *sql, struct err *e);

/* Transactions. db_begin starts a write transaction (SQLite: BEGIN
 * IMMEDIATE); db_begin_read a read-only snapshot. db_rollback is safe to
 * call when no transaction is open. Nesting is not supported. */
int db_begin(struct db *db, struct err *e);
int db_begin_read(struct db *db, struct err *e);
int db_commit(struct db *db, struct err *e);
void db_rollback(struct db *db);
int db_in_transaction(const struct db *db);

/* Serialises writers on key until the transaction ends (PostgreSQL:
 * pg_advisory_xact_lock; SQLite: nothing, BEGIN IMMEDIATE already does). */
int db_lock(struct db *db, int64_t key, struct err *e);

/* Prepares sql (cached per connection by its text; the same text returns
 * the same statement, reset and with bindings cleared). The statement is
 * owned by db. */
int db_prepare(struct db *db, const char *sql, struct db_stmt **out, struct err *e);

/* Binding, 1-based. Text and blobs are copied; a NULL pointer binds NULL. */
void db_bind_int64(struct db_stmt *s, int idx, int64_t v);
void db_bind_double(struct db_stmt *s, int idx, double v);
void db_bind_text(struct db_stmt *s, int idx, const char *v);
void db_bind_textn(struct db_stmt *s, int idx, const char *v, size_t n);
void db_bind_blob(struct db_stmt *s, int idx, const void *p, size_t n);
/* As db_bind_text and db_bind_blob, without a copy where the backend can do without (SQLite): the
 * value must stay where it is, unchanged, until the statement is reset. For the large values a bulk
 * write binds once per row (an imported result's payload, transcript and JSON). */
void db_bind_text_kept(struct db_stmt *s, int idx, const char *v);
void db_bind_blob_kept(struct db_stmt *s, int idx, const void *p, size_t n);
void db_bind_null(struct db_stmt *s, int idx);

/* Steps: DB_ROW when a row is available, DB_DONE at the end, or a negative
 * code: a unique violation is ERR_CONFLICT (slug "duplicate"), a foreign
 * key or check violation ERR_INVALID, anything else ERR_DB. */
int db_step(struct db_stmt *s, struct err *e);

/* Column access on the current row, 0-based. Pointers stay valid until the
 * next db_step/db_reset of the statement. NULL columns: isnull=1, int 0,
 * text NULL, blob NULL with n=0. */
int db_col_count(struct db_stmt *s);
int db_col_isnull(struct db_stmt *s, int col);
int64_t db_col_int64(struct db_stmt *s, int col);
double db_col_double(struct db_stmt *s, int col);
const char *db_col_text(struct db_stmt *s, int col);
const void *db_col_blob(struct db_stmt *s, int col, size_t *n);
const char *db_col_name(struct db_stmt *s, int col);

/* Pipelining, for bulk writes on PostgreSQL, where every statement is otherwise a round trip to
 * the server. Between db_pipeline_begin and db_pipeline_end, db_queue sends a statement without
 * waiting for its outcome, and so does db_lock; the statements still run in the order they were
 * given, interleaved with the db_step executions, which wait for everything sent before them in
 * the same round trip. A queued statement's error is not returned by db_queue but by the next call
 * that waits: db_step of another statement, db_exec, db_commit, db_prepare of a new text or
 * db_pipeline_end (the first error only; PostgreSQL skips the rest of what was sent, and the
 * transaction is then aborted). So the caller must be one that gives up the whole transaction on
 * any error, whichever statement reports it. db_changes counts the queued statements once they
 * were waited for. A read transaction's BEGIN on PostgreSQL is itself queued (db_begin_read: it
 * goes with the first statement that waits, and a failure to begin comes back from there), and
 * db_queue queues behind it as in a pipeline until that statement has waited. Otherwise outside a
 * pipeline, and on SQLite (in-process: nothing to wait for), db_queue is db_step then db_reset,
 * returning the error at once. */
void db_pipeline_begin(struct db *db);
/* Waits for everything queued, leaves pipelining; 0 or the first queued statement's error. */
int db_pipeline_end(struct db *db, struct err *e);
/* Executes s (bound; its rows and RETURNING are discarded) and resets it: see db_pipeline_begin.
 * 0 or a negative error code (possibly a queued earlier statement's). */
int db_queue(struct db_stmt *s, struct err *e);

/* Ends the statement's current execution and clears its bindings. */
void db_reset(struct db_stmt *s);

/* Bounds the work of what this connection runs from now on to about steps of SQLite's virtual
 * machine (0 lifts the bound): a statement that goes beyond fails with ERR_DB, slug
 * "budget_exceeded", and a read transaction stays as it was. For a plan that may read much more
 * than it expects, to fall back on another (the applications list). PostgreSQL: no bound. */
#define DB_BUDGET_EXCEEDED "budget_exceeded"
void db_budget(struct db *db, int64_t steps);

/* This connection is about to write (or read) a great deal: a bulk import, a large export. SQLite:
 * a page cache of up to cache_kib KiB (the default is 2 MiB), a memory map of up to mmap_bytes of
 * the file for reads (0: none), and, until the connection closes, a thread that asks the kernel
 * every 50 ms to start writing the database's and its write-ahead log's dirty pages to disk, so
 * that a commit's checkpoint and its fsync find little left to write and the connection does not
 * wait for the disk. PostgreSQL: nothing (the server does its own writing). */
void db_bulk(struct db *db, int64_t cache_kib, int64_t mmap_bytes);

/* Rows changed by the last completed INSERT/UPDATE/DELETE on this connection. */
int64_t db_changes(struct db *db);

/* SQLite: the rowid of the last row inserted on this connection (0 on PostgreSQL, where an INSERT
 * says its id with RETURNING). For the hot paths that insert without RETURNING on SQLite: SQLite
 * runs RETURNING as a trigger, and a statement with a trigger keeps a statement journal (a copy of
 * every existing page it changes, in case it fails half-way). */
int64_t db_last_insert_id(struct db *db);

#endif

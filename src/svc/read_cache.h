/* read_cache.h - per-thread caches of the server's hottest reads on PostgreSQL, validated by the
 * change generation (store/change_gen.h): the credential lookups (svc/auth.c) and the report's
 * stamp and visibility (svc/report.c). On SQLite those reads are in-process and cheap; on
 * PostgreSQL each is a round trip. Each event-loop thread has its own tables (no locks), of a fixed
 * number of slots, where a new entry overwrites whatever had its slot. An entry is served only while
 * the generation is the one read before the database read it holds: any commit of this process and
 * any notification of another's drops everything. Failures are never cached. */
#ifndef TALENTD_SVC_READ_CACHE_H
#define TALENTD_SVC_READ_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "svc/svc.h"

#define READ_CACHE_SLOTS 4096 /* per table and thread */

enum read_cache_table { READ_CACHE_AUTH, READ_CACHE_REPORT_STATE, READ_CACHE__N };

/* 1 with *gen the generation to file a read under, when c's reads may be cached (PostgreSQL, the
 * change listener listening: only in `talentd serve`); 0 otherwise. Call it before the read. */
int read_cache_on(const struct svc_ctx *c, uint64_t *gen);

/* 1 when an entry filed at generation gen may still be served. */
int read_cache_valid(uint64_t gen);

/* This thread's table `which`: READ_CACHE_SLOTS zeroed slots of slot_size bytes each, made on first
 * use and freed when the thread exits. NULL when out of memory. */
void *read_cache_table(enum read_cache_table which, size_t slot_size);

/* A 64-bit hash of n bytes at p mixed into h (FNV-1a), for slot numbers. */
uint64_t read_cache_hash(uint64_t h, const void *p, size_t n);

/* What a credential lookup resolved: the actor (all but its ip) and when the credential expires
 * (INT64_MAX: never); for a session, its CSRF token. */
struct auth_entry {
    uint64_t gen;  /* 0: empty */
    char hash[65]; /* the credential's SHA-256, hex */
    int session;   /* a session cookie, not an API token */
    int64_t expires_at;
    struct actor actor;
    char csrf[96];
};

/* The valid entry for credential hash (session or token) into *out: 1, or 0 when there is none. */
int auth_cache_get(const char *hash, int session, struct auth_entry *out);

/* Files e (its gen, hash and session set by the caller). */
void auth_cache_put(const struct auth_entry *e);

#endif

/* change_gen.h - the process's change generation, for read caches validated by PostgreSQL's
 * LISTEN/NOTIFY.
 *
 * The generation is one process-wide 64-bit counter that goes up whenever something a cache may
 * hold could have changed in the database: at each notification on channel talentd_change
 * (migration 015's triggers send one at the commit of every transaction that writes a table the
 * caches read), at each commit of a write by this process (store/db_pg.c, so that the process
 * never serves its own stale data while the notification is on its way), and when the listener
 * (re)connects (notifications may have been missed while it was away). A cache entry keeps the
 * generation read before the database read it holds, and is served only while the generation is
 * still that one and the listener is listening.
 *
 * Only `talentd serve` on PostgreSQL starts the listener; everywhere else listening stays 0 and
 * the caches are off. */
#ifndef TALENTD_STORE_CHANGE_GEN_H
#define TALENTD_STORE_CHANGE_GEN_H

#include <stdint.h>

#include "lib/err.h"

/* The channel migration 015's triggers notify on. */
#define CHANGE_CHANNEL "talentd_change"
/* The listener connection's application_name (pg_stat_activity). */
#define CHANGE_LISTEN_APP "talentd-listen"

/* 1 and *gen the current generation when caches may be used (the listener is listening); 0 when
 * not (read the database). Read it before the database read whose outcome is cached. */
int change_gen_current(uint64_t *gen);

/* 1 when an entry filed at generation gen may still be served. */
int change_gen_valid(uint64_t gen);

/* Moves the generation on: everything cached so far is stale. */
void change_gen_bump(void);

struct change_listener;

/* Starts the listener thread on the PostgreSQL database at url (its own connection). It connects
 * in the background, retrying with backoff: until it listens, the caches are off. */
int change_listener_start(const char *url, struct change_listener **out, struct err *e);

/* Stops the thread, closes its connection and turns the caches off (NULL: nothing). */
void change_listener_stop(struct change_listener *l);

#endif

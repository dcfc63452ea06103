/* migrate.h - numbered schema migrations embedded in the binary, one set per backend. */
#ifndef TALENTD_MIGRATE_H
#define TALENTD_MIGRATE_H

#include "store/db.h"

/* Applies every migration newer than the database's version, each in its
 * own transaction with its row in schema_migrations. *applied (may be NULL)
 * gets the number applied. Safe to run from several processes at once. */
int migrate_run(struct db *db, int *applied, struct err *e);

/* Highest migration version built into this binary. */
int migrate_latest(void);

#endif

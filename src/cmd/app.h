/* app.h - what every subcommand opens: the data directory, its key file,
 * the database (migrated), and the system actor the CLI acts as. */
#ifndef TALENTD_APP_H
#define TALENTD_APP_H

#include <limits.h>

#include "lib/crypto.h"
#include "store/db.h"
#include "svc/svc.h"

struct app {
    char data_dir[PATH_MAX];
    char db_url[1024];
    char key_file[PATH_MAX];
    char public_url[512];
    struct keyring kr;
    struct db *db;
    struct actor actor;
    struct err err;
    struct svc_ctx ctx;
};

/* Common options every subcommand takes. */
struct app_opts {
    const char *data;       /* --data DIR, default ./var */
    const char *db;         /* --db URL, default sqlite DIR/talentd.db */
    const char *key_file;   /* --key-file, default DIR/key */
    const char *public_url; /* --public-url URL, default $TALENTD_PUBLIC_URL: the address users reach talentd at */
};

/* Opens the data dir (created 0700 if missing), loads or creates the key
 * file, connects, migrates, and on a database without users creates the
 * admin with a generated password written once to DIR/initial-admin.txt
 * (0600) and printed. Prints errors to stderr. */
int app_open(struct app *a, const struct app_opts *o, const char *actor_name);
void app_close(struct app *a);

/* Prints "talentd: <message> [field]" for a failed svc call and returns 1. */
int app_fail(struct app *a, const char *what);

/* Parses --data/--db/--key-file/--public-url at argv[*i] (with its value); returns 1 if consumed, 0 if not one of them,
 * -1 when its value is missing. */
int app_opt(struct app_opts *o, int argc, char **argv, int *i);

/* Prints v as pretty JSON on stdout. */
void app_print_json(json_t *v);

#endif

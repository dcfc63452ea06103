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

/* Opens the app, runs f on the id in id_s (an integer >= 1 named what in messages about cmd), prints its
 * JSON output; returns the exit code (2 for a bad id, 1 for a failure). */
int app_run_id(struct app_opts *o, const char *cmd, const char *what, const char *id_s,
               int (*f)(struct svc_ctx *, int64_t, json_t **));

/* Opens the app, runs f with in (borrowed), prints its JSON output; failures print "FILE: field: message"
 * when file is given (the input came from it), else as app_fail. Returns the exit code. */
int app_run_in(struct app_opts *o, const char *cmd, const char *file, json_t *in,
               int (*f)(struct svc_ctx *, json_t *, json_t **));

/* Prints every item of a list use case, page after page (q: its query, a "cursor" is set on it), one line
 * each with line(); header (may be NULL) before the first, empty when there is none. On a failure prints
 * it as app_fail(a, what) and returns 1. */
int app_print_pages(struct app *a, const char *what, int (*list)(struct svc_ctx *, json_t *, json_t **), json_t *q,
                    const char *header, void (*line)(json_t *item), const char *empty);

/* Reads and parses a JSON document of at most max bytes; prints "path: problem" and returns NULL on failure. */
json_t *app_load_json_file(const char *path, long long max);

#endif

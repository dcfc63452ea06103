/* app.c - opening the data directory for a subcommand. */
#include "cmd/app.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/flags.h"
#include "lib/mem.h"
#include "store/migrate.h"
#include "svc/auth.h"

int app_opt(struct app_opts *o, int argc, char **argv, int *i)
{
    const char **slot = NULL;
    if (strcmp(argv[*i], "--data") == 0)
        slot = &o->data;
    else if (strcmp(argv[*i], "--db") == 0)
        slot = &o->db;
    else if (strcmp(argv[*i], "--key-file") == 0)
        slot = &o->key_file;
    else if (strcmp(argv[*i], "--public-url") == 0)
        slot = &o->public_url;
    if (!slot)
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *slot = argv[++*i];
    return 1;
}

void app_print_json(json_t *v)
{
    char *s = json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    puts(s);
    free(s);
}

int app_fail(struct app *a, const char *what)
{
    if (a->err.field[0])
        fprintf(stderr, "talentd: %s: %s (field %s)\n", what, a->err.message, a->err.field);
    else
        fprintf(stderr, "talentd: %s: %s\n", what, a->err.message);
    return 1;
}

/* Creates the first admin when the database has no users. */
static int ensure_admin(struct app *a)
{
    struct db_stmt *s;
    int rc = db_prepare(a->db, "SELECT COUNT(*) FROM users", &s, &a->err);
    if (rc != 0)
        return rc;
    rc = db_step(s, &a->err);
    int64_t n = rc == DB_ROW ? db_col_int64(s, 0) : 0;
    db_reset(s);
    if (rc < 0 || n > 0)
        return rc < 0 ? rc : 0;
    char pw[25], path[PATH_MAX + 32];
    crypto_random_password(pw, 24);
    snprintf(path, sizeof(path), "%s/initial-admin.txt", a->data_dir);
    json_t *in = json_pack("{s:s,s:s,s:s,s:s}", "username", "admin", "role", "admin", "password", pw, "display_name",
                           "Administrator");
    json_t *out = NULL;
    rc = svc_user_create(&a->ctx, in, &out);
    json_decref(in);
    json_decref(out);
    if (rc != 0)
        return rc;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0)
        return err_set(&a->err, ERR_INTERNAL, NULL, NULL, "cannot write %s: %s", path, strerror(errno));
    fchmod(fd, 0600);
    char buf[256];
    int len = snprintf(buf, sizeof(buf), "username: admin\npassword: %s\n", pw);
    ssize_t w = write(fd, buf, (size_t)len);
    close(fd);
    if (w != len)
        return err_set(&a->err, ERR_INTERNAL, NULL, NULL, "cannot write %s", path);
    printf("talentd: created the admin account.\n  username: admin\n  password: %s\n  (also in %s, mode 0600)\n", pw,
           path);
    fflush(stdout);
    return 0;
}

/* Checks and keeps the public URL (http:// or https://, no query or fragment; a trailing / is dropped). */
static int public_url_set(struct app *a, const char *url)
{
    if (!url || !*url)
        return 0;
    size_t n = strlen(url);
    while (n > 0 && url[n - 1] == '/')
        n--;
    int scheme = strncmp(url, "https://", 8) == 0 ? 8 : strncmp(url, "http://", 7) == 0 ? 7 : 0;
    if (!scheme || n <= (size_t)scheme || n >= sizeof(a->public_url) || strcspn(url, "?# \t\r\n\"<>") < n) {
        fprintf(stderr, "talentd: --public-url (or TALENTD_PUBLIC_URL) must be an http:// or https:// address "
                        "without query or fragment, such as https://hr.example.com\n");
        return 1;
    }
    memcpy(a->public_url, url, n);
    a->public_url[n] = '\0';
    a->ctx.public_url = a->public_url;
    return 0;
}

int app_open(struct app *a, const struct app_opts *o, const char *actor_name)
{
    memset(a, 0, sizeof(*a));
    snprintf(a->data_dir, sizeof(a->data_dir), "%s", o->data ? o->data : "var");
    if (mkdir(a->data_dir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "talentd: cannot create data directory %s: %s\n", a->data_dir, strerror(errno));
        return 1;
    }
    int n1 = o->key_file ? snprintf(a->key_file, sizeof(a->key_file), "%s", o->key_file)
                         : snprintf(a->key_file, sizeof(a->key_file), "%.4000s/key", a->data_dir);
    int n2 = o->db ? snprintf(a->db_url, sizeof(a->db_url), "%s", o->db)
                   : snprintf(a->db_url, sizeof(a->db_url), "%.1000s/talentd.db", a->data_dir);
    if (n1 >= (int)sizeof(a->key_file) || n2 >= (int)sizeof(a->db_url)) {
        fprintf(stderr, "talentd: --data, --db or --key-file is too long\n");
        return 1;
    }
    if (public_url_set(a, o->public_url ? o->public_url : getenv("TALENTD_PUBLIC_URL")) != 0)
        return 1;
    if (crypto_setup() != 0) {
        fprintf(stderr, "talentd: libsodium failed to initialise\n");
        return 1;
    }
    actor_system(&a->actor, actor_name);
    a->ctx.kr = &a->kr;
    a->ctx.data_dir = a->data_dir;
    a->ctx.actor = &a->actor;
    a->ctx.e = &a->err;
    const char *step = "key file";
    if (keyring_load_or_create(a->key_file, &a->kr, &a->err) != 0)
        goto fail;
    step = "database";
    if (db_open(a->db_url, &a->db, &a->err) != 0)
        goto fail;
    a->ctx.db = a->db;
    step = "migration";
    if (migrate_run(a->db, NULL, &a->err) != 0)
        goto fail;
    step = "initial admin";
    if (ensure_admin(a) != 0)
        goto fail;
    return 0;
fail:
    app_fail(a, step);
    app_close(a);
    return 1;
}

void app_close(struct app *a)
{
    if (a->db)
        db_close(a->db);
    a->db = NULL;
    keyring_wipe(&a->kr);
}

int app_run_id(struct app_opts *o, const char *cmd, const char *what, const char *id_s,
               int (*f)(struct svc_ctx *, int64_t, json_t **))
{
    long long id;
    if (flag_int(cmd, what, id_s, 1, INT64_MAX, &id) != 0)
        return 2;
    struct app a;
    if (app_open(&a, o, "cli") != 0)
        return 1;
    json_t *out = NULL;
    int rc = f(&a.ctx, id, &out);
    if (rc != 0)
        rc = app_fail(&a, cmd);
    else
        app_print_json(out);
    json_decref(out);
    app_close(&a);
    return rc;
}

int app_run_in(struct app_opts *o, const char *cmd, const char *file, json_t *in,
               int (*f)(struct svc_ctx *, json_t *, json_t **))
{
    struct app a;
    if (app_open(&a, o, "cli") != 0)
        return 1;
    json_t *out = NULL;
    int rc = f(&a.ctx, in, &out);
    if (rc != 0 && file) {
        fprintf(stderr, "%s: %s%s%s\n", file, a.err.field, a.err.field[0] ? ": " : "", a.err.message);
        rc = 1;
    } else if (rc != 0) {
        rc = app_fail(&a, cmd);
    } else {
        app_print_json(out);
    }
    json_decref(out);
    app_close(&a);
    return rc;
}

json_t *app_load_json_file(const char *path, long long max)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "%s: cannot read the file\n", path);
        return NULL;
    }
    if (!S_ISREG(st.st_mode) || (long long)st.st_size > max) {
        fprintf(stderr, "%s: not a regular file of at most %lld bytes\n", path, max);
        return NULL;
    }
    json_error_t je;
    json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!doc)
        fprintf(stderr, "%s: line %d column %d: %s\n", path, je.line, je.column, je.text);
    return doc;
}

int app_print_pages(struct app *a, const char *what, int (*list)(struct svc_ctx *, json_t *, json_t **), json_t *q,
                    const char *header, void (*line)(json_t *item), const char *empty)
{
    int any = 0;
    for (;;) {
        json_t *page = NULL, *it;
        if (list(&a->ctx, q, &page) != 0)
            return app_fail(a, what);
        size_t i;
        json_array_foreach(json_object_get(page, "items"), i, it)
        {
            if (!any++ && header)
                fputs(header, stdout);
            line(it);
        }
        json_t *next = json_object_get(page, "next_cursor");
        if (!json_is_string(next)) {
            json_decref(page);
            break;
        }
        json_object_set(q, "cursor", next);
        json_decref(page);
    }
    if (!any && empty)
        puts(empty);
    return 0;
}

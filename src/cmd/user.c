/* user.c - `talentd user add|list|staff|disable` and `talentd token create|revoke|list`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/flags.h"
#include "svc/auth.h"

static const char user_usage[] =
    "usage: talentd user add --username U --role admin|hr|manager|interviewer [--org-unit CODE]\n"
    "                        [--display-name NAME] --password-stdin\n"
    "       talentd user list [--role R]\n"
    "       talentd user staff [--role R]   (the active users, as hr picks them: interviewers, managers)\n"
    "       talentd user disable --username U\n";

/* Reads one line (the password) from stdin without the newline. */
static int read_password(char *buf, size_t n)
{
    if (!fgets(buf, (int)n, stdin))
        return -1;
    buf[strcspn(buf, "\r\n")] = '\0';
    return 0;
}

static void user_line(json_t *u)
{
    printf("%-6lld %-20s %-12s %-10s %s\n", (long long)json_integer_value(json_object_get(u, "id")),
           json_string_value(json_object_get(u, "username")), json_string_value(json_object_get(u, "role")),
           json_is_string(json_object_get(u, "org_unit")) ? json_string_value(json_object_get(u, "org_unit")) : "-",
           json_is_true(json_object_get(u, "disabled")) ? "disabled" : "active");
}

int cmd_user(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fputs(user_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1], *username = NULL, *role = NULL, *org = NULL, *display = NULL, *pw_stdin = NULL;
    struct app_opts o = {0};
    const struct flag flags[] = {{"--username", &username, 0},
                                 {"--role", &role, 0},
                                 {"--org-unit", &org, 0},
                                 {"--display-name", &display, 0},
                                 {"--password-stdin", &pw_stdin, 1},
                                 {NULL, NULL, 0}};
    if (flags_parse(argc, argv, 2, flags, &o, NULL, 0, "user") != 0)
        return 2;
    struct app a;
    int rc = 1;
    if (strcmp(sub, "add") == 0) {
        if (!username || !role || !pw_stdin) {
            fputs(user_usage, stderr);
            return 2;
        }
        char pw[1100];
        if (read_password(pw, sizeof(pw)) != 0) {
            fprintf(stderr, "talentd user add: no password on standard input\n");
            return 2;
        }
        if (app_open(&a, &o, "cli") != 0)
            return 1;
        json_t *in = json_pack("{s:s,s:s,s:s}", "username", username, "role", role, "password", pw), *out = NULL;
        if (org)
            json_object_set_new(in, "org_unit", json_string(org));
        if (display)
            json_object_set_new(in, "display_name", json_string(display));
        if (svc_user_create(&a.ctx, in, &out) == 0) {
            printf("created user %s (id %lld, %s)\n", username,
                   (long long)json_integer_value(json_object_get(out, "id")), role);
            rc = 0;
        } else {
            rc = app_fail(&a, "user add");
        }
        json_decref(in);
        json_decref(out);
    } else if (strcmp(sub, "list") == 0 || strcmp(sub, "staff") == 0) {
        if (app_open(&a, &o, "cli") != 0)
            return 1;
        json_t *q = json_object();
        if (role)
            json_object_set_new(q, "role", json_string(role));
        rc = app_print_pages(&a, "list", strcmp(sub, "staff") == 0 ? svc_staff_list : svc_user_list, q, NULL, user_line,
                             NULL);
        json_decref(q);
    } else if (strcmp(sub, "disable") == 0) {
        if (!username) {
            fputs(user_usage, stderr);
            return 2;
        }
        if (app_open(&a, &o, "cli") != 0)
            return 1;
        int64_t id = 0;
        json_t *out = NULL;
        if (svc_user_id(&a.ctx, username, &id) == 0 && svc_user_disable(&a.ctx, id, &out) == 0) {
            printf("disabled user %s; their sessions are ended\n", username);
            rc = 0;
        } else {
            rc = app_fail(&a, "user disable");
        }
        json_decref(out);
    } else {
        fputs(user_usage, stderr);
        return 2;
    }
    app_close(&a);
    return rc;
}

static const char token_usage[] =
    "usage: talentd token create --name NAME --scopes s1,s2 [--user USERNAME] [--expires-days N]\n"
    "       talentd token revoke --id ID\n"
    "       talentd token list\n"
    "scopes: org:read org:write positions:read positions:write candidates:read candidates:write\n"
    "        applications:read applications:write users:read users:write tokens:write audit:read\n"
    "        results:read results:write events:read questions:read questions:write rules:read rules:write\n"
    "        webhooks:read webhooks:write\n";

static void token_line(json_t *t)
{
    char *sc = json_dumps(json_object_get(t, "scopes"), JSON_COMPACT);
    printf("%-6lld %-20s %-12s %-10s %s %s\n", (long long)json_integer_value(json_object_get(t, "id")),
           json_string_value(json_object_get(t, "name")), json_string_value(json_object_get(t, "prefix")),
           json_string_value(json_object_get(t, "user")),
           json_is_null(json_object_get(t, "revoked_at")) ? "active " : "revoked", sc);
    free(sc);
}

int cmd_token(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fputs(token_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const char *sub = argv[1], *name = NULL, *scopes = NULL, *user = NULL, *days = NULL, *id_s = NULL;
    struct app_opts o = {0};
    const struct flag flags[] = {{"--name", &name, 0},         {"--scopes", &scopes, 0}, {"--user", &user, 0},
                                 {"--expires-days", &days, 0}, {"--id", &id_s, 0},       {NULL, NULL, 0}};
    if (flags_parse(argc, argv, 2, flags, &o, NULL, 0, "token") != 0)
        return 2;
    struct app a;
    int rc = 1;
    if (strcmp(sub, "create") == 0) {
        if (!name || !scopes) {
            fputs(token_usage, stderr);
            return 2;
        }
        long long ndays = 0;
        if (days && flag_int("token create", "--days", days, 1, 3650, &ndays) != 0)
            return 2;
        if (app_open(&a, &o, "cli") != 0)
            return 1;
        json_t *in = json_pack("{s:s,s:[]}", "name", name, "scopes"), *out = NULL;
        char buf[512];
        snprintf(buf, sizeof(buf), "%s", scopes);
        for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save))
            json_array_append_new(json_object_get(in, "scopes"), json_string(t));
        json_object_set_new(in, "user", json_string(user ? user : "admin"));
        if (days)
            json_object_set_new(in, "expires_in_days", json_integer(ndays));
        if (svc_token_create(&a.ctx, in, &out) == 0) {
            /* The token alone on stdout, so scripts can capture it. */
            puts(json_string_value(json_object_get(out, "token")));
            fprintf(stderr, "token %lld created; it is shown only once\n",
                    (long long)json_integer_value(json_object_get(out, "id")));
            rc = 0;
        } else {
            rc = app_fail(&a, "token create");
        }
        json_decref(in);
        json_decref(out);
    } else if (strcmp(sub, "revoke") == 0) {
        char *end = NULL;
        long long id = id_s ? strtoll(id_s, &end, 10) : 0;
        if (!id_s || *end || id <= 0) {
            fputs(token_usage, stderr);
            return 2;
        }
        if (app_open(&a, &o, "cli") != 0)
            return 1;
        json_t *out = NULL;
        if (svc_token_revoke(&a.ctx, id, &out) == 0) {
            printf("revoked token %lld\n", id);
            rc = 0;
        } else {
            rc = app_fail(&a, "token revoke");
        }
        json_decref(out);
    } else if (strcmp(sub, "list") == 0) {
        if (app_open(&a, &o, "cli") != 0)
            return 1;
        json_t *q = json_object();
        rc = app_print_pages(&a, "list", svc_token_list, q, NULL, token_line, NULL);
        json_decref(q);
    } else {
        fputs(token_usage, stderr);
        return 2;
    }
    app_close(&a);
    return rc;
}

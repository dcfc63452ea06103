/* check.c - `talentd check`: reports every cross-table mismatch
 * (svc/check.h), one line each, and exits 1 when there is any. */
#include <stdio.h>
#include <string.h>

#include "cmd/app.h"
#include "cmd/cmd.h"
#include "cmd/flags.h"
#include "svc/check.h"

static const char check_usage[] =
    "usage: talentd check [--json]\n"
    "Verifies the cross-table invariants (read-only): every application's newest AI interview session\n"
    "agrees with its stage, no older session is left open, session and application results point to\n"
    "the application's own current result, no position has more hires than its headcount. Prints one\n"
    "line per mismatch (\"KIND: message\"), or the whole report as JSON with --json. Exit 1 when any.\n";

int cmd_check(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
        fputs(check_usage, stdout);
        return 0;
    }
    struct app_opts o = {0};
    const char *as_json = NULL, *pos[1] = {NULL};
    const struct flag flags[] = {{"--json", &as_json, 1}, {NULL, NULL, 0}};
    if (flags_parse(argc, argv, 1, flags, &o, pos, 0, "check") != 0)
        return 2;
    struct app a;
    if (app_open(&a, &o, "cli") != 0)
        return 1;
    json_t *out = NULL;
    int rc = svc_check(&a.ctx, &out);
    if (rc != 0) {
        rc = app_fail(&a, "check");
        app_close(&a);
        return rc;
    }
    json_t *list = json_object_get(out, "mismatches"), *m, *checked = json_object_get(out, "checked");
    if (as_json) {
        app_print_json(out);
    } else {
        size_t i;
        json_array_foreach(list, i, m)
        {
            printf("%s: %s\n", json_string_value(json_object_get(m, "kind")),
                   json_string_value(json_object_get(m, "message")));
        }
        printf("check: %zu mismatch(es) (%lld interview sessions, %lld applications, %lld positions checked)\n",
               json_array_size(list), (long long)json_integer_value(json_object_get(checked, "sessions")),
               (long long)json_integer_value(json_object_get(checked, "applications")),
               (long long)json_integer_value(json_object_get(checked, "positions")));
    }
    rc = json_array_size(list) ? 1 : 0;
    json_decref(out);
    app_close(&a);
    return rc;
}

/* audit.c - `talentd audit verify`: walks the hash-chained audit log. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "cmd/flags.h"
#include "svc/audit.h"

static const char audit_usage[] =
    "usage: talentd audit verify [--data DIR] [--db URL]\n"
    "Recomputes every audit row's hash and checks the chain.\n"
    "Exit status 0 when the chain is intact, 1 when a row was changed, removed or inserted\n"
    "(a removed last row cannot be told from a shorter log).\n";

int cmd_audit(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fputs(audit_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "verify") != 0) {
        fprintf(stderr, "talentd audit: unknown subcommand '%s'\n", argv[1]);
        fputs(audit_usage, stderr);
        return 2;
    }
    struct app_opts o = {0};
    const struct flag flags[] = {{NULL, NULL, 0}};
    if (flags_parse(argc, argv, 2, flags, &o, NULL, 0, "audit") != 0)
        return 2;
    struct app a;
    if (app_open(&a, &o, "audit") != 0) {
        app_close(&a);
        return 1;
    }
    int64_t rows = 0, broken = 0;
    char why[256] = "";
    int rc;
    if (svc_audit_verify(&a.ctx, &rows, &broken, why, sizeof(why)) != 0) {
        rc = app_fail(&a, "audit verify");
    } else if (broken) {
        printf("audit chain broken at row %lld: %s\n", (long long)broken, why);
        rc = 1;
    } else {
        printf("audit chain intact: %lld rows\n", (long long)rows);
        rc = 0;
    }
    app_close(&a);
    return rc;
}

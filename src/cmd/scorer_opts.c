/* scorer_opts.c - the interview scorer options (cmd/scorer_opts.h). */
#include "cmd/scorer_opts.h"

#include <stdio.h>
#include <string.h>

#include "cmd/flags.h"

int scorer_opt(struct scorer_opts *o, int argc, char **argv, int *i)
{
    const char **slot = NULL;
    if (strcmp(argv[*i], "--scorer") == 0)
        slot = &o->kind;
    else if (strcmp(argv[*i], "--scorer-url") == 0)
        slot = &o->url;
    else if (strcmp(argv[*i], "--scorer-name") == 0)
        slot = &o->name;
    else if (strcmp(argv[*i], "--scorer-timeout") == 0)
        slot = &o->timeout;
    if (!slot)
        return 0;
    if (*i + 1 >= argc)
        return -1;
    *slot = argv[++*i];
    return 1;
}

int scorer_opts_build(const struct scorer_opts *o, struct scorer_http *h, const struct interview_scorer **out,
                      const char *cmd)
{
    *out = NULL;
    int external = o->url != NULL;
    if (o->kind && strcmp(o->kind, "builtin") == 0) {
        external = 0;
    } else if (o->kind && strcmp(o->kind, "external") == 0) {
        external = 1;
    } else if (o->kind) {
        fprintf(stderr, "talentd %s: --scorer must be builtin or external, got %s\n", cmd, o->kind);
        return 2;
    }
    if (!external) {
        if (o->url || o->name || o->timeout) {
            fprintf(stderr, "talentd %s: --scorer-url, --scorer-name and --scorer-timeout are for --scorer external\n",
                    cmd);
            return 2;
        }
        return 0;
    }
    if (!o->url) {
        fprintf(stderr, "talentd %s: --scorer external needs --scorer-url URL\n", cmd);
        return 2;
    }
    long long t = 0;
    if (o->timeout && flag_int(cmd, "--scorer-timeout", o->timeout, 1, SCORER_HTTP_TIMEOUT_S_MAX, &t) != 0)
        return 2;
    struct err e = {0};
    if (scorer_http_init(h, o->url, o->name, (int)t, &e) != 0) {
        fprintf(stderr, "talentd %s: --%s: %s\n", cmd, e.field, e.message);
        return 2;
    }
    *out = &h->scorer;
    return 0;
}

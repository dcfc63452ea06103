/* flags.c - see flags.h. */
#include "cmd/flags.h"

#include <stdlib.h>

#include <errno.h>

#include <stdio.h>
#include <string.h>

int flags_parse(int argc, char **argv, int start, const struct flag *flags, struct app_opts *o, const char **pos,
                int npos, const char *cmd)
{
    int np = 0;
    for (int i = start; i < argc; i++) {
        int r = app_opt(o, argc, argv, &i);
        if (r == 1)
            continue;
        if (r < 0) {
            fprintf(stderr, "talentd %s: %s needs a value\n", cmd, argv[i]);
            return 2;
        }
        const struct flag *f = flags;
        for (; f->name; f++)
            if (strcmp(f->name, argv[i]) == 0)
                break;
        if (f->name) {
            if (f->is_switch) {
                *f->value = "1";
            } else if (i + 1 < argc) {
                *f->value = argv[++i];
            } else {
                fprintf(stderr, "talentd %s: %s needs a value\n", cmd, argv[i]);
                return 2;
            }
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "talentd %s: unknown option %s\n", cmd, argv[i]);
            return 2;
        } else if (np < npos) {
            pos[np++] = argv[i];
        } else {
            fprintf(stderr, "talentd %s: unexpected argument %s\n", cmd, argv[i]);
            return 2;
        }
    }
    return 0;
}

int flag_int(const char *cmd, const char *flag, const char *value, long long min, long long max, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(value, &end, 10);
    if (errno || end == value || *end || v < min || v > max) {
        fprintf(stderr, "talentd %s: %s must be a whole number from %lld to %lld, not \"%s\"\n", cmd, flag, min, max,
                value);
        return 2;
    }
    *out = v;
    return 0;
}

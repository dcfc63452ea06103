/* flags.h - a tiny "--name value" parser shared by the subcommands. */
#ifndef TALENTD_FLAGS_H
#define TALENTD_FLAGS_H

#include "cmd/app.h"

struct flag {
    const char *name;   /* "--username" */
    const char **value; /* receives the value; for switches "1" */
    int is_switch;
};

/* Parses argv[start..] into flags (NULL-name terminated) and the common app
 * options; positional arguments go to pos (up to npos). Prints the problem and
 * returns 2 on an unknown or incomplete option, 0 otherwise. */
int flags_parse(int argc, char **argv, int start, const struct flag *flags, struct app_opts *o, const char **pos,
                int npos, const char *cmd);

/* Parses value as an integer in [min, max] into *out. Prints "talentd <cmd>: <flag> must be ..."
 * and returns 2 when it is not one, 0 otherwise. */
int flag_int(const char *cmd, const char *flag, const char *value, long long min, long long max, long long *out);

#endif

/* scorer_opts.h - the interview scorer options of `talentd serve` and
 * `talentd rescore`: --scorer builtin|external, --scorer-url URL (implies
 * external), --scorer-name NAME (the results' vendor, default "external"),
 * --scorer-timeout SECONDS (per attempt, default 10). There is no config
 * file: the operator passes these on the command line (svc/scorer_http.h). */
#ifndef TALENTD_SCORER_OPTS_H
#define TALENTD_SCORER_OPTS_H

#include "svc/scorer_http.h"

struct scorer_opts {
    const char *kind;    /* "builtin" | "external"; NULL: external when url is set */
    const char *url;     /* --scorer-url */
    const char *name;    /* --scorer-name */
    const char *timeout; /* --scorer-timeout */
};

#define SCORER_OPTS_USAGE "[--scorer builtin|external] [--scorer-url URL] [--scorer-name NAME] [--scorer-timeout S]"

/* Consumes one scorer option with its value at argv[*i]: 1 when consumed, 0 when argv[*i] is not one, -1
 * when its value is missing. */
int scorer_opt(struct scorer_opts *o, int argc, char **argv, int *i);

/* Resolves o: *out = NULL for the built-in scorer, &h->scorer for the external one (h filled; it must
 * outlive the use). Prints "talentd <cmd>: ..." and returns 2 on a bad combination or value. */
int scorer_opts_build(const struct scorer_opts *o, struct scorer_http *h, const struct interview_scorer **out,
                      const char *cmd);

#endif

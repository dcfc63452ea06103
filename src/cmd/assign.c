/* assign.c - `talentd assign`: an application's interviewers, from the command line; the same use
 * cases as POST /api/v1/applications/{id}/assignees and DELETE .../assignees/{username}. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cmd/app.h"
#include "cmd/cmd.h"
#include "cmd/flags.h"
#include "svc/applications.h"

static const char assign_usage[] =
    "usage: talentd assign ID USERNAME            (assign an active interviewer to application ID)\n"
    "       talentd assign ID USERNAME --remove   (take them off it)\n"
    "Prints the application's interviewers afterwards. `talentd user staff --role interviewer` lists\n"
    "who can be assigned.\n";

int cmd_assign(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "--help") == 0) {
        fputs(assign_usage, stdout);
        return 0;
    }
    struct app_opts o = {0};
    const char *pos[3] = {NULL}, *remove = NULL;
    const struct flag flags[] = {{"--remove", &remove, 1}, {NULL, NULL, 0}};
    if (flags_parse(argc, argv, 1, flags, &o, pos, 3, "assign") != 0)
        return 2;
    long long id;
    if (!pos[0] || !pos[1] || pos[2]) {
        fputs(assign_usage, stderr);
        return 2;
    }
    if (flag_int("assign", "ID", pos[0], 1, INT64_MAX, &id) != 0)
        return 2;
    struct app a;
    if (app_open(&a, &o, "cli") != 0)
        return 1;
    json_t *out = NULL;
    int rc;
    if (remove) {
        rc = svc_application_unassign(&a.ctx, id, pos[1], &out);
    } else {
        json_t *in = json_pack("{s:s}", "user", pos[1]);
        rc = svc_application_assign(&a.ctx, id, in, &out);
        json_decref(in);
    }
    if (rc != 0) {
        rc = app_fail(&a, remove ? "assign --remove" : "assign");
    } else {
        json_t *who = json_object_get(out, "assignees");
        size_t i;
        json_t *u;
        printf("application %lld: interviewers", id);
        if (json_array_size(who) == 0)
            printf(" none");
        json_array_foreach(who, i, u) printf("%s %s", i ? "," : "", json_string_value(u));
        printf("\n");
    }
    json_decref(out);
    app_close(&a);
    return rc;
}

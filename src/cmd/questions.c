/* questions.c - `talentd questions import|list|show`: interview question sets
 * from the command line, through the same svc_ calls as the API
 * (svc/question_sets.h). An imported file is one question set document as
 * POST /api/v1/question-sets takes it; a code that exists is replaced. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/app.h"
#include "cmd/cmd.h"
#include "cmd/flags.h"
#include "svc/query.h"
#include "svc/question_sets.h"

#define QUESTIONS_FILE_MAX ((long long)1024 * 1024) /* as the API's body limit */

static const char questions_usage[] =
    "usage: talentd questions import FILE.json   (create the set, or replace the one with its code)\n"
    "       talentd questions list [--position CODE] [--shared true|false]\n"
    "       talentd questions show CODE|ID\n"
    "FILE.json is one question set as POST /api/v1/question-sets takes it:\n"
    "  {code, name, position?, allow_restart?, questions: [{text_zh, text_en?, time_limit_s?, required?,\n"
    "   dims: [key], rubric?: {phrases?: {key: [{text, weight}]}, sample_answer?}}]}\n"
    "A problem is reported as FILE: field: message, and nothing is changed (exit status 1).\n";

static int do_import(struct app_opts *o, const char *path)
{
    json_t *doc = app_load_json_file(path, QUESTIONS_FILE_MAX);
    if (!doc)
        return 1;
    struct app a;
    if (app_open(&a, o, "cli") != 0) {
        json_decref(doc);
        return 1;
    }
    json_t *out = NULL;
    int created = 0, rc = svc_question_set_import(&a.ctx, doc, &out, &created);
    if (rc != 0) {
        if (a.err.field[0])
            fprintf(stderr, "%s: %s: %s\n", path, a.err.field, a.err.message);
        else
            fprintf(stderr, "%s: %s\n", path, a.err.message);
        rc = 1;
    } else {
        printf("%s question set %s (id %lld, %lld questions)\n", created ? "created" : "replaced",
               json_string_value(json_object_get(out, "code")),
               (long long)json_integer_value(json_object_get(out, "id")),
               (long long)json_array_size(json_object_get(out, "questions")));
    }
    json_decref(out);
    json_decref(doc);
    app_close(&a);
    return rc;
}

/* Prints every set, one line each, walking the pages. */
static void set_line(json_t *it)
{
    json_t *pos = json_object_get(it, "position");
    printf("%-6lld %-24s %-16s %-9lld %s\n", (long long)json_integer_value(json_object_get(it, "id")),
           json_string_value(json_object_get(it, "code")), json_is_string(pos) ? json_string_value(pos) : "(shared)",
           (long long)json_integer_value(json_object_get(it, "question_count")),
           json_string_value(json_object_get(it, "name")));
}

static int do_list(struct app_opts *o, const char *position, const char *shared)
{
    struct app a;
    if (app_open(&a, o, "cli") != 0)
        return 1;
    json_t *q = json_pack("{s:s}", "limit", "200");
    if (position)
        json_object_set_new(q, "position", json_string(position));
    if (shared)
        json_object_set_new(q, "shared", json_string(shared));
    char header[96];
    snprintf(header, sizeof(header), "%-6s %-24s %-16s %-9s %s\n", "ID", "CODE", "POSITION", "QUESTIONS", "NAME");
    int rc = app_print_pages(&a, "questions list", svc_question_set_list, q, header, set_line, "no question sets");
    json_decref(q);
    app_close(&a);
    return rc;
}

/* Shows the set with code key, or else (key all digits) with that id. */
static int do_show(struct app_opts *o, const char *key)
{
    struct app a;
    if (app_open(&a, o, "cli") != 0)
        return 1;
    int64_t id = 0;
    json_t *out = NULL;
    int rc = svc_begin_read(&a.ctx);
    if (rc == 0)
        rc = svc_question_set_id_by_code(&a.ctx, key, &id);
    svc_end(&a.ctx, 0);
    if (rc == ERR_NOT_FOUND && key[0] && strspn(key, "0123456789") == strlen(key) && strlen(key) < 19) {
        err_clear(&a.err);
        id = strtoll(key, NULL, 10);
        rc = 0;
    }
    if (rc == 0)
        rc = svc_question_set_get(&a.ctx, id, &out);
    if (rc != 0)
        rc = app_fail(&a, "questions show");
    else
        app_print_json(out);
    json_decref(out);
    app_close(&a);
    return rc;
}

int cmd_questions(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0) {
        fputs(questions_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    struct app_opts o = {0};
    const char *pos[1] = {NULL}, *position = NULL, *shared = NULL;
    if (strcmp(argv[1], "list") == 0) {
        const struct flag flags[] = {{"--position", &position, 0}, {"--shared", &shared, 0}, {NULL, NULL, 0}};
        if (flags_parse(argc, argv, 2, flags, &o, pos, 0, "questions list") != 0)
            return 2;
        return do_list(&o, position, shared);
    }
    int import = strcmp(argv[1], "import") == 0;
    if (!import && strcmp(argv[1], "show") != 0) {
        fputs(questions_usage, stderr);
        return 2;
    }
    const struct flag flags[] = {{NULL, NULL, 0}};
    if (flags_parse(argc, argv, 2, flags, &o, pos, 1, import ? "questions import" : "questions show") != 0)
        return 2;
    if (!pos[0]) {
        fprintf(stderr, "talentd questions %s: %s is required\n", argv[1], import ? "FILE" : "CODE or ID");
        return 2;
    }
    return import ? do_import(&o, pos[0]) : do_show(&o, pos[0]);
}

/* main.c - talentd: subcommand dispatch. */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"

static const struct {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *help;
} commands[] = {
    {"serve", cmd_serve, "serve the API and UI      [--listen 127.0.0.1:8080] [--threads N]"},
    {"migrate", cmd_migrate, "create or upgrade the database schema"},
    {"demo", cmd_demo, "load demo data            [--candidates N]"},
    {"user", cmd_user, "user add|list|staff|disable"},
    {"token", cmd_token, "token create|revoke|list"},
    {"import", cmd_import, "import results FILE --vendor NAME | org-units|positions FILE.csv"},
    {"results", cmd_results, "results unmatched|attach|show"},
    {"vendor", cmd_vendor, "vendor list|secret NAME"},
    {"report", cmd_report, "report ID                  (an application's AI report)"},
    {"compare", cmd_compare, "compare ID,ID,...          (up to 10 of one position)"},
    {"reminders", cmd_reminders, "reminders                  [--unopened-hours N] [--stuck-days N]"},
    {"counts", cmd_counts, "counts [--by stage,position,...] [filters]  (how many applications, grouped)"},
    {"kpis", cmd_kpis, "kpis [--since T] [--until T] [--position CODE] [--department CODE]  (AI interview to export)"},
    {"revise", cmd_revise, "revise ID --dim KEY --score N --reason TEXT | ID --history"},
    {"link", cmd_link, "link create|list ID | revoke LINK_ID  (the candidate's page)"},
    {"questions", cmd_questions, "questions import FILE.json | list | show CODE|ID  (interview question sets)"},
    {"interviews", cmd_interviews, "interviews invite|invitation|revoke|list|expire  (AI interview sessions)"},
    {"rescore", cmd_rescore, "rescore --session ID | --unscored [--scorer-url URL]  (score AI interviews again)"},
    {"rules", cmd_rules,
     "rules list|show|add|update|enable|disable|remove|check|simulate|firings|run-schedule  (pipeline rules)"},
    {"assign", cmd_assign, "assign ID USERNAME [--remove]  (an application's interviewers)"},
    {"reviews", cmd_reviews, "reviews list | confirm ID... | override ID --reason R  (eliminations under review)"},
    {"fairness", cmd_fairness,
     "fairness report|ack --position CODE | config [FILE] | answers CAND_ID  (adverse impact)"},
    {"pool", cmd_pool,
     "pool search [--tag T] [--dim KEY>=N] [--for-position CODE] | add ID | remove ID  (talent pool)"},
    {"check", cmd_check, "check [--json]             (cross-table invariants; exit 1 on a mismatch)"},
    {"webhooks", cmd_webhooks, "webhooks add|list|show|remove|deliveries|replay|ping|deliver  (outgoing webhooks)"},
    {"export", cmd_export, "export --template NAME [filters] [--out FILE] | run-due | templates | history"},
    {"settings", cmd_settings, "settings show | set time-zone NAME  (the organisation's time zone)"},
    {"audit", cmd_audit, "audit verify"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: talentd COMMAND [--data DIR] [--db URL] [--key-file FILE] [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\n--data defaults to ./var; --db defaults to SQLite in the data directory;\n"
               "--db postgresql://... uses PostgreSQL. 'talentd COMMAND --help' for details.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        puts("talentd 0.1.0");
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "talentd: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}

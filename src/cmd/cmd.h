/* cmd.h - one function per subcommand: argv -> svc calls -> output.
 * Each returns the process exit code: 0 ok, 1 failure, 2 usage. */
#ifndef TALENTD_CMD_H
#define TALENTD_CMD_H

int cmd_serve(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_import_results(int argc, char **argv);
int cmd_results(int argc, char **argv);
int cmd_vendor(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_reminders(int argc, char **argv);
int cmd_counts(int argc, char **argv);
int cmd_kpis(int argc, char **argv);
int cmd_revise(int argc, char **argv);
int cmd_link(int argc, char **argv);
int cmd_questions(int argc, char **argv);
int cmd_interviews(int argc, char **argv);
int cmd_rescore(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_reviews(int argc, char **argv);
int cmd_assign(int argc, char **argv);
int cmd_fairness(int argc, char **argv);
int cmd_pool(int argc, char **argv);
int cmd_webhooks(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_settings(int argc, char **argv);

#endif

/* kpis.h - the pipeline's two figures of seed 000 over a period: how long eliminated candidates
 * took from the AI interview to the export ("hours down to minutes"), and how many went through
 * without a person moving them (the automation rate). docs/automation.md, "Who moved it, and how
 * long it took". */
#ifndef TALENTD_SVC_KPIS_H
#define TALENTD_SVC_KPIS_H

#include <jansson.h>

#include "svc/svc.h"

/* The applications exported in [since, until) (query: since, until as RFC 3339 times, default the
 * 30 days before now; position, department: codes), those the caller may see, still exported:
 * {since, until, exported, completion_to_export_minutes: {count, median, p90, mean, max},
 *  automated, automation_rate, by_trigger: {rule, schedule, api, cli}}.
 * completion_to_export_minutes is over those with an AI interview (the current result's
 * completed_at); median and p90 are nearest-rank, to a tenth of a minute; null when count is 0.
 * automated: the export that moved it was started by a rule or a schedule, and no staff member
 * (admin, hr, manager, interviewer) moved the application after its AI interview was completed (a
 * command-line export is someone's, or some script's, doing: not counted);
 * automation_rate = automated / exported, null when nothing was exported. by_trigger: how the
 * export that moved each application was started. */
int svc_pipeline_kpis(struct svc_ctx *c, json_t *query, json_t **out);

#endif

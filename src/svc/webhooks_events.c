/* webhooks_events.c - the catalogue of events a subscription may name, event
 * matching, and the JSON bodies that are POSTed (svc/webhooks_impl.h).
 *
 * To publish a new event: call svc_event() in the use case's transaction and
 * add one line to catalogue[] below (and a paragraph to docs/webhooks.md).
 * A subscription to "*" or "<entity>.*" receives every event of that kind,
 * listed or not. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/mem.h"
#include "lib/strbuf.h"
#include "lib/timeutil.h"
#include "svc/settings.h"
#include "svc/views.h"
#include "svc/webhooks_impl.h"

static const struct {
    const char *name;
    const char *entity; /* the body's "entity" */
    const char *description;
} catalogue[] = {
    {"application.created", "application", "an application was created (the application)"},
    {"application.updated", "application",
     "an application's note, talent pool or other fields changed (the application)"},
    {"application.stage_changed", "application", "an application moved in the pipeline ({id, from, to, reason, ...})"},
    {"application.assigned", "application", "interviewers were assigned to an application"},
    {"application.unassigned", "application", "an interviewer was taken off an application"},
    {"application.annotated", "application", "a note was added to an application"},
    {"candidate.created", "candidate", "a candidate was created (contact data redacted)"},
    {"candidate.updated", "candidate", "a candidate changed (contact data redacted)"},
    {"candidate_link.created", "application", "a candidate's status page link was created"},
    {"candidate_link.revoked", "application", "a candidate's status page link was revoked"},
    {"interview.invited", "interview_session", "an AI interview session was created (without its link token)"},
    {"interview.started", "interview_session", "the candidate saved a first answer"},
    {"interview.resumed", "interview_session", "the candidate resumed an incomplete interview"},
    {"interview.completed", "interview_session", "the candidate finished the interview with every required answer"},
    {"interview.incomplete", "interview_session", "the candidate left with required answers missing"},
    {"interview.expired", "interview_session", "an open session passed its deadline"},
    {"interview.revoked", "interview_session", "HR revoked a session"},
    {"interview.scored", "interview_session", "a completed interview was scored"},
    {"interview.score_failed", "interview_session", "scoring a completed interview failed (score_error says why)"},
    {"result.received", "ai_result", "an AI interview result was stored for an application"},
    {"result.unmatched", "ai_result", "a result arrived that matches no application yet"},
    {"result.revised", "application", "a reviewer changed a dimension score"},
    {"org_unit.created", "org_unit", "an org unit was created"},
    {"org_unit.updated", "org_unit", "an org unit changed"},
    {"org_unit.deleted", "org_unit", "an org unit was deleted"},
    {"position.created", "position", "a position was created"},
    {"position.updated", "position", "a position changed"},
    {"question_set.created", "question_set", "a question set was created"},
    {"question_set.updated", "question_set", "a question set changed"},
    {"question_set.deleted", "question_set", "a question set was deleted"},
    {"user.created", "user", "a user account was created"},
    {"user.updated", "user", "a user account changed"},
    {"settings.changed", "setting", "the organisation's settings changed (its time zone)"},
    /* automation (rules, reviews, fairness) */
    {"rule.created", "rule", "an automation rule was created"},
    {"rule.updated", "rule", "an automation rule changed"},
    {"rule.deleted", "rule", "an automation rule was deleted"},
    {"rule.fired", "application",
     "a rule fired for an application ({rule_id, rule, trigger, mode, explanation, actions})"},
    {"notification.requested", "application", "a rule asked for a notification (notify action)"},
    {"export.requested", "application", "a rule asked for an export (export action)"},
    {"fairness.acknowledged", "position", "HR acknowledged a fairness (adverse impact) report of a position"},
    {"talent_pool.added", "application", "an application was kept in the talent pool (the pool entry)"},
    {"talent_pool.removed", "application", "an application was taken out of the talent pool"},
    /* exports */
    {"application.exported", "application",
     "an elimination left the buffer in an export ({id, from, to: exported, export_id, ...})"},
    {"export.created", "export", "an export file was written (the job: template, filter, rows, sha256, ...)"},
    {"export_template.created", "export_template", "an export template was created"},
    {"export_template.updated", "export_template", "an export template changed"},
    {"export_template.deleted", "export_template", "an export template was deleted"},
    {"webhook.ping", "webhook", "a test delivery (POST /webhooks/{id}/ping); sent to that subscription only"},
};
#define N_EVENTS (sizeof(catalogue) / sizeof(catalogue[0]))

int webhook_event_known(const char *name)
{
    for (size_t i = 0; i < N_EVENTS; i++)
        if (strcmp(catalogue[i].name, name) == 0)
            return 1;
    return 0;
}

json_t *webhook_event_catalogue(void)
{
    json_t *items = json_array();
    for (size_t i = 0; i < N_EVENTS; i++) {
        const char *dot = strchr(catalogue[i].name, '.');
        json_array_append_new(items,
                              json_pack("{s:s,s:s%,s:s}", "event", catalogue[i].name, "entity", catalogue[i].name,
                                        (size_t)(dot - catalogue[i].name), "description", catalogue[i].description));
    }
    return json_pack("{s:o}", "items", items);
}

int wh_events_match(json_t *events, const char *event)
{
    size_t i;
    json_t *v;
    json_array_foreach(events, i, v)
    {
        const char *p = json_string_value(v);
        if (!p)
            continue;
        size_t n = strlen(p);
        if (strcmp(p, "*") == 0 || strcmp(p, event) == 0)
            return 1;
        /* "interview.*": the prefix up to and with the dot */
        if (n >= 2 && p[n - 1] == '*' && p[n - 2] == '.' && strncmp(p, event, n - 1) == 0)
            return 1;
    }
    return 0;
}

/* payload restricted to the keys in fields, as compact JSON (heap); payload as is when it is not an object. */
static char *filter_fields(const char *payload, json_t *fields)
{
    json_t *v = json_loads(payload, JSON_DECODE_ANY, NULL);
    if (!json_is_object(v)) {
        json_decref(v);
        return xstrdup(payload);
    }
    json_t *kept = json_object();
    size_t i;
    json_t *f;
    json_array_foreach(fields, i, f)
    {
        const char *k = json_string_value(f);
        json_t *x = k ? json_object_get(v, k) : NULL;
        if (x)
            json_object_set(kept, k, x);
    }
    char *out = json_dumps(kept, JSON_COMPACT | JSON_REAL_PRECISION(17));
    json_decref(kept);
    json_decref(v);
    return out ? out : xstrdup("{}");
}

/* Appends s as a JSON string. */
static void put_string(struct strbuf *b, const char *s)
{
    json_t *j = json_string(s ? s : "");
    char *t = json_dumps(j ? j : json_null(), JSON_ENCODE_ANY);
    sb_puts(b, t ? t : "null");
    free(t);
    json_decref(j);
}

char *wh_event_body(int64_t outbox_id, const char *event, const char *entity, int64_t entity_id, int has_entity_id,
                    int64_t created_at, const char *payload, json_t *fields)
{
    char at[32];
    time_format_rfc3339(created_at, at);
    char *data = fields ? filter_fields(payload, fields) : NULL;
    struct strbuf b;
    sb_init(&b, 0);
    if (outbox_id)
        sb_printf(&b, "{\"id\":%lld,\"event\":", (long long)outbox_id);
    else
        sb_puts(&b, "{\"id\":null,\"event\":");
    put_string(&b, event);
    sb_puts(&b, ",\"entity\":");
    put_string(&b, entity);
    if (has_entity_id)
        sb_printf(&b, ",\"entity_id\":%lld", (long long)entity_id);
    else
        sb_puts(&b, ",\"entity_id\":null");
    sb_printf(&b, ",\"created_at\":\"%s\",\"data\":", at);
    sb_puts(&b, data ? data : (payload && payload[0] ? payload : "null"));
    sb_putc(&b, '}');
    free(data);
    return sb_steal(&b);
}

char *wh_digest_body(int64_t webhook_id, int64_t now, const char *const *bodies, size_t n)
{
    char at[32];
    time_format_rfc3339(now, at);
    struct strbuf b;
    sb_init(&b, 0);
    sb_printf(&b, "{\"event\":\"digest\",\"webhook_id\":%lld,\"created_at\":\"%s\",\"count\":%zu,\"events\":[",
              (long long)webhook_id, at, n);
    for (size_t i = 0; i < n; i++) {
        if (i)
            sb_putc(&b, ',');
        sb_puts(&b, bodies[i]);
    }
    sb_puts(&b, "]}");
    return sb_steal(&b);
}

int wh_next_digest(struct svc_ctx *c, int64_t now, int hour, int64_t *out)
{
    return svc_org_next_local_time(c, hour, 0, now, out);
}

int wh_event_pattern_ok(const char *p)
{
    size_t n = strlen(p);
    if (strcmp(p, "*") == 0 || webhook_event_known(p))
        return 1;
    if (n < 3 || p[n - 1] != '*' || p[n - 2] != '.')
        return 0;
    for (size_t i = 0; i < N_EVENTS; i++)
        if (strncmp(catalogue[i].name, p, n - 1) == 0)
            return 1;
    return 0;
}

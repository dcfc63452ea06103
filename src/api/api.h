/* api.h - JSON <-> svc adapters. Every handler parses and validates the
 * request shape, calls one svc_ function with r->ctx, and sets the reply;
 * no SQL and no business rules here. */
#ifndef TALENTD_API_H
#define TALENTD_API_H

#include "http/req.h"

typedef int (*svc_create_fn)(struct svc_ctx *c, json_t *in, json_t **out);
typedef int (*svc_get_fn)(struct svc_ctx *c, int64_t id, json_t **out);
typedef int (*svc_update_fn)(struct svc_ctx *c, int64_t id, json_t *in, json_t **out);
typedef int (*svc_list_fn)(struct svc_ctx *c, json_t *query, json_t **out);
typedef int (*svc_delete_fn)(struct svc_ctx *c, int64_t id);

/* POST with a JSON body -> 201 with the created representation. */
int api_create(struct req *r, svc_create_fn f);
/* GET /x/{id} -> 200. */
int api_get(struct req *r, svc_get_fn f);
/* PATCH/POST /x/{id}... with a JSON body -> 200. */
int api_update(struct req *r, svc_update_fn f);
/* POST /x/{id}/things with a JSON body -> 201 with the created thing. */
int api_create_under(struct req *r, svc_update_fn f);
/* GET /x?filters -> 200 {"items","next_cursor"}; every query parameter is passed as a string. */
int api_list(struct req *r, svc_list_fn f);
/* POST with a JSON body that creates nothing -> 200. */
int api_post(struct req *r, svc_create_fn f);
/* DELETE /x/{id} -> 200 {"id", "deleted": true}. */
int api_delete(struct req *r, svc_delete_fn f);
/* POST /x/{id}/verb without a body -> 200. */
int api_action(struct req *r, svc_get_fn f);

/* All query parameters as a JSON object of strings (new reference). */
json_t *req_query_json(struct req *r);

/* Handlers (one file per resource). */
int api_healthz(struct req *r);
int api_openapi(struct req *r);
int api_root(struct req *r);
int api_login(struct req *r);
int api_logout(struct req *r);
int api_me(struct req *r);
int api_users_list(struct req *r);
int api_staff_list(struct req *r);
int api_users_create(struct req *r);
int api_users_get(struct req *r);
int api_users_update(struct req *r);
int api_users_disable(struct req *r);
int api_tokens_list(struct req *r);
int api_tokens_create(struct req *r);
int api_tokens_revoke(struct req *r);
int api_org_list(struct req *r);
int api_org_create(struct req *r);
int api_org_get(struct req *r);
int api_org_update(struct req *r);
int api_org_delete(struct req *r);
int api_positions_list(struct req *r);
int api_positions_create(struct req *r);
int api_positions_get(struct req *r);
int api_positions_update(struct req *r);
int api_candidates_list(struct req *r);
int api_candidates_create(struct req *r);
int api_candidates_get(struct req *r);
int api_candidates_update(struct req *r);
int api_applications_list(struct req *r);
int api_application_counts(struct req *r);
int api_pipeline_kpis(struct req *r);
int api_applications_create(struct req *r);
int api_applications_get(struct req *r);
int api_applications_update(struct req *r);
int api_applications_transition(struct req *r);
int api_applications_history(struct req *r);
int api_applications_assign(struct req *r);
int api_applications_unassign(struct req *r);
int api_audit_list(struct req *r);

int api_results_create(struct req *r);
int api_results_get(struct req *r);
int api_unmatched_list(struct req *r);
int api_unmatched_attach(struct req *r);
int api_vendor_results(struct req *r);
int api_vendors_list(struct req *r);

int api_report_get(struct req *r);
int api_compare(struct req *r);
int api_reminders(struct req *r);
int api_annotations_list(struct req *r);
int api_annotations_create(struct req *r);
int api_revisions_list(struct req *r);
int api_revisions_create(struct req *r);
int api_links_list(struct req *r);
int api_links_create(struct req *r);
int api_links_revoke(struct req *r);
int api_portal_get(struct req *r);

int api_question_sets_list(struct req *r);
int api_question_sets_create(struct req *r);
int api_question_sets_get(struct req *r);
int api_question_sets_update(struct req *r);
int api_question_sets_delete(struct req *r);

int api_interview_invite(struct req *r);
int api_interview_invite_bulk(struct req *r);
int api_interviews_list(struct req *r);
int api_interview_revoke(struct req *r);
int api_interview_rescore(struct req *r);
int api_interview_invitation(struct req *r);
int api_rules_list(struct req *r);
int api_rules_create(struct req *r);
int api_rules_get(struct req *r);
int api_rules_update(struct req *r);
int api_rules_delete(struct req *r);
int api_rules_check(struct req *r);
int api_rules_simulate(struct req *r);
int api_rules_simulate_unsaved(struct req *r);
int api_rule_firings(struct req *r);
int api_reviews_list(struct req *r);
int api_reviews_confirm(struct req *r);
int api_reviews_override(struct req *r);
int api_reviews_confirm_bulk(struct req *r);
int api_fairness_config_get(struct req *r);
int api_settings_get(struct req *r);
int api_settings_update(struct req *r);
int api_fairness_config_put(struct req *r);
int api_fairness_report(struct req *r);
int api_fairness_acknowledge(struct req *r);
int api_candidate_attributes_get(struct req *r);
int api_candidate_attributes_put(struct req *r);
int api_pool_search(struct req *r);
int api_pool_add(struct req *r);
int api_pool_remove(struct req *r);
int api_interview_state(struct req *r);
int api_interview_answer(struct req *r);
int api_interview_exit(struct req *r);
int api_interview_resume(struct req *r);

int api_webhooks_list(struct req *r);
int api_webhooks_create(struct req *r);
int api_webhooks_get(struct req *r);
int api_webhooks_update(struct req *r);
int api_webhooks_delete(struct req *r);
int api_webhooks_replay(struct req *r);
int api_webhooks_ping(struct req *r);
int api_webhook_events(struct req *r);
int api_webhook_deliveries(struct req *r);
int api_webhook_delivery_get(struct req *r);
int api_webhook_delivery_replay(struct req *r);

int api_export_fields(struct req *r);
int api_export_templates_list(struct req *r);
int api_export_templates_create(struct req *r);
int api_export_templates_get(struct req *r);
int api_export_templates_update(struct req *r);
int api_export_templates_delete(struct req *r);
int api_exports_create(struct req *r);
int api_exports_list(struct req *r);
int api_exports_get(struct req *r);
int api_exports_file(struct req *r);
int api_export_requests_list(struct req *r);

#endif

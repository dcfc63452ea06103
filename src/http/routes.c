/* routes.c - every endpoint, the roles that may call it, and the scope an
 * API token needs. docs/openapi.yaml describes the same list (a unit test
 * keeps them in step). Row-level limits (a manager's subtree, an
 * interviewer's assignments) are enforced in svc/. */
#include "api/api.h"
#include "http/router.h"

#define STAFF ROLES_STAFF
#define HR ROLES_HR
#define ADMIN ROLES_ADMIN
#define HR_MGR (ROLES_HR | ROLE_BIT(ROLE_MANAGER))

const struct route routes[] = {
    {"GET", "/", api_root, 0, NULL, ROUTE_PUBLIC},
    {"GET", "/healthz", api_healthz, 0, NULL, ROUTE_PUBLIC},
    {"GET", "/api/v1/openapi.json", api_openapi, 0, NULL, ROUTE_PUBLIC},

    {"POST", "/api/v1/auth/login", api_login, 0, NULL, ROUTE_PUBLIC | ROUTE_NO_CSRF},
    {"POST", "/api/v1/auth/logout", api_logout, STAFF, NULL, 0},
    {"GET", "/api/v1/me", api_me, STAFF, NULL, 0},

    {"GET", "/api/v1/users", api_users_list, ADMIN, "users:read", 0},
    {"POST", "/api/v1/users", api_users_create, ADMIN, "users:write", ROUTE_CREATE},
    {"GET", "/api/v1/users/{id}", api_users_get, ADMIN, "users:read", 0},
    {"GET", "/api/v1/staff", api_staff_list, HR, "org:read", 0},
    {"PATCH", "/api/v1/users/{id}", api_users_update, ADMIN, "users:write", 0},
    {"POST", "/api/v1/users/{id}/disable", api_users_disable, ADMIN, "users:write", 0},

    {"GET", "/api/v1/tokens", api_tokens_list, ADMIN, "tokens:write", 0},
    {"POST", "/api/v1/tokens", api_tokens_create, ADMIN, "tokens:write", ROUTE_CREATE},
    {"POST", "/api/v1/tokens/{id}/revoke", api_tokens_revoke, ADMIN, "tokens:write", 0},

    {"GET", "/api/v1/org-units", api_org_list, STAFF, "org:read", 0},
    {"POST", "/api/v1/org-units", api_org_create, HR, "org:write", ROUTE_CREATE},
    {"GET", "/api/v1/org-units/{id}", api_org_get, STAFF, "org:read", 0},
    {"PATCH", "/api/v1/org-units/{id}", api_org_update, HR, "org:write", 0},
    {"DELETE", "/api/v1/org-units/{id}", api_org_delete, HR, "org:write", 0},

    {"GET", "/api/v1/positions", api_positions_list, STAFF, "positions:read", 0},
    {"POST", "/api/v1/positions", api_positions_create, HR, "positions:write", ROUTE_CREATE},
    {"GET", "/api/v1/positions/{id}", api_positions_get, STAFF, "positions:read", 0},
    {"PATCH", "/api/v1/positions/{id}", api_positions_update, HR, "positions:write", 0},

    {"GET", "/api/v1/candidates", api_candidates_list, STAFF, "candidates:read", 0},
    {"POST", "/api/v1/candidates", api_candidates_create, HR, "candidates:write", ROUTE_CREATE},
    {"GET", "/api/v1/candidates/{id}", api_candidates_get, STAFF, "candidates:read", 0},
    {"PATCH", "/api/v1/candidates/{id}", api_candidates_update, HR, "candidates:write", 0},

    {"GET", "/api/v1/applications", api_applications_list, STAFF, "applications:read", 0},
    {"GET", "/api/v1/application-counts", api_application_counts, STAFF, "applications:read", 0},
    {"GET", "/api/v1/pipeline-kpis", api_pipeline_kpis, HR_MGR, "applications:read", 0},
    {"POST", "/api/v1/applications", api_applications_create, HR, "applications:write", ROUTE_CREATE},
    {"GET", "/api/v1/applications/{id}", api_applications_get, STAFF, "applications:read", 0},
    {"PATCH", "/api/v1/applications/{id}", api_applications_update, HR, "applications:write", 0},
    {"POST", "/api/v1/applications/{id}/transitions", api_applications_transition, HR_MGR, "applications:write", 0},
    {"GET", "/api/v1/applications/{id}/history", api_applications_history, STAFF, "applications:read", 0},
    {"POST", "/api/v1/applications/{id}/assignees", api_applications_assign, HR, "applications:write", 0},
    {"DELETE", "/api/v1/applications/{id}/assignees/{username}", api_applications_unassign, HR, "applications:write",
     0},

    {"POST", "/api/v1/results", api_results_create, HR, "results:write", ROUTE_CREATE},
    {"GET", "/api/v1/results/{id}", api_results_get, STAFF, "results:read", 0},
    {"GET", "/api/v1/unmatched-results", api_unmatched_list, HR, "results:read", 0},
    {"POST", "/api/v1/unmatched-results/{id}/attach", api_unmatched_attach, HR, "results:write", 0},
    {"POST", "/api/v1/integrations/{vendor}/results", api_vendor_results, 0, NULL, ROUTE_PUBLIC | ROUTE_NO_CSRF},
    {"GET", "/api/v1/vendors", api_vendors_list, HR, "results:read", 0},

    {"GET", "/api/v1/applications/{id}/report", api_report_get, STAFF, "results:read", ROUTE_SNAPSHOT},
    {"GET", "/api/v1/compare", api_compare, STAFF, "results:read", 0},
    {"GET", "/api/v1/reminders", api_reminders, STAFF, "applications:read", 0},
    {"GET", "/api/v1/applications/{id}/annotations", api_annotations_list, STAFF, "applications:read", 0},
    {"POST", "/api/v1/applications/{id}/annotations", api_annotations_create, STAFF, "applications:write",
     ROUTE_CREATE},
    {"GET", "/api/v1/applications/{id}/score-revisions", api_revisions_list, STAFF, "results:read", 0},
    {"POST", "/api/v1/applications/{id}/score-revisions", api_revisions_create, HR, "results:write", ROUTE_CREATE},
    {"GET", "/api/v1/applications/{id}/candidate-links", api_links_list, HR, "applications:read", 0},
    {"POST", "/api/v1/applications/{id}/candidate-links", api_links_create, HR, "applications:write", ROUTE_CREATE},
    {"POST", "/api/v1/candidate-links/{id}/revoke", api_links_revoke, HR, "applications:write", 0},
    {"GET", "/api/v1/portal/{token}", api_portal_get, 0, NULL, ROUTE_PUBLIC},

    {"POST", "/api/v1/applications/{id}/invite", api_interview_invite, HR, "applications:write", ROUTE_CREATE},
    {"POST", "/api/v1/interviews/invite", api_interview_invite_bulk, HR, "applications:write", 0},
    {"GET", "/api/v1/applications/{id}/interviews", api_interviews_list, HR, "applications:read", 0},
    {"POST", "/api/v1/interviews/{id}/revoke", api_interview_revoke, HR, "applications:write", 0},
    {"POST", "/api/v1/interviews/{id}/rescore", api_interview_rescore, HR, "applications:write", 0},
    {"GET", "/api/v1/interviews/{id}/invitation", api_interview_invitation, HR, "applications:write", 0},
    {"GET", "/api/v1/interview/{token}", api_interview_state, 0, NULL, ROUTE_PUBLIC},
    {"PUT", "/api/v1/interview/{token}/answers/{question_id}", api_interview_answer, 0, NULL,
     ROUTE_PUBLIC | ROUTE_NO_CSRF},
    {"POST", "/api/v1/interview/{token}/exit", api_interview_exit, 0, NULL, ROUTE_PUBLIC | ROUTE_NO_CSRF},
    {"POST", "/api/v1/interview/{token}/resume", api_interview_resume, 0, NULL, ROUTE_PUBLIC | ROUTE_NO_CSRF},

    {"GET", "/api/v1/question-sets", api_question_sets_list, STAFF, "questions:read", 0},
    {"POST", "/api/v1/question-sets", api_question_sets_create, HR, "questions:write", ROUTE_CREATE},
    {"GET", "/api/v1/question-sets/{id}", api_question_sets_get, STAFF, "questions:read", 0},
    {"PATCH", "/api/v1/question-sets/{id}", api_question_sets_update, HR, "questions:write", 0},
    {"DELETE", "/api/v1/question-sets/{id}", api_question_sets_delete, HR, "questions:write", 0},

    /* rules: hr writes and simulates, managers may read */
    {"GET", "/api/v1/rules", api_rules_list, HR_MGR, "rules:read", 0},
    {"POST", "/api/v1/rules", api_rules_create, HR, "rules:write", ROUTE_CREATE},
    {"POST", "/api/v1/rules/check", api_rules_check, HR, "rules:read", 0},
    {"POST", "/api/v1/rules/simulate", api_rules_simulate_unsaved, HR, "rules:read", 0},
    {"GET", "/api/v1/rules/{id}", api_rules_get, HR_MGR, "rules:read", 0},
    {"PATCH", "/api/v1/rules/{id}", api_rules_update, HR, "rules:write", 0},
    {"DELETE", "/api/v1/rules/{id}", api_rules_delete, HR, "rules:write", 0},
    {"POST", "/api/v1/rules/{id}/simulate", api_rules_simulate, HR, "rules:read", 0},
    {"GET", "/api/v1/applications/{id}/rule-firings", api_rule_firings, STAFF, "applications:read", 0},

    {"GET", "/api/v1/reviews", api_reviews_list, HR, "applications:read", 0},
    {"POST", "/api/v1/reviews/confirm", api_reviews_confirm_bulk, HR, "applications:write", 0},
    {"POST", "/api/v1/reviews/{id}/confirm", api_reviews_confirm, HR, "applications:write", 0},
    {"POST", "/api/v1/reviews/{id}/override", api_reviews_override, HR, "applications:write", 0},

    {"GET", "/api/v1/fairness", api_fairness_report, HR, "applications:read", 0},
    {"GET", "/api/v1/fairness/config", api_fairness_config_get, HR, "rules:read", 0},
    {"PUT", "/api/v1/fairness/config", api_fairness_config_put, ADMIN, "rules:write", 0},
    {"POST", "/api/v1/fairness/acknowledgements", api_fairness_acknowledge, HR, "applications:write", ROUTE_CREATE},
    {"GET", "/api/v1/talent-pool", api_pool_search, HR_MGR, "applications:read", 0},
    {"POST", "/api/v1/talent-pool", api_pool_add, HR, "applications:write", ROUTE_CREATE},
    {"DELETE", "/api/v1/talent-pool/{id}", api_pool_remove, HR, "applications:write", 0},
    {"GET", "/api/v1/candidates/{id}/attributes", api_candidate_attributes_get, HR, "candidates:read", 0},
    {"PUT", "/api/v1/candidates/{id}/attributes", api_candidate_attributes_put, HR, "candidates:write", 0},

    {"GET", "/api/v1/audit", api_audit_list, HR, "audit:read", 0},

    /* the organisation's settings (its time zone): every staff member may read them, as org units */
    {"GET", "/api/v1/settings", api_settings_get, STAFF, "org:read", 0},
    {"PATCH", "/api/v1/settings", api_settings_update, ADMIN, "org:write", 0},

    /* webhooks: admin manages integrations, hr may look */
    {"GET", "/api/v1/webhook-events", api_webhook_events, HR, "webhooks:read", 0},
    {"GET", "/api/v1/webhooks", api_webhooks_list, HR, "webhooks:read", 0},
    {"POST", "/api/v1/webhooks", api_webhooks_create, ADMIN, "webhooks:write", ROUTE_CREATE},
    {"GET", "/api/v1/webhooks/{id}", api_webhooks_get, HR, "webhooks:read", 0},
    {"PATCH", "/api/v1/webhooks/{id}", api_webhooks_update, ADMIN, "webhooks:write", 0},
    {"DELETE", "/api/v1/webhooks/{id}", api_webhooks_delete, ADMIN, "webhooks:write", 0},
    {"GET", "/api/v1/webhooks/{id}/deliveries", api_webhook_deliveries, HR, "webhooks:read", 0},
    {"GET", "/api/v1/webhooks/{id}/deliveries/{delivery_id}", api_webhook_delivery_get, HR, "webhooks:read", 0},
    {"POST", "/api/v1/webhooks/{id}/deliveries/{delivery_id}/replay", api_webhook_delivery_replay, ADMIN,
     "webhooks:write", 0},
    {"POST", "/api/v1/webhooks/{id}/replay", api_webhooks_replay, ADMIN, "webhooks:write", 0},
    {"POST", "/api/v1/webhooks/{id}/ping", api_webhooks_ping, ADMIN, "webhooks:write", 0},

    /* exports: the files leave the system with personal data in clear, so admin and hr only */
    {"GET", "/api/v1/export-fields", api_export_fields, HR, "applications:read", 0},
    {"GET", "/api/v1/export-templates", api_export_templates_list, HR, "applications:read", 0},
    {"POST", "/api/v1/export-templates", api_export_templates_create, HR, "applications:write", ROUTE_CREATE},
    {"GET", "/api/v1/export-templates/{id}", api_export_templates_get, HR, "applications:read", 0},
    {"PATCH", "/api/v1/export-templates/{id}", api_export_templates_update, HR, "applications:write", 0},
    {"DELETE", "/api/v1/export-templates/{id}", api_export_templates_delete, HR, "applications:write", 0},
    {"POST", "/api/v1/exports", api_exports_create, HR, "applications:write", ROUTE_CREATE},
    {"GET", "/api/v1/exports", api_exports_list, HR, "applications:read", 0},
    {"GET", "/api/v1/exports/{id}", api_exports_get, HR, "applications:read", 0},
    {"GET", "/api/v1/exports/{id}/file", api_exports_file, HR, "applications:read", 0},
    {"GET", "/api/v1/export-requests", api_export_requests_list, HR, "applications:read", 0},
};

const int routes_count = (int)(sizeof(routes) / sizeof(routes[0]));

/* interviews.c - the AI interview: HR invites and manages sessions
 * (/applications/{id}/invite, /applications/{id}/interviews, /interviews/...,
 * /interviews/{id}/invitation to show an open session's invitation again);
 * the candidate answers through /interview/{token}/..., where the link
 * token is the only credential (svc/interviews.h). */
#include "svc/interviews.h"
#include "api/api.h"

int api_interview_invite(struct req *r)
{
    return api_create_under(r, svc_interview_invite);
}
int api_interview_invite_bulk(struct req *r)
{
    return api_post(r, svc_interview_invite_bulk);
}
int api_interviews_list(struct req *r)
{
    return api_get(r, svc_interview_list);
}
int api_interview_revoke(struct req *r)
{
    return api_action(r, svc_interview_revoke);
}
int api_interview_rescore(struct req *r)
{
    return api_action(r, svc_interview_rescore);
}
int api_interview_invitation(struct req *r)
{
    return api_get(r, svc_interview_invitation);
}

/* Candidate calls act as the candidate: no account, the token decides. */
static void as_candidate(struct req *r)
{
    actor_system(&r->actor, "candidate");
}

int api_interview_state(struct req *r)
{
    json_t *out = NULL;
    as_candidate(r);
    int rc = svc_interview_state(&r->ctx, r->params[0], &out);
    return rc ? rc : req_reply(r, 200, out);
}

int api_interview_answer(struct req *r)
{
    json_t *in = NULL, *out = NULL;
    int64_t qid;
    as_candidate(r);
    int rc = req_param_id(r, 1, &qid);
    if (rc == 0)
        rc = req_json_body(r, &in);
    if (rc == 0)
        rc = svc_interview_save(&r->ctx, r->params[0], qid, in, &out);
    json_decref(in);
    return rc ? rc : req_reply(r, 200, out);
}

/* POST /interview/{token}/<verb> with an optional JSON body. */
static int with_token(struct req *r, int (*f)(struct svc_ctx *, const char *, json_t *, json_t **), int optional)
{
    json_t *in = NULL, *out = NULL;
    int rc = 0;
    as_candidate(r);
    if (!optional || r->body.len > 0)
        rc = req_json_body(r, &in);
    if (rc == 0 && !in)
        in = json_object();
    if (rc == 0)
        rc = f(&r->ctx, r->params[0], in, &out);
    json_decref(in);
    return rc ? rc : req_reply(r, 200, out);
}

int api_interview_exit(struct req *r)
{
    return with_token(r, svc_interview_exit, 1);
}
int api_interview_resume(struct req *r)
{
    return with_token(r, svc_interview_resume, 0);
}

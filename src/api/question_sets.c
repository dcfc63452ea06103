/* question_sets.c - /question-sets: interview question sets with their questions. */
#include "svc/question_sets.h"
#include "api/api.h"

int api_question_sets_list(struct req *r)
{
    return api_list(r, svc_question_set_list);
}
int api_question_sets_create(struct req *r)
{
    return api_create(r, svc_question_set_create);
}
int api_question_sets_get(struct req *r)
{
    return api_get(r, svc_question_set_get);
}
int api_question_sets_update(struct req *r)
{
    return api_update(r, svc_question_set_update);
}

int api_question_sets_delete(struct req *r)
{
    return api_delete(r, svc_question_set_delete);
}

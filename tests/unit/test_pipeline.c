/* test_pipeline.c - src/core/pipeline.c: the transition matrix against an
 * independent list of legal moves, and the reason and review rules. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "core/pipeline.h"

#define SYS (1u << ACTOR_SYSTEM)
#define RULE (1u << ACTOR_RULE)
#define HR (1u << ACTOR_HR)
#define MGR (1u << ACTOR_MANAGER)
#define CAND (1u << ACTOR_CANDIDATE)

/* The legal moves as the design states them, written out by hand (admin is
 * derived from hr in expected_allows, not listed). */
static const struct {
    enum stage from, to;
    unsigned actors;
} legal[] = {
    {STAGE_APPLIED, STAGE_AI_INVITED, HR | SYS},
    {STAGE_APPLIED, STAGE_AI_PENDING_EVALUATION, SYS},
    {STAGE_APPLIED, STAGE_ELIMINATED_PENDING_REVIEW, HR},
    {STAGE_APPLIED, STAGE_ELIMINATED_PENDING_EXPORT, HR},
    {STAGE_AI_INVITED, STAGE_AI_IN_PROGRESS, CAND | SYS},
    {STAGE_AI_INVITED, STAGE_AI_INCOMPLETE, SYS},
    {STAGE_AI_INVITED, STAGE_AI_PENDING_EVALUATION, SYS},
    {STAGE_AI_IN_PROGRESS, STAGE_AI_INCOMPLETE, CAND | SYS},
    {STAGE_AI_IN_PROGRESS, STAGE_AI_PENDING_EVALUATION, CAND | SYS},
    {STAGE_AI_INCOMPLETE, STAGE_AI_IN_PROGRESS, CAND},
    {STAGE_AI_INCOMPLETE, STAGE_AI_INVITED, HR | SYS},
    {STAGE_AI_INCOMPLETE, STAGE_AI_PENDING_EVALUATION, SYS},
    {STAGE_AI_INCOMPLETE, STAGE_ELIMINATED_PENDING_REVIEW, HR | RULE},
    {STAGE_AI_INCOMPLETE, STAGE_ELIMINATED_PENDING_EXPORT, HR | RULE},
    {STAGE_AI_PENDING_EVALUATION, STAGE_AI_PASSED, HR | MGR | RULE},
    {STAGE_AI_PENDING_EVALUATION, STAGE_ELIMINATED_PENDING_REVIEW, HR | RULE | SYS},
    {STAGE_AI_PENDING_EVALUATION, STAGE_ELIMINATED_PENDING_EXPORT, HR | RULE | SYS},
    {STAGE_AI_PASSED, STAGE_FOLLOWUP, HR | MGR | RULE},
    {STAGE_AI_PASSED, STAGE_OFFER, HR},
    {STAGE_AI_PASSED, STAGE_ELIMINATED_PENDING_REVIEW, HR | MGR | RULE},
    {STAGE_AI_PASSED, STAGE_ELIMINATED_PENDING_EXPORT, HR | MGR | RULE},
    {STAGE_FOLLOWUP, STAGE_OFFER, HR},
    {STAGE_FOLLOWUP, STAGE_ELIMINATED_PENDING_REVIEW, HR | MGR},
    {STAGE_FOLLOWUP, STAGE_ELIMINATED_PENDING_EXPORT, HR | MGR},
    {STAGE_OFFER, STAGE_HIRED, HR},
    {STAGE_ELIMINATED_PENDING_REVIEW, STAGE_ELIMINATED_PENDING_EXPORT, HR},
    {STAGE_ELIMINATED_PENDING_REVIEW, STAGE_APPLIED, HR},
    {STAGE_ELIMINATED_PENDING_REVIEW, STAGE_AI_INCOMPLETE, HR},
    {STAGE_ELIMINATED_PENDING_REVIEW, STAGE_AI_PENDING_EVALUATION, HR},
    {STAGE_ELIMINATED_PENDING_REVIEW, STAGE_AI_PASSED, HR},
    {STAGE_ELIMINATED_PENDING_REVIEW, STAGE_FOLLOWUP, HR},
    {STAGE_ELIMINATED_PENDING_EXPORT, STAGE_EXPORTED, HR | SYS},
    {STAGE_ELIMINATED_PENDING_EXPORT, STAGE_AI_PASSED, HR},
    {STAGE_ELIMINATED_PENDING_EXPORT, STAGE_AI_PENDING_EVALUATION, HR},
    {STAGE_ELIMINATED_PENDING_EXPORT, STAGE_FOLLOWUP, HR},
    /* Withdrawal from every non-terminal stage. */
    {STAGE_APPLIED, STAGE_WITHDRAWN, HR | CAND},
    {STAGE_AI_INVITED, STAGE_WITHDRAWN, HR | CAND},
    {STAGE_AI_IN_PROGRESS, STAGE_WITHDRAWN, HR | CAND},
    {STAGE_AI_INCOMPLETE, STAGE_WITHDRAWN, HR | CAND},
    {STAGE_AI_PENDING_EVALUATION, STAGE_WITHDRAWN, HR | CAND},
    {STAGE_AI_PASSED, STAGE_WITHDRAWN, HR | CAND},
    {STAGE_FOLLOWUP, STAGE_WITHDRAWN, HR | CAND},
    {STAGE_OFFER, STAGE_WITHDRAWN, HR | CAND},
    {STAGE_ELIMINATED_PENDING_REVIEW, STAGE_WITHDRAWN, HR | CAND},
    {STAGE_ELIMINATED_PENDING_EXPORT, STAGE_WITHDRAWN, HR | CAND},
};

static const char *const names[STAGE__COUNT] = {
    NULL,
    "applied",
    "ai_invited",
    "ai_in_progress",
    "ai_incomplete",
    "ai_pending_evaluation",
    "ai_passed",
    "followup",
    "offer",
    "hired",
    "eliminated_pending_review",
    "eliminated_pending_export",
    "exported",
    "withdrawn",
};

static unsigned expected_mask(enum stage from, enum stage to)
{
    for (size_t i = 0; i < sizeof(legal) / sizeof(legal[0]); i++)
        if (legal[i].from == from && legal[i].to == to)
            return legal[i].actors;
    return 0;
}

static int expected_allows(enum stage from, enum stage to, enum actor_kind a)
{
    unsigned m = expected_mask(from, to);
    if (a == ACTOR_ADMIN)
        return (m & HR) != 0;
    return (m & (1u << a)) != 0;
}

static int is_elim(enum stage s)
{
    return s == STAGE_ELIMINATED_PENDING_REVIEW || s == STAGE_ELIMINATED_PENDING_EXPORT;
}

/* A reason that satisfies the reason rules for from -> to. */
static const char *good_reason(enum stage from, enum stage to)
{
    if (is_elim(to) && !is_elim(from))
        return "skills_mismatch";
    if (is_elim(from) && !is_elim(to))
        return "reviewer disagrees with the score";
    return NULL;
}

static int check(enum stage from, enum stage to, enum actor_kind a, const char *reason,
                 int review, struct err *e)
{
    struct transition_req r = {from, to, a, reason, review};
    memset(e, 0, sizeof(*e));
    return pipeline_check(&r, e);
}

static void test_matrix(void **state)
{
    (void)state;
    int legal_seen = 0;
    for (int f = 0; f < STAGE__COUNT; f++) {
        for (int t = 0; t < STAGE__COUNT; t++) {
            unsigned any = expected_mask(f, t);
            for (int a = 0; a < ACTOR__COUNT; a++) {
                struct err e;
                int want = expected_allows(f, t, a);
                assert_int_equal(pipeline_allows(f, t, a), want);
                int rc = check(f, t, a, good_reason(f, t), 0, &e);
                if (t == STAGE_NONE) {
                    assert_int_equal(rc, ERR_INVALID);
                    assert_string_equal(e.field, "to");
                } else if (want) {
                    legal_seen++;
                    assert_int_equal(rc, 0);
                    assert_int_equal(e.code, 0);
                } else if (any) {
                    assert_int_equal(rc, ERR_FORBIDDEN);
                    assert_int_equal(e.code, ERR_FORBIDDEN);
                    assert_string_equal(e.slug, "transition_forbidden");
                } else {
                    assert_int_equal(rc, ERR_CONFLICT);
                    assert_int_equal(e.code, ERR_CONFLICT);
                    assert_string_equal(e.slug, "illegal_transition");
                    assert_string_equal(e.current, f ? stage_name(f) : "");
                    if (f)
                        assert_non_null(strstr(e.message, stage_name(f)));
                    assert_non_null(strstr(e.message, stage_name(t)));
                }
            }
        }
    }
    /* 45 edges; admin mirrors hr; interviewer has none. */
    assert_int_equal(legal_seen, 114);
}

static void test_targets(void **state)
{
    (void)state;
    for (int f = 0; f < STAGE__COUNT; f++) {
        unsigned char out[STAGE__COUNT];
        memset(out, 7, sizeof(out));
        int n = pipeline_targets(f, out), count = 0;
        for (int t = 0; t < STAGE__COUNT; t++) {
            assert_int_equal(out[t], expected_mask(f, t) ? 1 : 0);
            count += out[t];
        }
        assert_int_equal(n, count);
        if (f == STAGE_NONE || stage_is_terminal(f))
            assert_int_equal(n, 0);
    }
    unsigned char out[STAGE__COUNT];
    assert_int_equal(pipeline_targets(STAGE_ELIMINATED_PENDING_REVIEW, out), 7);
}

static void test_interviewer_and_terminal(void **state)
{
    (void)state;
    struct err e;
    for (int f = 0; f < STAGE__COUNT; f++)
        for (int t = 0; t < STAGE__COUNT; t++)
            assert_false(pipeline_allows(f, t, ACTOR_INTERVIEWER));
    assert_int_equal(check(STAGE_HIRED, STAGE_WITHDRAWN, ACTOR_HR, NULL, 0, &e), ERR_CONFLICT);
    assert_string_equal(e.current, "hired");
    assert_int_equal(check(STAGE_OFFER, STAGE_OFFER, ACTOR_HR, NULL, 0, &e), ERR_CONFLICT);
    assert_string_equal(e.slug, "illegal_transition");
    assert_string_equal(e.current, "offer");
    assert_int_equal(check(STAGE_AI_PASSED, STAGE_FOLLOWUP, ACTOR_INTERVIEWER, NULL, 0, &e),
                     ERR_FORBIDDEN);
}

static void test_reason_required(void **state)
{
    (void)state;
    struct err e;
    assert_int_equal(check(STAGE_APPLIED, STAGE_ELIMINATED_PENDING_REVIEW, ACTOR_HR, NULL, 0, &e),
                     ERR_INVALID);
    assert_string_equal(e.slug, "reason_required");
    assert_string_equal(e.field, "reason");
    assert_int_equal(check(STAGE_AI_PASSED, STAGE_ELIMINATED_PENDING_EXPORT, ACTOR_MANAGER, "", 0,
                           &e),
                     ERR_INVALID);
    assert_string_equal(e.slug, "reason_required");
    assert_int_equal(check(STAGE_AI_PENDING_EVALUATION, STAGE_ELIMINATED_PENDING_REVIEW,
                           ACTOR_RULE, NULL, 1, &e),
                     ERR_INVALID);
    assert_string_equal(e.slug, "reason_required");
    /* Confirming a review needs no new reason, and ignores whatever is sent. */
    assert_int_equal(check(STAGE_ELIMINATED_PENDING_REVIEW, STAGE_ELIMINATED_PENDING_EXPORT,
                           ACTOR_HR, NULL, 1, &e),
                     0);
    assert_int_equal(check(STAGE_ELIMINATED_PENDING_REVIEW, STAGE_ELIMINATED_PENDING_EXPORT,
                           ACTOR_ADMIN, "not a category", 1, &e),
                     0);
    /* Moves that are not eliminations ignore the reason. */
    assert_int_equal(check(STAGE_AI_PASSED, STAGE_FOLLOWUP, ACTOR_RULE, "bogus", 0, &e), 0);
    assert_int_equal(check(STAGE_ELIMINATED_PENDING_EXPORT, STAGE_EXPORTED, ACTOR_SYSTEM, NULL, 0,
                           &e),
                     0);
    assert_int_equal(check(STAGE_ELIMINATED_PENDING_REVIEW, STAGE_WITHDRAWN, ACTOR_CANDIDATE,
                           NULL, 0, &e),
                     0);
    /* The actor check comes before the reason check. */
    assert_int_equal(check(STAGE_FOLLOWUP, STAGE_ELIMINATED_PENDING_REVIEW, ACTOR_RULE, NULL, 0,
                           &e),
                     ERR_FORBIDDEN);
}

static void test_invalid_reason(void **state)
{
    (void)state;
    struct err e;
    const char *bad[] = {"bogus", "Other", " other", "skills_mismatch ", "reviewer says so"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(check(STAGE_FOLLOWUP, STAGE_ELIMINATED_PENDING_EXPORT, ACTOR_HR, bad[i],
                               0, &e),
                         ERR_INVALID);
        assert_string_equal(e.slug, "invalid_reason");
        assert_string_equal(e.field, "reason");
    }
    for (size_t i = 0; pipeline_reasons[i]; i++)
        assert_int_equal(check(STAGE_FOLLOWUP, STAGE_ELIMINATED_PENDING_EXPORT, ACTOR_HR,
                               pipeline_reasons[i], 0, &e),
                         0);
}

static void test_override(void **state)
{
    (void)state;
    struct err e;
    enum stage from[] = {STAGE_ELIMINATED_PENDING_REVIEW, STAGE_ELIMINATED_PENDING_EXPORT};
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(check(from[i], STAGE_AI_PASSED, ACTOR_HR, NULL, 0, &e), ERR_INVALID);
        assert_string_equal(e.slug, "reason_required");
        assert_string_equal(e.field, "reason");
        assert_int_equal(check(from[i], STAGE_FOLLOWUP, ACTOR_ADMIN, "", 0, &e), ERR_INVALID);
        assert_string_equal(e.slug, "reason_required");
        assert_int_equal(check(from[i], STAGE_AI_PENDING_EVALUATION, ACTOR_HR,
                               "score was computed on the wrong rubric", 0, &e),
                         0);
        assert_int_equal(check(from[i], STAGE_AI_PASSED, ACTOR_MANAGER, "x", 0, &e),
                         ERR_FORBIDDEN);
    }
    assert_int_equal(check(STAGE_ELIMINATED_PENDING_REVIEW, STAGE_APPLIED, ACTOR_HR, "other", 0,
                           &e),
                     0);
    assert_int_equal(check(STAGE_ELIMINATED_PENDING_EXPORT, STAGE_APPLIED, ACTOR_HR, "x", 0, &e),
                     ERR_CONFLICT);
    assert_string_equal(e.current, "eliminated_pending_export");
}

static void test_review_required(void **state)
{
    (void)state;
    struct err e;
    enum stage from[] = {STAGE_AI_INCOMPLETE, STAGE_AI_PENDING_EVALUATION, STAGE_AI_PASSED};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(check(from[i], STAGE_ELIMINATED_PENDING_EXPORT, ACTOR_RULE, "no_show", 1,
                               &e),
                         ERR_CONFLICT);
        assert_string_equal(e.slug, "review_required");
        assert_int_equal(check(from[i], STAGE_ELIMINATED_PENDING_EXPORT, ACTOR_RULE, "no_show", 0,
                               &e),
                         0);
        assert_int_equal(check(from[i], STAGE_ELIMINATED_PENDING_REVIEW, ACTOR_RULE, "no_show", 1,
                               &e),
                         0);
        /* People may eliminate directly even when review is asked for. */
        assert_int_equal(check(from[i], STAGE_ELIMINATED_PENDING_EXPORT, ACTOR_HR, "no_show", 1,
                               &e),
                         0);
        assert_int_equal(check(from[i], STAGE_ELIMINATED_PENDING_EXPORT, ACTOR_ADMIN, "other", 1,
                               &e),
                         0);
    }
    assert_int_equal(check(STAGE_AI_PENDING_EVALUATION, STAGE_ELIMINATED_PENDING_EXPORT,
                           ACTOR_SYSTEM, "ai_score_below_threshold", 1, &e),
                     ERR_CONFLICT);
    assert_string_equal(e.slug, "review_required");
    assert_int_equal(check(STAGE_AI_PASSED, STAGE_ELIMINATED_PENDING_EXPORT, ACTOR_MANAGER,
                           "culture_fit", 1, &e),
                     0);
    /* An invalid reason is reported before the review rule. */
    assert_int_equal(check(STAGE_AI_PASSED, STAGE_ELIMINATED_PENDING_EXPORT, ACTOR_RULE, "bogus",
                           1, &e),
                     ERR_INVALID);
    assert_string_equal(e.slug, "invalid_reason");
}

static void test_invalid_target(void **state)
{
    (void)state;
    struct err e;
    enum stage bad[] = {STAGE_NONE, STAGE__COUNT, (enum stage)99, (enum stage)-1};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(check(STAGE_APPLIED, bad[i], ACTOR_HR, NULL, 0, &e), ERR_INVALID);
        assert_string_equal(e.field, "to");
        assert_false(pipeline_allows(STAGE_APPLIED, bad[i], ACTOR_HR));
        assert_false(pipeline_allows(bad[i], STAGE_WITHDRAWN, ACTOR_HR));
        assert_int_equal(check(bad[i], STAGE_WITHDRAWN, ACTOR_HR, NULL, 0, &e), ERR_CONFLICT);
        assert_string_equal(e.slug, "illegal_transition");
        assert_string_equal(e.current, "");
    }
    assert_false(pipeline_allows(STAGE_APPLIED, STAGE_AI_INVITED, ACTOR__COUNT));
    assert_false(pipeline_allows(STAGE_APPLIED, STAGE_AI_INVITED, (enum actor_kind)-1));
    assert_int_equal(check(STAGE_APPLIED, STAGE_AI_INVITED, ACTOR__COUNT, NULL, 0, &e),
                     ERR_FORBIDDEN);
    /* A NULL err is allowed: the code is still returned. */
    struct transition_req r = {STAGE_OFFER, STAGE_APPLIED, ACTOR_HR, NULL, 0};
    assert_int_equal(pipeline_check(&r, NULL), ERR_CONFLICT);
}

static void test_first_error_kept(void **state)
{
    (void)state;
    struct err e;
    memset(&e, 0, sizeof(e));
    err_set(&e, ERR_NOT_FOUND, NULL, "id", "no such application");
    struct transition_req r = {STAGE_HIRED, STAGE_APPLIED, ACTOR_HR, NULL, 0};
    assert_int_equal(pipeline_check(&r, &e), ERR_CONFLICT);
    assert_int_equal(e.code, ERR_NOT_FOUND);
    assert_string_equal(e.current, "");
}

static void test_names(void **state)
{
    (void)state;
    for (int s = 1; s < STAGE__COUNT; s++) {
        assert_string_equal(stage_name(s), names[s]);
        assert_int_equal(stage_parse(names[s]), s);
        assert_int_equal(stage_parse(stage_name(s)), s);
    }
    assert_null(stage_name(STAGE_NONE));
    assert_null(stage_name(STAGE__COUNT));
    assert_null(stage_name((enum stage)-1));
    assert_int_equal(stage_parse(NULL), STAGE_NONE);
    assert_int_equal(stage_parse(""), STAGE_NONE);
    assert_int_equal(stage_parse("none"), STAGE_NONE);
    assert_int_equal(stage_parse("Applied"), STAGE_NONE);
    assert_int_equal(stage_parse("applied "), STAGE_NONE);
    assert_int_equal(stage_parse("eliminated"), STAGE_NONE);

    const char *actors[] = {"system", "rule", "admin", "hr", "manager", "interviewer", "candidate"};
    for (int a = 0; a < ACTOR__COUNT; a++)
        assert_string_equal(actor_kind_name(a), actors[a]);
    assert_null(actor_kind_name(ACTOR__COUNT));
    assert_null(actor_kind_name((enum actor_kind)-1));
}

static void test_predicates(void **state)
{
    (void)state;
    for (int s = 0; s < STAGE__COUNT; s++) {
        assert_int_equal(stage_is_eliminated(s),
                         s == STAGE_ELIMINATED_PENDING_REVIEW ||
                             s == STAGE_ELIMINATED_PENDING_EXPORT);
        assert_int_equal(stage_is_terminal(s),
                         s == STAGE_HIRED || s == STAGE_EXPORTED || s == STAGE_WITHDRAWN);
    }
}

static void test_reasons(void **state)
{
    (void)state;
    const char *want[] = {"skills_mismatch", "experience_insufficient", "communication",
                          "ai_score_below_threshold", "incomplete_interview", "culture_fit",
                          "salary_expectation", "no_show", "duplicate_application", "other"};
    size_t n = 0;
    while (pipeline_reasons[n])
        n++;
    assert_int_equal(n, 10);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(pipeline_reasons[i], want[i]);
        assert_true(reason_is_valid(want[i]));
    }
    assert_false(reason_is_valid(NULL));
    assert_false(reason_is_valid(""));
    assert_false(reason_is_valid("OTHER"));
    assert_false(reason_is_valid("no_show\n"));
}

/* What a candidate is told: every stage has a step, and no step names an internal state. */
static void test_candidate_steps(void **state)
{
    (void)state;
    static const struct {
        enum stage s;
        const char *key;
    } want[] = {
        {STAGE_APPLIED, "applied"},
        {STAGE_AI_INVITED, "interview"},
        {STAGE_AI_IN_PROGRESS, "interview"},
        {STAGE_AI_INCOMPLETE, "interview_incomplete"},
        {STAGE_AI_PENDING_EVALUATION, "evaluation"},
        {STAGE_AI_PASSED, "evaluation"},
        {STAGE_FOLLOWUP, "followup"},
        {STAGE_OFFER, "offer"},
        {STAGE_HIRED, "hired"},
        {STAGE_ELIMINATED_PENDING_REVIEW, "evaluation"}, /* a pending review is not an elimination yet */
        {STAGE_ELIMINATED_PENDING_EXPORT, "closed"},
        {STAGE_EXPORTED, "closed"},
        {STAGE_WITHDRAWN, "withdrawn"},
    };
    assert_int_equal(sizeof(want) / sizeof(want[0]), STAGE__COUNT - 1);
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        const struct candidate_step *st = stage_candidate_step(want[i].s);
        assert_non_null(st);
        assert_string_equal(st->key, want[i].key);
        assert_true(strlen(st->zh) > 0 && strlen(st->en) > 0);
        assert_null(strstr(st->en, "liminat"));
        assert_null(strstr(st->zh, "淘汰"));
    }
    assert_null(stage_candidate_step(STAGE_NONE));
    assert_null(stage_candidate_step(STAGE__COUNT));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matrix),
        cmocka_unit_test(test_targets),
        cmocka_unit_test(test_interviewer_and_terminal),
        cmocka_unit_test(test_reason_required),
        cmocka_unit_test(test_invalid_reason),
        cmocka_unit_test(test_override),
        cmocka_unit_test(test_review_required),
        cmocka_unit_test(test_invalid_target),
        cmocka_unit_test(test_first_error_kept),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_predicates),
        cmocka_unit_test(test_reasons),
        cmocka_unit_test(test_candidate_steps),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}

/* test_rules.c - src/core/rules*.c: the rule language of docs/rules.md
 * (catalogue, slots, every operator and function, precedence, null
 * semantics, Chinese text, compile errors with their line and column, the
 * limits, and the explanation of an evaluation). */
/* cmocka.h needs these headers first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rules.h"

/* ---- helpers ---- */

struct fact {
    const char *path;
    struct rule_value v;
};

#define S(s) rule_str((s), strlen(s))
#define NF(a) (sizeof(a) / sizeof((a)[0]))

static const char *const tags2[] = {"表达不清", "沟通不畅"};

/* The facts of one application most tests read. */
static const struct fact *app(size_t *n)
{
    static struct fact f[12];
    f[0] = (struct fact){"ai.overall", rule_num(55)};
    f[1] = (struct fact){"ai.dim.logic", rule_num(80)};
    f[2] = (struct fact){"ai.dim.communication", rule_num(50)};
    f[3] = (struct fact){"ai.recommendation", S("re_interview")};
    f[4] = (struct fact){"application.stage", S("ai_pending_evaluation")};
    f[5] = (struct fact){"ai.tags", rule_list(tags2, NULL, 2)};
    f[6] = (struct fact){"application.days_in_stage", rule_num(5)};
    f[7] = (struct fact){"application.talent_pool", rule_bool(0)};
    f[8] = (struct fact){"candidate.source", S("BOSS直聘")};
    f[9] = (struct fact){"ai.match_score", rule_num(72.5)};
    f[10] = (struct fact){"ai.complete", rule_bool(1)};
    f[11] = (struct fact){"position.code", S("SALES-01")};
    *n = NF(f);
    return f;
}

/* Fills slots (room for max) from the facts, by path; the rest null. */
static void fill(const struct rule_env *env, const struct fact *f, size_t nf, struct rule_value *slots, size_t max)
{
    assert_true(rule_env_nslots(env) <= max);
    for (size_t i = 0; i < max; i++)
        slots[i] = rule_null();
    for (size_t i = 0; i < nf; i++) {
        long s = rule_env_find(env, f[i].path);
        if (s >= 0)
            slots[s] = f[i].v;
    }
}

static struct rule_prog *compile_ok(struct rule_env *env, const char *src)
{
    struct rule_prog *p = NULL;
    struct rule_error e;
    int rc = rule_compile(env, src, &p, &e);
    if (rc != 0)
        fail_msg("%s\n  %d:%d: %s", src, e.line, e.col, e.message);
    assert_non_null(p);
    return p;
}

/* Compiles src in a fresh env and evaluates it over the facts; checks that
 * the explanation's result agrees. */
static int eval_facts(const char *src, const struct fact *f, size_t nf)
{
    struct rule_env *env = rule_env_new();
    struct rule_prog *p = compile_ok(env, src);
    struct rule_value slots[64];
    fill(env, f, nf, slots, 64);
    int r = rule_eval(p, slots);
    assert_true(r == 0 || r == 1);
    json_t *x = rule_explain(p, slots);
    assert_non_null(x);
    assert_int_equal(json_is_true(json_object_get(x, "result")), r);
    json_decref(x);
    rule_prog_free(p);
    rule_env_free(env);
    return r;
}

/* Evaluated over app(). */
static int ev(const char *src)
{
    size_t n;
    const struct fact *f = app(&n);
    return eval_facts(src, f, n);
}

/* Evaluated with no facts at all (every path null). */
static int ev0(const char *src)
{
    return eval_facts(src, NULL, 0);
}

#define TRUE_(src) assert_int_equal(ev(src), 1)
#define FALSE_(src) assert_int_equal(ev(src), 0)

/* The compile of src fails at line:col with a message containing msg, and
 * adds no slot. */
static void bad(const char *src, int line, int col, const char *msg)
{
    struct rule_env *env = rule_env_new();
    struct rule_prog *p = (struct rule_prog *)1;
    struct rule_error e;
    int rc = rule_compile(env, src, &p, &e);
    if (rc != ERR_INVALID)
        fail_msg("compiled but should not: %s", src);
    assert_null(p);
    if (e.line != line || e.col != col || !strstr(e.message, msg))
        fail_msg("%s\n  got    %d:%d: %s\n  wanted %d:%d: ...%s...", src, e.line, e.col, e.message, line, col, msg);
    assert_int_equal(rule_env_nslots(env), 0);
    rule_env_free(env);
}

static char *dump(json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    assert_non_null(s);
    return s;
}

/* The explanation of src over the facts, as compact JSON (keys in insertion order). */
static void explain_is(const char *src, const struct fact *f, size_t nf, const char *want)
{
    struct rule_env *env = rule_env_new();
    struct rule_prog *p = compile_ok(env, src);
    struct rule_value slots[64];
    fill(env, f, nf, slots, 64);
    json_t *x = rule_explain(p, slots);
    char *got = dump(x);
    assert_string_equal(got, want);
    free(got);
    json_decref(x);
    rule_prog_free(p);
    rule_env_free(env);
}

/* ---- catalogue and slots ---- */

static void catalogue(void **state)
{
    (void)state;
    static const struct {
        const char *path;
        enum rule_type type;
    } cases[] = {
        {"ai.overall", RULE_NUM},
        {"ai.match_score", RULE_NUM},
        {"ai.dim.logic", RULE_NUM},
        {"ai.percentile.communication", RULE_NUM},
        {"ai.tag.count", RULE_NUM},
        {"application.days_in_stage", RULE_NUM},
        {"application.hours_in_stage", RULE_NUM},
        {"ai.recommendation", RULE_STR},
        {"ai.vendor", RULE_STR},
        {"ai.reason", RULE_STR},
        {"application.stage", RULE_STR},
        {"application.special_note", RULE_STR},
        {"application.elimination_reason", RULE_STR},
        {"position.code", RULE_STR},
        {"org.code", RULE_STR},
        {"candidate.source", RULE_STR},
        {"application.talent_pool", RULE_BOOL},
        {"ai.complete", RULE_BOOL},
        {"ai.tags", RULE_LIST},
        {"ai.dim.a", RULE_NUM},
        {"ai.dim.x_1_2", RULE_NUM},
        {"ai.dim", RULE_NULL},
        {"ai.dim.", RULE_NULL},
        {"ai.dim.Logic", RULE_NULL},
        {"ai.dim.1abc", RULE_NULL},
        {"ai.dim._abc", RULE_NULL},
        {"ai.dim.a-b", RULE_NULL},
        {"ai.dim.a.b", RULE_NULL},
        {"ai.dim.<key>", RULE_NULL},
        {"ai.overal", RULE_NULL},
        {"ai.overall.x", RULE_NULL},
        {"overall", RULE_NULL},
        {"", RULE_NULL},
    };
    for (size_t i = 0; i < NF(cases); i++)
        if (rule_path_type(cases[i].path, strlen(cases[i].path)) != cases[i].type)
            fail_msg("%s", cases[i].path);
    char key[80] = "ai.dim.";
    memset(key + 7, 'k', 64);
    key[7 + 64] = '\0';
    assert_int_equal(rule_path_type(key, strlen(key)), RULE_NUM);
    strcat(key, "k");
    assert_int_equal(rule_path_type(key, strlen(key)), RULE_NULL);
    /* not NUL-terminated: only len bytes count */
    assert_int_equal(rule_path_type("ai.overallXYZ", 10), RULE_NUM);
    assert_int_equal(rule_path_type(NULL, 0), RULE_NULL);

    size_t n = 0;
    const struct rule_path_info *c = rule_catalogue(&n);
    assert_int_equal(n, 19);
    for (size_t i = 0; i < n; i++) {
        assert_non_null(c[i].description);
        if (!strchr(c[i].path, '<'))
            assert_int_equal(rule_path_type(c[i].path, strlen(c[i].path)), c[i].type);
    }
    assert_string_equal(rule_type_name(RULE_NUM), "number");
    assert_string_equal(rule_type_name(RULE_LIST), "list");
}

static void slots(void **state)
{
    (void)state;
    struct rule_env *env = rule_env_new();
    struct rule_prog *a = compile_ok(env, "ai.overall < 60 && !has(application.special_note)");
    assert_int_equal(rule_env_nslots(env), 2);
    assert_string_equal(rule_env_path(env, 0), "ai.overall");
    assert_string_equal(rule_env_path(env, 1), "application.special_note");
    assert_int_equal(rule_env_type(env, 0), RULE_NUM);
    assert_int_equal(rule_env_type(env, 1), RULE_STR);
    assert_null(rule_env_path(env, 2));
    assert_int_equal(rule_env_type(env, 2), RULE_NULL);

    /* the same path the same slot; new paths after */
    struct rule_prog *b = compile_ok(env, "contains(ai.tags, \"x\") || ai.overall > 90 || ai.overall == 1");
    assert_int_equal(rule_env_nslots(env), 3);
    assert_string_equal(rule_env_path(env, 2), "ai.tags");
    assert_int_equal(rule_env_type(env, 2), RULE_LIST);
    assert_int_equal(rule_env_find(env, "ai.overall"), 0);
    assert_int_equal(rule_env_find(env, "ai.tags"), 2);
    assert_int_equal(rule_env_find(env, "ai.vendor"), -1);
    assert_int_equal(rule_prog_npaths(b), 2);
    assert_int_equal(rule_prog_path_slot(b, 0), 2);
    assert_int_equal(rule_prog_path_slot(b, 1), 0);
    assert_int_equal(rule_prog_path_slot(b, 2), -1);

    /* a failed compile adds no slot */
    struct rule_prog *c = NULL;
    struct rule_error e;
    assert_int_equal(rule_compile(env, "ai.vendor == \"x\" && ai.dim.logic", &c, &e), ERR_INVALID);
    assert_null(c);
    assert_int_equal(rule_env_nslots(env), 3);

    /* one slot array serves every program of the env */
    struct rule_value v[3] = {rule_num(42), rule_null(), rule_list(tags2, NULL, 2)};
    assert_int_equal(rule_eval(a, v), 1);
    assert_int_equal(rule_eval(b, v), 0);
    v[1] = S("内推");
    assert_int_equal(rule_eval(a, v), 0);

    /* programs outlive their env */
    rule_env_free(env);
    assert_int_equal(rule_eval(b, v), 0);
    rule_prog_free(a);
    rule_prog_free(b);
    rule_prog_free(NULL);
    rule_env_free(NULL);
    assert_int_equal(rule_env_nslots(NULL), 0);
}

/* ---- operators ---- */

static void comparisons(void **state)
{
    (void)state;
    TRUE_("ai.overall == 55");
    TRUE_("ai.overall == 55.0");
    FALSE_("ai.overall == 55.5");
    TRUE_("ai.overall != 56");
    FALSE_("ai.overall != 55");
    TRUE_("ai.overall < 56");
    FALSE_("ai.overall < 55");
    TRUE_("ai.overall <= 55");
    FALSE_("ai.overall <= 54.99");
    TRUE_("ai.overall > 54");
    FALSE_("ai.overall > 55");
    TRUE_("ai.overall >= 55");
    FALSE_("ai.overall >= 55.01");
    TRUE_("ai.match_score == 72.5");
    TRUE_("72.5 == ai.match_score");
    TRUE_("60 > ai.overall"); /* literal first */
    TRUE_("60 >= ai.overall && 55 <= ai.overall && !(50 > ai.overall)");
    TRUE_("ai.dim.logic > ai.overall");
    TRUE_("ai.recommendation == \"re_interview\"");
    FALSE_("ai.recommendation == \"recommend\"");
    TRUE_("ai.recommendation != \"recommend\"");
    TRUE_("\"re_interview\" == ai.recommendation");
    TRUE_("application.stage != ai.recommendation");
    TRUE_("application.talent_pool == false");
    TRUE_("ai.complete == true && ai.complete != false");
    TRUE_("ai.complete");
    FALSE_("application.talent_pool");
    TRUE_("true");
    FALSE_("false");
    TRUE_("1 < 2");
    TRUE_("\"a\" != \"b\"");
    TRUE_("(ai.overall > 50) == true");
    TRUE_("(ai.overall > 50) != (ai.overall > 60)");
}

static void arithmetic(void **state)
{
    (void)state;
    TRUE_("ai.overall + ai.dim.logic * 2 == 215");
    TRUE_("(ai.overall + ai.dim.logic) * 2 == 270");
    TRUE_("10 - 4 - 3 == 3");
    TRUE_("100 / 10 / 2 == 5");
    TRUE_("2 * 3 + 4 * 5 == 26");
    TRUE_("-ai.overall == -55");
    TRUE_("- -ai.overall == 55");
    TRUE_("2 * -3 == -6");
    TRUE_("-2 * 3 == -6");
    TRUE_("-(2 + 3) == -5");
    TRUE_("7 % 3 == 1");
    TRUE_("7.5 % 2 == 1.5");
    TRUE_("-7 % 3 == -1");
    TRUE_("10 - 2 * 3 % 4 == 8");
    TRUE_("1 / 4 == 0.25");
    TRUE_("(ai.dim.logic + ai.dim.communication) / 2 >= 65");
    FALSE_("(ai.dim.logic + ai.dim.communication) / 2 >= 75");
    TRUE_("ai.dim.logic - ai.dim.communication > 20 && ai.overall * 2 < 111");
    TRUE_("len(ai.tags) * 10 + 1 == 21");
}

static void precedence(void **state)
{
    (void)state;
    TRUE_("true || false && false"); /* && binds tighter than || */
    FALSE_("(true || false) && false");
    TRUE_("false && false || true");
    TRUE_("!false && true"); /* ! binds tighter than && */
    TRUE_("!true || true");
    FALSE_("!(true || true)");
    TRUE_("!ai.overall > 60"); /* ! binds looser than comparisons: !(55 > 60) */
    TRUE_("!ai.overall == 1");
    TRUE_("!!true");
    TRUE_("!(ai.overall > 50) == false"); /* !((55 > 50) == false) */
    TRUE_("!ai.overall in [1, 2]");       /* !(55 in [1, 2]) */
    TRUE_("ai.overall + 5 in [60]");      /* (55 + 5) in [60] */
    TRUE_("1 + 2 * 3 == 7 && (1 + 2) * 3 == 9");
    TRUE_("ai.overall > 50 && ai.overall < 60 || ai.overall > 100");
    FALSE_("ai.overall > 50 && (ai.overall < 50 || ai.overall > 100)");
    TRUE_("((((ai.overall))) == ((55)))");
    TRUE_("(ai.overall > 1) && (((ai.dim.logic > 1)))");
}

static void in_lists(void **state)
{
    (void)state;
    TRUE_("ai.overall in [1, 55, 99]");
    FALSE_("ai.overall in [1, 56, 99]");
    TRUE_("ai.overall in [55]");
    TRUE_("-ai.overall in [-55, 3]");
    TRUE_("ai.match_score in [72.5]");
    TRUE_("ai.recommendation in [\"recommend\", \"re_interview\"]");
    FALSE_("ai.recommendation in [\"recommend\", \"not_recommended\"]");
    TRUE_("application.stage in [\"ai_pending_evaluation\"] && ai.overall in [55]");
    TRUE_("candidate.source in [\"BOSS直聘\", \"智联招聘\"]");
    FALSE_("candidate.source in [\"boss直聘\"]");
    TRUE_("lower(candidate.source) in [\"boss直聘\"]");
    TRUE_("lower(candidate.source) == \"boss直聘\"");
    TRUE_("!(ai.overall in [1, 2])");
    TRUE_("(ai.overall in [55]) == true");
    TRUE_("ai.overall in [\n  1,\n  55\n]");
}

static void functions(void **state)
{
    (void)state;
    static const char *const none[] = {NULL};
    static const char *const caps[] = {"Team Player", "SQL"};
    static const size_t caps_lens[] = {11, 3};
    struct fact f[] = {
        {"ai.vendor", S("  \t ")},        {"application.special_note", S("候选人表示沟通不畅，需复核")},
        {"ai.reason", S("\xe3\x80\x80")}, /* U+3000 alone: blank */
        {"candidate.source", S("")},      {"ai.tags", rule_list(none, NULL, 0)},
        {"ai.overall", rule_num(0)},      {"application.talent_pool", rule_bool(0)},
        {"org.code", S("HQ.Sales")},      {"position.code", S("P1")},
    };
    assert_int_equal(eval_facts("has(ai.overall)", f, NF(f)), 1); /* 0 is a value */
    assert_int_equal(eval_facts("has(application.talent_pool)", f, NF(f)), 1);
    assert_int_equal(eval_facts("has(ai.vendor)", f, NF(f)), 0); /* blank */
    assert_int_equal(eval_facts("has(ai.reason)", f, NF(f)), 0);
    assert_int_equal(eval_facts("has(candidate.source)", f, NF(f)), 0);
    assert_int_equal(eval_facts("has(ai.tags)", f, NF(f)), 0); /* an empty list */
    assert_int_equal(eval_facts("has(application.special_note)", f, NF(f)), 1);
    assert_int_equal(eval_facts("has(ai.dim.logic)", f, NF(f)), 0); /* missing */
    assert_int_equal(eval_facts("has(lower(org.code))", f, NF(f)), 1);
    assert_int_equal(eval_facts("ai.vendor != null && candidate.source != null", f, NF(f)), 1);

    assert_int_equal(eval_facts("contains(application.special_note, \"沟通不畅\")", f, NF(f)), 1);
    assert_int_equal(eval_facts("contains(application.special_note, \"复核\")", f, NF(f)), 1);
    assert_int_equal(eval_facts("contains(application.special_note, \"面试\")", f, NF(f)), 0);
    assert_int_equal(eval_facts("contains(org.code, \"Sales\")", f, NF(f)), 1);
    assert_int_equal(eval_facts("contains(org.code, \"sales\")", f, NF(f)), 0);
    assert_int_equal(eval_facts("contains(lower(org.code), \"hq.sales\")", f, NF(f)), 1);
    assert_int_equal(eval_facts("contains(position.code, \"P12\")", f, NF(f)), 0); /* longer than the text */
    assert_int_equal(eval_facts("contains(ai.tags, \"x\")", f, NF(f)), 0);
    TRUE_("contains(ai.tags, \"沟通不畅\")");
    TRUE_("contains(ai.tags, \"表达不清\") && contains(ai.tags, \"沟通不畅\")");
    FALSE_("contains(ai.tags, \"沟通\")"); /* list membership is exact, not a substring */
    FALSE_("contains(ai.tags, \"表达不清 \")");

    struct fact g[] = {{"ai.tags", rule_list(caps, caps_lens, 2)}};
    assert_int_equal(eval_facts("contains(ai.tags, \"SQL\")", g, 1), 1);
    assert_int_equal(eval_facts("contains(ai.tags, \"sql\")", g, 1), 0);
    assert_int_equal(eval_facts("contains(lower(ai.tags), \"sql\")", g, 1), 1);
    assert_int_equal(eval_facts("contains(lower(ai.tags), \"team player\")", g, 1), 1);
    assert_int_equal(eval_facts("len(lower(ai.tags)) == 2", g, 1), 1);

    assert_int_equal(eval_facts("len(application.special_note) == 13", f, NF(f)), 1); /* characters, not bytes */
    assert_int_equal(eval_facts("len(candidate.source) == 0", f, NF(f)), 1);
    assert_int_equal(eval_facts("len(ai.tags) == 0", f, NF(f)), 1);
    assert_int_equal(eval_facts("len(org.code) == 8", f, NF(f)), 1);
    TRUE_("len(ai.tags) == 2");
    TRUE_("len(candidate.source) == 6");
    TRUE_("len(ai.recommendation) > 5 && len(ai.recommendation) < 20");
}

/* ---- null ---- */

static void nulls(void **state)
{
    (void)state;
    /* a comparison with null is false, whatever the operator */
    assert_int_equal(ev0("ai.overall < 60"), 0);
    assert_int_equal(ev0("ai.overall >= 60"), 0);
    assert_int_equal(ev0("ai.overall == 60"), 0);
    assert_int_equal(ev0("ai.overall != 60"), 0);
    assert_int_equal(ev0("ai.recommendation != \"recommend\""), 0);
    assert_int_equal(ev0("ai.overall in [1, 2]"), 0);
    assert_int_equal(ev0("application.stage in [\"a\"]"), 0);
    /* so its negation is true */
    assert_int_equal(ev0("!(ai.overall < 60)"), 1);
    assert_int_equal(ev0("!(ai.overall >= 60)"), 1);
    assert_int_equal(ev0("!(ai.overall in [1])"), 1);
    /* the explicit test */
    assert_int_equal(ev0("ai.overall == null"), 1);
    assert_int_equal(ev0("null == ai.overall"), 1);
    assert_int_equal(ev0("ai.overall != null"), 0);
    assert_int_equal(ev0("ai.tags == null && ai.vendor == null && application.talent_pool == null"), 1);
    TRUE_("ai.overall != null && ai.tags != null && application.talent_pool != null");
    FALSE_("ai.overall == null");
    /* arithmetic with null is null */
    assert_int_equal(ev0("ai.overall + 1 == null"), 1);
    assert_int_equal(ev0("ai.overall + 1 > 0"), 0);
    assert_int_equal(ev0("-ai.overall == null"), 1);
    assert_int_equal(ev0("(ai.dim.a + 1) * 2 != null"), 0);
    TRUE_("ai.overall + ai.dim.missing == null");
    /* division by zero is null */
    TRUE_("ai.overall / 0 == null");
    TRUE_("ai.overall % 0 == null");
    FALSE_("ai.overall / 0 > 0");
    FALSE_("ai.overall / 0 < 0");
    TRUE_("ai.overall / (ai.overall - 55) == null");
    TRUE_("0 / 0 == null");
    /* functions */
    assert_int_equal(ev0("has(ai.vendor) || has(ai.tags) || has(ai.overall) || has(ai.complete)"), 0);
    assert_int_equal(ev0("contains(ai.vendor, \"a\") || contains(ai.tags, \"a\")"), 0);
    assert_int_equal(ev0("len(ai.vendor) == null && len(ai.tags) == null"), 1);
    assert_int_equal(ev0("len(ai.tags) == 0"), 0);
    /* a null true/false path is false in && || ! */
    assert_int_equal(ev0("application.talent_pool"), 0);
    assert_int_equal(ev0("!application.talent_pool"), 1);
    assert_int_equal(ev0("application.talent_pool || ai.complete"), 0);
    assert_int_equal(ev0("application.talent_pool == false"), 0);
    /* the example: no score is not "below 60" */
    assert_int_equal(ev0("ai.overall < 60 && !has(application.special_note)"), 0);

    /* facts of the wrong type, non-finite numbers and NULL strings are null */
    struct fact f[] = {
        {"ai.overall", S("55")},
        {"ai.dim.logic", rule_num(NAN)},
        {"ai.dim.x", rule_num(INFINITY)},
        {"ai.vendor", rule_str(NULL, 3)},
        {"ai.tags", rule_num(2)},
        {"application.talent_pool", rule_num(1)},
        {"ai.recommendation", rule_bool(1)},
    };
    assert_int_equal(eval_facts("ai.overall == null && ai.dim.logic == null && ai.dim.x == null", f, NF(f)), 1);
    assert_int_equal(eval_facts("ai.vendor == null && ai.tags == null && application.talent_pool == null", f, NF(f)),
                     1);
    assert_int_equal(eval_facts("ai.recommendation == null && !has(ai.recommendation)", f, NF(f)), 1);
    assert_int_equal(
        eval_facts("has(ai.dim.logic) || has(ai.overall) || has(ai.vendor) || len(ai.tags) >= 0", f, NF(f)), 0);
    /* a result that is not a finite number is null */
    struct fact big[] = {{"ai.overall", rule_num(1e308)}};
    assert_int_equal(eval_facts("ai.overall * 10 == null", big, 1), 1);
    assert_int_equal(eval_facts("ai.overall * 10 > 0", big, 1), 0);
}

/* ---- the examples of the issue and docs/rules.md ---- */

static void examples(void **state)
{
    (void)state;
    TRUE_("ai.overall < 60 && !has(application.special_note)");
    struct fact noted[] = {{"ai.overall", rule_num(55)}, {"application.special_note", S("内推，请优先安排")}};
    assert_int_equal(eval_facts("ai.overall < 60 && !has(application.special_note)", noted, 2), 0);
    struct fact blank[] = {{"ai.overall", rule_num(55)}, {"application.special_note", S("   ")}};
    assert_int_equal(eval_facts("ai.overall < 60 && !has(application.special_note)", blank, 2), 1);

    TRUE_("application.days_in_stage > 3");
    struct fact fresh[] = {{"application.days_in_stage", rule_num(3)}};
    assert_int_equal(eval_facts("application.days_in_stage > 3", fresh, 1), 0);

    TRUE_("ai.dim.communication < 60 || contains(ai.tags, \"表达不清\")");
    TRUE_("contains(ai.tags, \"沟通不畅\")");
    struct fact good[] = {{"ai.dim.communication", rule_num(85)}, {"ai.tags", rule_list(tags2 + 1, NULL, 1)}};
    assert_int_equal(eval_facts("ai.dim.communication < 60 || contains(ai.tags, \"表达不清\")", good, 2), 0);

    TRUE_("ai.recommendation == \"re_interview\" && ai.match_score >= 70 && ai.complete");
    TRUE_("application.stage == \"ai_pending_evaluation\" && application.days_in_stage > 3");
    FALSE_("ai.overall >= 80 && ai.recommendation == \"recommend\"");
    TRUE_("(ai.dim.logic + ai.dim.communication) / 2 >= 60 && !application.talent_pool");
}

static void chinese(void **state)
{
    (void)state;
    struct fact f[] = {
        {"application.special_note", S("候选人说：\"可以\"，路径 C:\\tmp")},
        {"ai.reason", S("沟通不畅")},
        {"application.elimination_reason", S("ＡＢＣ")},
    };
    assert_int_equal(eval_facts("ai.reason == \"沟通不畅\"", f, NF(f)), 1);
    assert_int_equal(eval_facts("ai.reason in [\"表达不清\", \"沟通不畅\"]", f, NF(f)), 1);
    assert_int_equal(eval_facts("contains(application.special_note, \"\\\"可以\\\"\")", f, NF(f)), 1);
    assert_int_equal(eval_facts("contains(application.special_note, \"C:\\\\tmp\")", f, NF(f)), 1);
    assert_int_equal(eval_facts("len(ai.reason) == 4 && len(application.elimination_reason) == 3", f, NF(f)), 1);
    /* lower() folds ASCII only */
    assert_int_equal(eval_facts("lower(application.elimination_reason) == \"ＡＢＣ\"", f, NF(f)), 1);
    /* error columns count characters, not bytes */
    bad("\"沟通不畅\" == ai.vendor && ai.foo", 1, 24, "unknown path 'ai.foo'");
    bad("ai.reason == \"沟通\" &&\n  \"表达\" == 沟通", 2, 11, "unexpected character '沟'");
}

/* ---- errors ---- */

static void errors(void **state)
{
    (void)state;
    /* syntax */
    bad("ai.overall < 60\n&&has(ai.tags", 2, 14, "expected ')' after the arguments of has");
    bad("has(ai.tags", 1, 12, "expected ')' after the arguments of has");
    bad("", 1, 1, "the rule is empty");
    bad("   \n  ", 2, 3, "the rule is empty");
    bad("ai.overall <", 1, 13, "expected a value after '<', found the end of the rule");
    bad("ai.overall < && true", 1, 14, "expected a value after '<', found '&&'");
    bad("ai.overall 60", 1, 12, "expected an operator or the end of the rule after 'ai.overall', found the number 60");
    bad("(ai.overall > 1", 1, 16, "expected ')' to close the '(' at 1:1");
    bad("(ai.overall > 1 ai.overall", 1, 17, "expected an operator or ')'");
    bad("ai.overall > 1)", 1, 15, "unexpected ')'");
    bad("ai.overall = 1", 1, 12, "write == to compare");
    bad("true & false", 1, 6, "write && for \"and\"");
    bad("true | false", 1, 6, "write || for \"or\"");
    bad("ai.overall <> 1", 1, 12, "write !=");
    bad("ai.overall > 1 and true", 1, 16, "unknown operator 'and': write &&");
    bad("not true", 1, 1, "unknown name 'not': write !");
    bad("ai.vendor == 'x'", 1, 14, "strings are written in double quotes");
    bad("ai.vendor == \"abc", 1, 14, "unterminated string");
    bad("ai.vendor == \"ab\nc\"", 1, 14, "a string cannot span lines");
    bad("ai.vendor == \"a\\nb\"", 1, 16, "unknown escape '\\n'");
    bad("ai.overall > 1.", 1, 16, "expected a digit after the decimal point");
    bad("ai.overall > .5", 1, 14, "a number must start with a digit");
    bad("ai.overall > 60abc", 1, 16, "unexpected 'a' after the number 60");
    bad("ai.overall > 1.2.3", 1, 17, "unexpected '.' after the number 1.2");
    bad("ai. > 1", 1, 4, "expected a name after '.'");
    bad("ai.overall > 1 # comment", 1, 16, "unexpected character '#'");
    bad("ai.overall ＞ 1", 1, 12, "full-width");
    bad("ai.vendor == \"\xff\"", 1, 15, "invalid UTF-8");
    bad("ai.overall > 1 && \xc3", 1, 19, "invalid UTF-8");
    bad("ai.vendor == \"a\x01\"", 1, 16, "control character 0x01");
    bad("[1, 2]", 1, 1, "a list [...] can only follow 'in'");
    bad("ai.overall in 3", 1, 15, "expected a list [...] after 'in', found the number 3");
    bad("ai.overall in []", 1, 16, "the list after 'in' is empty");
    bad("ai.overall in [1, 2", 1, 20, "expected ',' or ']' in the list");
    bad("ai.overall in [1,, 2]", 1, 18, "expected a number or a string");
    bad("ai.overall in [ai.dim.logic]", 1, 16, "a list holds only literals");
    bad("in [1]", 1, 1, "expected a value, found 'in'");
    bad("foo(ai.overall)", 1, 1, "unknown function 'foo'");
    bad("ai.overall(1)", 1, 1, "'ai.overall' is a path, not a function");
    bad("has(1)", 1, 5, "expected a path as the argument of has, found the number 1");
    bad("has()", 1, 5, "expected a path as the argument of has, found ')'");
    bad("contains(ai.tags)", 1, 17, "expected ',' and the text to look for after the path in contains");
    bad("contains(ai.tags, ai.vendor)", 1, 19, "expected a string (the text to look for)");
    bad("has(lower(ai.vendor)", 1, 21, "expected ')' after the arguments of has");
    bad("has(lower(ai.vendor", 1, 20, "expected ')' after the arguments of lower");
    bad("has(true)", 1, 5, "expected a path as the argument of has, found 'true'");
    bad("ai.foo > 1", 1, 1, "unknown path 'ai.foo'");
    bad("overall > 1", 1, 1, "unknown path 'overall' (did you mean ai.overall?)");
    bad("days_in_stage > 3", 1, 1, "did you mean application.days_in_stage?");
    bad("ai.dim.Logic > 1", 1, 1, "the key after ai.dim. is 1-64 characters");
    bad("1 < 2 < 3", 1, 7, "comparisons cannot be chained");
    bad("ai.overall == 1 == true", 1, 17, "comparisons cannot be chained");
    bad("ai.overall > 1 in [true]", 1, 16, "comparisons cannot be chained");

    /* types */
    bad("ai.overall == \"high\"", 1, 12,
        "'==' compares values of one type, but ai.overall is a number and \"high\" is a string");
    bad("ai.recommendation != 1", 1, 19, "ai.recommendation is a string and 1 is a number");
    bad("ai.complete == 1", 1, 13, "ai.complete is true/false and 1 is a number");
    bad("ai.vendor < \"m\"", 1, 1, "'<' and '>' compare numbers; ai.vendor is a string");
    bad("1 >= ai.vendor", 1, 6, "'<=' and '>=' compare numbers; ai.vendor is a string");
    bad("ai.overall && true", 1, 1, "'&&' needs a condition (true or false) on both sides; ai.overall is a number");
    bad("true || ai.vendor", 1, 9, "'||' needs a condition (true or false) on both sides; ai.vendor is a string");
    bad("!ai.overall", 1, 2, "'!' needs a condition (true or false); ai.overall is a number");
    bad("-ai.vendor == 1", 1, 2, "'-' needs a number; ai.vendor is a string");
    bad("ai.overall + \"1\" > 2", 1, 14, "'+' needs numbers; \"1\" is a string");
    bad("(ai.vendor * 2) > 1", 1, 2, "'*' needs numbers; ai.vendor is a string");
    bad("ai.overall + true > 1", 1, 14, "'+' needs numbers; true is true/false");
    bad("ai.overall", 1, 1, "a rule must be a condition (true or false), but this is a number");
    bad("ai.overall + 1", 1, 1, "but this is a number");
    bad("ai.vendor", 1, 1, "but this is a string");
    bad("ai.tags", 1, 1, "but this is a list");
    bad("null", 1, 1, "but this is null");
    bad("ai.tags == \"a\"", 1, 9,
        "a list cannot be compared with '==': use contains(ai.tags, \"...\") or len(ai.tags)");
    bad("ai.tags in [\"a\"]", 1, 9, "ai.tags is a list: use contains(ai.tags, \"...\")");
    bad("ai.complete in [1]", 1, 13, "'in' needs a number or a string on its left; ai.complete is true/false");
    bad("ai.overall in [1, \"a\"]", 1, 19, "the list must hold numbers like ai.overall; found the string \"a\"");
    bad("ai.vendor in [\"a\", 2]", 1, 20, "the list must hold strings like ai.vendor; found the number 2");
    bad("ai.vendor in [-1]", 1, 15, "expected a number or a string");
    bad("ai.overall > null", 1, 14, "null can only be compared with == or !=");
    bad("null + 1 == 2", 1, 1, "null can only be compared with == or !=");
    bad("!null", 1, 2, "null can only be compared with == or !=");
    bad("null in [1]", 1, 1, "null can only be compared with == or !=");
    bad("null == null", 1, 6, "null compared with null");
    bad("contains(ai.overall, \"1\")", 1, 1, "contains needs a string or list path; ai.overall is a number");
    bad("len(ai.complete) > 1", 1, 1, "len needs a string or list path; ai.complete is true/false");
    bad("lower(ai.overall) == 1", 1, 1, "lower needs a string or list path; ai.overall is a number");
    bad("has(lower(ai.overall))", 1, 1, "lower needs a string or list path");
    bad("contains(ai.vendor, \"\")", 1, 21, "the text to look for in contains is empty");
    bad("lower(ai.vendor) == \"Moka\"", 1, 21, "lower(ai.vendor) is in lower case and never equals \"Moka\"");
    bad("\"Moka\" != lower(ai.vendor)", 1, 1, "never equals \"Moka\"");
    bad("lower(ai.vendor) in [\"moka\", \"Beisen\"]", 1, 30, "never equals a text with capital letters");
    bad("contains(lower(ai.tags), \"SQL\")", 1, 26, "never contains a text with capital letters");
    bad("ai.overall < 60 &&\n  ai.recommendation == 3", 2, 21, "ai.recommendation is a string and 3 is a number");

    /* bad arguments to the API */
    struct rule_prog *p = NULL;
    struct rule_error e;
    assert_int_equal(rule_compile(NULL, "true", &p, &e), ERR_INVALID);
    struct rule_env *env = rule_env_new();
    assert_int_equal(rule_compile(env, NULL, &p, &e), ERR_INVALID);
    assert_int_equal(rule_compile(env, "true", NULL, NULL), ERR_INVALID);
    assert_int_equal(rule_compile(env, "ai.overall", &p, NULL), ERR_INVALID); /* err is optional */
    assert_null(p);
    rule_env_free(env);
    assert_int_equal(rule_eval(NULL, NULL), 0);
}

/* ---- limits ---- */

static void limits(void **state)
{
    (void)state;
    static char src[RULE_SOURCE_MAX + 64];
    /* 4096 bytes is fine, 4097 is not */
    memset(src, ' ', sizeof(src));
    memcpy(src, "ai.overall < 60", 15);
    src[RULE_SOURCE_MAX] = '\0';
    assert_int_equal(ev(src), 1);
    src[RULE_SOURCE_MAX] = ' ';
    src[RULE_SOURCE_MAX + 1] = '\0';
    bad(src, 1, RULE_SOURCE_MAX + 1, "the rule is too long: at most 4096 bytes");

    /* 256 nodes: 64 clauses of 3 nodes and 63 || make 255; 65 clauses make 259 */
    src[0] = '\0';
    for (int i = 0; i < 64; i++)
        snprintf(src + strlen(src), sizeof(src) - strlen(src), "%sai.overall == %d", i ? " || " : "", i);
    assert_int_equal(ev(src), 1);
    strcat(src, " || ai.overall == 99");
    bad(src, 1, (int)strlen(src) - 1, "the rule is too long: at most 256 values, paths, operators and list items");

    /* list items count */
    strcpy(src, "ai.overall in [");
    for (int i = 0; i < 254; i++)
        snprintf(src + strlen(src), sizeof(src) - strlen(src), "%s%d", i ? "," : "", i);
    strcat(src, "]");
    assert_int_equal(ev(src), 1); /* 1 path + 254 items + in = 256 */
    strcpy(src, "ai.overall in [");
    for (int i = 0; i < 255; i++)
        snprintf(src + strlen(src), sizeof(src) - strlen(src), "%s%d", i ? "," : "", i);
    strcat(src, "]");
    bad(src, 1, 16 + 2 * 10 + 3 * 90 + 4 * 154, "the rule is too long"); /* at item 254 */

    /* nesting: 32 parentheses and prefixes inside one another, not 33 */
    char deep[256];
    snprintf(deep, sizeof(deep), "%.*sai.overall > 1%.*s", 32, "((((((((((((((((((((((((((((((((((((((((", 32,
             "))))))))))))))))))))))))))))))))))))))))");
    assert_int_equal(ev(deep), 1);
    snprintf(deep, sizeof(deep), "%.*sai.overall > 1%.*s", 33, "((((((((((((((((((((((((((((((((((((((((", 33,
             "))))))))))))))))))))))))))))))))))))))))");
    bad(deep, 1, 33, "nested too deeply: at most 32");
    snprintf(deep, sizeof(deep), "%.*strue", 32, "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
    assert_int_equal(ev(deep), 1);
    snprintf(deep, sizeof(deep), "%.*strue", 33, "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!");
    bad(deep, 1, 33, "nested too deeply");
    snprintf(deep, sizeof(deep), "%.*s-ai.overall == 55", 32, "(-(-(-(-(-(-(-(-(-(-(-(-(-(-(-(-(-(-(-(-(-(-");
    bad(deep, 1, 33, "nested too deeply");
    /* the parenthesis depth comes back down: many groups side by side are fine */
    src[0] = '\0';
    for (int i = 0; i < 40; i++)
        strcat(src, i ? " && (((true)))" : "(((true)))");
    assert_int_equal(ev(src), 1);
    /* far beyond the limits: an error, never a crash */
    memset(src, '(', 4000);
    src[4000] = '\0';
    bad(src, 1, 33, "nested too deeply");
    memset(src, '!', 4000);
    bad(src, 1, 33, "nested too deeply");
    memset(src, '-', 4000);
    bad(src, 1, 33, "nested too deeply");
    src[0] = '\0';
    for (int i = 0; i < 400; i++)
        strcat(src, "1+");
    strcat(src, "1 > 0");
    bad(src, 1, 256, "the rule is too long"); /* the + that would be node 257 */
    /* a long && chain is not nesting */
    src[0] = '\0';
    for (int i = 0; i < 80; i++)
        strcat(src, i ? " && true" : "true");
    assert_int_equal(ev(src), 1);
}

/* ---- explanation ---- */

static void explain(void **state)
{
    (void)state;
    size_t n;
    const struct fact *f = app(&n);
    explain_is("ai.overall < 60 && !has(application.special_note)", f, n,
               "{\"result\":true,\"clauses\":["
               "{\"text\":\"ai.overall < 60\",\"held\":true,\"values\":{\"ai.overall\":55}},"
               "{\"text\":\"!has(application.special_note)\",\"held\":true,"
               "\"values\":{\"application.special_note\":null}}]}");
    /* every clause is evaluated on its own, also past the one that decided */
    explain_is("ai.overall > 60 &&  ( ai.match_score >= 70 ||\n contains(ai.tags, \"沟通不畅\") )", f, n,
               "{\"result\":false,\"clauses\":["
               "{\"text\":\"ai.overall > 60\",\"held\":false,\"values\":{\"ai.overall\":55}},"
               "{\"text\":\"ai.match_score >= 70\",\"held\":true,\"values\":{\"ai.match_score\":72.5}},"
               "{\"text\":\"contains(ai.tags, \\\"沟通不畅\\\")\",\"held\":true,"
               "\"values\":{\"ai.tags\":[\"表达不清\",\"沟通不畅\"]}}]}");
    /* a leaf that is not a comparison; a negated group is one clause; text as written */
    explain_is("!(ai.complete || application.talent_pool) || (ai.dim.logic+ai.dim.communication)/2>=75", f, n,
               "{\"result\":false,\"clauses\":["
               "{\"text\":\"!(ai.complete || application.talent_pool)\",\"held\":false,"
               "\"values\":{\"ai.complete\":true,\"application.talent_pool\":false}},"
               "{\"text\":\"(ai.dim.logic+ai.dim.communication)/2>=75\",\"held\":false,"
               "\"values\":{\"ai.dim.logic\":80,\"ai.dim.communication\":50}}]}");
    /* one clause; a path read twice is shown once */
    explain_is("ai.overall > 50 && ai.overall < 60", f, n,
               "{\"result\":true,\"clauses\":["
               "{\"text\":\"ai.overall > 50\",\"held\":true,\"values\":{\"ai.overall\":55}},"
               "{\"text\":\"ai.overall < 60\",\"held\":true,\"values\":{\"ai.overall\":55}}]}");
    explain_is("((ai.overall * 2 - ai.overall == 55))", f, n,
               "{\"result\":true,\"clauses\":["
               "{\"text\":\"ai.overall * 2 - ai.overall == 55\",\"held\":true,\"values\":{\"ai.overall\":55}}]}");
    explain_is("ai.recommendation in [\"recommend\", \"re_interview\"] || true", f, n,
               "{\"result\":true,\"clauses\":["
               "{\"text\":\"ai.recommendation in [\\\"recommend\\\", \\\"re_interview\\\"]\",\"held\":true,"
               "\"values\":{\"ai.recommendation\":\"re_interview\"}},"
               "{\"text\":\"true\",\"held\":true,\"values\":{}}]}");
    explain_is("lower(candidate.source) == \"boss直聘\" && len(ai.tags) == 2", f, n,
               "{\"result\":true,\"clauses\":["
               "{\"text\":\"lower(candidate.source) == \\\"boss直聘\\\"\",\"held\":true,"
               "\"values\":{\"candidate.source\":\"BOSS直聘\"}},"
               "{\"text\":\"len(ai.tags) == 2\",\"held\":true,\"values\":{\"ai.tags\":[\"表达不清\",\"沟通不畅\"]}}]}");
    /* null, a wrong type and a large number */
    struct fact g[] = {{"ai.overall", S("x")}, {"ai.dim.logic", rule_num(1e17)}, {"ai.dim.x", rule_num(-3.25)}};
    explain_is("ai.overall == null || ai.dim.logic > 0 || ai.dim.x < 0 || ai.vendor != null", g, 3,
               "{\"result\":true,\"clauses\":["
               "{\"text\":\"ai.overall == null\",\"held\":true,\"values\":{\"ai.overall\":null}},"
               "{\"text\":\"ai.dim.logic > 0\",\"held\":true,\"values\":{\"ai.dim.logic\":1e17}},"
               "{\"text\":\"ai.dim.x < 0\",\"held\":true,\"values\":{\"ai.dim.x\":-3.25}},"
               "{\"text\":\"ai.vendor != null\",\"held\":false,\"values\":{\"ai.vendor\":null}}]}");

    /* NULL arguments */
    json_t *x = rule_explain(NULL, NULL);
    char *s = dump(x);
    assert_string_equal(s, "{\"result\":false,\"clauses\":[]}");
    free(s);
    json_decref(x);
}

/* Every operator on a rule set sharing one env, evaluated twice over the
 * same facts: the same answers (no state between evaluations). */
static void repeatable(void **state)
{
    (void)state;
    static const char *const rules[] = {
        "ai.overall < 60 && !has(application.special_note)",
        "application.days_in_stage > 3",
        "ai.dim.communication < 60 || contains(ai.tags, \"表达不清\")",
        "ai.recommendation in [\"recommend\", \"re_interview\"] && ai.match_score >= 70",
        "(ai.dim.logic + ai.dim.communication) / 2 >= 75",
        "lower(candidate.source) == \"boss直聘\" || len(ai.tags) > 3",
        "!(application.stage in [\"hired\", \"withdrawn\"]) && ai.complete",
    };
    static const int want[] = {1, 1, 1, 1, 0, 1, 1};
    struct rule_env *env = rule_env_new();
    struct rule_prog *p[NF(rules)];
    for (size_t i = 0; i < NF(rules); i++)
        p[i] = compile_ok(env, rules[i]);
    struct rule_value v[64];
    size_t n;
    const struct fact *f = app(&n);
    fill(env, f, n, v, 64);
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < NF(rules); i++)
            if (rule_eval(p[i], v) != want[i])
                fail_msg("round %d: %s", round, rules[i]);
    for (size_t i = 0; i < NF(rules); i++)
        rule_prog_free(p[i]);
    rule_env_free(env);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(catalogue),  cmocka_unit_test(slots),      cmocka_unit_test(comparisons),
        cmocka_unit_test(arithmetic), cmocka_unit_test(precedence), cmocka_unit_test(in_lists),
        cmocka_unit_test(functions),  cmocka_unit_test(nulls),      cmocka_unit_test(examples),
        cmocka_unit_test(chinese),    cmocka_unit_test(errors),     cmocka_unit_test(limits),
        cmocka_unit_test(explain),    cmocka_unit_test(repeatable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

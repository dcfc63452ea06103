/* test_rubric.c - src/core/rubric.c: the built-in explainable rubric scorer
 * (phrase matching on Chinese and English, STAR detection, dimension
 * coverage, evidence, validation of the questions and answers). */
/* cmocka.h needs these headers first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/result.h"
#include "core/rubric.h"
#include "lib/err.h"
#include "lib/utf8.h"

/* ---- helpers ---- */

static json_t *load(const char *text)
{
    json_error_t je;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &je);
    if (!v)
        fail_msg("test JSON does not parse: %s at %d: %s", je.text, je.position, text);
    return v;
}

/* Scores the JSON texts and expects success. */
static json_t *score(const char *questions, const char *answers)
{
    json_t *q = load(questions), *a = load(answers), *out = NULL;
    struct err e;
    err_clear(&e);
    int rc = rubric_score(q, a, &out, &e);
    if (rc != 0)
        fail_msg("rubric_score failed: %s (%s, %s)", e.message, e.field, e.slug);
    assert_non_null(out);
    json_decref(q);
    json_decref(a);
    return out;
}

/* Scores the JSON texts and expects ERR_INVALID at field with slug. */
static void refused(const char *questions, const char *answers, const char *field, const char *slug)
{
    json_t *q = load(questions), *a = load(answers), *out = (json_t *)1;
    struct err e;
    err_clear(&e);
    int rc = rubric_score(q, a, &out, &e);
    if (rc != ERR_INVALID)
        fail_msg("expected ERR_INVALID at %s, got %d for %s", field, rc, questions);
    assert_null(out);
    if (strcmp(e.field, field) != 0 || strcmp(e.slug, slug) != 0)
        fail_msg("expected %s (%s), got %s (%s): %s", field, slug, e.field, e.slug, e.message);
    assert_non_null(strstr(e.message, field)); /* the message names the field */
    json_decref(q);
    json_decref(a);
}

static char *dump(json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    assert_non_null(s);
    return s;
}

static void assert_json(json_t *v, const char *want)
{
    char *got = dump(v);
    assert_string_equal(got, want);
    free(got);
}

static json_t *dim_at(json_t *out, size_t i)
{
    return json_array_get(json_object_get(out, "dimensions"), i);
}

static json_t *answer_at(json_t *out, size_t i)
{
    return json_array_get(json_object_get(out, "answers"), i);
}

/* Expects dimension i to be {key, score, evidence}. */
static void assert_dim(json_t *out, size_t i, const char *key, int sc, const char *evidence)
{
    json_t *d = dim_at(out, i);
    assert_non_null(d);
    assert_string_equal(json_string_value(json_object_get(d, "key")), key);
    if (json_integer_value(json_object_get(d, "score")) != sc)
        fail_msg("%s: score %lld, expected %d (%s)", key, (long long)json_integer_value(json_object_get(d, "score")),
                 sc, json_string_value(json_object_get(d, "evidence")));
    assert_string_equal(json_string_value(json_object_get(d, "evidence")), evidence);
}

static int overall(json_t *out)
{
    return (int)json_integer_value(json_object_get(out, "overall"));
}

/* The STAR elements of answer i as "STAR" with "-" for the missing ones. */
static void star_of(json_t *out, size_t i, char buf[5])
{
    json_t *s = json_object_get(answer_at(out, i), "star");
    static const char *const names[] = {"situation", "task", "action", "result"};
    for (int k = 0; k < 4; k++)
        buf[k] = json_is_true(json_object_get(s, names[k])) ? "STAR"[k] : '-';
    buf[4] = '\0';
}

/* One question (id 1, dimension "logic", required) with the given phrase
 * list; the answer is text (a JSON string literal with its quotes). */
static json_t *one(const char *phrases, const char *answer)
{
    char q[2048], a[2048];
    snprintf(q, sizeof(q),
             "[{\"id\": 1, \"dims\": [\"logic\"], \"required\": true, \"rubric\": {\"phrases\": {\"logic\": %s}}}]",
             phrases);
    snprintf(a, sizeof(a), "{\"1\": %s}", answer);
    return score(q, a);
}

/* ---- Chinese, English, mixed ---- */

static const char ZH_QUESTIONS[] =
    "[{\"id\": 1, \"dims\": [\"communication\", \"teamwork\"], \"required\": true,"
    "  \"rubric\": {\"phrases\": {\"communication\": [{\"text\": \"沟通\", \"weight\": 2}, {\"text\": \"协调\", "
    "\"weight\": 1},"
    "                                               {\"text\": \"倾听\", \"weight\": 1}],"
    "                            \"teamwork\": [{\"text\": \"团队\", \"weight\": 1}, {\"text\": \"协作\", \"weight\": "
    "1}]},"
    "              \"sample_answer\": \"当时……\"}},"
    " {\"id\": 2, \"dims\": [\"communication\", \"logic\"], \"required\": true,"
    "  \"rubric\": {\"phrases\": {\"communication\": [{\"text\": \"表达\", \"weight\": 1}],"
    "                            \"logic\": [{\"text\": \"分析\", \"weight\": 1}, {\"text\": \"原因\", \"weight\": "
    "1}]}}},"
    " {\"id\": 3, \"dims\": [\"stress\"], \"required\": false, \"rubric\": {\"phrases\": {}}}]";

static const char ZH_ANSWERS[] =
    "{\"1\": "
    "\"当时项目延期，我负责协调前后端。首先我和产品沟通需求，然后组织团队每日站会。最终提前两天上线，效率提升了20%。\","
    " \"2\": \"我会先分析原因，再复盘。\"}";

static void chinese_answers(void **state)
{
    (void)state;
    json_t *out = score(ZH_QUESTIONS, ZH_ANSWERS);
    /* communication: Q1 100*(0.6*3/4 + 0.25*1 + 0.15*56/200) = 74.2, Q2 100*(0.15*12/200) = 0.9 -> 37.55 */
    assert_dim(out, 0, "communication", 38, "Q1: 沟通, 协调; Q2: - | STAR: S T A R (Q1), - (Q2)");
    /* teamwork: 100*(0.6*1/2 + 0.25 + 0.042) = 59.2 */
    assert_dim(out, 1, "teamwork", 59, "Q1: 团队 | STAR: S T A R (Q1)");
    /* logic: 100*(0.6 + 0 + 0.009) = 60.9 */
    assert_dim(out, 2, "logic", 61, "Q2: 分析, 原因 | STAR: - (Q2)");
    /* stress: only an optional question, unanswered */
    assert_dim(out, 3, "stress", 0, "no answer");
    assert_int_equal(json_array_size(json_object_get(out, "dimensions")), 4);
    assert_int_equal(overall(out), 40); /* (38 + 59 + 61 + 0) / 4 = 39.5 */
    assert_json(json_object_get(out, "answers"),
                "[{\"answered\":true,\"keywords\":[\"沟通\",\"协调\",\"团队\"],\"length\":56,\"question_id\":1,"
                "\"star\":{\"action\":true,\"result\":true,\"situation\":true,\"task\":true}},"
                "{\"answered\":true,\"keywords\":[\"分析\",\"原因\"],\"length\":12,\"question_id\":2,"
                "\"star\":{\"action\":false,\"result\":false,\"situation\":false,\"task\":false}},"
                "{\"answered\":false,\"keywords\":[],\"length\":0,\"question_id\":3,"
                "\"star\":{\"action\":false,\"result\":false,\"situation\":false,\"task\":false}}]");
    json_decref(out);
}

static void english_answers(void **state)
{
    (void)state;
    json_t *out = score(
        "[{\"id\": 10, \"dims\": [\"leadership\", \"problem_solving\"], \"required\": true,"
        "  \"rubric\": {\"phrases\": {\"leadership\": [{\"text\": \"lead\", \"weight\": 2}, {\"text\": \"mentor\", "
        "\"weight\": 1},"
        "                                            {\"text\": \"took ownership\", \"weight\": 2}],"
        "                            \"problem_solving\": [{\"text\": \"root cause\", \"weight\": 3},"
        "                                                 {\"text\": \"debug\", \"weight\": 1}]}}},"
        " {\"id\": 11, \"dims\": [\"leadership\"], \"required\": false,"
        "  \"rubric\": {\"phrases\": {\"leadership\": [{\"text\": \"mentor\", \"weight\": 1}]}}}]",
        "{\"10\": \"At the time our checkout service was failing. My responsibility was to restore it. I decided to "
        "lead the incident, found the ROOT  CAUSE in a retry loop and fixed it. As a result, errors dropped by 90%. "
        "I was the team leader.\","
        " \"11\": \"I mentored two juniors.\"}");
    /* leadership: Q10 100*(0.6*2/5 + 0.25 + 0.15) = 64, Q11 ("mentored" is not "mentor") 100*0.15*23/200 = 1.725 */
    assert_dim(out, 0, "leadership", 33, "Q10: lead; Q11: - | STAR: S T A R (Q10), - (Q11)");
    /* problem_solving: 100*(0.6*3/4 + 0.25 + 0.15) = 85; spaces collapsed, case folded */
    assert_dim(out, 1, "problem_solving", 85, "Q10: root cause | STAR: S T A R (Q10)");
    assert_int_equal(overall(out), 59);
    assert_json(json_object_get(answer_at(out, 0), "keywords"), "[\"lead\",\"root cause\"]");
    assert_int_equal(json_integer_value(json_object_get(answer_at(out, 0), "length")), 224);
    assert_json(json_object_get(answer_at(out, 1), "keywords"), "[]");
    json_decref(out);
}

static void mixed_answers(void **state)
{
    (void)state;
    json_t *out = one("[{\"text\": \"Python\", \"weight\": 1}, {\"text\": \"SQL\", \"weight\": 1},"
                      " {\"text\": \"数据 分析\", \"weight\": 2}, {\"text\": \"Ｋｕｂｅｒｎｅｔｅｓ\", \"weight\": 1},"
                      " {\"text\": \"Go\", \"weight\": 5}]",
                      "\"我用PYTHON和ｓｑｌ做数据　分析，部署在kubernetes上，不用golang。\"");
    /* Go (weight 5) is not found: "golang" is another word. cov = 5/10. */
    assert_json(json_object_get(answer_at(out, 0), "keywords"),
                "[\"Python\",\"SQL\",\"数据 分析\",\"Ｋｕｂｅｒｎｅｔｅｓ\"]");
    /* 100*(0.6*0.5 + 0 + 0.15*43/200) = 33.225 */
    assert_int_equal(json_integer_value(json_object_get(answer_at(out, 0), "length")), 43);
    assert_dim(out, 0, "logic", 33, "Q1: Python, SQL, 数据 分析, Ｋｕｂｅｒｎｅｔｅｓ | STAR: - (Q1)");
    json_decref(out);
}

/* ---- normalisation and word boundaries ---- */

static void folding(void **state)
{
    (void)state;
    static const char *const matching[] = {
        "\"用ＳＱＬ查询\"",                         /* full-width upper case */
        "\"用Sql查询\"",                            /* ASCII case */
        "\"We use machine\\n\\tlearning and sql\"", /* whitespace runs */
        "\"MACHINE\\u3000LEARNING, ＳＱＬ\"",       /* ideographic space */
        "\"machine\\u00a0learning; sql.\"",         /* no-break space */
    };
    for (size_t i = 0; i < sizeof(matching) / sizeof(matching[0]); i++) {
        json_t *out =
            one("[{\"text\": \"sql\", \"weight\": 1}, {\"text\": \"Machine  Learning\", \"weight\": 1}]", matching[i]);
        json_t *kw = json_object_get(answer_at(out, 0), "keywords");
        assert_true(json_array_size(kw) >= 1);
        if (i >= 2)
            assert_json(kw, "[\"sql\",\"Machine  Learning\"]");
        json_decref(out);
    }
    /* A phrase needs its space: 数据 分析 is not 数据分析. */
    json_t *out = one("[{\"text\": \"数据 分析\", \"weight\": 1}]", "\"数据分析\"");
    assert_json(json_object_get(answer_at(out, 0), "keywords"), "[]");
    json_decref(out);
    /* length counts the normalised answer: "  a   b  " is "a b" */
    out = one("[{\"text\": \"x\", \"weight\": 1}]", "\"  a   b  \"");
    assert_int_equal(json_integer_value(json_object_get(answer_at(out, 0), "length")), 3);
    json_decref(out);
}

static void whole_words(void **state)
{
    (void)state;
    static const char phrases[] = "[{\"text\": \"lead\", \"weight\": 1}, {\"text\": \"c++\", \"weight\": 1},"
                                  " {\"text\": \"3年\", \"weight\": 1}, {\"text\": \"go\", \"weight\": 1},"
                                  " {\"text\": \"沟通\", \"weight\": 1}]";
    /* Inside longer words or numbers: nothing. */
    json_t *out = one(phrases, "\"I was a team leader, misleading nobody, going on with abc++; 有13年经验\"");
    assert_json(json_object_get(answer_at(out, 0), "keywords"), "[]");
    json_decref(out);
    /* On word boundaries (punctuation, CJK, start and end): all. */
    out = one(phrases, "\"Lead, 用C++写，3年经验，善于沟通的go\"");
    assert_json(json_object_get(answer_at(out, 0), "keywords"), "[\"lead\",\"c++\",\"3年\",\"go\",\"沟通\"]");
    json_decref(out);
    /* A later occurrence on a boundary counts even when the first is not. */
    out = one(phrases, "\"leader first, then lead\"");
    assert_json(json_object_get(answer_at(out, 0), "keywords"), "[\"lead\"]");
    json_decref(out);
    /* Chinese phrases match inside a run of Chinese text (no segmentation). */
    out = one(phrases, "\"跨部门沟通协调\"");
    assert_json(json_object_get(answer_at(out, 0), "keywords"), "[\"沟通\"]");
    json_decref(out);
}

/* ---- STAR ---- */

static void star_markers(void **state)
{
    (void)state;
    static const struct {
        const char *answer, *want;
    } cases[] = {
        {"\"当时我在一家创业公司\"", "S---"},
        {"\"那时候团队只有三个人\"", "S---"},
        {"\"项目背景很复杂\"", "S---"},
        {"\"The situation was bad\"", "S---"},
        {"\"When I was at Acme\"", "S---"},
        {"\"我的任务是迁移数据库\"", "-T--"},
        {"\"目标是两周内交付\"", "-T--"},
        {"\"The goal was simple\"", "-T--"},
        {"\"It was my responsibility\"", "-T--"},
        {"\"首先我梳理了需求\"", "--A-"},
        {"\"于是我们重写了模块\"", "--A-"},
        {"\"我决定推迟发布\"", "--A-"},
        {"\"I implemented a cache\"", "--A-"},
        {"\"We did this, then that\"", "--A-"},
        {"\"最终按时交付\"", "---R"},
        {"\"转化率提升了\"", "---R"},
        {"\"As a result we shipped\"", "---R"},
        {"\"Latency was reduced\"", "---R"},
        {"\"提高 30%\"", "---R"},
        {"\"转化率３０％\"", "---R"},
        {"\"up 30 %\"", "---R"},
        {"\"a 100% rate\"", "---R"},
        {"\"% is a sign, abc%\"", "----"},
        {"\"我喜欢编程\"", "----"},
        {"\"multitasking, thenceforth, resultant\"", "----"}, /* English markers are whole words */
        {"\"AT THE TIME, MY TASK: I DECIDED. IN THE END\"", "STAR"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        json_t *out = one("[]", cases[i].answer);
        char got[5];
        star_of(out, 0, got);
        if (strcmp(got, cases[i].want) != 0)
            fail_msg("%s: STAR %s, expected %s", cases[i].answer, got, cases[i].want);
        json_decref(out);
    }
}

/* ---- unanswered questions and coverage ---- */

static const char TWO_QUESTIONS[] =
    "[{\"id\": 1, \"dims\": [\"communication\"], \"required\": true,"
    "  \"rubric\": {\"phrases\": {\"communication\": [{\"text\": \"沟通\", \"weight\": 1}]}}},"
    " {\"id\": 2, \"dims\": [\"communication\"], \"required\": %s,"
    "  \"rubric\": {\"phrases\": {\"communication\": [{\"text\": \"倾听\", \"weight\": 1}]}}}]";

static void unanswered(void **state)
{
    (void)state;
    char qs[1024];
    /* Q1 alone: 100*(0.6 + 0 + 0.15*4/200) = 60.3 */
    snprintf(qs, sizeof(qs), TWO_QUESTIONS, "false");
    json_t *out = score(qs, "{\"1\": \"善于沟通\"}");
    assert_dim(out, 0, "communication", 60, "Q1: 沟通 | STAR: - (Q1)");
    assert_int_equal(overall(out), 60);
    json_decref(out);
    /* Q2 required and unanswered (missing, null or blank): counts 0. */
    snprintf(qs, sizeof(qs), TWO_QUESTIONS, "true");
    static const char *const answers[] = {"{\"1\": \"善于沟通\"}", "{\"1\": \"善于沟通\", \"2\": null}",
                                          "{\"1\": \"善于沟通\", \"2\": \" \\n\\u3000 \"}"};
    for (size_t i = 0; i < 3; i++) {
        out = score(qs, answers[i]);
        assert_dim(out, 0, "communication", 30, "Q1: 沟通; Q2: no answer | STAR: - (Q1)");
        assert_false(json_is_true(json_object_get(answer_at(out, 1), "answered")));
        assert_int_equal(json_integer_value(json_object_get(answer_at(out, 1), "length")), 0);
        json_decref(out);
    }
    /* Nothing answered: every dimension 0, "no answer". */
    out = score(qs, "{}");
    assert_dim(out, 0, "communication", 0, "Q1: no answer; Q2: no answer");
    assert_int_equal(overall(out), 0);
    json_decref(out);
}

static void coverage(void **state)
{
    (void)state;
    /* logic has no phrases: STAR and length only, rescaled. The answer is 40
     * characters with S (当时) and T (任务). */
    json_t *out =
        score("[{\"id\": 4, \"dims\": [\"communication\", \"logic\"], \"required\": true,"
              "  \"rubric\": {\"phrases\": {\"communication\": [{\"text\": \"沟通\", \"weight\": 1}]}}}]",
              "{\"4\": \"当时的任务是沟通啊啊啊啊啊啊啊啊啊啊啊啊啊啊啊啊啊啊啊啊啊啊啊啊啊啊啊啊啊啊啊啊\"}");
    /* communication: 100*(0.6 + 0.25*0.5 + 0.15*0.2) = 75.5 (half up) */
    assert_dim(out, 0, "communication", 76, "Q4: 沟通 | STAR: S T (Q4)");
    /* logic: 100*(0.25*0.5 + 0.15*0.2)/0.4 = 38.75 */
    assert_dim(out, 1, "logic", 39, "Q4: - | STAR: S T (Q4)");
    assert_int_equal(overall(out), 58); /* (76 + 39) / 2 = 57.5 */
    json_decref(out);

    /* Heavier phrases found, higher score; a long answer gets the full length part. */
    char answer[1024] = "\"";
    for (int i = 0; i < 100; i++)
        strcat(answer, "好"); /* not a marker */
    strcat(answer, " 协作\"");
    out = one("[{\"text\": \"协作\", \"weight\": 3}, {\"text\": \"团队\", \"weight\": 1}]", answer);
    /* 100*(0.6*3/4 + 0 + 0.15*103/200) = 52.725 */
    assert_dim(out, 0, "logic", 53, "Q1: 协作 | STAR: - (Q1)");
    json_decref(out);
    out = one("[{\"text\": \"协作\", \"weight\": 1}, {\"text\": \"团队\", \"weight\": 3}]", answer);
    assert_dim(out, 0, "logic", 23, "Q1: 协作 | STAR: - (Q1)"); /* 100*(0.6/4 + 0.077) = 22.725 */
    json_decref(out);

    /* A phrase in two dimensions is one keyword but evidence for both. */
    out = score("[{\"id\": 1, \"dims\": [\"communication\", \"teamwork\"], \"required\": true,"
                "  \"rubric\": {\"phrases\": {\"communication\": [{\"text\": \"协调\", \"weight\": 1}],"
                "                            \"teamwork\": [{\"text\": \"团队\", \"weight\": 1},"
                "                                           {\"text\": \"协调\", \"weight\": 1}]}}}]",
                "{\"1\": \"我在团队里负责协调\"}");
    assert_json(json_object_get(answer_at(out, 0), "keywords"), "[\"协调\",\"团队\"]");
    /* 100*(0.6 + 0.25/4 + 0.15*9/200) = 66.925 */
    assert_dim(out, 0, "communication", 67, "Q1: 协调 | STAR: T (Q1)");
    assert_dim(out, 1, "teamwork", 67, "Q1: 团队, 协调 | STAR: T (Q1)");
    json_decref(out);
}

/* ---- evidence limit ---- */

static void evidence_cut(void **state)
{
    (void)state;
    /* 50 phrases of 60 characters, all found: over 3000 characters of evidence. */
    json_t *list = json_array();
    char answer[4096] = "";
    for (int i = 0; i < 50; i++) {
        char p[64];
        snprintf(p, sizeof(p), "p%02d%s", i, "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
        assert_int_equal(strlen(p), 60);
        json_array_append_new(list, json_pack("{s:s, s:i}", "text", p, "weight", 1));
        strcat(answer, p);
        strcat(answer, " ");
    }
    json_t *q = json_pack("[{s:i, s:[s], s:b, s:{s:{s:o}}}]", "id", 1, "dims", "logic", "required", 1, "rubric",
                          "phrases", "logic", list);
    json_t *a = json_pack("{s:s}", "1", answer);
    json_t *out = NULL;
    struct err e;
    err_clear(&e);
    assert_int_equal(rubric_score(q, a, &out, &e), 0);
    const char *ev = json_string_value(json_object_get(dim_at(out, 0), "evidence"));
    assert_int_equal(utf8_count(ev, strlen(ev)), RUBRIC_EVIDENCE_MAX);
    assert_memory_equal(ev, "Q1: p00", 7);
    assert_string_equal(ev + strlen(ev) - 3, "…");
    assert_int_equal(json_array_size(json_object_get(answer_at(out, 0), "keywords")), 50);
    /* 100*(0.6 + 0 + 0.15) */
    assert_int_equal(json_integer_value(json_object_get(dim_at(out, 0), "score")), 75);
    json_decref(out);
    json_decref(q);
    json_decref(a);
}

/* ---- invalid input ---- */

static void invalid_inputs(void **state)
{
    (void)state;
    static const struct {
        const char *questions, *answers, *field, *slug;
    } cases[] = {
        {"{}", "{}", "questions", "wrong_type"},
        {"null", "{}", "questions", "required"},
        {"[]", "{}", "questions", "required"},
        {"[1]", "{}", "questions[0]", "wrong_type"},
        {"[{\"dims\": [\"logic\"], \"required\": true, \"rubric\": {\"phrases\": {}}}]", "{}", "questions[0].id",
         "required"},
        {"[{\"id\": 0, \"dims\": [\"logic\"], \"required\": true, \"rubric\": {\"phrases\": {}}}]", "{}",
         "questions[0].id", "out_of_range"},
        {"[{\"id\": \"1\", \"dims\": [\"logic\"], \"required\": true, \"rubric\": {\"phrases\": {}}}]", "{}",
         "questions[0].id", "wrong_type"},
        {"[{\"id\": 1.5, \"dims\": [\"logic\"], \"required\": true, \"rubric\": {\"phrases\": {}}}]", "{}",
         "questions[0].id", "wrong_type"},
        {"[{\"id\": 1, \"dims\": [\"logic\"], \"required\": true, \"rubric\": {\"phrases\": {}}},"
         " {\"id\": 1.0, \"dims\": [\"logic\"], \"required\": true, \"rubric\": {\"phrases\": {}}}]",
         "{}", "questions[1].id", "duplicate"},
        {"[{\"id\": 1, \"required\": true, \"rubric\": {\"phrases\": {}}}]", "{}", "questions[0].dims", "required"},
        {"[{\"id\": 1, \"dims\": [], \"required\": true, \"rubric\": {\"phrases\": {}}}]", "{}", "questions[0].dims",
         "required"},
        {"[{\"id\": 1, \"dims\": \"logic\", \"required\": true, \"rubric\": {\"phrases\": {}}}]", "{}",
         "questions[0].dims", "wrong_type"},
        {"[{\"id\": 1, \"dims\": [\"Logic\"], \"required\": true, \"rubric\": {\"phrases\": {}}}]", "{}",
         "questions[0].dims[0]", "invalid_value"},
        {"[{\"id\": 1, \"dims\": [\"logic\", 5], \"required\": true, \"rubric\": {\"phrases\": {}}}]", "{}",
         "questions[0].dims[1]", "wrong_type"},
        {"[{\"id\": 1, \"dims\": [\"logic\", \"logic\"], \"required\": true, \"rubric\": {\"phrases\": {}}}]", "{}",
         "questions[0].dims[1]", "duplicate"},
        {"[{\"id\": 1, \"dims\": [\"a\",\"b\",\"c\",\"d\",\"e\",\"f\",\"g\",\"h\",\"i\",\"j\",\"k\",\"l\",\"m\",\"n\","
         "\"o\",\"p\",\"q\",\"r\",\"s\",\"t\",\"u\"], \"required\": true, \"rubric\": {\"phrases\": {}}}]",
         "{}", "questions[0].dims", "too_many"},
        {"[{\"id\": 1, \"dims\": [\"logic\"], \"rubric\": {\"phrases\": {}}}]", "{}", "questions[0].required",
         "required"},
        {"[{\"id\": 1, \"dims\": [\"logic\"], \"required\": \"yes\", \"rubric\": {\"phrases\": {}}}]", "{}",
         "questions[0].required", "wrong_type"},
        {"[{\"id\": 1, \"dims\": [\"logic\"], \"required\": true}]", "{}", "questions[0].rubric", "required"},
        {"[{\"id\": 1, \"dims\": [\"logic\"], \"required\": true, \"rubric\": []}]", "{}", "questions[0].rubric",
         "wrong_type"},
        {"[{\"id\": 1, \"dims\": [\"logic\"], \"required\": true, \"rubric\": {}}]", "{}",
         "questions[0].rubric.phrases", "required"},
        {"[{\"id\": 1, \"dims\": [\"logic\"], \"required\": true, \"rubric\": {\"phrases\": {}, \"sample_answer\": "
         "5}}]",
         "{}", "questions[0].rubric.sample_answer", "wrong_type"},
        {"[{\"id\": 1, \"dims\": [\"logic\"], \"required\": true, \"rubric\": {\"phrases\": {\"teamwork\": []}}}]",
         "{}", "questions[0].rubric.phrases.teamwork", "unknown_field"},
        {"[{\"id\": 1, \"dims\": [\"logic\"], \"required\": true, \"rubric\": {\"phrases\": {\"logic\": \"分析\"}}}]",
         "{}", "questions[0].rubric.phrases.logic", "wrong_type"},
        {"[{\"id\": 1, \"dims\": [\"logic\"], \"required\": true, \"rubric\": {\"phrases\": {\"logic\": [\"分析\"]}}}]",
         "{}", "questions[0].rubric.phrases.logic[0]", "wrong_type"},
        {"[{\"id\": 1, \"dims\": [\"logic\"], \"required\": true,"
         "  \"rubric\": {\"phrases\": {\"logic\": [{\"weight\": 1}]}}}]",
         "{}", "questions[0].rubric.phrases.logic[0].text", "required"},
        {"[{\"id\": 1, \"dims\": [\"logic\"], \"required\": true,"
         "  \"rubric\": {\"phrases\": {\"logic\": [{\"text\": \"\", \"weight\": 1}]}}}]",
         "{}", "questions[0].rubric.phrases.logic[0].text", "required"},
        {"[{\"id\": 1, \"dims\": [\"logic\"], \"required\": true,"
         "  \"rubric\": {\"phrases\": {\"logic\": [{\"text\": \" \\u3000 \", \"weight\": 1}]}}}]",
         "{}", "questions[0].rubric.phrases.logic[0].text", "invalid_value"},
        {"[{\"id\": 1, \"dims\": [\"logic\"], \"required\": true,"
         "  \"rubric\": {\"phrases\": {\"logic\": [{\"text\": \"a\\nb\", \"weight\": 1}]}}}]",
         "{}", "questions[0].rubric.phrases.logic[0].text", "invalid_value"},
        {"[{\"id\": 1, \"dims\": [\"logic\"], \"required\": true,"
         "  \"rubric\": {\"phrases\": {\"logic\": [{\"text\": \"x\", \"weight\": 1}, {\"text\": 7, \"weight\": 1}]}}}]",
         "{}", "questions[0].rubric.phrases.logic[1].text", "wrong_type"},
        {"[{\"id\": 1, \"dims\": [\"logic\"], \"required\": true,"
         "  \"rubric\": {\"phrases\": {\"logic\": [{\"text\": "
         "\"一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三"
         "四五六七八九十一二三四五"
         "\", \"weight\": 1}]}}}]",
         "{}", "questions[0].rubric.phrases.logic[0].text", "too_long"},
        {"[{\"id\": 1, \"dims\": [\"logic\"], \"required\": true,"
         "  \"rubric\": {\"phrases\": {\"logic\": [{\"text\": \"SQL\", \"weight\": 1}, {\"text\": \" ｓｑｌ\", "
         "\"weight\": 2}]}}}]",
         "{}", "questions[0].rubric.phrases.logic[1].text", "duplicate"},
        {"[{\"id\": 1, \"dims\": [\"logic\"], \"required\": true,"
         "  \"rubric\": {\"phrases\": {\"logic\": [{\"text\": \"x\"}]}}}]",
         "{}", "questions[0].rubric.phrases.logic[0].weight", "required"},
        {"[{\"id\": 1, \"dims\": [\"logic\"], \"required\": true,"
         "  \"rubric\": {\"phrases\": {\"logic\": [{\"text\": \"x\", \"weight\": \"1\"}]}}}]",
         "{}", "questions[0].rubric.phrases.logic[0].weight", "wrong_type"},
        {"[{\"id\": 1, \"dims\": [\"logic\"], \"required\": true,"
         "  \"rubric\": {\"phrases\": {\"logic\": [{\"text\": \"x\", \"weight\": 10.5}]}}}]",
         "{}", "questions[0].rubric.phrases.logic[0].weight", "out_of_range"},
        {"[{\"id\": 1, \"dims\": [\"logic\"], \"required\": true, \"rubric\": {\"phrases\": {}}},"
         " {\"id\": 2, \"dims\": [\"logic\"], \"required\": true, \"rubric\": {\"phrases\": {}}},"
         " {\"id\": 3, \"dims\": [\"teamwork\", \"logic\"], \"required\": true,"
         "  \"rubric\": {\"phrases\": {\"logic\": [{\"text\": \"x\", \"weight\": 10}, {\"text\": \"y\", \"weight\": "
         "0}]}}}]",
         "{}", "questions[2].rubric.phrases.logic[1].weight", "out_of_range"},
        {"[{\"id\": 1, \"dims\": [\"logic\"], \"required\": true,"
         "  \"rubric\": {\"phrases\": {\"logic\": [{\"text\": \"x\", \"weight\": -1}]}}}]",
         "{}", "questions[0].rubric.phrases.logic[0].weight", "out_of_range"},
        {"[{\"id\": 1, \"dims\": [\"logic\"], \"required\": true, \"rubric\": {\"phrases\": {}}}]", "[]", "answers",
         "wrong_type"},
        {"[{\"id\": 1, \"dims\": [\"logic\"], \"required\": true, \"rubric\": {\"phrases\": {}}}]", "null", "answers",
         "required"},
        {"[{\"id\": 1, \"dims\": [\"logic\"], \"required\": true, \"rubric\": {\"phrases\": {}}}]", "{\"9\": \"x\"}",
         "answers.9", "unknown_field"},
        {"[{\"id\": 1, \"dims\": [\"logic\"], \"required\": true, \"rubric\": {\"phrases\": {}}}]", "{\"01\": \"x\"}",
         "answers.01", "unknown_field"},
        {"[{\"id\": 1, \"dims\": [\"logic\"], \"required\": true, \"rubric\": {\"phrases\": {}}}]", "{\"1\": 5}",
         "answers.1", "wrong_type"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        refused(cases[i].questions, cases[i].answers, cases[i].field, cases[i].slug);
}

static void limits(void **state)
{
    (void)state;
    struct err e;
    json_t *out = NULL;
    /* 51 questions */
    json_t *qs = json_array();
    for (int i = 1; i <= 51; i++)
        json_array_append_new(
            qs, json_pack("{s:i, s:[s], s:b, s:{s:{}}}", "id", i, "dims", "logic", "required", 1, "rubric", "phrases"));
    json_t *none = json_object();
    err_clear(&e);
    assert_int_equal(rubric_score(qs, none, &out, &e), ERR_INVALID);
    assert_string_equal(e.field, "questions");
    assert_string_equal(e.slug, "too_many");
    assert_null(out);
    /* 50 are fine */
    json_array_remove(qs, 50);
    err_clear(&e);
    assert_int_equal(rubric_score(qs, none, &out, &e), 0);
    json_decref(out);
    json_decref(qs);

    /* 33 distinct dimensions in all */
    qs = json_array();
    for (int i = 0; i < 2; i++) {
        json_t *dims = json_array();
        for (int k = 0; k < (i ? 13 : 20); k++) {
            char key[16];
            snprintf(key, sizeof(key), "d%d_%d", i, k);
            json_array_append_new(dims, json_string(key));
        }
        json_array_append_new(
            qs, json_pack("{s:i, s:o, s:b, s:{s:{}}}", "id", i + 1, "dims", dims, "required", 1, "rubric", "phrases"));
    }
    err_clear(&e);
    assert_int_equal(rubric_score(qs, none, &out, &e), ERR_INVALID);
    assert_string_equal(e.field, "questions[1].dims[12]");
    assert_string_equal(e.slug, "too_many");
    json_array_remove(json_object_get(json_array_get(qs, 1), "dims"), 12);
    err_clear(&e);
    assert_int_equal(rubric_score(qs, none, &out, &e), 0);
    assert_int_equal(json_array_size(json_object_get(out, "dimensions")), 32);
    json_decref(out);
    json_decref(qs);

    /* 50 phrases per dimension, 51 refused */
    json_t *list = json_array();
    for (int i = 0; i < 51; i++) {
        char p[16];
        snprintf(p, sizeof(p), "w%d", i);
        json_array_append_new(list, json_pack("{s:s, s:f}", "text", p, "weight", 0.5));
    }
    qs = json_pack("[{s:i, s:[s], s:b, s:{s:{s:o}}}]", "id", 1, "dims", "logic", "required", 0, "rubric", "phrases",
                   "logic", list);
    err_clear(&e);
    assert_int_equal(rubric_score(qs, none, &out, &e), ERR_INVALID);
    assert_string_equal(e.field, "questions[0].rubric.phrases.logic");
    assert_string_equal(e.slug, "too_many");
    json_array_remove(list, 50);
    err_clear(&e);
    assert_int_equal(rubric_score(qs, none, &out, &e), 0);
    json_decref(out);

    /* Answers up to 20000 bytes; longer is refused, naming the answer. */
    char *big = malloc(RUBRIC_ANSWER_MAX + 2);
    assert_non_null(big);
    memset(big, 'a', RUBRIC_ANSWER_MAX + 1);
    big[RUBRIC_ANSWER_MAX + 1] = '\0';
    json_t *ans = json_pack("{s:s}", "1", big);
    err_clear(&e);
    assert_int_equal(rubric_score(qs, ans, &out, &e), ERR_INVALID);
    assert_string_equal(e.field, "answers.1");
    assert_string_equal(e.slug, "too_long");
    json_decref(ans);
    big[RUBRIC_ANSWER_MAX] = '\0';
    ans = json_pack("{s:s}", "1", big);
    err_clear(&e);
    assert_int_equal(rubric_score(qs, ans, &out, &e), 0);
    assert_int_equal(json_integer_value(json_object_get(answer_at(out, 0), "length")), RUBRIC_ANSWER_MAX);
    json_decref(out);
    json_decref(ans);
    free(big);
    json_decref(qs);
    json_decref(none);

    /* A long key of a payload is cut to e->field on a character boundary. */
    qs = load("[{\"id\": 1, \"dims\": [\"logic\"], \"required\": true, \"rubric\": {\"phrases\": {}}}]");
    ans = load("{\"一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十\": \"x\"}");
    err_clear(&e);
    assert_int_equal(rubric_score(qs, ans, &out, &e), ERR_INVALID);
    assert_string_equal(e.slug, "unknown_field");
    assert_memory_equal(e.field, "answers.一二三", 17);
    assert_true(strlen(e.field) <= sizeof(e.field) - 1 && (strlen(e.field) - 8) % 3 == 0);
    assert_true(utf8_valid(e.field, strlen(e.field)));
    json_decref(qs);
    json_decref(ans);

    /* An error already in e is kept. */
    err_clear(&e);
    err_set(&e, ERR_CONFLICT, NULL, "first", "first");
    qs = load("[]");
    none = load("{}");
    assert_int_equal(rubric_score(qs, none, &out, &e), ERR_INVALID);
    assert_string_equal(e.field, "first");
    json_decref(qs);
    json_decref(none);
}

/* ---- determinism and the normalised result ---- */

static void deterministic(void **state)
{
    (void)state;
    json_t *a = score(ZH_QUESTIONS, ZH_ANSWERS), *b = score(ZH_QUESTIONS, ZH_ANSWERS);
    char *da = dump(a), *db = dump(b);
    assert_string_equal(da, db);
    free(db);
    /* The order of the keys of phrases and answers does not matter. */
    json_t *c = score("[{\"id\": 1, \"dims\": [\"communication\", \"teamwork\"], \"required\": true,"
                      "  \"rubric\": {\"sample_answer\": \"当时……\","
                      "              \"phrases\": {\"teamwork\": [{\"text\": \"团队\", \"weight\": 1}, {\"text\": "
                      "\"协作\", \"weight\": 1}],"
                      "                            \"communication\": [{\"text\": \"沟通\", \"weight\": 2.0}, "
                      "{\"text\": \"协调\", \"weight\": 1},"
                      "                                               {\"text\": \"倾听\", \"weight\": 1}]}}},"
                      " {\"id\": 2, \"dims\": [\"communication\", \"logic\"], \"required\": true,"
                      "  \"rubric\": {\"phrases\": {\"logic\": [{\"text\": \"分析\", \"weight\": 1}, {\"text\": "
                      "\"原因\", \"weight\": 1}],"
                      "                            \"communication\": [{\"text\": \"表达\", \"weight\": 1}]}}},"
                      " {\"id\": 3, \"dims\": [\"stress\"], \"required\": false, \"rubric\": {\"phrases\": {}}}]",
                      "{\"3\": null, \"2\": \"我会先分析原因，再复盘。\","
                      " \"1\": "
                      "\"当时项目延期，我负责协调前后端。首先我和产品沟通需求，然后组织团队每日站会。最终提前两天上线，"
                      "效率提升了20%。\"}");
    char *dc = dump(c);
    assert_string_equal(da, dc);
    free(da);
    free(dc);
    json_decref(a);
    json_decref(b);
    json_decref(c);
}

static void result_round_trip(void **state)
{
    (void)state;
    json_t *out = score(ZH_QUESTIONS, ZH_ANSWERS);
    json_t *dims = json_array();
    size_t i;
    json_t *d;
    json_array_foreach(json_object_get(out, "dimensions"), i, d)
    {
        json_array_append_new(dims, json_pack("{s:O, s:O, s:O}", "key", json_object_get(d, "key"), "score",
                                              json_object_get(d, "score"), "evidence", json_object_get(d, "evidence")));
    }
    json_t *res = json_pack("{s:s, s:s, s:s, s:{s:i}, s:O, s:o}", "vendor", "builtin", "vendor_result_id", "x",
                            "completed_at", "2026-11-20T09:30:00Z", "candidate", "application_id", 1, "overall",
                            json_object_get(out, "overall"), "dimensions", dims);
    assert_non_null(res);
    struct result r;
    struct err e;
    err_clear(&e);
    if (result_parse(res, &r, &e) != 0)
        fail_msg("result_parse refused the rubric result: %s (%s)", e.message, e.field);
    assert_int_equal(r.overall, 40);
    assert_int_equal(r.ndims, 4);
    assert_string_equal(r.dims[0].key, "communication");
    assert_string_equal(r.dims[0].label_zh, "沟通能力");
    assert_int_equal(r.dims[0].score, 38);
    assert_string_equal(r.dims[0].evidence, "Q1: 沟通, 协调; Q2: - | STAR: S T A R (Q1), - (Q2)");
    assert_string_equal(r.dims[3].evidence, "no answer");
    result_free(&r);
    json_decref(res);
    json_decref(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chinese_answers),   cmocka_unit_test(english_answers), cmocka_unit_test(mixed_answers),
        cmocka_unit_test(folding),           cmocka_unit_test(whole_words),     cmocka_unit_test(star_markers),
        cmocka_unit_test(unanswered),        cmocka_unit_test(coverage),        cmocka_unit_test(evidence_cut),
        cmocka_unit_test(invalid_inputs),    cmocka_unit_test(limits),          cmocka_unit_test(deterministic),
        cmocka_unit_test(result_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

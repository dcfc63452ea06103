/* test_mapping.c - src/core/mapping.c: vendor mapping files turning vendor
 * payloads and CSV rows into normalised results (docs/vendors.md). Loads
 * the shipped vendors/NAME.json files (found from __FILE__, the working directory or
 * the executable's location) and small mappings embedded here. */
/* cmocka.h needs these headers first, in this order. */
/* clang-format off */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
/* clang-format on */

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mapping.h"
#include "core/result.h"
#include "lib/crypto.h"

/* ---- helpers ---- */

/* Path of vendors/NAME.json in the source tree. */
static void vendor_path(const char *name, char *out, size_t sz)
{
    char dir[4096];
    const char *file = __FILE__;
    const char *slash = strrchr(file, '/');
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    exe[n > 0 ? n : 0] = '\0';
    char *es = strrchr(exe, '/');
    if (es)
        *es = '\0';

    const char *cands[6];
    char c0[4200], c3[4200];
    int nc = 0;
    snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - file) : 1, slash ? file : ".");
    snprintf(c0, sizeof(c0), "%s/../../vendors", dir);
    cands[nc++] = c0;
    cands[nc++] = "vendors";
    cands[nc++] = "../vendors";
    snprintf(c3, sizeof(c3), "%s/../../../vendors", exe); /* build/tests/unit/test_mapping */
    cands[nc++] = c3;
    for (int i = 0; i < nc; i++) {
        snprintf(out, sz, "%s/%s.json", cands[i], name);
        if (access(out, R_OK) == 0)
            return;
    }
    fail_msg("vendors/%s.json not found (from %s, the working directory or %s)", name, __FILE__, exe);
}

static struct mapping *load_vendor(const char *name)
{
    char path[4300];
    json_error_t je;
    struct err e = {0};
    struct mapping *m = NULL;
    vendor_path(name, path, sizeof(path));
    json_t *j = json_load_file(path, 0, &je);
    if (!j)
        fail_msg("%s: %s (line %d)", path, je.text, je.line);
    int rc = mapping_load(j, name, &m, &e);
    json_decref(j);
    if (rc != 0)
        fail_msg("%s: %s (field %s)", path, e.message, e.field);
    return m;
}

static json_t *parse(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, 0, &je);
    if (!j)
        fail_msg("bad JSON in test: %s at line %d col %d\n%s", je.text, je.line, je.column, text);
    return j;
}

static struct mapping *load_str(const char *text)
{
    struct err e = {0};
    struct mapping *m = NULL;
    json_t *j = parse(text);
    int rc = mapping_load(j, NULL, &m, &e);
    json_decref(j);
    if (rc != 0)
        fail_msg("embedded mapping refused: %s (field %s)", e.message, e.field);
    return m;
}

/* Expects mapping_load to refuse text with e->field == field. */
static void load_fails(const char *text, const char *hint, const char *field)
{
    struct err e = {0};
    struct mapping *m = NULL;
    json_t *j = parse(text);
    int rc = mapping_load(j, hint, &m, &e);
    json_decref(j);
    if (rc == 0) {
        mapping_free(m);
        fail_msg("mapping accepted, expected an error at %s:\n%s", field, text);
    }
    assert_int_equal(rc, ERR_INVALID);
    assert_null(m);
    if (strcmp(e.field, field) != 0)
        fail_msg("expected field \"%s\", got \"%s\" (%s)", field, e.field, e.message);
    assert_true(strlen(e.message) > 0);
}

static json_t *apply_ok(const struct mapping *m, const char *payload)
{
    struct err e = {0};
    json_t *out = NULL;
    json_t *p = parse(payload);
    int rc = mapping_apply_json(m, p, &out, &e);
    json_decref(p);
    if (rc != 0)
        fail_msg("apply failed: %s (field %s)", e.message, e.field);
    return out;
}

/* Expects applying payload to fail with e->field == field; returns the
 * message for more checks. */
static void apply_fails(const struct mapping *m, const char *payload, const char *field, char *msg, size_t msgsz)
{
    struct err e = {0};
    json_t *out = NULL;
    json_t *p = parse(payload);
    int rc = mapping_apply_json(m, p, &out, &e);
    json_decref(p);
    if (rc == 0) {
        char *s = json_dumps(out, JSON_COMPACT);
        json_decref(out);
        fail_msg("apply succeeded, expected an error at %s: %s", field, s);
    }
    assert_int_equal(rc, ERR_INVALID);
    assert_null(out);
    if (strcmp(e.field, field) != 0)
        fail_msg("expected field \"%s\", got \"%s\" (%s)", field, e.field, e.message);
    if (msg)
        snprintf(msg, msgsz, "%s", e.message);
}

static void expect_json(json_t *got, const char *want_text)
{
    json_t *want = parse(want_text);
    if (!json_equal(got, want)) {
        char *g = json_dumps(got, JSON_INDENT(2) | JSON_SORT_KEYS);
        char *w = json_dumps(want, JSON_INDENT(2) | JSON_SORT_KEYS);
        print_error("got:\n%s\nwant:\n%s\n", g, w);
        free(g);
        free(w);
        json_decref(want);
        fail();
    }
    json_decref(want);
}

/* The output must pass core/result's validation (shape, types, ranges). */
static void result_ok(json_t *out)
{
    struct result r;
    struct err e = {0};
    if (result_parse(out, &r, &e) != 0) {
        char *s = json_dumps(out, JSON_COMPACT);
        print_error("%s\n", s);
        free(s);
        fail_msg("result_parse refused the mapping's output: %s (field %s, %s)", e.message, e.field, e.slug);
    }
    result_free(&r);
}

static json_int_t int_at(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        fail_msg("%s is not an integer", key);
    return json_integer_value(v);
}

/* ---- native ---- */

static const char *const native_payload =
    "{\"vendor\": \"someone-else\", \"vendor_result_id\": \"R-2026-000123\","
    " \"completed_at\": \"2026-11-20T09:30:00Z\", \"model_version\": \"interview-ai 4.2\","
    " \"candidate\": {\"application_id\": 42, \"external_id\": \"ATS-7781\", \"name\": \"王小明\","
    "   \"email\": \"xiaoming.wang@example.com\", \"phone\": \"+86 138 0013 8000\", \"position_code\": \"ENG-BE-01\"},"
    " \"overall\": 78, \"vendor_recommendation\": \"pass\", \"reason_category\": null,"
    " \"dimensions\": ["
    "   {\"key\": \"communication\", \"label_zh\": \"沟通能力\", \"label_en\": \"Communication\", \"score\": 82,"
    "    \"evidence\": \"Explained the trade-off clearly with a concrete example.\"},"
    "   {\"key\": \"logic\", \"label_zh\": \"逻辑思维\", \"label_en\": \"Logical thinking\", \"score\": 90, "
    "\"evidence\": null}],"
    " \"tags\": [\"structured\", \"calm under pressure\"],"
    " \"transcript\": [{\"start_ms\": 0, \"end_ms\": 5200, \"speaker\": \"ai\", \"text\": "
    "\"请先做一个简单的自我介绍。\"},"
    "   {\"start_ms\": 5200, \"end_ms\": 48100, \"speaker\": \"candidate\", \"text\": \"我叫王小明……\"}],"
    " \"video_url\": \"https://video.example.com/r/R-2026-000123.mp4\","
    " \"key_moments\": [{\"at_ms\": 31000, \"label\": \"STAR example: the payment outage\"}]}";

static void native_is_identity(void **state)
{
    (void)state;
    struct mapping *m = load_vendor("native");
    assert_string_equal(mapping_name(m), "native");
    assert_false(mapping_is_csv(m));
    json_t *out = apply_ok(m, native_payload);
    /* Same as the payload, but vendor is the mapping's and the time is normalised. */
    expect_json(out,
                "{\"vendor\": \"native\", \"vendor_result_id\": \"R-2026-000123\","
                " \"completed_at\": \"2026-11-20T09:30:00Z\", \"model_version\": \"interview-ai 4.2\","
                " \"candidate\": {\"application_id\": 42, \"external_id\": \"ATS-7781\", \"name\": \"王小明\","
                "   \"email\": \"xiaoming.wang@example.com\", \"phone\": \"+86 138 0013 8000\","
                "   \"position_code\": \"ENG-BE-01\"},"
                " \"overall\": 78, \"vendor_recommendation\": \"pass\", \"reason_category\": null,"
                " \"dimensions\": ["
                "   {\"key\": \"communication\", \"label_zh\": \"沟通能力\", \"label_en\": \"Communication\","
                "    \"score\": 82, \"evidence\": \"Explained the trade-off clearly with a concrete example.\"},"
                "   {\"key\": \"logic\", \"label_zh\": \"逻辑思维\", \"label_en\": \"Logical thinking\", \"score\": 90,"
                "    \"evidence\": null}],"
                " \"tags\": [\"structured\", \"calm under pressure\"],"
                " \"transcript\": [{\"start_ms\": 0, \"end_ms\": 5200, \"speaker\": \"ai\","
                "   \"text\": \"请先做一个简单的自我介绍。\"},"
                "   {\"start_ms\": 5200, \"end_ms\": 48100, \"speaker\": \"candidate\", \"text\": \"我叫王小明……\"}],"
                " \"video_url\": \"https://video.example.com/r/R-2026-000123.mp4\","
                " \"key_moments\": [{\"at_ms\": 31000, \"label\": \"STAR example: the payment outage\"}]}");
    /* Applying the output again gives the same output: a resend is a resend. */
    char *again = json_dumps(out, JSON_COMPACT);
    json_t *out2 = apply_ok(m, again);
    assert_true(json_equal(out, out2));
    free(again);
    json_decref(out2);
    result_ok(out);
    json_decref(out);
    mapping_free(m);
}

static void native_minimal_and_errors(void **state)
{
    (void)state;
    char msg[512];
    struct mapping *m = load_vendor("native");
    json_t *out = apply_ok(m, "{\"vendor_result_id\": \"R1\", \"completed_at\": \"2026-11-20T17:30:00+08:00\","
                              " \"candidate\": {\"email\": \"a@example.com\"}, \"overall\": 77.5}");
    expect_json(out,
                "{\"vendor\": \"native\", \"vendor_result_id\": \"R1\", \"completed_at\": \"2026-11-20T09:30:00Z\","
                " \"model_version\": null, \"candidate\": {\"email\": \"a@example.com\"}, \"overall\": 78,"
                " \"vendor_recommendation\": null, \"reason_category\": null, \"dimensions\": [], \"tags\": [],"
                " \"transcript\": [], \"video_url\": null, \"key_moments\": []}");
    json_decref(out);

    apply_fails(m, "{\"completed_at\": \"2026-11-20T09:30:00Z\", \"candidate\": {}, \"overall\": 1}",
                "$.vendor_result_id", msg, sizeof(msg));
    assert_non_null(strstr(msg, "required"));
    apply_fails(m, "{\"vendor_result_id\": \"R1\", \"completed_at\": \"20.11.2026\", \"overall\": 1}", "$.completed_at",
                msg, sizeof(msg));
    apply_fails(m, "{\"vendor_result_id\": \"R1\", \"completed_at\": \"2026-11-20T09:30:00Z\", \"overall\": 100.5}",
                "$.overall", msg, sizeof(msg));
    assert_non_null(strstr(msg, "out of range"));
    apply_fails(m, "{\"vendor_result_id\": \"R1\", \"completed_at\": \"2026-11-20T09:30:00Z\", \"overall\": true}",
                "$.overall", NULL, 0);
    apply_fails(m,
                "{\"vendor_result_id\": \"R1\", \"completed_at\": \"2026-11-20T09:30:00Z\", \"overall\": 50,"
                " \"vendor_recommendation\": \"maybe\"}",
                "$.vendor_recommendation", NULL, 0);
    apply_fails(m,
                "{\"vendor_result_id\": \"R1\", \"completed_at\": \"2026-11-20T09:30:00Z\", \"overall\": 50,"
                " \"candidate\": {\"application_id\": \"abc\"}}",
                "$.candidate.application_id", NULL, 0);
    apply_fails(m,
                "{\"vendor_result_id\": \"R1\", \"completed_at\": \"2026-11-20T09:30:00Z\", \"overall\": 50,"
                " \"dimensions\": [{\"key\": \"Bad Key\", \"score\": 5}]}",
                "$.dimensions[0].key", msg, sizeof(msg));
    assert_non_null(strstr(msg, "unknown dimension"));
    apply_fails(m,
                "{\"vendor_result_id\": \"R1\", \"completed_at\": \"2026-11-20T09:30:00Z\", \"overall\": 50,"
                " \"dimensions\": [{\"key\": \"logic\", \"score\": 5}, {\"key\": \"logic\", \"score\": 6}]}",
                "$.dimensions[1].key", msg, sizeof(msg));
    assert_non_null(strstr(msg, "twice"));
    apply_fails(m,
                "{\"vendor_result_id\": \"R1\", \"completed_at\": \"2026-11-20T09:30:00Z\", \"overall\": 50,"
                " \"transcript\": [{\"start_ms\": 0, \"speaker\": \"robot\", \"text\": \"hi\"}]}",
                "$.transcript[0].speaker", NULL, 0);
    apply_fails(m, "{\"vendor_result_id\": [1], \"completed_at\": \"2026-11-20T09:30:00Z\", \"overall\": 50}",
                "$.vendor_result_id", NULL, 0);

    /* A payload that is not an object. */
    struct err e = {0};
    json_t *arr = json_array();
    assert_int_equal(mapping_apply_json(m, arr, &out, &e), ERR_INVALID);
    assert_null(out);
    json_decref(arr);
    mapping_free(m);
}

/* ---- stars ---- */

static const char *const stars_payload =
    "{\"interview_id\": \"ST-88231\","
    " \"candidate\": {\"ats_id\": \"ATS-7781\", \"name\": \"王小明\", \"mobile\": \"13800138000\","
    "   \"email\": \"xiaoming.wang@example.com\", \"job_code\": \"ENG-BE-01\"},"
    " \"finished_at\": 1795138200, \"engine\": \"StarRate v3.1\", \"overall_stars\": 4,"
    " \"ratings\": {\"沟通能力\": 4, \"逻辑思维\": 5, \"抗压能力\": 3, \"好奇心\": 4},"
    " \"recommendation\": \"yes\", \"summary_tags\": [\"沉稳\", \" 逻辑清晰 \", \"\"],"
    " \"video\": {\"url\": \"https://v.starrate.example/ST-88231.mp4\","
    "   \"highlights\": [{\"second\": 31, \"note\": \"讲述支付故障的 STAR 案例\"}, {\"second\": 95.5, \"note\": "
    "\"\"}]},"
    " \"transcript\": [{\"from\": 0.0, \"to\": 5.2, \"role\": \"interviewer\", \"content\": "
    "\"请先做一个简单的自我介绍。\"},"
    "   {\"from\": 5.2, \"to\": 48.1, \"role\": \"candidate\", \"content\": \"我叫王小明……\"}]}";

static void stars_full(void **state)
{
    (void)state;
    struct mapping *m = load_vendor("stars");
    json_t *out = apply_ok(m, stars_payload);
    expect_json(out,
                "{\"vendor\": \"stars\", \"vendor_result_id\": \"ST-88231\","
                " \"completed_at\": \"2026-11-20T01:30:00Z\", \"model_version\": \"StarRate v3.1\","
                " \"candidate\": {\"external_id\": \"ATS-7781\", \"name\": \"王小明\","
                "   \"email\": \"xiaoming.wang@example.com\", \"phone\": \"13800138000\","
                "   \"position_code\": \"ENG-BE-01\"},"
                " \"overall\": 80, \"vendor_recommendation\": \"pass\", \"reason_category\": null,"
                " \"dimensions\": ["
                "   {\"key\": \"communication\", \"label_zh\": \"沟通能力\", \"label_en\": \"Communication\","
                "    \"score\": 80, \"evidence\": null},"
                "   {\"key\": \"logic\", \"label_zh\": \"逻辑思维\", \"label_en\": \"Logical thinking\","
                "    \"score\": 100, \"evidence\": null},"
                "   {\"key\": \"stress\", \"label_zh\": \"抗压能力\", \"label_en\": \"Stress tolerance\","
                "    \"score\": 60, \"evidence\": null}],"
                " \"tags\": [\"沉稳\", \"逻辑清晰\"],"
                " \"transcript\": [{\"start_ms\": 0, \"end_ms\": 5200, \"speaker\": \"ai\","
                "   \"text\": \"请先做一个简单的自我介绍。\"},"
                "   {\"start_ms\": 5200, \"end_ms\": 48100, \"speaker\": \"candidate\", \"text\": \"我叫王小明……\"}],"
                " \"video_url\": \"https://v.starrate.example/ST-88231.mp4\","
                " \"key_moments\": [{\"at_ms\": 31000, \"label\": \"讲述支付故障的 STAR 案例\"}]}");
    result_ok(out);
    json_decref(out);
    mapping_free(m);
}

static void stars_edges(void **state)
{
    (void)state;
    char msg[512];
    struct mapping *m = load_vendor("stars");
    const char *base =
        "{\"interview_id\": \"S1\", \"finished_at\": 1795138200, \"candidate\": {\"mobile\": 13800138000},";
    char buf[1024];

    snprintf(buf, sizeof(buf), "%s \"overall_stars\": 1, \"ratings\": {\"沟通能力\": 5, \"逻辑思维\": 1}}", base);
    json_t *out = apply_ok(m, buf);
    assert_int_equal(int_at(out, "overall"), 20);
    json_t *dims = json_object_get(out, "dimensions");
    assert_int_equal(int_at(json_array_get(dims, 0), "score"), 100);
    assert_int_equal(int_at(json_array_get(dims, 1), "score"), 20);
    /* A phone given as a number becomes text. */
    assert_string_equal(json_string_value(json_object_get(json_object_get(out, "candidate"), "phone")), "13800138000");
    json_decref(out);

    snprintf(buf, sizeof(buf), "%s \"overall_stars\": \"4.5\"}", base);
    out = apply_ok(m, buf);
    assert_int_equal(int_at(out, "overall"), 90);
    json_decref(out);

    /* No explicit overall: the mean of the dimensions (80, 100, 60). */
    snprintf(buf, sizeof(buf), "%s \"ratings\": {\"沟通能力\": 4, \"逻辑思维\": 5, \"抗压能力\": 3}}", base);
    out = apply_ok(m, buf);
    assert_int_equal(int_at(out, "overall"), 80);
    json_decref(out);
    snprintf(buf, sizeof(buf), "%s \"ratings\": {\"沟通能力\": 4, \"团队协作\": 5}}", base);
    out = apply_ok(m, buf);
    assert_int_equal(int_at(out, "overall"), 90);
    json_decref(out);

    snprintf(buf, sizeof(buf), "%s \"overall_stars\": 0}", base);
    apply_fails(m, buf, "$.overall_stars", msg, sizeof(msg));
    assert_non_null(strstr(msg, "out of range"));
    snprintf(buf, sizeof(buf), "%s \"overall_stars\": 5.01}", base);
    apply_fails(m, buf, "$.overall_stars", NULL, 0);
    snprintf(buf, sizeof(buf), "%s \"overall_stars\": \"80%%\"}", base);
    apply_fails(m, buf, "$.overall_stars", NULL, 0);
    snprintf(buf, sizeof(buf), "%s \"overall_stars\": 4, \"ratings\": {\"逻辑思维\": 6}}", base);
    apply_fails(m, buf, "$.ratings.逻辑思维", NULL, 0);
    snprintf(buf, sizeof(buf), "%s \"ratings\": {}}", base);
    apply_fails(m, buf, "$.overall_stars", msg, sizeof(msg));
    assert_non_null(strstr(msg, "no dimensions"));
    snprintf(buf, sizeof(buf), "%s \"overall_stars\": 3, \"recommendation\": \"perhaps\"}", base);
    apply_fails(m, buf, "$.recommendation", msg, sizeof(msg));
    assert_non_null(strstr(msg, "perhaps"));
    /* Recommendation values ignore ASCII case. */
    snprintf(buf, sizeof(buf), "%s \"overall_stars\": 3, \"recommendation\": \"MAYBE\"}", base);
    out = apply_ok(m, buf);
    assert_string_equal(json_string_value(json_object_get(out, "vendor_recommendation")), "hold");
    json_decref(out);
    snprintf(buf, sizeof(buf), "%s \"overall_stars\": 3, \"recommendation\": \"no\"}", base);
    out = apply_ok(m, buf);
    assert_string_equal(json_string_value(json_object_get(out, "vendor_recommendation")), "reject");
    json_decref(out);
    /* Transcript speakers outside the mapping are errors; seconds are rounded to ms. */
    snprintf(buf, sizeof(buf),
             "%s \"overall_stars\": 3, \"transcript\": [{\"from\": 1.0004, \"to\": 2.0005, \"role\": \"candidate\","
             " \"content\": \"x\"}, {\"from\": 3, \"role\": \"narrator\", \"content\": \"y\"}]}",
             base);
    apply_fails(m, buf, "$.transcript[1].role", NULL, 0);
    snprintf(buf, sizeof(buf),
             "%s \"overall_stars\": 3, \"transcript\": [{\"from\": 1.0004, \"to\": 2.0005, \"role\": \"candidate\","
             " \"content\": \"x\"}, {\"from\": -1, \"role\": \"candidate\", \"content\": \"y\"}]}",
             base);
    apply_fails(m, buf, "$.transcript[1].from", NULL, 0);
    snprintf(buf, sizeof(buf),
             "%s \"overall_stars\": 3, \"transcript\": [{\"from\": 1.0004, \"to\": 2.0005, \"role\": \"candidate\","
             " \"content\": \"x\"}, {\"from\": 3, \"role\": \"candidate\", \"content\": \"  \"}]}",
             base);
    out = apply_ok(m, buf);
    json_t *tr = json_object_get(out, "transcript");
    assert_int_equal(json_array_size(tr), 1);
    assert_int_equal(int_at(json_array_get(tr, 0), "start_ms"), 1000);
    assert_int_equal(int_at(json_array_get(tr, 0), "end_ms"), 2001);
    json_decref(out);
    mapping_free(m);
}

/* ---- analysis ---- */

static const char *const analysis_payload =
    "{\"result\": {\"id\": \"AN-2026-0042\", \"completed_at\": \"2026-11-20T17:30:00.250+08:00\","
    "   \"model\": \"analysis-llm 2.0\"},"
    " \"candidate\": {\"application_id\": \"42\", \"ref\": 7781, \"full_name\": \"Li Lei\","
    "   \"contact\": {\"email\": \"li.lei@example.com\", \"phone\": \"+86 139 0000 0000\"}, \"position\": "
    "\"ENG-BE-01\"},"
    " \"total_score\": \"87.5%\", \"status\": \"REJECT\", \"reject_reason\": \"SKILLS\","
    " \"analysis\": ["
    "   {\"key\": \"communication\", \"name\": \"沟通能力\", \"score\": 82, \"explanation\": \"清楚地解释了取舍。\"},"
    "   {\"key\": null, \"name\": \"逻辑思维\", \"score\": \"90\", \"explanation\": \"\"},"
    "   {\"key\": \"comm2\", \"name\": \"Problem solving\", \"score\": 74.5, \"explanation\": null},"
    "   {\"key\": \"problem_solving\", \"name\": \"Problem solving\", \"score\": 60},"
    "   {\"key\": \"learning\", \"name\": \"学习能力\", \"score\": null}],"
    " \"keywords\": [\"structured\"],"
    " \"dialogue\": [{\"start_ms\": 0, \"end_ms\": 4000, \"speaker\": \"AI\", \"text\": \"Hello\"},"
    "   {\"start_ms\": 4000, \"end_ms\": 9000, \"speaker\": \"Candidate\", \"text\": \"Hi\"},"
    "   {\"start_ms\": 9000, \"end_ms\": 9500, \"speaker\": \"hr\", \"text\": \"Thanks\"}],"
    " \"recording\": {\"url\": \"https://rec.example/AN-2026-0042\", \"markers\": [{\"at_ms\": 12000, \"title\": "
    "\"Intro\"}]}}";

static void analysis_full(void **state)
{
    (void)state;
    struct mapping *m = load_vendor("analysis");
    json_t *out = apply_ok(m, analysis_payload);
    expect_json(
        out,
        "{\"vendor\": \"analysis\", \"vendor_result_id\": \"AN-2026-0042\","
        " \"completed_at\": \"2026-11-20T09:30:00.250Z\", \"model_version\": \"analysis-llm 2.0\","
        " \"candidate\": {\"application_id\": 42, \"external_id\": \"7781\", \"name\": \"Li Lei\","
        "   \"email\": \"li.lei@example.com\", \"phone\": \"+86 139 0000 0000\", \"position_code\": \"ENG-BE-01\"},"
        " \"overall\": 88, \"vendor_recommendation\": \"reject\", \"reason_category\": \"skills_mismatch\","
        " \"dimensions\": ["
        "   {\"key\": \"communication\", \"label_zh\": \"沟通能力\", \"label_en\": \"Communication\","
        "    \"score\": 82, \"evidence\": \"清楚地解释了取舍。\"},"
        "   {\"key\": \"logic\", \"label_zh\": \"逻辑思维\", \"label_en\": \"Logical thinking\","
        "    \"score\": 90, \"evidence\": null},"
        "   {\"key\": \"comm2\", \"label_zh\": \"Problem solving\", \"label_en\": \"comm2\","
        "    \"score\": 75, \"evidence\": null},"
        "   {\"key\": \"problem_solving\", \"label_zh\": \"解决问题能力\", \"label_en\": \"Problem solving\","
        "    \"score\": 60, \"evidence\": null}],"
        " \"tags\": [\"structured\"],"
        " \"transcript\": [{\"start_ms\": 0, \"end_ms\": 4000, \"speaker\": \"ai\", \"text\": \"Hello\"},"
        "   {\"start_ms\": 4000, \"end_ms\": 9000, \"speaker\": \"candidate\", \"text\": \"Hi\"},"
        "   {\"start_ms\": 9000, \"end_ms\": 9500, \"speaker\": \"interviewer\", \"text\": \"Thanks\"}],"
        " \"video_url\": \"https://rec.example/AN-2026-0042\","
        " \"key_moments\": [{\"at_ms\": 12000, \"label\": \"Intro\"}]}");
    result_ok(out);
    json_decref(out);
    mapping_free(m);
}

static void analysis_status_and_errors(void **state)
{
    (void)state;
    char msg[512], buf[2048];
    struct mapping *m = load_vendor("analysis");
    const char *base = "{\"result\": {\"id\": \"A1\", \"completed_at\": \"2026-11-20T09:30:00Z\"},"
                       " \"candidate\": {\"ref\": \"X1\"}, \"total_score\": 70,";

    /* Unknown reject reasons become "other"; a reason with PASS is dropped. */
    snprintf(buf, sizeof(buf), "%s \"status\": \"REJECT\", \"reject_reason\": \"ATTITUDE\"}", base);
    json_t *out = apply_ok(m, buf);
    assert_string_equal(json_string_value(json_object_get(out, "reason_category")), "other");
    json_decref(out);
    snprintf(buf, sizeof(buf), "%s \"status\": \"PASS\", \"reject_reason\": \"SKILLS\"}", base);
    out = apply_ok(m, buf);
    assert_string_equal(json_string_value(json_object_get(out, "vendor_recommendation")), "pass");
    assert_true(json_is_null(json_object_get(out, "reason_category")));
    json_decref(out);
    snprintf(buf, sizeof(buf), "%s \"status\": \"PENDING\", \"reject_reason\": \"\"}", base);
    out = apply_ok(m, buf);
    assert_string_equal(json_string_value(json_object_get(out, "vendor_recommendation")), "hold");
    assert_true(json_is_null(json_object_get(out, "reason_category")));
    json_decref(out);

    /* Percent strings: "87%" and numeric strings, 0 and 100 at the edges. */
    snprintf(buf, sizeof(buf),
             "%s \"analysis\": [{\"key\": \"logic\", \"score\": \"100%%\"},"
             " {\"key\": \"stress\", \"score\": \" 0 \"}]}",
             base);
    out = apply_ok(m, buf);
    json_t *dims = json_object_get(out, "dimensions");
    assert_int_equal(int_at(json_array_get(dims, 0), "score"), 100);
    assert_int_equal(int_at(json_array_get(dims, 1), "score"), 0);
    json_decref(out);

    snprintf(buf, sizeof(buf),
             "%s \"analysis\": [{\"key\": \"logic\", \"score\": 1}, {\"key\": \"stress\", \"score\": 2},"
             " {\"key\": \"learning\", \"score\": 120}]}",
             base);
    apply_fails(m, buf, "$.analysis[2].score", msg, sizeof(msg));
    assert_non_null(strstr(msg, "out of range"));
    snprintf(buf, sizeof(buf), "%s \"analysis\": [{\"key\": \"logic\", \"score\": \"ninety\"}]}", base);
    apply_fails(m, buf, "$.analysis[0].score", msg, sizeof(msg));
    assert_non_null(strstr(msg, "ninety"));
    snprintf(buf, sizeof(buf), "%s \"analysis\": [{\"key\": \"logic\", \"score\": -1}]}", base);
    apply_fails(m, buf, "$.analysis[0].score", NULL, 0);
    snprintf(buf, sizeof(buf), "%s \"analysis\": [{\"key\": null, \"name\": \"好奇心\", \"score\": 50}]}", base);
    apply_fails(m, buf, "$.analysis[0].name", msg, sizeof(msg));
    assert_non_null(strstr(msg, "好奇心"));
    snprintf(buf, sizeof(buf), "%s \"analysis\": [{\"score\": 50}]}", base);
    apply_fails(m, buf, "$.analysis[0]", NULL, 0);
    snprintf(buf, sizeof(buf), "%s \"analysis\": {\"logic\": 50}}", base);
    apply_fails(m, buf, "$.analysis", NULL, 0);
    snprintf(buf, sizeof(buf), "%s \"status\": \"MAYBE\"}", base);
    apply_fails(m, buf, "$.status", NULL, 0);
    snprintf(buf, sizeof(buf), "%s \"keywords\": [\"a\", 3]}", base);
    apply_fails(m, buf, "$.keywords[1]", NULL, 0);
    /* total_score missing is an error naming the path. */
    apply_fails(m, "{\"result\": {\"id\": \"A1\", \"completed_at\": \"2026-11-20T09:30:00Z\"}}", "$.total_score", NULL,
                0);
    /* More than 32 dimensions. */
    char big[8192];
    int n = snprintf(big, sizeof(big), "%s \"analysis\": [", base);
    for (int i = 0; i < 33; i++)
        n += snprintf(big + n, sizeof(big) - (size_t)n, "%s{\"key\": \"d%d\", \"score\": 1}", i ? "," : "", i);
    snprintf(big + n, sizeof(big) - (size_t)n, "]}");
    apply_fails(m, big, "$.analysis[32].key", msg, sizeof(msg));
    assert_non_null(strstr(msg, "32"));
    mapping_free(m);
}

/* ---- embedded mappings: scales, times, unknown dimensions ---- */

#define SCALE_MAPPING_FMT                                                                                              \
    "{\"name\": \"t\", \"label\": \"T\", \"format\": \"json\", \"vendor_result_id\": \"$.id\","                        \
    " \"completed_at\": {\"path\": \"$.t\", \"time\": \"%s\"%s},"                                                      \
    " \"candidate\": {\"external_id\": \"$.c\"}, \"overall\": {\"path\": \"$.o\", \"scale\": \"%s\"},"                 \
    " \"dimensions\": {\"path\": \"$.d\", \"shape\": \"object\", \"scale\": \"%s\", \"unknown_dimensions\": \"%s\","   \
    "   \"names\": {\"Comm\": \"communication\"}}}"

static struct mapping *scale_mapping(const char *time, const char *offset, const char *oscale, const char *dscale,
                                     const char *unknown)
{
    char buf[2048];
    snprintf(buf, sizeof(buf), SCALE_MAPPING_FMT, time, offset, oscale, dscale, unknown);
    return load_str(buf);
}

static json_int_t overall_of(const struct mapping *m, const char *o)
{
    char buf[512];
    snprintf(buf, sizeof(buf), "{\"id\": \"1\", \"t\": \"2026-01-01T00:00:00Z\", \"o\": %s}", o);
    json_t *out = apply_ok(m, buf);
    json_int_t v = int_at(out, "overall");
    json_decref(out);
    return v;
}

static void overall_fails(const struct mapping *m, const char *o)
{
    char buf[512];
    snprintf(buf, sizeof(buf), "{\"id\": \"1\", \"t\": \"2026-01-01T00:00:00Z\", \"o\": %s}", o);
    apply_fails(m, buf, "$.o", NULL, 0);
}

static void scale_conversions(void **state)
{
    (void)state;
    struct mapping *m = scale_mapping("rfc3339", "", "percent", "percent", "error");
    assert_int_equal(overall_of(m, "0"), 0);
    assert_int_equal(overall_of(m, "100"), 100);
    assert_int_equal(overall_of(m, "\"87.5%\""), 88);
    assert_int_equal(overall_of(m, "\"87.4 %\""), 87);
    assert_int_equal(overall_of(m, "\" 87 \""), 87);
    assert_int_equal(overall_of(m, "87.49"), 87);
    assert_int_equal(overall_of(m, "\"+50\""), 50);
    overall_fails(m, "100.01");
    overall_fails(m, "-0.5");
    overall_fails(m, "\"101%\"");
    overall_fails(m, "\"87%%\"");
    overall_fails(m, "\"0x10\"");
    overall_fails(m, "\"1e2\"");
    overall_fails(m, "\"%\"");
    overall_fails(m, "\"nan\"");
    overall_fails(m, "[]");
    overall_fails(m, "null");
    overall_fails(m, "\"  \"");
    mapping_free(m);

    m = scale_mapping("rfc3339", "", "stars5", "stars5", "error");
    assert_int_equal(overall_of(m, "1"), 20);
    assert_int_equal(overall_of(m, "5"), 100);
    assert_int_equal(overall_of(m, "3.5"), 70);
    assert_int_equal(overall_of(m, "\"2\""), 40);
    overall_fails(m, "0");
    overall_fails(m, "0.99");
    overall_fails(m, "6");
    mapping_free(m);

    m = scale_mapping("rfc3339", "", "ten", "ten", "error");
    assert_int_equal(overall_of(m, "0"), 0);
    assert_int_equal(overall_of(m, "10"), 100);
    assert_int_equal(overall_of(m, "7.25"), 73);
    assert_int_equal(overall_of(m, "\"8.5\""), 85);
    overall_fails(m, "10.5");
    overall_fails(m, "-1");
    overall_fails(m, "\"80%\"");
    mapping_free(m);

    m = scale_mapping("rfc3339", "", "unit", "unit", "error");
    assert_int_equal(overall_of(m, "0"), 0);
    assert_int_equal(overall_of(m, "1"), 100);
    assert_int_equal(overall_of(m, "0.875"), 88);
    assert_int_equal(overall_of(m, "0.285"), 29);
    assert_int_equal(overall_of(m, "\"0.5\""), 50);
    overall_fails(m, "1.01");
    overall_fails(m, "87");
    mapping_free(m);
}

static const char *time_of(const struct mapping *m, const char *t, char *out, size_t sz)
{
    char buf[512];
    snprintf(buf, sizeof(buf), "{\"id\": \"1\", \"t\": %s, \"o\": 1}", t);
    json_t *r = apply_ok(m, buf);
    snprintf(out, sz, "%s", json_string_value(json_object_get(r, "completed_at")));
    json_decref(r);
    return out;
}

static void time_fails(const struct mapping *m, const char *t)
{
    char buf[512];
    snprintf(buf, sizeof(buf), "{\"id\": \"1\", \"t\": %s, \"o\": 1}", t);
    apply_fails(m, buf, "$.t", NULL, 0);
}

static void times(void **state)
{
    (void)state;
    char s[64];
    struct mapping *m = scale_mapping("epoch_s", "", "percent", "percent", "error");
    assert_string_equal(time_of(m, "1795138200", s, sizeof(s)), "2026-11-20T01:30:00Z");
    assert_string_equal(time_of(m, "1795138200.5", s, sizeof(s)), "2026-11-20T01:30:00.500Z");
    assert_string_equal(time_of(m, "\"1795138200\"", s, sizeof(s)), "2026-11-20T01:30:00Z");
    assert_string_equal(time_of(m, "0", s, sizeof(s)), "1970-01-01T00:00:00Z");
    time_fails(m, "-1");
    time_fails(m, "\"2026-11-20T01:30:00Z\"");
    time_fails(m, "1e20");
    mapping_free(m);

    m = scale_mapping("epoch_ms", "", "percent", "percent", "error");
    assert_string_equal(time_of(m, "1795138200123", s, sizeof(s)), "2026-11-20T01:30:00.123Z");
    time_fails(m, "true");
    mapping_free(m);

    m = scale_mapping("rfc3339", "", "percent", "percent", "error");
    assert_string_equal(time_of(m, "\"2026-11-20T09:30:00Z\"", s, sizeof(s)), "2026-11-20T09:30:00Z");
    assert_string_equal(time_of(m, "\"2026-11-20T09:30:00-05:00\"", s, sizeof(s)), "2026-11-20T14:30:00Z");
    time_fails(m, "\"2026-11-20 09:30:00\"");
    time_fails(m, "\"2026-02-30T09:30:00Z\"");
    time_fails(m, "1795138200");
    mapping_free(m);

    m = scale_mapping("local", ", \"utc_offset\": \"+08:00\"", "percent", "percent", "error");
    assert_string_equal(time_of(m, "\"2026-11-20 09:30:00\"", s, sizeof(s)), "2026-11-20T01:30:00Z");
    assert_string_equal(time_of(m, "\"2026-11-20 9:30\"", s, sizeof(s)), "2026-11-20T01:30:00Z");
    assert_string_equal(time_of(m, "\"2026/11/20 09:30:15.5\"", s, sizeof(s)), "2026-11-20T01:30:15.500Z");
    assert_string_equal(time_of(m, "\"2026-11-20\"", s, sizeof(s)), "2026-11-19T16:00:00Z");
    assert_string_equal(time_of(m, "\"2026-01-01 03:00:00\"", s, sizeof(s)), "2025-12-31T19:00:00Z");
    /* An explicit zone wins over the mapping's offset. */
    assert_string_equal(time_of(m, "\"2026-11-20T09:30:00Z\"", s, sizeof(s)), "2026-11-20T09:30:00Z");
    time_fails(m, "\"2026-11-20 25:00:00\"");
    time_fails(m, "\"2026-13-01 09:30:00\"");
    time_fails(m, "\"20/11/2026 09:30\"");
    time_fails(m, "\"2026-11-20 09:30:00 extra\"");
    mapping_free(m);

    m = scale_mapping("local", ", \"utc_offset\": \"-05:30\"", "percent", "percent", "error");
    assert_string_equal(time_of(m, "\"2026-11-20 09:30:00\"", s, sizeof(s)), "2026-11-20T15:00:00Z");
    mapping_free(m);
}

static void unknown_dimensions(void **state)
{
    (void)state;
    char msg[512];
    const char *payload =
        "{\"id\": \"1\", \"t\": \"2026-01-01T00:00:00Z\", \"o\": 50,"
        " \"d\": {\"Comm\": 50, \"逻辑思维\": 60, \"Stress Tolerance\": 70, \"team_work\": 80, \"创新 能力\": 90,"
        "  \"learning\": null}}";
    struct mapping *m = scale_mapping("rfc3339", "", "percent", "percent", "drop");
    json_t *out = apply_ok(m, payload);
    /* Comm via names; 逻辑思维 and "Stress Tolerance" via the standard labels; team_work as a key; the
     * unknown Chinese name dropped; a null score leaves the dimension out. */
    expect_json(json_object_get(out, "dimensions"),
                "[{\"key\": \"communication\", \"label_zh\": \"沟通能力\", \"label_en\": \"Communication\","
                "  \"score\": 50, \"evidence\": null},"
                " {\"key\": \"logic\", \"label_zh\": \"逻辑思维\", \"label_en\": \"Logical thinking\","
                "  \"score\": 60, \"evidence\": null},"
                " {\"key\": \"stress\", \"label_zh\": \"抗压能力\", \"label_en\": \"Stress tolerance\","
                "  \"score\": 70, \"evidence\": null},"
                " {\"key\": \"team_work\", \"label_zh\": \"team_work\", \"label_en\": \"team_work\","
                "  \"score\": 80, \"evidence\": null}]");
    json_decref(out);
    mapping_free(m);

    m = scale_mapping("rfc3339", "", "percent", "percent", "error");
    apply_fails(m, payload, "$.d.创新 能力", msg, sizeof(msg));
    assert_non_null(strstr(msg, "unknown dimension"));
    assert_non_null(strstr(msg, "dimensions.names"));
    /* Member names with dots are shown in brackets. */
    apply_fails(m, "{\"id\": \"1\", \"t\": \"2026-01-01T00:00:00Z\", \"o\": 50, \"d\": {\"a.b\": 1}}", "$.d[\"a.b\"]",
                NULL, 0);
    mapping_free(m);
}

static void paths_and_constants(void **state)
{
    (void)state;
    struct mapping *m =
        load_str("{\"name\": \"p\", \"label\": \"P\", \"format\": \"json\","
                 " \"vendor_result_id\": \"$.scores[1].meta['id.x']\","
                 " \"completed_at\": {\"path\": \"$['when']\", \"time\": \"epoch_ms\"},"
                 " \"model_version\": {\"const\": \"fixed-model 1\"},"
                 " \"candidate\": {\"external_id\": \"$.who[0]\", \"position_code\": {\"const\": \"POS-1\"}},"
                 " \"overall\": {\"path\": \"$.scores[0].value\", \"scale\": \"unit\"},"
                 " \"vendor_recommendation\": {\"path\": \"$.rec\", \"map\": {\"ok\": \"pass\", \"none\": null},"
                 "   \"unknown\": \"null\"},"
                 " \"tags\": {\"path\": \"$.tags\", \"split\": \",\"},"
                 " \"dimensions\": {\"path\": \"$.dims\", \"name\": \"@[0]\", \"score\": \"[1]\", \"scale\": \"ten\","
                 "   \"required\": true}}");
    json_t *out = apply_ok(m, "{\"scores\": [{\"value\": 0.5}, {\"meta\": {\"id.x\": 991}}], \"when\": 1000,"
                              " \"who\": [\"W1\"], \"rec\": \"what\", \"tags\": \"a, b,,c \","
                              " \"dims\": [[\"沟通能力\", 7]]}");
    expect_json(out, "{\"vendor\": \"p\", \"vendor_result_id\": \"991\", \"completed_at\": \"1970-01-01T00:00:01Z\","
                     " \"model_version\": \"fixed-model 1\", \"candidate\": {\"external_id\": \"W1\","
                     " \"position_code\": \"POS-1\"}, \"overall\": 50, \"vendor_recommendation\": null,"
                     " \"reason_category\": null,"
                     " \"dimensions\": [{\"key\": \"communication\", \"label_zh\": \"沟通能力\","
                     "   \"label_en\": \"Communication\", \"score\": 70, \"evidence\": null}],"
                     " \"tags\": [\"a\", \"b\", \"c\"], \"transcript\": [], \"video_url\": null, \"key_moments\": []}");
    result_ok(out);
    json_decref(out);
    out = apply_ok(m, "{\"scores\": [{\"value\": 1}, {\"meta\": {\"id.x\": \"X\"}}], \"when\": 1000,"
                      " \"rec\": \"none\", \"dims\": [[\"logic\", 10]]}");
    assert_true(json_is_null(json_object_get(out, "vendor_recommendation")));
    json_decref(out);
    /* dimensions.required: an empty list is an error. */
    apply_fails(m, "{\"scores\": [{\"value\": 1}, {\"meta\": {\"id.x\": \"X\"}}], \"when\": 1000, \"dims\": []}",
                "$.dims", NULL, 0);
    mapping_free(m);
}

/* ---- CSV ---- */

static char **split_row(char *line, int *n)
{
    static char *cells[64];
    *n = 0;
    for (char *p = strtok(line, ","); p && *n < 64; p = strtok(NULL, ","))
        cells[(*n)++] = p;
    return cells;
}

static struct mapping_cols *header(const struct mapping *m, const char *line)
{
    char buf[1024];
    int n;
    struct err e = {0};
    struct mapping_cols *c = NULL;
    snprintf(buf, sizeof(buf), "%s", line);
    char **cells = split_row(buf, &n);
    if (mapping_csv_header(m, cells, n, &c, &e) != 0)
        fail_msg("header refused: %s (field %s)", e.message, e.field);
    return c;
}

static void header_fails(const struct mapping *m, const char *line, const char *field, char *msg, size_t msgsz)
{
    char buf[1024];
    int n;
    struct err e = {0};
    struct mapping_cols *c = NULL;
    snprintf(buf, sizeof(buf), "%s", line);
    char **cells = split_row(buf, &n);
    int rc = mapping_csv_header(m, cells, n, &c, &e);
    if (rc == 0) {
        mapping_cols_free(c);
        fail_msg("header accepted, expected an error at %s", field);
    }
    assert_int_equal(rc, ERR_INVALID);
    assert_null(c);
    if (strcmp(e.field, field) != 0)
        fail_msg("expected field \"%s\", got \"%s\" (%s)", field, e.field, e.message);
    if (msg)
        snprintf(msg, msgsz, "%s", e.message);
}

/* Cells of a row separated by '|' (empty cells kept). */
static int row(const struct mapping *m, const struct mapping_cols *c, const char *line, json_t **out, struct err *e)
{
    char buf[2048];
    char *cells[64];
    int n = 0;
    snprintf(buf, sizeof(buf), "%s", line);
    char *p = buf;
    cells[n++] = p;
    for (; *p; p++)
        if (*p == '|' && n < 64) {
            *p = '\0';
            cells[n++] = p + 1;
        }
    return mapping_apply_row(m, c, cells, n, out, e);
}

static const char *const zh_header = "序号,面试编号,姓名,手机,邮箱,岗位编码,完成时间,总分,沟通能力,逻辑思维,抗压能力,"
                                     "学习能力,推荐结论,淘汰原因,标签,备注";

static void csv_zh_full(void **state)
{
    (void)state;
    struct err e = {0};
    json_t *out = NULL;
    struct mapping *m = load_vendor("csv_zh");
    assert_true(mapping_is_csv(m));
    assert_false(mapping_signature_header(m, NULL));
    struct mapping_cols *c = header(m, zh_header);
    assert_int_equal(row(m, c,
                         "1|ZH-0001| 王小明 |13800138000|xiaoming.wang@example.com|ENG-BE-01|2026-11-20 09:30:00|"
                         "87.5%|8.5|10|0||通过||沉稳;逻辑清晰；认真;|第一批",
                         &out, &e),
                     0);
    expect_json(out, "{\"vendor\": \"csv_zh\", \"vendor_result_id\": \"ZH-0001\","
                     " \"completed_at\": \"2026-11-20T01:30:00Z\", \"model_version\": \"csv export\","
                     " \"candidate\": {\"name\": \"王小明\", \"email\": \"xiaoming.wang@example.com\","
                     "   \"phone\": \"13800138000\", \"position_code\": \"ENG-BE-01\"},"
                     " \"overall\": 88, \"vendor_recommendation\": \"pass\", \"reason_category\": null,"
                     " \"dimensions\": ["
                     "   {\"key\": \"communication\", \"label_zh\": \"沟通能力\", \"label_en\": \"Communication\","
                     "    \"score\": 85, \"evidence\": null},"
                     "   {\"key\": \"logic\", \"label_zh\": \"逻辑思维\", \"label_en\": \"Logical thinking\","
                     "    \"score\": 100, \"evidence\": null},"
                     "   {\"key\": \"stress\", \"label_zh\": \"抗压能力\", \"label_en\": \"Stress tolerance\","
                     "    \"score\": 0, \"evidence\": null}],"
                     " \"tags\": [\"沉稳\", \"逻辑清晰\", \"认真\"], \"transcript\": [], \"video_url\": null,"
                     " \"key_moments\": []}");
    result_ok(out);
    json_decref(out);

    /* Rejection with a reason; a short row (missing cells are empty). */
    assert_int_equal(
        row(m, c, "2|ZH-0002|李雷||li@example.com|ENG-BE-01|2026/11/20 9:30|55|5|6|7|8|不合适|经验不足", &out, &e), 0);
    assert_string_equal(json_string_value(json_object_get(out, "vendor_recommendation")), "reject");
    assert_string_equal(json_string_value(json_object_get(out, "reason_category")), "experience_insufficient");
    assert_int_equal(json_array_size(json_object_get(out, "dimensions")), 4);
    assert_int_equal(json_array_size(json_object_get(out, "tags")), 0);
    assert_null(json_object_get(json_object_get(out, "candidate"), "phone"));
    json_decref(out);

    /* Row errors name the column. */
    e = (struct err){0};
    assert_int_equal(row(m, c, "3|ZH-3|a|1|a@b.c|P|2026-11-20 09:30:00|80|10.5|1|1|1|通过||", &out, &e), ERR_INVALID);
    assert_string_equal(e.field, "沟通能力");
    assert_null(out);
    e = (struct err){0};
    assert_int_equal(row(m, c, "3|ZH-3|a|1|a@b.c|P|2026-11-20 09:30:00|80|1|1|1|1|也许||", &out, &e), ERR_INVALID);
    assert_string_equal(e.field, "推荐结论");
    e = (struct err){0};
    assert_int_equal(row(m, c, "3|ZH-3|a|1|a@b.c|P|11/20/2026|80|1|1|1|1|通过||", &out, &e), ERR_INVALID);
    assert_string_equal(e.field, "完成时间");
    e = (struct err){0};
    assert_int_equal(row(m, c, "3||a|1|a@b.c|P|2026-11-20 09:30:00|80|1|1|1|1|通过||", &out, &e), ERR_INVALID);
    assert_string_equal(e.field, "面试编号");
    e = (struct err){0};
    assert_int_equal(row(m, c, "3|ZH-3|a|1|a@b.c|P|2026-11-20 09:30:00|||1|1|1|通过||", &out, &e), ERR_INVALID);
    assert_string_equal(e.field, "总分");
    e = (struct err){0};
    assert_int_equal(row(m, c, "3|ZH-3|\xff\xfe|1|a@b.c|P|2026-11-20 09:30:00|80|1|1|1|1|通过||", &out, &e),
                     ERR_INVALID);
    assert_string_equal(e.field, "姓名");
    mapping_cols_free(c);

    /* JSON payloads are refused by a CSV mapping. */
    json_t *p = parse("{}");
    e = (struct err){0};
    assert_int_equal(mapping_apply_json(m, p, &out, &e), ERR_INVALID);
    json_decref(p);
    mapping_free(m);
}

static void csv_headers(void **state)
{
    (void)state;
    char msg[512];
    struct mapping *m = load_vendor("csv_zh");
    header_fails(m, "面试编号,姓名,手机,完成时间,沟通能力,推荐结论", "总分", msg, sizeof(msg));
    assert_non_null(strstr(msg, "总分"));
    assert_non_null(strstr(msg, "missing"));
    header_fails(m, "姓名,总分,完成时间,沟通能力", "面试编号", NULL, 0);
    header_fails(m, "面试编号,总分,完成时间,沟通能力,好奇心", "好奇心", msg, sizeof(msg));
    assert_non_null(strstr(msg, "dimensions.names"));
    header_fails(m, "面试编号,总分,完成时间,总分", "总分", msg, sizeof(msg));
    assert_non_null(strstr(msg, "twice"));
    header_fails(m, "面试编号,总分,完成时间,沟通能力,Communication", "Communication", NULL, 0);
    /* Only the required columns, with spaces around the names: fine. */
    struct mapping_cols *c = header(m, " 面试编号 ,总分,完成时间");
    struct err e = {0};
    json_t *out = NULL;
    assert_int_equal(row(m, c, "Z1|60|2026-11-20 08:00:00", &out, &e), 0);
    assert_int_equal(int_at(out, "overall"), 60);
    assert_int_equal(json_array_size(json_object_get(out, "dimensions")), 0);
    json_decref(out);
    mapping_cols_free(c);

    /* Headers are for CSV mappings only. */
    struct mapping *j = load_vendor("stars");
    int n;
    char buf[64] = "a,b";
    char **cells = split_row(buf, &n);
    e = (struct err){0};
    assert_int_equal(mapping_csv_header(j, cells, n, &c, &e), ERR_INVALID);
    assert_null(c);
    mapping_free(j);
    mapping_free(m);
}

static void csv_explicit_columns(void **state)
{
    (void)state;
    struct mapping *m = load_str(
        "{\"name\": \"x\", \"label\": \"X\", \"format\": \"csv\", \"vendor_result_id\": \"id\","
        " \"completed_at\": {\"column\": \"ts\", \"time\": \"epoch_s\"}, \"candidate\": {\"application_id\": \"app\"},"
        " \"overall\": {\"column\": \"score\", \"scale\": \"unit\"},"
        " \"dimensions\": {\"columns\": {\"comm\": \"communication\", \"Team\": \"teamwork\"}, \"scale\": \"stars5\"},"
        " \"tags\": \"tag\"}");
    struct mapping_cols *c = header(m, "id,ts,app,score,comm,extra");
    struct err e = {0};
    json_t *out = NULL;
    assert_int_equal(row(m, c, "R9|1795138200|42|0.5|3|x|y", &out, &e), 0);
    expect_json(out, "{\"vendor\": \"x\", \"vendor_result_id\": \"R9\", \"completed_at\": \"2026-11-20T01:30:00Z\","
                     " \"model_version\": null, \"candidate\": {\"application_id\": 42}, \"overall\": 50,"
                     " \"vendor_recommendation\": null, \"reason_category\": null,"
                     " \"dimensions\": [{\"key\": \"communication\", \"label_zh\": \"沟通能力\","
                     "   \"label_en\": \"Communication\", \"score\": 60, \"evidence\": null}],"
                     " \"tags\": [], \"transcript\": [], \"video_url\": null, \"key_moments\": []}");
    result_ok(out);
    json_decref(out);
    e = (struct err){0};
    assert_int_equal(row(m, c, "R9|1795138200|-4|0.5|3", &out, &e), ERR_INVALID);
    assert_string_equal(e.field, "app");
    mapping_cols_free(c);
    mapping_free(m);
}

/* ---- signatures ---- */

static void signatures_hex(void **state)
{
    (void)state;
    struct err e = {0};
    const char *body = "{\"interview_id\": \"ST-1\"}";
    const unsigned char secret[] = "s3cret-key";
    size_t slen = sizeof(secret) - 1;
    char hex[65], sig[80];
    const char *h = NULL;

    struct mapping *m = load_vendor("stars");
    assert_true(mapping_signature_header(m, &h));
    assert_string_equal(h, "X-StarRate-Signature");

    crypto_hmac_sha256_hex(secret, slen, body, strlen(body), hex);
    snprintf(sig, sizeof(sig), "sha256=%s", hex);
    assert_int_equal(mapping_verify_signature(m, secret, slen, body, strlen(body), sig, &e), 0);
    /* Upper-case hex and surrounding spaces are fine. */
    char up[90];
    snprintf(up, sizeof(up), "  sha256=%s ", hex);
    for (char *p = up + 9; *p; p++)
        if (*p >= 'a' && *p <= 'f')
            *p = (char)(*p - 'a' + 'A');
    assert_int_equal(mapping_verify_signature(m, secret, slen, body, strlen(body), up, &e), 0);

    /* A flipped hex digit, a changed body, another secret. */
    char bad[80];
    snprintf(bad, sizeof(bad), "%s", sig);
    bad[20] = bad[20] == '0' ? '1' : '0';
    e = (struct err){0};
    assert_int_equal(mapping_verify_signature(m, secret, slen, body, strlen(body), bad, &e), ERR_UNAUTHORIZED);
    assert_string_equal(e.slug, "bad_signature");
    assert_string_equal(e.field, "X-StarRate-Signature");
    e = (struct err){0};
    assert_int_equal(mapping_verify_signature(m, secret, slen, body, strlen(body) - 1, sig, &e), ERR_UNAUTHORIZED);
    e = (struct err){0};
    assert_int_equal(mapping_verify_signature(m, (const unsigned char *)"other", 5, body, strlen(body), sig, &e),
                     ERR_UNAUTHORIZED);
    /* Empty, missing, wrong prefix, no prefix, truncated, too long, not hex, no secret. */
    const char *refused[] = {"", "   ", "sha1=", "sha256=", hex, "SHA256=x", NULL};
    for (int i = 0; refused[i]; i++) {
        e = (struct err){0};
        assert_int_equal(mapping_verify_signature(m, secret, slen, body, strlen(body), refused[i], &e),
                         ERR_UNAUTHORIZED);
    }
    char wrongpfx[80];
    snprintf(wrongpfx, sizeof(wrongpfx), "sha512=%s", hex);
    e = (struct err){0};
    assert_int_equal(mapping_verify_signature(m, secret, slen, body, strlen(body), wrongpfx, &e), ERR_UNAUTHORIZED);
    char shortsig[80];
    snprintf(shortsig, sizeof(shortsig), "%.*s", (int)strlen(sig) - 2, sig);
    e = (struct err){0};
    assert_int_equal(mapping_verify_signature(m, secret, slen, body, strlen(body), shortsig, &e), ERR_UNAUTHORIZED);
    char longsig[90];
    snprintf(longsig, sizeof(longsig), "%s00", sig);
    e = (struct err){0};
    assert_int_equal(mapping_verify_signature(m, secret, slen, body, strlen(body), longsig, &e), ERR_UNAUTHORIZED);
    char nothex[80];
    snprintf(nothex, sizeof(nothex), "%s", sig);
    nothex[10] = 'g';
    e = (struct err){0};
    assert_int_equal(mapping_verify_signature(m, secret, slen, body, strlen(body), nothex, &e), ERR_UNAUTHORIZED);
    e = (struct err){0};
    assert_int_equal(mapping_verify_signature(m, secret, slen, body, strlen(body), NULL, &e), ERR_UNAUTHORIZED);
    e = (struct err){0};
    assert_int_equal(mapping_verify_signature(m, secret, 0, body, strlen(body), sig, &e), ERR_UNAUTHORIZED);
    e = (struct err){0};
    assert_int_equal(mapping_verify_signature(m, NULL, 0, body, strlen(body), sig, &e), ERR_UNAUTHORIZED);
    /* An empty body can be signed too. */
    crypto_hmac_sha256_hex(secret, slen, "", 0, hex);
    snprintf(sig, sizeof(sig), "sha256=%s", hex);
    assert_int_equal(mapping_verify_signature(m, secret, slen, NULL, 0, sig, &e), 0);
    mapping_free(m);

    /* native signs with X-Talentd-Signature. */
    m = load_vendor("native");
    assert_true(mapping_signature_header(m, &h));
    assert_string_equal(h, "X-Talentd-Signature");
    crypto_hmac_sha256_hex(secret, slen, body, strlen(body), hex);
    snprintf(sig, sizeof(sig), "sha256=%s", hex);
    assert_int_equal(mapping_verify_signature(m, secret, slen, body, strlen(body), sig, &e), 0);
    mapping_free(m);

    /* A mapping without a signature block refuses to verify anything. */
    m = load_vendor("csv_zh");
    assert_false(mapping_signature_header(m, &h));
    assert_null(h);
    e = (struct err){0};
    assert_int_equal(mapping_verify_signature(m, secret, slen, body, strlen(body), sig, &e), ERR_UNAUTHORIZED);
    mapping_free(m);
}

static void signatures_base64(void **state)
{
    (void)state;
    struct err e = {0};
    const char *body = "{\"result\": {\"id\": \"A1\"}}";
    const unsigned char secret[] = "another secret";
    size_t slen = sizeof(secret) - 1;
    unsigned char mac[32];
    char b64[64], nopad[64];

    struct mapping *m = load_vendor("analysis");
    crypto_hmac_sha256(secret, slen, body, strlen(body), mac);
    sodium_bin2base64(b64, sizeof(b64), mac, sizeof(mac), sodium_base64_VARIANT_ORIGINAL);
    assert_int_equal(strlen(b64), 44);
    assert_int_equal(mapping_verify_signature(m, secret, slen, body, strlen(body), b64, &e), 0);
    snprintf(nopad, sizeof(nopad), "%.43s", b64);
    assert_int_equal(mapping_verify_signature(m, secret, slen, body, strlen(body), nopad, &e), 0);

    char bad[64];
    snprintf(bad, sizeof(bad), "%s", b64);
    bad[5] = bad[5] == 'A' ? 'B' : 'A';
    e = (struct err){0};
    assert_int_equal(mapping_verify_signature(m, secret, slen, body, strlen(body), bad, &e), ERR_UNAUTHORIZED);
    /* The hex form is not accepted where base64 is expected. */
    char hex[65];
    hex_encode(mac, sizeof(mac), hex);
    e = (struct err){0};
    assert_int_equal(mapping_verify_signature(m, secret, slen, body, strlen(body), hex, &e), ERR_UNAUTHORIZED);
    /* 31 bytes. */
    sodium_bin2base64(b64, sizeof(b64), mac, 31, sodium_base64_VARIANT_ORIGINAL);
    e = (struct err){0};
    assert_int_equal(mapping_verify_signature(m, secret, slen, body, strlen(body), b64, &e), ERR_UNAUTHORIZED);
    mapping_free(m);
}

/* ---- malformed mapping files ---- */

#define HEAD "\"name\": \"m\", \"label\": \"M\", "
#define REQ                                                                                                            \
    "\"vendor_result_id\": \"$.id\", \"completed_at\": \"$.t\", \"candidate\": {\"email\": \"$.e\"},"                  \
    " \"overall\": {\"path\": \"$.o\", \"scale\": \"percent\"}"
#define CSVREQ                                                                                                         \
    "\"vendor_result_id\": \"id\", \"completed_at\": \"t\", \"candidate\": {\"email\": \"e\"},"                        \
    " \"overall\": {\"column\": \"o\", \"scale\": \"percent\"}"

static void malformed_mappings(void **state)
{
    (void)state;
    /* The base is fine. */
    mapping_free(load_str("{" HEAD "\"format\": \"json\", " REQ "}"));
    mapping_free(load_str("{" HEAD "\"format\": \"csv\", " CSVREQ "}"));

    static const struct {
        const char *text, *hint, *field;
    } cases[] = {
        {"[]", NULL, ""},
        {"{\"label\": \"M\", \"format\": \"json\", " REQ "}", NULL, "name"},
        {"{\"name\": \"Bad Name\", \"label\": \"M\", \"format\": \"json\", " REQ "}", NULL, "name"},
        {"{" HEAD "\"format\": \"json\", " REQ "}", "other", "name"},
        {"{\"name\": \"m\", \"format\": \"json\", " REQ "}", NULL, "label"},
        {"{" HEAD "\"format\": \"xml\", " REQ "}", NULL, "format"},
        {"{" HEAD REQ "}", NULL, "format"},
        {"{" HEAD "\"format\": \"json\", \"extra\": 1, " REQ "}", NULL, "extra"},
        {"{" HEAD "\"format\": \"json\", \"completed_at\": \"$.t\", \"candidate\": {\"email\": \"$.e\"},"
         " \"overall\": {\"path\": \"$.o\", \"scale\": \"percent\"}}",
         NULL, "vendor_result_id"},
        {"{" HEAD "\"format\": \"json\", \"vendor_result_id\": \"id\", \"completed_at\": \"$.t\","
         " \"candidate\": {\"email\": \"$.e\"}, \"overall\": {\"path\": \"$.o\", \"scale\": \"percent\"}}",
         NULL, "vendor_result_id"},
        {"{" HEAD "\"format\": \"json\", \"vendor_result_id\": \"$.a[x]\", \"completed_at\": \"$.t\","
         " \"candidate\": {\"email\": \"$.e\"}, \"overall\": {\"path\": \"$.o\", \"scale\": \"percent\"}}",
         NULL, "vendor_result_id"},
        {"{" HEAD "\"format\": \"json\", \"vendor_result_id\": \"$..a\", \"completed_at\": \"$.t\","
         " \"candidate\": {\"email\": \"$.e\"}, \"overall\": {\"path\": \"$.o\", \"scale\": \"percent\"}}",
         NULL, "vendor_result_id"},
        {"{" HEAD "\"format\": \"json\", \"vendor_result_id\": \"$.id\", \"completed_at\": \"$.t\","
         " \"candidate\": {}, \"overall\": {\"path\": \"$.o\", \"scale\": \"percent\"}}",
         NULL, "candidate"},
        {"{" HEAD "\"format\": \"json\", \"vendor_result_id\": \"$.id\", \"completed_at\": \"$.t\","
         " \"candidate\": {\"mail\": \"$.e\"}, \"overall\": {\"path\": \"$.o\", \"scale\": \"percent\"}}",
         NULL, "candidate.mail"},
        {"{" HEAD "\"format\": \"json\", \"vendor_result_id\": \"$.id\", \"completed_at\": \"$.t\","
         " \"candidate\": {\"email\": \"$.e\"}, \"overall\": {\"path\": \"$.o\"}}",
         NULL, "overall.scale"},
        {"{" HEAD "\"format\": \"json\", \"vendor_result_id\": \"$.id\", \"completed_at\": \"$.t\","
         " \"candidate\": {\"email\": \"$.e\"}, \"overall\": {\"path\": \"$.o\", \"scale\": \"stars10\"}}",
         NULL, "overall.scale"},
        {"{" HEAD "\"format\": \"json\", \"vendor_result_id\": \"$.id\", \"completed_at\": \"$.t\","
         " \"candidate\": {\"email\": \"$.e\"}, \"overall\": \"$.o\"}",
         NULL, "overall"},
        {"{" HEAD "\"format\": \"json\", \"vendor_result_id\": \"$.id\", \"completed_at\": \"$.t\","
         " \"candidate\": {\"email\": \"$.e\"}, \"overall\": {\"path\": \"$.o\", \"scale\": \"percent\","
         " \"if_missing\": \"dimension_mean\"}}",
         NULL, "overall.if_missing"},
        {"{" HEAD "\"format\": \"json\", " REQ
         ", \"dimensions\": {\"path\": \"$.d\", \"key\": \"k\", \"score\": \"s\"}}",
         NULL, "dimensions.scale"},
        {"{" HEAD "\"format\": \"json\", " REQ
         ", \"dimensions\": {\"path\": \"$.d\", \"key\": \"k\", \"score\": \"s\", \"scal\": \"ten\"}}",
         NULL, "dimensions.scal"},
        {"{" HEAD "\"format\": \"json\", " REQ
         ", \"dimensions\": {\"path\": \"$.d\", \"score\": \"s\", \"scale\": \"ten\"}}",
         NULL, "dimensions.key"},
        {"{" HEAD "\"format\": \"json\", " REQ
         ", \"dimensions\": {\"path\": \"$.d\", \"key\": \"$.k\", \"score\": \"s\", \"scale\": \"ten\"}}",
         NULL, "dimensions.key"},
        {"{" HEAD "\"format\": \"json\", " REQ
         ", \"dimensions\": {\"path\": \"$.d\", \"key\": \"k\", \"score\": \"s\", \"scale\": \"ten\","
         " \"names\": {\"沟通能力\": \"Communication\"}}}",
         NULL, "dimensions.names.沟通能力"},
        {"{" HEAD "\"format\": \"json\", " REQ
         ", \"dimensions\": {\"path\": \"$.d\", \"key\": \"k\", \"score\": \"s\", \"scale\": \"ten\","
         " \"unknown_dimensions\": \"ignore\"}}",
         NULL, "dimensions.unknown_dimensions"},
        {"{" HEAD "\"format\": \"json\", " REQ
         ", \"dimensions\": {\"path\": \"$.d\", \"shape\": \"object\", \"key\": \"k\", \"scale\": \"ten\"}}",
         NULL, "dimensions.key"},
        {"{" HEAD "\"format\": \"json\", " REQ
         ", \"dimensions\": {\"path\": \"$.d\", \"key\": \"k\", \"score\": \"s\", \"scale\": \"ten\","
         " \"labels\": {\"x\": {\"zh\": \"\"}}}}",
         NULL, "dimensions.labels.x.zh"},
        {"{" HEAD "\"format\": \"json\", " REQ
         ", \"vendor_recommendation\": {\"path\": \"$.r\", \"map\": {\"yes\": \"ok\"}}}",
         NULL, "vendor_recommendation.map.yes"},
        {"{" HEAD "\"format\": \"json\", " REQ
         ", \"vendor_recommendation\": {\"path\": \"$.r\", \"unknown\": \"other\"}}",
         NULL, "vendor_recommendation.unknown"},
        {"{" HEAD "\"format\": \"json\", " REQ ", \"reason_category\": {\"path\": \"$.r\", \"unknown\": \"lazy\"}}",
         NULL, "reason_category.unknown"},
        {"{" HEAD "\"format\": \"json\", " REQ ", \"reason_category\": {\"path\": \"$.r\", \"map\": {\"x\": \"bad\"}}}",
         NULL, "reason_category.map.x"},
        {"{" HEAD "\"format\": \"json\", " REQ
         ", \"transcript\": {\"path\": \"$.tr\", \"start\": \"s\", \"text\": \"t\"}}",
         NULL, "transcript.speaker"},
        {"{" HEAD "\"format\": \"json\", " REQ ", \"transcript\": {\"path\": \"$.tr\", \"start\": \"s\", \"speaker\": "
         "\"p\", \"text\": \"t\", \"unit\": \"min\"}}",
         NULL, "transcript.unit"},
        {"{" HEAD "\"format\": \"json\", " REQ
         ", \"transcript\": {\"path\": \"$.tr\", \"start\": \"s\", \"speaker\": \"p\", \"text\": \"t\","
         " \"speakers\": {\"bot\": \"robot\"}}}",
         NULL, "transcript.speakers.bot"},
        {"{" HEAD "\"format\": \"json\", " REQ ", \"key_moments\": {\"path\": \"$.k\", \"at\": \"a\"}}", NULL,
         "key_moments.label"},
        {"{" HEAD "\"format\": \"json\", " REQ ", \"tags\": {\"path\": \"$.t\", \"split\": \"\"}}", NULL, "tags.split"},
        {"{" HEAD "\"format\": \"json\", " REQ ", \"video_url\": {\"path\": \"$.v\", \"column\": \"v\"}}", NULL,
         "video_url"},
        {"{" HEAD "\"format\": \"json\", " REQ ", \"video_url\": {\"const\": [1]}}", NULL, "video_url.const"},
        {"{" HEAD "\"format\": \"json\", " REQ ", \"video_url\": {\"path\": \"$.v\", \"scale\": \"ten\"}}", NULL,
         "video_url.scale"},
        {"{" HEAD "\"format\": \"json\", " REQ ", \"model_version\": {\"column\": \"m\"}}", NULL,
         "model_version.column"},
        {"{" HEAD "\"format\": \"json\", \"vendor_result_id\": \"$.id\", \"completed_at\": {\"path\": \"$.t\","
         " \"time\": \"local\"}, \"candidate\": {\"email\": \"$.e\"}, \"overall\": {\"path\": \"$.o\", \"scale\": "
         "\"ten\"}}",
         NULL, "completed_at.utc_offset"},
        {"{" HEAD "\"format\": \"json\", \"vendor_result_id\": \"$.id\", \"completed_at\": {\"path\": \"$.t\","
         " \"time\": \"local\", \"utc_offset\": \"+8\"}, \"candidate\": {\"email\": \"$.e\"},"
         " \"overall\": {\"path\": \"$.o\", \"scale\": \"ten\"}}",
         NULL, "completed_at.utc_offset"},
        {"{" HEAD "\"format\": \"json\", \"vendor_result_id\": \"$.id\", \"completed_at\": {\"path\": \"$.t\","
         " \"time\": \"local\", \"utc_offset\": \"+24:00\"}, \"candidate\": {\"email\": \"$.e\"},"
         " \"overall\": {\"path\": \"$.o\", \"scale\": \"ten\"}}",
         NULL, "completed_at.utc_offset"},
        {"{" HEAD "\"format\": \"json\", \"vendor_result_id\": \"$.id\", \"completed_at\": {\"path\": \"$.t\","
         " \"time\": \"epoch_s\", \"utc_offset\": \"+08:00\"}, \"candidate\": {\"email\": \"$.e\"},"
         " \"overall\": {\"path\": \"$.o\", \"scale\": \"ten\"}}",
         NULL, "completed_at.utc_offset"},
        {"{" HEAD "\"format\": \"json\", \"vendor_result_id\": \"$.id\", \"completed_at\": {\"path\": \"$.t\","
         " \"time\": \"unix\"}, \"candidate\": {\"email\": \"$.e\"}, \"overall\": {\"path\": \"$.o\", \"scale\": "
         "\"ten\"}}",
         NULL, "completed_at.time"},
        {"{" HEAD "\"format\": \"json\", " REQ ", \"signature\": {\"header\": \"X-Sig\"}}", NULL,
         "signature.algorithm"},
        {"{" HEAD "\"format\": \"json\", " REQ ", \"signature\": {\"header\": \"X-Sig\", \"algorithm\": \"md5\"}}",
         NULL, "signature.algorithm"},
        {"{" HEAD "\"format\": \"json\", " REQ
         ", \"signature\": {\"header\": \"X-Sig\", \"algorithm\": \"hmac-sha256\", \"encoding\": \"base32\"}}",
         NULL, "signature.encoding"},
        {"{" HEAD "\"format\": \"json\", " REQ
         ", \"signature\": {\"header\": \"X Sig:\", \"algorithm\": \"hmac-sha256\"}}",
         NULL, "signature.header"},
        {"{" HEAD "\"format\": \"json\", " REQ
         ", \"signature\": {\"header\": \"X-Sig\", \"algorithm\": \"hmac-sha256\", \"secret\": \"no\"}}",
         NULL, "signature.secret"},
        {"{" HEAD "\"format\": \"json\", " REQ
         ", \"signature\": {\"header\": \"X-Sig\", \"algorithm\": \"hmac-sha256\", \"prefix\": \"a b\"}}",
         NULL, "signature.prefix"},
        /* csv-specific */
        {"{" HEAD "\"format\": \"csv\", \"vendor_result_id\": \"id\", \"completed_at\": \"t\","
         " \"candidate\": {\"email\": \"e\"}, \"overall\": {\"path\": \"$.o\", \"scale\": \"percent\"}}",
         NULL, "overall.path"},
        {"{" HEAD "\"format\": \"csv\", " CSVREQ ", \"transcript\": {\"path\": \"$.t\"}}", NULL, "transcript"},
        {"{" HEAD "\"format\": \"csv\", " CSVREQ ", \"key_moments\": {\"path\": \"$.k\"}}", NULL, "key_moments"},
        {"{" HEAD "\"format\": \"csv\", " CSVREQ ", \"dimensions\": {\"columns\": \"all\", \"scale\": \"ten\"}}", NULL,
         "dimensions.columns"},
        {"{" HEAD "\"format\": \"csv\", " CSVREQ
         ", \"dimensions\": {\"columns\": {\"沟通\": \"沟通能力\"}, \"scale\": \"ten\"}}",
         NULL, "dimensions.columns.沟通"},
        {"{" HEAD "\"format\": \"csv\", " CSVREQ ", \"dimensions\": {\"path\": \"$.d\", \"scale\": \"ten\"}}", NULL,
         "dimensions.path"},
        {"{" HEAD "\"format\": \"csv\", " CSVREQ
         ", \"dimensions\": {\"columns\": {\"a\": \"x\"}, \"ignore_columns\": [\"b\"], \"scale\": \"ten\"}}",
         NULL, "dimensions.ignore_columns"},
        {"{" HEAD "\"format\": \"csv\", " CSVREQ ", \"video_url\": \"  \"}", NULL, "video_url"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        load_fails(cases[i].text, cases[i].hint, cases[i].field);

    /* The name must agree with the file name. */
    mapping_free(load_str("{" HEAD "\"format\": \"json\", " REQ "}"));
    struct err e = {0};
    struct mapping *m = NULL;
    json_t *j = parse("{" HEAD "\"format\": \"json\", " REQ "}");
    assert_int_equal(mapping_load(j, "m", &m, &e), 0);
    assert_string_equal(mapping_name(m), "m");
    assert_string_equal(mapping_label(m), "M");
    mapping_free(m);
    json_decref(j);
}

static void catalogue_names(void **state)
{
    (void)state;
    /* Vendor names equal to a catalogue label (core/result.h) map to its key, with its labels. */
    struct mapping *m = scale_mapping("rfc3339", "", "percent", "percent", "error");
    json_t *out = apply_ok(m, "{\"id\": \"1\", \"t\": \"2026-01-01T00:00:00Z\", \"o\": 50,"
                              " \"d\": {\"领导力\": 50, \"verbal expression\": 60, \"责任心\": 70}}");
    json_t *dims = json_object_get(out, "dimensions");
    const char *keys[] = {"leadership", "expression", "responsibility"};
    for (size_t i = 0; i < 3; i++) {
        json_t *d = json_array_get(dims, i);
        assert_string_equal(json_string_value(json_object_get(d, "key")), keys[i]);
        assert_string_equal(json_string_value(json_object_get(d, "label_zh")), result_dim_label(keys[i], 0));
        assert_string_equal(json_string_value(json_object_get(d, "label_en")), result_dim_label(keys[i], 1));
    }
    json_decref(out);
    mapping_free(m);
}

int main(void)
{
    if (crypto_setup() != 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(native_is_identity),   cmocka_unit_test(native_minimal_and_errors),
        cmocka_unit_test(stars_full),           cmocka_unit_test(stars_edges),
        cmocka_unit_test(analysis_full),        cmocka_unit_test(analysis_status_and_errors),
        cmocka_unit_test(scale_conversions),    cmocka_unit_test(times),
        cmocka_unit_test(unknown_dimensions),   cmocka_unit_test(paths_and_constants),
        cmocka_unit_test(csv_zh_full),          cmocka_unit_test(csv_headers),
        cmocka_unit_test(csv_explicit_columns), cmocka_unit_test(signatures_hex),
        cmocka_unit_test(signatures_base64),    cmocka_unit_test(malformed_mappings),
        cmocka_unit_test(catalogue_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

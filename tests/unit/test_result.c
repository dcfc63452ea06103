/* test_result.c - src/core/result.c: validation of a normalised AI
 * interview result (docs/results.md) and its canonical JSON form. */
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

/* The example of docs/results.md. */
static const char EXAMPLE[] =
    "{\"vendor\": \"native\", \"vendor_result_id\": \"R-2026-000123\", \"completed_at\": \"2026-11-20T09:30:00Z\","
    " \"model_version\": \"interview-ai 4.2\","
    " \"candidate\": {\"application_id\": 42, \"external_id\": \"ATS-7781\", \"name\": \"王小明\","
    "   \"email\": \"xiaoming.wang@example.com\", \"phone\": \"+86 138 0013 8000\", \"position_code\": \"ENG-BE-01\"},"
    " \"overall\": 78, \"vendor_recommendation\": \"pass\", \"reason_category\": null,"
    " \"dimensions\": ["
    "   {\"key\": \"communication\", \"label_zh\": \"沟通能力\", \"label_en\": \"Communication\", \"score\": 82,"
    "    \"evidence\": \"Explained the trade-off clearly with a concrete example.\"},"
    "   {\"key\": \"logic\", \"label_zh\": \"逻辑思维\", \"label_en\": \"Logical thinking\", \"score\": 90,"
    "    \"evidence\": null}],"
    " \"tags\": [\"structured\", \"calm under pressure\"],"
    " \"transcript\": ["
    "   {\"start_ms\": 0, \"end_ms\": 5200, \"speaker\": \"ai\", \"text\": \"请先做一个简单的自我介绍。\"},"
    "   {\"start_ms\": 5200, \"end_ms\": 48100, \"speaker\": \"candidate\", \"text\": \"我叫王小明……\"}],"
    " \"video_url\": \"https://video.example.com/r/R-2026-000123.mp4\","
    " \"key_moments\": [{\"at_ms\": 31000, \"label\": \"STAR example: the payment outage\"}]}";

/* Its canonical form, json_dumps(JSON_COMPACT | JSON_SORT_KEYS). */
static const char EXAMPLE_CANONICAL[] =
    "{\"candidate\":{\"application_id\":42,\"email\":\"xiaoming.wang@example.com\",\"external_id\":\"ATS-7781\","
    "\"name\":\"王小明\",\"phone\":\"+86 138 0013 8000\",\"position_code\":\"ENG-BE-01\"},"
    "\"completed_at\":\"2026-11-20T09:30:00Z\","
    "\"dimensions\":[{\"evidence\":\"Explained the trade-off clearly with a concrete example.\","
    "\"key\":\"communication\",\"label_en\":\"Communication\",\"label_zh\":\"沟通能力\",\"score\":82},"
    "{\"evidence\":null,\"key\":\"logic\",\"label_en\":\"Logical thinking\",\"label_zh\":\"逻辑思维\",\"score\":90}],"
    "\"key_moments\":[{\"at_ms\":31000,\"label\":\"STAR example: the payment outage\"}],"
    "\"model_version\":\"interview-ai 4.2\",\"overall\":78,\"reason_category\":null,\"tags\":[\"structured\","
    "\"calm under pressure\"],\"transcript\":[{\"end_ms\":5200,\"speaker\":\"ai\",\"start_ms\":0,"
    "\"text\":\"请先做一个简单的自我介绍。\"},{\"end_ms\":48100,\"speaker\":\"candidate\",\"start_ms\":5200,"
    "\"text\":\"我叫王小明……\"}],\"vendor\":\"native\",\"vendor_recommendation\":\"pass\","
    "\"vendor_result_id\":\"R-2026-000123\",\"video_url\":\"https://video.example.com/r/R-2026-000123.mp4\"}";

static json_t *load(const char *text)
{
    json_error_t je;
    json_t *v = json_loads(text, 0, &je);
    if (!v)
        fail_msg("test JSON does not parse: %s at %d", je.text, je.position);
    return v;
}

static json_t *example(void)
{
    return load(EXAMPLE);
}

/* The smallest valid payload. */
static json_t *minimal(void)
{
    return load("{\"vendor\": \"acme\", \"vendor_result_id\": \"1\", \"completed_at\": \"2026-01-02T03:04:05Z\","
                " \"candidate\": {\"email\": \"a@b.c\"}, \"overall\": 50}");
}

/* Sets the value at path ("a", "a.b", "dimensions[1].score", "tags[0]") in
 * root, stealing value; value NULL deletes the key. Returns root. */
static json_t *put(json_t *root, const char *path, json_t *value)
{
    char buf[128];
    snprintf(buf, sizeof(buf), "%s", path);
    json_t *cur = root;
    char *save = NULL;
    char *tok = strtok_r(buf, ".", &save);
    while (tok) {
        char *next = strtok_r(NULL, ".", &save);
        char *br = strchr(tok, '[');
        long idx = -1;
        if (br) {
            *br = '\0';
            idx = strtol(br + 1, NULL, 10);
        }
        if (!next) {
            if (idx >= 0) {
                json_t *arr = json_object_get(cur, tok);
                assert_non_null(arr);
                if (value)
                    assert_int_equal(json_array_set_new(arr, (size_t)idx, value), 0);
                else
                    json_array_remove(arr, (size_t)idx);
            } else if (value) {
                assert_int_equal(json_object_set_new(cur, tok, value), 0);
            } else {
                json_object_del(cur, tok);
            }
            return root;
        }
        cur = json_object_get(cur, tok);
        if (idx >= 0)
            cur = json_array_get(cur, (size_t)idx);
        assert_non_null(cur);
        tok = next;
    }
    return root;
}

/* A fresh string of unit repeated n times. */
static json_t *rep(const char *unit, int n)
{
    size_t u = strlen(unit);
    char *s = malloc(u * (size_t)n + 1);
    assert_non_null(s);
    for (int i = 0; i < n; i++)
        memcpy(s + u * (size_t)i, unit, u);
    s[u * (size_t)n] = '\0';
    json_t *v = json_string(s);
    free(s);
    assert_non_null(v);
    return v;
}

/* Parses in (then releases it) and expects refusal at field with slug. */
static void refused(json_t *in, const char *field, const char *slug)
{
    struct result r;
    struct err e;
    err_clear(&e);
    memset(&r, 0xAB, sizeof(r));
    int rc = result_parse(in, &r, &e);
    if (rc != ERR_INVALID || strcmp(e.field, field) != 0 || strcmp(e.slug, slug) != 0)
        fail_msg("expected %s/%s, got rc %d field '%s' slug '%s': %s", field, slug, rc, e.field, e.slug, e.message);
    assert_null(r.normalised);
    assert_null(r.vendor);
    assert_int_equal(r.ndims, 0);
    assert_true(strlen(e.message) > 0);
    json_decref(in);
}

/* Parses in (then releases it) and expects success; returns the canonical
 * dump (caller frees) or NULL when canon is 0. */
static char *accepted(json_t *in, int canon)
{
    struct result r;
    struct err e;
    err_clear(&e);
    int rc = result_parse(in, &r, &e);
    if (rc != 0)
        fail_msg("refused: field '%s' slug '%s': %s", e.field, e.slug, e.message);
    char *s = canon ? json_dumps(r.normalised, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    result_free(&r);
    json_decref(in);
    return s;
}

/* The canonical value at key of the first-level object of in after parsing
 * (as a compact dump, caller frees). */
static char *canonical_of(json_t *in, const char *key)
{
    struct result r;
    struct err e;
    err_clear(&e);
    int rc = result_parse(in, &r, &e);
    if (rc != 0)
        fail_msg("refused: field '%s' slug '%s': %s", e.field, e.slug, e.message);
    char *s = json_dumps(json_object_get(r.normalised, key), JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    result_free(&r);
    json_decref(in);
    return s;
}

static void assert_canonical(json_t *in, const char *key, const char *want)
{
    char *got = canonical_of(in, key);
    assert_string_equal(got, want);
    free(got);
}

/* ---- the whole payload ---- */

static void example_round_trips(void **state)
{
    (void)state;
    json_t *in = example();
    char *before = json_dumps(in, JSON_COMPACT | JSON_SORT_KEYS);
    struct result r;
    struct err e;
    err_clear(&e);
    assert_int_equal(result_parse(in, &r, &e), 0);
    assert_int_equal(e.code, 0);

    assert_string_equal(r.vendor, "native");
    assert_string_equal(r.vendor_result_id, "R-2026-000123");
    assert_string_equal(r.model_version, "interview-ai 4.2");
    assert_string_equal(r.vendor_recommendation, "pass");
    assert_null(r.reason_category);
    assert_string_equal(r.video_url, "https://video.example.com/r/R-2026-000123.mp4");
    assert_int_equal(r.completed_at, INT64_C(1795167000000)); /* 2026-11-20T09:30:00Z */
    assert_int_equal(r.overall, 78);
    assert_int_equal(r.application_id, 42);
    assert_string_equal(r.external_id, "ATS-7781");
    assert_string_equal(r.name, "王小明");
    assert_string_equal(r.email, "xiaoming.wang@example.com");
    assert_string_equal(r.phone, "+86 138 0013 8000");
    assert_string_equal(r.position_code, "ENG-BE-01");
    assert_int_equal(r.ndims, 2);
    assert_string_equal(r.dims[0].key, "communication");
    assert_string_equal(r.dims[0].label_zh, "沟通能力");
    assert_string_equal(r.dims[0].label_en, "Communication");
    assert_int_equal(r.dims[0].score, 82);
    assert_string_equal(r.dims[0].evidence, "Explained the trade-off clearly with a concrete example.");
    assert_string_equal(r.dims[1].key, "logic");
    assert_int_equal(r.dims[1].score, 90);
    assert_null(r.dims[1].evidence);
    assert_int_equal(r.ntags, 2);
    assert_int_equal(r.nsegments, 2);
    assert_int_equal(r.nmoments, 1);

    char *canon = json_dumps(r.normalised, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(canon, EXAMPLE_CANONICAL);
    /* The input is neither modified nor stolen. */
    char *after = json_dumps(in, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(before, after);
    assert_int_equal(in->refcount, 1);

    /* The canonical form is itself a valid payload with the same canonical form. */
    struct result r2;
    assert_int_equal(result_parse(r.normalised, &r2, &e), 0);
    char *canon2 = json_dumps(r2.normalised, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(canon2, canon);

    free(canon);
    free(canon2);
    free(before);
    free(after);
    result_free(&r2);
    result_free(&r);
    assert_null(r.normalised);
    result_free(&r); /* twice is fine */
    result_free(NULL);
    json_decref(in);
}

static void minimal_payload_gets_every_key(void **state)
{
    (void)state;
    struct result r;
    struct err e;
    err_clear(&e);
    json_t *in = minimal();
    assert_int_equal(result_parse(in, &r, &e), 0);
    char *canon = json_dumps(r.normalised, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(canon, "{\"candidate\":{\"email\":\"a@b.c\"},\"completed_at\":\"2026-01-02T03:04:05Z\","
                               "\"dimensions\":[],\"key_moments\":[],\"model_version\":null,\"overall\":50,"
                               "\"reason_category\":null,\"tags\":[],\"transcript\":[],\"vendor\":\"acme\","
                               "\"vendor_recommendation\":null,\"vendor_result_id\":\"1\",\"video_url\":null}");
    assert_null(r.model_version);
    assert_null(r.video_url);
    assert_null(r.name);
    assert_int_equal(r.application_id, 0);
    assert_int_equal(r.ndims + r.ntags + r.nsegments + r.nmoments, 0);
    free(canon);
    result_free(&r);
    json_decref(in);

    /* Explicit nulls and empty arrays mean the same as absent keys. */
    in = put(put(put(put(minimal(), "model_version", json_null()), "dimensions", json_null()), "tags", json_array()),
             "video_url", json_null());
    char *a = accepted(in, 1), *b = accepted(minimal(), 1);
    assert_string_equal(a, b);
    free(a);
    free(b);
}

static void not_an_object(void **state)
{
    (void)state;
    refused(json_array(), "", "wrong_type");
    refused(json_string("x"), "", "wrong_type");
    struct result r;
    struct err e;
    err_clear(&e);
    assert_int_equal(result_parse(NULL, &r, &e), ERR_INVALID);
    assert_string_equal(e.slug, "wrong_type");
    assert_null(r.normalised);
}

static void keeps_an_earlier_error(void **state)
{
    (void)state;
    struct result r;
    struct err e;
    err_clear(&e);
    err_set(&e, ERR_CONFLICT, "first", "f", "first error");
    json_t *in = put(minimal(), "overall", json_integer(101));
    assert_int_equal(result_parse(in, &r, &e), ERR_INVALID);
    assert_string_equal(e.slug, "first");
    assert_int_equal(result_parse(in, &r, NULL), ERR_INVALID); /* NULL e is fine */
    json_decref(in);
}

/* ---- field by field ---- */

static void required_fields(void **state)
{
    (void)state;
    static const char *const top[] = {"vendor", "vendor_result_id", "completed_at", "candidate", "overall"};
    for (size_t i = 0; i < sizeof(top) / sizeof(top[0]); i++) {
        refused(put(example(), top[i], NULL), top[i], "required");
        refused(put(example(), top[i], json_null()), top[i], "required");
    }
    refused(put(example(), "vendor", json_string("")), "vendor", "required");
    refused(put(example(), "vendor_result_id", json_string("")), "vendor_result_id", "required");
    refused(put(example(), "completed_at", json_string("")), "completed_at", "required");

    static const char *const nested[] = {"dimensions[1].key",    "dimensions[1].score",   "transcript[1].start_ms",
                                         "transcript[1].end_ms", "transcript[1].speaker", "transcript[1].text",
                                         "key_moments[0].at_ms", "key_moments[0].label"};
    for (size_t i = 0; i < sizeof(nested) / sizeof(nested[0]); i++) {
        refused(put(example(), nested[i], NULL), nested[i], "required");
        refused(put(example(), nested[i], json_null()), nested[i], "required");
    }
    refused(put(example(), "transcript[0].text", json_string("")), "transcript[0].text", "required");
    refused(put(example(), "key_moments[0].label", json_string("")), "key_moments[0].label", "required");
    refused(put(example(), "tags[1]", json_string("")), "tags[1]", "required");
    refused(put(example(), "tags[1]", json_string("  \xe3\x80\x80 ")), "tags[1]", "required");
    refused(put(example(), "tags[1]", json_null()), "tags[1]", "required");
}

static void candidate_needs_a_hint(void **state)
{
    (void)state;
    refused(put(example(), "candidate", json_object()), "candidate", "required");
    /* Blank and null hints are absent hints. */
    refused(put(example(), "candidate", load("{\"email\": \"\", \"name\": \"  \", \"phone\": null}")), "candidate",
            "required");
    refused(put(example(), "candidate", json_string("42")), "candidate", "wrong_type");
    refused(put(example(), "candidate", json_array()), "candidate", "wrong_type");
    assert_canonical(put(example(), "candidate", load("{\"application_id\": 7, \"email\": \" \", \"name\": null}")),
                     "candidate", "{\"application_id\":7}");
    assert_canonical(put(example(), "candidate", load("{\"name\": \" 王小明\xe3\x80\x80\"}")), "candidate",
                     "{\"name\":\"王小明\"}");
}

static void wrong_types(void **state)
{
    (void)state;
    refused(put(example(), "vendor", json_integer(5)), "vendor", "wrong_type");
    refused(put(example(), "vendor_result_id", json_integer(123)), "vendor_result_id", "wrong_type");
    refused(put(example(), "completed_at", json_integer(1795167000000)), "completed_at", "wrong_type");
    refused(put(example(), "model_version", json_array()), "model_version", "wrong_type");
    refused(put(example(), "overall", json_string("78")), "overall", "wrong_type");
    refused(put(example(), "overall", json_true()), "overall", "wrong_type");
    refused(put(example(), "overall", json_false()), "overall", "wrong_type");
    refused(put(example(), "vendor_recommendation", json_true()), "vendor_recommendation", "wrong_type");
    refused(put(example(), "reason_category", json_integer(1)), "reason_category", "wrong_type");
    refused(put(example(), "dimensions", json_object()), "dimensions", "wrong_type");
    refused(put(example(), "dimensions[0]", json_string("communication")), "dimensions[0]", "wrong_type");
    refused(put(example(), "dimensions[0].score", json_string("82")), "dimensions[0].score", "wrong_type");
    refused(put(example(), "dimensions[0].score", json_true()), "dimensions[0].score", "wrong_type");
    refused(put(example(), "dimensions[0].key", json_integer(1)), "dimensions[0].key", "wrong_type");
    refused(put(example(), "dimensions[0].label_zh", json_integer(1)), "dimensions[0].label_zh", "wrong_type");
    refused(put(example(), "dimensions[0].evidence", json_object()), "dimensions[0].evidence", "wrong_type");
    refused(put(example(), "tags", json_string("structured")), "tags", "wrong_type");
    refused(put(example(), "tags[0]", json_integer(1)), "tags[0]", "wrong_type");
    refused(put(example(), "transcript", json_object()), "transcript", "wrong_type");
    refused(put(example(), "transcript[1]", json_null()), "transcript[1]", "wrong_type");
    refused(put(example(), "transcript[1].start_ms", json_string("0")), "transcript[1].start_ms", "wrong_type");
    refused(put(example(), "transcript[1].end_ms", json_true()), "transcript[1].end_ms", "wrong_type");
    refused(put(example(), "transcript[1].end_ms", json_real(48100.5)), "transcript[1].end_ms", "wrong_type");
    refused(put(example(), "transcript[0].speaker", json_integer(0)), "transcript[0].speaker", "wrong_type");
    refused(put(example(), "video_url", json_integer(1)), "video_url", "wrong_type");
    refused(put(example(), "key_moments", json_string("x")), "key_moments", "wrong_type");
    refused(put(example(), "key_moments[0]", json_integer(3)), "key_moments[0]", "wrong_type");
    refused(put(example(), "key_moments[0].at_ms", json_string("31000")), "key_moments[0].at_ms", "wrong_type");
    refused(put(example(), "candidate.application_id", json_string("42")), "candidate.application_id", "wrong_type");
    refused(put(example(), "candidate.application_id", json_real(4.5)), "candidate.application_id", "wrong_type");
    refused(put(example(), "candidate.application_id", json_true()), "candidate.application_id", "wrong_type");
    refused(put(example(), "candidate.email", json_integer(1)), "candidate.email", "wrong_type");
    refused(put(example(), "candidate.phone", json_integer(13800138000)), "candidate.phone", "wrong_type");
}

static void number_ranges(void **state)
{
    (void)state;
    refused(put(example(), "overall", json_integer(101)), "overall", "out_of_range");
    refused(put(example(), "overall", json_real(100.4)), "overall", "out_of_range");
    refused(put(example(), "overall", json_real(-0.1)), "overall", "out_of_range");
    refused(put(example(), "overall", json_real(1e308)), "overall", "out_of_range");
    refused(put(example(), "dimensions[1].score", json_integer(-1)), "dimensions[1].score", "out_of_range");
    refused(put(example(), "dimensions[1].score", json_real(100.01)), "dimensions[1].score", "out_of_range");
    refused(put(example(), "candidate.application_id", json_integer(0)), "candidate.application_id", "out_of_range");
    refused(put(example(), "candidate.application_id", json_integer(-3)), "candidate.application_id", "out_of_range");
    refused(put(example(), "candidate.application_id", json_real(1e300)), "candidate.application_id", "out_of_range");
    refused(put(example(), "transcript[0].start_ms", json_integer(-1)), "transcript[0].start_ms", "out_of_range");
    refused(put(example(), "key_moments[0].at_ms", json_integer(-1)), "key_moments[0].at_ms", "out_of_range");
    refused(put(example(), "transcript[1].end_ms", json_integer(5199)), "transcript[1].end_ms", "out_of_range");

    /* Edges that are fine: 0 and 100, start_ms == end_ms, integral reals. */
    free(accepted(put(put(example(), "overall", json_integer(0)), "dimensions[0].score", json_integer(100)), 0));
    free(accepted(put(example(), "transcript[1].end_ms", json_integer(5200)), 0));
    assert_canonical(
        put(put(example(), "transcript[1].end_ms", json_real(48100.0)), "transcript[1].start_ms", json_real(5200.0)),
        "transcript",
        "[{\"end_ms\":5200,\"speaker\":\"ai\",\"start_ms\":0,\"text\":\"请先做一个简单的自我介绍。\"},"
        "{\"end_ms\":48100,\"speaker\":\"candidate\",\"start_ms\":5200,\"text\":\"我叫王小明……\"}]");
    assert_canonical(put(example(), "candidate", load("{\"application_id\": 42.0}")), "candidate",
                     "{\"application_id\":42}");
}

static void scores_round_half_away_from_zero(void **state)
{
    (void)state;
    assert_canonical(put(example(), "overall", json_real(82.5)), "overall", "83");
    assert_canonical(put(example(), "overall", json_real(82.49)), "overall", "82");
    assert_canonical(put(example(), "overall", json_real(0.5)), "overall", "1");
    assert_canonical(put(example(), "overall", json_real(99.5)), "overall", "100");
    assert_canonical(put(example(), "overall", json_real(0.4)), "overall", "0");
    struct result r;
    struct err e;
    err_clear(&e);
    json_t *in = put(example(), "dimensions[0].score", json_real(81.5));
    assert_int_equal(result_parse(in, &r, &e), 0);
    assert_int_equal(r.dims[0].score, 82);
    result_free(&r);
    json_decref(in);
}

static void completed_at_formats(void **state)
{
    (void)state;
    assert_canonical(put(example(), "completed_at", json_string("2026-11-20T17:30:00+08:00")), "completed_at",
                     "\"2026-11-20T09:30:00Z\"");
    assert_canonical(put(example(), "completed_at", json_string("2026-11-20T09:30:00.000Z")), "completed_at",
                     "\"2026-11-20T09:30:00Z\"");
    assert_canonical(put(example(), "completed_at", json_string("2026-11-20t09:30:00.25z")), "completed_at",
                     "\"2026-11-20T09:30:00.250Z\"");
    assert_canonical(put(example(), "completed_at", json_string("2026-11-20")), "completed_at",
                     "\"2026-11-20T00:00:00Z\"");
    refused(put(example(), "completed_at", json_string("yesterday")), "completed_at", "invalid_value");
    refused(put(example(), "completed_at", json_string("2026-13-01T00:00:00Z")), "completed_at", "invalid_value");
    refused(put(example(), "completed_at", json_string("2026-11-20T09:30:00")), "completed_at", "invalid_value");
    refused(put(example(), "completed_at", json_string("2026-11-20T09:30:00Z ")), "completed_at", "invalid_value");
}

static void lengths_count_characters(void **state)
{
    (void)state;
    /* 64 Chinese characters are 192 bytes and still fit a 64-character label. */
    free(accepted(put(example(), "dimensions[0].label_zh", rep("沟", 64)), 0));
    refused(put(example(), "dimensions[0].label_zh", rep("沟", 65)), "dimensions[0].label_zh", "too_long");
    free(accepted(put(example(), "dimensions[0].label_en", rep("a", 64)), 0));
    refused(put(example(), "dimensions[0].label_en", rep("a", 65)), "dimensions[0].label_en", "too_long");
    free(accepted(put(example(), "vendor_result_id", rep("号", 128)), 0));
    refused(put(example(), "vendor_result_id", rep("号", 129)), "vendor_result_id", "too_long");
    free(accepted(put(example(), "model_version", rep("版", 64)), 0));
    refused(put(example(), "model_version", rep("版", 65)), "model_version", "too_long");
    free(accepted(put(example(), "dimensions[0].evidence", rep("证", 2000)), 0));
    refused(put(example(), "dimensions[0].evidence", rep("证", 2001)), "dimensions[0].evidence", "too_long");
    free(accepted(put(example(), "transcript[0].text", rep("字", 4000)), 0));
    refused(put(example(), "transcript[0].text", rep("字", 4001)), "transcript[0].text", "too_long");
    free(accepted(put(example(), "tags[0]", rep("标", 64)), 0));
    refused(put(example(), "tags[0]", rep("标", 65)), "tags[0]", "too_long");
    free(accepted(put(example(), "key_moments[0].label", rep("刻", 200)), 0));
    refused(put(example(), "key_moments[0].label", rep("刻", 201)), "key_moments[0].label", "too_long");
    free(accepted(put(example(), "candidate.name", rep("名", 128)), 0));
    refused(put(example(), "candidate.name", rep("名", 129)), "candidate.name", "too_long");
    free(accepted(put(example(), "candidate.external_id", rep("x", 128)), 0));
    refused(put(example(), "candidate.external_id", rep("x", 129)), "candidate.external_id", "too_long");
    free(accepted(put(example(), "candidate.position_code", rep("P", 64)), 0));
    refused(put(example(), "candidate.position_code", rep("P", 65)), "candidate.position_code", "too_long");

    char url[2100];
    snprintf(url, sizeof(url), "https://v.example.com/%s", "");
    size_t n = strlen(url);
    memset(url + n, 'a', 2048 - n);
    url[2048] = '\0';
    free(accepted(put(example(), "video_url", json_string(url)), 0));
    url[2048] = 'a';
    url[2049] = '\0';
    refused(put(example(), "video_url", json_string(url)), "video_url", "too_long");

    /* A CRLF counts as one character: 2000 of them fit evidence. */
    free(accepted(put(example(), "dimensions[0].evidence", rep("\r\n", 2000)), 0));
}

static void control_characters(void **state)
{
    (void)state;
    refused(put(example(), "vendor_result_id", json_string("R-1\x01")), "vendor_result_id", "invalid_value");
    refused(put(example(), "vendor_result_id", json_string("R-1\n")), "vendor_result_id", "invalid_value");
    refused(put(example(), "candidate.name", json_string("王\n小明")), "candidate.name", "invalid_value");
    refused(put(example(), "candidate.name", json_string("王\t小明")), "candidate.name", "invalid_value");
    /* Trimming does not hide a control character at the end. */
    refused(put(example(), "candidate.email", json_string("a@b.c\n")), "candidate.email", "invalid_value");
    refused(put(example(), "dimensions[0].label_zh", json_string("沟通\t能力")), "dimensions[0].label_zh",
            "invalid_value");
    refused(put(example(), "tags[0]", json_string("a\x7f")), "tags[0]", "invalid_value");
    refused(put(example(), "key_moments[0].label", json_string("a\nb")), "key_moments[0].label", "invalid_value");
    refused(put(example(), "model_version", json_string("v\xc2\x85")), "model_version", "invalid_value"); /* C1 */
    refused(put(example(), "transcript[0].text", json_string("a\x1b[31m")), "transcript[0].text", "invalid_value");
    refused(put(example(), "dimensions[0].evidence", json_string("a\rb")), "dimensions[0].evidence", "invalid_value");
    /* Newlines and tabs are fine in evidence and transcript text; CRLF becomes LF. */
    assert_canonical(put(example(), "dimensions[0].evidence", json_string("line 1\r\n\tline 2\n")), "dimensions",
                     "[{\"evidence\":\"line 1\\n\\tline 2\\n\",\"key\":\"communication\",\"label_en\":"
                     "\"Communication\",\"label_zh\":\"沟通能力\",\"score\":82},{\"evidence\":null,\"key\":\"logic\","
                     "\"label_en\":\"Logical thinking\",\"label_zh\":\"逻辑思维\",\"score\":90}]");
    free(accepted(put(example(), "transcript[0].text", json_string("第一行\n\t第二行")), 0));
}

static void invalid_utf8_and_nul(void **state)
{
    (void)state;
    refused(put(example(), "candidate.name", json_stringn_nocheck("\xff\xfe", 2)), "candidate.name", "invalid_value");
    refused(put(example(), "dimensions[0].evidence", json_stringn_nocheck("a\xc0\xaf", 3)), "dimensions[0].evidence",
            "invalid_value");
    refused(put(example(), "transcript[1].text", json_stringn_nocheck("\xe4\xb8", 2)), "transcript[1].text",
            "invalid_value"); /* truncated */
    refused(put(example(), "tags[1]", json_stringn_nocheck("\xed\xa0\x80", 3)), "tags[1]", "invalid_value");
    refused(put(example(), "vendor_result_id", json_stringn_nocheck("a\0b", 3)), "vendor_result_id", "invalid_value");
    refused(put(example(), "candidate.email", json_stringn_nocheck("a@b.c\0x", 7)), "candidate.email", "invalid_value");
}

static void unknown_fields_at_every_level(void **state)
{
    (void)state;
    refused(put(example(), "score", json_integer(1)), "score", "unknown_field");
    refused(put(example(), "candidate.wechat", json_string("x")), "candidate.wechat", "unknown_field");
    refused(put(example(), "dimensions[1].weight", json_integer(1)), "dimensions[1].weight", "unknown_field");
    refused(put(example(), "transcript[0].lang", json_string("zh")), "transcript[0].lang", "unknown_field");
    refused(put(example(), "key_moments[0].end_ms", json_integer(1)), "key_moments[0].end_ms", "unknown_field");
    /* A key that cannot be printed is not copied into the field path. */
    json_t *in = example();
    json_object_set_new_nocheck(in, "bad\x01key", json_null());
    refused(in, "bad", "unknown_field");
}

static void vendor_and_dimension_keys(void **state)
{
    (void)state;
    refused(put(example(), "vendor", json_string("Native")), "vendor", "invalid_value");
    refused(put(example(), "vendor", json_string("a.b")), "vendor", "invalid_value");
    refused(put(example(), "vendor", json_string("供应商")), "vendor", "invalid_value");
    refused(put(example(), "vendor", rep("v", 33)), "vendor", "too_long");
    free(accepted(put(example(), "vendor", json_string("mianshi-ai_2")), 0));
    refused(put(example(), "dimensions[0].key", json_string("Logic")), "dimensions[0].key", "invalid_value");
    refused(put(example(), "dimensions[0].key", json_string("1st")), "dimensions[0].key", "invalid_value");
    refused(put(example(), "dimensions[0].key", json_string("problem-solving")), "dimensions[0].key", "invalid_value");
    refused(put(example(), "dimensions[0].key", json_string("")), "dimensions[0].key", "required");
    refused(put(example(), "dimensions[0].key", rep("k", 33)), "dimensions[0].key", "too_long");
    free(accepted(put(example(), "dimensions[0].key", rep("k", 32)), 0));
    refused(put(example(), "dimensions[1].key", json_string("communication")), "dimensions[1].key", "duplicate");
}

static void enumerations(void **state)
{
    (void)state;
    refused(put(example(), "reason_category", json_string("lazy")), "reason_category", "invalid_value");
    refused(put(example(), "reason_category", json_string("Skills_mismatch")), "reason_category", "invalid_value");
    assert_canonical(put(example(), "reason_category", json_string("skills_mismatch")), "reason_category",
                     "\"skills_mismatch\"");
    assert_canonical(put(example(), "reason_category", json_string("")), "reason_category", "null");
    refused(put(example(), "vendor_recommendation", json_string("maybe")), "vendor_recommendation", "invalid_value");
    refused(put(example(), "vendor_recommendation", json_string("PASS")), "vendor_recommendation", "invalid_value");
    assert_canonical(put(example(), "vendor_recommendation", json_string("reject")), "vendor_recommendation",
                     "\"reject\"");
    refused(put(example(), "transcript[0].speaker", json_string("bot")), "transcript[0].speaker", "invalid_value");
    refused(put(example(), "transcript[0].speaker", json_string("")), "transcript[0].speaker", "required");
    free(accepted(put(example(), "transcript[0].speaker", json_string("interviewer")), 0));
}

static void video_urls(void **state)
{
    (void)state;
    refused(put(example(), "video_url", json_string("ftp://video.example.com/a.mp4")), "video_url", "invalid_value");
    refused(put(example(), "video_url", json_string("javascript:alert(1)")), "video_url", "invalid_value");
    refused(put(example(), "video_url", json_string("//video.example.com/a.mp4")), "video_url", "invalid_value");
    refused(put(example(), "video_url", json_string("https://")), "video_url", "invalid_value");
    refused(put(example(), "video_url", json_string("https:///path")), "video_url", "invalid_value");
    refused(put(example(), "video_url", json_string("http://?x=1")), "video_url", "invalid_value");
    refused(put(example(), "video_url", json_string("https://a b.com/x")), "video_url", "invalid_value");
    refused(put(example(), "video_url", json_string("https://a.com/x\n")), "video_url", "invalid_value");
    assert_canonical(put(example(), "video_url", json_string("HTTPS://Video.Example.com/A.mp4")), "video_url",
                     "\"https://Video.Example.com/A.mp4\"");
    assert_canonical(put(example(), "video_url", json_string("http://v.example.com/1")), "video_url",
                     "\"http://v.example.com/1\"");
    assert_canonical(put(example(), "video_url", json_string("")), "video_url", "null");
}

static void emails_and_phones(void **state)
{
    (void)state;
    static const char *const bad_emails[] = {"ab", "a@@b", "@b.com", "a@", "a@b@c", "a b@c.com", "a@b\u3000c"};
    for (size_t i = 0; i < sizeof(bad_emails) / sizeof(bad_emails[0]); i++)
        refused(put(example(), "candidate.email", json_string(bad_emails[i])), "candidate.email", "invalid_value");
    char buf[300];
    memset(buf, 'a', 250);
    snprintf(buf + 250, sizeof(buf) - 250, "@b.c"); /* 254 characters */
    free(accepted(put(example(), "candidate.email", json_string(buf)), 0));
    snprintf(buf + 250, sizeof(buf) - 250, "@bc.d"); /* 255 */
    refused(put(example(), "candidate.email", json_string(buf)), "candidate.email", "too_long");
    assert_canonical(put(example(), "candidate", load("{\"email\": \" Xiao.Ming@Example.COM \"}")), "candidate",
                     "{\"email\":\"xiao.ming@example.com\"}");
    assert_canonical(put(example(), "candidate", load("{\"email\": \"王@例子.中国\"}")), "candidate",
                     "{\"email\":\"王@例子.中国\"}");

    static const char *const good_phones[] = {"+86 138 0013 8000", "13800138000", "(010) 1234-5678", "12345"};
    for (size_t i = 0; i < sizeof(good_phones) / sizeof(good_phones[0]); i++)
        free(accepted(put(example(), "candidate.phone", json_string(good_phones[i])), 0));
    static const char *const bad_phones[] = {"1234", "138-abc-8000", "138.0013.8000", "+86 138 0013 8000 x2",
                                             "１３８００１３８０００"};
    for (size_t i = 0; i < sizeof(bad_phones) / sizeof(bad_phones[0]); i++)
        refused(put(example(), "candidate.phone", json_string(bad_phones[i])), "candidate.phone", "invalid_value");
    refused(put(example(), "candidate.phone", rep("1", 33)), "candidate.phone", "too_long");
    free(accepted(put(example(), "candidate.phone", rep("1", 32)), 0));
    /* Trimmed, otherwise kept as given. */
    assert_canonical(put(example(), "candidate", load("{\"phone\": \"  +86 (138) 0013-8000 \"}")), "candidate",
                     "{\"phone\":\"+86 (138) 0013-8000\"}");
}

static void too_many_items(void **state)
{
    (void)state;
    json_t *in = example(), *dims = json_array();
    for (int i = 0; i < RESULT_MAX_DIMS + 1; i++) {
        char key[16];
        snprintf(key, sizeof(key), "d%d", i);
        json_array_append_new(dims, json_pack("{s:s,s:i}", "key", key, "score", i));
    }
    json_array_remove(dims, RESULT_MAX_DIMS);
    put(in, "dimensions", json_incref(dims));
    struct result r;
    struct err e;
    err_clear(&e);
    assert_int_equal(result_parse(in, &r, &e), 0);
    assert_int_equal(r.ndims, 32);
    assert_string_equal(r.dims[31].key, "d31");
    assert_string_equal(r.dims[31].label_zh, "d31"); /* unknown key: label = key */
    assert_string_equal(r.dims[31].label_en, "d31");
    assert_int_equal(r.dims[31].score, 31);
    result_free(&r);
    json_array_append_new(dims, json_pack("{s:s,s:i}", "key", "d32", "score", 1));
    json_decref(dims);
    refused(in, "dimensions", "too_many");

    /* 32 distinct tags fit even when repeated; a 33rd does not. */
    json_t *tags = json_array();
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < 32; i++) {
            char t[16];
            snprintf(t, sizeof(t), k == 1 ? " tag %d " : "tag %d", i);
            json_array_append_new(tags, json_string(t));
        }
    char want[512] = "[";
    for (int i = 0; i < 32; i++)
        snprintf(want + strlen(want), sizeof(want) - strlen(want), "%s\"tag %d\"", i ? "," : "", i);
    snprintf(want + strlen(want), sizeof(want) - strlen(want), "]");
    assert_canonical(put(example(), "tags", json_incref(tags)), "tags", want);
    json_array_append_new(tags, json_string("tag 32"));
    refused(put(example(), "tags", tags), "tags", "too_many");

    json_t *segs = json_array();
    for (int i = 0; i < 2000; i++)
        json_array_append_new(
            segs, json_pack("{s:i,s:i,s:s,s:s}", "start_ms", i, "end_ms", i + 1, "speaker", "candidate", "text", "嗯"));
    free(accepted(put(example(), "transcript", json_incref(segs)), 0));
    json_array_append_new(segs,
                          json_pack("{s:i,s:i,s:s,s:s}", "start_ms", 1, "end_ms", 2, "speaker", "ai", "text", "好"));
    refused(put(example(), "transcript", segs), "transcript", "too_many");

    json_t *moments = json_array();
    for (int i = 0; i < 100; i++)
        json_array_append_new(moments, json_pack("{s:i,s:s}", "at_ms", i, "label", "m"));
    free(accepted(put(example(), "key_moments", json_incref(moments)), 0));
    json_array_append_new(moments, json_pack("{s:i,s:s}", "at_ms", 1, "label", "m"));
    refused(put(example(), "key_moments", moments), "key_moments", "too_many");
}

/* ---- the canonical form ---- */

static void equivalent_payloads_are_byte_identical(void **state)
{
    (void)state;
    /* The example said differently: other key order, 78.4 for 78, scores
     * needing rounding, labels left to the catalogue, repeated and padded
     * tags, the email in capitals with spaces, completed_at in +08:00,
     * explicit null for an absent hint, "" for null evidence, CRLF. */
    json_t *b =
        load("{\"key_moments\": [{\"label\": \"STAR example: the payment outage\", \"at_ms\": 31000}],"
             " \"video_url\": \"https://video.example.com/r/R-2026-000123.mp4\","
             " \"transcript\": [{\"text\": \"请先做一个简单的自我介绍。\", \"speaker\": \"ai\", \"end_ms\": 5200.0,"
             "   \"start_ms\": 0}, {\"speaker\": \"candidate\", \"start_ms\": 5200, \"end_ms\": 48100,"
             "   \"text\": \"我叫王小明……\"}],"
             " \"tags\": [\" structured\", \"calm under pressure\", \"structured \", \"structured\"],"
             " \"dimensions\": [{\"score\": 81.5, \"key\": \"communication\","
             "   \"evidence\": \"Explained the trade-off clearly with a concrete example.\"},"
             "   {\"key\": \"logic\", \"score\": 89.5, \"evidence\": \"\", \"label_en\": null}],"
             " \"reason_category\": null, \"overall\": 78.4,"
             " \"candidate\": {\"position_code\": \"ENG-BE-01\", \"phone\": \" +86 138 0013 8000\","
             "   \"email\": \"  XiaoMing.Wang@EXAMPLE.com\", \"name\": \"王小明 \", \"external_id\": \"ATS-7781\","
             "   \"application_id\": 42},"
             " \"model_version\": \"interview-ai 4.2\", \"completed_at\": \"2026-11-20T17:30:00.000+08:00\","
             " \"vendor_result_id\": \"R-2026-000123\", \"vendor\": \"native\", \"vendor_recommendation\": \"pass\"}");
    char *canon_b = accepted(b, 1);
    assert_string_equal(canon_b, EXAMPLE_CANONICAL);
    free(canon_b);

    /* A changed score is a different result (a re-score). */
    char *changed = accepted(put(example(), "dimensions[1].score", json_integer(91)), 1);
    assert_string_not_equal(changed, EXAMPLE_CANONICAL);
    free(changed);
    changed = accepted(put(example(), "overall", json_real(78.5)), 1);
    assert_string_not_equal(changed, EXAMPLE_CANONICAL);
    free(changed);
    /* So is another order of the dimensions (the order is the vendor's display order). */
    json_t *swapped = example();
    json_t *dims = json_object_get(swapped, "dimensions");
    json_t *first = json_incref(json_array_get(dims, 0));
    json_array_remove(dims, 0);
    json_array_append_new(dims, first);
    changed = accepted(swapped, 1);
    assert_string_not_equal(changed, EXAMPLE_CANONICAL);
    free(changed);
}

static void tags_trimmed_deduplicated_in_order(void **state)
{
    (void)state;
    assert_canonical(put(example(), "tags", load("[\"b\", \" a \", \"b\", \"\u00a0a\", \"A\", \"b \"]")), "tags",
                     "[\"b\",\"a\",\"A\"]");
}

static void labels_from_catalogue(void **state)
{
    (void)state;
    json_t *in = put(example(), "dimensions",
                     load("[{\"key\": \"stress\", \"score\": 70},"
                          " {\"key\": \"problem_solving\", \"score\": 60, \"label_en\": \"Solving problems\"},"
                          " {\"key\": \"cloud_native\", \"score\": 50, \"label_zh\": \"云原生\"},"
                          " {\"key\": \"teamwork\", \"score\": 40, \"label_zh\": \"\"}]"));
    struct result r;
    struct err e;
    err_clear(&e);
    assert_int_equal(result_parse(in, &r, &e), 0);
    assert_string_equal(r.dims[0].label_zh, "抗压能力");
    assert_string_equal(r.dims[0].label_en, "Stress tolerance");
    assert_string_equal(r.dims[1].label_zh, "解决问题");
    assert_string_equal(r.dims[1].label_en, "Solving problems"); /* the vendor's label wins */
    assert_string_equal(r.dims[2].label_zh, "云原生");
    assert_string_equal(r.dims[2].label_en, "cloud_native");
    assert_string_equal(r.dims[3].label_zh, "团队协作");
    assert_string_equal(r.dims[3].label_en, "Teamwork");
    result_free(&r);
    json_decref(in);
}

static void catalogue(void **state)
{
    (void)state;
    static const char *const want[][3] = {
        {"communication", "沟通能力", "Communication"},
        {"logic", "逻辑思维", "Logical thinking"},
        {"stress", "抗压能力", "Stress tolerance"},
        {"teamwork", "团队协作", "Teamwork"},
        {"professional", "专业能力", "Professional skills"},
        {"learning", "学习能力", "Learning ability"},
        {"leadership", "领导力", "Leadership"},
        {"motivation", "求职动机", "Motivation"},
        {"expression", "语言表达", "Verbal expression"},
        {"problem_solving", "解决问题", "Problem solving"},
        {"attitude", "工作态度", "Work attitude"},
        {"creativity", "创新能力", "Creativity"},
        {"adaptability", "适应能力", "Adaptability"},
        {"execution", "执行力", "Execution"},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        assert_string_equal(result_dim_label(want[i][0], 0), want[i][1]);
        assert_string_equal(result_dim_label(want[i][0], 1), want[i][2]);
    }
    assert_null(result_dim_label("cloud_native", 0));
    assert_null(result_dim_label("Logic", 1));
    assert_null(result_dim_label("", 1));
    assert_null(result_dim_label(NULL, 0));
}

/* result_json_compact writes exactly json_dumps' bytes, sorted or not. */
static void assert_same_as_jansson(json_t *v)
{
    for (int sort = 0; sort < 2; sort++) {
        char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | (sort ? JSON_SORT_KEYS : 0));
        size_t n = 0;
        char *got = result_json_compact(v, sort, &n);
        assert_non_null(want);
        assert_string_equal(got, want);
        assert_int_equal(n, strlen(want));
        free(want);
        free(got);
    }
}

static void compact_json_like_jansson(void **state)
{
    (void)state;
    static const char *const docs[] = {
        "{}",
        "[]",
        "{\"b\":1,\"a\":[true,false,null,-9007199254740991,0.5,1e300,2.0,-0.0],\"c\":{\"z\":{},\"y\":[]}}",
        "[\"\\u0000\\u0001\\u001f\\b\\f\\n\\r\\t\\\"\\\\/\\u007f\",\"沟通能力 \\u00a0\\u3000 😀\"]",
        "{\"key with \\\" and \\n\":\"v\",\"Zeta\":1,\"alpha\":2,\"ab\":3,\"a\":4,\"\":5}",
    };
    for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
        json_error_t je;
        json_t *v = json_loads(docs[i], JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
        assert_non_null(v);
        assert_same_as_jansson(v);
        json_decref(v);
    }
    json_t *big = json_object();
    for (int i = 0; i < 100; i++) {
        char k[16];
        snprintf(k, sizeof(k), "k%03d", (i * 37) % 100);
        json_object_set_new(big, k, json_integer(i));
    }
    json_object_set_new(big, "min", json_integer(INT64_MIN));
    json_object_set_new(big, "max", json_integer(INT64_MAX));
    json_object_set_new(big, "zero", json_integer(0));
    json_object_set_new(big, "real", json_real(82.5));
    assert_same_as_jansson(big);
    json_decref(big);
}

static void texts_match_json_dumps(void **state)
{
    (void)state;
    json_t *in = json_loads(EXAMPLE, 0, NULL);
    struct result r;
    struct err e = {0};
    assert_int_equal(result_parse(in, &r, &e), 0);
    struct result_texts t;
    result_texts(&r, &t);
    assert_string_equal(t.canonical, EXAMPLE_CANONICAL);
    assert_int_equal(t.canonical_len, strlen(EXAMPLE_CANONICAL));
    json_t *pub = json_copy(r.normalised);
    json_object_del(pub, "candidate");
    json_object_del(pub, "transcript");
    char *want = json_dumps(pub, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(t.public_json, want);
    free(want);
    json_decref(pub);
    want = json_dumps(json_object_get(r.normalised, "candidate"), JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(t.hints, want);
    free(want);
    want = json_dumps(json_object_get(r.normalised, "transcript"), JSON_COMPACT);
    assert_string_equal(t.transcript, want);
    assert_int_equal(t.transcript_len, strlen(want));
    free(want);
    result_texts_free(&t);
    result_free(&r);
    /* no segments: no transcript text */
    json_object_set_new(in, "transcript", json_array());
    assert_int_equal(result_parse(in, &r, &e), 0);
    result_texts(&r, &t);
    assert_null(t.transcript);
    result_texts_free(&t);
    result_free(&r);
    json_decref(in);
}

/* result_json_load against json_loadb(JSON_REJECT_DUPLICATES): when it reads a text, jansson reads
 * the same tree (compared as written, member order and integer/real kept apart); when jansson
 * refuses one, it does too. want_read: the text is one it must read itself. */
static void assert_loads_like_jansson(const char *doc, size_t n, int want_read)
{
    json_error_t je;
    json_t *want = json_loadb(doc, n, JSON_REJECT_DUPLICATES, &je);
    json_t *got = result_json_load(doc, n);
    if (want_read) {
        if (!got)
            fail_msg("not read: %.*s", (int)n, doc);
    }
    if (got) {
        if (!want)
            fail_msg("jansson refuses (%s) what was read: %.*s", je.text, (int)n, doc);
        char *a = result_json_compact(want, 0, NULL), *b = result_json_compact(got, 0, NULL);
        assert_string_equal(b, a);
        free(a);
        free(b);
    }
    json_decref(want);
    json_decref(got);
}

static void json_load_like_jansson(void **state)
{
    (void)state;
    static const char *const good[] = {
        "{}",
        "[]",
        " \t\r\n{ \"a\" : 1 , \"b\" :[ ] ,\"c\":{ } } \n",
        "[0,-0,1,-1,123456789012345678,-123456789012345678,0.5,-0.0,1e3,1E-3,2.5e+10,1.0,3.14159265358979]",
        "[true,false,null,\"\",\"a\\\"b\\\\c\\/d\\be\\ff\\ng\\rh\\ti\"]",
        "[\"\\u00e9\\u4e2d\\uD83D\\uDE00\\u0001\\u001F\\u007f\",\"沟通能力 \\u00a0 😀\",\"\xc2\xa0\xe3\x80\x80\"]",
        "{\"key with \\\" and \\n\":\"v\",\"\\u6c9f\":1,\"沟通\":{\"x\":[[[[]]]]}}",
        "{\"b\":1,\"a\":2,\"c\":3,\"A\":4}",
    };
    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
        assert_loads_like_jansson(good[i], strlen(good[i]), 1);
    assert_loads_like_jansson(EXAMPLE, strlen(EXAMPLE), 1);
    static const char *const bad[] = {
        "",
        " ",
        "1",
        "\"a\"",
        "null",
        "{",
        "[1,]",
        "[,1]",
        "{\"a\":1,}",
        "{\"a\" 1}",
        "{\"a\":1,\"a\":2}",
        "{\"\\u6c9f\":1,\"沟\":2}",
        "{a:1}",
        "[01]",
        "[-]",
        "[1.]",
        "[.5]",
        "[1e]",
        "[+1]",
        "[1x]",
        "[truex]",
        "[nul]",
        "[\"\\u0000\"]",
        "{\"\\u0000\":1}",
        "[\"\\uD800\"]",
        "[\"\\uDC00\"]",
        "[\"\\uD800\\u0041\"]",
        "[\"\\x\"]",
        "[\"\\u12\"]",
        "[\"tab\there\"]",
        "[\"a\"] [\"b\"]",
        "[\"\xc0\xaf\"]",
        "[\"\xed\xa0\x80\"]",
        "[\"\xf4\x90\x80\x80\"]",
        "[\"\xe4\xb8\"]",
        "[1e999]",
        "[-1e999]",
        "[12345678901234567890]",
        "[-9223372036854775809]",
        "[9223372036854775807]",
        "{\"a\":[1,2}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_loads_like_jansson(bad[i], strlen(bad[i]), 0);
    assert_loads_like_jansson("[1]\0", 4, 0); /* a NUL byte after the value */
    assert_loads_like_jansson("[\"a\0b\"]", 7, 0);
    /* nesting: read up to its own limit, deeper is jansson's */
    char deep[2 * 300 + 1];
    for (int d = 250; d <= 300; d += 50) {
        memset(deep, '[', (size_t)d);
        memset(deep + d, ']', (size_t)d);
        assert_loads_like_jansson(deep, 2 * (size_t)d, d <= 256);
    }
    /* random edits of the example: whatever is read is what jansson reads */
    static const char pieces[][8] = {"\"",   "\\",   "{",    "}",    "[", "]", ",",   ":",
                                     " ",    "0",    "-",    ".",    "e", "1", "\\u", "\\uD83D",
                                     "\xe4", "\xb8", "\x80", "\x01", "n", "t", "\\n", "a"};
    size_t en = strlen(EXAMPLE);
    char *buf = malloc(en + 64);
    unsigned seed = 12345;
    for (int round = 0; round < 20000; round++) {
        memcpy(buf, EXAMPLE, en + 1);
        size_t n = en;
        int edits = 1 + round % 3;
        for (int k = 0; k < edits; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % n;
            seed = seed * 1103515245u + 12345u;
            const char *pc = pieces[(seed >> 8) % (sizeof(pieces) / sizeof(pieces[0]))];
            size_t pn = strlen(pc);
            seed = seed * 1103515245u + 12345u;
            int op = (int)((seed >> 8) % 3);
            if (op == 0 && n > 1) { /* delete a byte */
                memmove(buf + at, buf + at + 1, n - at);
                n--;
            } else if (op == 1) { /* insert */
                memmove(buf + at + pn, buf + at, n - at + 1);
                memcpy(buf + at, pc, pn);
                n += pn;
            } else { /* replace a byte */
                buf[at] = pc[0];
            }
        }
        assert_loads_like_jansson(buf, n, 0);
    }
    free(buf);
}

/* The public form and the hints cut out of the canonical form are what json_dumps writes for them. */
static void texts_cut_from_the_canonical_form(void **state)
{
    (void)state;
    static const char *const cands[] = {
        "{\"application_id\": 7}",
        "{\"email\": \" A.B@Example.COM \", \"name\": \"\\\"q\\\" \\u00e9\"}",
        "{\"phone\": \"+86 138 0013 8000\", \"position_code\": \"P-1\", \"external_id\": \"x\\\\y\"}",
    };
    for (size_t i = 0; i < sizeof(cands) / sizeof(cands[0]); i++) {
        json_t *in = json_loads(EXAMPLE, 0, NULL), *c = json_loads(cands[i], 0, NULL);
        assert_non_null(c);
        json_object_set_new(in, "candidate", c);
        if (i == 1) {
            json_object_set_new(in, "transcript", json_array());
            json_object_set_new(in, "video_url", json_null());
        }
        struct result r;
        struct err e = {0};
        assert_int_equal(result_parse(in, &r, &e), 0);
        struct result_texts t;
        result_texts(&r, &t);
        char *want = json_dumps(r.normalised, JSON_COMPACT | JSON_SORT_KEYS);
        assert_string_equal(t.canonical, want);
        free(want);
        json_t *pub = json_copy(r.normalised);
        json_object_del(pub, "candidate");
        json_object_del(pub, "transcript");
        want = json_dumps(pub, JSON_COMPACT | JSON_SORT_KEYS);
        assert_string_equal(t.public_json, want);
        free(want);
        json_decref(pub);
        want = json_dumps(json_object_get(r.normalised, "candidate"), JSON_COMPACT | JSON_SORT_KEYS);
        assert_string_equal(t.hints, want);
        assert_int_equal(t.hints_len, strlen(want));
        free(want);
        result_texts_free(&t);
        result_free(&r);
        json_decref(in);
    }
}

/* The canonical form does not depend on whether the text checks took their quick path: texts with
 * CRLF, C1 controls, tabs and 4-byte characters give the same results (and errors) as before. */
static void quick_text_checks_agree(void **state)
{
    (void)state;
    static const struct {
        const char *evidence;
        const char *want; /* NULL: accepted; else the error's field */
    } cases[] = {
        {"plain", NULL},
        {"多行\\r\\n第二行", NULL},
        {"tab\\tand\\nnewline", NULL},
        {"emoji 😀 and é", NULL},
        {"lone \\r cr", "dimensions[0].evidence"},
        {"ends with cr\\r", "dimensions[0].evidence"},
        {"c1 \\u0085 control", "dimensions[0].evidence"},
        {"del \\u007f", "dimensions[0].evidence"},
        {"bell \\u0007", "dimensions[0].evidence"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char doc[512];
        snprintf(doc, sizeof(doc),
                 "{\"vendor\":\"v\",\"vendor_result_id\":\"r\",\"completed_at\":\"2026-11-20T09:30:00Z\","
                 "\"candidate\":{\"external_id\":\"x\"},\"overall\":50,"
                 "\"dimensions\":[{\"key\":\"logic\",\"score\":50,\"evidence\":\"%s\"}]}",
                 cases[i].evidence);
        json_t *in = json_loads(doc, 0, NULL);
        assert_non_null(in);
        struct result r;
        struct err e = {0};
        int rc = result_parse(in, &r, &e);
        if (cases[i].want) {
            assert_int_equal(rc, ERR_INVALID);
            assert_string_equal(e.field, cases[i].want);
        } else {
            assert_int_equal(rc, 0);
            const char *ev = r.dims[0].evidence;
            assert_non_null(ev);
            assert_null(strchr(ev, '\r'));
        }
        result_free(&r);
        json_decref(in);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(example_round_trips),
        cmocka_unit_test(minimal_payload_gets_every_key),
        cmocka_unit_test(not_an_object),
        cmocka_unit_test(keeps_an_earlier_error),
        cmocka_unit_test(required_fields),
        cmocka_unit_test(candidate_needs_a_hint),
        cmocka_unit_test(wrong_types),
        cmocka_unit_test(number_ranges),
        cmocka_unit_test(scores_round_half_away_from_zero),
        cmocka_unit_test(completed_at_formats),
        cmocka_unit_test(lengths_count_characters),
        cmocka_unit_test(control_characters),
        cmocka_unit_test(invalid_utf8_and_nul),
        cmocka_unit_test(unknown_fields_at_every_level),
        cmocka_unit_test(vendor_and_dimension_keys),
        cmocka_unit_test(enumerations),
        cmocka_unit_test(video_urls),
        cmocka_unit_test(emails_and_phones),
        cmocka_unit_test(too_many_items),
        cmocka_unit_test(equivalent_payloads_are_byte_identical),
        cmocka_unit_test(tags_trimmed_deduplicated_in_order),
        cmocka_unit_test(labels_from_catalogue),
        cmocka_unit_test(catalogue),
        cmocka_unit_test(compact_json_like_jansson),
        cmocka_unit_test(texts_match_json_dumps),
        cmocka_unit_test(json_load_like_jansson),
        cmocka_unit_test(texts_cut_from_the_canonical_form),
        cmocka_unit_test(quick_text_checks_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_match.c - src/core/match.c: percentiles from a score histogram, and
 * the match report (weighted match, below-minimum dimensions,
 * recommendation, reasons, completeness flags) of docs/results.md. */
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

#include "core/match.h"

/* ---- helpers ---- */

/* A result with no dimensions, a transcript and a video. */
static struct result mk(int overall)
{
    struct result r;
    memset(&r, 0, sizeof(r));
    r.vendor = "native";
    r.vendor_result_id = "R-1";
    r.overall = overall;
    r.nsegments = 3;
    r.video_url = "https://video.example.com/1.mp4";
    return r;
}

/* Adds a dimension labelled from the catalogue (the key when unknown), as
 * result_parse would. */
static void dim(struct result *r, const char *key, int score)
{
    struct result_dim *d = &r->dims[r->ndims++];
    d->key = key;
    d->label_zh = result_dim_label(key, 0) ? result_dim_label(key, 0) : key;
    d->label_en = result_dim_label(key, 1) ? result_dim_label(key, 1) : key;
    d->score = score;
}

static struct competency comp(const char *d, double weight, int min)
{
    struct competency c;
    memset(&c, 0, sizeof(c));
    snprintf(c.dim, sizeof(c.dim), "%s", d);
    c.weight = weight;
    c.min = min;
    return c;
}

/* A pseudo-random number in 0..n-1 (an LCG: the same sequence on every run). */
static int rnd(unsigned *seed, int n)
{
    *seed = *seed * 1103515245u + 12345u;
    return (int)((*seed >> 16) % (unsigned)n);
}

/* match_score gives exactly match_compute's score and recommendation, over 20 000 pseudo-random
 * models and results: dimensions present, missing or below their minimum, weights zero or not,
 * no model at all. */
static void score_alone_agrees(void **state)
{
    (void)state;
    static const char *const keys[] = {"communication", "logic", "stress", "teamwork", "learning", "leadership"};
    unsigned seed = 12345;
#define RND(n) rnd(&seed, (n))
    for (int t = 0; t < 20000; t++) {
        struct result r = mk(RND(101));
        int nd = RND(7);
        for (int i = 0; i < nd; i++)
            dim(&r, keys[(i + t) % 6], RND(101));
        struct competency model[6];
        int nm = RND(7);
        for (int i = 0; i < nm; i++)
            model[i] = comp(keys[(i * 5 + t) % 6], RND(4) == 0 ? 0 : RND(100) / 10.0, RND(101));
        struct match_report rep;
        match_compute(nm ? model : NULL, nm, &r, &rep);
        double score = -1;
        const char *rec = NULL;
        match_score(nm ? model : NULL, nm, &r, &score, &rec);
        assert_true(score == rep.match_score);
        assert_string_equal(rec, rep.recommendation);
        match_report_free(&rep);
    }
#undef RND
}

/* Compact, key-sorted dump of v (caller frees). */
static char *dump(json_t *v)
{
    char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
    assert_non_null(s);
    return s;
}

static void assert_json(json_t *v, const char *want)
{
    char *got = dump(v);
    assert_string_equal(got, want);
    free(got);
}

/* The codes of m's reasons joined with ",". */
static void assert_codes(const struct match_report *m, const char *want)
{
    char got[256] = "";
    size_t i;
    json_t *v;
    json_array_foreach(m->reasons, i, v)
    {
        snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%s", i ? "," : "",
                 json_string_value(json_object_get(v, "code")));
    }
    assert_string_equal(got, want);
}

static const char *reason_text(const struct match_report *m, size_t i, int english)
{
    return json_string_value(json_object_get(json_array_get(m->reasons, i), english ? "message_en" : "message_zh"));
}

/* ---- percentile ---- */

static void percentile_empty(void **state)
{
    (void)state;
    int64_t h[HIST_BUCKETS] = {0};
    assert_int_equal(match_percentile(h, 0), 0);
    assert_int_equal(match_percentile(h, 50), 0);
    assert_int_equal(match_percentile(h, 100), 0);
    assert_int_equal(match_percentile(NULL, 50), 0);
}

static void percentile_one_score(void **state)
{
    (void)state;
    int64_t h[HIST_BUCKETS] = {0};
    h[70] = 1;
    assert_int_equal(match_percentile(h, 70), 0); /* the only score is not lower than itself */
    assert_int_equal(match_percentile(h, 69), 0);
    assert_int_equal(match_percentile(h, 71), 100);
    assert_int_equal(match_percentile(h, 0), 0);
    assert_int_equal(match_percentile(h, 100), 100);
}

static void percentile_many_scores(void **state)
{
    (void)state;
    int64_t h[HIST_BUCKETS] = {0};
    h[50] = 3;
    h[60] = 5;
    h[80] = 2;
    assert_int_equal(match_percentile(h, 50), 0);
    assert_int_equal(match_percentile(h, 51), 30);
    assert_int_equal(match_percentile(h, 60), 30);
    assert_int_equal(match_percentile(h, 61), 80);
    assert_int_equal(match_percentile(h, 80), 80);
    assert_int_equal(match_percentile(h, 81), 100);

    /* Rounded down: 1 of 3 is 33, 2 of 3 is 66. */
    int64_t t[HIST_BUCKETS] = {0};
    t[10] = t[20] = t[30] = 1;
    assert_int_equal(match_percentile(t, 20), 33);
    assert_int_equal(match_percentile(t, 30), 66);
    assert_int_equal(match_percentile(t, 31), 100);

    /* 999 of 1000 lower is 99, never rounded up to 100. */
    int64_t k[HIST_BUCKETS] = {0};
    k[40] = 999;
    k[90] = 1;
    assert_int_equal(match_percentile(k, 90), 99);

    /* Large counts do not overflow. */
    int64_t big[HIST_BUCKETS] = {0};
    big[0] = INT64_C(4000000000000000000);
    big[100] = INT64_C(4000000000000000000);
    assert_int_equal(match_percentile(big, 100), 50);
}

static void percentile_edges(void **state)
{
    (void)state;
    int64_t h[HIST_BUCKETS] = {0};
    h[0] = 4;
    h[100] = 4;
    assert_int_equal(match_percentile(h, 0), 0); /* nothing is below 0 */
    assert_int_equal(match_percentile(h, 1), 50);
    assert_int_equal(match_percentile(h, 100), 50); /* the 100s are not below 100 */
    assert_int_equal(match_percentile(h, -5), 0);   /* clamped to 0 */
    assert_int_equal(match_percentile(h, 150), 50); /* clamped to 100 */
    h[50] = -3;                                     /* a broken bucket counts nothing */
    assert_int_equal(match_percentile(h, 100), 50);
    int64_t all100[HIST_BUCKETS] = {0};
    all100[100] = 7;
    assert_int_equal(match_percentile(all100, 100), 0);
}

/* ---- the competency model ---- */

static void model_from_json(void **state)
{
    (void)state;
    json_t *j = json_loads("[{\"dim\": \"communication\", \"weight\": 2, \"min\": 60},"
                           " {\"dim\": \"logic\", \"weight\": 1.5, \"min\": 65.0, \"note\": \"ignored\"},"
                           " \"not an object\","
                           " {\"dim\": \"no_weight\", \"min\": 10},"
                           " {\"dim\": \"zero_weight\", \"weight\": 0, \"min\": 10},"
                           " {\"dim\": \"negative\", \"weight\": -1, \"min\": 10},"
                           " {\"dim\": \"string_weight\", \"weight\": \"1\", \"min\": 10},"
                           " {\"dim\": \"min_101\", \"weight\": 1, \"min\": 101},"
                           " {\"dim\": \"min_negative\", \"weight\": 1, \"min\": -1},"
                           " {\"dim\": \"min_fraction\", \"weight\": 1, \"min\": 5.5},"
                           " {\"dim\": \"min_bool\", \"weight\": 1, \"min\": true},"
                           " {\"dim\": \"\", \"weight\": 1, \"min\": 10},"
                           " {\"dim\": 5, \"weight\": 1, \"min\": 10},"
                           " {\"dim\": \"a_dimension_key_of_33_characters_\", \"weight\": 1, \"min\": 10},"
                           " {\"dim\": \"communication\", \"weight\": 9, \"min\": 9},"
                           " {\"dim\": \"a_dimension_key_of_32_characterz\", \"weight\": 1, \"min\": 0},"
                           " {\"dim\": \"stress\", \"weight\": 0.5, \"min\": 100}]",
                           0, NULL);
    assert_non_null(j);
    struct competency m[8];
    memset(m, 0, sizeof(m));
    assert_int_equal(match_model_from_json(j, m, 8), 4);
    assert_string_equal(m[0].dim, "communication");
    assert_true(m[0].weight == 2.0);
    assert_int_equal(m[0].min, 60);
    assert_string_equal(m[1].dim, "logic");
    assert_true(m[1].weight == 1.5);
    assert_int_equal(m[1].min, 65);
    assert_string_equal(m[2].dim, "a_dimension_key_of_32_characterz");
    assert_int_equal(m[2].min, 0);
    assert_string_equal(m[3].dim, "stress");
    assert_int_equal(m[3].min, 100);

    /* max caps the count; bad arguments give 0. */
    assert_int_equal(match_model_from_json(j, m, 2), 2);
    assert_int_equal(match_model_from_json(j, m, 0), 0);
    assert_int_equal(match_model_from_json(NULL, m, 8), 0);
    json_t *obj = json_object();
    assert_int_equal(match_model_from_json(obj, m, 8), 0);
    json_t *empty = json_array();
    assert_int_equal(match_model_from_json(empty, m, 8), 0);
    json_decref(obj);
    json_decref(empty);
    json_decref(j);
}

/* ---- the weighted match ---- */

static void weighted_match(void **state)
{
    (void)state;
    struct result r = mk(10); /* overall plays no part when there is a model */
    dim(&r, "communication", 80);
    dim(&r, "logic", 71);
    dim(&r, "stress", 5); /* not in the model: ignored */
    struct competency model[] = {comp("communication", 2, 60), comp("logic", 1, 60)};
    struct match_report m;
    match_compute(model, 2, &r, &m);
    assert_true(m.match_score == 77.0); /* (2*80 + 71) / 3 */
    assert_string_equal(m.recommendation, "recommend");
    assert_codes(&m, "meets_requirements");
    assert_string_equal(reason_text(&m, 0, 1), "All 2 model dimensions at or above their minimum, match 77.0");
    assert_string_equal(reason_text(&m, 0, 0), "岗位要求的 2 项能力全部达标，综合匹配度 77.0 分");
    assert_json(m.below_min, "[]");
    assert_json(m.flags, "[]");
    match_report_free(&m);

    /* One decimal: (80 + 2*81) / 3 = 80.666... */
    struct competency m2[] = {comp("communication", 1, 0), comp("logic", 2, 0)};
    r.dims[1].score = 81;
    match_compute(m2, 2, &r, &m);
    assert_true(m.match_score == 80.7);
    match_report_free(&m);

    /* Halves go up: (80 + 81) / 2 = 80.5 stays, (80*3 + 81) / 4 = 80.25 -> 80.3. */
    struct competency m3[] = {comp("communication", 3, 0), comp("logic", 1, 0)};
    match_compute(m3, 2, &r, &m);
    assert_true(m.match_score == 80.3);
    match_report_free(&m);

    /* Fractional weights: (0.1*82 + 0.1*83) / 0.2 is 82.5, and
     * (0.1*50 + 0.3*53) / 0.4, exactly 52.25, is computed as 52.2499999...
     * and must still round up to 52.3. */
    r.dims[0].score = 82;
    r.dims[1].score = 83;
    struct competency m4[] = {comp("communication", 0.1, 0), comp("logic", 0.1, 0)};
    match_compute(m4, 2, &r, &m);
    assert_true(m.match_score == 82.5);
    match_report_free(&m);
    r.dims[0].score = 50;
    r.dims[1].score = 53;
    struct competency m5[] = {comp("communication", 0.1, 0), comp("logic", 0.3, 0)};
    match_compute(m5, 2, &r, &m);
    assert_true(m.match_score == 52.3);
    match_report_free(&m);
}

static void match_without_model(void **state)
{
    (void)state;
    struct result r = mk(82);
    dim(&r, "logic", 10); /* without a model, dimensions do not count */
    struct match_report m;
    match_compute(NULL, 0, &r, &m);
    assert_true(m.match_score == 82.0);
    assert_string_equal(m.recommendation, "recommend");
    assert_codes(&m, "meets_requirements");
    assert_string_equal(reason_text(&m, 0, 1),
                        "No competency model for the position; the overall score is the match, 82.0");
    assert_string_equal(reason_text(&m, 0, 0), "岗位未设置能力模型，以面试总分作为匹配度：82.0 分");
    match_report_free(&m);

    r.overall = 65;
    match_compute(NULL, 0, &r, &m);
    assert_string_equal(m.recommendation, "re_interview");
    assert_codes(&m, "match_below_70");
    match_report_free(&m);

    r.overall = 59;
    match_compute(NULL, 0, &r, &m);
    assert_string_equal(m.recommendation, "not_recommended");
    assert_codes(&m, "match_below_60");
    match_report_free(&m);

    /* A model whose weights are all unusable falls back to the overall score. */
    struct competency zero[] = {comp("logic", 0, 0)};
    r.overall = 75;
    match_compute(zero, 1, &r, &m);
    assert_true(m.match_score == 75.0);
    match_report_free(&m);
}

static void missing_dimension(void **state)
{
    (void)state;
    struct result r = mk(95);
    dim(&r, "logic", 90);
    struct competency model[] = {comp("logic", 9, 60), comp("leadership", 1, 50)};
    struct match_report m;
    match_compute(model, 2, &r, &m);
    assert_true(m.match_score == 81.0); /* (9*90 + 1*0) / 10: the missing one counts 0 */
    assert_string_equal(m.recommendation, "re_interview");
    assert_json(m.below_min, "[]"); /* missing is not "below": it is flagged */
    assert_json(m.flags, "[{\"code\":\"missing_dimension\",\"dim\":\"leadership\"}]");
    assert_json(m.reasons, "[{\"code\":\"missing_dimension\",\"dim\":\"leadership\",\"message_en\":\"No Leadership "
                           "score in the result; counted as 0 in the match\",\"message_zh\":\"面试结果中没有“领导力”"
                           "的评分，按 0 分计入匹配度\",\"min\":50}]");
    match_report_free(&m);

    /* An unknown missing key is named by its key. */
    struct competency odd[] = {comp("logic", 9, 60), comp("cloud_native", 1, 0)};
    match_compute(odd, 2, &r, &m);
    assert_string_equal(reason_text(&m, 0, 0), "面试结果中没有“cloud_native”的评分，按 0 分计入匹配度");
    match_report_free(&m);

    /* Missing dimensions drag the match down like any 0: under 60 it is not_recommended. */
    struct competency heavy[] = {comp("logic", 1, 60), comp("leadership", 1, 50)};
    match_compute(heavy, 2, &r, &m);
    assert_true(m.match_score == 45.0);
    assert_string_equal(m.recommendation, "not_recommended");
    assert_codes(&m, "match_below_60,missing_dimension");
    match_report_free(&m);
}

/* ---- recommendation boundaries ---- */

/* Match (a + 9b) / 10 from two dimensions with no minimum. */
static void boundary(int a, int b, double want_match, const char *want_rec, const char *want_codes)
{
    struct result r = mk(0);
    dim(&r, "logic", a);
    dim(&r, "teamwork", b);
    struct competency model[] = {comp("logic", 1, 0), comp("teamwork", 9, 0)};
    struct match_report m;
    match_compute(model, 2, &r, &m);
    if (m.match_score != want_match)
        fail_msg("match %.17g, want %.17g", m.match_score, want_match);
    assert_string_equal(m.recommendation, want_rec);
    assert_codes(&m, want_codes);
    match_report_free(&m);
}

static void recommendation_match_boundaries(void **state)
{
    (void)state;
    boundary(59, 60, 59.9, "not_recommended", "match_below_60");
    boundary(60, 60, 60.0, "re_interview", "match_below_70");
    boundary(69, 70, 69.9, "re_interview", "match_below_70");
    boundary(70, 70, 70.0, "recommend", "meets_requirements");
    boundary(0, 0, 0.0, "not_recommended", "match_below_60");
    boundary(100, 100, 100.0, "recommend", "meets_requirements");
}

static void recommendation_dims_below_min(void **state)
{
    (void)state;
    struct result r = mk(90);
    dim(&r, "communication", 90);
    dim(&r, "logic", 64);
    dim(&r, "stress", 90);
    struct competency model[] = {comp("communication", 1, 60), comp("logic", 1, 65), comp("stress", 1, 90)};
    struct match_report m;

    /* One below (stress == min is not below): re_interview. */
    match_compute(model, 3, &r, &m);
    assert_true(m.match_score == 81.3);
    assert_string_equal(m.recommendation, "re_interview");
    assert_codes(&m, "below_min");
    assert_json(m.below_min, "[{\"dim\":\"logic\",\"gap\":1,\"min\":65,\"score\":64}]");
    match_report_free(&m);

    /* Two below: not_recommended although the match is high. */
    r.dims[2].score = 89;
    match_compute(model, 3, &r, &m);
    assert_true(m.match_score == 81.0);
    assert_string_equal(m.recommendation, "not_recommended");
    assert_codes(&m, "below_min,below_min");
    assert_json(m.below_min, "[{\"dim\":\"logic\",\"gap\":1,\"min\":65,\"score\":64},"
                             "{\"dim\":\"stress\",\"gap\":1,\"min\":90,\"score\":89}]");
    match_report_free(&m);

    /* Two below and a match in 60..70: both kinds of reason are given. */
    r.dims[1].score = 20;
    match_compute(model, 3, &r, &m);
    assert_true(m.match_score == 66.3);
    assert_string_equal(m.recommendation, "not_recommended");
    assert_codes(&m, "match_below_70,below_min,below_min");
    match_report_free(&m);

    /* One below and a missing dimension: still re_interview, both given. */
    r.dims[1].score = 64;
    r.dims[2].score = 90;
    struct competency with_missing[] = {comp("communication", 1, 60), comp("logic", 1, 65), comp("stress", 1, 90),
                                        comp("leadership", 0.1, 0)};
    match_compute(with_missing, 4, &r, &m);
    assert_string_equal(m.recommendation, "re_interview");
    assert_codes(&m, "below_min,missing_dimension");
    match_report_free(&m);
}

static void reasons_content(void **state)
{
    (void)state;
    struct result r = mk(50);
    dim(&r, "logic", 52);
    dim(&r, "communication", 40);
    dim(&r, "professional", 70);
    struct competency model[] = {comp("logic", 1, 65), comp("communication", 1, 60), comp("professional", 1, 60)};
    struct match_report m;
    match_compute(model, 3, &r, &m);
    assert_true(m.match_score == 54.0);
    assert_string_equal(m.recommendation, "not_recommended");
    assert_json(
        m.reasons,
        "[{\"code\":\"match_below_60\",\"match\":54.0,\"message_en\":\"Match 54.0 is below 60\","
        "\"message_zh\":\"综合匹配度 54.0 分，低于 60 分\"},"
        "{\"code\":\"below_min\",\"dim\":\"logic\",\"message_en\":\"Logical thinking 52 is below the "
        "position's minimum 65\",\"message_zh\":\"逻辑思维 52 分，低于岗位要求 65 分\",\"min\":65,\"score\":52},"
        "{\"code\":\"below_min\",\"dim\":\"communication\",\"message_en\":\"Communication 40 is below the "
        "position's minimum 60\",\"message_zh\":\"沟通能力 40 分，低于岗位要求 60 分\",\"min\":60,"
        "\"score\":40}]");
    match_report_free(&m);

    /* The result's own labels are used; a single-dimension model reads naturally. */
    struct result v = mk(0);
    dim(&v, "logic", 88);
    v.dims[0].label_zh = "逻辑推理";
    v.dims[0].label_en = "Reasoning";
    struct competency one[] = {comp("logic", 1, 95)};
    match_compute(one, 1, &v, &m);
    assert_string_equal(reason_text(&m, 0, 0), "逻辑推理 88 分，低于岗位要求 95 分");
    assert_string_equal(reason_text(&m, 0, 1), "Reasoning 88 is below the position's minimum 95");
    match_report_free(&m);
    one[0].min = 80;
    match_compute(one, 1, &v, &m);
    assert_string_equal(m.recommendation, "recommend");
    assert_string_equal(reason_text(&m, 0, 0), "岗位要求的 1 项能力已达标，综合匹配度 88.0 分");
    assert_string_equal(reason_text(&m, 0, 1), "The model dimension is at or above its minimum, match 88.0");
    match_report_free(&m);

    /* A dimension without a catalogue entry is named by its key. */
    struct result u = mk(0);
    dim(&u, "cloud_native", 30);
    struct competency cn[] = {comp("cloud_native", 1, 60)};
    match_compute(cn, 1, &u, &m);
    assert_string_equal(reason_text(&m, 1, 1), "cloud_native 30 is below the position's minimum 60");
    match_report_free(&m);
}

static void completeness_flags(void **state)
{
    (void)state;
    struct result r = mk(80);
    r.nsegments = 0;
    r.video_url = NULL;
    struct competency model[] = {comp("logic", 1, 0), comp("teamwork", 1, 0)};
    struct match_report m;
    match_compute(model, 2, &r, &m);
    assert_json(m.flags, "[{\"code\":\"missing_dimension\",\"dim\":\"logic\"},"
                         "{\"code\":\"missing_dimension\",\"dim\":\"teamwork\"},"
                         "{\"code\":\"no_transcript\"},{\"code\":\"no_video\"}]");
    match_report_free(&m);

    /* No model: only transcript and video are checked; they do not change the verdict. */
    match_compute(NULL, 0, &r, &m);
    assert_json(m.flags, "[{\"code\":\"no_transcript\"},{\"code\":\"no_video\"}]");
    assert_string_equal(m.recommendation, "recommend");
    match_report_free(&m);
}

/* ---- JSON ---- */

static void report_json_shape(void **state)
{
    (void)state;
    struct result r = mk(0);
    dim(&r, "logic", 52);
    dim(&r, "communication", 90);
    r.video_url = NULL;
    struct competency model[] = {comp("logic", 1, 65), comp("communication", 3, 60)};
    struct match_report m;
    match_compute(model, 2, &r, &m);
    json_t *j = match_report_json(&m);
    assert_int_equal(json_object_size(j), 5);
    assert_true(json_is_real(json_object_get(j, "match_score")));
    assert_true(json_real_value(json_object_get(j, "match_score")) == 80.5);
    assert_string_equal(json_string_value(json_object_get(j, "recommendation")), "re_interview");
    assert_json(json_object_get(j, "below_min"), "[{\"dim\":\"logic\",\"gap\":13,\"min\":65,\"score\":52}]");
    assert_json(json_object_get(j, "flags"), "[{\"code\":\"no_video\"}]");
    json_t *reason = json_array_get(json_object_get(j, "reasons"), 0);
    assert_int_equal(json_object_size(reason), 6);
    assert_string_equal(json_string_value(json_object_get(reason, "code")), "below_min");
    assert_true(json_is_integer(json_object_get(reason, "score")));
    assert_true(json_is_integer(json_object_get(reason, "min")));

    /* The arrays are shared, so the JSON outlives the report. */
    match_report_free(&m);
    assert_null(m.reasons);
    assert_null(m.recommendation);
    assert_int_equal(json_array_size(json_object_get(j, "reasons")), 1);
    json_decref(j);

    /* A zeroed report gives empty arrays and a null recommendation. */
    j = match_report_json(&m);
    assert_json(j, "{\"below_min\":[],\"flags\":[],\"match_score\":0.0,\"reasons\":[],\"recommendation\":null}");
    json_decref(j);
    match_report_free(&m);
    match_report_free(NULL);
}

/* From a parsed payload, as ingestion will call it. */
static void from_parsed_result(void **state)
{
    (void)state;
    json_t *in = json_loads(
        "{\"vendor\": \"native\", \"vendor_result_id\": \"R-9\", \"completed_at\": \"2026-11-20T09:30:00Z\","
        " \"candidate\": {\"application_id\": 42}, \"overall\": 78,"
        " \"dimensions\": [{\"key\": \"communication\", \"score\": 82.4}, {\"key\": \"logic\", \"score\": 57}],"
        " \"transcript\": [{\"start_ms\": 0, \"end_ms\": 10, \"speaker\": \"ai\", \"text\": \"你好\"}]}",
        0, NULL);
    json_t *mj = json_loads("[{\"dim\": \"communication\", \"weight\": 0.6, \"min\": 70},"
                            " {\"dim\": \"logic\", \"weight\": 0.4, \"min\": 60}]",
                            0, NULL);
    assert_non_null(in);
    assert_non_null(mj);
    struct result r;
    struct err e;
    err_clear(&e);
    assert_int_equal(result_parse(in, &r, &e), 0);
    struct competency model[30];
    int n = match_model_from_json(mj, model, 30);
    assert_int_equal(n, 2);
    struct match_report m;
    match_compute(model, n, &r, &m);
    assert_true(m.match_score == 72.0); /* 0.6*82 + 0.4*57 */
    assert_string_equal(m.recommendation, "re_interview");
    assert_json(m.reasons, "[{\"code\":\"below_min\",\"dim\":\"logic\",\"message_en\":\"Logical thinking 57 is below "
                           "the position's minimum 60\",\"message_zh\":\"逻辑思维 57 分，低于岗位要求 60 分\","
                           "\"min\":60,\"score\":57}]");
    assert_json(m.flags, "[{\"code\":\"no_video\"}]");
    match_report_free(&m);
    result_free(&r);
    json_decref(in);
    json_decref(mj);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(score_alone_agrees),
        cmocka_unit_test(percentile_empty),
        cmocka_unit_test(percentile_one_score),
        cmocka_unit_test(percentile_many_scores),
        cmocka_unit_test(percentile_edges),
        cmocka_unit_test(model_from_json),
        cmocka_unit_test(weighted_match),
        cmocka_unit_test(match_without_model),
        cmocka_unit_test(missing_dimension),
        cmocka_unit_test(recommendation_match_boundaries),
        cmocka_unit_test(recommendation_dims_below_min),
        cmocka_unit_test(reasons_content),
        cmocka_unit_test(completeness_flags),
        cmocka_unit_test(report_json_shape),
        cmocka_unit_test(from_parsed_result),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

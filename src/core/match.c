/* match.c - see match.h. */
#include "core/match.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char REC_RECOMMEND[] = "recommend";
static const char REC_RE_INTERVIEW[] = "re_interview";
static const char REC_NOT_RECOMMENDED[] = "not_recommended";

int match_model_from_json(json_t *model, struct competency *out, int max)
{
    int n = 0;
    size_t i;
    json_t *v;
    if (!json_is_array(model) || !out || max <= 0)
        return 0;
    json_array_foreach(model, i, v)
    {
        if (n >= max)
            break;
        json_t *d = json_object_get(v, "dim"), *w = json_object_get(v, "weight"), *m = json_object_get(v, "min");
        if (!json_is_string(d) || !json_is_number(w) || !json_is_number(m))
            continue;
        const char *dim = json_string_value(d);
        size_t len = json_string_length(d);
        if (len == 0 || len >= sizeof(out->dim) || strlen(dim) != len)
            continue;
        double weight = json_number_value(w), min = json_number_value(m);
        if (!isfinite(weight) || weight <= 0 || !isfinite(min) || floor(min) != min || min < 0 || min > 100)
            continue;
        int dup = 0;
        for (int k = 0; k < n && !dup; k++)
            dup = strcmp(out[k].dim, dim) == 0;
        if (dup)
            continue;
        memcpy(out[n].dim, dim, len + 1);
        out[n].weight = weight;
        out[n].min = (int)min;
        n++;
    }
    return n;
}

int match_percentile(const int64_t counts[HIST_BUCKETS], int score)
{
    if (!counts)
        return 0;
    if (score < 0)
        score = 0;
    if (score > 100)
        score = 100;
    int64_t below = 0, total = 0;
    for (int i = 0; i < HIST_BUCKETS; i++) {
        int64_t c = counts[i] > 0 ? counts[i] : 0;
        if (c > INT64_MAX - total)
            c = INT64_MAX - total; /* saturate; no real histogram gets here */
        total += c;
        if (i < score)
            below += c;
    }
    if (total == 0)
        return 0;
    if (below > INT64_MAX / 100)
        return (int)floor(100.0 * (double)below / (double)total);
    return (int)(below * 100 / total);
}

/* x >= 0 rounded to one decimal, halves up. The epsilon keeps a sum that
 * should be exactly x.x5 (82.45 computed as 82.4499999...) from rounding
 * down. */
static double round1(double x)
{
    double v = x * 10.0;
    double f = floor(v);
    return (v - f >= 0.5 - 1e-9 ? f + 1 : f) / 10.0;
}

static const struct result_dim *find_dim(const struct result *r, const char *key)
{
    for (int i = 0; i < r->ndims && i < RESULT_MAX_DIMS; i++)
        if (r->dims[i].key && strcmp(r->dims[i].key, key) == 0)
            return &r->dims[i];
    return NULL;
}

/* The label of dimension key: the result's own, else the catalogue's, else
 * the key. */
static const char *dim_label(const struct result *r, const char *key, int english)
{
    const struct result_dim *d = find_dim(r, key);
    const char *l = d ? (english ? d->label_en : d->label_zh) : NULL;
    if (!l || !l[0])
        l = result_dim_label(key, english);
    return l ? l : key;
}

/* Message buffers: a label is at most 64 characters of up to 4 bytes, so
 * nothing written here is ever truncated (which could split a character). */
#define MSG_SIZE 1024

/* Appends {code, dim?, score? (when >= 0), min? (when >= 0), match? (when >=
 * 0), message_zh, message_en} to reasons. */
static void add_reason(json_t *reasons, const char *code, const char *dim, int score, int min, double match,
                       const char *zh, const char *en)
{
    json_t *o = json_object();
    json_object_set_new(o, "code", json_string(code));
    if (dim)
        json_object_set_new(o, "dim", json_string(dim));
    if (score >= 0)
        json_object_set_new(o, "score", json_integer(score));
    if (min >= 0)
        json_object_set_new(o, "min", json_integer(min));
    if (match >= 0)
        json_object_set_new(o, "match", json_real(match));
    json_object_set_new(o, "message_zh", json_string(zh));
    json_object_set_new(o, "message_en", json_string(en));
    json_array_append_new(reasons, o);
}

/* The reasons for the verdict, worst first; the positive one when there are
 * none. */
static void add_reasons(const struct competency *model, int nmodel, const struct result *r, struct match_report *out)
{
    char zh[MSG_SIZE], en[MSG_SIZE];
    double match = out->match_score;
    int found = 0;

    if (match < MATCH_RECOMMEND_FROM) {
        int limit = match < MATCH_NOT_RECOMMENDED_BELOW ? (int)MATCH_NOT_RECOMMENDED_BELOW : (int)MATCH_RECOMMEND_FROM;
        snprintf(zh, sizeof(zh), "综合匹配度 %.1f 分，低于 %d 分", match, limit);
        snprintf(en, sizeof(en), "Match %.1f is below %d", match, limit);
        add_reason(out->reasons, limit == 60 ? "match_below_60" : "match_below_70", NULL, -1, -1, match, zh, en);
        found++;
    }
    for (int i = 0; i < nmodel; i++) {
        const struct result_dim *d = find_dim(r, model[i].dim);
        if (!d || d->score >= model[i].min)
            continue;
        snprintf(zh, sizeof(zh), "%s %d 分，低于岗位要求 %d 分", dim_label(r, d->key, 0), d->score, model[i].min);
        snprintf(en, sizeof(en), "%s %d is below the position's minimum %d", dim_label(r, d->key, 1), d->score,
                 model[i].min);
        add_reason(out->reasons, "below_min", d->key, d->score, model[i].min, -1, zh, en);
        found++;
    }
    for (int i = 0; i < nmodel; i++) {
        if (find_dim(r, model[i].dim))
            continue;
        snprintf(zh, sizeof(zh), "面试结果中没有“%s”的评分，按 0 分计入匹配度", dim_label(r, model[i].dim, 0));
        snprintf(en, sizeof(en), "No %s score in the result; counted as 0 in the match", dim_label(r, model[i].dim, 1));
        add_reason(out->reasons, "missing_dimension", model[i].dim, -1, model[i].min, -1, zh, en);
        found++;
    }
    if (found)
        return;
    if (nmodel == 0) {
        snprintf(zh, sizeof(zh), "岗位未设置能力模型，以面试总分作为匹配度：%.1f 分", match);
        snprintf(en, sizeof(en), "No competency model for the position; the overall score is the match, %.1f", match);
    } else if (nmodel == 1) {
        snprintf(zh, sizeof(zh), "岗位要求的 1 项能力已达标，综合匹配度 %.1f 分", match);
        snprintf(en, sizeof(en), "The model dimension is at or above its minimum, match %.1f", match);
    } else {
        snprintf(zh, sizeof(zh), "岗位要求的 %d 项能力全部达标，综合匹配度 %.1f 分", nmodel, match);
        snprintf(en, sizeof(en), "All %d model dimensions at or above their minimum, match %.1f", nmodel, match);
    }
    add_reason(out->reasons, "meets_requirements", NULL, -1, -1, match, zh, en);
}

void match_score(const struct competency *model, int nmodel, const struct result *r, double *score,
                 const char **recommendation)
{
    if (!model || nmodel < 0)
        nmodel = 0;
    double sumw = 0, sum = 0;
    int nbelow = 0, nmissing = 0;
    for (int i = 0; i < nmodel; i++) {
        const struct result_dim *d = find_dim(r, model[i].dim);
        double w = isfinite(model[i].weight) && model[i].weight > 0 ? model[i].weight : 0;
        sumw += w;
        if (!d) {
            nmissing++;
            continue;
        }
        sum += w * d->score;
        nbelow += d->score < model[i].min;
    }
    double match = nmodel > 0 && sumw > 0 ? sum / sumw : r->overall;
    if (!(match >= 0)) /* also NaN */
        match = 0;
    if (match > 100)
        match = 100;
    *score = round1(match);
    if (*score < MATCH_NOT_RECOMMENDED_BELOW || nbelow >= 2)
        *recommendation = REC_NOT_RECOMMENDED;
    else if (nbelow == 1 || nmissing > 0 || *score < MATCH_RECOMMEND_FROM)
        *recommendation = REC_RE_INTERVIEW;
    else
        *recommendation = REC_RECOMMEND;
}

void match_compute(const struct competency *model, int nmodel, const struct result *r, struct match_report *out)
{
    memset(out, 0, sizeof(*out));
    out->reasons = json_array();
    out->below_min = json_array();
    out->flags = json_array();
    if (!model || nmodel < 0)
        nmodel = 0;
    match_score(model, nmodel, r, &out->match_score, &out->recommendation);
    /* what lies behind them, in model order */
    for (int i = 0; i < nmodel; i++) {
        const struct result_dim *d = find_dim(r, model[i].dim);
        if (!d)
            json_array_append_new(out->flags, json_pack("{s:s,s:s}", "code", "missing_dimension", "dim", model[i].dim));
        else if (d->score < model[i].min)
            json_array_append_new(out->below_min, json_pack("{s:s,s:i,s:i,s:i}", "dim", d->key, "score", d->score,
                                                            "min", model[i].min, "gap", model[i].min - d->score));
    }
    if (r->nsegments == 0)
        json_array_append_new(out->flags, json_pack("{s:s}", "code", "no_transcript"));
    if (!r->video_url)
        json_array_append_new(out->flags, json_pack("{s:s}", "code", "no_video"));
    add_reasons(model, nmodel, r, out);
}

json_t *match_report_json(const struct match_report *m)
{
    json_t *o = json_object();
    json_object_set_new(o, "match_score", json_real(m->match_score));
    json_object_set_new(o, "recommendation", m->recommendation ? json_string(m->recommendation) : json_null());
    json_object_set_new(o, "reasons", m->reasons ? json_incref(m->reasons) : json_array());
    json_object_set_new(o, "below_min", m->below_min ? json_incref(m->below_min) : json_array());
    json_object_set_new(o, "flags", m->flags ? json_incref(m->flags) : json_array());
    return o;
}

void match_report_free(struct match_report *m)
{
    if (!m)
        return;
    json_decref(m->reasons);
    json_decref(m->below_min);
    json_decref(m->flags);
    memset(m, 0, sizeof(*m));
}

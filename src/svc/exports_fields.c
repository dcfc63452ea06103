/* exports_fields.c - the export field catalogue: every field an export
 * template can name, with its zh-CN and English column labels
 * (docs/exports.md lists the same), and the labels of enumerated values. */
#include <stdio.h>
#include <string.h>

#include "core/result.h"
#include "svc/exports_impl.h"

struct xf_def {
    const char *key;
    enum xf_kind kind;
    const char *group, *type, *zh, *en, *desc;
};

static const struct xf_def catalogue[] = {
    {"candidate.name", XF_CAND_NAME, "candidate", "text", "姓名", "Name", "The candidate's name"},
    {"candidate.email", XF_CAND_EMAIL, "candidate", "text", "邮箱", "Email", "Email address, decrypted"},
    {"candidate.phone", XF_CAND_PHONE, "candidate", "text", "手机", "Phone", "Phone number, decrypted"},
    {"candidate.source", XF_CAND_SOURCE, "candidate", "text", "来源", "Source", "Where the candidate came from"},
    {"application.id", XF_APP_ID, "application", "integer", "申请编号", "Application ID", "talentd's application id"},
    {"position.code", XF_POS_CODE, "application", "text", "职位编码", "Position code", "The position applied for"},
    {"position.title", XF_POS_TITLE, "application", "text", "职位名称", "Position title", "The position's title"},
    {"department.code", XF_DEPT_CODE, "application", "text", "部门编码", "Department code",
     "The position's org unit code"},
    {"department.name", XF_DEPT_NAME, "application", "text", "部门", "Department", "The position's org unit name"},
    {"application.stage", XF_STAGE, "application", "text", "阶段", "Stage",
     "Pipeline stage when exported (code, e.g. eliminated_pending_export)"},
    {"application.stage_label", XF_STAGE_LABEL, "application", "text", "阶段名称", "Stage name",
     "The stage in the template's language (淘汰待导出 / Eliminated, pending export)"},
    {"application.applied_at", XF_APPLIED_AT, "application", "time", "申请时间", "Applied at",
     "When the application was created"},
    {"application.elimination_reason", XF_ELIM_REASON, "application", "text", "淘汰原因代码", "Elimination reason code",
     "Reason category (skills_mismatch, ...)"},
    {"application.elimination_reason_label", XF_ELIM_REASON_LABEL, "application", "text", "淘汰原因",
     "Elimination reason", "The reason category in the template's language"},
    {"application.elimination_note", XF_ELIM_NOTE, "application", "text", "淘汰说明", "Elimination note",
     "The note given with the elimination"},
    {"application.eliminated_at", XF_ELIMINATED_AT, "application", "time", "淘汰时间", "Eliminated at",
     "When the application entered elimination (stage history)"},
    {"application.special_note", XF_SPECIAL_NOTE, "application", "text", "特别备注", "Special note",
     "The application's special note"},
    {"ai.vendor", XF_AI_VENDOR, "ai", "text", "AI面试供应商", "AI vendor", "Vendor of the current AI result"},
    {"ai.model_version", XF_AI_MODEL, "ai", "text", "AI模型版本", "AI model version", "The vendor's model version"},
    {"ai.completed_at", XF_AI_COMPLETED_AT, "ai", "time", "AI面试完成时间", "AI interview completed at",
     "When the AI interview was completed"},
    {"ai.overall", XF_AI_OVERALL, "ai", "integer", "AI总分", "AI overall score",
     "Overall score 0..100 (after score revisions)"},
    {"ai.overall_percentile", XF_AI_OVERALL_PCT, "ai", "integer", "AI总分百分位", "AI overall percentile",
     "Percentile of the overall score among the position's current results"},
    {"ai.recommendation", XF_AI_REC, "ai", "text", "推荐结论代码", "Recommendation code",
     "recommend, re_interview or not_recommended (the match report)"},
    {"ai.recommendation_label", XF_AI_REC_LABEL, "ai", "text", "推荐结论", "Recommendation",
     "The recommendation in the template's language"},
    {"ai.match_score", XF_AI_MATCH, "ai", "number", "岗位匹配度", "Match score",
     "Match score against the position's competency model"},
    {"ai.tags", XF_AI_TAGS, "ai", "text", "AI标签", "AI tags", "The result's tags, joined with \"; \""},
    {"ai.transcript", XF_AI_TRANSCRIPT, "ai", "text", "面试转录", "Transcript",
     "The transcript, one line per segment: [mm:ss-mm:ss] speaker: text"},
    {"ai.video_url", XF_AI_VIDEO, "ai", "text", "面试视频", "Video URL", "Link to the interview video"},
    {"ai.key_moments", XF_AI_MOMENTS, "ai", "text", "关键片段", "Key moments",
     "Key moments of the video: mm:ss label, joined with \"; \""},
    {"reviewer.name", XF_REVIEWER, "reviewer", "text", "淘汰确认人", "Elimination confirmed by",
     "Who moved the application to eliminated_pending_export: username, or \"display name (username)\", or "
     "rule/system"},
    {"reviewer.confirmed_at", XF_REVIEWED_AT, "reviewer", "time", "淘汰确认时间", "Elimination confirmed at",
     "When the elimination was confirmed (moved to eliminated_pending_export)"},
    {"export.exported_at", XF_EXPORTED_AT, "export", "time", "导出时间", "Exported at", "When this export ran"},
};
#define N_CATALOGUE ((int)(sizeof(catalogue) / sizeof(catalogue[0])))

static void set_labels(struct xf *f, const char *zh, const char *en)
{
    snprintf(f->label[0], sizeof(f->label[0]), "%s", zh);
    snprintf(f->label[1], sizeof(f->label[1]), "%s", en);
}

int xf_resolve(const char *key, struct xf *f)
{
    memset(f, 0, sizeof(*f));
    if (!key || strlen(key) >= sizeof(f->key))
        return -1;
    snprintf(f->key, sizeof(f->key), "%s", key);
    for (int i = 0; i < N_CATALOGUE; i++) {
        if (strcmp(catalogue[i].key, key) == 0) {
            f->kind = catalogue[i].kind;
            set_labels(f, catalogue[i].zh, catalogue[i].en);
            return 0;
        }
    }
    int pct = strncmp(key, "percentile.", 11) == 0;
    if (!pct && strncmp(key, "dim.", 4) != 0)
        return -1;
    const char *dim = key + (pct ? 11 : 4);
    if (!result_dim_key_valid(dim, strlen(dim)))
        return -1;
    f->kind = pct ? XF_PCT : XF_DIM;
    snprintf(f->dim, sizeof(f->dim), "%s", dim);
    const char *zh = result_dim_label(dim, 0), *en = result_dim_label(dim, 1);
    char a[160], b[160];
    snprintf(a, sizeof(a), "%s%s", zh ? zh : dim, pct ? "百分位" : "");
    snprintf(b, sizeof(b), "%s%s", en ? en : dim, pct ? " percentile" : "");
    set_labels(f, a, b);
    return 0;
}

json_t *xf_catalogue_json(void)
{
    json_t *items = json_array();
    for (int i = 0; i < N_CATALOGUE; i++) {
        const struct xf_def *d = &catalogue[i];
        json_array_append_new(items, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "key", d->key, "group", d->group, "type",
                                               d->type, "label_zh", d->zh, "label_en", d->en, "description", d->desc));
    }
    json_t *patterns = json_pack(
        "[{s:s,s:s,s:s,s:s,s:s,s:s},{s:s,s:s,s:s,s:s,s:s,s:s}]", "key", "dim.<key>", "group", "ai", "type", "integer",
        "label_zh", "<维度名称>", "label_en", "<dimension label>", "description",
        "Effective score 0..100 of one dimension of the current AI result (dim.logic, dim.communication, ...)", "key",
        "percentile.<key>", "group", "ai", "type", "integer", "label_zh", "<维度名称>百分位", "label_en",
        "<dimension label> percentile", "description",
        "Percentile of that dimension's score among the current results for the same position");
    return json_pack("{s:o,s:o}", "items", items, "patterns", patterns);
}

struct label {
    const char *value, *zh, *en;
};

static const char *label_of(const struct label *t, const char *v, int en)
{
    if (!v)
        return NULL;
    for (; t->value; t++)
        if (strcmp(t->value, v) == 0)
            return en ? t->en : t->zh;
    return v;
}

const char *xf_stage_label(const char *stage, int en)
{
    static const struct label t[] = {
        {"applied", "已申请", "Applied"},
        {"ai_invited", "已邀请AI面试", "Invited to the AI interview"},
        {"ai_in_progress", "AI面试中", "AI interview in progress"},
        {"ai_incomplete", "AI面试未完成", "AI interview incomplete"},
        {"ai_pending_evaluation", "待评估", "Pending evaluation"},
        {"ai_passed", "AI面试通过", "AI interview passed"},
        {"followup", "复试", "Follow-up interview"},
        {"offer", "录用意向", "Offer"},
        {"hired", "已录用", "Hired"},
        {"eliminated_pending_review", "淘汰待复核", "Eliminated, pending review"},
        {"eliminated_pending_export", "淘汰待导出", "Eliminated, pending export"},
        {"exported", "已导出", "Exported"},
        {"withdrawn", "已撤回", "Withdrawn"},
        {NULL, NULL, NULL},
    };
    return label_of(t, stage, en);
}

const char *xf_reason_label(const char *reason, int en)
{
    static const struct label t[] = {
        {"skills_mismatch", "技能不匹配", "Skills mismatch"},
        {"experience_insufficient", "经验不足", "Insufficient experience"},
        {"communication", "沟通表达不足", "Communication"},
        {"ai_score_below_threshold", "AI评分未达标", "AI score below threshold"},
        {"incomplete_interview", "面试未完成", "Interview not completed"},
        {"culture_fit", "文化契合度不足", "Culture fit"},
        {"salary_expectation", "薪资期望不符", "Salary expectation"},
        {"no_show", "未参加面试", "No show"},
        {"duplicate_application", "重复申请", "Duplicate application"},
        {"other", "其他", "Other"},
        {NULL, NULL, NULL},
    };
    return label_of(t, reason, en);
}

const char *xf_rec_label(const char *rec, int en)
{
    static const struct label t[] = {
        {"recommend", "推荐", "Recommend"},
        {"re_interview", "建议复试", "Re-interview"},
        {"not_recommended", "不推荐", "Not recommended"},
        {NULL, NULL, NULL},
    };
    return label_of(t, rec, en);
}

const char *xf_speaker_label(const char *speaker, int en)
{
    static const struct label t[] = {
        {"ai", "AI", "AI"},
        {"candidate", "候选人", "Candidate"},
        {"interviewer", "面试官", "Interviewer"},
        {NULL, NULL, NULL},
    };
    return label_of(t, speaker, en);
}

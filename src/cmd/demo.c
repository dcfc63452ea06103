/* demo.c - `talentd demo`: a small company with positions, users of every
 * role and N candidates spread over the pipeline, loaded through the svc_
 * functions only (so every row has its audit entry and outbox event).
 *
 * The data is deterministic for a --seed (splitmix64); only the generated
 * user passwords, the candidate link's token and the times (results
 * completed a few days before the run) differ between runs. The steps the
 * AI-interview side takes (invite, start) are made by the system actor and
 * the interview's end is its AI result arriving through svc_result_ingest,
 * which moves the application to ai_pending_evaluation; decisions (pass,
 * follow-up, offer, hire, eliminate, withdraw) and score revisions are made
 * by the hr1 user, notes by hr1, the managers and the interviewers, as they
 * would be in real life. A database that already has positions is left
 * alone, so `make run` can call this on every start. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "cmd/flags.h"
#include "core/pipeline.h"
#include "lib/timeutil.h"
#include "svc/annotations.h"
#include "svc/applications.h"
#include "svc/auth.h"
#include "svc/candidates.h"
#include "svc/org.h"
#include "svc/portal.h"
#include "svc/results.h"
#include "svc/revisions.h"

static const char demo_usage[] =
    "usage: talentd demo [--data DIR] [--db URL] [--candidates N] [--seed S]\n"
    "Loads a demo company (org units, 5 positions, users hr1, mgr_sales, mgr_eng, int1, int2)\n"
    "and N candidates (default 200) with applications at varied pipeline stages. Every\n"
    "application past the AI interview has its AI result (native results: scores, evidence,\n"
    "transcript, key moments); a few results are re-scored, a few wait in the unmatched\n"
    "queue, hr1 revises some scores and the staff leave notes. One candidate link is made\n"
    "and its path printed (the token is shown only then).\n"
    "User passwords are printed and written to DIR/demo-users.txt (mode 0600).\n"
    "Does nothing when the database already has positions.\n";

#define DEMO_MAX_CANDIDATES 100000

/* splitmix64: small, fast and good enough for demo data. */
struct rng {
    uint64_t s;
};

static uint64_t rng_next(struct rng *r)
{
    uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, n). */
static unsigned rng_below(struct rng *r, unsigned n)
{
    return (unsigned)(rng_next(r) % n);
}

/* Index into weights[0..n) chosen with probability proportional to the weight. */
static int rng_weighted(struct rng *r, const unsigned *weights, int n)
{
    unsigned total = 0;
    for (int i = 0; i < n; i++)
        total += weights[i];
    unsigned x = rng_below(r, total);
    for (int i = 0; i < n; i++) {
        if (x < weights[i])
            return i;
        x -= weights[i];
    }
    return n - 1;
}

/* Uniform in [-spread, spread]. */
static int rng_jitter(struct rng *r, int spread)
{
    return (int)rng_below(r, 2u * (unsigned)spread + 1u) - spread;
}

/* ---- the company ---- */

/* clang-format off */
static const struct {
    const char *code, *name, *parent;
} demo_orgs[] = {
    {"hq", "总部", NULL},
    {"sales", "销售部", "hq"},
    {"sales-east", "华东销售组", "sales"},
    {"eng", "技术部", "hq"},
    {"eng-backend", "后端组", "eng"},
    {"hr", "人力资源部", "hq"},
};
/* clang-format on */

static const struct {
    const char *username, *role, *org, *display;
} demo_users[] = {
    {"hr1", "hr", "hr", "王芳 (HR)"},
    {"mgr_sales", "manager", "sales", "李强 (销售部经理)"},
    {"mgr_eng", "manager", "eng", "陈杰 (技术部经理)"},
    {"int1", "interviewer", "eng", "赵磊 (面试官)"},
    {"int2", "interviewer", "sales", "刘敏 (面试官)"},
};
#define DEMO_USERS (int)(sizeof(demo_users) / sizeof(demo_users[0]))
enum { U_HR1, U_MGR_SALES, U_MGR_ENG, U_INT1, U_INT2 }; /* indexes into demo_users */

/* Positions; weight is how many of the candidates apply to each. */
static const struct {
    const char *code, *title, *org, *description, *model;
    int headcount, review_required;
    long long salary_min, salary_max;
    unsigned weight;
} demo_positions[] = {
    {"SALES-01", "销售代表", "sales-east", "负责华东区域客户开发与维护,完成季度销售目标。",
     "[{\"dim\":\"communication\",\"weight\":0.4,\"min\":70},{\"dim\":\"stress\",\"weight\":0.3,\"min\":60},"
     "{\"dim\":\"teamwork\",\"weight\":0.3,\"min\":60}]",
     8, 0, 8000, 15000, 35},
    {"SALES-02", "大客户经理", "sales", "管理重点客户关系,主导大型项目的商务谈判。",
     "[{\"dim\":\"communication\",\"weight\":0.35,\"min\":75},{\"dim\":\"logic\",\"weight\":0.25,\"min\":65},"
     "{\"dim\":\"stress\",\"weight\":0.2,\"min\":65},{\"dim\":\"professional\",\"weight\":0.2,\"min\":60}]",
     2, 1, 15000, 30000, 15},
    {"ENG-01", "后端工程师", "eng-backend", "负责招聘平台后端服务的设计与开发(C / PostgreSQL)。",
     "[{\"dim\":\"professional\",\"weight\":0.5,\"min\":75},{\"dim\":\"logic\",\"weight\":0.3,\"min\":70},"
     "{\"dim\":\"learning\",\"weight\":0.2,\"min\":60}]",
     5, 1, 18000, 35000, 25},
    {"ENG-02", "前端工程师", "eng", "负责管理后台与候选人端页面的开发(Vue 3)。",
     "[{\"dim\":\"professional\",\"weight\":0.4,\"min\":70},{\"dim\":\"learning\",\"weight\":0.3,\"min\":60},"
     "{\"dim\":\"teamwork\",\"weight\":0.3,\"min\":60}]",
     3, 0, 15000, 28000, 15},
    {"HR-01", "招聘专员", "hr", "负责校园招聘与社会招聘的全流程执行。",
     "[{\"dim\":\"communication\",\"weight\":0.5,\"min\":70},{\"dim\":\"teamwork\",\"weight\":0.3,\"min\":60},"
     "{\"dim\":\"learning\",\"weight\":0.2,\"min\":55}]",
     1, 0, 7000, 12000, 10},
};
#define DEMO_POSITIONS (int)(sizeof(demo_positions) / sizeof(demo_positions[0]))
/* The position whose candidates see a summary of their AI result on their own page. */
#define DEMO_SHOW_RESULT_POSITION 0

/* ---- candidates ---- */

static const char *const surnames[][2] = {
    {"王", "wang"},     {"李", "li"},     {"张", "zhang"}, {"刘", "liu"},   {"陈", "chen"}, {"杨", "yang"},
    {"黄", "huang"},    {"赵", "zhao"},   {"吴", "wu"},    {"周", "zhou"},  {"徐", "xu"},   {"孙", "sun"},
    {"马", "ma"},       {"朱", "zhu"},    {"胡", "hu"},    {"郭", "guo"},   {"何", "he"},   {"高", "gao"},
    {"林", "lin"},      {"罗", "luo"},    {"郑", "zheng"}, {"梁", "liang"}, {"谢", "xie"},  {"宋", "song"},
    {"唐", "tang"},     {"许", "xu"},     {"韩", "han"},   {"冯", "feng"},  {"邓", "deng"}, {"曹", "cao"},
    {"彭", "peng"},     {"曾", "zeng"},   {"肖", "xiao"},  {"田", "tian"},  {"董", "dong"}, {"潘", "pan"},
    {"袁", "yuan"},     {"蒋", "jiang"},  {"蔡", "cai"},   {"余", "yu"},    {"杜", "du"},   {"叶", "ye"},
    {"程", "cheng"},    {"苏", "su"},     {"魏", "wei"},   {"吕", "lv"},    {"丁", "ding"}, {"沈", "shen"},
    {"欧阳", "ouyang"}, {"司马", "sima"},
};

static const char *const given[][2] = {
    {"伟", "wei"},  {"芳", "fang"}, {"娜", "na"},   {"敏", "min"},  {"静", "jing"}, {"丽", "li"},   {"强", "qiang"},
    {"磊", "lei"},  {"军", "jun"},  {"洋", "yang"}, {"勇", "yong"}, {"艳", "yan"},  {"杰", "jie"},  {"娟", "juan"},
    {"涛", "tao"},  {"明", "ming"}, {"超", "chao"}, {"霞", "xia"},  {"平", "ping"}, {"刚", "gang"}, {"华", "hua"},
    {"玉", "yu"},   {"萍", "ping"}, {"鹏", "peng"}, {"辉", "hui"},  {"宇", "yu"},   {"浩", "hao"},  {"凯", "kai"},
    {"晨", "chen"}, {"欣", "xin"},  {"怡", "yi"},   {"婷", "ting"}, {"雪", "xue"},  {"琳", "lin"},  {"子", "zi"},
    {"轩", "xuan"}, {"涵", "han"},  {"梓", "zi"},   {"博", "bo"},   {"文", "wen"},  {"思", "si"},   {"雨", "yu"},
    {"佳", "jia"},  {"诺", "nuo"},  {"睿", "rui"},  {"泽", "ze"},   {"嘉", "jia"},  {"晓", "xiao"}, {"天", "tian"},
    {"俊", "jun"},  {"志", "zhi"},  {"慧", "hui"},  {"颖", "ying"}, {"婧", "jing"},
};

#define NSURNAMES (sizeof(surnames) / sizeof(surnames[0]))
#define NGIVEN (sizeof(given) / sizeof(given[0]))

static const char *const sources[] = {"campus", "referral", "boss", "liepin", "website"};
static const unsigned source_weights[] = {25, 15, 25, 15, 20};
static const char *const phone_prefixes[] = {"138", "139", "136", "150", "186", "177", "135", "158"};
static const char *const mail_domains[] = {"example.com", "example.org", "example.net"};
static const char *const id_areas[] = {"110101", "310101", "440305", "330106", "510107", "420111", "320102"};

/* Appends the GB 11643 check character to the first 17 digits of an 18-character ID number. */
static void id_checksum(char *id)
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    static const char check[] = "10X98765432";
    int sum = 0;
    for (int i = 0; i < 17; i++)
        sum += (id[i] - '0') * w[i];
    id[17] = check[sum % 11];
    id[18] = '\0';
}

/* Builds the create input for candidate number i (0-based); unique email and phone per i. */
static json_t *candidate_input(struct rng *r, int i)
{
    unsigned s = rng_below(r, NSURNAMES), g1 = rng_below(r, NGIVEN), g2 = rng_below(r, NGIVEN);
    int two = rng_below(r, 100) < 70;
    char name[32], email[128], phone[16];
    snprintf(name, sizeof(name), "%s%s%s", surnames[s][0], given[g1][0], two ? given[g2][0] : "");
    snprintf(email, sizeof(email), "%s.%s%s%d@%s", given[g1][1], surnames[s][1], two ? given[g2][1] : "", i + 1,
             mail_domains[rng_below(r, 3)]);
    /* i * 7919 mod 10^8 is a bijection (7919 is coprime to 10), so phones never repeat. */
    unsigned tail = (unsigned)(((uint64_t)i * 7919u + 1234567u) % 100000000u);
    snprintf(phone, sizeof(phone), "%s%08u", phone_prefixes[rng_below(r, 8)], tail);
    json_t *in = json_pack("{s:s,s:s,s:s,s:s,s:b}", "name", name, "email", email, "phone", phone, "source",
                           sources[rng_weighted(r, source_weights, 5)], "consent", 1);
    if (rng_below(r, 100) < 40) {
        char id[64];
        int year = 1990 + (int)rng_below(r, 14), month = 1 + (int)rng_below(r, 12), day = 1 + (int)rng_below(r, 28);
        snprintf(id, sizeof(id), "%s%04d%02d%02d%03u", id_areas[rng_below(r, 7)], year, month, day, rng_below(r, 1000));
        id_checksum(id);
        json_object_set_new(in, "id_number", json_string(id));
    }
    return in;
}

/* ---- pipeline walks ---- */

/* Final stages and how often they occur (out of the sum). */
/* clang-format off */
enum walk {
    W_APPLIED, W_INVITED, W_IN_PROGRESS, W_INCOMPLETE, W_PENDING_EVAL, W_PASSED, W_FOLLOWUP, W_OFFER, W_HIRED,
    W_ELIM_REVIEW, W_ELIM_EXPORT, W_WITHDRAWN, W__COUNT
};
/* clang-format on */
static const unsigned walk_weights[W__COUNT] = {12, 10, 6, 4, 16, 10, 10, 4, 3, 9, 12, 4};

/* One step: the target stage, whether hr1 (not the system) makes it, whether it needs a reason, and
 * whether it is the AI result arriving (which makes the move itself). */
struct step {
    const char *to;
    int by_hr;
    int reason;
    int result;
};

/* The steps from applied to the walk's final stage. review_required positions
 * route eliminations through review, as the pipeline requires of the system. */
static int walk_steps(enum walk w, int review_required, struct step *out)
{
    static const struct step invite = {"ai_invited", 0, 0}, start = {"ai_in_progress", 0, 0},
                             finish = {"ai_pending_evaluation", 0, 0, 1}, pass = {"ai_passed", 1, 0},
                             follow = {"followup", 1, 0}, offer = {"offer", 1, 0};
    int n = 0;
    if (w == W_APPLIED)
        return 0;
    out[n++] = invite;
    if (w == W_INVITED)
        return n;
    out[n++] = start;
    switch (w) {
    case W_IN_PROGRESS:
        return n;
    case W_INCOMPLETE:
        out[n++] = (struct step){"ai_incomplete", 0, 0};
        return n;
    case W_WITHDRAWN:
        out[n++] = (struct step){"withdrawn", 1, 0};
        return n;
    default:
        break;
    }
    out[n++] = finish;
    if (w == W_PENDING_EVAL)
        return n;
    if (w == W_ELIM_REVIEW || w == W_ELIM_EXPORT) {
        if (review_required || w == W_ELIM_REVIEW)
            out[n++] = (struct step){"eliminated_pending_review", 0, 1};
        if (w == W_ELIM_EXPORT)
            out[n++] = (struct step){"eliminated_pending_export", review_required, 1};
        return n;
    }
    out[n++] = pass;
    if (w == W_PASSED)
        return n;
    out[n++] = follow;
    if (w == W_FOLLOWUP)
        return n;
    out[n++] = offer;
    if (w == W_OFFER)
        return n;
    out[n++] = (struct step){"hired", 1, 0};
    return n;
}

static const char *const demo_reasons[] = {"ai_score_below_threshold", "skills_mismatch",
                                           "experience_insufficient",  "communication",
                                           "salary_expectation",       "culture_fit"};
static const unsigned reason_weights[] = {40, 20, 15, 10, 10, 5};

static const char *const demo_notes[] = {"内推候选人,推荐人:张伟", "应届生,2025年7月可到岗", "期望薪资较高,需确认",
                                         "有同行业三年经验", "可接受出差"};

/* An application that got its AI result, kept for what happens after the walks. */
struct rec {
    int64_t app;
    int pos;
    enum stage stage;  /* where the walk ended */
    unsigned assigned; /* bit (1u << user index) per assigned interviewer */
    int missing;       /* the result leaves out one of the model's dimensions */
    int touched;       /* re-scored or revised already */
    json_t *result;    /* the current version as ingested (owned) */
};

struct demo {
    struct app *a;
    struct rng rng;
    struct rng rr; /* the results' own stream, so candidates and walks stay what they were */
    struct actor actors[DEMO_USERS];
    struct svc_ctx user[DEMO_USERS]; /* each demo user acting; user[U_HR1] makes the human decisions */
    int64_t position_ids[DEMO_POSITIONS];
    json_t *models[DEMO_POSITIONS]; /* competency models [{dim, weight, min}] */
    int hired[DEMO_POSITIONS];      /* never more than the headcount (talentd check compares them) */
    int stage_count[STAGE__COUNT];
    int assigned;
    int64_t now; /* ms when the run began; interviews ended a few days before */
    struct rec *recs;
    size_t nrecs, caprecs;
    int serial; /* vendor_result_id numbers */
    int results, rescored, unmatched, revisions, annotations, missing, recommend[3];
    int64_t link_app;
    int link_pos;
    char link_path[96];
};

/* ---- AI interview results ---- */

#define SB(s) (1u << (s)) /* a set of stages */

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* What the AI writes about a dimension, by score: 80 and up, 60 and up, below. */
/* clang-format off */
static const struct {
    const char *key, *hi, *mid, *lo;
} dim_texts[] = {
    {"communication", "表达条理清晰,能先给结论再展开细节,举例具体,面对追问能准确抓住问题重点。",
     "能把主要意思讲清楚,但部分回答铺垫较长,重点不够突出。",
     "回答较为零散,多次偏离问题,需要追问才能说明要点。"},
    {"stress", "在连续追问和质疑性问题下语速平稳,前后回答一致,情绪控制良好。",
     "面对质疑时略有停顿,随后能调整状态完成回答。",
     "遇到压力性问题时明显紧张,回答变短且回避细节。"},
    {"teamwork", "多次提到与同事分工协作的具体做法,能站在对方角度处理分歧。",
     "有团队合作经历,但对自己在团队中的角色描述不够具体。",
     "案例多以个人视角叙述,较少体现与他人的协作和沟通。"},
    {"logic", "分析问题层次分明,能拆解成若干子问题并给出优先级,推理过程严谨。",
     "思路基本清楚,但在多条件的问题上遗漏了部分约束。",
     "回答前后存在矛盾,因果关系说明不清,结论缺少依据。"},
    {"professional", "岗位相关的专业知识扎实,能结合实际项目讲清技术或业务细节。",
     "具备岗位所需的基础知识,对深入问题的理解还不够系统。",
     "专业问题的回答停留在概念层面,缺少实际经验支撑。"},
    {"learning", "能清楚说明近期主动学习的内容和方法,并有把所学用到工作中的实例。",
     "有学习意愿,但学习方式偏被动,多为遇到问题时临时查找。",
     "对近期学习内容描述模糊,未体现持续学习的习惯。"},
    {"customer_focus", "回答始终从客户需求出发,能说明如何识别客户的真实痛点并持续跟进。",
     "有客户服务意识,但对客户需求的挖掘停留在表面。",
     "较少提及客户视角,处理异议时倾向于直接让步。"},
    {"expression", "语言流畅自然,用词准确,能根据问题调整表达的详略。",
     "表达基本流畅,偶有口头禅和重复。",
     "语句不够连贯,停顿较多,影响信息传达。"},
    {"motivation", "对岗位和公司了解充分,职业规划清晰,求职动机与岗位高度契合。",
     "对岗位有基本了解,求职动机以个人发展为主。",
     "对岗位了解有限,求职动机主要是换个环境,稳定性存疑。"},
    {"execution", "能给出明确的计划和时间节点,并用数据说明结果的达成情况。",
     "能完成既定任务,但对过程管控的描述不够具体。",
     "案例中多次提到任务延期,缺少推进和跟进的具体措施。"},
    {"adaptability", "经历过组织调整和业务变化,能快速适应并主动调整工作方法。",
     "能接受变化,但需要一段时间适应新环境。",
     "对变化有明显的抵触情绪,倾向于维持原有做法。"},
    {"problem_solving", "排查问题思路系统,先定位范围再验证假设,并能提出长期改进措施。",
     "能解决常见问题,复杂问题的排查思路不够完整。",
     "遇到问题倾向于依赖他人或重启了事,缺少定位根因的方法。"},
    {"analysis", "善于用数据支撑判断,能从现象中归纳出关键因素。",
     "能做基本的分析,但结论和数据之间的联系说明不足。",
     "分析停留在描述现象,未能找到问题的关键。"},
    {"responsibility", "主动承担项目中的关键任务,出现问题时先从自身找原因并跟进到底。",
     "能完成分内工作,对职责以外的事情参与较少。",
     "描述失误时倾向于归因外部,较少反思自身。"},
    {"initiative", "多次提到主动发现问题并推动改进,不等安排就开始行动。",
     "能按要求完成工作,偶尔提出改进建议。",
     "工作以被动接受安排为主,缺少主动推进的事例。"},
    {"english", "能用英文流畅介绍项目,阅读英文技术文档无障碍。",
     "英文阅读基本无碍,口语表达略显生疏。",
     "英文表达困难,阅读英文资料需要借助翻译工具。"},
    {"organization", "组织过多场大型活动,能协调多个部门的资源并把控整体进度。",
     "参与过活动组织,承担执行层面的工作较多。",
     "组织协调经验较少,对多方资源的统筹缺少思路。"},
    {"service", "重视候选人和用人部门的体验,能主动跟进并及时反馈。",
     "服务意识尚可,反馈的及时性有待提高。",
     "较少考虑对方的感受,沟通中显得机械。"},
    {"attitude", "态度认真,准备充分,每个问题都给出了认真的回答。",
     "态度端正,个别问题准备不足。",
     "回答较为敷衍,部分问题明显没有准备。"},
};
/* clang-format on */

static const char *dim_evidence(const char *key, int score)
{
    for (size_t i = 0; i < sizeof(dim_texts) / sizeof(dim_texts[0]); i++)
        if (strcmp(dim_texts[i].key, key) == 0)
            return score >= 80 ? dim_texts[i].hi : score >= 60 ? dim_texts[i].mid : dim_texts[i].lo;
    return NULL;
}

/* Position families: what the interview asks and which catalogue dimensions it adds to the model's. */
enum family { F_SALES, F_ENG, F_HR };

static enum family position_family(int pos)
{
    const char *code = demo_positions[pos].code;
    return strncmp(code, "SALES", 5) == 0 ? F_SALES : strncmp(code, "ENG", 3) == 0 ? F_ENG : F_HR;
}

#define NEXTRA 6
static const char *const extra_dims[3][NEXTRA] = {
    {"customer_focus", "expression", "motivation", "execution", "adaptability", "initiative"},
    {"problem_solving", "analysis", "responsibility", "initiative", "english", "adaptability"},
    {"organization", "service", "expression", "responsibility", "attitude", "motivation"},
};

/* One interview question with a strong and a weak answer and the key moment each makes. */
struct qa {
    const char *q, *good, *weak, *good_moment, *weak_moment;
};

#define NQA 5
/* clang-format off */
static const struct qa family_qa[3][NQA] = {
    {
        {"请分享一次你从零开始开发新客户的经历。",
         "去年我负责苏州地区的制造业客户,先从行业展会拿到名单,筛出三十多家重点企业逐个拜访。其中一家前后沟通了两个月,"
         "我根据他们的采购周期调整了报价方案,最后签下了年度框架合同,金额大约八十万。",
         "我之前主要是维护老客户,新客户开发做得不多,一般就是打电话约拜访,有意向的再跟进。",
         "案例:两个月拿下约 80 万的年度框架合同", "新客户开发经验有限"},
        {"如果客户当面质疑我们的价格比竞品高,你会怎么回应?",
         "我会先确认客户比较的是哪一家、哪个配置,然后把总拥有成本算给他看,包括交付周期、售后响应和故障率。"
         "价格不是唯一因素,我会用老客户的数据说明长期使用更划算。",
         "我会跟领导申请一下看能不能给点折扣,实在不行就只能先放一放。",
         "用总拥有成本化解价格异议", "面对价格异议倾向于直接降价"},
        {"说一次你没有完成销售目标的情况,你是怎么处理的?",
         "今年第一季度因为两个大单延期,我只完成了目标的百分之七十。我复盘后把客户按成交概率重新分层,每周和主管同步进展,"
         "第二季度补回了缺口,全年完成了百分之一百零五。",
         "那个季度市场不太好,大家都没完成,我也没什么特别的办法,后来行情好了就好了。",
         "复盘后第二季度补回业绩缺口", "把未完成目标归因于外部环境"},
        {"连续出差、业绩压力很大的时候,你一般怎么调整自己?",
         "我会提前把一周的行程和要跟进的事项列清楚,路上处理邮件和报价。压力大的时候我会去跑步,也会和同事聊聊,"
         "尽量把情绪和工作分开。",
         "压力大的时候会有点焦虑,可能需要一段时间慢慢适应。",
         "有成熟的压力调节方法", "承认高压下容易焦虑"},
        {"你和同事在客户归属上发生过分歧吗?是怎么解决的?",
         "有过一次,同一家客户我和同事都在跟。我们找主管把各自的拜访记录摊开,约定由关系更深的同事主导,"
         "我负责技术交流,签单后业绩按比例分。",
         "没遇到过,我一般只管自己的客户,别人的事不太参与。",
         "通过主管协调解决客户归属分歧", "协作意识较弱"},
    },
    {
        {"介绍一个你做过的最有挑战的后端项目,你在其中负责什么?",
         "我负责把订单服务从单体里拆出来,难点是数据迁移不能停机。我们用双写加对账的方式,分三周灰度切流,"
         "期间没有出现数据不一致,接口 P99 从 800 毫秒降到了 120 毫秒。",
         "我主要参与了一个管理系统的开发,负责一些增删改查的接口,整体设计是组长做的。",
         "订单服务拆分:双写对账、灰度切流,P99 降到 120ms", "项目中承担的设计工作较少"},
        {"线上接口突然变慢,你会怎么排查?",
         "先看监控确认影响范围和开始时间,对照最近的发布记录;再看数据库慢查询和连接池,用 EXPLAIN 分析执行计划。"
         "上次遇到的是缺了联合索引,加上后恢复正常,事后补了慢查询告警。",
         "我会先重启一下服务看看,不行的话再找运维帮忙看日志。",
         "排查思路完整:监控、发布记录、慢查询", "排查问题依赖重启和他人"},
        {"你最近在学习什么新技术?是怎么学的?",
         "最近在看 PostgreSQL 的查询优化器,一边读官方文档,一边在本地造了千万级的数据做实验,"
         "把结论整理成了一次团队分享。",
         "最近工作比较忙,没有系统地学什么,主要是遇到问题再去搜。",
         "自学 PostgreSQL 优化器并做团队分享", "缺少系统的学习计划"},
        {"代码评审时同事反对你的设计,你怎么处理?",
         "我会先把他的顾虑听完,把两种方案的取舍列出来,必要时写个小原型对比性能。上次同事指出我的缓存方案有一致性问题,"
         "我们最后采用了他的建议。",
         "我一般会坚持自己的方案,因为是我负责的模块,我更了解。",
         "用原型对比方案,接受同事的更优建议", "评审中较难接受不同意见"},
        {"你怎么保证自己写的代码质量?",
         "关键逻辑先写单元测试,提交前跑静态检查和内存检测工具,复杂的改动拆成小提交方便评审。"
         "我负责的模块测试覆盖率一直保持在百分之八十以上。",
         "主要是自己测一下,测试同学也会帮忙测。",
         "单元测试与静态检查,覆盖率 80% 以上", "质量保障主要依赖测试同学"},
    },
    {
        {"请讲一次你组织校园招聘的经历。",
         "去年秋招我负责华东六所高校的宣讲会,提前一个月对接就业处,排好面试官的班,现场用小程序签到。"
         "最后收到简历一千二百份,发出四十个 offer,接受率百分之七十五。",
         "我参与过校招,主要负责现场签到和收简历。",
         "秋招六校宣讲:1200 份简历、offer 接受率 75%", "校招中只承担执行工作"},
        {"候选人临时拒绝 offer,你会怎么处理?",
         "先和候选人坦诚沟通,了解真实原因;如果是薪资或者可以解决的顾虑,及时和用人部门商量方案;"
         "实在挽回不了,马上启动备选候选人,同时复盘是哪个环节出了问题。",
         "那就只能再找其他人了,候选人的选择我们也没办法。",
         "拒 offer 的挽回与备选方案", "遇到拒 offer 较为被动"},
        {"用人部门对招聘进度不满意时,你怎么沟通?",
         "我会每周给用人部门发一份进度简报,包括各渠道的数据和面试通过率,遇到卡点一起调整人才画像或渠道,"
         "让他们看到进展和问题在哪里。",
         "我会跟他们解释现在市场上人不好招,请他们耐心一点。",
         "用周报和数据管理用人部门预期", "与用人部门沟通缺少数据支撑"},
        {"你怎么快速熟悉一个陌生岗位的招聘要求?",
         "先和用人经理聊清楚核心能力和硬性条件,再看几份在职优秀员工的简历,整理一份面试问题清单,"
         "前几场面试请业务同事一起参加校准。",
         "主要看岗位描述,不懂的地方再问。",
         "与业务共同校准面试标准", "对岗位理解停留在岗位描述"},
        {"同时推进十几个岗位时,你怎么安排优先级?",
         "我会按业务紧急程度和招聘难度给岗位分级,每天固定时间处理简历筛选和面试安排,"
         "用表格跟踪每个岗位的漏斗数据,每周和主管对一次优先级。",
         "一般是哪个部门催得急就先做哪个。",
         "按紧急度与难度分级管理多个岗位", "缺少多岗位并行的计划"},
    },
};
/* clang-format on */

static const char intro_q[] = "你好,欢迎参加本次 AI 面试。请先用一两分钟做个自我介绍。";
#define INTRO_GOOD                                                                                                     \
    "您好,我叫%s。过去几年一直在相关岗位工作,做事比较有条理,喜欢有挑战的工作。"      \
    "这次看到贵公司的岗位,觉得和我的经历很匹配,所以来应聘。"
#define INTRO_WEAK "您好,我叫%s,之前做过一些相关的工作,这次想换个环境试试。"
static const char closing_q[] = "最后,你对这个岗位或者我们公司还有什么想了解的吗?";
static const char closing_good[] = "想了解一下团队目前的规模和分工,以及新人入职后的培养和考核方式。";
static const char closing_weak[] = "暂时没有了,谢谢。";

static const char *const good_tags[] = {"表达清晰",   "逻辑严谨", "案例具体", "积极主动",   "抗压能力强", "团队意识好",
                                        "学习意愿强", "目标感强", "沉着冷静", "客户意识强", "思路开阔",   "责任心强"};
static const char *const bad_tags[] = {"回答偏笼统",   "缺少具体案例", "略显紧张",     "语速偏快",  "逻辑跳跃",
                                       "准备不够充分", "专业深度不足", "职业规划模糊", "稳定性存疑"};
#define NGOOD_TAGS (sizeof(good_tags) / sizeof(good_tags[0]))
#define NBAD_TAGS (sizeof(bad_tags) / sizeof(bad_tags[0]))

/* How well the candidate does in the interview. */
struct quality {
    int lo, span;        /* the candidate's level: lo + [0, span) */
    int at_min;          /* model dimensions lifted to their minimum (walks that went on to pass) */
    int may_miss;        /* the vendor may leave out one of the model's dimensions */
    const char *weak[2]; /* dimensions the candidate did badly in */
    const char *reason;  /* reason_category when the vendor says reject */
};

/* The quality that fits where the walk ends; reason is the walk's elimination reason. */
static struct quality walk_quality(enum walk w, const char *reason)
{
    struct quality q = {48, 43, 0, 1, {NULL, NULL}, "ai_score_below_threshold"};
    switch (w) {
    case W_PASSED:
    case W_FOLLOWUP:
    case W_OFFER:
    case W_HIRED:
        q.lo = 76;
        q.span = 15;
        q.at_min = 1;
        q.may_miss = 0;
        break;
    case W_ELIM_REVIEW:
    case W_ELIM_EXPORT:
        if (strcmp(reason, "salary_expectation") == 0 || strcmp(reason, "culture_fit") == 0) {
            q.lo = 60; /* eliminated for something the interview does not score */
            q.span = 18;
            q.may_miss = 0;
            break;
        }
        q.lo = 38;
        q.span = 20;
        q.reason = reason;
        if (strcmp(reason, "communication") == 0) {
            q.weak[0] = "communication";
            q.weak[1] = "expression";
        } else if (strcmp(reason, "skills_mismatch") == 0 || strcmp(reason, "experience_insufficient") == 0) {
            q.weak[0] = "professional";
            q.weak[1] = "problem_solving";
        }
        break;
    default:
        break;
    }
    return q;
}

/* Sets vendor_recommendation (and reason_category for a reject) from the overall score. */
static void set_verdict(json_t *res, int overall, const char *reason)
{
    const char *rec = overall >= 75 ? "pass" : overall >= 60 ? "hold" : "reject";
    json_object_set_new(res, "vendor_recommendation", json_string(rec));
    json_object_set_new(res, "reason_category", overall < 60 ? json_string(reason) : json_null());
}

/* Code points in UTF-8 text. */
static int utf8_chars(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Appends one transcript segment starting at *t (ms) and moves *t past it; returns its start. */
static int64_t say(struct rng *r, json_t *tr, int64_t *t, const char *speaker, const char *text)
{
    int ai = strcmp(speaker, "ai") == 0;
    int64_t start = *t + (ai ? 400 + rng_below(r, 900) : 900 + rng_below(r, 2600)); /* the candidate thinks */
    int64_t end = start + (int64_t)utf8_chars(text) * (ai ? 230 : 270) + (ai ? 300 : rng_below(r, 4000));
    json_array_append_new(tr, json_pack("{s:I,s:I,s:s,s:s}", "start_ms", (json_int_t)start, "end_ms", (json_int_t)end,
                                        "speaker", speaker, "text", text));
    *t = end;
    return start;
}

/* The transcript (8-12 segments) and 2-3 key moments of an interview going about as well as overall says. */
static void interview(struct rng *r, enum family fam, const char *name, int overall, json_t *tr, json_t *moments)
{
    int p_good = clampi(overall - 8, 10, 95); /* chance of a strong answer, in percent */
    int64_t t = 0;
    char intro[512];
    if ((int)rng_below(r, 100) < p_good)
        snprintf(intro, sizeof(intro), INTRO_GOOD, name);
    else
        snprintf(intro, sizeof(intro), INTRO_WEAK, name);
    say(r, tr, &t, "ai", intro_q);
    say(r, tr, &t, "candidate", intro);
    /* 2-4 of the family's questions, in order; 2-3 of their answers make the key moments. */
    unsigned asked = 2 + rng_below(r, 3), want = 2 + rng_below(r, 2), left = asked;
    if (want > asked)
        want = asked;
    for (unsigned i = 0, need = asked; i < NQA && need > 0; i++) {
        if (rng_below(r, NQA - i) >= need)
            continue;
        need--;
        const struct qa *qa = &family_qa[fam][i];
        int good = (int)rng_below(r, 100) < p_good;
        say(r, tr, &t, "ai", qa->q);
        int64_t start = say(r, tr, &t, "candidate", good ? qa->good : qa->weak);
        if (rng_below(r, left--) < want) {
            want--;
            int64_t at = start + 1500 + rng_below(r, (unsigned)((t - start) / 2));
            json_array_append_new(moments, json_pack("{s:I,s:s}", "at_ms", (json_int_t)at, "label",
                                                     good ? qa->good_moment : qa->weak_moment));
        }
    }
    say(r, tr, &t, "ai", closing_q);
    say(r, tr, &t, "candidate", (int)rng_below(r, 100) < p_good ? closing_good : closing_weak);
}

/* 3-4 behaviour tags, more of them critical the lower the overall score. */
static json_t *behaviour_tags(struct rng *r, int overall)
{
    unsigned n = 3 + rng_below(r, 2), bad = overall >= 80 ? 0 : overall >= 68 ? 1 : overall >= 58 ? 2 : n - 1;
    unsigned used_good = 0, used_bad = 0;
    json_t *tags = json_array();
    for (unsigned k = 0; k < n; k++) {
        int is_bad = k >= n - bad;
        unsigned pool = is_bad ? NBAD_TAGS : NGOOD_TAGS, *used = is_bad ? &used_bad : &used_good, i;
        do
            i = rng_below(r, pool);
        while (*used & (1u << i));
        *used |= 1u << i;
        json_array_append_new(tags, json_string(is_bad ? bad_tags[i] : good_tags[i]));
    }
    return tags;
}

/* A native result for one interview of position pos; hints is the candidate object (borrowed).
 * *missing is set when a model dimension is left out. */
static json_t *make_result(struct demo *d, int pos, const struct quality *q, json_t *hints, int *missing)
{
    struct rng *r = &d->rr;
    enum family fam = position_family(pos);
    json_t *model = d->models[pos];
    size_t nm = json_array_size(model), drop = nm; /* nm: none dropped */
    int base = q->lo + (int)rng_below(r, (unsigned)q->span);
    if (q->may_miss && nm > 1 && rng_below(r, 100) < 10)
        drop = 1 + rng_below(r, (unsigned)nm - 1);
    *missing = drop < nm;
    /* 5-8 dimensions: the model's, then catalogue dimensions the vendor scores for this kind of job. */
    int extra = 5 + (int)rng_below(r, 4) - (int)(nm - (size_t)*missing), got = 0;
    unsigned pick = 0;
    while (got < extra) {
        unsigned k = rng_below(r, NEXTRA);
        if (!(pick & (1u << k))) {
            pick |= 1u << k;
            got++;
        }
    }
    json_t *dims = json_array();
    int sum = 0, n = 0;
    for (size_t i = 0; i < nm + NEXTRA; i++) {
        const char *key;
        int min = -1;
        if (i < nm) {
            json_t *m = json_array_get(model, i);
            if (i == drop)
                continue;
            key = json_string_value(json_object_get(m, "dim"));
            min = (int)json_integer_value(json_object_get(m, "min"));
        } else {
            if (!(pick & (1u << (i - nm))))
                continue;
            key = extra_dims[fam][i - nm];
        }
        int score = base + rng_jitter(r, 9);
        for (int k = 0; k < 2; k++)
            if (q->weak[k] && strcmp(key, q->weak[k]) == 0)
                score = 35 + (int)rng_below(r, 16);
        if (q->at_min && min >= 0 && score < min)
            score = min + (int)rng_below(r, 6);
        score = clampi(score, 25, 98);
        json_array_append_new(
            dims, json_pack("{s:s,s:i,s:s?}", "key", key, "score", score, "evidence", dim_evidence(key, score)));
        sum += score;
        n++;
    }
    int overall = clampi(sum / (n ? n : 1) + rng_jitter(r, 3), 20, 98);
    /* Interviews ended 1-5 days before the run, between 09:00 and 19:00 Beijing time (UTC+8). */
    const int64_t hour = 3600000, day = 24 * hour, utc8 = 8 * hour;
    int64_t midnight = (d->now - (int64_t)(1 + rng_below(r, 5)) * day + utc8) / day * day - utc8;
    int64_t done = midnight + 9 * hour + (int64_t)rng_below(r, 10 * 3600) * 1000;
    char completed[32], vrid[32], url[96];
    time_format_rfc3339(done - done % 1000, completed);
    snprintf(vrid, sizeof(vrid), "AIV-%06d", ++d->serial);
    snprintf(url, sizeof(url), "https://video.example.com/interviews/%s.mp4", vrid);
    json_t *tr = json_array(), *moments = json_array();
    const char *name = json_string_value(json_object_get(hints, "name"));
    interview(r, fam, name ? name : "", overall, tr, moments);
    const char *model_version = rng_below(r, 100) < 80 ? "interview-ai 4.2" : "interview-ai 4.1";
    json_t *tags = behaviour_tags(r, overall);
    json_t *res =
        json_pack("{s:s,s:s,s:s,s:s,s:O,s:i,s:o,s:o,s:o,s:s,s:o}", "vendor", "native", "vendor_result_id", vrid,
                  "completed_at", completed, "model_version", model_version, "candidate", hints, "overall", overall,
                  "dimensions", dims, "tags", tags, "transcript", tr, "video_url", url, "key_moments", moments);
    set_verdict(res, overall, q->reason);
    return res;
}

/* Ingests one result as its vendor's delivery (the system actor); *out as svc_result_ingest. */
static int ingest(struct demo *d, json_t *res, json_t **out)
{
    if (svc_result_ingest(&d->a->ctx, res, NULL, 0, out) != 0) {
        char what[96];
        snprintf(what, sizeof(what), "AI result %s", json_string_value(json_object_get(res, "vendor_result_id")));
        return app_fail(d->a, what);
    }
    return 0;
}

/* The AI result ending application app's interview; fills rec. cand is the candidate's create input. */
static int result_for(struct demo *d, int64_t app, int pos, enum walk w, const char *reason, json_t *cand,
                      struct rec *rec)
{
    struct quality q = walk_quality(w, reason);
    json_t *hints =
               json_pack("{s:I,s:O,s:O,s:s}", "application_id", (json_int_t)app, "name", json_object_get(cand, "name"),
                         "email", json_object_get(cand, "email"), "position_code", demo_positions[pos].code),
           *out = NULL;
    int missing = 0;
    json_t *res = make_result(d, pos, &q, hints, &missing);
    json_decref(hints);
    int rc = ingest(d, res, &out);
    const char *stage = json_string_value(json_object_get(out, "stage"));
    if (rc == 0 && (!stage || strcmp(stage, "ai_pending_evaluation") != 0)) {
        fprintf(stderr, "talentd demo: application %lld: the AI result left it in %s\n", (long long)app,
                stage ? stage : "(none)");
        rc = 1;
    }
    if (rc == 0) {
        const char *r = json_string_value(json_object_get(out, "recommendation"));
        d->recommend[!r ? 2 : strcmp(r, "recommend") == 0 ? 0 : strcmp(r, "re_interview") == 0 ? 1 : 2]++;
        d->results++;
        d->missing += missing;
        *rec = (struct rec){.app = app, .pos = pos, .missing = missing, .result = res};
        res = NULL;
    }
    json_decref(res);
    json_decref(out);
    return rc;
}
/* Creates one thing; a duplicate (left by an earlier, interrupted run) is fine. */
static int create_or_keep(struct demo *d, int (*create)(struct svc_ctx *, json_t *, json_t **), json_t *in,
                          const char *what, int64_t *id)
{
    json_t *out = NULL;
    int rc = create(&d->a->ctx, in, &out);
    if (rc == ERR_CONFLICT && d->a->err.existing_id) {
        if (id)
            *id = d->a->err.existing_id;
        err_clear(&d->a->err);
        rc = 0;
    } else if (rc == 0 && id) {
        *id = json_integer_value(json_object_get(out, "id"));
    }
    json_decref(out);
    json_decref(in);
    return rc ? app_fail(d->a, what) : 0;
}

static int load_orgs(struct demo *d)
{
    for (size_t i = 0; i < sizeof(demo_orgs) / sizeof(demo_orgs[0]); i++) {
        json_t *in = json_pack("{s:s,s:s}", "code", demo_orgs[i].code, "name", demo_orgs[i].name);
        if (demo_orgs[i].parent)
            json_object_set_new(in, "parent", json_string(demo_orgs[i].parent));
        if (create_or_keep(d, svc_org_create, in, "org unit", NULL))
            return 1;
    }
    return 0;
}

/* Writes DIR/demo-users.txt (0600) with the generated passwords. */
static int write_passwords(struct demo *d, char pw[][25], const int *created)
{
    char path[PATH_MAX + 32];
    snprintf(path, sizeof(path), "%s/demo-users.txt", d->a->data_dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        fprintf(stderr, "talentd demo: cannot write %s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return 1;
    }
    fchmod(fd, 0600);
    fprintf(f, "# talentd demo users (username role password)\n");
    printf("demo users (also in %s, mode 0600):\n", path);
    for (int i = 0; i < DEMO_USERS; i++) {
        const char *p = created[i] ? pw[i] : "(existed before; password unchanged)";
        fprintf(f, "%s %s %s\n", demo_users[i].username, demo_users[i].role, p);
        printf("  %-10s %-12s %s\n", demo_users[i].username, demo_users[i].role, p);
    }
    if (fclose(f) != 0) {
        fprintf(stderr, "talentd demo: cannot write %s: %s\n", path, strerror(errno));
        return 1;
    }
    return 0;
}

static int load_users(struct demo *d)
{
    char pw[DEMO_USERS][25];
    int created[DEMO_USERS];
    for (int i = 0; i < DEMO_USERS; i++) {
        crypto_random_password(pw[i], 16);
        json_t *in = json_pack("{s:s,s:s,s:s,s:s,s:s}", "username", demo_users[i].username, "role", demo_users[i].role,
                               "password", pw[i], "display_name", demo_users[i].display, "org_unit", demo_users[i].org),
               *out = NULL;
        int rc = svc_user_create(&d->a->ctx, in, &out);
        json_decref(in);
        json_decref(out);
        created[i] = rc == 0;
        if (rc == ERR_CONFLICT)
            err_clear(&d->a->err);
        else if (rc != 0)
            return app_fail(d->a, "user");
    }
    /* The department heads manage their units. */
    for (int i = 0; i < DEMO_USERS; i++) {
        if (strcmp(demo_users[i].role, "manager") != 0)
            continue;
        int64_t org = 0;
        json_t *in = json_pack("{s:s}", "manager", demo_users[i].username), *out = NULL;
        int rc = svc_org_id_by_code(&d->a->ctx, demo_users[i].org, &org);
        if (rc == 0)
            rc = svc_org_update(&d->a->ctx, org, in, &out);
        json_decref(in);
        json_decref(out);
        if (rc != 0)
            return app_fail(d->a, "org unit manager");
    }
    /* Each demo user as an actor: hr1 makes the human decisions, everyone leaves notes. */
    for (int i = 0; i < DEMO_USERS; i++) {
        struct actor *ac = &d->actors[i];
        json_t *org = NULL;
        memset(ac, 0, sizeof(*ac));
        ac->role = role_parse(demo_users[i].role);
        snprintf(ac->username, sizeof(ac->username), "%s", demo_users[i].username);
        if (svc_user_id(&d->a->ctx, demo_users[i].username, &ac->user_id) != 0 ||
            svc_org_id_by_code(&d->a->ctx, demo_users[i].org, &ac->org_unit_id) != 0 ||
            svc_org_get(&d->a->ctx, ac->org_unit_id, &org) != 0)
            return app_fail(d->a, demo_users[i].username);
        const char *path = json_string_value(json_object_get(org, "path"));
        snprintf(ac->org_path, sizeof(ac->org_path), "%s", path ? path : "");
        json_decref(org);
        d->user[i] = d->a->ctx;
        d->user[i].actor = ac;
    }
    return write_passwords(d, pw, created);
}

static int load_positions(struct demo *d)
{
    for (int i = 0; i < DEMO_POSITIONS; i++) {
        json_t *model = json_loads(demo_positions[i].model, 0, NULL);
        d->models[i] = json_incref(model);
        json_t *in = json_pack("{s:s,s:s,s:s,s:i,s:s,s:b,s:o,s:s,s:I,s:I}", "code", demo_positions[i].code, "title",
                               demo_positions[i].title, "org_unit", demo_positions[i].org, "headcount",
                               demo_positions[i].headcount, "status", "open", "review_required",
                               demo_positions[i].review_required, "competency_model", model, "description",
                               demo_positions[i].description, "salary_min", (json_int_t)demo_positions[i].salary_min,
                               "salary_max", (json_int_t)demo_positions[i].salary_max);
        if (i == DEMO_SHOW_RESULT_POSITION)
            json_object_set_new(in, "show_result_to_candidate", json_true());
        if (create_or_keep(d, svc_position_create, in, "position", &d->position_ids[i]))
            return 1;
    }
    return 0;
}

/* Moves application id along the walk; returns the stage reached or NULL after reporting a failure. The
 * interview's end is its AI result arriving (rec is filled then); cand is the candidate's create input. */
static const char *walk_application(struct demo *d, int64_t id, const char *stage, enum walk w, int pos, json_t *cand,
                                    struct rec *rec)
{
    struct step steps[12];
    int n = walk_steps(w, demo_positions[pos].review_required, steps);
    const char *reason = demo_reasons[rng_weighted(&d->rng, reason_weights, 6)];
    for (int k = 0; k < n; k++) {
        if (steps[k].result) {
            if (result_for(d, id, pos, w, reason, cand, rec) != 0)
                return NULL;
            stage = steps[k].to;
            continue;
        }
        struct svc_ctx *c = steps[k].by_hr ? &d->user[U_HR1] : &d->a->ctx;
        json_t *in = json_pack("{s:s}", "to", steps[k].to), *out = NULL;
        if (steps[k].reason)
            json_object_set_new(in, "reason", json_string(reason));
        if (strcmp(steps[k].to, "withdrawn") == 0)
            json_object_set_new(in, "note", json_string("候选人已接受其他公司录用"));
        int rc = svc_application_transition(c, id, in, &out);
        json_decref(in);
        json_decref(out);
        if (rc != 0) {
            fprintf(stderr, "talentd demo: application %lld: %s -> %s: %s\n", (long long)id, stage, steps[k].to,
                    d->a->err.message);
            return NULL;
        }
        stage = steps[k].to;
    }
    return stage;
}

/* Assigns interviewers to applications past the AI interview; *who_bits gets a bit per assigned user. */
static int maybe_assign(struct demo *d, int64_t id, enum stage st, int pos, unsigned *who_bits)
{
    if (st != STAGE_AI_PASSED && st != STAGE_FOLLOWUP && st != STAGE_OFFER && st != STAGE_HIRED &&
        st != STAGE_AI_PENDING_EVALUATION)
        return 0;
    if (st == STAGE_AI_PENDING_EVALUATION && rng_below(&d->rng, 100) >= 30)
        return 0;
    /* int1 sits in engineering, int2 in sales; a few get both. */
    int who = strncmp(demo_positions[pos].code, "ENG", 3) == 0 ? U_INT1 : U_INT2;
    for (int k = 0; k < 2; k++) {
        json_t *in = json_pack("{s:s}", "user", demo_users[who].username), *out = NULL;
        int rc = svc_application_assign(&d->user[U_HR1], id, in, &out);
        json_decref(in);
        json_decref(out);
        if (rc != 0)
            return app_fail(d->a, "assign interviewer");
        d->assigned++;
        *who_bits |= 1u << who;
        if (st != STAGE_FOLLOWUP || rng_below(&d->rng, 100) >= 25)
            break;
        who = who == U_INT1 ? U_INT2 : U_INT1;
    }
    return 0;
}

/* Keeps rec (taking its result) for the steps after the walks. */
static void keep_rec(struct demo *d, const struct rec *rec)
{
    if (d->nrecs == d->caprecs) {
        size_t cap = d->caprecs ? d->caprecs * 2 : 256;
        struct rec *p = realloc(d->recs, cap * sizeof(*p));
        if (!p) {
            json_decref(rec->result); /* out of memory: the demo just has fewer notes */
            return;
        }
        d->recs = p;
        d->caprecs = cap;
    }
    d->recs[d->nrecs++] = *rec;
}

static int load_candidates(struct demo *d, int n)
{
    unsigned pos_weights[DEMO_POSITIONS];
    for (int i = 0; i < DEMO_POSITIONS; i++)
        pos_weights[i] = demo_positions[i].weight;
    for (int i = 0; i < n; i++) {
        json_t *cin = candidate_input(&d->rng, i), *cand = NULL, *app = NULL;
        int pos = rng_weighted(&d->rng, pos_weights, DEMO_POSITIONS);
        enum walk w = (enum walk)rng_weighted(&d->rng, walk_weights, W__COUNT);
        if (w == W_HIRED && d->hired[pos]++ >= demo_positions[pos].headcount)
            w = W_OFFER;
        int note = rng_below(&d->rng, 100) < 15 ? (int)rng_below(&d->rng, 5) : -1;
        int rc = svc_candidate_create(&d->a->ctx, cin, &cand);
        if (rc != 0) {
            json_decref(cin);
            return app_fail(d->a, "candidate");
        }
        json_t *ain = json_pack("{s:I,s:I}", "candidate_id", json_integer_value(json_object_get(cand, "id")),
                                "position_id", (json_int_t)d->position_ids[pos]);
        json_decref(cand);
        if (note >= 0)
            json_object_set_new(ain, "special_note", json_string(demo_notes[note]));
        rc = svc_application_create(&d->user[U_HR1], ain, &app);
        json_decref(ain);
        int64_t id = json_integer_value(json_object_get(app, "id"));
        json_decref(app);
        if (rc != 0) {
            json_decref(cin);
            return app_fail(d->a, "application");
        }
        struct rec rec = {0};
        const char *stage = walk_application(d, id, "applied", w, pos, cin, &rec);
        json_decref(cin);
        if (!stage) {
            json_decref(rec.result);
            return 1;
        }
        enum stage st = stage_parse(stage);
        d->stage_count[st]++;
        rec.stage = st;
        rc = maybe_assign(d, id, st, pos, &rec.assigned);
        if (rec.result)
            keep_rec(d, &rec);
        if (rc != 0)
            return 1;
    }
    return 0;
}

/* ---- after the walks: re-scores, unmatched results, revisions, notes, a candidate link ---- */

/* Results that name nobody the system knows: they wait in the unmatched queue. */
static const struct {
    const char *external_id, *email, *phone, *name, *position;
} demo_unmatched[] = {
    {"ATS-20931", NULL, NULL, "贺明远", "SALES-01"},
    {NULL, "yuqing.shi@example.cn", "+86 199 0021 3344", "石雨晴", "HR-01"},
    {"ATS-21007", NULL, NULL, "龚思琪", "ENG-01"},
    {NULL, "kaiwen.qin@example.cn", NULL, "秦凯文", "ENG-02"},
};

static int load_unmatched(struct demo *d)
{
    for (size_t i = 0; i < sizeof(demo_unmatched) / sizeof(demo_unmatched[0]); i++) {
        int pos = 0;
        for (int p = 0; p < DEMO_POSITIONS; p++)
            if (strcmp(demo_positions[p].code, demo_unmatched[i].position) == 0)
                pos = p;
        struct quality q = {55, 35, 0, 0, {NULL, NULL}, "ai_score_below_threshold"};
        json_t *hints = json_pack("{s:s,s:s,s:s?,s:s?,s:s?}", "name", demo_unmatched[i].name, "position_code",
                                  demo_unmatched[i].position, "external_id", demo_unmatched[i].external_id, "email",
                                  demo_unmatched[i].email, "phone", demo_unmatched[i].phone),
               *out = NULL;
        int missing = 0;
        json_t *res = make_result(d, pos, &q, hints, &missing);
        json_decref(hints);
        int rc = ingest(d, res, &out);
        if (rc == 0 && json_is_null(json_object_get(out, "unmatched_reason"))) {
            fprintf(stderr, "talentd demo: the unmatched result %s found an application\n",
                    json_string_value(json_object_get(res, "vendor_result_id")));
            rc = 1;
        }
        json_decref(res);
        json_decref(out);
        if (rc != 0)
            return 1;
        d->unmatched++;
    }
    return 0;
}

/* The score of dimension key in a result (-1 when absent). */
static int dim_score(json_t *res, const char *key)
{
    size_t i;
    json_t *dm;
    json_array_foreach(json_object_get(res, "dimensions"), i, dm)
    {
        if (strcmp(json_string_value(json_object_get(dm, "key")), key) == 0)
            return (int)json_integer_value(json_object_get(dm, "score"));
    }
    return -1;
}

/* What a kept application must be to be picked. */
struct want {
    unsigned stages; /* SB() bits; 0 for any */
    int user;        /* visible to this demo user; -1 for anyone */
    int family;      /* an enum family; -1 for any */
    int pos;         /* -1 for any */
    int missing;     /* only results missing a model dimension */
    int fresh;       /* not re-scored or revised yet */
    int (*ok)(const struct demo *d, const struct rec *r);
    const char *low_dim; /* only results scoring this dimension under 70 */
};

/* 1 if org unit code org is top or below it. */
static int org_under(const char *org, const char *top)
{
    while (org) {
        if (strcmp(org, top) == 0)
            return 1;
        const char *parent = NULL;
        for (size_t i = 0; i < sizeof(demo_orgs) / sizeof(demo_orgs[0]); i++)
            if (strcmp(demo_orgs[i].code, org) == 0)
                parent = demo_orgs[i].parent;
        org = parent;
    }
    return 0;
}

/* 1 if demo user u may see the application (managers: their org subtree; interviewers: assigned ones). */
static int visible_to(const struct rec *r, int u)
{
    if (u < 0 || strcmp(demo_users[u].role, "hr") == 0)
        return 1;
    if (strcmp(demo_users[u].role, "manager") == 0)
        return org_under(demo_positions[r->pos].org, demo_users[u].org);
    return (r->assigned >> u) & 1u;
}

/* A kept application as w wants, from a random starting point; NULL when none. */
static struct rec *find_rec(struct demo *d, const struct want *w)
{
    if (!d->nrecs)
        return NULL;
    size_t start = rng_below(&d->rr, (unsigned)d->nrecs);
    for (size_t k = 0; k < d->nrecs; k++) {
        struct rec *r = &d->recs[(start + k) % d->nrecs];
        if ((w->stages && !(w->stages & SB(r->stage))) || !visible_to(r, w->user) ||
            (w->family >= 0 && (int)position_family(r->pos) != w->family) || (w->pos >= 0 && r->pos != w->pos) ||
            (w->missing && !r->missing) || (w->fresh && r->touched) || (w->ok && !w->ok(d, r)) ||
            (w->low_dim && (unsigned)dim_score(r->result, w->low_dim) >= 70u))
            continue;
        return r;
    }
    return NULL;
}

/* A model dimension of r's result scored a little under its minimum; NULL when none (*min set). */
static const char *near_miss(const struct demo *d, const struct rec *r, int *min)
{
    size_t i;
    json_t *m;
    json_array_foreach(d->models[r->pos], i, m)
    {
        const char *key = json_string_value(json_object_get(m, "dim"));
        int lo = (int)json_integer_value(json_object_get(m, "min")), sc = dim_score(r->result, key);
        if (sc >= 0 && sc < lo && sc >= lo - 12) {
            *min = lo;
            return key;
        }
    }
    return NULL;
}

static int has_near_miss(const struct demo *d, const struct rec *r)
{
    int min;
    return near_miss(d, r, &min) != NULL;
}

/* 1 when r's only shortfall is one model dimension a little under its minimum with the match at 70 or more:
 * raising that score turns the recommendation into recommend. */
static int only_near_miss(const struct demo *d, const struct rec *r)
{
    double sum = 0, weights = 0;
    int below = 0, min;
    size_t i;
    json_t *m;
    json_array_foreach(d->models[r->pos], i, m)
    {
        int sc = dim_score(r->result, json_string_value(json_object_get(m, "dim")));
        double wt = json_real_value(json_object_get(m, "weight"));
        below += sc < (int)json_integer_value(json_object_get(m, "min"));
        sum += wt * (sc < 0 ? 0 : sc);
        weights += wt;
    }
    return !r->missing && below == 1 && weights > 0 && sum / weights >= 70.5 && near_miss(d, r, &min) != NULL;
}

/* 1 when the vendor said reject. */
static int rejected(const struct demo *d, const struct rec *r)
{
    (void)d;
    const char *v = json_string_value(json_object_get(r->result, "vendor_recommendation"));
    return v && strcmp(v, "reject") == 0;
}

/* The vendor re-scores a few interviews: version 2 of the same vendor_result_id with changed scores. */
static int load_rescores(struct demo *d)
{
    const struct want w = {SB(STAGE_AI_PENDING_EVALUATION) | SB(STAGE_AI_PASSED), -1, -1, -1, 0, 1, NULL, NULL};
    for (int k = 0; k < 3; k++) {
        struct rec *r = find_rec(d, &w);
        if (!r)
            break;
        json_t *v2 = json_deep_copy(r->result), *dims = json_object_get(v2, "dimensions"), *out = NULL;
        size_t n = json_array_size(dims);
        int delta = 0;
        for (int j = 0; j < 2 && n > 0; j++) {
            json_t *dm = json_array_get(dims, rng_below(&d->rr, (unsigned)n));
            const char *key = json_string_value(json_object_get(dm, "key"));
            int old = (int)json_integer_value(json_object_get(dm, "score"));
            int step = 3 + (int)rng_below(&d->rr, 6), nw = clampi(old + (rng_below(&d->rr, 2) ? step : -step), 25, 98);
            if (nw == old)
                nw = old - step;
            json_object_set_new(dm, "score", json_integer(nw));
            json_object_set_new(dm, "evidence", json_string(dim_evidence(key, nw)));
            delta += nw - old;
        }
        int overall = clampi((int)json_integer_value(json_object_get(v2, "overall")) + delta / 3, 20, 98);
        json_object_set_new(v2, "overall", json_integer(overall));
        json_object_set_new(v2, "model_version", json_string("interview-ai 4.2.1"));
        const char *reason = json_string_value(json_object_get(v2, "reason_category"));
        set_verdict(v2, overall, reason ? reason : "ai_score_below_threshold");
        int rc = ingest(d, v2, &out);
        if (rc == 0 && json_integer_value(json_object_get(out, "version")) != 2) {
            fprintf(stderr, "talentd demo: the re-score of application %lld is not version 2\n", (long long)r->app);
            rc = 1;
        }
        json_decref(out);
        if (rc != 0) {
            json_decref(v2);
            return 1;
        }
        json_decref(r->result);
        r->result = v2;
        r->touched = 1;
        d->rescored++;
    }
    return 0;
}

/* hr1 revises one score of r's current result. */
static int revise(struct demo *d, struct rec *r, const char *dim, int score, const char *why)
{
    json_t *in = json_pack("{s:s,s:i,s:s}", "dim", dim, "score", score, "reason", why), *out = NULL;
    int rc = svc_score_revise(&d->user[U_HR1], r->app, in, &out);
    json_decref(in);
    json_decref(out);
    if (rc != 0)
        return app_fail(d->a, "score revision");
    r->touched = 1;
    d->revisions++;
    return 0;
}

/* A model dimension of r's result that is present; NULL when none. */
static const char *model_dim(struct demo *d, const struct rec *r)
{
    json_t *model = d->models[r->pos];
    size_t n = json_array_size(model);
    for (size_t k = 0, i = rng_below(&d->rr, (unsigned)(n ? n : 1)); k < n; k++) {
        const char *key = json_string_value(json_object_get(json_array_get(model, (i + k) % n), "dim"));
        if (dim_score(r->result, key) >= 0)
            return key;
    }
    return NULL;
}

static int load_revisions(struct demo *d)
{
    /* 1. A score just under the minimum, raised after watching the video (the recommendation moves). */
    struct want near = {SB(STAGE_AI_PENDING_EVALUATION), -1, -1, -1, 0, 1, only_near_miss, NULL};
    struct rec *r = find_rec(d, &near);
    if (!r) {
        near.ok = has_near_miss;
        r = find_rec(d, &near);
    }
    int min = 0;
    const char *key = r ? near_miss(d, r, &min) : NULL;
    if (key && revise(d, r, key, min + 1 + (int)rng_below(&d->rr, 4),
                      "复核面试录像:候选人在追问下补充了完整的项目案例,AI 对该项评分偏低,按复核结果上调。") != 0)
        return 1;
    /* 2. Raised after the follow-up interview. */
    const struct want later = {SB(STAGE_FOLLOWUP) | SB(STAGE_OFFER), -1, -1, -1, 0, 1, NULL, NULL};
    if ((r = find_rec(d, &later)) && (key = model_dim(d, r))) {
        int old = dim_score(r->result, key), nw = clampi(old + 4 + (int)rng_below(&d->rr, 5), 0, 100);
        if (revise(d, r, key, nw == old ? old - 1 : nw,
                   "二面中候选人对这部分问题回答扎实,与 AI 评分差距较大,参考二面结论上调。") != 0)
            return 1;
    }
    /* 3. Lowered: the answer was mostly repeating the question. */
    const struct want passed = {SB(STAGE_AI_PASSED) | SB(STAGE_FOLLOWUP), -1, -1, -1, 0, 1, NULL, NULL};
    if ((r = find_rec(d, &passed)) && (key = model_dim(d, r))) {
        int old = dim_score(r->result, key);
        if (revise(d, r, key, clampi(old - 5 - (int)rng_below(&d->rr, 6), 0, 100),
                   "回看录像,该部分回答主要在复述题目,缺少实际内容,AI 评分偏高,下调。") != 0)
            return 1;
    }
    /* 4. The overall score of an eliminated interview, raised: the network dropped during two answers. */
    const struct want elim = {
        SB(STAGE_ELIMINATED_PENDING_REVIEW) | SB(STAGE_ELIMINATED_PENDING_EXPORT), -1, -1, -1, 0, 1, rejected, NULL};
    if ((r = find_rec(d, &elim))) {
        int old = (int)json_integer_value(json_object_get(r->result, "overall"));
        if (revise(d, r, "overall", clampi(old + 4 + (int)rng_below(&d->rr, 4), 0, 100),
                   "候选人反馈面试时网络中断,录像显示有两题回答被截断,按可听清的部分重新评估总分。") != 0)
            return 1;
    }
    return 0;
}

#define AFTER_AI (SB(STAGE_AI_PASSED) | SB(STAGE_FOLLOWUP) | SB(STAGE_OFFER) | SB(STAGE_HIRED))
#define SECOND_ROUND (SB(STAGE_FOLLOWUP) | SB(STAGE_OFFER) | SB(STAGE_HIRED))

/* Notes the staff leave: who, on what (stages, position family, a weak dimension), and the text. */
static const struct {
    int user;
    unsigned stages;
    int family; /* -1 for any */
    int missing;
    const char *low_dim;
    const char *body;
} demo_annotations[] = {
    {U_HR1, SB(STAGE_AI_PASSED) | SB(STAGE_FOLLOWUP), -1, 0, NULL, "已电话联系候选人,确认下周二下午可以参加复试。"},
    {U_HR1, 0, -1, 0, NULL, "看完了 AI 面试录像,各维度的评分和实际印象基本一致。"},
    {U_HR1, SB(STAGE_FOLLOWUP) | SB(STAGE_OFFER), -1, 0, NULL, "候选人期望薪资比岗位上限高约 10%,复试时需要确认弹性。"},
    {U_HR1, SB(STAGE_OFFER) | SB(STAGE_HIRED), -1, 0, NULL, "背调已联系前主管,反馈工作认真、稳定性好。"},
    {U_HR1, 0, -1, 1, NULL, "AI 报告缺少岗位模型中的一个维度,已联系面试供应商确认是否需要补充评分。"},
    {U_HR1, SB(STAGE_OFFER), -1, 0, NULL, "候选人目前在职,离职交接需要一个月,预计下月中旬到岗。"},
    {U_MGR_SALES, SB(STAGE_AI_PASSED), F_SALES, 0, NULL, "录像看了,客户异议处理那段答得很扎实,安排我这边复试。"},
    {U_MGR_SALES, SB(STAGE_AI_PENDING_EVALUATION), F_SALES, 0, "stress",
     "抗压维度分数偏低,复试时重点问一下连续出差和业绩压力下的状态。"},
    {U_MGR_SALES, SECOND_ROUND, F_SALES, 0, NULL, "和华东组的岗位画像比较匹配,建议优先推进。"},
    {U_MGR_ENG, SB(STAGE_AI_PASSED) | SB(STAGE_FOLLOWUP), F_ENG, 0, NULL,
     "项目经历讲得清楚,排查思路也对,复试重点考察系统设计。"},
    {U_MGR_ENG, SB(STAGE_AI_PENDING_EVALUATION), F_ENG, 0, "professional",
     "专业能力评分和简历不太匹配,复试加一道编码题核实一下。"},
    {U_INT1, SECOND_ROUND, F_ENG, 0, NULL,
     "二面:系统设计题思路清晰,能主动考虑容量和故障场景,建议通过。\n不足:对 PostgreSQL 索引的细节掌握一般。"},
    {U_INT1, SB(STAGE_AI_PENDING_EVALUATION) | SB(STAGE_AI_PASSED), F_ENG, 0, NULL,
     "看了 AI 面试录像,复试准备重点追问线上故障排查,以及索引和事务相关的基础。"},
    {U_INT2, SECOND_ROUND, F_SALES, 0, NULL, "复试中模拟了客户谈判场景,应变不错,语速可以再放慢一些。"},
    {U_INT2, SECOND_ROUND, -1, 0, NULL, "复试表现与 AI 面试评分基本一致,建议进入下一轮。"},
};

static int load_annotations(struct demo *d)
{
    for (size_t i = 0; i < sizeof(demo_annotations) / sizeof(demo_annotations[0]); i++) {
        int u = demo_annotations[i].user;
        struct want w = {
            demo_annotations[i].stages, u, demo_annotations[i].family, -1, demo_annotations[i].missing, 0, NULL,
            demo_annotations[i].low_dim};
        struct rec *r = find_rec(d, &w);
        if (!r) { /* a small demo: anything this user may see */
            w = (struct want){0, u, -1, -1, 0, 0, NULL, NULL};
            r = find_rec(d, &w);
        }
        if (!r)
            continue;
        json_t *in = json_pack("{s:s}", "body", demo_annotations[i].body), *out = NULL;
        int rc = svc_annotation_add(&d->user[u], r->app, in, &out);
        json_decref(in);
        json_decref(out);
        if (rc != 0)
            return app_fail(d->a, "annotation");
        d->annotations++;
    }
    return 0;
}

/* hr1 makes one candidate link, on the position that shows candidates their result. */
static int load_link(struct demo *d)
{
    struct want w = {AFTER_AI, U_HR1, -1, DEMO_SHOW_RESULT_POSITION, 0, 0, NULL, NULL};
    struct rec *r = find_rec(d, &w);
    if (!r) {
        w.stages = 0;
        r = find_rec(d, &w);
    }
    if (!r) { /* a small demo: any application with a result */
        w.pos = -1;
        r = find_rec(d, &w);
    }
    if (!r)
        return 0;
    json_t *in = json_object(), *out = NULL;
    int rc = svc_candidate_link_create(&d->user[U_HR1], r->app, in, &out);
    json_decref(in);
    if (rc == 0) {
        const char *path = json_string_value(json_object_get(out, "path"));
        snprintf(d->link_path, sizeof(d->link_path), "%s", path ? path : "");
        d->link_app = r->app;
        d->link_pos = r->pos;
    }
    json_decref(out);
    return rc ? app_fail(d->a, "candidate link") : 0;
}

static void demo_free(struct demo *d)
{
    for (size_t i = 0; i < d->nrecs; i++)
        json_decref(d->recs[i].result);
    free(d->recs);
    for (int i = 0; i < DEMO_POSITIONS; i++)
        json_decref(d->models[i]);
}
/* 1 when the database already has a position (demo loaded, or real data). */
static int has_positions(struct app *a, int *yes)
{
    json_t *q = json_pack("{s:s}", "limit", "1"), *page = NULL;
    int rc = svc_position_list(&a->ctx, q, &page);
    json_decref(q);
    if (rc != 0)
        return app_fail(a, "positions");
    *yes = json_array_size(json_object_get(page, "items")) > 0;
    json_decref(page);
    return 0;
}

int cmd_demo(int argc, char **argv)
{
    const char *n_s = NULL, *seed_s = NULL;
    struct app_opts o = {0};
    const struct flag flags[] = {{"--candidates", &n_s, 0}, {"--seed", &seed_s, 0}, {NULL, NULL, 0}};
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(demo_usage, stdout);
        return 0;
    }
    if (flags_parse(argc, argv, 1, flags, &o, NULL, 0, "demo") != 0)
        return 2;
    char *end = NULL;
    long n = n_s ? strtol(n_s, &end, 10) : 200;
    if (n_s && (*end || n < 0 || n > DEMO_MAX_CANDIDATES)) {
        fprintf(stderr, "talentd demo: --candidates must be 0..%d\n", DEMO_MAX_CANDIDATES);
        return 2;
    }
    unsigned long long seed = seed_s ? strtoull(seed_s, &end, 10) : 1;
    if (seed_s && (*end || !seed_s[0])) {
        fprintf(stderr, "talentd demo: --seed must be a number\n");
        return 2;
    }
    struct app a;
    if (app_open(&a, &o, "demo") != 0) {
        app_close(&a);
        return 1;
    }
    int present = 0, rc = has_positions(&a, &present);
    if (rc == 0 && present) {
        printf("demo data already present (the database has positions); nothing loaded\n");
        app_close(&a);
        return 0;
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct demo d = {.a = &a, .rng = {seed}, .rr = {seed ^ 0x5eed5eed5eed5eedULL}, .now = time_now_ms()};
    if (rc == 0)
        rc = load_orgs(&d) || load_users(&d) || load_positions(&d) || load_candidates(&d, (int)n) ||
             load_rescores(&d) || load_unmatched(&d) || load_revisions(&d) || load_annotations(&d) || load_link(&d);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc == 0) {
        printf("demo data loaded: %zu org units, %d positions, %d users, %ld candidates, %d interviewer "
               "assignments (seed %llu, %.1f s)\napplications by stage:\n",
               sizeof(demo_orgs) / sizeof(demo_orgs[0]), DEMO_POSITIONS, DEMO_USERS, n, d.assigned, seed,
               (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
        for (int s = STAGE_NONE + 1; s < STAGE__COUNT; s++)
            if (d.stage_count[s])
                printf("  %-26s %d\n", stage_name((enum stage)s), d.stage_count[s]);
        printf("AI results (vendor native): %d matched (on arrival %d recommend, %d re_interview, %d not_recommended; "
               "%d missing a model dimension), %d re-scored to version 2, %d unmatched (talentd results unmatched)\n"
               "score revisions by hr1: %d; annotations by hr1, managers and interviewers: %d\n",
               d.results, d.recommend[0], d.recommend[1], d.recommend[2], d.missing, d.rescored, d.unmatched,
               d.revisions, d.annotations);
        if (strncmp(d.link_path, "/c/", 3) == 0)
            printf("candidate page of application %lld (position %s%s; the token is shown only now):\n"
                   "  %s   (API: /api/v1/portal/%s)\n",
                   (long long)d.link_app, demo_positions[d.link_pos].code,
                   d.link_pos == DEMO_SHOW_RESULT_POSITION ? ", which shows candidates their result summary" : "",
                   d.link_path, d.link_path + 3);
    }
    demo_free(&d);
    app_close(&a);
    return rc ? 1 : 0;
}

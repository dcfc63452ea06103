/* demo.c - `talentd demo`: a small company with positions, users of every
 * role and N candidates spread over the pipeline, loaded through the svc_
 * functions only (so every row has its audit entry and outbox event).
 *
 * The data is deterministic for a --seed (splitmix64); only the generated
 * user passwords differ between runs. The steps the AI-interview side takes
 * (invite, start, finish) are made by the system actor; decisions (pass,
 * follow-up, offer, hire, eliminate, withdraw) by the hr1 user, as they
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
#include "svc/applications.h"
#include "svc/auth.h"
#include "svc/candidates.h"
#include "svc/org.h"

static const char demo_usage[] =
    "usage: talentd demo [--data DIR] [--db URL] [--candidates N] [--seed S]\n"
    "Loads a demo company (org units, 5 positions, users hr1, mgr_sales, mgr_eng, int1, int2)\n"
    "and N candidates (default 200) with applications at varied pipeline stages.\n"
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

/* One step: the target stage, whether hr1 (not the system) makes it, and whether it needs a reason. */
struct step {
    const char *to;
    int by_hr;
    int reason;
};

/* The steps from applied to the walk's final stage. review_required positions
 * route eliminations through review, as the pipeline requires of the system. */
static int walk_steps(enum walk w, int review_required, struct step *out)
{
    static const struct step invite = {"ai_invited", 0, 0}, start = {"ai_in_progress", 0, 0},
                             finish = {"ai_pending_evaluation", 0, 0}, pass = {"ai_passed", 1, 0},
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

struct demo {
    struct app *a;
    struct rng rng;
    struct actor hr_actor;
    struct svc_ctx hr; /* hr1 making the human decisions */
    int64_t position_ids[DEMO_POSITIONS];
    int hired[DEMO_POSITIONS]; /* never more than the headcount (talentd check compares them) */
    int stage_count[STAGE__COUNT];
    int assigned;
};

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
    /* hr1 acts for the human decisions. */
    int64_t hr_id = 0;
    if (svc_user_id(&d->a->ctx, "hr1", &hr_id) != 0)
        return app_fail(d->a, "user hr1");
    memset(&d->hr_actor, 0, sizeof(d->hr_actor));
    d->hr_actor.role = ROLE_HR;
    d->hr_actor.user_id = hr_id;
    snprintf(d->hr_actor.username, sizeof(d->hr_actor.username), "hr1");
    d->hr = d->a->ctx;
    d->hr.actor = &d->hr_actor;
    return write_passwords(d, pw, created);
}

static int load_positions(struct demo *d)
{
    for (int i = 0; i < DEMO_POSITIONS; i++) {
        json_t *model = json_loads(demo_positions[i].model, 0, NULL);
        json_t *in = json_pack("{s:s,s:s,s:s,s:i,s:s,s:b,s:o,s:s,s:I,s:I}", "code", demo_positions[i].code, "title",
                               demo_positions[i].title, "org_unit", demo_positions[i].org, "headcount",
                               demo_positions[i].headcount, "status", "open", "review_required",
                               demo_positions[i].review_required, "competency_model", model, "description",
                               demo_positions[i].description, "salary_min", (json_int_t)demo_positions[i].salary_min,
                               "salary_max", (json_int_t)demo_positions[i].salary_max);
        if (create_or_keep(d, svc_position_create, in, "position", &d->position_ids[i]))
            return 1;
    }
    return 0;
}

/* Moves application id along the walk; returns the stage reached or NULL after reporting a failure. */
static const char *walk_application(struct demo *d, int64_t id, const char *stage, enum walk w, int pos)
{
    struct step steps[12];
    int n = walk_steps(w, demo_positions[pos].review_required, steps);
    const char *reason = demo_reasons[rng_weighted(&d->rng, reason_weights, 6)];
    for (int k = 0; k < n; k++) {
        struct svc_ctx *c = steps[k].by_hr ? &d->hr : &d->a->ctx;
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

/* Assigns interviewers to applications past the AI interview. */
static int maybe_assign(struct demo *d, int64_t id, enum stage st, int pos)
{
    if (st != STAGE_AI_PASSED && st != STAGE_FOLLOWUP && st != STAGE_OFFER && st != STAGE_HIRED &&
        st != STAGE_AI_PENDING_EVALUATION)
        return 0;
    if (st == STAGE_AI_PENDING_EVALUATION && rng_below(&d->rng, 100) >= 30)
        return 0;
    /* int1 sits in engineering, int2 in sales; a few get both. */
    const char *who = strncmp(demo_positions[pos].code, "ENG", 3) == 0 ? "int1" : "int2";
    for (int k = 0; k < 2; k++) {
        json_t *in = json_pack("{s:s}", "user", who), *out = NULL;
        int rc = svc_application_assign(&d->hr, id, in, &out);
        json_decref(in);
        json_decref(out);
        if (rc != 0)
            return app_fail(d->a, "assign interviewer");
        d->assigned++;
        if (st != STAGE_FOLLOWUP || rng_below(&d->rng, 100) >= 25)
            break;
        who = strcmp(who, "int1") == 0 ? "int2" : "int1";
    }
    return 0;
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
        json_decref(cin);
        if (rc != 0)
            return app_fail(d->a, "candidate");
        json_t *ain = json_pack("{s:I,s:I}", "candidate_id", json_integer_value(json_object_get(cand, "id")),
                                "position_id", (json_int_t)d->position_ids[pos]);
        json_decref(cand);
        if (note >= 0)
            json_object_set_new(ain, "special_note", json_string(demo_notes[note]));
        rc = svc_application_create(&d->hr, ain, &app);
        json_decref(ain);
        int64_t id = json_integer_value(json_object_get(app, "id"));
        json_decref(app);
        if (rc != 0)
            return app_fail(d->a, "application");
        const char *stage = walk_application(d, id, "applied", w, pos);
        if (!stage)
            return 1;
        enum stage st = stage_parse(stage);
        d->stage_count[st]++;
        if (maybe_assign(d, id, st, pos) != 0)
            return 1;
    }
    return 0;
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
    struct demo d = {.a = &a, .rng = {seed}};
    if (rc == 0)
        rc = load_orgs(&d) || load_users(&d) || load_positions(&d) || load_candidates(&d, (int)n);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc == 0) {
        printf("demo data loaded: %zu org units, %d positions, %d users, %ld candidates, %d interviewer "
               "assignments (seed %llu, %.1f s)\napplications by stage:\n",
               sizeof(demo_orgs) / sizeof(demo_orgs[0]), DEMO_POSITIONS, DEMO_USERS, n, d.assigned, seed,
               (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
        for (int s = STAGE_NONE + 1; s < STAGE__COUNT; s++)
            if (d.stage_count[s])
                printf("  %-26s %d\n", stage_name((enum stage)s), d.stage_count[s]);
    }
    app_close(&a);
    return rc ? 1 : 0;
}

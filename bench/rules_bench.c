/* rules_bench.c - the rule evaluation benchmark (issue 5), built and run by
 * bench/rules (docs/performance.md, "Rules").
 *
 * Generates the facts of N applications with a fixed seed (8 dimension
 * scores and 2 percentiles, overall, match score, recommendation, vendor,
 * reason category, 0-6 tags of a Chinese and English pool, stage and time in
 * it, special notes, sources, talent pool and completeness; one in ten has
 * no AI result yet), compiles 20 realistic rules into one env, and times
 * loading each application's facts into the slot array and evaluating all
 * 20 rules on it, single-threaded: one warm-up, then the median of --runs.
 * Prints a table and writes a JSON report (default bench/out/rules.json).
 *
 * Usage: rules_bench [--apps N] [--runs N] [--seed S] [--out FILE] [--smoke]
 *                    [--quiet] [--commit REV] [--cc TEXT]
 * With RULES_BENCH_PER_RULE=1 in the environment it also prints the CPU time
 * per application of each rule alone (facts included), to see which cost.
 * Exit status 0, 1 when a rule does not compile or a run disagrees. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "core/rules.h"

static const char *const rules[] = {
    "ai.overall < 60 && !has(application.special_note)",
    "application.days_in_stage > 3 && application.stage == \"ai_pending_evaluation\"",
    "ai.dim.communication < 60 || contains(ai.tags, \"表达不清\")",
    "(ai.dim.logic + ai.dim.communication) / 2 >= 75",
    "ai.recommendation == \"recommend\" && ai.match_score >= 80",
    "ai.recommendation in [\"not_recommended\"] && ai.overall < 50 && ai.complete",
    "ai.dim.logic >= 85 && ai.dim.learning >= 80 && ai.dim.professional >= 75",
    "contains(ai.tags, \"沟通不畅\") && ai.dim.teamwork < 65",
    "application.stage in [\"applied\", \"ai_interview_invited\"] && application.hours_in_stage > 72",
    "ai.tag.count >= 3 && ai.overall >= 70",
    "candidate.source in [\"BOSS直聘\", \"智联招聘\"] && ai.overall >= 80",
    "contains(application.special_note, \"内推\") && ai.overall >= 55",
    "ai.percentile.logic >= 90 || ai.percentile.communication >= 90",
    "!ai.complete && application.days_in_stage >= 2",
    "ai.dim.stress < 50 && ai.dim.leadership < 50 || ai.dim.execution < 40",
    "ai.overall == null && application.days_in_stage > 7",
    "lower(candidate.source) == \"liepin\" && ai.match_score < 60",
    "ai.reason in [\"communication\", \"skills_mismatch\"] && !application.talent_pool",
    "len(ai.tags) == 0 && ai.overall >= 60 && position.code != \"INTERN\"",
    ("(ai.dim.logic * 2 + ai.dim.professional) / 3 >= 80 && ai.recommendation != \"not_recommended\" && "
     "application.stage == \"ai_pending_evaluation\""),
};
#define NRULES (sizeof(rules) / sizeof(rules[0]))

static const char *const dims[] = {"logic",  "communication", "teamwork",  "learning",
                                   "stress", "leadership",    "execution", "professional"};
static const char *const recs[] = {"recommend", "re_interview", "not_recommended"};
static const char *const vendors[] = {"native", "stars", "analysis"};
static const char *const reasons[] = {"skills_mismatch", "experience_insufficient", "communication", "culture_fit",
                                      "salary_expectation"};
static const char *const tag_pool[] = {"表达不清", "沟通不畅",   "逻辑清晰", "抗压能力强", "学习能力强", "团队合作",
                                       "经验不足", "薪资期望高", "SQL",      "Python",     "leadership", "英语流利"};
static const char *const stages[] = {"applied",   "ai_interview_invited", "ai_pending_evaluation",
                                     "hr_review", "interview_scheduled",  "offer"};
static const char *const notes[] = {"内推", "候选人要求延期面试", "VIP 客户推荐", "   ", "已电话沟通，内推候选人"};
static const char *const sources[] = {"BOSS直聘", "智联招聘", "Liepin", "referral", "campus", "官网"};
static const char *const positions[] = {"SALES-01", "DEV-02", "INTERN", "HR-01", "OPS-03"};

/* One application's facts, compact (an index of 255 means none). */
struct app {
    uint8_t dim[8], pct_logic, pct_comm, overall, has_result, complete, pool;
    uint8_t rec, vendor, reason, stage, note, source, position, ntags;
    uint8_t tag[6];
    uint16_t hours;
    float match;
};

static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull); /* splitmix64 */
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static unsigned pick(uint64_t *s, unsigned n)
{
    return (unsigned)(next(s) % n);
}

/* A score 0-100 around mean (the sum of three uniforms). */
static uint8_t score(uint64_t *s, int mean)
{
    int v = mean - 45 + (int)pick(s, 31) + (int)pick(s, 31) + (int)pick(s, 31);
    return (uint8_t)(v < 0 ? 0 : v > 100 ? 100 : v);
}

static void generate(struct app *a, size_t n, uint64_t seed)
{
    uint64_t s = seed;
    for (size_t i = 0; i < n; i++) {
        struct app *x = &a[i];
        memset(x, 0, sizeof(*x));
        int mean = 50 + (int)pick(&s, 30);
        x->has_result = pick(&s, 10) != 0;
        for (int d = 0; d < 8; d++)
            x->dim[d] = score(&s, mean);
        x->pct_logic = (uint8_t)pick(&s, 101);
        x->pct_comm = (uint8_t)pick(&s, 101);
        int sum = 0;
        for (int d = 0; d < 8; d++)
            sum += x->dim[d];
        x->overall = (uint8_t)(sum / 8);
        x->match = (float)(x->overall + (int)pick(&s, 11) - 5) + (pick(&s, 2) ? 0.5f : 0.0f);
        x->rec = x->match >= 70 ? 0 : x->match >= 60 ? 1 : 2;
        x->vendor = (uint8_t)pick(&s, 3);
        x->reason = x->rec == 2 && pick(&s, 2) ? (uint8_t)pick(&s, 5) : 255;
        x->complete = pick(&s, 8) != 0;
        x->ntags = (uint8_t)pick(&s, 7);
        for (int t = 0; t < x->ntags; t++)
            x->tag[t] = (uint8_t)pick(&s, sizeof(tag_pool) / sizeof(tag_pool[0]));
        x->stage = (uint8_t)pick(&s, 6);
        x->hours = (uint16_t)pick(&s, 24 * 14);
        x->note = pick(&s, 10) < 3 ? (uint8_t)pick(&s, 5) : 255;
        x->source = pick(&s, 12) ? (uint8_t)pick(&s, 6) : 255;
        x->position = (uint8_t)pick(&s, 5);
        x->pool = pick(&s, 20) == 0;
    }
}

/* ---- facts into slots ---- */

enum kind {
    K_NONE,
    K_DIM, /* + the dimension in arg */
    K_PCT_LOGIC,
    K_PCT_COMM,
    K_OVERALL,
    K_MATCH,
    K_TAG_COUNT,
    K_DAYS,
    K_HOURS,
    K_REC,
    K_VENDOR,
    K_REASON,
    K_STAGE,
    K_NOTE,
    K_ELIM,
    K_POSITION,
    K_ORG,
    K_SOURCE,
    K_POOL,
    K_COMPLETE,
    K_TAGS,
};

struct plan {
    enum kind kind;
    int arg;
};

static const struct {
    const char *path;
    enum kind kind;
} fixed[] = {
    {"ai.percentile.logic", K_PCT_LOGIC},
    {"ai.percentile.communication", K_PCT_COMM},
    {"ai.overall", K_OVERALL},
    {"ai.match_score", K_MATCH},
    {"ai.tag.count", K_TAG_COUNT},
    {"application.days_in_stage", K_DAYS},
    {"application.hours_in_stage", K_HOURS},
    {"ai.recommendation", K_REC},
    {"ai.vendor", K_VENDOR},
    {"ai.reason", K_REASON},
    {"application.stage", K_STAGE},
    {"application.special_note", K_NOTE},
    {"application.elimination_reason", K_ELIM},
    {"position.code", K_POSITION},
    {"org.code", K_ORG},
    {"candidate.source", K_SOURCE},
    {"application.talent_pool", K_POOL},
    {"ai.complete", K_COMPLETE},
    {"ai.tags", K_TAGS},
};

static void plan_slots(const struct rule_env *env, struct plan *p)
{
    for (size_t i = 0; i < rule_env_nslots(env); i++) {
        const char *path = rule_env_path(env, i);
        p[i].kind = K_NONE;
        for (size_t k = 0; k < sizeof(fixed) / sizeof(fixed[0]); k++)
            if (strcmp(path, fixed[k].path) == 0)
                p[i].kind = fixed[k].kind;
        for (int d = 0; d < 8; d++)
            if (strncmp(path, "ai.dim.", 7) == 0 && strcmp(path + 7, dims[d]) == 0) {
                p[i].kind = K_DIM;
                p[i].arg = d;
            }
    }
}

/* The lengths of the strings of the lists above, as a caller has them. */
#define LIST_MAX 16
enum { L_RECS, L_VENDORS, L_REASONS, L_STAGES, L_NOTES, L_SOURCES, L_POSITIONS, NLISTS };
static const char *const *const lists[NLISTS] = {recs, vendors, reasons, stages, notes, sources, positions};
static const size_t list_n[NLISTS] = {3, 3, 5, 6, 5, 6, 5};
static size_t lens[NLISTS][LIST_MAX];

static size_t tag_lens[sizeof(tag_pool) / sizeof(tag_pool[0])];

static void measure_lists(void)
{
    for (size_t i = 0; i < sizeof(tag_pool) / sizeof(tag_pool[0]); i++)
        tag_lens[i] = strlen(tag_pool[i]);
    for (int l = 0; l < NLISTS; l++)
        for (size_t i = 0; i < list_n[l]; i++)
            lens[l][i] = strlen(lists[l][i]);
}

/* Only the fields a fact's type uses are set: the slot array is reused from
 * one application to the next, as a caller would. */
static void set_num(struct rule_value *v, double x)
{
    v->type = RULE_NUM;
    v->num = x;
}

static void set_bool(struct rule_value *v, int b)
{
    v->type = RULE_BOOL;
    v->num = b;
}

static void set_str(struct rule_value *v, int list, unsigned i)
{
    if (i == 255) {
        v->type = RULE_NULL;
        return;
    }
    v->type = RULE_STR;
    v->str = lists[list][i];
    v->len = lens[list][i];
}

/* What a caller does per application: the facts of a into slots. */
static void fill(const struct app *a, const struct plan *p, size_t n, struct rule_value *v, const char **items,
                 size_t *item_lens)
{
    for (int t = 0; t < a->ntags; t++) {
        items[t] = tag_pool[a->tag[t]];
        item_lens[t] = tag_lens[a->tag[t]];
    }
    for (size_t i = 0; i < n; i++) {
        int ai = p[i].kind <= K_TAG_COUNT || (p[i].kind >= K_REC && p[i].kind <= K_REASON) || p[i].kind == K_COMPLETE ||
                 p[i].kind == K_TAGS;
        if (ai && !a->has_result) {
            v[i].type = RULE_NULL;
            continue;
        }
        switch (p[i].kind) {
        case K_DIM:
            set_num(&v[i], a->dim[p[i].arg]);
            break;
        case K_PCT_LOGIC:
            set_num(&v[i], a->pct_logic);
            break;
        case K_PCT_COMM:
            set_num(&v[i], a->pct_comm);
            break;
        case K_OVERALL:
            set_num(&v[i], a->overall);
            break;
        case K_MATCH:
            set_num(&v[i], a->match);
            break;
        case K_TAG_COUNT:
            set_num(&v[i], a->ntags);
            break;
        case K_DAYS:
            set_num(&v[i], a->hours / 24);
            break;
        case K_HOURS:
            set_num(&v[i], a->hours);
            break;
        case K_REC:
            set_str(&v[i], L_RECS, a->rec);
            break;
        case K_VENDOR:
            set_str(&v[i], L_VENDORS, a->vendor);
            break;
        case K_REASON:
            set_str(&v[i], L_REASONS, a->reason);
            break;
        case K_STAGE:
            set_str(&v[i], L_STAGES, a->stage);
            break;
        case K_NOTE:
            set_str(&v[i], L_NOTES, a->note);
            break;
        case K_POSITION:
            set_str(&v[i], L_POSITIONS, a->position);
            break;
        case K_SOURCE:
            set_str(&v[i], L_SOURCES, a->source);
            break;
        case K_POOL:
            set_bool(&v[i], a->pool);
            break;
        case K_COMPLETE:
            set_bool(&v[i], a->complete);
            break;
        case K_TAGS:
            v[i].type = RULE_LIST;
            v[i].items = items;
            v[i].item_lens = item_lens;
            v[i].nitems = a->ntags;
            break;
        default:
            v[i].type = RULE_NULL;
            break;
        }
    }
}

static double clock_s(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double now(void)
{
    return clock_s(CLOCK_MONOTONIC);
}

/* One run: every application, every rule (eval 1) or only the facts (eval 0);
 * the fire counts in fired. Returns the wall-clock seconds, the thread's CPU
 * seconds in *cpu. */
static double run(const struct app *a, size_t napps, struct rule_prog *const *progs, const struct plan *p,
                  size_t nslots, int eval, uint64_t *fired, double *cpu)
{
    struct rule_value v[64];
    const char *items[8];
    size_t item_lens[8];
    volatile uint64_t sink = 0;
    memset(fired, 0, NRULES * sizeof(*fired));
    double t0 = now(), c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
    for (size_t i = 0; i < napps; i++) {
        fill(&a[i], p, nslots, v, items, item_lens);
        if (!eval) {
            sink += v[i % nslots].type;
            continue;
        }
        for (size_t r = 0; r < NRULES; r++)
            fired[r] += (uint64_t)rule_eval(progs[r], v);
    }
    (void)sink;
    *cpu = clock_s(CLOCK_THREAD_CPUTIME_ID) - c0;
    return now() - t0;
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

static double median(double *t, int n)
{
    double s[64];
    memcpy(s, t, (size_t)n * sizeof(*t));
    qsort(s, (size_t)n, sizeof(*s), cmp_double);
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static json_t *machine(const char *commit, const char *cc)
{
    char cpu[256] = "unknown", line[512];
    FILE *f = fopen("/proc/cpuinfo", "r");
    while (f && fgets(line, sizeof(line), f)) {
        if (strncmp(line, "model name", 10) == 0 && strchr(line, ':')) {
            snprintf(cpu, sizeof(cpu), "%s", strchr(line, ':') + 2);
            cpu[strcspn(cpu, "\n")] = '\0';
            break;
        }
    }
    if (f)
        fclose(f);
    struct utsname u;
    json_t *m = json_object();
    json_object_set_new(m, "nproc", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
    json_object_set_new(m, "cpu", json_string(cpu));
    json_object_set_new(m, "kernel", json_string(uname(&u) == 0 ? u.release : "unknown"));
    json_object_set_new(m, "compiler", json_string(cc ? cc : "unknown"));
    json_object_set_new(m, "commit", commit && *commit ? json_string(commit) : json_null());
    return m;
}

int main(int argc, char **argv)
{
    size_t napps = 1000000;
    int runs = 5, smoke = 0, quiet = 0;
    uint64_t seed = 42;
    const char *out = NULL, *commit = NULL, *cc = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--smoke") == 0)
            smoke = 1;
        else if (strcmp(a, "--quiet") == 0)
            quiet = 1;
        else if (strcmp(a, "--apps") == 0 && v)
            napps = strtoul(argv[++i], NULL, 10);
        else if (strcmp(a, "--runs") == 0 && v)
            runs = atoi(argv[++i]);
        else if (strcmp(a, "--seed") == 0 && v)
            seed = strtoull(argv[++i], NULL, 10);
        else if (strcmp(a, "--out") == 0 && v)
            out = argv[++i];
        else if (strcmp(a, "--commit") == 0 && v)
            commit = argv[++i];
        else if (strcmp(a, "--cc") == 0 && v)
            cc = argv[++i];
        else {
            fprintf(stderr, "usage: %s [--apps N] [--runs N] [--seed S] [--out FILE] [--smoke] [--quiet]\n", argv[0]);
            return 2;
        }
    }
    if (smoke) {
        napps = napps < 10000 ? napps : 10000;
        runs = 1;
    }
    if (napps < 1 || runs < 1 || runs > 64) {
        fprintf(stderr, "rules_bench: --apps must be >= 1 and --runs 1..64\n");
        return 2;
    }

    measure_lists();
    struct rule_env *env = rule_env_new();
    struct rule_prog *progs[NRULES];
    for (size_t r = 0; r < NRULES; r++) {
        struct rule_error e;
        if (rule_compile(env, rules[r], &progs[r], &e) != 0) {
            fprintf(stderr, "rules_bench: rule %zu: %d:%d: %s\n", r + 1, e.line, e.col, e.message);
            return 1;
        }
    }
    size_t nslots = rule_env_nslots(env);
    struct plan plan[64];
    plan_slots(env, plan);

    struct app *apps = malloc(napps * sizeof(*apps));
    if (!apps) {
        fprintf(stderr, "rules_bench: out of memory\n");
        return 1;
    }
    double tg = now();
    generate(apps, napps, seed);
    tg = now() - tg;

    uint64_t fired[NRULES], again[NRULES];
    double times[64], cpu[64], fill_times[64], fill_cpu[64];
    if (!smoke)
        run(apps, napps, progs, plan, nslots, 1, again, cpu); /* warm-up */
    for (int i = 0; i < runs; i++) {
        times[i] = run(apps, napps, progs, plan, nslots, 1, i ? again : fired, &cpu[i]);
        if (i && memcmp(again, fired, sizeof(fired)) != 0) {
            fprintf(stderr, "rules_bench: run %d fired other counts than run 1\n", i + 1);
            return 1;
        }
        if (!quiet)
            fprintf(stderr, "run %d: %.3f s (CPU %.3f s)\n", i + 1, times[i], cpu[i]);
    }
    if (getenv("RULES_BENCH_PER_RULE")) { /* development aid: each rule alone */
        struct rule_value v[64];
        const char *items[8];
        size_t item_lens[8];
        for (size_t r = 0; r < NRULES; r++) {
            double c0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
            uint64_t k = 0;
            for (size_t i = 0; i < napps; i++) {
                fill(&apps[i], plan, nslots, v, items, item_lens);
                k += (uint64_t)rule_eval(progs[r], v);
            }
            fprintf(stderr, "%6.1f ns  %7llu fired  %s\n",
                    (clock_s(CLOCK_THREAD_CPUTIME_ID) - c0) * 1e9 / (double)napps, (unsigned long long)k, rules[r]);
        }
    }
    for (int i = 0; i < runs; i++)
        fill_times[i] = run(apps, napps, progs, plan, nslots, 0, again, &fill_cpu[i]);

    double med = median(times, runs), fill_med = median(fill_times, runs);
    double cpu_med = median(cpu, runs), fill_cpu_med = median(fill_cpu, runs);
    double evals = (double)napps * (double)NRULES;
    uint64_t total_fired = 0;
    json_t *jr = json_array(), *jt = json_array(), *jc = json_array();
    for (size_t r = 0; r < NRULES; r++) {
        json_array_append_new(jr, json_pack("{s:s, s:I}", "when", rules[r], "fired", (json_int_t)fired[r]));
        total_fired += fired[r];
    }
    for (int i = 0; i < runs; i++) {
        json_array_append_new(jt, json_real(times[i]));
        json_array_append_new(jc, json_real(cpu[i]));
    }
    char when[32];
    time_t t = time(NULL);
    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    json_t *report = json_pack(
        "{s:s, s:b, s:s, s:o, s:I, s:i, s:i, s:{s:I, s:i, s:I, s:f}, s:o, "
        "s:{s:o, s:f, s:o, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:b}}",
        "bench", "rules", "smoke", smoke, "when", when, "machine", machine(commit, cc), "seed", (json_int_t)seed,
        "runs", runs, "warmup", smoke ? 0 : 1, "data", "applications", (json_int_t)napps, "rules", (int)NRULES, "slots",
        (json_int_t)nslots, "generate_s", tg, "rules", jr, "figures", "seconds", jt, "median_s", med, "cpu_seconds", jc,
        "cpu_median_s", cpu_med, "evaluations_per_s", evals / med, "ns_per_evaluation", med * 1e9 / evals,
        "facts_only_median_s", fill_med, "facts_only_cpu_median_s", fill_cpu_med, "evaluate_only_ns_per_evaluation",
        (med - fill_med) * 1e9 / evals, "goal_s", 1.0 * (double)napps / 1e6, "meets_goal", med <= (double)napps / 1e6);
    if (!report) {
        fprintf(stderr, "rules_bench: could not build the report\n");
        return 1;
    }
    if (out && json_dump_file(report, out, JSON_INDENT(2)) != 0) {
        fprintf(stderr, "rules_bench: cannot write %s\n", out);
        return 1;
    }
    if (!quiet) {
        printf("rules: %zu applications x %zu rules (%zu slots), single thread; median of %d run%s%s\n", napps,
               (size_t)NRULES, nslots, runs, runs == 1 ? "" : "s", smoke ? "" : " after a warm-up");
        printf("  %-36s %9s %9s %15s %9s\n", "", "seconds", "CPU s", "evaluations/s", "ns/eval");
        printf("  %-36s %9.3f %9.3f %15.0f %9.1f\n", "load facts + evaluate 20 rules", med, cpu_med, evals / med,
               med * 1e9 / evals);
        printf("  %-36s %9.3f %9.3f\n", "load facts only", fill_med, fill_cpu_med);
        printf("  rules fired: %llu (%.2f per application)\n", (unsigned long long)total_fired,
               (double)total_fired / (double)napps);
        if (smoke)
            printf("  [smoke: tiny data, one run; not a figure]\n");
        else
            printf("  goal: 1M x 20 in < 1 s: %s\n", med <= (double)napps / 1e6 ? "met" : "NOT met");
        if (out)
            printf("  json: %s\n", out);
    }
    json_decref(report);
    for (size_t r = 0; r < NRULES; r++)
        rule_prog_free(progs[r]);
    rule_env_free(env);
    free(apps);
    return 0;
}

/* rules.c - the catalogue of paths, the slot table and rule_compile
 * (core/rules.h); the parts are in rules_*.c (core/rules_int.h). */
#include <stdlib.h>
#include <string.h>

#include "core/rules_int.h"
#include "lib/mem.h"

/* ---- the catalogue ---- */

static const struct rule_path_info catalogue[] = {
    {"ai.overall", RULE_NUM, "the overall score of the AI interview, 0-100"},
    {"ai.match_score", RULE_NUM, "the match with the position's competency model, 0-100"},
    {"ai.dim.<key>", RULE_NUM, "the score of one dimension, 0-100 (ai.dim.logic)"},
    {"ai.percentile.<key>", RULE_NUM,
     "the percentile of one dimension's score among the position's candidates, 0-100 (ai.percentile.logic)"},
    {"ai.tag.count", RULE_NUM, "the number of tags of the AI result"},
    {"application.days_in_stage", RULE_NUM, "whole days since the application entered its current stage"},
    {"application.hours_in_stage", RULE_NUM, "whole hours since the application entered its current stage"},
    {"ai.recommendation", RULE_STR, "recommend, re_interview or not_recommended"},
    {"ai.vendor", RULE_STR, "the vendor of the AI result"},
    {"ai.reason", RULE_STR, "the vendor's \"not suitable\" reason category"},
    {"application.stage", RULE_STR, "the application's current stage"},
    {"application.special_note", RULE_STR, "the special note on the application"},
    {"application.elimination_reason", RULE_STR, "the elimination reason category, when eliminated"},
    {"position.code", RULE_STR, "the code of the position"},
    {"org.code", RULE_STR, "the code of the position's org unit"},
    {"candidate.source", RULE_STR, "where the candidate came from (the channel)"},
    {"application.talent_pool", RULE_BOOL, "the candidate is kept in the talent pool"},
    {"ai.complete", RULE_BOOL, "the AI result has every required dimension and a transcript"},
    {"ai.tags", RULE_LIST, "the tags of the AI result (strings)"},
};

#define NCATALOGUE (sizeof(catalogue) / sizeof(catalogue[0]))

const struct rule_path_info *rule_catalogue(size_t *n)
{
    if (n)
        *n = NCATALOGUE;
    return catalogue;
}

const char *rule_type_name(enum rule_type t)
{
    switch (t) {
    case RULE_NUM:
        return "number";
    case RULE_STR:
        return "string";
    case RULE_BOOL:
        return "boolean";
    case RULE_LIST:
        return "list";
    case RULE_NULL:
        break;
    }
    return "null";
}

/* A <key>: 1-64 characters of [a-z0-9_], starting with a letter. */
static int valid_key(const char *s, size_t n)
{
    if (n < 1 || n > RULE_KEY_MAX || !(s[0] >= 'a' && s[0] <= 'z'))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

enum rule_type rule_path_type(const char *path, size_t len)
{
    static const char *const families[] = {"ai.dim.", "ai.percentile."};
    if (!path)
        return RULE_NULL;
    for (size_t i = 0; i < NCATALOGUE; i++) {
        const char *p = catalogue[i].path;
        if (strchr(p, '<'))
            continue;
        if (strlen(p) == len && memcmp(p, path, len) == 0)
            return catalogue[i].type;
    }
    for (size_t i = 0; i < 2; i++) {
        size_t fl = strlen(families[i]);
        if (len > fl && memcmp(path, families[i], fl) == 0 && valid_key(path + fl, len - fl))
            return RULE_NUM;
    }
    return RULE_NULL;
}

/* ---- the slot table ---- */

struct env_slot {
    char *path;
    enum rule_type type;
};

struct rule_env {
    struct env_slot *s;
    size_t n, cap;
};

struct rule_env *rule_env_new(void)
{
    return xcalloc(1, sizeof(struct rule_env));
}

void rule_env_free(struct rule_env *env)
{
    if (!env)
        return;
    for (size_t i = 0; i < env->n; i++)
        free(env->s[i].path);
    free(env->s);
    free(env);
}

size_t rule_env_nslots(const struct rule_env *env)
{
    return env ? env->n : 0;
}

const char *rule_env_path(const struct rule_env *env, size_t slot)
{
    return env && slot < env->n ? env->s[slot].path : NULL;
}

enum rule_type rule_env_type(const struct rule_env *env, size_t slot)
{
    return env && slot < env->n ? env->s[slot].type : RULE_NULL;
}

long rule_env_find(const struct rule_env *env, const char *path)
{
    if (!env || !path)
        return -1;
    for (size_t i = 0; i < env->n; i++)
        if (strcmp(env->s[i].path, path) == 0)
            return (long)i;
    return -1;
}

static void env_add(struct rule_env *env, const char *path, enum rule_type type)
{
    if (env->n == env->cap) {
        env->cap = env->cap ? env->cap * 2 : 16;
        env->s = xrealloc(env->s, env->cap * sizeof(*env->s));
    }
    env->s[env->n].path = xstrdup(path);
    env->s[env->n].type = type;
    env->n++;
}

/* ---- compiling ---- */

/* Room for the code: the rule (at most a jump and an instruction per node,
 * and the end) and each clause (the same over disjoint parts of the tree). */
#define CODE_CAP (3 * RULE_MAX_NODES + 8)

/* Marks the clauses: the nodes under the top-level &&/|| tree that are not
 * && or || themselves; in node order, which is source order. */
static int find_clauses(const struct rparse *P, int *clause)
{
    unsigned char top[RULE_MAX_NODES] = {0};
    int n = 0;
    top[P->root] = 1;
    for (int i = P->root; i >= 0; i--) {
        const struct node *x = &P->nodes[i];
        if (!top[i])
            continue;
        if (x->kind == N_AND || x->kind == N_OR) {
            top[x->a] = top[x->b] = 1;
            top[i] = 0;
        }
    }
    for (int i = 0; i <= P->root; i++)
        if (top[i])
            clause[n++] = i;
    return n;
}

/* The paths node range [first, last] reads, in order, as indices into
 * P->paths (no repeats); their count. */
static int clause_paths(const struct rparse *P, int first, int last, uint16_t *out)
{
    int n = 0;
    for (int i = first; i <= last; i++) {
        const struct node *x = &P->nodes[i];
        if (x->kind != N_PATH && x->kind != N_HAS && x->kind != N_CONTAINS && x->kind != N_LEN)
            continue;
        int seen = 0;
        for (int k = 0; k < n && !seen; k++)
            seen = out[k] == x->path;
        if (!seen)
            out[n++] = x->path;
    }
    return n;
}

/* Builds the program from the parsed rule and its code. */
static struct rule_prog *build(const struct rparse *P, const struct insn *code, uint32_t ncode, const int *clause,
                               const uint32_t *clause_code, int nclauses)
{
    struct rule_prog *p = xcalloc(1, sizeof(*p));
    uint16_t cp[RULE_MAX_NODES];
    size_t text = P->nchars + 1, ncp = 0;
    for (int i = 0; i < nclauses; i++)
        text += P->nodes[clause[i]].end - P->nodes[clause[i]].start + 1;
    for (int i = 0; i < P->npaths; i++)
        text += strlen(P->paths[i].name) + 1;
    p->text = xmalloc(text);
    memcpy(p->text, P->chars, P->nchars + 1);
    size_t off = P->nchars + 1;

    p->code = xmalloc(ncode * sizeof(*code));
    memcpy(p->code, code, ncode * sizeof(*code));
    p->ncode = ncode;
    p->nums = xmalloc((P->nnums ? (size_t)P->nnums : 1) * sizeof(double));
    memcpy(p->nums, P->nums, (size_t)P->nnums * sizeof(double));
    p->strs = xcalloc(P->nstrs ? (size_t)P->nstrs : 1, sizeof(*p->strs));
    for (int i = 0; i < P->nstrs; i++) {
        p->strs[i].s = p->text + P->strs[i].off;
        p->strs[i].len = P->strs[i].len;
    }
    p->npaths = (uint32_t)P->npaths;
    p->paths = xcalloc(P->npaths ? (size_t)P->npaths : 1, sizeof(*p->paths));
    for (int i = 0; i < P->npaths; i++) {
        size_t n = strlen(P->paths[i].name);
        memcpy(p->text + off, P->paths[i].name, n + 1);
        p->paths[i].name = p->text + off;
        p->paths[i].slot = (uint16_t)P->paths[i].slot;
        p->paths[i].type = P->paths[i].type;
        off += n + 1;
    }
    p->nclauses = (uint32_t)nclauses;
    p->clauses = xcalloc(nclauses ? (size_t)nclauses : 1, sizeof(*p->clauses));
    p->cpaths = xcalloc(RULE_MAX_NODES, sizeof(*p->cpaths));
    for (int i = 0; i < nclauses; i++) {
        const struct node *x = &P->nodes[clause[i]];
        struct pclause *c = &p->clauses[i];
        c->text_off = (uint32_t)off;
        c->text_len = x->end - x->start;
        memcpy(p->text + off, P->src + x->start, c->text_len);
        p->text[off + c->text_len] = '\0';
        off += c->text_len + 1;
        c->code = clause_code[i];
        c->paths_off = (uint32_t)ncp;
        /* the paths of one clause are distinct and at most the rule's: the
         * sum over the clauses is at most the nodes */
        c->npaths = (uint32_t)clause_paths(P, rnode_first(P, clause[i]), clause[i], cp);
        memcpy(p->cpaths + ncp, cp, c->npaths * sizeof(*cp));
        ncp += c->npaths;
    }
    return p;
}

/* The line and column of byte off of src. */
static void position(const char *src, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (src[i] == '\n') {
            (*line)++;
            *col = 1;
        } else if (((unsigned char)src[i] & 0xC0) != 0x80) {
            (*col)++;
        }
    }
}

int rule_compile(struct rule_env *env, const char *src, struct rule_prog **out, struct rule_error *err)
{
    struct rparse *P = NULL;
    struct insn *code = NULL;
    int rc, line, col, clause[RULE_MAX_NODES], nclauses;
    uint32_t ncode = 0, clause_code[RULE_MAX_NODES];
    if (err)
        memset(err, 0, sizeof(*err));
    if (out)
        *out = NULL;
    if (!env || !src || !out)
        return rule_fail(err, 1, 1, "no rule to compile");
    size_t len = strnlen(src, RULE_SOURCE_MAX + 1);
    if (len > RULE_SOURCE_MAX) {
        position(src, RULE_SOURCE_MAX, &line, &col);
        return rule_fail(err, line, col, "the rule is too long: at most %d bytes", RULE_SOURCE_MAX);
    }
    P = xcalloc(1, sizeof(*P));
    P->src = src;
    P->len = len;
    P->err = err;
    if ((rc = rparse_run(P)))
        goto done;

    /* slots: those the env has, then new ones (added only once all is well) */
    size_t fresh = 0;
    for (int i = 0; i < P->npaths; i++) {
        P->paths[i].slot = rule_env_find(env, P->paths[i].name);
        if (P->paths[i].slot < 0)
            P->paths[i].slot = (long)(env->n + fresh++);
    }
    if (env->n + fresh > RULE_MAX_SLOTS) {
        rc =
            rule_fail(err, 1, 1, "too many distinct paths in the rules compiled together (at most %d)", RULE_MAX_SLOTS);
        goto done;
    }

    code = xmalloc(CODE_CAP * sizeof(*code));
    if (rcode_gen(P, P->root, code, &ncode, CODE_CAP) != 0 || ncode - 1 > RULE_MAX_NODES) {
        rc = rule_fail(err, 1, 1, "the rule is too long: more than %d instructions", RULE_MAX_NODES);
        goto done;
    }
    nclauses = find_clauses(P, clause);
    for (int i = 0; i < nclauses; i++) {
        clause_code[i] = ncode;
        if (rcode_gen(P, clause[i], code, &ncode, CODE_CAP) != 0) {
            rc = rule_fail(err, 1, 1, "the rule is too long: more than %d instructions", RULE_MAX_NODES);
            goto done;
        }
    }

    for (int i = 0; i < P->npaths; i++)
        if ((size_t)P->paths[i].slot >= env->n)
            env_add(env, P->paths[i].name, P->paths[i].type);
    *out = build(P, code, ncode, clause, clause_code, nclauses);
    rc = 0;
done:
    free(code);
    free(P);
    return rc;
}

void rule_prog_free(struct rule_prog *p)
{
    if (!p)
        return;
    free(p->code);
    free(p->nums);
    free(p->strs);
    free(p->text);
    free(p->paths);
    free(p->clauses);
    free(p->cpaths);
    free(p);
}

size_t rule_prog_npaths(const struct rule_prog *p)
{
    return p ? p->npaths : 0;
}

long rule_prog_path_slot(const struct rule_prog *p, size_t i)
{
    return p && i < p->npaths ? (long)p->paths[i].slot : -1;
}

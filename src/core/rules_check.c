/* rules_check.c - the nodes of the syntax tree, each type-checked as the
 * parser builds it (core/rules_int.h). */
#include <stdio.h>
#include <string.h>

#include "core/rules_int.h"
#include "lib/utf8.h"

#define TEXT_MAX 40 /* characters of an operand quoted in a message */

const char *rtype_phrase(enum rule_type t)
{
    switch (t) {
    case RULE_NUM:
        return "a number";
    case RULE_STR:
        return "a string";
    case RULE_BOOL:
        return "true/false";
    case RULE_LIST:
        return "a list";
    case RULE_NULL:
        break;
    }
    return "null";
}

void rnode_text(const struct rparse *P, int i, char *buf, size_t cap)
{
    const struct node *n = &P->nodes[i];
    const char *s = P->src + n->ostart;
    size_t len = n->oend - n->ostart;
    if (utf8_count(s, len) > TEXT_MAX)
        snprintf(buf, cap, "%.*s…", (int)utf8_prefix(s, len, TEXT_MAX - 1), s);
    else
        snprintf(buf, cap, "%.*s", (int)len, s);
}

static const char *op_text(enum tok_kind op)
{
    switch (op) {
    case T_OR:
        return "||";
    case T_AND:
        return "&&";
    case T_NOT:
        return "!";
    case T_EQ:
        return "==";
    case T_NE:
        return "!=";
    case T_LT:
        return "<";
    case T_LE:
        return "<=";
    case T_GT:
        return ">";
    case T_GE:
        return ">=";
    case T_PLUS:
        return "+";
    case T_MINUS:
        return "-";
    case T_STAR:
        return "*";
    case T_SLASH:
        return "/";
    case T_PERCENT:
        return "%";
    default:
        return "?";
    }
}

/* "'&&' needs ...; ai.overall is a number", at node i. */
static int wrong_type(struct rparse *P, int i, const char *what)
{
    char text[160];
    rnode_text(P, i, text, sizeof(text));
    const struct node *n = &P->nodes[i];
    return rule_fail(P->err, n->line, n->col, "%s; %s is %s", what, text, rtype_phrase((enum rule_type)n->type));
}

static int null_misplaced(struct rparse *P, int i)
{
    const struct node *n = &P->nodes[i];
    return rule_fail(P->err, n->line, n->col, "null can only be compared with == or != (x == null)");
}

int rnode_new(struct rparse *P, enum node_kind kind, const struct tok *at)
{
    if (P->nnodes + P->nitems >= RULE_MAX_NODES)
        return rule_fail(P->err, at->line, at->col,
                         "the rule is too long: at most %d values, paths, operators and list items", RULE_MAX_NODES);
    int i = P->nnodes++;
    struct node *n = &P->nodes[i];
    memset(n, 0, sizeof(*n));
    n->kind = (uint8_t)kind;
    n->a = n->b = -1;
    n->start = n->ostart = at->start;
    n->end = n->oend = at->end;
    n->line = at->line;
    n->col = at->col;
    return i;
}

/* A new node over children a and b (b may be -1), spanning them. */
static int inner(struct rparse *P, enum node_kind kind, const struct tok *at, int a, int b)
{
    int i = rnode_new(P, kind, at);
    if (i < 0)
        return i;
    struct node *n = &P->nodes[i];
    n->a = (int16_t)a;
    n->b = (int16_t)b;
    n->end = n->oend = P->nodes[b >= 0 ? b : a].oend;
    if (kind != N_NEG && kind != N_NOT) { /* binary: from the left operand; prefix: from the operator */
        n->start = n->ostart = P->nodes[a].ostart;
        n->line = P->nodes[a].line;
        n->col = P->nodes[a].col;
    }
    return i;
}

int rnode_prefix(struct rparse *P, enum tok_kind op, const struct tok *at, int a)
{
    struct node *x = &P->nodes[a];
    if (x->kind == N_NULL)
        return null_misplaced(P, a);
    if (op == T_MINUS) {
        if (x->type != RULE_NUM)
            return wrong_type(P, a, "'-' needs a number");
        if (x->kind == N_NUM) { /* a negative literal: fold it */
            P->nums[x->k] = -P->nums[x->k];
            x->start = x->ostart = at->start;
            x->end = x->oend;
            x->paren = 0;
            x->line = at->line;
            x->col = at->col;
            return a;
        }
        int i = inner(P, N_NEG, at, a, -1);
        if (i >= 0)
            P->nodes[i].type = RULE_NUM;
        return i;
    }
    if (x->type != RULE_BOOL)
        return wrong_type(P, a, "'!' needs a condition (true or false)");
    int i = inner(P, N_NOT, at, a, -1);
    if (i >= 0)
        P->nodes[i].type = RULE_BOOL;
    return i;
}

/* 1 if node i is the string literal with an ASCII capital letter. */
static int has_capitals(const struct rparse *P, int i)
{
    const struct node *n = &P->nodes[i];
    if (n->kind != N_STR)
        return 0;
    const struct sref *r = &P->strs[n->k];
    for (uint32_t k = 0; k < r->len; k++)
        if (P->chars[r->off + k] >= 'A' && P->chars[r->off + k] <= 'Z')
            return 1;
    return 0;
}

static int is_fold(const struct rparse *P, int i)
{
    return P->nodes[i].kind == N_PATH && P->nodes[i].fold;
}

static int rfold_conflict(struct rparse *P, int folded, int literal)
{
    char text[160], lit[160];
    rnode_text(P, folded, text, sizeof(text));
    rnode_text(P, literal, lit, sizeof(lit));
    const struct node *n = &P->nodes[literal];
    return rule_fail(P->err, n->line, n->col, "%s is in lower case and never equals %s, which has capital letters",
                     text, lit);
}

static int check_compare(struct rparse *P, enum tok_kind op, const struct tok *at, int a, int b)
{
    const struct node *x = &P->nodes[a], *y = &P->nodes[b];
    if ((x->kind == N_CMP || x->kind == N_IN) && !x->paren)
        return rule_fail(P->err, at->line, at->col, "comparisons cannot be chained: write a < b && b < c");
    int xn = x->kind == N_NULL, yn = y->kind == N_NULL;
    if (op != T_EQ && op != T_NE) {
        if (xn || yn)
            return null_misplaced(P, xn ? a : b);
        if (x->type != RULE_NUM)
            return wrong_type(
                P, a, op == T_LT || op == T_GT ? "'<' and '>' compare numbers" : "'<=' and '>=' compare numbers");
        if (y->type != RULE_NUM)
            return wrong_type(
                P, b, op == T_LT || op == T_GT ? "'<' and '>' compare numbers" : "'<=' and '>=' compare numbers");
        return 0;
    }
    if (xn && yn)
        return rule_fail(P->err, at->line, at->col, "null compared with null: compare a path with null");
    if (xn || yn)
        return 0; /* x == null: any type */
    char ta[160], tb[160];
    if (x->type == RULE_LIST || y->type == RULE_LIST) {
        rnode_text(P, x->type == RULE_LIST ? a : b, ta, sizeof(ta));
        return rule_fail(P->err, at->line, at->col,
                         "a list cannot be compared with '%s': use contains(%s, \"...\") or len(%s)", op_text(op), ta,
                         ta);
    }
    if (x->type != y->type) {
        rnode_text(P, a, ta, sizeof(ta));
        rnode_text(P, b, tb, sizeof(tb));
        return rule_fail(P->err, at->line, at->col, "'%s' compares values of one type, but %s is %s and %s is %s",
                         op_text(op), ta, rtype_phrase((enum rule_type)x->type), tb,
                         rtype_phrase((enum rule_type)y->type));
    }
    if (is_fold(P, a) && has_capitals(P, b))
        return rfold_conflict(P, a, b);
    if (is_fold(P, b) && has_capitals(P, a))
        return rfold_conflict(P, b, a);
    return 0;
}

int rnode_binary(struct rparse *P, enum tok_kind op, const struct tok *at, int a, int b)
{
    enum node_kind kind;
    enum rule_op rop = R_ADD;
    enum rule_type type = RULE_BOOL;
    int rc = 0;
    switch (op) {
    case T_AND:
    case T_OR:
        kind = op == T_AND ? N_AND : N_OR;
        for (int k = 0; k < 2 && rc == 0; k++) {
            int i = k ? b : a;
            if (P->nodes[i].kind == N_NULL)
                rc = null_misplaced(P, i);
            else if (P->nodes[i].type != RULE_BOOL)
                rc = wrong_type(P, i,
                                op == T_AND ? "'&&' needs a condition (true or false) on both sides"
                                            : "'||' needs a condition (true or false) on both sides");
        }
        break;
    case T_PLUS:
    case T_MINUS:
    case T_STAR:
    case T_SLASH:
    case T_PERCENT: {
        static const char *const need[] = {"'+' needs numbers", "'-' needs numbers", "'*' needs numbers",
                                           "'/' needs numbers", "'%' needs numbers"};
        kind = N_ARITH;
        type = RULE_NUM;
        rop = op == T_PLUS ? R_ADD : op == T_MINUS ? R_SUB : op == T_STAR ? R_MUL : op == T_SLASH ? R_DIV : R_MOD;
        for (int k = 0; k < 2 && rc == 0; k++) {
            int i = k ? b : a;
            if (P->nodes[i].kind == N_NULL)
                rc = null_misplaced(P, i);
            else if (P->nodes[i].type != RULE_NUM)
                rc = wrong_type(P, i, need[rop]);
        }
        break;
    }
    case T_EQ:
    case T_NE:
    case T_LT:
    case T_LE:
    case T_GT:
    case T_GE:
        kind = N_CMP;
        rop = op == T_EQ ? R_EQ : op == T_NE ? R_NE : op == T_LT ? R_LT : op == T_LE ? R_LE : op == T_GT ? R_GT : R_GE;
        rc = check_compare(P, op, at, a, b);
        break;
    default:
        return rule_fail(P->err, at->line, at->col, "unexpected operator");
    }
    if (rc != 0)
        return rc;
    int i = inner(P, kind, at, a, b);
    if (i >= 0) {
        P->nodes[i].type = (uint8_t)type;
        P->nodes[i].op = (uint8_t)rop;
    }
    return i;
}

int rnode_call(struct rparse *P, enum node_kind kind, const struct tok *name, int path, int fold, int str,
               const struct tok *str_tok, uint32_t end)
{
    enum rule_type pt = P->paths[path].type;
    const char *fn = kind == N_HAS ? "has" : kind == N_CONTAINS ? "contains" : kind == N_LEN ? "len" : "lower";
    if ((kind != N_HAS || fold) && pt != RULE_STR && pt != RULE_LIST)
        return rule_fail(P->err, name->line, name->col, "%s needs a string or list path; %s is %s",
                         fold && kind != N_PATH ? "lower" : fn, P->paths[path].name, rtype_phrase(pt));
    if (kind == N_CONTAINS) {
        const struct sref *r = &P->strs[str];
        if (r->len == 0)
            return rule_fail(P->err, str_tok->line, str_tok->col, "the text to look for in contains is empty");
        for (uint32_t k = 0; fold && k < r->len; k++)
            if (P->chars[r->off + k] >= 'A' && P->chars[r->off + k] <= 'Z')
                return rule_fail(P->err, str_tok->line, str_tok->col,
                                 "lower(%s) is in lower case and never contains a text with capital letters",
                                 P->paths[path].name);
    }
    int i = rnode_new(P, kind, name);
    if (i < 0)
        return i;
    struct node *n = &P->nodes[i];
    n->path = (uint16_t)path;
    n->fold = (uint8_t)(fold != 0);
    n->k = kind == N_CONTAINS ? (uint32_t)str : 0;
    n->end = n->oend = end;
    n->type = (uint8_t)(kind == N_PATH ? pt : kind == N_LEN ? RULE_NUM : RULE_BOOL);
    return i;
}

int rnode_root(struct rparse *P)
{
    const struct node *n = &P->nodes[P->root];
    if (n->type != RULE_BOOL || n->kind == N_NULL)
        return rule_fail(P->err, n->line, n->col, "a rule must be a condition (true or false), but this is %s",
                         n->kind == N_NULL ? "null" : rtype_phrase((enum rule_type)n->type));
    return 0;
}

/* ---- paths and strings ---- */

int rpath_resolve(struct rparse *P, const struct tok *t, int *index)
{
    const char *s = P->src + t->start;
    size_t n = t->end - t->start;
    if (n > RULE_PATH_MAX)
        return rule_fail(P->err, t->line, t->col, "unknown path '%.40s…' (too long)", s);
    enum rule_type type = rule_path_type(s, n);
    if (type == RULE_NULL) {
        static const char *const words[][2] = {{"and", "&&"}, {"or", "||"}, {"not", "!"}};
        static const char *const roots[] = {"ai.", "application.", "position.", "candidate.", "org."};
        for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++)
            if (strlen(words[k][0]) == n && memcmp(s, words[k][0], n) == 0)
                return rule_fail(P->err, t->line, t->col, "unknown name '%s': write %s", words[k][0], words[k][1]);
        for (size_t k = 0; k < sizeof(roots) / sizeof(roots[0]); k++) {
            char guess[RULE_PATH_MAX + 16];
            snprintf(guess, sizeof(guess), "%s%.*s", roots[k], (int)n, s);
            if (rule_path_type(guess, strlen(guess)) != RULE_NULL)
                return rule_fail(P->err, t->line, t->col, "unknown path '%.*s' (did you mean %s?)", (int)n, s, guess);
        }
        static const char *const families[] = {"ai.dim.", "ai.percentile."};
        for (size_t k = 0; k < 2; k++) {
            size_t fl = strlen(families[k]);
            if (n >= fl && memcmp(s, families[k], fl) == 0)
                return rule_fail(P->err, t->line, t->col,
                                 "unknown path '%.*s': the key after %s is 1-%d characters of a-z, 0-9 and _, "
                                 "starting with a letter",
                                 (int)n, s, families[k], RULE_KEY_MAX);
        }
        return rule_fail(P->err, t->line, t->col, "unknown path '%.*s' (the paths are listed in docs/rules.md)", (int)n,
                         s);
    }
    for (int k = 0; k < P->npaths; k++) {
        if (strlen(P->paths[k].name) == n && memcmp(P->paths[k].name, s, n) == 0) {
            *index = k;
            return 0;
        }
    }
    if (P->npaths >= RULE_MAX_NODES) /* cannot happen: every path is read by a node */
        return rule_fail(P->err, t->line, t->col, "too many paths");
    struct rpath *p = &P->paths[P->npaths];
    memcpy(p->name, s, n);
    p->name[n] = '\0';
    p->type = type;
    p->slot = -1;
    *index = P->npaths++;
    return 0;
}

int rstr_add(struct rparse *P, const struct tok *t)
{
    if (P->nstrs >= RULE_MAX_NODES) /* cannot happen: every string is a node or a list item */
        return rule_fail(P->err, t->line, t->col, "too many strings");
    struct sref *r = &P->strs[P->nstrs];
    r->off = P->nchars;
    /* between the quotes; the lexer checked the escapes and the UTF-8 */
    for (uint32_t i = t->start + 1; i + 1 < t->end; i++) {
        char c = P->src[i];
        if (c == '\\')
            c = P->src[++i];
        P->chars[P->nchars++] = c;
    }
    r->len = P->nchars - r->off;
    P->chars[P->nchars] = '\0';
    return P->nstrs++;
}

/* rules_parse.c - the parser of the rule language (core/rules_int.h).
 *
 * Operator precedence with an explicit operator stack and operand stack (a
 * shunting yard), so no input can nest the parser's C stack. Function
 * arguments and the list after `in` hold only paths and literals, so they
 * are read on the spot. Every node is built (and type-checked) by
 * rules_check.c when its operator is reduced, which stores the tree in
 * postfix order. */
#include <stdio.h>
#include <string.h>

#include "core/rules_int.h"

enum { OE_PAREN, OE_NOT, OE_NEG, OE_BIN };

struct opent {
    int kind;         /* OE_* */
    enum tok_kind op; /* OE_BIN: the operator */
    struct tok tok;   /* where it was written */
};

/* Room on the operator stack: one binary operator per operand read, plus
 * the parentheses and prefixes of the nesting limit. */
#define OPS_MAX (RULE_MAX_NODES + RULE_MAX_DEPTH + 2)

static int advance(struct rparse *P)
{
    P->prev = P->tok;
    return rlex_next(&P->lx, &P->tok, P->err);
}

/* Two tokens on: a function's name and its '('. */
static int advance2(struct rparse *P)
{
    int rc = advance(P);
    return rc ? rc : advance(P);
}

/* The token after the current one (or T_EOF on a lexing error, which the
 * next advance reports). */
static enum tok_kind peek(const struct rparse *P)
{
    struct lexer lx = P->lx;
    struct tok t;
    if (rlex_next(&lx, &t, NULL) != 0)
        return T_EOF;
    return t.kind;
}

static int is_word(const struct rparse *P, const struct tok *t, const char *w)
{
    size_t n = strlen(w);
    return t->kind == T_IDENT && t->end - t->start == n && memcmp(P->src + t->start, w, n) == 0;
}

/* Binding power of a binary operator (0: not one); `in` is a comparison. */
static int prec_bin(const struct rparse *P, const struct tok *t)
{
    switch (t->kind) {
    case T_OR:
        return 1;
    case T_AND:
        return 2;
    case T_EQ:
    case T_NE:
    case T_LT:
    case T_LE:
    case T_GT:
    case T_GE:
        return 4;
    case T_PLUS:
    case T_MINUS:
        return 5;
    case T_STAR:
    case T_SLASH:
    case T_PERCENT:
        return 6;
    case T_IDENT:
        return is_word(P, t, "in") ? 4 : 0;
    default:
        return 0;
    }
}

static int prec_entry(const struct opent *e)
{
    switch (e->kind) {
    case OE_NOT:
        return 3;
    case OE_NEG:
        return 7;
    case OE_BIN:
        switch (e->op) {
        case T_OR:
            return 1;
        case T_AND:
            return 2;
        case T_PLUS:
        case T_MINUS:
            return 5;
        case T_STAR:
        case T_SLASH:
        case T_PERCENT:
            return 6;
        default:
            return 4;
        }
    default:
        return 0;
    }
}

/* "expected <what>" for a message that says where by itself */
static int expected_here(struct rparse *P, const char *what)
{
    return rule_fail(P->err, P->tok.line, P->tok.col, "expected %s", what);
}

/* "expected <what>, found <the current token>" */
static int expected_found(struct rparse *P, const char *what)
{
    char found[96];
    rlex_describe(P->src, &P->tok, found, sizeof(found));
    return rule_fail(P->err, P->tok.line, P->tok.col, "expected %s, found %s", what, found);
}

/* "expected <what> after <the previous token>, found <the current one>" */
static int expected(struct rparse *P, const char *what)
{
    char prev[96], found[96];
    rlex_describe(P->src, &P->tok, found, sizeof(found));
    if (P->prev.end == 0 && P->prev.kind == T_EOF)
        return rule_fail(P->err, P->tok.line, P->tok.col, "expected %s, found %s", what, found);
    rlex_describe(P->src, &P->prev, prev, sizeof(prev));
    return rule_fail(P->err, P->tok.line, P->tok.col, "expected %s after %s, found %s", what, prev, found);
}

/* ---- operands ---- */

/* A path token at P->tok; its index in P->paths in *path. */
static int read_path(struct rparse *P, const char *fn, int *path)
{
    if (P->tok.kind != T_IDENT || is_word(P, &P->tok, "true") || is_word(P, &P->tok, "false") ||
        is_word(P, &P->tok, "null") || is_word(P, &P->tok, "in")) {
        char what[64];
        snprintf(what, sizeof(what), "a path as the argument of %s", fn);
        return expected_found(P, what);
    }
    return rpath_resolve(P, &P->tok, path);
}

/* has(p), contains(p, "t"), len(p), lower(p), with lower(p) also as the
 * path of the first three. P->tok is the name, followed by '('. */
static int read_call(struct rparse *P, int *out)
{
    struct tok name = P->tok, str_tok = {0};
    enum node_kind kind;
    const char *fn;
    int path = -1, str = 0, fold = 0, rc;
    if (is_word(P, &name, "has"))
        kind = N_HAS, fn = "has";
    else if (is_word(P, &name, "contains"))
        kind = N_CONTAINS, fn = "contains";
    else if (is_word(P, &name, "len"))
        kind = N_LEN, fn = "len";
    else if (is_word(P, &name, "lower"))
        kind = N_PATH, fn = "lower";
    else if (memchr(P->src + name.start, '.', name.end - name.start))
        return rule_fail(P->err, name.line, name.col, "'%.*s' is a path, not a function", (int)(name.end - name.start),
                         P->src + name.start);
    else
        return rule_fail(P->err, name.line, name.col,
                         "unknown function '%.*s' (the functions are has, contains, len and lower)",
                         (int)(name.end - name.start), P->src + name.start);
    if ((rc = advance2(P))) /* the name, '(' */
        return rc;
    if (kind == N_PATH) {
        fold = 1;
        if ((rc = read_path(P, fn, &path)) || (rc = advance(P)))
            return rc;
    } else if (is_word(P, &P->tok, "lower") && peek(P) == T_LPAREN) {
        fold = 1;
        if ((rc = advance2(P)) || (rc = read_path(P, "lower", &path)) || (rc = advance(P)))
            return rc;
        if (P->tok.kind != T_RPAREN)
            return expected_here(P, "')' after the arguments of lower");
        if ((rc = advance(P)))
            return rc;
    } else {
        if ((rc = read_path(P, fn, &path)) || (rc = advance(P)))
            return rc;
    }
    if (kind == N_CONTAINS) {
        if (P->tok.kind != T_COMMA)
            return expected_here(P, "',' and the text to look for after the path in contains");
        if ((rc = advance(P)))
            return rc;
        if (P->tok.kind != T_STR)
            return expected_found(P, "a string (the text to look for) as the second argument of contains");
        str_tok = P->tok;
        if ((str = rstr_add(P, &str_tok)) < 0 || (rc = advance(P)))
            return str < 0 ? str : rc;
    }
    if (P->tok.kind != T_RPAREN) {
        char what[64];
        snprintf(what, sizeof(what), "')' after the arguments of %s", fn);
        return expected_here(P, what);
    }
    int i = rnode_call(P, kind, &name, path, fold, str, &str_tok, P->tok.end);
    if (i < 0)
        return i;
    *out = i;
    return 0;
}

/* One operand at P->tok, leaving P->tok after it. */
static int read_operand(struct rparse *P, int *out)
{
    struct tok t = P->tok;
    int i = -1, rc;
    switch (t.kind) {
    case T_NUM:
        if ((i = rnode_new(P, N_NUM, &t)) < 0)
            return i;
        P->nums[P->nnums] = t.num;
        P->nodes[i].k = (uint32_t)P->nnums++;
        P->nodes[i].type = RULE_NUM;
        break;
    case T_STR: {
        int s = rstr_add(P, &t);
        if (s < 0)
            return s;
        if ((i = rnode_new(P, N_STR, &t)) < 0)
            return i;
        P->nodes[i].k = (uint32_t)s;
        P->nodes[i].type = RULE_STR;
        break;
    }
    case T_IDENT:
        if (is_word(P, &t, "true") || is_word(P, &t, "false")) {
            if ((i = rnode_new(P, N_BOOL, &t)) < 0)
                return i;
            P->nodes[i].k = is_word(P, &t, "true");
            P->nodes[i].type = RULE_BOOL;
        } else if (is_word(P, &t, "null")) {
            if ((i = rnode_new(P, N_NULL, &t)) < 0)
                return i;
            P->nodes[i].type = RULE_NULL;
        } else if (is_word(P, &t, "in")) {
            return expected(P, "a value");
        } else if (peek(P) == T_LPAREN) {
            if ((rc = read_call(P, &i)))
                return rc;
        } else {
            int path;
            if ((rc = rpath_resolve(P, &t, &path)))
                return rc;
            if ((i = rnode_new(P, N_PATH, &t)) < 0)
                return i;
            P->nodes[i].path = (uint16_t)path;
            P->nodes[i].type = (uint8_t)P->paths[path].type;
        }
        break;
    case T_LBRACK:
        return rule_fail(P->err, t.line, t.col, "a list [...] can only follow 'in'");
    default:
        return expected(P, "a value");
    }
    *out = i;
    return advance(P);
}

/* The list after `in` (P->tok is '['), of the type of node left; the IN
 * node in *out, P->tok after ']'. */
static int read_list(struct rparse *P, const struct tok *in, int left, int *out)
{
    const struct node *l = &P->nodes[left];
    char text[160];
    int rc, count = 0, first = -1;
    if (l->kind == N_NULL)
        return rule_fail(P->err, l->line, l->col, "null can only be compared with == or != (x == null)");
    if ((l->kind == N_CMP || l->kind == N_IN) && !l->paren)
        return rule_fail(P->err, in->line, in->col, "comparisons cannot be chained: write a < b && b < c");
    if (l->type != RULE_NUM && l->type != RULE_STR) {
        rnode_text(P, left, text, sizeof(text));
        if (l->type == RULE_LIST)
            return rule_fail(P->err, in->line, in->col,
                             "'in' needs a number or a string on its left; %s is a list: "
                             "use contains(%s, \"...\")",
                             text, text);
        return rule_fail(P->err, in->line, in->col, "'in' needs a number or a string on its left; %s is %s", text,
                         rtype_phrase((enum rule_type)l->type));
    }
    enum rule_type want = (enum rule_type)l->type;
    int fold = l->kind == N_PATH && l->fold;
    if (P->tok.kind != T_LBRACK)
        return expected(P, "a list [...]");
    if ((rc = advance(P)))
        return rc;
    if (P->tok.kind == T_RBRACK)
        return rule_fail(P->err, P->tok.line, P->tok.col, "the list after 'in' is empty");
    for (;;) {
        struct tok t = P->tok;
        int neg = 0;
        if (t.kind == T_MINUS && want == RULE_NUM) {
            neg = 1;
            if ((rc = advance(P)))
                return rc;
        }
        if (P->tok.kind != T_NUM && P->tok.kind != T_STR)
            return expected_found(P, neg ? "a number" : "a number or a string (a list holds only literals)");
        if ((P->tok.kind == T_NUM) != (want == RULE_NUM)) {
            char found[96];
            rnode_text(P, left, text, sizeof(text));
            rlex_describe(P->src, &P->tok, found, sizeof(found));
            return rule_fail(P->err, P->tok.line, P->tok.col, "the list must hold %s like %s; found %s",
                             want == RULE_NUM ? "numbers" : "strings", text, found);
        }
        if (P->nnodes + P->nitems + 1 >= RULE_MAX_NODES) /* room for the item and the `in` */
            return rule_fail(P->err, t.line, t.col,
                             "the rule is too long: at most %d values, paths, operators and list items",
                             RULE_MAX_NODES);
        P->nitems++;
        int k;
        if (want == RULE_NUM) {
            k = P->nnums++;
            P->nums[k] = neg ? -P->tok.num : P->tok.num;
        } else {
            if ((k = rstr_add(P, &P->tok)) < 0)
                return k;
            const struct sref *r = &P->strs[k];
            for (uint32_t c = 0; fold && c < r->len; c++)
                if (P->chars[r->off + c] >= 'A' && P->chars[r->off + c] <= 'Z') {
                    rnode_text(P, left, text, sizeof(text));
                    return rule_fail(P->err, P->tok.line, P->tok.col,
                                     "%s is in lower case and never equals a text with capital letters", text);
                }
        }
        if (first < 0)
            first = k;
        count++;
        if ((rc = advance(P)))
            return rc;
        if (P->tok.kind == T_RBRACK)
            break;
        if (P->tok.kind != T_COMMA)
            return expected_found(P, "',' or ']' in the list");
        if ((rc = advance(P)))
            return rc;
    }
    int i = rnode_new(P, N_IN, in);
    if (i < 0)
        return i;
    struct node *n = &P->nodes[i];
    n->a = (int16_t)left;
    n->k = (uint32_t)first;
    n->n = (uint32_t)count;
    n->type = RULE_BOOL;
    n->start = n->ostart = P->nodes[left].ostart;
    n->line = P->nodes[left].line;
    n->col = P->nodes[left].col;
    n->end = n->oend = P->tok.end;
    *out = i;
    return advance(P);
}

/* ---- the operator stack ---- */

struct stacks {
    struct opent ops[OPS_MAX];
    int nops;
    int vals[RULE_MAX_NODES + 1];
    int nvals;
    int depth; /* parentheses and prefixes on ops */
};

/* Applies the operator on top of the stack to its operands. */
static int reduce(struct rparse *P, struct stacks *S)
{
    const struct opent *e = &S->ops[--S->nops];
    int i;
    if (e->kind == OE_NOT || e->kind == OE_NEG) {
        S->depth--;
        i = rnode_prefix(P, e->kind == OE_NOT ? T_NOT : T_MINUS, &e->tok, S->vals[S->nvals - 1]);
        if (i < 0)
            return i;
        S->vals[S->nvals - 1] = i;
        return 0;
    }
    i = rnode_binary(P, e->op, &e->tok, S->vals[S->nvals - 2], S->vals[S->nvals - 1]);
    if (i < 0)
        return i;
    S->nvals--;
    S->vals[S->nvals - 1] = i;
    return 0;
}

/* After an operand: operators, ')' and `in [...]` until the next operand
 * (*more 1) or the end (*more 0). */
static int after_operand(struct rparse *P, struct stacks *S, int *more)
{
    int rc;
    for (;;) {
        if (P->tok.kind == T_RPAREN) {
            while (S->nops > 0 && S->ops[S->nops - 1].kind != OE_PAREN)
                if ((rc = reduce(P, S)))
                    return rc;
            if (S->nops == 0)
                return rule_fail(P->err, P->tok.line, P->tok.col, "unexpected ')': there is no '(' to close");
            const struct tok *open = &S->ops[--S->nops].tok;
            S->depth--;
            struct node *n = &P->nodes[S->vals[S->nvals - 1]];
            n->paren = 1;
            n->ostart = open->start;
            n->oend = P->tok.end;
            n->line = open->line;
            n->col = open->col;
            if ((rc = advance(P)))
                return rc;
            continue;
        }
        int p = prec_bin(P, &P->tok);
        if (p > 0) {
            while (S->nops > 0 && S->ops[S->nops - 1].kind != OE_PAREN && prec_entry(&S->ops[S->nops - 1]) >= p)
                if ((rc = reduce(P, S)))
                    return rc;
            struct tok op = P->tok;
            if ((rc = advance(P)))
                return rc;
            if (op.kind == T_IDENT) { /* in */
                if ((rc = read_list(P, &op, S->vals[S->nvals - 1], &S->vals[S->nvals - 1])))
                    return rc;
                continue;
            }
            struct opent *e = &S->ops[S->nops++];
            e->kind = OE_BIN;
            e->op = op.kind;
            e->tok = op;
            *more = 1;
            return 0;
        }
        if (P->tok.kind == T_EOF) {
            while (S->nops > 0) {
                const struct opent *e = &S->ops[S->nops - 1];
                if (e->kind == OE_PAREN)
                    return rule_fail(P->err, P->tok.line, P->tok.col, "expected ')' to close the '(' at %d:%d",
                                     e->tok.line, e->tok.col);
                if ((rc = reduce(P, S)))
                    return rc;
            }
            *more = 0;
            return 0;
        }
        static const char *const words[][2] = {{"and", "&&"}, {"or", "||"}, {"not", "!"}};
        for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++)
            if (is_word(P, &P->tok, words[k][0]))
                return rule_fail(P->err, P->tok.line, P->tok.col, "unknown operator '%s': write %s", words[k][0],
                                 words[k][1]);
        int open = 0;
        for (int k = 0; k < S->nops; k++)
            open |= S->ops[k].kind == OE_PAREN;
        return expected(P, open ? "an operator or ')'" : "an operator or the end of the rule");
    }
}

int rparse_run(struct rparse *P)
{
    struct stacks stacks, *S = &stacks;
    int rc, more = 1;
    S->nops = S->nvals = S->depth = 0;
    rlex_init(&P->lx, P->src, P->len);
    memset(&P->prev, 0, sizeof(P->prev));
    if ((rc = rlex_next(&P->lx, &P->tok, P->err)))
        return rc;
    if (P->tok.kind == T_EOF)
        return rule_fail(P->err, P->tok.line, P->tok.col, "the rule is empty");
    while (more) {
        while (P->tok.kind == T_LPAREN || P->tok.kind == T_NOT || P->tok.kind == T_MINUS) {
            if (S->depth >= RULE_MAX_DEPTH)
                return rule_fail(
                    P->err, P->tok.line, P->tok.col,
                    "nested too deeply: at most %d parentheses and prefix operators (! -) inside one another",
                    RULE_MAX_DEPTH);
            struct opent *e = &S->ops[S->nops++];
            e->kind = P->tok.kind == T_LPAREN ? OE_PAREN : P->tok.kind == T_NOT ? OE_NOT : OE_NEG;
            e->op = P->tok.kind;
            e->tok = P->tok;
            S->depth++;
            if ((rc = advance(P)))
                return rc;
        }
        int v = -1;
        if ((rc = read_operand(P, &v)))
            return rc;
        S->vals[S->nvals++] = v;
        if ((rc = after_operand(P, S, &more)))
            return rc;
    }
    P->root = S->vals[0];
    return rnode_root(P);
}

/* rules_code.c - the code generator of the rule language (core/rules_int.h).
 *
 * The condition's structure (&&, || and ! from the root down) becomes
 * control flow: each leaf under it (a comparison, in, has(), contains(), a
 * true/false path or literal) is one test that either goes on to the next
 * leaf or jumps, and the last one returns. With T and F the places to go
 * when a node is true and when false (the root: return true, return false):
 *   a && b   a: T = the first leaf of b, F = F;   b: T, F
 *   a || b   a: T = T, F = the first leaf of b;   b: T, F
 *   !a       a: T = F, F = T
 * One of a leaf's two places is always the next leaf, so a leaf is one
 * instruction (branch to the other place when the condition says so).
 *
 * The values the leaves compare are computed on the stack. The tree is in
 * postfix order, so that is its nodes in order, with two additions: a
 * condition used as a value (x == (a && b)) jumps over the right operand of
 * its && and || (I_JF, I_JT, in front of the right operand's first node),
 * and a path compared with a literal becomes one fused instruction. */
#include <string.h>

#include "core/rules_int.h"

int rnode_first(const struct rparse *P, int i)
{
    while (P->nodes[i].a >= 0)
        i = P->nodes[i].a;
    return i;
}

#define RET_FALSE (-1)
#define RET_TRUE (-2)

struct gen {
    const struct rparse *P;
    struct insn *code;
    uint32_t n, cap;
    /* per node (indexed by node) */
    unsigned char br[RULE_MAX_NODES];         /* part of the condition's structure or a leaf of it */
    int t[RULE_MAX_NODES], f[RULE_MAX_NODES]; /* a leaf to go to, or RET_* */
    uint32_t start[RULE_MAX_NODES];           /* where the code of node i's first node begins */
    int16_t jump_before[RULE_MAX_NODES];      /* the value-mode && or || whose right operand starts at node i */
    uint32_t jump_at[RULE_MAX_NODES];         /* the jump of value-mode && or || node i */
};

static struct insn *emit(struct gen *g, enum insn_op op)
{
    struct insn *in = &g->code[g->n++];
    memset(in, 0, sizeof(*in));
    in->op = (uint8_t)op;
    return in;
}

static int structural(const struct gen *g, int i)
{
    unsigned k = g->P->nodes[i].kind;
    return g->br[i] && (k == N_AND || k == N_OR || k == N_NOT);
}

/* The first leaf of the condition rooted at i. */
static int first_leaf(const struct gen *g, int i)
{
    while (structural(g, i))
        i = g->P->nodes[i].a;
    return i;
}

static uint16_t slot_of(const struct gen *g, const struct node *n)
{
    return (uint16_t)g->P->paths[n->path].slot;
}

/* x < y with the sides swapped: y > x. */
static enum rule_op mirror(enum rule_op op)
{
    switch (op) {
    case R_LT:
        return R_GT;
    case R_LE:
        return R_GE;
    case R_GT:
        return R_LT;
    case R_GE:
        return R_LE;
    default:
        return op;
    }
}

static int is_literal(const struct node *n)
{
    return n->kind == N_NUM || n->kind == N_STR;
}

/* The comparison node n (its operands already emitted). */
static void emit_cmp(struct gen *g, const struct node *n)
{
    const struct rparse *P = g->P;
    const struct node *a = &P->nodes[n->a], *b = &P->nodes[n->b];
    struct insn *last = &g->code[g->n - 1];
    if (a->kind == N_NULL || b->kind == N_NULL) {
        const struct node *x = a->kind == N_NULL ? b : a;
        if (x->kind == N_PATH && last->op == I_LOAD) /* path == null: the load becomes the test */
            last->op = I_ISNULL_S;
        else
            last = emit(g, I_ISNULL);
        last->flags = n->op;
        return;
    }
    /* path op literal, or literal op path: the last two instructions are the load and the push */
    const struct node *path = a->kind == N_PATH ? a : b, *lit = a->kind == N_PATH ? b : a;
    if (path->kind == N_PATH && is_literal(lit) && g->n >= 2 && g->code[g->n - 2].op <= I_LOAD &&
        g->code[g->n - 1].op <= I_LOAD) {
        enum rule_op op = path == a ? (enum rule_op)n->op : mirror((enum rule_op)n->op);
        g->n -= 2;
        struct insn *in = emit(g, lit->kind == N_NUM ? I_CMP_SN : I_CMP_SS);
        in->slot = slot_of(g, path);
        in->type = path->type;
        in->flags = (uint8_t)op | (path->fold ? F_FOLD : 0);
        if (lit->kind == N_NUM)
            in->u.num = P->nums[lit->k];
        else
            in->u.idx = lit->k;
        return;
    }
    /* a value compared with a number literal: the last instruction pushes the literal */
    if (b->kind == N_NUM && last->op == I_NUM) {
        last->op = I_CMP_K; /* u.num stays */
        last->flags = n->op;
        return;
    }
    emit(g, I_CMP)->flags = n->op;
}

/* The code of node i in value mode (a leaf's test too, marked F_BR after). */
static void emit_node(struct gen *g, int i)
{
    const struct rparse *P = g->P;
    const struct node *n = &P->nodes[i];
    struct insn *in;
    switch ((enum node_kind)n->kind) {
    case N_NUM:
        emit(g, I_NUM)->u.num = P->nums[n->k];
        break;
    case N_STR:
        emit(g, I_STR)->u.idx = n->k;
        break;
    case N_BOOL:
        emit(g, I_BOOL)->n = n->k;
        break;
    case N_NULL:
        break; /* the comparison with it tests the other side */
    case N_PATH:
    case N_HAS:
    case N_CONTAINS:
    case N_LEN:
        in = emit(g, n->kind == N_PATH ? I_LOAD : n->kind == N_HAS ? I_HAS : n->kind == N_LEN ? I_LEN : I_CONTAINS);
        in->slot = slot_of(g, n);
        in->type = (uint8_t)P->paths[n->path].type;
        in->flags = n->fold ? F_FOLD : 0;
        in->u.idx = n->kind == N_CONTAINS ? n->k : 0;
        break;
    case N_NEG:
        emit(g, I_NEG);
        break;
    case N_NOT:
        emit(g, I_NOT);
        break;
    case N_ARITH:
        if (P->nodes[n->b].kind == N_NUM && g->code[g->n - 1].op == I_NUM) { /* a op literal */
            g->code[g->n - 1].op = I_ARITH_K;                                /* u.num stays */
            g->code[g->n - 1].flags = n->op;
        } else {
            emit(g, I_ARITH)->flags = n->op;
        }
        break;
    case N_CMP:
        emit_cmp(g, n);
        break;
    case N_IN: {
        const struct node *a = &P->nodes[n->a];
        uint8_t flags = a->type == RULE_STR ? F_STRS : 0;
        if (a->kind == N_PATH && g->code[g->n - 1].op == I_LOAD) {
            in = &g->code[g->n - 1];
            in->op = I_IN_S;
            flags |= a->fold ? F_FOLD : 0;
        } else {
            in = emit(g, I_IN);
        }
        in->flags = flags;
        in->n = n->n;
        in->u.idx = n->k;
        break;
    }
    case N_AND:
    case N_OR:
        break; /* the caller patches its jump */
    }
}

struct patch {
    uint32_t at; /* an instruction whose target is the start of leaf */
    int leaf;
};

int rcode_gen(const struct rparse *P, int root, struct insn *code, uint32_t *n, uint32_t cap)
{
    static const int ret_target[] = {0, (int)T_RET_FALSE, (int)T_RET_TRUE};
    struct gen gen, *g = &gen;
    struct patch patches[2 * RULE_MAX_NODES];
    int npatches = 0, first = rnode_first(P, root), last_leaf = -1;
    g->P = P;
    g->code = code;
    g->n = *n;
    g->cap = cap;

    /* the condition's structure, and where each part goes (parents first) */
    for (int i = first; i <= root; i++) {
        g->br[i] = 0;
        g->jump_before[i] = -1;
    }
    g->br[root] = 1;
    g->t[root] = RET_TRUE;
    g->f[root] = RET_FALSE;
    for (int i = root; i >= first; i--) {
        if (!structural(g, i))
            continue;
        const struct node *x = &P->nodes[i];
        g->br[x->a] = 1;
        if (x->kind == N_NOT) {
            g->t[x->a] = g->f[i];
            g->f[x->a] = g->t[i];
            continue;
        }
        g->br[x->b] = 1;
        int b_first = first_leaf(g, x->b);
        g->t[x->a] = x->kind == N_AND ? b_first : g->t[i];
        g->f[x->a] = x->kind == N_AND ? g->f[i] : b_first;
        g->t[x->b] = g->t[i];
        g->f[x->b] = g->f[i];
    }
    for (int i = first; i <= root; i++) {
        const struct node *x = &P->nodes[i];
        if (!g->br[i] && (x->kind == N_AND || x->kind == N_OR))
            g->jump_before[rnode_first(P, x->b)] = (int16_t)i;
        if (g->br[i] && !structural(g, i))
            last_leaf = i;
    }

    int next_leaf = -1;
    for (int i = first; i <= root; i++) {
        const struct node *x = &P->nodes[i];
        if (g->cap - g->n < 4) /* at most a jump, an instruction, a second jump and the end */
            return ERR_INVALID;
        g->start[i] = g->n;
        if (g->jump_before[i] >= 0) {
            int j = g->jump_before[i];
            g->jump_at[j] = g->n;
            emit(g, P->nodes[j].kind == N_AND ? I_JF : I_JT);
        }
        if (structural(g, i))
            continue;
        emit_node(g, i);
        if (!g->br[i]) {
            if (x->kind == N_AND || x->kind == N_OR)
                g->code[g->jump_at[i]].n = g->n;
            continue;
        }
        /* a leaf: its last instruction tests instead of pushing */
        struct insn *test = &g->code[g->n - 1];
        int t = g->t[i], f = g->f[i];
        next_leaf = -1;
        for (int k = i + 1; k <= root && next_leaf < 0; k++)
            if (g->br[k] && !structural(g, k))
                next_leaf = k;
        test->flags |= F_BR;
        if (i == last_leaf && t < 0 && f < 0) {
            test->target = t == RET_TRUE ? T_RET_VAL : T_RET_NOT;
            continue;
        }
        int to = t, other = f, sense = 1; /* where to branch, and where the rest goes */
        if (t == next_leaf) {
            to = f;
            other = t;
            sense = 0;
        }
        test->flags |= sense ? F_SENSE : 0;
        if (to < 0) {
            test->target = (uint32_t)ret_target[-to];
        } else {
            patches[npatches].at = g->n - 1;
            patches[npatches++].leaf = to;
        }
        if (other != next_leaf) { /* never with the rules above; kept for safety */
            struct insn *j = emit(g, I_JMP);
            if (other < 0) {
                j->target = (uint32_t)ret_target[-other];
            } else {
                patches[npatches].at = g->n - 1;
                patches[npatches++].leaf = other;
            }
        }
    }
    emit(g, I_END);
    for (int k = 0; k < npatches; k++)
        g->code[patches[k].at].target = g->start[rnode_first(P, patches[k].leaf)];
    *n = g->n;
    return 0;
}

/* rules_vm.c - evaluating compiled rules (rule_eval) and explaining an
 * evaluation (rule_explain); core/rules.h has the semantics.
 *
 * A stack machine over the facts: values on the stack are null, numbers,
 * strings (pointing into the facts or the program, never copied) and
 * conditions. The stack lives in the C frame (a program needs at most one
 * entry per node), so evaluating allocates nothing. */
#include <math.h>
#include <string.h>

#include "core/rules_int.h"
#include "lib/utf8.h"

enum { V_NULL, V_NUM, V_STR, V_BOOL, V_LIST };

struct val {
    double num; /* V_NUM; V_BOOL 0/1 */
    const char *s;
    size_t len;
    unsigned char t, fold;
};

static int lower_c(int c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* a (folded to lower case when af) equals b (when bf). */
static int str_eq(const char *a, size_t an, int af, const char *b, size_t bn, int bf)
{
    if (an != bn)
        return 0;
    if (an == 0)
        return 1;
    if (!af && !bf) /* the first byte settles most mismatches without a call */
        return a[0] == b[0] && memcmp(a, b, an) == 0;
    for (size_t i = 0; i < an; i++) {
        int x = (unsigned char)a[i], y = (unsigned char)b[i];
        if ((af ? lower_c(x) : x) != (bf ? lower_c(y) : y))
            return 0;
    }
    return 1;
}

/* needle (nn > 0 bytes, as written) occurs in hay (folded when fold). */
static int str_find(const char *hay, size_t hn, int fold, const char *needle, size_t nn)
{
    if (nn > hn)
        return 0;
    if (!fold)
        return memmem(hay, hn, needle, nn) != NULL;
    for (size_t i = 0; i + nn <= hn; i++)
        if (str_eq(hay + i, nn, 1, needle, nn, 0))
            return 1;
    return 0;
}

/* Bytes of the blank (Unicode space) character at p (n bytes left), 0
 * when it is none: ASCII whitespace, U+00A0, U+2000..U+200A, U+2028, U+2029,
 * U+202F, U+205F, U+3000. */
static size_t blank_len(const unsigned char *p, size_t n)
{
    if (p[0] == ' ' || (p[0] >= '\t' && p[0] <= '\r'))
        return 1;
    if (n >= 2 && p[0] == 0xC2 && p[1] == 0xA0)
        return 2;
    if (n < 3)
        return 0;
    unsigned cp = ((unsigned)(p[0] & 0x0F) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
    if ((p[0] & 0xF0) != 0xE0)
        return 0;
    return (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
                   cp == 0x3000
               ? 3
               : 0;
}

/* Only blank characters (or nothing). */
static int is_blank(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0, k; i < n; i += k)
        if ((k = blank_len(p + i, n - i)) == 0)
            return 0;
    return 1;
}

/* The fact v read as a path of type type (a fact of another type is null). */
static void load(struct val *o, const struct rule_value *v, unsigned type, int fold)
{
    o->t = V_NULL;
    o->fold = (unsigned char)fold;
    if ((unsigned)v->type != type)
        return;
    switch (type) {
    case RULE_NUM:
        if (isfinite(v->num)) {
            o->t = V_NUM;
            o->num = v->num;
        }
        break;
    case RULE_BOOL:
        o->t = V_BOOL;
        o->num = v->num != 0;
        break;
    case RULE_STR:
        if (v->str) {
            o->t = V_STR;
            o->s = v->str;
            o->len = v->len;
        }
        break;
    case RULE_LIST:
        if (v->items || v->nitems == 0)
            o->t = V_LIST;
        break;
    default:
        break;
    }
}

static int is_list(const struct rule_value *v)
{
    return v->type == RULE_LIST && (v->items || v->nitems == 0);
}

static size_t item_len(const struct rule_value *v, size_t i)
{
    if (!v->items[i])
        return 0;
    return v->item_lens ? v->item_lens[i] : strlen(v->items[i]);
}

static int has(const struct rule_value *v, unsigned type)
{
    if ((unsigned)v->type != type)
        return 0;
    switch (type) {
    case RULE_NUM:
        return isfinite(v->num);
    case RULE_STR:
        return v->str && !is_blank(v->str, v->len);
    case RULE_BOOL:
        return 1;
    case RULE_LIST:
        return is_list(v) && v->nitems > 0;
    default:
        return 0;
    }
}

static int contains(const struct rule_value *v, unsigned type, int fold, const struct pstr *t)
{
    if ((unsigned)v->type != type)
        return 0;
    if (type == RULE_STR)
        return v->str && str_find(v->str, v->len, fold, t->s, t->len);
    if (!is_list(v))
        return 0;
    for (size_t i = 0; i < v->nitems; i++)
        if (v->items[i] && str_eq(v->items[i], item_len(v, i), fold, t->s, t->len, 0))
            return 1;
    return 0;
}

/* len() into o: characters of a string, items of a list, else null. */
static void len_of(struct val *o, const struct rule_value *v, unsigned type)
{
    o->t = V_NULL;
    if ((unsigned)v->type != type)
        return;
    if (type == RULE_STR && v->str) {
        size_t n = 0;
        for (size_t i = 0; i < v->len; i++)
            n += ((unsigned char)v->str[i] & 0xC0) != 0x80;
        o->t = V_NUM;
        o->num = (double)n;
    } else if (type == RULE_LIST && is_list(v)) {
        o->t = V_NUM;
        o->num = (double)v->nitems;
    }
}

/* a op b for finite numbers, without a branch: bit 0 of cmp_mask[op] is
 * the answer when a < b, bit 1 when a == b, bit 2 when a > b. */
static const unsigned char cmp_mask[] = {[R_EQ] = 2, [R_NE] = 5, [R_LT] = 1, [R_LE] = 3, [R_GT] = 4, [R_GE] = 6};

static int cmp_num(unsigned op, double a, double b)
{
    return (cmp_mask[op & F_OP] >> ((a > b) * 2 + (a == b))) & 1;
}

/* a op b for two values of one type; false when either is null. */
static int cmp_val(unsigned op, const struct val *a, const struct val *b)
{
    if (a->t == V_NULL || b->t == V_NULL || a->t != b->t)
        return 0;
    if (a->t == V_STR) {
        int eq = str_eq(a->s, a->len, a->fold, b->s, b->len, b->fold);
        return op == R_EQ ? eq : op == R_NE ? !eq : 0;
    }
    return cmp_num(op, a->num, b->num);
}

/* a op y into a (null when a is null or the result is not finite). */
static void arith(unsigned op, struct val *a, double y)
{
    if (a->t != V_NUM)
        return;
    double x = a->num, r;
    switch (op) {
    case R_ADD:
        r = x + y;
        break;
    case R_SUB:
        r = x - y;
        break;
    case R_MUL:
        r = x * y;
        break;
    case R_DIV:
        r = y == 0 ? NAN : x / y;
        break;
    default:
        r = y == 0 ? NAN : fmod(x, y);
        break;
    }
    if (isfinite(r))
        a->num = r;
    else
        a->t = V_NULL;
}

static int in_list(const struct rule_prog *p, const struct insn *in, const struct val *a)
{
    if (a->t == V_NUM && !(in->flags & F_STRS)) {
        for (uint32_t i = 0; i < in->n; i++)
            if (p->nums[in->u.idx + i] == a->num)
                return 1;
    } else if (a->t == V_STR && (in->flags & F_STRS)) {
        for (uint32_t i = 0; i < in->n; i++) {
            const struct pstr *s = &p->strs[in->u.idx + i];
            if (str_eq(a->s, a->len, a->fold, s->s, s->len, 0))
                return 1;
        }
    }
    return 0;
}

static int truthy(const struct val *v)
{
    return v->t == V_BOOL && v->num != 0;
}

static void set_bool(struct val *v, int b)
{
    v->t = V_BOOL;
    v->num = b != 0;
}

/* The compiler never pops what it did not push; the check keeps a damaged
 * program from reading outside the stack (a well-predicted branch). */
#define NEED(k)                                                                                                        \
    do {                                                                                                               \
        if (sp - st < (k))                                                                                             \
            return 0;                                                                                                  \
    } while (0)

/* Runs the code from pc until it returns the condition. */
static int run(const struct rule_prog *p, uint32_t pc, const struct rule_value *slots)
{
    struct val st[RULE_MAX_NODES + 2];
    struct val *sp = st; /* the next free entry */
    for (;;) {
        const struct insn *in = &p->code[pc++];
        int r; /* the condition of a test */
        switch ((enum insn_op)in->op) {
        case I_END:
            NEED(1);
            return truthy(sp - 1);
        case I_NUM:
            sp->t = V_NUM;
            sp->num = in->u.num;
            sp++;
            continue;
        case I_STR:
            sp->t = V_STR;
            sp->fold = 0;
            sp->s = p->strs[in->u.idx].s;
            sp->len = p->strs[in->u.idx].len;
            sp++;
            continue;
        case I_BOOL:
            r = (int)in->n;
            break;
        case I_LOAD:
            if (in->flags & F_BR) { /* a true/false path as the condition */
                const struct rule_value *v = &slots[in->slot];
                r = v->type == RULE_BOOL && v->num != 0;
                break;
            }
            load(sp++, &slots[in->slot], in->type, in->flags & F_FOLD);
            continue;
        case I_ISNULL:
            NEED(1);
            sp--;
            r = (sp->t == V_NULL) != ((in->flags & F_OP) == R_NE);
            break;
        case I_ISNULL_S: {
            struct val v;
            load(&v, &slots[in->slot], in->type, 0);
            r = (v.t == V_NULL) != ((in->flags & F_OP) == R_NE);
            break;
        }
        case I_HAS:
            r = has(&slots[in->slot], in->type);
            break;
        case I_CONTAINS:
            r = contains(&slots[in->slot], in->type, in->flags & F_FOLD, &p->strs[in->u.idx]);
            break;
        case I_LEN:
            len_of(sp++, &slots[in->slot], in->type);
            continue;
        case I_NEG:
            NEED(1);
            if (sp[-1].t == V_NUM)
                sp[-1].num = -sp[-1].num;
            continue;
        case I_NOT:
            NEED(1);
            set_bool(sp - 1, !truthy(sp - 1));
            continue;
        case I_ARITH:
            NEED(2);
            sp--;
            if (sp->t == V_NUM)
                arith(in->flags & F_OP, sp - 1, sp->num);
            else
                sp[-1].t = V_NULL;
            continue;
        case I_ARITH_K:
            NEED(1);
            arith(in->flags & F_OP, sp - 1, in->u.num);
            continue;
        case I_CMP_K:
            NEED(1);
            sp--;
            r = sp->t == V_NUM && cmp_num(in->flags, sp->num, in->u.num);
            break;
        case I_CMP:
            NEED(2);
            sp -= 2;
            r = cmp_val(in->flags & F_OP, sp, sp + 1);
            break;
        case I_IN:
            NEED(1);
            sp--;
            r = in_list(p, in, sp);
            break;
        case I_JF:
            NEED(1);
            if (!truthy(sp - 1))
                pc = in->n;
            else
                sp--;
            continue;
        case I_JT:
            NEED(1);
            if (truthy(sp - 1))
                pc = in->n;
            else
                sp--;
            continue;
        case I_JMP:
            if (in->target >= T_RET_TRUE)
                return in->target == T_RET_TRUE;
            pc = in->target;
            continue;
        case I_CMP_SN: {
            const struct rule_value *v = &slots[in->slot];
            r = v->type == RULE_NUM && isfinite(v->num) && cmp_num(in->flags & F_OP, v->num, in->u.num);
            break;
        }
        case I_CMP_SS: {
            const struct rule_value *v = &slots[in->slot];
            const struct pstr *s = &p->strs[in->u.idx];
            r = 0;
            if (v->type == RULE_STR && v->str) {
                int eq = str_eq(v->str, v->len, in->flags & F_FOLD, s->s, s->len, 0);
                r = (in->flags & F_OP) == R_EQ ? eq : !eq;
            }
            break;
        }
        case I_IN_S: {
            struct val v;
            load(&v, &slots[in->slot], in->flags & F_STRS ? RULE_STR : RULE_NUM, in->flags & F_FOLD);
            r = in_list(p, in, &v);
            break;
        }
        default:
            return 0;
        }
        /* a condition: pushed as a value, or tested */
        if (!(in->flags & F_BR)) {
            set_bool(sp++, r);
            continue;
        }
        uint32_t t = in->target;
        if (t == T_RET_VAL)
            return r;
        if (t == T_RET_NOT)
            return !r;
        if (r != ((in->flags & F_SENSE) != 0))
            continue;
        if (t >= T_RET_TRUE)
            return t == T_RET_TRUE;
        pc = t;
    }
}

#undef NEED

int rule_eval(const struct rule_prog *p, const struct rule_value *slots)
{
    if (!p || !slots)
        return 0;
    return run(p, 0, slots);
}

/* ---- explain ---- */

/* The fact v of a path of type type as JSON (a fact of another type is null). */
static json_t *fact_json(const struct rule_value *v, enum rule_type type)
{
    json_t *j = NULL;
    if (v->type != type)
        return json_null();
    switch (type) {
    case RULE_NUM:
        if (!isfinite(v->num))
            j = json_null();
        else if (v->num == floor(v->num) && fabs(v->num) <= 9007199254740991.0)
            j = json_integer((json_int_t)v->num);
        else
            j = json_real(v->num);
        break;
    case RULE_BOOL:
        j = json_boolean(v->num != 0);
        break;
    case RULE_STR:
        j = v->str ? json_stringn(v->str, v->len) : NULL; /* NULL too when not UTF-8 */
        break;
    case RULE_LIST:
        if (!is_list(v))
            break;
        j = json_array();
        for (size_t i = 0; i < v->nitems; i++) {
            json_t *s = v->items[i] ? json_stringn(v->items[i], item_len(v, i)) : NULL;
            if (s)
                json_array_append_new(j, s);
        }
        break;
    default:
        break;
    }
    return j ? j : json_null();
}

json_t *rule_explain(const struct rule_prog *p, const struct rule_value *slots)
{
    json_t *o = json_object(), *clauses = json_array();
    if (!p || !slots) {
        json_object_set_new(o, "result", json_false());
        json_object_set_new(o, "clauses", clauses);
        return o;
    }
    json_object_set_new(o, "result", json_boolean(run(p, 0, slots)));
    for (uint32_t i = 0; i < p->nclauses; i++) {
        const struct pclause *c = &p->clauses[i];
        json_t *cl = json_object(), *values = json_object();
        json_object_set_new(cl, "text", json_stringn(p->text + c->text_off, c->text_len));
        json_object_set_new(cl, "held", json_boolean(run(p, c->code, slots)));
        for (uint32_t k = 0; k < c->npaths; k++) {
            const struct ppath *pp = &p->paths[p->cpaths[c->paths_off + k]];
            json_object_set_new(values, pp->name, fact_json(&slots[pp->slot], pp->type));
        }
        json_object_set_new(cl, "values", values);
        json_array_append_new(clauses, cl);
    }
    json_object_set_new(o, "clauses", clauses);
    return o;
}

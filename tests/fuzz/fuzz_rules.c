/* fuzz_rules.c - libFuzzer target for the rule language (src/core/rules*.c),
 * run by tests/fuzz/run. Compiles arbitrary input as a rule; a failure must
 * come with a position inside the source and a message, and add no slot.
 * When it compiles, it is compiled again in the same env (no new slots),
 * then evaluated over facts made from the input's hash (every type, nulls,
 * wrong types, NaN, infinities, blank and invalid UTF-8 strings, lists with
 * and without lengths) and explained: the explanation's result must be the
 * evaluation's, and it must serialise. The same rule wrapped as !(S),
 * (S) == true (its && and || then compute a value instead of jumping; a
 * null true/false path is false either way), false || (S) && true must
 * agree with it, when they compile (the wrapping
 * may pass a limit). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/rules.h"
#include "lib/utf8.h"

#define ROUNDS 4

/* Wrappings of a rule S: printf formats, and whether each means !S. */
static const struct {
    const char *fmt;
    int negated;
} wraps[] = {{"!(%s\n)", 1}, {"(%s\n) == true", 0}, {"false || (%s\n) && true", 0}};
#define NWRAPS (sizeof(wraps) / sizeof(wraps[0]))

static uint64_t next(uint64_t *s)
{
    /* splitmix64 */
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static const char *const words[] = {
    "",         "  ",       "\xe3\x80\x80",          "recommend",   "re_interview", "沟通不畅",
    "表达不清", "BOSS直聘", "ai_pending_evaluation", "Team Player", "sql",          "\xff\xfe",
    "a\"b\\c"};
#define NWORDS (sizeof(words) / sizeof(words[0]))

struct facts {
    struct rule_value v[64];
    const char *items[64][4];
    size_t lens[64][4];
    char bytes[64][16];
};

static void make(struct facts *f, const struct rule_env *env, uint64_t *seed)
{
    size_t n = rule_env_nslots(env);
    for (size_t i = 0; i < n && i < 64; i++) {
        uint64_t r = next(seed);
        enum rule_type t = rule_env_type(env, i);
        if (r % 11 == 0) { /* a fact of another type */
            t = (enum rule_type)((r >> 8) % 5);
            r >>= 12;
        }
        struct rule_value *v = &f->v[i];
        switch (t) {
        case RULE_NULL:
            *v = rule_null();
            break;
        case RULE_NUM: {
            static const double nums[] = {0, 1, 3, 55, 60, 100, -1, 72.5, 1e308, -1e308, 0.1};
            unsigned k = (unsigned)((r >> 4) % 14);
            *v = rule_num(k < 11 ? nums[k] : k == 11 ? NAN : k == 12 ? INFINITY : (double)((r >> 20) % 101));
            break;
        }
        case RULE_STR: {
            unsigned k = (unsigned)((r >> 4) % (NWORDS + 2));
            if (k < NWORDS) {
                *v = rule_str(words[k], strlen(words[k]));
            } else if (k == NWORDS) {
                *v = rule_str(NULL, (r >> 12) % 3);
            } else { /* random bytes, maybe not UTF-8 */
                size_t len = (r >> 12) % sizeof(f->bytes[i]);
                for (size_t b = 0; b < len; b++)
                    f->bytes[i][b] = (char)(next(seed) & 0xFF);
                *v = rule_str(f->bytes[i], len);
            }
            break;
        }
        case RULE_BOOL:
            *v = rule_bool((int)((r >> 4) & 1));
            break;
        case RULE_LIST: {
            size_t cnt = (r >> 4) % 5;
            for (size_t k = 0; k < cnt; k++) {
                uint64_t q = next(seed);
                f->items[i][k] = q % 9 == 0 ? NULL : words[q % NWORDS];
                f->lens[i][k] = f->items[i][k] ? strlen(f->items[i][k]) : 0;
            }
            *v = rule_list(cnt ? f->items[i] : NULL, (r >> 8) & 1 ? f->lens[i] : NULL, cnt);
            break;
        }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > RULE_SOURCE_MAX + 16)
        return 0;
    char *src = malloc(size + 1);
    memcpy(src, data, size);
    src[size] = '\0';
    size_t len = strlen(src);

    struct rule_env *env = rule_env_new();
    struct rule_prog *p = NULL, *q = NULL, *w[NWRAPS] = {NULL};
    struct rule_error e;
    if (rule_compile(env, src, &p, &e) != 0) {
        if (p || rule_env_nslots(env) != 0 || e.line < 1 || e.col < 1 || e.message[0] == '\0' ||
            !utf8_valid(e.message, strlen(e.message)))
            abort();
        /* the position is inside the source or just after it */
        int lines = 1;
        for (size_t i = 0; i < len; i++)
            lines += src[i] == '\n';
        if (e.line > lines || (size_t)e.col > len + 1)
            abort();
        goto done;
    }
    size_t n = rule_env_nslots(env);
    if (n > 64 || rule_prog_npaths(p) != n)
        abort();
    for (size_t i = 0; i < n; i++) {
        const char *path = rule_env_path(env, i);
        if (!path || rule_path_type(path, strlen(path)) != rule_env_type(env, i) || rule_prog_path_slot(p, i) < 0)
            abort();
    }
    if (rule_compile(env, src, &q, &e) != 0 || rule_env_nslots(env) != n)
        abort();
    for (size_t k = 0; k < NWRAPS; k++) {
        char *ws = malloc(len + 32);
        snprintf(ws, len + 32, wraps[k].fmt, src);
        if (rule_compile(env, ws, &w[k], &e) == 0 && rule_env_nslots(env) != n)
            abort();
        free(ws);
    }

    uint64_t seed = 1469598103934665603ull;
    for (size_t i = 0; i < size; i++)
        seed = (seed ^ data[i]) * 1099511628211ull;
    static struct facts f;
    for (int round = 0; round < ROUNDS; round++) {
        memset(&f, 0, sizeof(f));
        make(&f, env, &seed);
        int r = rule_eval(p, f.v);
        if ((r != 0 && r != 1) || rule_eval(q, f.v) != r)
            abort();
        for (size_t k = 0; k < NWRAPS; k++)
            if (w[k] && rule_eval(w[k], f.v) != (wraps[k].negated ? !r : r))
                abort();
        json_t *x = rule_explain(p, f.v);
        json_t *clauses = json_object_get(x, "clauses");
        if (!json_is_boolean(json_object_get(x, "result")) || json_is_true(json_object_get(x, "result")) != r ||
            !json_is_array(clauses) || json_array_size(clauses) == 0)
            abort();
        size_t i;
        json_t *c;
        json_array_foreach(clauses, i, c)
        {
            if (!json_is_string(json_object_get(c, "text")) || !json_is_boolean(json_object_get(c, "held")) ||
                !json_is_object(json_object_get(c, "values")))
                abort();
        }
        char *s = json_dumps(x, JSON_COMPACT);
        if (!s)
            abort();
        free(s);
        json_decref(x);
    }
done:
    rule_prog_free(p);
    rule_prog_free(q);
    for (size_t k = 0; k < NWRAPS; k++)
        rule_prog_free(w[k]);
    rule_env_free(env);
    free(src);
    return 0;
}

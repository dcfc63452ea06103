/* rules.h - the rule expression language (issue 5; docs/rules.md): the
 * condition (`when`) of a pipeline rule, compiled once to bytecode and
 * evaluated per application without allocating.
 *
 * Pure domain logic: no I/O, no SQL, no globals that change. The caller
 * (svc/rules*) loads the facts of an application into a slot array and runs
 * the compiled programs over it.
 *
 * The language, in short (docs/rules.md has it for HR users):
 *   literals   60, 72.5, "沟通不畅" (escapes \" and \\ only), true, false, null;
 *              lists [a, b, ...] of numbers or of strings, only right of `in`
 *   paths      see the catalogue below; an unknown path is a compile error
 *   operators  by precedence, low to high:
 *                ||    &&    ! (prefix)    == != < <= > >= in    + -    * / %    - (prefix)
 *              and parentheses; comparisons do not chain (a < b < c is an error)
 *   functions  has(p)          p is not null; a string also not empty or blank,
 *                              a list also not empty
 *              contains(p, "t") a string path: "t" is a substring; a list path:
 *                              "t" is one of the items (exactly)
 *              len(p)          characters (code points) of a string, items of a list
 *              lower(p)        a string or list path with ASCII A-Z folded to a-z
 *                              (usable wherever p is, and inside has, contains, len)
 *   types      checked at compile time: numbers with numbers, strings with
 *              strings, == and != also for true/false; < <= > >= and
 *              arithmetic for numbers only; && || ! on conditions only;
 *              `x in [...]` with a list literal of x's type; the whole rule
 *              is a condition.
 *   null       a missing value is null (so is a fact whose type is not the
 *              path's, a non-finite number, and a string given as NULL).
 *              Arithmetic with null is null; division (or %) by zero is null,
 *              and so is any result that is not a finite number. A comparison
 *              (or `in`) with null is false, so `!(x > 3)` is TRUE when x is
 *              null; `x == null` / `x != null` test for it explicitly. A null
 *              true/false path is false in && || !. has() and contains() of
 *              null are false, len() of null is null.
 *
 * Catalogue of paths (rule_path_type):
 *   numbers   ai.overall, ai.match_score, ai.dim.<key>, ai.percentile.<key>,
 *             ai.tag.count, application.days_in_stage, application.hours_in_stage
 *   strings   ai.recommendation (recommend | re_interview | not_recommended),
 *             ai.vendor, ai.reason (the vendor's "not suitable" reason
 *             category), application.stage, application.special_note,
 *             application.elimination_reason, position.code,
 *             org.code (the position's org unit), candidate.source
 *   booleans  application.talent_pool, ai.complete (the result has every
 *             required dimension and a transcript)
 *   lists     ai.tags (of strings)
 *   A <key> is 1-64 characters of [a-z0-9_] starting with a letter
 *   (ai.dim.logic, ai.percentile.communication).
 *
 * Limits: the source is at most RULE_SOURCE_MAX bytes of UTF-8, at most
 * RULE_MAX_NODES syntax nodes (each literal, path, function call, operator
 * and list item is one) and as many instructions, and at most RULE_MAX_DEPTH
 * parentheses and prefix operators inside one another. Beyond is a compile
 * error, never a crash. */
#ifndef TALENTD_RULES_H
#define TALENTD_RULES_H

#include <jansson.h>
#include <stddef.h>

#include "lib/err.h"

#define RULE_SOURCE_MAX 4096 /* bytes of a rule's source */
#define RULE_MAX_NODES 256   /* syntax nodes, and instructions of the compiled rule */
#define RULE_MAX_DEPTH 32    /* parentheses and prefix operators inside one another */
#define RULE_KEY_MAX 64      /* bytes of the <key> of ai.dim.<key> and ai.percentile.<key> */
#define RULE_PATH_MAX 96     /* bytes of the longest path ("ai.percentile." + a 64-byte key) */
#define RULE_MAX_SLOTS 65535 /* distinct paths in one env */

enum rule_type { RULE_NULL = 0, RULE_NUM, RULE_STR, RULE_BOOL, RULE_LIST };

struct rule_value { /* one fact, filled by the caller per application */
    enum rule_type type;
    double num;               /* RULE_NUM; RULE_BOOL uses num 0/1 */
    const char *str;          /* RULE_STR (UTF-8, not necessarily NUL-terminated) */
    size_t len;               /* bytes of str */
    const char *const *items; /* RULE_LIST: nitems strings */
    const size_t *item_lens;  /* their bytes; NULL: items are NUL-terminated */
    size_t nitems;
};

/* Fact constructors, for callers and tests. rule_str takes len bytes of s
 * (s may be NULL only when len is 0). */
static inline struct rule_value rule_null(void)
{
    struct rule_value v = {RULE_NULL, 0, NULL, 0, NULL, NULL, 0};
    return v;
}
static inline struct rule_value rule_num(double x)
{
    struct rule_value v = {RULE_NUM, x, NULL, 0, NULL, NULL, 0};
    return v;
}
static inline struct rule_value rule_bool(int b)
{
    struct rule_value v = {RULE_BOOL, b ? 1 : 0, NULL, 0, NULL, NULL, 0};
    return v;
}
static inline struct rule_value rule_str(const char *s, size_t len)
{
    struct rule_value v = {RULE_STR, 0, s, len, NULL, NULL, 0};
    return v;
}
static inline struct rule_value rule_list(const char *const *items, const size_t *item_lens, size_t n)
{
    struct rule_value v = {RULE_LIST, 0, NULL, 0, items, item_lens, n};
    return v;
}

/* ---- the slot table ---- */

/* The slot table shared by rules compiled together: each distinct path a
 * rule reads gets one slot (0, 1, 2, ... in first-compiled order), the same
 * path always the same slot. Compiling adds slots; nothing removes them. */
struct rule_env;

/* A new empty env (never NULL; allocation failure aborts). */
struct rule_env *rule_env_new(void);

/* Frees env and its paths. NULL is fine. Programs compiled in it stay valid
 * (they keep what they need). */
void rule_env_free(struct rule_env *env);

/* The number of slots: the length of the slot array rule_eval reads. */
size_t rule_env_nslots(const struct rule_env *env);

/* The path of a slot ("ai.dim.logic"), owned by env; NULL when slot is out
 * of range. */
const char *rule_env_path(const struct rule_env *env, size_t slot);

/* The type of a slot's path (never RULE_NULL for a valid slot); RULE_NULL
 * when slot is out of range. */
enum rule_type rule_env_type(const struct rule_env *env, size_t slot);

/* The slot of a path in env, or -1 when no compiled rule reads it. */
long rule_env_find(const struct rule_env *env, const char *path);

/* ---- compiling ---- */

/* Where and why a source does not compile: line and col 1-based (col counts
 * UTF-8 characters; a tab is one), message in English without the position,
 * e.g. {2, 14, "expected ')' after the arguments of has"}; show it as
 * "2:14: expected ...". */
struct rule_error {
    int line, col;
    char message[256];
};

struct rule_prog;

/* Compiles src (NUL-terminated UTF-8, at most RULE_SOURCE_MAX bytes); paths
 * get slots in env (the same path always the same slot). Returns 0 with *out
 * a new program (free with rule_prog_free), or ERR_INVALID with *out NULL
 * and *err filled (err may be NULL); a failed compile adds no slot. The
 * program does not point into src or env. */
int rule_compile(struct rule_env *env, const char *src, struct rule_prog **out, struct rule_error *err);

/* Frees p. NULL is fine. */
void rule_prog_free(struct rule_prog *p);

/* ---- evaluating ---- */

/* 1 when the rule holds for the facts, else 0. slots is indexed as in env
 * (the env p was compiled in; at least the slots p reads must be there, i.e.
 * rule_env_nslots entries at the time p was compiled). Allocates nothing,
 * thread-safe for concurrent calls on the same prog. */
int rule_eval(const struct rule_prog *p, const struct rule_value *slots);

/* The explanation of one evaluation (allocates; for a rule that fired, or
 * simulation samples), a new reference:
 *   {"result": true|false,
 *    "clauses": [{"text": "ai.overall < 60", "held": true, "values": {"ai.overall": 55}}, ...]}
 * The clauses are the leaves of the top-level &&/|| tree (comparisons,
 * has(), contains(), in, a negated group such as !has(x) or !(a || b), a
 * true/false path), in source order, each with its text as written in the
 * source and whether it held on its own; values holds every path the clause
 * reads, in order, with the fact seen: a number (an integer when it is
 * one), a string, true/false, an array of strings, or null. */
json_t *rule_explain(const struct rule_prog *p, const struct rule_value *slots);

/* The number of paths p reads, and the slot of the i-th (in order of first
 * appearance in the source; -1 when i is out of range): for callers that
 * load only the facts a rule needs. */
size_t rule_prog_npaths(const struct rule_prog *p);
long rule_prog_path_slot(const struct rule_prog *p, size_t i);

/* ---- the catalogue ---- */

/* The type of a path (len bytes at path, not necessarily NUL-terminated),
 * RULE_NULL when it is not in the catalogue. */
enum rule_type rule_path_type(const char *path, size_t len);

/* One entry of the catalogue, for listings (docs, API): the fixed paths, and
 * "ai.dim.<key>" and "ai.percentile.<key>" for the two families. */
struct rule_path_info {
    const char *path;
    enum rule_type type;
    const char *description; /* English, one line */
};

/* The catalogue, *n entries, static. */
const struct rule_path_info *rule_catalogue(size_t *n);

/* "null", "number", "string", "boolean", "list" */
const char *rule_type_name(enum rule_type t);

#endif

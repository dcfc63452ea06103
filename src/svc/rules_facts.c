/* rules_facts.c - the facts rules read (the paths of core/rules.h), loaded
 * for one application or scanned for many in two ordered queries (the
 * applications with their position, org unit, candidate and current result;
 * their effective dimension scores), merged by application id. Percentiles
 * read the position's histograms, cached for the scan. */
#include "svc/rules_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/match.h"
#include "lib/mem.h"
#include "svc/results_apply.h"

#define FACTS_BUF 65536
#define HIST_CACHE 32

enum fact_kind {
    F_AI_OVERALL = 1,
    F_AI_MATCH,
    F_AI_DIM,
    F_AI_PCT,
    F_AI_TAG_COUNT,
    F_AI_TAGS,
    F_AI_REC,
    F_AI_VENDOR,
    F_AI_REASON,
    F_AI_COMPLETE,
    F_APP_DAYS,
    F_APP_HOURS,
    F_APP_STAGE,
    F_APP_NOTE,
    F_APP_ELIM,
    F_APP_POOL,
    F_POS_CODE,
    F_ORG_CODE,
    F_CAND_SOURCE,
};

static const struct {
    const char *path;
    enum fact_kind kind;
} fixed_paths[] = {
    {"ai.overall", F_AI_OVERALL},
    {"ai.match_score", F_AI_MATCH},
    {"ai.tag.count", F_AI_TAG_COUNT},
    {"ai.tags", F_AI_TAGS},
    {"ai.recommendation", F_AI_REC},
    {"ai.vendor", F_AI_VENDOR},
    {"ai.reason", F_AI_REASON},
    {"ai.complete", F_AI_COMPLETE},
    {"application.days_in_stage", F_APP_DAYS},
    {"application.hours_in_stage", F_APP_HOURS},
    {"application.stage", F_APP_STAGE},
    {"application.special_note", F_APP_NOTE},
    {"application.elimination_reason", F_APP_ELIM},
    {"application.talent_pool", F_APP_POOL},
    {"position.code", F_POS_CODE},
    {"org.code", F_ORG_CODE},
    {"candidate.source", F_CAND_SOURCE},
};

struct hist_cache {
    int n;
    struct {
        int64_t position_id;
        char dim[68];
        int64_t counts[HIST_BUCKETS];
    } e[HIST_CACHE];
};

/* ------------------------------------------------------------------------
 * plan */

int fact_plan_init(struct fact_plan *p, const struct rule_env *env, struct err *e)
{
    memset(p, 0, sizeof(*p));
    p->n = rule_env_nslots(env);
    p->slots = xcalloc(p->n ? p->n : 1, sizeof(*p->slots));
    for (size_t i = 0; i < p->n; i++) {
        const char *path = rule_env_path(env, i);
        struct fact_slot *s = &p->slots[i];
        for (size_t k = 0; k < sizeof(fixed_paths) / sizeof(fixed_paths[0]) && !s->kind; k++)
            if (strcmp(path, fixed_paths[k].path) == 0)
                s->kind = (int)fixed_paths[k].kind;
        if (!s->kind && strncmp(path, "ai.dim.", 7) == 0) {
            s->kind = F_AI_DIM;
            snprintf(s->key, sizeof(s->key), "%s", path + 7);
        } else if (!s->kind && strncmp(path, "ai.percentile.", 14) == 0) {
            s->kind = F_AI_PCT;
            snprintf(s->key, sizeof(s->key), "%s", path + 14);
            p->need_percentile = 1;
        }
        if (!s->kind) {
            fact_plan_free(p);
            return err_invalid(e, "rule_syntax", "when", "the path %.80s has no facts behind it", path);
        }
        p->need_tags |= s->kind == F_AI_TAGS || s->kind == F_AI_TAG_COUNT;
        p->need_complete |= s->kind == F_AI_COMPLETE;
    }
    return 0;
}

void fact_plan_free(struct fact_plan *p)
{
    free(p->slots);
    memset(p, 0, sizeof(*p));
}

void facts_init(struct facts *f, const struct fact_plan *p)
{
    memset(f, 0, sizeof(*f));
    f->v = xcalloc(p->n ? p->n : 1, sizeof(*f->v));
    f->cap = FACTS_BUF;
    f->buf = xmalloc(f->cap);
    f->hc = xcalloc(1, sizeof(*f->hc));
}

void facts_free(struct facts *f)
{
    free(f->v);
    free(f->buf);
    free(f->items);
    free(f->item_lens);
    free(f->hc);
    memset(f, 0, sizeof(*f));
}

/* A copy of s (n bytes) in f's storage, or NULL when it is full. */
static const char *fcopy(struct facts *f, const char *s, size_t n)
{
    if (!s || f->len + n + 1 > f->cap)
        return NULL;
    char *d = f->buf + f->len;
    memcpy(d, s, n);
    d[n] = '\0';
    f->len += n + 1;
    return d;
}

static void set_num(struct rule_value *v, double x)
{
    v->type = RULE_NUM;
    v->num = x;
}

static void set_str(struct facts *f, struct rule_value *v, const char *s)
{
    const char *c = s ? fcopy(f, s, strlen(s)) : NULL;
    if (!c) {
        v->type = RULE_NULL;
        return;
    }
    v->type = RULE_STR;
    v->str = c;
    v->len = strlen(c);
}

void fact_where_add(struct fact_where *w, const char *sql, const char *s, int64_t i)
{
    size_t len = strlen(w->sql);
    snprintf(w->sql + len, sizeof(w->sql) - len, " AND %s", sql);
    if (!strchr(sql, '?') || w->n >= 4)
        return;
    w->b[w->n].is_text = s != NULL;
    w->b[w->n].i = i;
    snprintf(w->b[w->n].s, sizeof(w->b[w->n].s), "%s", s ? s : "");
    w->n++;
}

static void where_bind(struct db_stmt *s, const struct fact_where *w)
{
    for (int i = 0; i < w->n; i++) {
        if (w->b[i].is_text)
            db_bind_text(s, i + 1, w->b[i].s);
        else
            db_bind_int64(s, i + 1, w->b[i].i);
    }
}

/* ------------------------------------------------------------------------
 * the scan */

#define APP_COLS                                                                                                       \
    "SELECT a.id, a.stage, a.stage_changed_at, a.special_note, a.elimination_reason, a.talent_pool, a.position_id, "   \
    "p.code, o.code, o.path, c.source, a.result_id, a.overall, a.match_score, a.recommendation, p.review_required, "   \
    "r.vendor, r.reason_category, %s, r.transcript_enc IS NOT NULL, %s, a.candidate_id "                               \
    "FROM application a JOIN position p ON p.id = a.position_id JOIN org_unit o ON o.id = p.org_unit_id "              \
    "JOIN candidate c ON c.id = a.candidate_id LEFT JOIN ai_result r ON r.id = a.result_id WHERE a.id > 0%s "          \
    "ORDER BY a.id%s"

#define DIM_COLS                                                                                                       \
    "SELECT d.application_id, d.dim, d.score FROM ai_dim d JOIN application a ON a.id = d.application_id "             \
    "JOIN position p ON p.id = a.position_id JOIN org_unit o ON o.id = p.org_unit_id WHERE a.id > 0%s "                \
    "ORDER BY d.application_id"

struct dims {
    int n;
    char key[RESULT_MAX_DIMS][68];
    int score[RESULT_MAX_DIMS];
};

static int percentile_of(struct svc_ctx *c, struct facts *f, const char *dim, int score, int *out)
{
    struct hist_cache *h = f->hc;
    for (int i = 0; i < h->n; i++) {
        if (h->e[i].position_id == f->position_id && strcmp(h->e[i].dim, dim) == 0) {
            *out = match_percentile(h->e[i].counts, score);
            return 0;
        }
    }
    int slot = h->n < HIST_CACHE ? h->n++ : (int)(f->position_id % HIST_CACHE);
    h->e[slot].position_id = f->position_id;
    snprintf(h->e[slot].dim, sizeof(h->e[slot].dim), "%s", dim);
    int rc = svc_hist_read(c, f->position_id, dim, h->e[slot].counts);
    if (rc != 0) {
        h->e[slot].position_id = 0;
        return rc;
    }
    *out = match_percentile(h->e[slot].counts, score);
    return 0;
}

/* ai.complete: a transcript and a score for every dimension of the position's model. */
static int complete_of(struct db_stmt *s, const struct dims *d)
{
    if (db_col_int64(s, 19) == 0)
        return 0;
    json_t *mj = json_loads(db_col_text(s, 20), 0, NULL);
    struct competency model[MATCH_MODEL_MAX];
    int nm = match_model_from_json(mj, model, MATCH_MODEL_MAX);
    json_decref(mj);
    for (int i = 0; i < nm; i++) {
        int found = 0;
        for (int k = 0; k < d->n && !found; k++)
            found = strcmp(d->key[k], model[i].dim) == 0;
        if (!found)
            return 0;
    }
    return 1;
}

static void tags_of(struct facts *f, struct db_stmt *s, struct rule_value *list, int *count)
{
    *count = 0;
    list->type = RULE_NULL;
    if (db_col_isnull(s, 18))
        return;
    json_t *doc = json_loads(db_col_text(s, 18), 0, NULL), *tags = json_object_get(doc, "tags"), *t;
    size_t n = json_array_size(tags), i;
    if (n > f->nitems_cap) {
        f->nitems_cap = n;
        f->items = xrealloc(f->items, n * sizeof(*f->items));
        f->item_lens = xrealloc(f->item_lens, n * sizeof(*f->item_lens));
    }
    size_t k = 0;
    json_array_foreach(tags, i, t)
    {
        const char *c = json_is_string(t) ? fcopy(f, json_string_value(t), json_string_length(t)) : NULL;
        if (c) {
            f->items[k] = c;
            f->item_lens[k++] = strlen(c);
        }
    }
    json_decref(doc);
    list->type = RULE_LIST;
    list->items = f->items;
    list->item_lens = f->item_lens;
    list->nitems = k;
    *count = (int)k;
}

/* Fills f from the application row s and its dimensions d. */
static int fill(struct svc_ctx *c, const struct fact_plan *p, struct facts *f, struct db_stmt *s, const struct dims *d)
{
    f->len = 0;
    f->app_id = db_col_int64(s, 0);
    snprintf(f->stage, sizeof(f->stage), "%s", db_col_text(s, 1));
    f->stage_since = db_col_int64(s, 2);
    f->position_id = db_col_int64(s, 6);
    snprintf(f->org_path, sizeof(f->org_path), "%s", db_col_text(s, 9));
    f->has_result = !db_col_isnull(s, 11);
    f->review_required = db_col_int64(s, 15) != 0;
    f->candidate_id = db_col_int64(s, 21);
    struct rule_value tags = {0};
    int ntags = 0;
    if (p->need_tags)
        tags_of(f, s, &tags, &ntags);
    for (size_t i = 0; i < p->n; i++) {
        struct rule_value *v = &f->v[i];
        memset(v, 0, sizeof(*v));
        const struct fact_slot *fs = &p->slots[i];
        int ai = fs->kind <= F_AI_COMPLETE;
        if (ai && !f->has_result)
            continue; /* no result: every ai.* is null */
        switch ((enum fact_kind)fs->kind) {
        case F_AI_OVERALL:
            if (!db_col_isnull(s, 12))
                set_num(v, (double)db_col_int64(s, 12));
            break;
        case F_AI_MATCH:
            if (!db_col_isnull(s, 13))
                set_num(v, db_col_double(s, 13));
            break;
        case F_AI_DIM:
        case F_AI_PCT:
            for (int k = 0; k < d->n; k++) {
                if (strcmp(d->key[k], fs->key) != 0)
                    continue;
                int pct = d->score[k];
                if (fs->kind == F_AI_PCT) {
                    int rc = percentile_of(c, f, fs->key, d->score[k], &pct);
                    if (rc != 0)
                        return rc;
                }
                set_num(v, pct);
                break;
            }
            break;
        case F_AI_TAG_COUNT:
            set_num(v, ntags);
            break;
        case F_AI_TAGS:
            *v = tags;
            break;
        case F_AI_REC:
            set_str(f, v, db_col_isnull(s, 14) ? NULL : db_col_text(s, 14));
            break;
        case F_AI_VENDOR:
            set_str(f, v, db_col_isnull(s, 16) ? NULL : db_col_text(s, 16));
            break;
        case F_AI_REASON:
            set_str(f, v, db_col_isnull(s, 17) ? NULL : db_col_text(s, 17));
            break;
        case F_AI_COMPLETE:
            v->type = RULE_BOOL;
            v->num = complete_of(s, d);
            break;
        case F_APP_DAYS:
        case F_APP_HOURS: {
            double ms = (double)(c->now - f->stage_since);
            set_num(v, (int64_t)(ms / (fs->kind == F_APP_DAYS ? 86400000.0 : 3600000.0)));
            break;
        }
        case F_APP_STAGE:
            set_str(f, v, f->stage);
            break;
        case F_APP_NOTE:
            set_str(f, v, db_col_isnull(s, 3) ? NULL : db_col_text(s, 3));
            break;
        case F_APP_ELIM:
            set_str(f, v, db_col_isnull(s, 4) ? NULL : db_col_text(s, 4));
            break;
        case F_APP_POOL:
            v->type = RULE_BOOL;
            v->num = db_col_int64(s, 5) != 0;
            break;
        case F_POS_CODE:
            set_str(f, v, db_col_text(s, 7));
            break;
        case F_ORG_CODE:
            set_str(f, v, db_col_text(s, 8));
            break;
        case F_CAND_SOURCE: {
            const char *src = db_col_isnull(s, 10) ? NULL : db_col_text(s, 10);
            set_str(f, v, src && *src ? src : NULL);
            break;
        }
        }
    }
    return 0;
}

int facts_scan(struct svc_ctx *c, const struct fact_plan *p, struct facts *f, const struct fact_where *w, int64_t limit,
               int (*fn)(void *ud, struct facts *f), void *ud)
{
    int need_dims = 0;
    for (size_t i = 0; i < p->n; i++)
        need_dims |= p->slots[i].kind == F_AI_DIM || p->slots[i].kind == F_AI_PCT;
    need_dims |= p->need_complete;
    char lim[32] = "", *sql = NULL;
    if (limit > 0)
        snprintf(lim, sizeof(lim), " LIMIT %lld", (long long)limit);
    size_t n = strlen(APP_COLS) + strlen(w->sql) + 128;
    sql = xmalloc(n);
    snprintf(sql, n, APP_COLS, p->need_tags ? "r.result_json" : "NULL", p->need_complete ? "p.competency_json" : "'[]'",
             w->sql, lim);
    struct db_stmt *as = NULL, *ds = NULL;
    int rc = svc_prepare(c, sql, &as);
    free(sql);
    if (rc != 0)
        return rc;
    where_bind(as, w);
    if (need_dims) {
        n = strlen(DIM_COLS) + strlen(w->sql) + 16;
        sql = xmalloc(n);
        snprintf(sql, n, DIM_COLS, w->sql);
        rc = svc_prepare(c, sql, &ds);
        free(sql);
        if (rc != 0) {
            db_reset(as);
            return rc;
        }
        where_bind(ds, w);
    }
    struct dims *d = xcalloc(1, sizeof(*d));
    int drc = ds ? db_step(ds, c->e) : DB_DONE;
    while ((rc = db_step(as, c->e)) == DB_ROW) {
        int64_t id = db_col_int64(as, 0);
        d->n = 0;
        /* the dimensions cursor runs in the same order: skip rows of applications before this one */
        while (drc == DB_ROW && db_col_int64(ds, 0) <= id) {
            if (db_col_int64(ds, 0) == id && d->n < RESULT_MAX_DIMS) {
                snprintf(d->key[d->n], sizeof(d->key[d->n]), "%s", db_col_text(ds, 1));
                d->score[d->n++] = (int)db_col_int64(ds, 2);
            }
            drc = db_step(ds, c->e);
        }
        if (drc < 0) {
            rc = drc;
            break;
        }
        if ((rc = fill(c, p, f, as, d)) != 0 || (rc = fn(ud, f)) != 0)
            break;
    }
    free(d);
    db_reset(as);
    if (ds)
        db_reset(ds);
    return rc == DB_DONE ? 0 : rc;
}

struct one {
    int found;
};

static int found_one(void *ud, struct facts *f)
{
    (void)f;
    ((struct one *)ud)->found = 1;
    return 0;
}

int facts_load(struct svc_ctx *c, const struct fact_plan *p, struct facts *f, int64_t app)
{
    struct fact_where w = {0};
    fact_where_add(&w, "a.id = ?", NULL, app);
    struct one o = {0};
    int rc = facts_scan(c, p, f, &w, 1, found_one, &o);
    if (rc == 0 && !o.found)
        rc = err_set(c->e, ERR_NOT_FOUND, NULL, NULL, "application %lld not found", (long long)app);
    return rc;
}

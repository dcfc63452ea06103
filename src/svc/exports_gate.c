/* exports_gate.c - what an export checks before eliminations leave the
 * buffer (issue 5, svc/exports_impl.h): the adverse-impact acknowledgement of
 * every position whose eliminations it would export, and the completeness of
 * each elimination's evaluation (a current result with a transcript and a
 * score for every dimension of the position's competency model). A position
 * is looked up once per export (its model; its acknowledgement when it has
 * eliminations leaving); each row is then checked without the database, by
 * the export's render threads. Also the reader of the effective scores an
 * application keeps (ai_dims). */
#include "svc/exports_impl.h"

#include <stdio.h>
#include <string.h>

#include "core/match.h"
#include "svc/fairness.h"
#include "svc/results_apply.h"

int xgate_pos_load(struct svc_ctx *c, int64_t pid, struct xgate_pos *p)
{
    memset(p, 0, sizeof(*p));
    p->id = pid;
    int rc = svc_position_model(c, pid, p->m, MATCH_MODEL_MAX);
    if (rc < 0)
        return rc;
    p->n = rc;
    for (int i = 0; i < p->n; i++)
        p->mlen[i] = strlen(p->m[i].dim);
    return 0;
}

int xgate_fairness(struct svc_ctx *c, struct xgate_pos *p)
{
    if (p->fair_checked)
        return 0;
    int rc = svc_fairness_export_check_tx(c, p->id);
    if (rc == 0)
        p->fair_checked = 1;
    return rc;
}

json_t *xgate_missing(const struct xgate_pos *p, int has_result, int has_transcript, const struct xdim *dims, int ndims)
{
    if (has_result && has_transcript) {
        int complete = 1;
        for (int i = 0; i < p->n && complete; i++) {
            int found = 0;
            for (int k = 0; k < ndims && !found; k++)
                found = xdim_is(&dims[k], p->m[i].dim, p->mlen[i]);
            complete = found;
        }
        if (complete)
            return NULL;
    }
    json_t *m = json_array();
    if (!has_result) {
        json_array_append_new(m, json_string("result"));
        return m;
    }
    if (!has_transcript)
        json_array_append_new(m, json_string("transcript"));
    for (int i = 0; i < p->n; i++) {
        int found = 0;
        for (int k = 0; k < ndims && !found; k++)
            found = xdim_is(&dims[k], p->m[i].dim, p->mlen[i]);
        if (!found)
            json_array_append_new(m, json_sprintf("dim.%s", p->m[i].dim));
    }
    return m;
}

/* ---- ai_dims ------------------------------------------------------------------------------------- */

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

int xdims_parse(const char *s, size_t n, struct xdim *out, int max)
{
    if (!s)
        return 0;
    const char *p = s, *end = s + n;
    int k = 0;
    p = skip_ws(p, end);
    if (p == end || *p++ != '{')
        return -1;
    for (;;) {
        p = skip_ws(p, end);
        if (p < end && *p == '}')
            return k;
        if (p == end || *p++ != '"')
            return -1;
        const char *key = p;
        while (p < end && *p != '"' && *p != '\\')
            p++;
        if (p == end || *p != '"')
            return -1; /* keys are [a-z][a-z0-9_]*: nothing to unescape */
        size_t klen = (size_t)(p - key);
        p = skip_ws(p + 1, end);
        if (p == end || *p++ != ':')
            return -1;
        p = skip_ws(p, end);
        int neg = 0, v = 0, digits = 0;
        if (p < end && *p == '-') {
            neg = 1;
            p++;
        }
        while (p < end && *p >= '0' && *p <= '9' && digits < 9) {
            v = v * 10 + (*p++ - '0');
            digits++;
        }
        if (!digits)
            return -1;
        if (k < max) {
            out[k].key = key;
            out[k].klen = klen;
            out[k].score = neg ? -v : v;
            k++;
        }
        p = skip_ws(p, end);
        if (p < end && *p == ',') {
            p++;
            continue;
        }
        if (p < end && *p == '}')
            return k;
        return -1;
    }
}

int xdim_is(const struct xdim *d, const char *key, size_t len)
{
    return d->klen == len && memcmp(d->key, key, len) == 0;
}

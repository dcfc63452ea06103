/* fairness.c - the four-fifths rule (core/fairness.h). */
#include "core/fairness.h"

int fairness_judge(struct fairness_group *g, int n)
{
    double best = 0;
    for (int i = 0; i < n; i++) {
        g[i].rate = g[i].total > 0 ? (double)g[i].selected / (double)g[i].total : 0;
        g[i].counts = g[i].total >= FAIRNESS_MIN_GROUP;
        if (g[i].counts && g[i].rate > best)
            best = g[i].rate;
        g[i].ratio = -1;
        g[i].flagged = 0;
    }
    int flagged = 0;
    for (int i = 0; i < n && best > 0; i++) {
        if (!g[i].counts)
            continue;
        g[i].ratio = g[i].rate / best;
        /* compare in integer thousandths so 0.8 itself (4/5 exactly) is never flagged by rounding */
        g[i].flagged = (int64_t)(g[i].ratio * 1000.0 + 1e-9) < (int64_t)(FAIRNESS_RATIO_MIN * 1000.0 + 0.5);
        flagged += g[i].flagged;
    }
    return flagged;
}

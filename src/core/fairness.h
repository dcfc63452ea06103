/* fairness.h - adverse-impact check (issue 5): selection rates by group and
 * the four-fifths rule. Pure: the caller counts, this module judges.
 *
 * For one attribute (say gender) each group has a total and how many of
 * them were selected (passed, not eliminated). A group's selection rate is
 * selected / total; its impact ratio is its rate divided by the highest
 * rate among the groups that count. A group counts when it has at least
 * FAIRNESS_MIN_GROUP members; smaller groups are reported with their rate
 * but no ratio, and never flagged (too few to judge). A counting group
 * whose ratio is below FAIRNESS_RATIO_MIN (0.8) is flagged. */
#ifndef TALENTD_CORE_FAIRNESS_H
#define TALENTD_CORE_FAIRNESS_H

#include <stdint.h>

#define FAIRNESS_RATIO_MIN 0.8
#define FAIRNESS_MIN_GROUP 5

struct fairness_group {
    int64_t total, selected; /* in */
    double rate;             /* out: selected / total (0 when total is 0) */
    double ratio;            /* out: rate / the highest counting rate; -1 when the group does not count */
    int counts, flagged;     /* out */
};

/* Fills rate, ratio, counts and flagged of the n groups; returns how many are flagged.
 * When no group counts, or the highest rate is 0, no ratio is computed and nothing is flagged. */
int fairness_judge(struct fairness_group *g, int n);

#endif

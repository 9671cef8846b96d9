/* SPDX-License-Identifier: GPL-2.0 */
/*
 * priority_score.h - the priority policy's arithmetic, apart from the BPF
 * code so that the host tests check it (selftests/progs/score_test.c).
 * Plain integers in, points out; the includer provides __s64 and friends
 * (vmlinux.h in BPF, <linux/types.h> on the host).
 *
 * The class goes into the high bits and the rank within the class below,
 * so any task of a lower class outscores every task of a higher one. The
 * rank is the kernel's points, clamped to +-2^49 pages (2 EiB, far beyond
 * any machine), or, ranking by growth, the growth rate (pages per second,
 * at most 2^20 - 1) above the points (at most 2^29 - 1). Class 254 is
 * worth 0, class 0 is 254 * 2^50: every score stays within +-2^58, inside
 * the kernel's OOM_EXT_POINTS_MAX (2^60). Class 255 (protect) is never
 * scored: the policy returns OOM_EXT_NEVER for it.
 */
#ifndef __OOMX_PRIORITY_SCORE_H
#define __OOMX_PRIORITY_SCORE_H

#define PRIO_CLASS_MAX		254		/* the highest class that may die */
#define PRIO_RANK_LIMIT		(1LL << 49)
#define PRIO_GROWTH_RATE_MAX	((1LL << 20) - 1)	/* pages/s: 4 GiB/s */
#define PRIO_GROWTH_POINTS_MAX	((1LL << 29) - 1)	/* pages: 2 TiB */

static inline __s64 prio_clamp(__s64 v, __s64 lo, __s64 hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* the rank within a class: the points, or the growth above them */
static inline __s64 prio_rank_points(__s64 points, __s64 growth, int by_growth)
{
	if (by_growth) {
		growth = prio_clamp(growth, 0, PRIO_GROWTH_RATE_MAX);
		points = prio_clamp(points, 0, PRIO_GROWTH_POINTS_MAX);
		points += growth << 29;
	}
	return prio_clamp(points, -PRIO_RANK_LIMIT, PRIO_RANK_LIMIT);
}

/* the score of a task of class @klass (0..PRIO_CLASS_MAX) */
static inline __s64 prio_score(__u32 klass, __s64 points, __s64 growth, int by_growth)
{
	return (__s64)(PRIO_CLASS_MAX - klass) * (1LL << 50) +
	       prio_rank_points(points, growth, by_growth);
}

#endif /* __OOMX_PRIORITY_SCORE_H */

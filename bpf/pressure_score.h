/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pressure_score.h - the pressure policy's arithmetic, apart from the BPF
 * code so that the host tests check it (selftests/progs/score_test.c).
 *
 *	excess = usage - max(memory.min, memory.low), or 0 if under it,
 *		 and 0 for the root cgroup
 *	score  = excess in pages * 2^24 + the kernel's points (0..2^24 - 1)
 *
 * The excess is capped at 2^35 - 1 pages (128 TiB), so that a score stays
 * below 2^59, inside the kernel's OOM_EXT_POINTS_MAX (2^60).
 */
#ifndef __OOMX_PRESSURE_SCORE_H
#define __OOMX_PRESSURE_SCORE_H

#define PRESSURE_SIZE_BITS	24	/* 2^24 pages: 64 GiB of resolution within a cgroup */
#define PRESSURE_EXCESS_MAX	((1ULL << 35) - 1)
#define PRESSURE_NO_LIMIT	((__u64)-1)
#define PRESSURE_ROOT_CGROUP	1	/* the id of cgroup v2's root */

/*
 * How far cgroup @id's @usage bytes are above its protection, in pages of
 * @page_size. The root memcg's usage is the sum of its descendants' (a
 * process in the root itself is not charged: try_charge() returns early
 * for the root memcg), and no protection applies to it: ranked by that
 * sum, the few processes left in the root would always die first, for
 * memory they do not hold. The scorecard's global-classes scenario caught
 * it killing the oomx loader that way.
 */
static inline __u64 pressure_excess(__u64 id, __u64 usage, __u64 min, __u64 low,
				    __u64 page_size)
{
	__u64 prot = min > low ? min : low;

	if (id == PRESSURE_ROOT_CGROUP || prot == PRESSURE_NO_LIMIT || usage <= prot)
		return 0;
	return (usage - prot) / page_size;
}

static inline __s64 pressure_score(__u64 excess, __s64 points)
{
	if (excess > PRESSURE_EXCESS_MAX)
		excess = PRESSURE_EXCESS_MAX;
	if (points < 0)
		points = 0;
	if (points >= (1LL << PRESSURE_SIZE_BITS))
		points = (1LL << PRESSURE_SIZE_BITS) - 1;
	return (__s64)(excess << PRESSURE_SIZE_BITS) + points;
}

#endif /* __OOMX_PRESSURE_SCORE_H */

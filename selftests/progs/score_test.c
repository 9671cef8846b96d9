// SPDX-License-Identifier: GPL-2.0
/*
 * score_test - host unit test of the built-in policies' arithmetic
 * (bpf/priority_score.h, bpf/pressure_score.h, bpf/growth_rate.h): the
 * same headers the BPF programs include, compiled for the host, so that a
 * slip in a policy's scoring fails in a second, without a VM.
 *
 * Every check prints "ok: ..." or "FAIL: ..."; the exit status is the
 * number of failures (0: all passed).
 */
#include <stdio.h>
#include <linux/types.h>
#include "oom_ext_consts.h"
#include "priority_score.h"
#include "pressure_score.h"
#include "growth_rate.h"

static int failed;

#define CHECK(cond, what)							\
	do {									\
		if (cond) {							\
			printf("ok: %s\n", what);				\
		} else {							\
			printf("FAIL: %s (%s, line %d)\n", what, #cond, __LINE__); \
			failed++;						\
		}								\
	} while (0)

#define GIB_PAGES	(1LL << 18)	/* pages of 4 KiB in a GiB */

static int in_range(__s64 v)
{
	return v >= -(__s64)OOM_EXT_POINTS_MAX && v <= (__s64)OOM_EXT_POINTS_MAX &&
	       v != (__s64)OOM_EXT_NEVER && v != (__s64)OOM_EXT_PICK;
}

static void priority(void)
{
	__s64 huge = 1LL << 62, lo, hi;
	__u32 k;
	int ok = 1;

	/* every class, at the extremes of points and growth: inside the kernel's range */
	for (k = 0; k <= PRIO_CLASS_MAX; k++) {
		ok &= in_range(prio_score(k, huge, huge, 1)) && in_range(prio_score(k, -huge, 0, 0)) &&
		      in_range(prio_score(k, huge, 0, 0)) && in_range(prio_score(k, -huge, -huge, 1));
	}
	CHECK(ok, "priority: every class at extreme points and growth scores within +-OOM_EXT_POINTS_MAX");

	/* a lower class beats a higher one, whatever the sizes */
	ok = 1;
	for (k = 0; k < PRIO_CLASS_MAX; k++) {
		lo = prio_score(k, 0, 0, 0);
		hi = prio_score(k + 1, huge, 0, 0);
		ok &= lo > hi;
		lo = prio_score(k, 0, 0, 1);
		hi = prio_score(k + 1, huge, huge, 1);
		ok &= lo > hi;
	}
	CHECK(ok, "priority: the smallest task of class N outscores the largest of class N+1 (size and growth)");

	CHECK(prio_score(100, 2 * GIB_PAGES, 0, 0) > prio_score(100, GIB_PAGES, 0, 0),
	      "priority: within a class, the larger task scores higher");
	CHECK(prio_score(100, -500, 0, 0) < prio_score(100, 0, 0, 0),
	      "priority: negative points (oom_score_adj) keep their order within a class");
	CHECK(prio_score(100, GIB_PAGES, 10, 1) > prio_score(100, 4 * GIB_PAGES, 9, 1),
	      "priority: ranking by growth, the faster-growing task beats a larger, slower one");
	CHECK(prio_score(100, 2 * GIB_PAGES, 10, 1) > prio_score(100, GIB_PAGES, 10, 1),
	      "priority: ranking by growth, equal growth falls back to size");
	CHECK(prio_score(100, GIB_PAGES, -50, 1) == prio_score(100, GIB_PAGES, 0, 1),
	      "priority: shrinking counts as no growth");
	CHECK(prio_score(100, GIB_PAGES, 7, 0) == prio_score(100, GIB_PAGES, 0, 0),
	      "priority: ranking by size ignores growth");
	CHECK(prio_rank_points(1LL << 55, 0, 0) == PRIO_RANK_LIMIT &&
	      prio_rank_points(-(1LL << 55), 0, 0) == -PRIO_RANK_LIMIT,
	      "priority: points are clamped to +-2^49");
}

static void pressure(void)
{
	const __u64 page = 4096, gib = 1ULL << 30;

	CHECK(pressure_excess(9, 3 * gib, gib, 2 * gib, page) == (__u64)GIB_PAGES,
	      "pressure: excess is usage above max(min, low), in pages");
	CHECK(pressure_excess(9, gib, 2 * gib, 0, page) == 0,
	      "pressure: a cgroup within its protection has no excess");
	CHECK(pressure_excess(9, gib, 0, PRESSURE_NO_LIMIT, page) == 0,
	      "pressure: memory.low 'max' protects everything");
	CHECK(pressure_excess(9, gib, 0, 0, page) == (__u64)GIB_PAGES,
	      "pressure: no protection: all usage is excess");
	CHECK(pressure_excess(PRESSURE_ROOT_CGROUP, 3 * gib, 0, 0, page) == 0,
	      "pressure: the root cgroup (its usage is its descendants') has no excess");
	CHECK(pressure_score(1, 0) > pressure_score(0, (1LL << 24) - 1),
	      "pressure: a page of excess outweighs any size within the protection");
	CHECK(pressure_score(5, 100) > pressure_score(5, 99),
	      "pressure: within one excess, the larger task scores higher");
	CHECK(pressure_score(0, -300) == pressure_score(0, 0),
	      "pressure: negative points count as 0");
	CHECK(pressure_score(0, 1LL << 40) == (1LL << 24) - 1,
	      "pressure: points are capped at 2^24 - 1");
	CHECK(in_range(pressure_score(~0ULL, 1LL << 62)) &&
	      pressure_score(~0ULL, 0) == pressure_score(PRESSURE_EXCESS_MAX, 0),
	      "pressure: the largest excess is capped inside +-OOM_EXT_POINTS_MAX");
}

static void growth(void)
{
	const __u64 s = 1000000000ULL;	/* ns in a second */

	CHECK(growth_rate(0, 1, 1000, 0, 3000, 2 * s) == 1000,
	      "growth: the second sample's rate is the growth per second");
	CHECK(growth_rate(1000, 2, 3000, 2 * s, 3000, 3 * s) == 500,
	      "growth: later samples average with the previous rate");
	CHECK(growth_rate(0, 1, 3000, 0, 1000, s) == -2000,
	      "growth: shrinking gives a negative rate (magnitude divided)");
	CHECK(growth_rate(77, 5, 1000, s, 9000, s + 999999) == 77,
	      "growth: less than a millisecond later, the rate is unchanged");
	CHECK(growth_rate(77, 5, 1000, 2 * s, 9000, s) == 77,
	      "growth: a sample from the future leaves the rate unchanged");
}

int main(void)
{
	priority();
	pressure();
	growth();
	printf("%d failed\n", failed);
	return failed;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * growth.bpf.h - how fast each process grows, for policies that rank by it.
 *
 * The OOM killer sees one instant: oom_badness() ranks by what a task
 * holds, not by how fast it got there, and the oom_ext hooks only run
 * during an OOM. A policy that wants growth keeps a history itself: a BPF
 * timer walks every process each interval and records its resident pages
 * and a smoothed rate (each sample averages the new rate with the previous
 * one, so a burst counts for a few intervals) in the "growth" map, keyed by
 * tgid. The walk runs in softirq; growth_stats says what the last one cost.
 *
 * The including policy defines, before including this file,
 *
 *	static bool growth_wanted(void);	sample now? (else only re-arm)
 *	static u32 growth_period_ms(void);	the next interval
 *
 * and calls growth_start() from its init callback, which must not be
 * sleepable: the timer callback is verified in the context of the program
 * that set it, and the task iterator needs an RCU read-side section, which
 * a non-sleepable program is. The sampler stops for good once the policy's
 * exit callback has run (oomx.bpf.h's exit record, uei, is set).
 */
#ifndef __OOMX_GROWTH_BPF_H
#define __OOMX_GROWTH_BPF_H

#include "growth_rate.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 32768);
	__type(key, u32);			/* tgid */
	__type(value, struct oomx_growth);
} growth SEC(".maps");

struct growth_timer {
	struct bpf_timer timer;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct growth_timer);
} growth_timer SEC(".maps");

/* the last walk: processes sampled and time taken, for "oomx status" */
struct oomx_growth_stats growth_stats;

#define GROWTH_CLOCK_MONOTONIC	1
#define GROWTH_MAX_WALK		32768	/* processes per walk, the map's size */

/* resident pages of @p's mm, 0 for a task without one */
static __always_inline u64 resident_pages(struct task_struct *p)
{
	struct mm_struct *mm = BPF_CORE_READ(p, mm);
	s64 pages;

	if (!mm)
		return 0;
	/* the counters' shared part: off by at most a per-CPU batch each */
	pages = BPF_CORE_READ(mm, rss_stat[MM_FILEPAGES].count) +
		BPF_CORE_READ(mm, rss_stat[MM_ANONPAGES].count) +
		BPF_CORE_READ(mm, rss_stat[MM_SHMEMPAGES].count);
	return pages > 0 ? pages : 0;
}

/* @g's rate with the growth from its sample to (@now_pages, @now) averaged in */
static __always_inline s64 growth_rate_of(const struct oomx_growth *g, u64 now_pages, u64 now)
{
	return growth_rate(g->rate, g->samples, g->rss, g->time_ns, now_pages, now);
}

static bool growth_wanted(void);
static u32 growth_period_ms(void);

static int growth_sample(void *map, u32 *key, struct growth_timer *t)
{
	struct bpf_iter_task it;
	struct task_struct *p;
	u64 now = bpf_ktime_get_ns();

	/*
	 * The kernel disabled the policy (an error, the budget, sysfs, the
	 * link closed) and called its exit: stop, and do not re-arm. The
	 * maps outlive the policy until the loader unpins them.
	 */
	if (*(volatile s32 *)&uei.kind)
		return 0;
	if (!growth_wanted())
		goto rearm;
	growth_stats.processes = 0;
	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_PROCS);
	while ((p = bpf_iter_task_next(&it))) {
		struct oomx_growth fresh = {}, *g;
		u32 tgid = p->tgid;
		u64 pages = resident_pages(p);

		/*
		 * Bound the softirq's work. The count lives in a global, not
		 * in a register, so that the verifier does not track its
		 * value and can prove the loop by convergence.
		 */
		if (growth_stats.processes >= GROWTH_MAX_WALK) {
			growth_stats.truncated++;
			break;
		}
		growth_stats.processes++;
		g = bpf_map_lookup_elem(&growth, &tgid);
		if (g && g->start_ns == p->start_time) {
			g->rate = growth_rate_of(g, pages, now);
			g->rss = pages;
			g->time_ns = now;
			g->samples++;
			continue;
		}
		/* first sample, or the tgid was reused by a new process */
		fresh.rss = pages;
		fresh.time_ns = now;
		fresh.start_ns = p->start_time;
		fresh.samples = 1;
		bpf_map_update_elem(&growth, &tgid, &fresh, BPF_ANY);
	}
	bpf_iter_task_destroy(&it);
	growth_stats.duration_ns = bpf_ktime_get_ns() - now;
	growth_stats.walks++;
rearm:
	bpf_timer_start(&t->timer, (u64)growth_period_ms() * 1000000, 0);
	return 0;
}

/* growth_start: arm the sampler; 0 or a negative errno for init to return */
static __always_inline int growth_start(void)
{
	struct growth_timer *t;
	u32 key = 0;
	int err;

	t = bpf_map_lookup_elem(&growth_timer, &key);
	if (!t)
		return -1;	/* an array always has element 0 */
	err = bpf_timer_init(&t->timer, &growth_timer, GROWTH_CLOCK_MONOTONIC);
	if (!err)
		err = bpf_timer_set_callback(&t->timer, growth_sample);
	if (!err)
		err = bpf_timer_start(&t->timer, (u64)growth_period_ms() * 1000000, 0);
	return err;
}

/* @p's growth in pages per second, the growth since the last sample included */
static __always_inline s64 task_growth(struct task_struct *p)
{
	u32 tgid = p->tgid;
	struct oomx_growth *g = bpf_map_lookup_elem(&growth, &tgid);

	if (!g || g->start_ns != p->start_time)
		return 0;	/* not sampled yet: no evidence of growth */
	return growth_rate_of(g, resident_pages(p), bpf_ktime_get_ns());
}

#endif /* __OOMX_GROWTH_BPF_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * growth_rate.h - the growth sampler's arithmetic (bpf/growth.bpf.h), apart
 * from the BPF code so that the host tests check it
 * (selftests/progs/score_test.c).
 */
#ifndef __OOMX_GROWTH_RATE_H
#define __OOMX_GROWTH_RATE_H

/*
 * growth_rate - a process's growth in pages per second
 * @rate: the smoothed rate after the last sample
 * @samples: samples taken so far (1: only the first, @rate means nothing)
 * @pages, @ns: resident pages at the last sample, and when it was taken
 * @now_pages, @now_ns: the same now
 *
 * The growth since the last sample, averaged with @rate (a burst counts
 * for a few intervals); @rate unchanged if less than a millisecond passed.
 * BPF has no signed division: the magnitude is divided.
 */
static inline __s64 growth_rate(__s64 rate, __u32 samples, __u64 pages, __u64 ns,
				__u64 now_pages, __u64 now_ns)
{
	__u64 dt_ms = now_ns > ns ? (now_ns - ns) / 1000000 : 0;
	__s64 inst;

	if (!dt_ms)
		return rate;
	if (now_pages >= pages)
		inst = (__s64)((now_pages - pages) * 1000 / dt_ms);
	else
		inst = -(__s64)((pages - now_pages) * 1000 / dt_ms);
	return samples > 1 ? (rate + inst) >> 1 : inst;
}

#endif /* __OOMX_GROWTH_RATE_H */

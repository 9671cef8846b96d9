/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between mrelease.bpf.c and mrelease.c. */
#ifndef __BENCH_MRELEASE_H
#define __BENCH_MRELEASE_H

enum mr_role {
	MR_EXIT,	/* the victim's own exit: exit_mmap() */
	MR_REAP,	/* the process_mrelease() caller: __oom_reap_task_mm() */
	MR_ROLES,
};

struct mr_stats {
	__u64 ptl_ns;		/* time in __pte_offset_map_lock(), its spin included */
	__u64 ptl_calls;
	__u64 contended;	/* lock contentions (contention_begin) */
	__u64 contended_ns;	/* their wait, to contention_end */
	__u64 spin_contended;	/* of which spinlocks (LCB_F_SPIN, no mutex) */
};

#endif /* __BENCH_MRELEASE_H */

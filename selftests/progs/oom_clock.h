/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between oom_clock.bpf.c and oom_clock.c. */
#ifndef __OOM_CLOCK_H
#define __OOM_CLOCK_H

#define OC_COMM_LEN 16

enum oc_kind {
	OC_KILL = 1,	/* mark_victim in oom_kill_process(): the OOM killer's victim */
	OC_MARK,	/* mark_victim elsewhere: an exiting task marked, no kill */
	OC_REAPED,	/* finish_task_reaping: the OOM reaper is done with it */
	OC_FREED,	/* exit_mmap() returned for its mm: none of its memory is left */
};

struct oc_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns() */
	__u64 decide_ns;	/* OC_KILL: first out_of_memory() to oom_kill_process() */
	__u64 call_ns;		/* OC_KILL: its own out_of_memory() call to oom_kill_process() */
	__u32 kind;
	__u32 tgid;		/* the victim process */
	__u32 pid;		/* OC_KILL, OC_REAPED: its thread the reaper works on */
	__u32 pad;
	char comm[OC_COMM_LEN];
};

#endif /* __OOM_CLOCK_H */

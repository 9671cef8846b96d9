/* SPDX-License-Identifier: GPL-2.0 */
/* Shared between victim_watch.bpf.c and victim_watch.c. */
#ifndef __VICTIM_WATCH_H
#define __VICTIM_WATCH_H

#define VW_COMM_LEN 16

struct vw_event {
	__u64 ts_ns;		/* bpf_ktime_get_ns() at mark_victim */
	__u32 pid;		/* the victim thread's pid ... */
	__u32 tgid;		/* ... and its process */
	__u32 uid;		/* as the tracepoint reports it */
	__s32 oom_score_adj;
	char comm[VW_COMM_LEN];
};

#endif /* __VICTIM_WATCH_H */

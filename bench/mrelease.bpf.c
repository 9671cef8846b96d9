// SPDX-License-Identifier: GPL-2.0
/*
 * mrelease: where the time goes while a victim's exit and a
 * process_mrelease() caller tear down the same mm (bench/mrelease.c). Per
 * role (the victim's exiting threads, the caller): time in
 * __pte_offset_map_lock(), which takes a page table's lock (its spin
 * included), and the lock contentions the kernel traces
 * (contention_begin/end: spinlocks, rwlocks and mutexes, no lockdep
 * needed); and when the victim's exit_mmap() ran. Tasks of no role cost a
 * pid comparison.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "mrelease.h"

char LICENSE[] SEC("license") = "GPL";

#define LCB_F_SPIN	(1U << 0)	/* include/trace/events/lock.h */
#define LCB_F_MUTEX	(1U << 5)

__u32 victim_tgid;		/* set by the loader */
__u32 reaper_pid;
struct mr_stats stats[MR_ROLES];
__u64 exit_mmap_start, exit_mmap_end;

/* a task's entry time into the traced function, by pid */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, __u32);
	__type(value, __u64);
} ptl_in SEC(".maps"), lock_in SEC(".maps");

/* the current task's counters, or NULL if it has no role */
static struct mr_stats *mine(void)
{
	__u64 id = bpf_get_current_pid_tgid();

	if (reaper_pid && (__u32)id == reaper_pid)
		return &stats[MR_REAP];
	if (victim_tgid && id >> 32 == victim_tgid)
		return &stats[MR_EXIT];
	return NULL;
}

static void enter(void *map)
{
	__u32 pid = (__u32)bpf_get_current_pid_tgid();
	__u64 now = bpf_ktime_get_ns();

	bpf_map_update_elem(map, &pid, &now, BPF_ANY);
}

/* ns since enter() of this task, or 0 */
static __u64 leave(void *map)
{
	__u32 pid = (__u32)bpf_get_current_pid_tgid();
	__u64 *t = bpf_map_lookup_elem(map, &pid);
	__u64 d;

	if (!t)
		return 0;
	d = bpf_ktime_get_ns() - *t;
	bpf_map_delete_elem(map, &pid);
	return d;
}

SEC("fentry/__pte_offset_map_lock")
int BPF_PROG(ptl_enter)
{
	if (mine())
		enter(&ptl_in);
	return 0;
}

SEC("fexit/__pte_offset_map_lock")
int BPF_PROG(ptl_exit)
{
	struct mr_stats *st = mine();

	if (!st)
		return 0;
	__sync_fetch_and_add(&st->ptl_ns, leave(&ptl_in));
	__sync_fetch_and_add(&st->ptl_calls, 1);
	return 0;
}

SEC("tp_btf/contention_begin")
int BPF_PROG(cont_begin, void *lock, unsigned int flags)
{
	struct mr_stats *st = mine();

	if (!st)
		return 0;
	enter(&lock_in);
	__sync_fetch_and_add(&st->contended, 1);
	if ((flags & LCB_F_SPIN) && !(flags & LCB_F_MUTEX))
		__sync_fetch_and_add(&st->spin_contended, 1);
	return 0;
}

SEC("tp_btf/contention_end")
int BPF_PROG(cont_end, void *lock, int ret)
{
	struct mr_stats *st = mine();

	if (st)
		__sync_fetch_and_add(&st->contended_ns, leave(&lock_in));
	return 0;
}

SEC("fentry/exit_mmap")
int BPF_PROG(mmap_enter, struct mm_struct *mm)
{
	if (mine() == &stats[MR_EXIT])
		exit_mmap_start = bpf_ktime_get_ns();
	return 0;
}

SEC("fexit/exit_mmap")
int BPF_PROG(mmap_exit, struct mm_struct *mm)
{
	if (mine() == &stats[MR_EXIT])
		exit_mmap_end = bpf_ktime_get_ns();
	return 0;
}

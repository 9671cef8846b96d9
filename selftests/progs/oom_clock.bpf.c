// SPDX-License-Identifier: GPL-2.0
/*
 * oom_clock: the OOM killer's timeline, for the scorecard (scorecard/).
 *
 * An OOM episode starts at the first out_of_memory() call after the last
 * kill (fentry; the calls are counted): retries that found a victim still
 * exiting, or a policy that asked the kernel to wait, all belong to it.
 * oom_kill_process() being entered (fentry) ends the decision: the scan and
 * the policy are done, and what follows, the OOM report on the console and
 * the kill, is the same for every policy. mark_victim inside it is the kill
 * (a mark outside it, the "current is exiting" shortcut of out_of_memory(),
 * sends no signal and is reported as such). Then the OOM reaper finishing
 * with the victim (tp finish_task_reaping) and exit_mmap() returning for
 * its mm (fexit): none of its memory is left. out_of_memory() runs under
 * oom_lock, so the globals below need no other locking. Nothing of it is
 * oom_ext's: it works on any 6.12 kernel with BTF.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "oom_clock.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* a victim's mm -> its tgid, until exit_mmap() of that mm returns */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u32);
} victim_mm SEC(".maps");

__u64 nr_ooms;
__u64 nr_lost;
__u64 episode_start;	/* first out_of_memory() since the last kill, or 0 */
__u64 decide_ns;	/* of the oom_kill_process() in progress */
__u64 call_ns;		/* ...from the start of its own out_of_memory() call */
__u32 killing_tid;	/* the thread in oom_kill_process(), or 0 */

static struct oc_event *reserve(__u32 kind, __u32 tgid, __u32 pid)
{
	struct oc_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		__sync_fetch_and_add(&nr_lost, 1);
		return NULL;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = bpf_ktime_get_ns();
	e->kind = kind;
	e->tgid = tgid;
	e->pid = pid;
	return e;
}

/* the out_of_memory() call in progress, by thread: when it began */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} call_start SEC(".maps");

SEC("fentry/out_of_memory")
int BPF_PROG(oc_oom, struct oom_control *oc)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 now = bpf_ktime_get_ns();

	nr_ooms++;
	if (!episode_start)
		episode_start = now;
	bpf_map_update_elem(&call_start, &tid, &now, BPF_ANY);
	return 0;
}

SEC("fexit/out_of_memory")
int BPF_PROG(oc_oom_done, struct oom_control *oc, bool ret)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();

	bpf_map_delete_elem(&call_start, &tid);
	return 0;
}

SEC("fentry/oom_kill_process")
int BPF_PROG(oc_decided, struct oom_control *oc, const char *message)
{
	__u64 now = bpf_ktime_get_ns();

	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 *start = bpf_map_lookup_elem(&call_start, &tid);

	decide_ns = episode_start && episode_start <= now ? now - episode_start : 0;
	call_ns = start && *start <= now ? now - *start : 0;
	episode_start = 0;
	killing_tid = tid;
	return 0;
}

SEC("fexit/oom_kill_process")
int BPF_PROG(oc_done, struct oom_control *oc, const char *message)
{
	killing_tid = 0;
	return 0;
}

SEC("tp_btf/mark_victim")
int BPF_PROG(oc_kill, struct task_struct *task, uid_t uid)
{
	bool kill = killing_tid && killing_tid == (__u32)bpf_get_current_pid_tgid();
	__u32 tgid = task->tgid;
	__u64 mm = (__u64)task->mm;
	struct oc_event *e;

	if (kill && mm)
		bpf_map_update_elem(&victim_mm, &mm, &tgid, BPF_ANY);
	e = reserve(kill ? OC_KILL : OC_MARK, tgid, task->pid);
	if (!e)
		return 0;
	e->decide_ns = kill ? decide_ns : 0;
	e->call_ns = kill ? call_ns : 0;
	bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), task->comm);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("tp_btf/finish_task_reaping")
int BPF_PROG(oc_reaped, int pid)
{
	struct oc_event *e = reserve(OC_REAPED, 0, pid);

	if (e)
		bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("fexit/exit_mmap")
int BPF_PROG(oc_freed, struct mm_struct *mm)
{
	__u64 key = (__u64)mm;
	__u32 *tgid = bpf_map_lookup_elem(&victim_mm, &key);
	struct oc_event *e;

	if (!tgid)
		return 0;
	e = reserve(OC_FREED, *tgid, 0);
	if (e)
		bpf_ringbuf_submit(e, 0);
	bpf_map_delete_elem(&victim_mm, &key);
	return 0;
}

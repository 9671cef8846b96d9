// SPDX-License-Identifier: GPL-2.0
/*
 * victim_watch: report every task the OOM killer marks as its victim.
 *
 * Proves the BPF toolchain end to end (clang-16, vmlinux.h from our kernel's
 * BTF, libbpf and bpftool from its tree, a skeleton, a ring buffer) before any
 * oom_ext hook exists. The mark_victim tracepoint fires from mark_oom_victim()
 * after the SIGKILL has been queued, for the kernel's victim and for every
 * task it kills as part of the same mm or memory.oom.group.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "victim_watch.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} events SEC(".maps");

/* Events that did not fit in the ring buffer: reported, never silent. */
__u64 nr_lost;

SEC("tp_btf/mark_victim")
int BPF_PROG(handle_mark_victim, struct task_struct *task, uid_t uid)
{
	struct vw_event *e;

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		__sync_fetch_and_add(&nr_lost, 1);
		return 0;
	}
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = task->pid;
	e->tgid = task->tgid;
	e->uid = uid;
	e->oom_score_adj = task->signal->oom_score_adj;
	bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), task->comm);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

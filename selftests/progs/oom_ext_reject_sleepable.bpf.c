// SPDX-License-Identifier: GPL-2.0
/*
 * Must NOT load: a sleepable badness callback. badness runs under
 * oom_lock on the allocation path, where sleeping can deadlock.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops.s/badness")
s64 BPF_PROG(reject_sleepable_badness, struct task_struct *p, struct oom_control *oc,
	     s64 points)
{
	return points;
}

SEC(".struct_ops.link")
struct oom_ext_ops reject_sleepable_ops = {
	.badness = (void *)reject_sleepable_badness,
	.name = "reject_sleepable",
};

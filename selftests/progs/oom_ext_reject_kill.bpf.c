// SPDX-License-Identifier: GPL-2.0
/*
 * Must NOT load: bpf_oom_ext_kill() from badness. Only select() may kill;
 * a kill in the middle of the scan would race the kernel's own choice.
 */
#include "oom_ext.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/badness")
s64 BPF_PROG(reject_kill_badness, struct task_struct *p, struct oom_control *oc,
	     s64 points)
{
	bpf_oom_ext_kill(oc, p, 0);
	return points;
}

SEC(".struct_ops.link")
struct oom_ext_ops reject_kill_ops = {
	.badness = (void *)reject_kill_badness,
	.name = "reject_kill",
};

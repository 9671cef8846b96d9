// SPDX-License-Identifier: GPL-2.0
/*
 * Must NOT load: a policy that writes to the oom_control it is given.
 * A policy proposes points; it never changes the kernel's state.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/badness")
s64 BPF_PROG(reject_write_badness, struct task_struct *p, struct oom_control *oc, s64 points)
{
	oc->totalpages = 1;	/* the verifier must refuse this store */
	return points;
}

SEC(".struct_ops.link")
struct oom_ext_ops reject_write_ops = {
	.badness = (void *)reject_write_badness,
	.name = "reject_write",
};

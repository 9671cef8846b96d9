// SPDX-License-Identifier: GPL-2.0
/*
 * oom_ext_attach: the smallest oom_ext policy. It scores nothing and kills
 * nothing; it exists to test registration: attach, the one-policy rule,
 * detach, and the exit information the kernel hands to .exit.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

/* Filled by .exit: why the kernel detached us. */
__s32 exit_kind;
__s64 exit_code;
char exit_reason[128];
char exit_msg[1024];
__u32 nr_init;
__u32 nr_exit;

SEC("struct_ops.s/init")
s32 BPF_PROG(attach_init)
{
	nr_init++;
	return 0;
}

SEC("struct_ops.s/exit")
void BPF_PROG(attach_exit, const struct oom_ext_exit_info *ei)
{
	exit_kind = ei->kind;
	exit_code = ei->exit_code;
	bpf_probe_read_kernel_str(exit_reason, sizeof(exit_reason), ei->reason);
	bpf_probe_read_kernel_str(exit_msg, sizeof(exit_msg), ei->msg);
	nr_exit++;
}

SEC(".struct_ops.link")
struct oom_ext_ops attach_ops = {
	.init = (void *)attach_init,
	.exit = (void *)attach_exit,
	.name = "selftest",
};

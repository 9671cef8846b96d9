// SPDX-License-Identifier: GPL-2.0
/*
 * trigger: start the OOM killer for memory pressure. oomx fills trig (the
 * scope, the PSI trigger that tripped and the stall it measured) and runs
 * the program with BPF_PROG_RUN; bpf_oom_ext_trigger_oom() runs the OOM
 * killer, with the attached policy, and says whom it killed. No context is
 * passed: the syscall copies nothing in, so starting an OOM allocates
 * nothing (user/pressure.c).
 */
#include "oom_ext.bpf.h"

s32 bpf_oom_ext_trigger_oom(struct oom_ext_trigger *t, u32 t__sz) __ksym __weak;

struct oom_ext_trigger trig;
int trig_ret;

SEC("syscall")
int oomx_trigger(void *ctx)
{
	trig_ret = bpf_oom_ext_trigger_oom(&trig, sizeof(trig));
	return 0;
}

char LICENSE[] SEC("license") = "GPL";

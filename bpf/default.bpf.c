// SPDX-License-Identifier: GPL-2.0
/*
 * default: the kernel's own heuristic, as a policy.
 *
 * badness() returns the points the kernel computed (oom_badness(): resident
 * pages + swap entries + page-table pages, shifted by oom_score_adj), so the
 * victim is the one the kernel would choose. What the policy adds is the
 * explanation: every kill and reap becomes an event with the scores, the
 * runner-up and the memory breakdown, and the reaper knobs become
 * settable. It is also the baseline every other policy is compared with.
 */
#define OOMX_POLICY_NAME "default"
#include "oomx.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/badness")
s64 BPF_PROG(default_badness, struct task_struct *p, struct oom_control *oc,
	     s64 points)
{
	oomx_scan_note(p, points);
	return points;
}

OOMX_SELECT_SCAN_ONLY(default_select)

static __always_inline const char *
oomx_explain(struct task_struct *victim, const struct oom_ext_kill_info *info)
{
	return "largest oom_badness (rss+swap+page tables, oom_score_adj)";
}

OOMX_OPS_DEFINE(default_ops,
	.badness	= (void *)default_badness,
	.select		= (void *)default_select,
);

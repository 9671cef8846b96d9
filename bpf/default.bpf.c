// SPDX-License-Identifier: GPL-2.0
/*
 * default: the kernel's own heuristic, as a policy.
 *
 * The score is the points the kernel computed (oom_badness(): resident
 * pages + swap entries + page-table pages, shifted by oom_score_adj), so
 * the victim is the one the kernel would choose. What the policy adds is
 * the explanation: every kill and reap becomes an event with the scores,
 * the runner-up and the memory breakdown, and the reaper knobs become
 * settable. It is also the baseline every other policy is compared with.
 */
#define OOMX_POLICY_NAME	"default"
#define OOMX_POLICY_SUMMARY	"the kernel's own heuristic, with every kill and reap explained"
#define OOMX_SCORE		default_score
#define OOMX_EXPLAIN		default_explain
#include "oomx.bpf.h"

static s64 default_score(struct task_struct *p, struct oom_control *oc, s64 points)
{
	return points;
}

static const char *default_explain(struct task_struct *victim,
				   const struct oom_ext_kill_info *info)
{
	return "largest oom_badness (rss+swap+page tables, oom_score_adj)";
}

// SPDX-License-Identifier: GPL-2.0
/*
 * pressure: honour memory.min and memory.low, which the kernel's OOM killer
 * ignores.
 *
 * oom_badness() scores a task by its own size only: a service that stays
 * well within the memory.low its cgroup was promised loses its largest
 * process before a neighbour that is far over its own. Reclaim respects
 * those protections (mem_cgroup_calculate_protection()); the OOM killer
 * does not. This policy ranks cgroups the way oomd and systemd-oomd do,
 * by how far their usage exceeds their protection, and kills the largest
 * task of the cgroup that exceeds it most (pressure_score.h has the
 * arithmetic). Tasks of cgroups within their protection score by size
 * alone, below every task of a cgroup over it. No configuration: the
 * protections are the configuration, set where they already live, in the
 * cgroup tree.
 */
#define OOMX_POLICY_NAME	"pressure"
#define OOMX_POLICY_SUMMARY	"honours memory.min/low: the cgroup most above its protection loses its largest task"
#define OOMX_SCORE		pressure_score_task
#define OOMX_EXPLAIN		pressure_explain
#include "oomx.bpf.h"
#include "pressure_score.h"

/* how far @p's memory cgroup is above its protection, in pages */
static __always_inline u64 excess_pages(struct task_struct *p)
{
	struct oomx_memcg mc;

	if (oomx_memcg_info(p, &mc))
		return 0;
	return pressure_excess(mc.id, mc.usage, mc.min, mc.low, OOMX_PAGE_SIZE);
}

/*
 * A memcg OOM's scan meets the tasks cgroup by cgroup: keep the last
 * cgroup's excess instead of asking the kernel again for each of its
 * tasks, for the OOM in progress only.
 */
__u64 last_cgroup;	/* cgroup id */
__u64 last_oom;		/* oomx_oom_seq when it was computed */
__u64 last_excess;

static s64 pressure_score_task(struct task_struct *p, struct oom_control *oc, s64 points)
{
	u64 id = p->cgroups->dfl_cgrp->kn->id;

	if (id != last_cgroup || last_oom != oomx_oom_seq) {
		last_excess = excess_pages(p);
		last_cgroup = id;
		last_oom = oomx_oom_seq;
	}
	return pressure_score(last_excess, points);
}

char reason_buf[OOMX_REASON_LEN];

static const char *pressure_explain(struct task_struct *victim,
				    const struct oom_ext_kill_info *info)
{
	u64 excess = excess_pages(victim);

	if (!excess)
		return "no cgroup above its protection: the largest task";
	BPF_SNPRINTF(reason_buf, sizeof(reason_buf),
		     "its cgroup is %llu MiB above memory.min/low, most of all",
		     excess / 256);
	return reason_buf;
}

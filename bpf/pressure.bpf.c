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
 * task of the cgroup that exceeds it most:
 *
 *	excess = usage - max(memory.min, memory.low), or 0 if under it
 *	score  = excess in pages * 2^24 + the kernel's points (capped at 2^24)
 *
 * Tasks of cgroups within their protection score by size alone, below
 * every task of a cgroup over it. No configuration: the protections are
 * the configuration, set where they already live, in the cgroup tree.
 */
#define OOMX_POLICY_NAME "pressure"
#include "oomx.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define SIZE_BITS	24	/* 2^24 pages: 64 GiB of resolution within a cgroup */

/* how far @p's memory cgroup is above its protection, in pages */
static __always_inline u64 excess_pages(struct task_struct *p)
{
	struct oom_ext_memcg mc = {};
	u64 prot;

	if (bpf_oom_ext_memcg_info(p, &mc, sizeof(mc)))
		return 0;
	prot = mc.min > mc.low ? mc.min : mc.low;
	if (prot == (u64)-1 || mc.usage <= prot)
		return 0;
	return (mc.usage - prot) / OOMX_PAGE_SIZE;
}

/*
 * A memcg OOM's scan meets the tasks cgroup by cgroup: keep the last
 * cgroup's excess instead of asking the kernel again for each of its
 * tasks. Forgotten by select at the start of every OOM.
 */
__u64 last_cgroup;	/* cgroup id, 0 for none */
__u64 last_excess;

static __always_inline u64 scan_excess(struct task_struct *p)
{
	u64 id = p->cgroups->dfl_cgrp->kn->id;

	if (!id || id != last_cgroup) {
		last_excess = excess_pages(p);
		last_cgroup = id;
	}
	return last_excess;
}

SEC("struct_ops/badness")
s64 BPF_PROG(pressure_badness, struct task_struct *p, struct oom_control *oc,
	     s64 points)
{
	u64 excess = scan_excess(p);
	s64 score;

	/* stay below OOM_EXT_POINTS_MAX (2^60): 2^36 pages are 256 TiB */
	if (excess >= (1ULL << 35))
		excess = (1ULL << 35) - 1;
	if (points < 0)
		points = 0;
	if (points >= (1LL << SIZE_BITS))
		points = (1LL << SIZE_BITS) - 1;
	score = (s64)(excess << SIZE_BITS) + points;
	oomx_scan_note(p, score);
	return score;
}

SEC("struct_ops/select")
s32 BPF_PROG(pressure_select, struct oom_control *oc)
{
	oomx_scan_begin();
	last_cgroup = 0;
	return OOM_EXT_SELECT_DEFER;	/* the kernel scans, with this badness */
}

char reason_buf[OOMX_REASON_LEN];

static __always_inline const char *
oomx_explain(struct task_struct *victim, const struct oom_ext_kill_info *info)
{
	u64 excess = excess_pages(victim);

	if (!excess)
		return "no cgroup above its protection: the largest task";
	BPF_SNPRINTF(reason_buf, sizeof(reason_buf),
		     "its cgroup is %llu MiB above memory.min/low, most of all",
		     excess / 256);
	return reason_buf;
}

OOMX_OPS_DEFINE(pressure_ops,
	.badness	= (void *)pressure_badness,
	.select		= (void *)pressure_select,
);

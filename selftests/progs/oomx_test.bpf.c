// SPDX-License-Identifier: GPL-2.0
/*
 * oomx_test: a policy whose behaviour the VM tests script through globals
 * (set by selftests/progs/policy_run --set NAME=VALUE before loading) and
 * whose observations they read back (policy_run prints every global when
 * the policy is detached). It is deliberately not a useful policy: each
 * knob exercises one rule of the kernel's side.
 */
#include "oomx.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* knobs; a tgid of 0 matches nothing */
u32 protect_tgid;	/* badness: OOM_EXT_NEVER for this process */
u32 pick_tgid;		/* badness: OOM_EXT_PICK for this process */
u32 bad_tgid;		/* badness: an invalid value for this process */
u32 error_tgid;		/* badness: oom_ext_error() on this process */
u32 reject_all;		/* badness: OOM_EXT_NEVER for everyone */
u32 no_badness;		/* badness: return the kernel's points untouched */
u32 select_kill_tgid;	/* select: kill this process through the kfunc */
u32 select_kill_memcg;	/* ...with OOM_EXT_KILL_MEMCG */
u32 select_lie;		/* select: return 1 without killing */
u32 refuse_pids[4];	/* select: try to kill these first, record errors */
u32 reap_delay = 2000;	/* reap_delay_ms */
u32 victim_timeout;	/* victim_timeout_ms */

/* observations */
u64 nr_badness;
u64 nr_badness_mismatch;	/* kernel_badness kfunc != points argument */
u64 nr_select;
s32 refuse_ret[4];
s32 select_kill_ret;	/* of the first select() call */
u64 nr_killed;		/* killed_* below describe the first kill */
u32 killed_tgids[4];	/* the first four victims, in order */
u32 killed_tgid;
u32 killed_kind;
u32 killed_constraint;
s64 killed_kernel_points;
s64 killed_policy_points;
u64 killed_memcg_id;
u64 killed_victim_memcg_id;
u64 killed_group_memcg_id;
u64 killed_rss_pages;
s32 killed_memcg_ret;
u64 killed_memcg_max;
u64 killed_memcg_usage;
u64 nr_reaped;
u32 reaped_tgid;
s32 reaped_result;
u32 reaped_attempts;
u64 reaped_since_kill_ms;
u64 reaped_rss_before;
u64 reaped_rss_after;
u64 nr_reap_delay;

OOMX_EXIT_DEFINE(uei);

SEC("struct_ops/badness")
s64 BPF_PROG(test_badness, struct task_struct *p, struct oom_control *oc,
	     s64 points)
{
	u32 tgid = p->tgid;

	nr_badness++;
	if (bpf_oom_ext_kernel_badness(oc, p) != points)
		nr_badness_mismatch++;

	if (no_badness)
		return points;
	if (tgid == error_tgid) {
		oom_ext_error("asked to fail on %d", tgid);
		return points;
	}
	if (tgid == bad_tgid)
		return OOM_EXT_POINTS_MAX + 1;
	if (reject_all || tgid == protect_tgid)
		return OOM_EXT_NEVER;
	if (tgid == pick_tgid)
		return OOM_EXT_PICK;
	return points;
}

static s32 try_kill(struct oom_control *oc, u32 pid, u64 flags)
{
	struct task_struct *p;
	s32 ret;

	p = bpf_task_from_pid(pid);
	if (!p)
		return -3;	/* -ESRCH: no such pid */
	ret = bpf_oom_ext_kill(oc, p, flags);
	bpf_task_release(p);
	return ret;
}

SEC("struct_ops/select")
s32 BPF_PROG(test_select, struct oom_control *oc)
{
	s32 ret;
	int i;

	nr_select++;
	for (i = 0; i < 4; i++)
		if (refuse_pids[i])
			refuse_ret[i] = try_kill(oc, refuse_pids[i], 0);

	if (select_lie)
		return 1;
	if (!select_kill_tgid)
		return 0;
	ret = try_kill(oc, select_kill_tgid, select_kill_memcg ? OOM_EXT_KILL_MEMCG : 0);
	/* the first OOM's answer: a second OOM may come while the victim exits */
	if (nr_select == 1)
		select_kill_ret = ret;
	return ret == 0;
}

SEC("struct_ops/killed")
void BPF_PROG(test_killed, struct task_struct *victim, struct oom_control *oc,
	      const struct oom_ext_kill_info *info)
{
	struct oom_ext_memcg mc = {};

	if (nr_killed < 4)
		killed_tgids[nr_killed & 3] = victim->tgid;
	/*
	 * The details are the first kill's: a memcg OOM can take a second
	 * victim while the first exits (see abc_expect in selftests/vm/lib.sh).
	 */
	if (nr_killed++)
		return;
	killed_tgid = victim->tgid;
	killed_kind = info->kind;
	killed_constraint = info->constraint;
	killed_kernel_points = info->kernel_points;
	killed_policy_points = info->policy_points;
	killed_memcg_id = info->memcg_id;
	killed_victim_memcg_id = info->victim_memcg_id;
	killed_group_memcg_id = info->group_memcg_id;
	killed_rss_pages = info->mem.rss_anon + info->mem.rss_file +
			   info->mem.rss_shmem;

	killed_memcg_ret = bpf_oom_ext_memcg_info(victim, &mc, sizeof(mc));
	killed_memcg_max = mc.max;
	killed_memcg_usage = mc.usage;
}

SEC("struct_ops/reap_delay_ms")
u32 BPF_PROG(test_reap_delay_ms, struct task_struct *victim)
{
	nr_reap_delay++;
	return reap_delay;
}

SEC("struct_ops/reaped")
void BPF_PROG(test_reaped, struct task_struct *victim,
	      const struct oom_ext_reap_info *info)
{
	nr_reaped++;
	reaped_tgid = victim->tgid;
	reaped_result = info->result;
	reaped_attempts = info->attempts;
	reaped_since_kill_ms = info->since_kill_ns / 1000000;
	reaped_rss_before = info->rss_before;
	reaped_rss_after = info->rss_after;
}

SEC("struct_ops/victim_timeout_ms")
u32 BPF_PROG(test_victim_timeout_ms)
{
	return victim_timeout;
}

SEC("struct_ops.s/exit")
void BPF_PROG(test_exit, const struct oom_ext_exit_info *ei)
{
	oomx_exit_record(&uei, ei);
}

SEC(".struct_ops.link")
struct oom_ext_ops test_ops = {
	.badness		= (void *)test_badness,
	.select			= (void *)test_select,
	.killed			= (void *)test_killed,
	.reap_delay_ms		= (void *)test_reap_delay_ms,
	.reaped			= (void *)test_reaped,
	.victim_timeout_ms	= (void *)test_victim_timeout_ms,
	.exit			= (void *)test_exit,
	.name			= "oomx_test",
};

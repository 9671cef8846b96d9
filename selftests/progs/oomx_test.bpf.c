// SPDX-License-Identifier: GPL-2.0
/*
 * oomx_test: a policy whose behaviour the VM tests script through globals
 * (set by selftests/progs/policy_run --set NAME=VALUE before loading) and
 * whose observations they read back (policy_run prints every global when
 * the policy is detached). It is deliberately not a useful policy: each
 * knob exercises one rule of the kernel's side.
 */
#include "oom_ext.bpf.h"

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
u32 select_next_tgid;	/* select: once select_kill_tgid was accepted, kill this */
u32 select_wait;	/* select: return OOM_EXT_SELECT_WAIT */
u32 select_lie;		/* select: return 1 without killing */
u32 refuse_pids[4];	/* select: try to kill these first, record errors */
u32 reap_delay = 2000;	/* reap_delay_ms */
u32 victim_timeout;	/* victim_timeout_ms */
u32 reaped_burn_ms;	/* reaped: spin this long before returning */
u32 kill_mode_ret;	/* kill_mode: return this (0: memory.oom.group decides) */

/* fault: one way to misbehave, for the fault matrix (selftests/vm/oom-ext-errors.sh) */
enum {
	FAULT_NONE,
	FAULT_SELECT_RET,	/* select() returns 7 */
	FAULT_SELECT_ERR,	/* oom_ext_error() in select() */
	FAULT_SELECT_REFUSED,	/* a kill of init, refused; returns KILLED anyway */
	FAULT_BADNESS_EXIT,	/* oom_ext_exit() in badness(): a graceful abort mid-scan */
	FAULT_BADNESS_BURN,	/* badness() spins 1.5 s per task in bpf_loop() */
	FAULT_KILLED_ERR,	/* oom_ext_error() in killed() */
	FAULT_REAP_DELAY_ERR,	/* oom_ext_error() in reap_delay_ms() */
	FAULT_REAPED_ERR,	/* oom_ext_error() in reaped() */
	FAULT_TIMEOUT_ERR,	/* oom_ext_error() in victim_timeout_ms() */
};
u32 fault;

/* observations */
u64 nr_badness;
u64 nr_badness_mismatch;	/* kernel_badness kfunc != points argument */
u64 nr_select;
s32 refuse_ret[4];
s32 select_kill_ret;	/* of the first select() call */
u64 nr_select_accepted;	/* bpf_oom_ext_kill() calls that returned 0 */
u64 nr_select_next;	/* select() calls that tried select_next_tgid */
s32 select_next_ret;	/* the first such try's answer */
u64 killed_ns[4];	/* bpf_ktime_get_ns() of the first four kills */
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
u32 killed_kill_mode;
u64 nr_kill_mode;
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
u64 reaped_start_ns;	/* reaped() of the first victim, entry and return */
u64 reaped_end_ns;

OOMX_EXIT_DEFINE(uei);

static u64 burn_until;

/* up to 2^23 steps of 64 clock reads: seconds, even on a fast CPU */
static int burn_step(u32 i, void *ctx)
{
	int j;

	for (j = 0; j < 64; j++)
		if (bpf_ktime_get_ns() >= burn_until)
			return 1;
	return 0;
}

SEC("struct_ops/badness")
s64 BPF_PROG(test_badness, struct task_struct *p, struct oom_control *oc,
	     s64 points)
{
	u32 tgid = p->tgid;

	nr_badness++;
	if (bpf_oom_ext_kernel_badness(oc, p) != points)
		nr_badness_mismatch++;

	if (fault == FAULT_BADNESS_EXIT) {
		oom_ext_exit(42, "leaving mid-scan at %d", tgid);
		return points;
	}
	if (fault == FAULT_BADNESS_BURN) {
		burn_until = bpf_ktime_get_ns() + 1500 * 1000000ULL;
		bpf_loop(1 << 23, burn_step, NULL, 0);
		return points;
	}
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

	if (fault == FAULT_SELECT_RET)
		return 7;
	if (fault == FAULT_SELECT_ERR) {
		oom_ext_error("select() gives up");
		return OOM_EXT_SELECT_DEFER;
	}
	if (fault == FAULT_SELECT_REFUSED) {
		select_kill_ret = try_kill(oc, 1, 0);
		return OOM_EXT_SELECT_KILLED;
	}
	if (select_lie)
		return OOM_EXT_SELECT_KILLED;
	if (select_wait)
		return OOM_EXT_SELECT_WAIT;
	if (select_next_tgid && nr_select_accepted) {
		ret = try_kill(oc, select_next_tgid, 0);
		if (!nr_select_next++)
			select_next_ret = ret;
		return ret ? OOM_EXT_SELECT_DEFER : OOM_EXT_SELECT_KILLED;
	}
	if (!select_kill_tgid)
		return OOM_EXT_SELECT_DEFER;
	ret = try_kill(oc, select_kill_tgid, select_kill_memcg ? OOM_EXT_KILL_MEMCG : 0);
	if (nr_select == 1)
		select_kill_ret = ret;
	if (ret)
		return OOM_EXT_SELECT_DEFER;
	nr_select_accepted++;
	return OOM_EXT_SELECT_KILLED;
}

SEC("struct_ops/killed")
void BPF_PROG(test_killed, struct task_struct *victim, struct oom_control *oc,
	      const struct oom_ext_kill_info *info)
{
	struct oom_ext_memcg mc = {};

	if (fault == FAULT_KILLED_ERR)
		oom_ext_error("killed() gives up on %d", victim->tgid);
	if (nr_killed < 4) {
		killed_tgids[nr_killed & 3] = victim->tgid;
		killed_ns[nr_killed & 3] = bpf_ktime_get_ns();
	}
	/* the details are the first kill's */
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
	killed_kill_mode = info->kill_mode;
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
	if (fault == FAULT_REAP_DELAY_ERR)
		oom_ext_error("reap_delay_ms() gives up on %d", victim->tgid);
	return reap_delay;
}

SEC("struct_ops/reaped")
void BPF_PROG(test_reaped, struct task_struct *victim,
	      const struct oom_ext_reap_info *info)
{
	if (fault == FAULT_REAPED_ERR)
		oom_ext_error("reaped() gives up on %d", victim->tgid);
	if (!nr_reaped && reaped_burn_ms) {
		reaped_start_ns = bpf_ktime_get_ns();
		burn_until = reaped_start_ns + reaped_burn_ms * 1000000ULL;
		bpf_loop(1 << 23, burn_step, NULL, 0);
		reaped_end_ns = bpf_ktime_get_ns();
	}
	nr_reaped++;
	reaped_tgid = victim->tgid;
	reaped_result = info->result;
	reaped_attempts = info->attempts;
	reaped_since_kill_ms = info->since_kill_ns / 1000000;
	reaped_rss_before = info->rss_before;
	reaped_rss_after = info->rss_after;
}

SEC("struct_ops/kill_mode")
u32 BPF_PROG(test_kill_mode, struct task_struct *victim, struct oom_control *oc)
{
	nr_kill_mode++;
	return kill_mode_ret;
}

SEC("struct_ops/victim_timeout_ms")
u32 BPF_PROG(test_victim_timeout_ms)
{
	if (fault == FAULT_TIMEOUT_ERR)
		oom_ext_error("victim_timeout_ms() gives up");
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
	.kill_mode		= (void *)test_kill_mode,
	.exit			= (void *)test_exit,
	.name			= "oomx_test",
};

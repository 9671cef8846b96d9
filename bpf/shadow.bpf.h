/* SPDX-License-Identifier: GPL-2.0 */
/*
 * shadow.bpf.h - a policy run in the shadow of whatever decides (included
 * by oomx.bpf.h for a policy with OOMX_SCORE; docs/shadow.md).
 *
 * At every real OOM kill, fentry/oom_kill_process() walks the OOM's
 * candidates the way the kernel's scan does, gives each the kernel's
 * points as oom_badness() computes them, asks the policy's score, and
 * reports whom the policy would have killed, with its score and runner-up,
 * next to the real victim (an OOMX_EV_SHADOW event). It never kills and
 * cannot change the decision: a tracing program only reads. It needs no
 * oom_ext: it runs on a 6.12 kernel without the series, where the loader
 * loads this program alone (oomx_shadow_mode), so the oom_ext kfuncs and
 * types are never referenced.
 *
 * The walk follows oom_evaluate_task() and oom_badness(): kernel threads,
 * init, tasks without an mm, oom_score_adj -1000, an mm with MMF_OOM_SKIP
 * and a parent in vfork() are skipped; a memcg OOM walks its memcg
 * subtree. It does not apply a cpuset's or a mempolicy's constraint (it
 * scores every process of such an OOM), and it reads each process's
 * leader: a process whose leader has exited is skipped.
 */
#ifndef __OOMX_SHADOW_BPF_H
#define __OOMX_SHADOW_BPF_H


struct oomx_shadow_stats oomx_shadow;

#define OOMX_MMF_OOM_SKIP	21		/* include/linux/mm_types.h */
#define OOMX_OOM_SCORE_ADJ_MIN	(-1000)		/* include/uapi/linux/oom.h */
#define OOMX_PF_KTHREAD		0x00200000	/* include/linux/sched.h */

/* the walk's count lives in a global, so that the verifier proves the loop by convergence */
static u32 oomx_shadow_walked;

/* the percpu_counter's shared count, as get_mm_counter() reads it (a constant @member) */
#define oomx_mm_counter(mm, member)						\
({										\
	s64 ___v = BPF_CORE_READ(mm, rss_stat[member].count);			\
	___v > 0 ? ___v : 0;							\
})

/* oom_badness() of @p, whose mm is @mm, or OOM_EXT_NEVER for a task it skips */
static __always_inline s64 oomx_shadow_badness(struct task_struct *p, struct mm_struct *mm,
					       u64 totalpages)
{
	s64 adj = BPF_CORE_READ(p, signal, oom_score_adj);
	s64 points;

	if (adj == OOMX_OOM_SCORE_ADJ_MIN ||
	    (BPF_CORE_READ(mm, flags) & (1UL << OOMX_MMF_OOM_SKIP)))
		return OOM_EXT_NEVER;
	/* in_vfork(): its mm is its vfork parent's */
	if (BPF_CORE_READ(p, vfork_done) && BPF_CORE_READ(p, real_parent, mm) == mm)
		return OOM_EXT_NEVER;
	points = oomx_mm_counter(mm, MM_FILEPAGES) + oomx_mm_counter(mm, MM_ANONPAGES) +
		 oomx_mm_counter(mm, MM_SHMEMPAGES) + oomx_mm_counter(mm, MM_SWAPENTS) +
		 (s64)((u64)BPF_CORE_READ(mm, pgtables_bytes.counter) / OOMX_PAGE_SIZE);
	return points + adj * (s64)(totalpages / 1000);
}

/* is @p's memory cgroup @target or below it (@target at @level)? */
static __always_inline bool oomx_shadow_in_memcg(struct task_struct *p, struct cgroup *target,
						 int level)
{
	struct cgroup_subsys_state *css = oomx_task_memcg_css(p);
	struct cgroup *cg = css ? BPF_CORE_READ(css, cgroup) : NULL;
	struct cgroup *anc = NULL;

	if (!cg || BPF_CORE_READ(cg, level) < level)
		return false;
	bpf_probe_read_kernel(&anc, sizeof(anc), (void *)cg +
			      bpf_core_field_offset(struct cgroup, ancestors) +
			      level * sizeof(struct cgroup *));
	return anc == target;
}

static __always_inline void oomx_shadow_stop(const char *why)
{
	if (!oomx_shadow.stopped) {
		bpf_probe_read_kernel_str(oomx_shadow.reason, sizeof(oomx_shadow.reason), why);
		oomx_shadow.stopped = 1;
	}
}

/*
 * The walk's choices so far. In a global, not on the stack: the verifier
 * then knows nothing of their values from one iteration to the next, and
 * proves the iterator loop by convergence, whatever the policy's score
 * does with its numbers.
 */
struct oomx_shadow_pick {
	u32 pid, tid;
	s64 points, kernel_points;
	u32 second_pid;
	s64 second_points;
	u32 scored;
	u32 real_scored;	/* the real victim was scored, at real_points */
	s64 real_points;
	char comm[OOMX_COMM_LEN];
};

static struct oomx_shadow_pick oomx_shadow_best;

/* the OOM being evaluated: the score sees it read-only (bpf_core_cast()) */
static u64 oomx_shadow_oc;

/*
 * The policy's score for one task, in a global function: the verifier
 * checks it once, on its own, instead of inside every turn of the walk,
 * which a score with loops of its own (a cgroup walk) would make too
 * complex to prove.
 */
__noinline s64 oomx_shadow_score(struct task_struct *p __arg_trusted, s64 points)
{
	struct oom_control *oc = bpf_core_cast((void *)oomx_shadow_oc, struct oom_control);

	/* also keeps @p an argument clang passes, for a score that ignores it */
	if (!p)
		return OOM_EXT_NEVER;
	return OOMX_SCORE(p, oc, points);
}

SEC("fentry/oom_kill_process")
int BPF_PROG(oomx_shadow_eval, struct oom_control *oc, const char *message)
{
	struct oomx_shadow_pick *best = &oomx_shadow_best;
	struct mem_cgroup *memcg = BPF_CORE_READ(oc, memcg);
	struct cgroup *target = memcg ? BPF_CORE_READ(memcg, css.cgroup) : NULL;
	int level = target ? BPF_CORE_READ(target, level) : 0;
	u64 totalpages = BPF_CORE_READ(oc, totalpages);
	u64 t0 = bpf_ktime_get_ns(), dt;
	struct bpf_iter_task it;
	struct oomx_event *ev;
	struct task_struct *p;
	u32 real;
	bool agree;

	if (!oomx_shadow_mode || oomx_shadow.stopped)
		return 0;
	oomx_shadow_walked = 0;
	oomx_shadow_oc = (u64)oc;
	oomx_oom_seq++;		/* a new OOM for the score's per-OOM caches */
	real = BPF_CORE_READ(oc, chosen, tgid);
	__builtin_memset(best, 0, sizeof(*best));
	best->points = OOM_EXT_NEVER;
	best->second_points = OOM_EXT_NEVER;
	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_PROCS);
	while ((p = bpf_iter_task_next(&it))) {
		struct mm_struct *mm;
		s64 kpoints, s;

		if (oomx_shadow_walked >= OOMX_SHADOW_MAX_TASKS)
			break;
		oomx_shadow_walked++;
		if ((p->flags & OOMX_PF_KTHREAD) || p->tgid == 1)
			continue;
		mm = p->mm;
		if (!mm || (target && !oomx_shadow_in_memcg(p, target, level)))
			continue;
		kpoints = oomx_shadow_badness(p, mm, totalpages);
		/* read without task_lock(): an mm that went meanwhile gave nothing sure */
		if (kpoints == OOM_EXT_NEVER || p->mm != mm)
			continue;
		s = oomx_shadow_score(p, kpoints);
		best->scored++;
		if (s != OOM_EXT_NEVER && s != OOM_EXT_PICK &&
		    (s < -OOM_EXT_POINTS_MAX || s > OOM_EXT_POINTS_MAX)) {
			oomx_shadow_stop("the score is out of range (beyond +-OOM_EXT_POINTS_MAX)");
			break;
		}
		if (s == OOM_EXT_NEVER)
			continue;
		if (p->tgid == real) {
			best->real_scored = 1;
			best->real_points = s;
		}
		if (s == OOM_EXT_PICK || !best->pid || s >= best->points) {
			best->second_pid = best->pid;
			best->second_points = best->points;
			best->pid = p->tgid;
			best->tid = p->pid;
			best->points = s;
			best->kernel_points = kpoints;
			__builtin_memcpy(best->comm, p->comm, sizeof(best->comm));
			if (s == OOM_EXT_PICK)
				break;
		} else if (!best->second_pid || s >= best->second_points) {
			best->second_pid = p->tgid;
			best->second_points = s;
		}
	}
	bpf_iter_task_destroy(&it);
	if (oomx_shadow.stopped)
		return 0;
	dt = bpf_ktime_get_ns() - t0;
	/*
	 * The kernel's scan meets a memcg's tasks in another order than this
	 * walk, and both give a tie to the later task: a real victim with the
	 * shadow's best score is agreement, whoever came later.
	 */
	agree = best->pid && (best->pid == real ||
			      (best->real_scored && best->real_points == best->points));
	if (dt > OOMX_SHADOW_BUDGET_NS)
		oomx_shadow_stop("one OOM's evaluation took longer than 100 ms");

	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev) {
		__sync_fetch_and_add(&oomx_lost_events, 1);
	} else {
		__builtin_memset(ev, 0, sizeof(*ev));
		ev->type = OOMX_EV_SHADOW;
		ev->pid = best->pid;
		ev->tid = best->tid;
		ev->time_ns = bpf_ktime_get_boot_ns();
		__builtin_memcpy(ev->policy, OOMX_POLICY_NAME, sizeof(OOMX_POLICY_NAME));
		__builtin_memcpy(ev->comm, best->comm, sizeof(ev->comm));
		ev->constraint = BPF_CORE_READ(oc, constraint);
		ev->memcg_id = target ? BPF_CORE_READ(target, kn, id) : 0;
		ev->policy_points = best->points;
		ev->kernel_points = best->kernel_points;
		ev->totalpages = totalpages;
		ev->nr_scored = best->scored;
		ev->runner_up_pid = best->second_pid;
		ev->runner_up_points = best->second_pid ? best->second_points : OOM_EXT_NEVER;
		ev->real_pid = real;
		ev->agree = agree;
		ev->truncated = oomx_shadow_walked >= OOMX_SHADOW_MAX_TASKS;
		ev->shadow_ns = dt;
		bpf_ringbuf_submit(ev, 0);
	}
	oomx_shadow.ooms++;
	if (agree)
		oomx_shadow.agree++;
	if (!best->pid)
		oomx_shadow.nobody++;
	oomx_shadow.ns_total += dt;
	if (dt > oomx_shadow.ns_max)
		oomx_shadow.ns_max = dt;
	if (oomx_shadow_walked > oomx_shadow.tasks_max)
		oomx_shadow.tasks_max = oomx_shadow_walked;
	return 0;
}

#endif /* __OOMX_SHADOW_BPF_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * oomx.bpf.h - what every oom_ext policy includes.
 *
 * The kernel side is kernel/patches/0003..0007 (mm/oom_ext.c); the interface
 * is described in docs/oom-ext.md. Policies are struct_ops maps of type
 * struct oom_ext_ops, declared in SEC(".struct_ops.link") so that closing
 * the link (or the loader exiting) detaches them.
 */
#ifndef __OOMX_BPF_H
#define __OOMX_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

/*
 * The interface's constants (OOM_EXT_NEVER, OOM_EXT_PICK, OOM_EXT_POINTS_MAX,
 * OOM_EXT_SELECT_*, OOM_EXT_KILL_*, OOM_EXT_EXIT_*, the limits) come from
 * the kernel's BTF through vmlinux.h: enum oom_ext_consts and its siblings
 * in include/linux/oom_ext.h.
 */

#define OOMX_PAGE_SIZE		4096

/* kfuncs, see mm/oom_ext.c for their kernel-doc */
s32 bpf_oom_ext_kill(struct oom_control *oc, struct task_struct *p,
		     u64 flags) __ksym;
s64 bpf_oom_ext_kernel_badness(struct oom_control *oc,
			       struct task_struct *p) __ksym;
s32 bpf_oom_ext_task_mem(struct task_struct *p, struct oom_ext_mem *m,
			 u32 m__sz) __ksym;
s32 bpf_oom_ext_memcg_info(struct task_struct *p, struct oom_ext_memcg *m,
			   u32 m__sz) __ksym;
void bpf_oom_ext_exit_bstr(s64 exit_code, char *fmt, u64 *data,
			   u32 data__sz) __ksym;
void bpf_oom_ext_error_bstr(char *fmt, u64 *data, u32 data__sz) __ksym;

/* generic kfuncs policies commonly use */
struct task_struct *bpf_task_from_pid(s32 pid) __ksym;
void bpf_task_release(struct task_struct *p) __ksym;

/*
 * Pack printf-style arguments into the u64 array the *_bstr kfuncs take,
 * the way libbpf's BPF_SNPRINTF() does, and call @call with the arguments
 * in the parenthesised @lead first: () for none, ((code),) for one.
 */
#define __OOMX_UNPAREN(...)	__VA_ARGS__
#define __OOMX_BSTR_CALL(call, lead, fmt, args...)				\
({										\
	static char ___fmt[] = fmt;						\
	unsigned long long ___param[___bpf_narg(args)];				\
										\
	_Pragma("GCC diagnostic push")						\
	_Pragma("GCC diagnostic ignored \"-Wint-conversion\"")			\
	___bpf_fill(___param, args);						\
	_Pragma("GCC diagnostic pop")						\
	call(__OOMX_UNPAREN lead ___fmt, ___param, sizeof(___param));		\
})

/*
 * oom_ext_error(fmt, args...): the policy is broken; the kernel disables it
 * (exit kind OOM_EXT_EXIT_ERROR) and finishes the current OOM itself.
 */
#define oom_ext_error(fmt, args...)						\
	__OOMX_BSTR_CALL(bpf_oom_ext_error_bstr, (), fmt, ##args)

/* oom_ext_exit(code, fmt, args...): detach gracefully (OOM_EXT_EXIT_DONE) */
#define oom_ext_exit(code, fmt, args...)					\
	__OOMX_BSTR_CALL(bpf_oom_ext_exit_bstr, ((code),), fmt, ##args)

#include "oomx_shared.h"

#define OOMX_EXIT_DEFINE(name)	struct oomx_exit name SEC(".data")

static __always_inline void oomx_exit_record(struct oomx_exit *ue,
					     const struct oom_ext_exit_info *ei)
{
	bpf_probe_read_kernel_str(ue->reason, sizeof(ue->reason), ei->reason);
	bpf_probe_read_kernel_str(ue->msg, sizeof(ue->msg), ei->msg);
	ue->exit_code = ei->exit_code;
	/* last: the loader polls kind */
	__sync_val_compare_and_swap(&ue->kind, 0, ei->kind);
}

/* a task's memory in pages, the way oom_badness() adds it up */
static __always_inline u64 oomx_mem_pages(const struct oom_ext_mem *m)
{
	return m->rss_anon + m->rss_file + m->rss_shmem + m->swapents +
	       m->pgtables_bytes / OOMX_PAGE_SIZE;
}

/*
 * The policy framework. A policy defines OOMX_POLICY_NAME, includes this
 * header, implements its decision callbacks (badness and/or select) and
 *
 *	static const char *oomx_explain(struct task_struct *victim,
 *					const struct oom_ext_kill_info *info);
 *
 * which returns the reason its event gives for a kill the policy chose
 * (kind OOM_EXT_KILL_POLICY or _SELECT; the framework words the kernel's
 * kills and the already-exiting marks itself), then declares its ops with
 * OOMX_OPS_DEFINE(), which adds the common callbacks below:
 * kill and reap events, the reaper knobs and the exit record. A decision
 * callback reads its settings for oomx_cfg_gen(), the OOM's generation.
 * Besides the struct_ops, the loader attaches every other program of the
 * object (oomx_oom_end(), a policy's tracepoints) and pins its links.
 */
#ifdef OOMX_POLICY_NAME

_Static_assert(sizeof(OOMX_POLICY_NAME) <= OOMX_POLICY_LEN, "policy name too long");

/* kill and reap records for user space; oomx_lost_events counts overflow */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

__u64 oomx_lost_events;

/*
 * The settings, in their own data section so that the loader can pin, dump
 * and rewrite them without touching the rest of the state.
 *
 * One OOM sees one configuration. Every setting an OOM reads has a slot per
 * generation: the loader writes a new configuration into the slot no OOM
 * uses, oomx_common[(oomx_gen + 1) & 1] (and a policy's own slots and
 * rules, which are keyed by generation too), then switches oomx_gen. The
 * generation counts modulo OOMX_GEN_COUNT, so a switch changes one byte,
 * which no reader can see half-written. An OOM reads the generation once,
 * in its first callback (victim_timeout_ms, from __oom_ext_begin()), into
 * oomx_oom; oomx_oom_end() marks the OOM over when out_of_memory()
 * returns, and the loader drops a generation only once no OOM holds it.
 * The OOM says it is PENDING (a full barrier) before it reads oomx_gen;
 * the loader switches oomx_gen (a full barrier) before it reads oomx_oom:
 * either the loader sees the OOM, or the OOM sees the new generation.
 */
#define OOMX_KERNEL_REAP_DELAY_MS	2000	/* OOM_REAPER_DELAY */

__u32 oomx_gen SEC(".data.cfg");
struct oomx_common_cfg oomx_common[2] SEC(".data.cfg") = {
	{ .reap_delay_ms = OOMX_KERNEL_DEFAULT, .victim_timeout_ms = 0 },
	{ .reap_delay_ms = OOMX_KERNEL_DEFAULT, .victim_timeout_ms = 0 },
};

/* the OOM in progress and the generation it read, for the loader too */
struct oomx_oom oomx_oom;

/* the generation in force now */
static __always_inline u32 oomx_gen_now(void)
{
	return *(volatile u32 *)&oomx_gen & OOMX_GEN_MASK;
}

/* the generation of the OOM in progress, or the one in force outside OOMs */
static __always_inline u32 oomx_cfg_gen(void)
{
	u32 state = oomx_oom.state;

	return state & OOMX_OOM_ACTIVE ? state & OOMX_GEN_MASK : oomx_gen_now();
}

OOMX_EXIT_DEFINE(uei);

/*
 * The policy's best and second-best candidates in the scan in progress.
 * Reset by oomx_scan_begin(), which the policy's select calls at the start
 * of every OOM.
 */
struct oomx_scan oomx_scan;

static __always_inline void oomx_scan_begin(void)
{
	oomx_scan.best_pid = 0;
	oomx_scan.second_pid = 0;
	oomx_scan.best_points = OOM_EXT_NEVER;
	oomx_scan.second_points = OOM_EXT_NEVER;
	oomx_scan.nr_scored = 0;
}

/* note the policy's points for @p; ties go to the later task, as in the kernel */
static __always_inline void oomx_scan_note(struct task_struct *p, s64 points)
{
	oomx_scan.nr_scored++;
	if (points == OOM_EXT_NEVER)
		return;
	if (!oomx_scan.best_pid || points >= oomx_scan.best_points) {
		oomx_scan.second_pid = oomx_scan.best_pid;
		oomx_scan.second_points = oomx_scan.best_points;
		oomx_scan.best_pid = p->tgid;
		oomx_scan.best_points = points;
	} else if (!oomx_scan.second_pid || points >= oomx_scan.second_points) {
		oomx_scan.second_pid = p->tgid;
		oomx_scan.second_points = points;
	}
}

static const char *oomx_explain(struct task_struct *victim,
				const struct oom_ext_kill_info *info);

static __always_inline struct oomx_event *oomx_event_start(u32 type,
							   struct task_struct *p)
{
	struct oomx_event *ev;

	ev = bpf_ringbuf_reserve(&events, sizeof(*ev), 0);
	if (!ev) {
		__sync_fetch_and_add(&oomx_lost_events, 1);
		return NULL;
	}
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->pid = p->tgid;
	ev->tid = p->pid;
	ev->time_ns = bpf_ktime_get_boot_ns();
	__builtin_memcpy(ev->policy, OOMX_POLICY_NAME, sizeof(OOMX_POLICY_NAME));
	bpf_probe_read_kernel_str(ev->comm, sizeof(ev->comm), p->comm);
	return ev;
}

SEC("struct_ops/killed")
void BPF_PROG(oomx_killed, struct task_struct *victim, struct oom_control *oc,
	      const struct oom_ext_kill_info *info)
{
	struct oomx_event *ev;
	const char *why;

	ev = oomx_event_start(OOMX_EV_KILL, victim);
	if (!ev)
		return;
	ev->uid = BPF_CORE_READ(victim, cred, uid.val);
	ev->kind = info->kind;
	ev->constraint = info->constraint;
	ev->oom_score_adj = info->oom_score_adj;
	ev->memcg_id = info->memcg_id;
	ev->victim_memcg_id = info->victim_memcg_id;
	ev->group_memcg_id = info->group_memcg_id;
	ev->group_killed = info->group_killed;
	ev->kernel_points = info->kernel_points;
	ev->policy_points = info->policy_points;
	ev->totalpages = info->totalpages;
	ev->rss_anon = info->mem.rss_anon;
	ev->rss_file = info->mem.rss_file;
	ev->rss_shmem = info->mem.rss_shmem;
	ev->swapents = info->mem.swapents;
	ev->pgtables_bytes = info->mem.pgtables_bytes;
	ev->nr_scored = oomx_scan.nr_scored;
	if (oomx_scan.best_pid == ev->pid && oomx_scan.second_pid) {
		ev->runner_up_pid = oomx_scan.second_pid;
		ev->runner_up_points = oomx_scan.second_points;
	} else if (oomx_scan.best_pid && oomx_scan.best_pid != ev->pid) {
		/* the kernel overruled the policy: its choice is the runner-up */
		ev->runner_up_pid = oomx_scan.best_pid;
		ev->runner_up_points = oomx_scan.best_points;
	}
	switch (info->kind) {
	case OOM_EXT_KILL_NONE:
		why = "already exiting: given access to reserves, not killed";
		break;
	case OOM_EXT_KILL_KERNEL:
		why = "chosen by the kernel, not the policy";
		break;
	default:
		why = oomx_explain(victim, info);
	}
	if (why)
		bpf_probe_read_kernel_str(ev->reason, sizeof(ev->reason), why);
	bpf_ringbuf_submit(ev, 0);
	/* an OOM without select (oom_kill_allocating_task) must not inherit it */
	oomx_scan_begin();
}

SEC("struct_ops/reaped")
void BPF_PROG(oomx_reaped, struct task_struct *victim,
	      const struct oom_ext_reap_info *info)
{
	struct oomx_event *ev;

	ev = oomx_event_start(OOMX_EV_REAP, victim);
	if (!ev)
		return;
	ev->reap_result = info->result;
	ev->reap_attempts = info->attempts;
	ev->reap_since_kill_ns = info->since_kill_ns;
	ev->reap_duration_ns = info->duration_ns;
	ev->reap_rss_before = info->rss_before;
	ev->reap_rss_after = info->rss_after;
	bpf_ringbuf_submit(ev, 0);
}

SEC("struct_ops/reap_delay_ms")
u32 BPF_PROG(oomx_reap_delay_ms, struct task_struct *victim)
{
	u32 ms = oomx_common[oomx_cfg_gen() & 1].reap_delay_ms;

	return ms == OOMX_KERNEL_DEFAULT ? OOMX_KERNEL_REAP_DELAY_MS : ms;
}

/* the first callback of every OOM the policy takes part in: the snapshot */
SEC("struct_ops/victim_timeout_ms")
u32 BPF_PROG(oomx_victim_timeout_ms)
{
	u32 gen;

	__sync_lock_test_and_set(&oomx_oom.state, OOMX_OOM_PENDING);
	gen = oomx_gen_now();
	oomx_oom.state = OOMX_OOM_ACTIVE | gen;
	return oomx_common[gen & 1].victim_timeout_ms;
}

/* out_of_memory() returned: no OOM holds a generation any more */
SEC("fexit/out_of_memory")
int BPF_PROG(oomx_oom_end, struct oom_control *oc, bool ret)
{
	oomx_oom.state = 0;
	return 0;
}

SEC("struct_ops.s/exit")
void BPF_PROG(oomx_exit, const struct oom_ext_exit_info *ei)
{
	oomx_exit_record(&uei, ei);
}

/*
 * OOMX_OPS_DEFINE(name, .badness = ..., .select = ...): the policy's ops,
 * with the common callbacks. A policy with its own select must call
 * oomx_scan_begin() from it; one without gets a select that only does that.
 */
#define OOMX_OPS_DEFINE(__name, ...)						\
	SEC(".struct_ops.link")							\
	struct oom_ext_ops __name = {						\
		.killed			= (void *)oomx_killed,			\
		.reaped			= (void *)oomx_reaped,			\
		.reap_delay_ms		= (void *)oomx_reap_delay_ms,		\
		.victim_timeout_ms	= (void *)oomx_victim_timeout_ms,	\
		.exit			= (void *)oomx_exit,			\
		.name			= OOMX_POLICY_NAME,			\
		__VA_ARGS__							\
	}

/* a select that only starts the scan bookkeeping and defers to badness */
#define OOMX_SELECT_SCAN_ONLY(__fn)						\
	SEC("struct_ops/select")						\
	s32 BPF_PROG(__fn, struct oom_control *oc)				\
	{									\
		oomx_scan_begin();						\
		return OOM_EXT_SELECT_DEFER;					\
	}

#endif /* OOMX_POLICY_NAME */

#endif /* __OOMX_BPF_H */

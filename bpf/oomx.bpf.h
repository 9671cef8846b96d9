/* SPDX-License-Identifier: GPL-2.0 */
/*
 * oomx.bpf.h - the oomx policy framework. A policy is one .bpf.c file:
 *
 *	#define OOMX_POLICY_NAME	"biggest"
 *	#define OOMX_POLICY_SUMMARY	"what oomx list says of it"	(optional)
 *	#define OOMX_SCORE		biggest_score
 *	#include "oomx.bpf.h"
 *
 *	OOMX_TUNABLE(__u32, min_mib, 0, 0, 1048576, "ignore tasks smaller than this");
 *
 *	static s64 biggest_score(struct task_struct *p, struct oom_control *oc,
 *				 s64 points)
 *	{
 *		return points;
 *	}
 *
 * The framework does the rest: the struct_ops map and its callbacks (the
 * score becomes badness()), an event for every kill and reap, with the
 * runner-up the kernel reports, the reaper settings, the exit record, the
 * license. docs/policy-guide.md walks through writing, building, loading
 * and tuning one. What a policy may define before the #include:
 *
 *   OOMX_POLICY_NAME	required; at most 31 bytes
 *   OOMX_SCORE fn	s64 fn(struct task_struct *p, struct oom_control *oc,
 *			       s64 points): the policy's points for each
 *			eligible task (points: the kernel's), or OOM_EXT_NEVER,
 *			or OOM_EXT_PICK
 *   OOMX_SELECT fn	s32 fn(struct oom_control *oc): decide the whole OOM
 *			first (kill through bpf_oom_ext_kill(), or wait), see
 *			docs/oom-ext.md; OOMX_SCORE, OOMX_SELECT or both
 *   OOMX_EXPLAIN fn	const char *fn(struct task_struct *victim,
 *			const struct oom_ext_kill_info *info): the reason an
 *			event gives for a kill the policy chose (at most 63
 *			bytes); without it, a generic one
 *   OOMX_KILL_MODE fn	u32 fn(struct task_struct *victim, struct oom_control *oc):
 *			just before a kill, whether it takes the victim's
 *			process (OOM_EXT_KILL_MODE_PROCESS), its whole memory
 *			cgroup (OOM_EXT_KILL_MODE_GROUP) or what memory.oom.group
 *			says (OOM_EXT_KILL_MODE_DEFAULT); fn may set
 *			oomx_kill_line for the event. rules.bpf.h has one.
 *   OOMX_INIT fn	s32 fn(void): called when the policy attaches, not
 *			sleepable; non-zero refuses the attach
 *   OOMX_POLICY_SUMMARY	one line for "oomx list"
 *
 * Settings are tunables, declared with OOMX_TUNABLE() (one line each) and
 * read with oomx_get(name). oomx finds them by name in the object's BTF:
 * "oomx set name=value", a "name value" line in the configuration file and
 * "oomx status" work for any policy without a change to oomx. The kernel's
 * oom_ext interface (kfuncs, constants) is oom_ext.bpf.h.
 */
#ifndef __OOMX_BPF_H
#define __OOMX_BPF_H

#include "oom_ext.bpf.h"

#ifndef OOMX_POLICY_NAME
#error "a policy names itself: #define OOMX_POLICY_NAME \"name\" before #include \"oomx.bpf.h\" (docs/policy-guide.md)"
#elif !defined(OOMX_SCORE) && !defined(OOMX_SELECT)
#error "a policy decides something: #define OOMX_SCORE my_score, with static s64 my_score(struct task_struct *p, struct oom_control *oc, s64 points), before #include \"oomx.bpf.h\" (or OOMX_SELECT; docs/policy-guide.md)"
#endif
#ifndef OOMX_POLICY_SUMMARY
#define OOMX_POLICY_SUMMARY	"(no summary: define OOMX_POLICY_SUMMARY)"
#endif

_Static_assert(sizeof(OOMX_POLICY_NAME) <= OOMX_POLICY_LEN,
	       "OOMX_POLICY_NAME is at most 31 bytes");
_Static_assert(sizeof(OOMX_POLICY_SUMMARY) <= OOMX_SUMMARY_LEN,
	       "OOMX_POLICY_SUMMARY is at most 95 bytes");

/* the kfuncs are GPL-only */
char LICENSE[] SEC("license") = "GPL";

/* for oomx: what this object is, and what "oomx list" says of it */
const volatile char oomx_policy_name[OOMX_POLICY_LEN] = OOMX_POLICY_NAME;
const volatile char oomx_policy_summary[OOMX_SUMMARY_LEN] = OOMX_POLICY_SUMMARY;

/* kill and reap records for user space; oomx_lost_events counts overflow */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

__u64 oomx_lost_events;

/* counters for "oomx metrics" (oomx_shared.h) */
struct oomx_stats oomx_stats;

struct {
	__uint(type, BPF_MAP_TYPE_HASH);	/* preallocated: no allocation in an OOM */
	__uint(max_entries, OOMX_METRIC_CGROUPS);
	__type(key, __u64);			/* the victim's cgroup id */
	__type(value, __u64);			/* kills */
} oomx_cgroup_kills SEC(".maps");

/*
 * Configuration generations. One OOM sees one configuration: every tunable
 * has a slot per generation parity (OOMX_TUNABLE() declares name[2]), the
 * loader writes a new configuration into the slot no OOM uses, [(oomx_gen +
 * 1) & 1] (and a policy's rules, which are keyed by generation too), then
 * switches oomx_gen. The generation counts modulo OOMX_GEN_COUNT, so a
 * switch changes one byte, which no reader can see half-written. An OOM
 * reads the generation once, in its first callback (victim_timeout_ms, from
 * __oom_ext_begin()), into oomx_oom; oomx_oom_end() marks the OOM over when
 * out_of_memory() returns, and the loader drops a generation only once no
 * OOM holds it. The OOM says it is PENDING (a full barrier) before it reads
 * oomx_gen; the loader switches oomx_gen (a full barrier) before it reads
 * oomx_oom: either the loader sees the OOM, or the OOM sees the new
 * generation. user/gen.c is the loader's side.
 */
__u32 oomx_gen SEC(".data.cfg");

/* the OOM in progress and the generation it read, for the loader too */
struct oomx_oom oomx_oom;

/* OOMs this policy took part in: a per-OOM cache can key on it */
__u64 oomx_oom_seq;

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

/*
 * OOMX_TUNABLE(type, name, default, min, max, help): a setting of the
 * policy. @type is an integer type of at most 8 bytes (__u32, __s64, ...)
 * or an enum, whose values are then written as the enumerators' names
 * without their common prefix, in lower case (enum { RANK_SIZE,
 * RANK_GROWTH } takes "size" and "growth"). @min and @max bound what oomx
 * accepts; @help is one line for "oomx status --help". Read it with
 * oomx_get(name) in a decision callback (the OOM's configuration), or
 * oomx_get_now(name) outside OOMs.
 *
 * It declares name[2] in SEC(".data.cfg"), the section oomx pins as
 * "settings", and its bounds as oomx_tunable__name in .rodata.
 */
#define OOMX_TUNABLE(__type, __name, __def, __min, __max, __help)		\
	__OOMX_TUNABLE(__type, __name, __def, __min, __max, "", 0, __help)

/* the same, with a word that stands for one value outside the bounds */
#define OOMX_TUNABLE_KEYWORD(__type, __name, __def, __min, __max, __kw, __kwval, __help) \
	__OOMX_TUNABLE(__type, __name, __def, __min, __max, __kw, __kwval, __help)

#define __OOMX_TUNABLE(__type, __name, __def, __min, __max, __kw, __kwval, __help) \
	_Static_assert(sizeof(__type) <= 8,					\
		       #__name ": a tunable is an integer or an enum of at most 8 bytes"); \
	_Static_assert((__min) <= (__max), #__name ": min is above max");	\
	_Static_assert((__type)(__min) == (__min) && (__type)(__max) == (__max), \
		       #__name ": min or max does not fit the type");		\
	_Static_assert((__max) <= 0x7fffffffffffffffLL,				\
		       #__name ": oomx takes bounds up to 2^63 - 1");		\
	_Static_assert(((__min) <= (__def) && (__def) <= (__max)) ||		\
		       (sizeof(__kw) > 1 && (__def) == (__kwval)),		\
		       #__name ": the default is not between min and max");	\
	_Static_assert(sizeof(#__name) <= OOMX_TUNABLE_NAME_LEN,		\
		       #__name ": a tunable's name is at most 47 bytes");	\
	_Static_assert(sizeof(__help) <= OOMX_TUNABLE_HELP_LEN,		\
		       #__name ": the help text is at most 95 bytes");		\
	__type __name[2] SEC(".data.cfg") = { (__def), (__def) };		\
	const volatile struct oomx_tunable_info oomx_tunable__##__name = {	\
		.def = (__def),							\
		.min = (__min),							\
		.max = (__max),							\
		.keyword_value = (__kwval),					\
		.keyword = __kw,						\
		.help = __help,							\
	}

/*
 * A tunable's value in generation @gen (a callback that already read the
 * generation passes it, so that everything it reads agrees). Only tunables
 * compile: the sizeof() names the tunable's descriptor.
 */
#define oomx_get_gen(__name, __gen)						\
	(__name[((__gen) & 1) + 0 * sizeof(oomx_tunable__##__name)])

/* a tunable's value for the OOM in progress */
#define oomx_get(__name)	oomx_get_gen(__name, oomx_cfg_gen())

/* a tunable's value in force now, for code outside an OOM (timers) */
#define oomx_get_now(__name)	oomx_get_gen(__name, oomx_gen_now())

/* the settings every policy has */
#define OOMX_KERNEL_REAP_DELAY_MS	2000	/* OOM_REAPER_DELAY */

OOMX_TUNABLE_KEYWORD(__u32, reap_delay_ms, OOMX_KERNEL_DEFAULT,
		     0, OOM_EXT_REAP_DELAY_MAX_MS, "default", OOMX_KERNEL_DEFAULT,
		     "ms before the OOM reaper takes a victim's memory (default: 2000)");
OOMX_TUNABLE(__u32, victim_timeout_ms, 0, 0, 3600000,
	     "ms after which a victim that has not exited stops blocking (0: never)");

OOMX_EXIT_DEFINE(uei);

#ifdef OOMX_SCORE
static s64 OOMX_SCORE(struct task_struct *p, struct oom_control *oc, s64 points);
#endif

/*
 * Set by the loader before loading: 1 when the object runs as a shadow
 * ("oomx shadow", bpf/shadow.bpf.h), where only the shadow's program is
 * loaded, maybe on a kernel without oom_ext. The verifier sees the value
 * and skips the branches of the other mode.
 */
const volatile __u32 oomx_shadow_mode;

/*
 * oomx_memcg_info: @p's memory cgroup (usage, limits, protection, in
 * bytes), as bpf_oom_ext_memcg_info() gives it; in a shadow, read from the
 * kernel's structures instead (the kfunc may not exist there). A policy
 * that wants to run as a shadow calls this rather than the kfunc. 0, or
 * a negative errno with @m zeroed.
 */
#define OOMX_PAGE_COUNTER_MAX	(0x7fffffffffffffffULL / OOMX_PAGE_SIZE)

static __always_inline u64 oomx_counter_bytes(u64 pages)
{
	return pages >= OOMX_PAGE_COUNTER_MAX ? ~0ULL : pages * OOMX_PAGE_SIZE;
}

/*
 * @p's memory cgroup css. The controller's index in css_set.subsys depends
 * on the kernel's configuration: CO-RE gives it (bpf_core_enum_value()).
 */
static __always_inline struct cgroup_subsys_state *oomx_task_memcg_css(struct task_struct *p)
{
	int idx = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	struct cgroup_subsys_state *css = NULL;
	struct css_set *cset = BPF_CORE_READ(p, cgroups);

	if (!cset || idx < 0 ||
	    idx >= bpf_core_field_size(struct css_set, subsys) / sizeof(css))
		return NULL;
	bpf_probe_read_kernel(&css, sizeof(css), (void *)cset +
			      bpf_core_field_offset(struct css_set, subsys) + idx * sizeof(css));
	return css;
}

static __always_inline int oomx_memcg_info(struct task_struct *p, struct oomx_memcg *m)
{
	struct cgroup_subsys_state *css;
	struct mem_cgroup *memcg;

	__builtin_memset(m, 0, sizeof(*m));
	if (!oomx_shadow_mode) {
		struct oom_ext_memcg k = {};
		int err = bpf_oom_ext_memcg_info(p, &k, sizeof(k));

		m->id = k.id;
		m->usage = k.usage;
		m->max = k.max;
		m->high = k.high;
		m->min = k.min;
		m->low = k.low;
		return err;
	}
	css = oomx_task_memcg_css(p);
	if (!css)
		return -95;	/* -EOPNOTSUPP */
	memcg = container_of(css, struct mem_cgroup, css);
	m->id = BPF_CORE_READ(css, cgroup, kn, id);
	m->usage = BPF_CORE_READ(memcg, memory.usage.counter) * OOMX_PAGE_SIZE;
	m->max = oomx_counter_bytes(BPF_CORE_READ(memcg, memory.max));
	m->high = oomx_counter_bytes(BPF_CORE_READ(memcg, memory.high));
	m->min = oomx_counter_bytes(BPF_CORE_READ(memcg, memory.min));
	m->low = oomx_counter_bytes(BPF_CORE_READ(memcg, memory.low));
	return 0;
}
#ifdef OOMX_SELECT
static s32 OOMX_SELECT(struct oom_control *oc);
#endif
#ifdef OOMX_EXPLAIN
static const char *OOMX_EXPLAIN(struct task_struct *victim,
				const struct oom_ext_kill_info *info);
#endif
#ifdef OOMX_INIT
static s32 OOMX_INIT(void);
#endif
#ifdef OOMX_KILL_MODE
static u32 OOMX_KILL_MODE(struct task_struct *victim, struct oom_control *oc);
#endif

/* the configuration line behind this OOM's kill mode, for its event */
__u32 oomx_kill_line;

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

static __always_inline const char *oomx_reason(struct task_struct *victim,
					       const struct oom_ext_kill_info *info)
{
	switch (info->kind) {
	case OOM_EXT_KILL_NONE:
		return "already exiting: given access to reserves, not killed";
	case OOM_EXT_KILL_KERNEL:
		return "chosen by the kernel, not the policy";
	}
#ifdef OOMX_EXPLAIN
	return OOMX_EXPLAIN(victim, info);
#else
	return info->kind == OOM_EXT_KILL_SELECT ? "named by the policy's select" :
	       "the policy's highest score";
#endif
}

/* the pressure trigger that started the OOM, if one did (oomx watch) */
static __always_inline void oomx_event_trigger(struct oomx_event *ev, struct oom_control *oc)
{
	struct oom_ext_trigger *t = oc->trigger;

	if (!t)
		return;
	ev->trigger_id = t->trigger_id;
	ev->trigger_full = t->full;
	ev->trigger_threshold_us = t->threshold_us;
	ev->trigger_window_us = t->window_us;
	ev->trigger_stall_us = t->stall_us;
	ev->trigger_measured_us = t->measured_us;
}

static __always_inline void oomx_count_kill(const struct oom_ext_kill_info *info,
					    struct oom_control *oc)
{
	/* a mask, not a compare, bounds the index for the verifier */
	__u32 kind = info->kind & (OOMX_KILL_KINDS - 1);
	__u32 cause = oc->trigger ? 1 : 0;
	__u64 id = info->victim_memcg_id, one = 1, *n;

	__sync_fetch_and_add(&oomx_stats.kills[kind][cause], 1);
	if (info->kind == OOM_EXT_KILL_NONE)
		return;
	n = bpf_map_lookup_elem(&oomx_cgroup_kills, &id);
	if (n)
		__sync_fetch_and_add(n, 1);
	else if (bpf_map_update_elem(&oomx_cgroup_kills, &id, &one, BPF_NOEXIST))
		__sync_fetch_and_add(&oomx_stats.cgroup_kills_other, 1);
}

SEC("struct_ops/killed")
void BPF_PROG(oomx_killed, struct task_struct *victim, struct oom_control *oc,
	      const struct oom_ext_kill_info *info)
{
	struct oomx_event *ev;
	const char *why;

	oomx_count_kill(info, oc);
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
	ev->nr_scored = info->nr_scored;
	ev->runner_up_pid = info->runner_up_pid;
	ev->runner_up_points = info->runner_up_points;
	ev->kill_mode = info->kill_mode;
	ev->kill_line = info->kill_mode ? oomx_kill_line : 0;
	oomx_event_trigger(ev, oc);
	why = oomx_reason(victim, info);
	if (why)
		bpf_probe_read_kernel_str(ev->reason, sizeof(ev->reason), why);
	bpf_ringbuf_submit(ev, 0);
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
	u32 ms = oomx_get(reap_delay_ms);

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
	oomx_oom_seq++;
	oomx_kill_line = 0;	/* kill_mode() sets it, killed() reads it */
	return victim_timeout_ms[gen & 1];
}

/*
 * The victim scan, timed for "oomx metrics"; oom_lock serialises scans.
 * select_bad_process() is static: oomx loads these only if the kernel's
 * BTF has it (not inlined), see policy_open().
 */
SEC("fentry/select_bad_process")
int BPF_PROG(oomx_scan_begin, struct oom_control *oc)
{
	oomx_stats.scan_start_ns = bpf_ktime_get_ns();
	return 0;
}

SEC("fexit/select_bad_process")
int BPF_PROG(oomx_scan_end, struct oom_control *oc)
{
	static const __u64 le[OOMX_SCAN_BUCKETS] = OOMX_SCAN_BUCKET_NS;
	__u64 start = oomx_stats.scan_start_ns, ns;
	int i;

	if (!start)
		return 0;
	ns = bpf_ktime_get_ns() - start;
	oomx_stats.scan_start_ns = 0;
	for (i = 0; i < OOMX_SCAN_BUCKETS; i++)
		if (ns <= le[i])
			break;
	/* the bucket first: a reader may see a scan bucketed, not yet counted */
	oomx_stats.scan_le[i]++;
	oomx_stats.scan_ns_sum += ns;
	oomx_stats.scans++;
	return 0;
}

/* out_of_memory() returned: no OOM holds a generation any more */
SEC("fexit/out_of_memory")
int BPF_PROG(oomx_oom_end, struct oom_control *oc, bool ret)
{
	oomx_oom.state = 0;
	return 0;
}

/* the same for an OOM that memory pressure started (oomx watch) */
SEC("fexit/oom_ext_pressure_oom")
int BPF_PROG(oomx_oom_end_pressure, struct oom_control *oc, struct oom_ext_trigger *t, int ret)
{
	oomx_oom.state = 0;
	return 0;
}

SEC("struct_ops.s/exit")
void BPF_PROG(oomx_exit, const struct oom_ext_exit_info *ei)
{
	oomx_exit_record(&uei, ei);
}

#ifdef OOMX_SCORE
#include "shadow.bpf.h"

SEC("struct_ops/badness")
s64 BPF_PROG(oomx_badness, struct task_struct *p, struct oom_control *oc,
	     s64 points)
{
	return OOMX_SCORE(p, oc, points);
}
#endif

#ifdef OOMX_SELECT
SEC("struct_ops/select")
s32 BPF_PROG(oomx_select, struct oom_control *oc)
{
	return OOMX_SELECT(oc);
}
#endif

#ifdef OOMX_KILL_MODE
SEC("struct_ops/kill_mode")
u32 BPF_PROG(oomx_kill_mode, struct task_struct *victim, struct oom_control *oc)
{
	return OOMX_KILL_MODE(victim, oc);	/* oomx_kill_line: 0 since victim_timeout_ms */
}
#endif

#ifdef OOMX_INIT
/* not sleepable: a timer armed here may walk tasks (growth.bpf.h) */
SEC("struct_ops/init")
s32 BPF_PROG(oomx_init)
{
	return OOMX_INIT();
}
#endif

/* the policy: one struct_ops map, detached when its link goes */
SEC(".struct_ops.link")
struct oom_ext_ops oomx_ops = {
#ifdef OOMX_SCORE
	.badness		= (void *)oomx_badness,
#endif
#ifdef OOMX_SELECT
	.select			= (void *)oomx_select,
#endif
#ifdef OOMX_INIT
	.init			= (void *)oomx_init,
#endif
#ifdef OOMX_KILL_MODE
	.kill_mode		= (void *)oomx_kill_mode,
#endif
	.killed			= (void *)oomx_killed,
	.reaped			= (void *)oomx_reaped,
	.reap_delay_ms		= (void *)oomx_reap_delay_ms,
	.victim_timeout_ms	= (void *)oomx_victim_timeout_ms,
	.exit			= (void *)oomx_exit,
	.name			= OOMX_POLICY_NAME,
};

#endif /* __OOMX_BPF_H */

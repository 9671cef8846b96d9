// SPDX-License-Identifier: GPL-2.0
/*
 * priority: kill the least important work first, and the largest of it.
 *
 * Every task has a class from 0 to 255, given by the operator's rules (see
 * docs/oomx.md): "prefer" is class 0, "protect" is 255, "class N" sets N,
 * and a task no rule matches is in class 100. The most specific rule
 * decides: a command-name rule, else a uid rule, else the rule of the
 * nearest cgroup on the path from the task's cgroup up to the root.
 *
 * The victim is the task of the lowest class; within a class, the one with
 * the kernel's highest points (its size, shifted by oom_score_adj), or,
 * with "rank growth", the one whose resident memory grows fastest. Class
 * 255 tasks are never chosen by the policy; if every candidate is
 * protected, the kernel falls back to its own choice, because an OOM must
 * be resolved (docs/oom-ext.md).
 *
 * The rules live in hash maps that oomx fills from the configuration file
 * before attaching; bpftool map dump shows them with their types. Every
 * key carries a generation (bpf/oomx.bpf.h): "oomx apply" writes the new
 * rules under the next one and switches oomx_gen, and an OOM classifies
 * every task with the generation it read at its start.
 *
 * A cgroup rule names a path. prio_cgpath holds the paths; prio_cgroup
 * binds each to the live cgroup that has it: oomx binds the cgroups that
 * exist when it applies the rules, and prio_cgroup_mkdir() every cgroup
 * created later, before any task can enter it. A service that is
 * restarted (its cgroup removed and created again, with a new id) keeps
 * its rule, without a daemon.
 */
#define OOMX_POLICY_NAME "priority"
#include "oomx.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define CLASS_PREFER	0
#define CLASS_DEFAULT	100
#define CLASS_PROTECT	255
#define MAX_CGROUP_DEPTH 32

/* where a task's class came from, for the event's reason */
enum prio_source {
	PRIO_SRC_DEFAULT,
	PRIO_SRC_COMM,
	PRIO_SRC_UID,
	PRIO_SRC_CGROUP,
};

/* struct prio_rule and the key layouts are in oomx_shared.h: oomx fills the maps */

/* room for two generations of the 256 rules a configuration may have */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, struct prio_cgpath_key);
	__type(value, struct prio_rule);
} prio_cgpath SEC(".maps");

/* the bindings: a live cgroup's id -> the rule of its path; room to spare */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, struct prio_cgroup_key);
	__type(value, struct prio_rule);
} prio_cgroup SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, struct prio_comm_key);
	__type(value, struct prio_rule);
} prio_comm SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 512);
	__type(key, struct prio_uid_key);
	__type(value, struct prio_rule);
} prio_uid SEC(".maps");

/* rank and sampling interval, a slot per generation like oomx_common */
struct prio_settings prio_settings[2] SEC(".data.cfg") = {
	{ .rank = PRIO_RANK_SIZE, .growth_interval_ms = PRIO_GROWTH_INTERVAL_DEF_MS },
	{ .rank = PRIO_RANK_SIZE, .growth_interval_ms = PRIO_GROWTH_INTERVAL_DEF_MS },
};

/* growth.bpf.h asks: sample only while ranking by growth, at this interval */
static bool growth_wanted(void)
{
	return prio_settings[oomx_gen_now() & 1].rank == PRIO_RANK_GROWTH;
}

static u32 growth_interval_ms(void)
{
	u32 ms = prio_settings[oomx_gen_now() & 1].growth_interval_ms;

	if (ms < PRIO_GROWTH_INTERVAL_MIN_MS || ms > PRIO_GROWTH_INTERVAL_MAX_MS)
		ms = PRIO_GROWTH_INTERVAL_DEF_MS;
	return ms;
}

#include "growth.bpf.h"

#define GROWTH_RATE_MAX		((1LL << 20) - 1)	/* pages/s: 4 GiB/s */
#define GROWTH_POINTS_MAX	((1LL << 29) - 1)	/* pages: 2 TiB */

/* the growth of the policy's current choice, for the event's reason */
__s64 prio_best_growth;

/* not sleepable: growth.bpf.h says why */
SEC("struct_ops/init")
s32 BPF_PROG(priority_init)
{
	return growth_start();
}

struct prio_match {
	u32 klass;
	u32 line;
	u32 source;	/* enum prio_source */
};

/*
 * Reading the task. These run for every task of every scan, so they read
 * fields directly (the verifier makes each a fault-safe load) rather than
 * through bpf_probe_read_kernel() calls.
 */

/* the rule of the nearest cgroup with one, from @p's cgroup up to the root */
static __always_inline struct prio_rule *cgroup_rule(struct task_struct *p, u32 gen)
{
	struct prio_cgroup_key key = { .gen = gen };
	struct cgroup *cg = p->cgroups->dfl_cgrp;
	struct cgroup_subsys_state *parent;
	struct prio_rule *r;
	int i;

	for (i = 0; i < MAX_CGROUP_DEPTH && cg; i++) {
		key.id = cg->kn->id;
		r = bpf_map_lookup_elem(&prio_cgroup, &key);
		if (r)
			return r;
		parent = cg->self.parent;	/* NULL above the root */
		cg = parent ? parent->cgroup : NULL;
	}
	return NULL;
}

static __always_inline void classify(struct task_struct *p, u32 gen, struct prio_match *m)
{
	struct prio_comm_key ckey = { .gen = gen };
	struct prio_uid_key ukey = { .gen = gen };
	struct prio_rule *r;

	/* the kernel pads comm with NULs (strscpy_pad()), as oomx pads the key */
	__builtin_memcpy(ckey.comm, p->comm, sizeof(ckey.comm));
	r = bpf_map_lookup_elem(&prio_comm, &ckey);
	m->source = PRIO_SRC_COMM;
	if (!r) {
		ukey.uid = p->cred->uid.val;
		r = bpf_map_lookup_elem(&prio_uid, &ukey);
		m->source = PRIO_SRC_UID;
	}
	if (!r) {
		r = cgroup_rule(p, gen);
		m->source = PRIO_SRC_CGROUP;
	}
	if (r) {
		m->klass = r->klass;
		m->line = r->line;
	} else {
		m->klass = CLASS_DEFAULT;
		m->line = 0;
		m->source = PRIO_SRC_DEFAULT;
	}
}

SEC("struct_ops/badness")
s64 BPF_PROG(priority_badness, struct task_struct *p, struct oom_control *oc,
	     s64 points)
{
	u32 gen = oomx_cfg_gen();
	u32 rank = prio_settings[gen & 1].rank;
	struct prio_match m;
	s64 score, growth = 0;

	classify(p, gen, &m);
	if (m.klass >= CLASS_PROTECT) {
		oomx_scan_note(p, OOM_EXT_NEVER);
		return OOM_EXT_NEVER;
	}
	/*
	 * The class in the high bits, the rank within the class below: any
	 * task of a lower class outscores every task of a higher one. The
	 * rank is the kernel's points, clamped to +-2^49 pages (2 EiB, far
	 * beyond any machine), or the growth above the points.
	 */
	if (rank == PRIO_RANK_GROWTH) {
		growth = task_growth(p);
		growth = growth < 0 ? 0 : growth > GROWTH_RATE_MAX ? GROWTH_RATE_MAX : growth;
		points = points < 0 ? 0 : points > GROWTH_POINTS_MAX ? GROWTH_POINTS_MAX : points;
		points += growth << 29;
	}
	if (points > (1LL << 49))
		points = 1LL << 49;
	if (points < -(1LL << 49))
		points = -(1LL << 49);
	score = (s64)(CLASS_PROTECT - 1 - m.klass) * (1LL << 50) + points;
	oomx_scan_note(p, score);
	if (oomx_scan.best_pid == p->tgid)
		prio_best_growth = growth;
	return score;
}

OOMX_SELECT_SCAN_ONLY(priority_select)

static __always_inline const char *source_name(u32 source)
{
	switch (source) {
	case PRIO_SRC_COMM:
		return "comm rule";
	case PRIO_SRC_UID:
		return "uid rule";
	case PRIO_SRC_CGROUP:
		return "cgroup rule";
	default:
		return "no rule";
	}
}

char reason_buf[OOMX_REASON_LEN];
char rule_buf[32];

static __always_inline const char *
oomx_explain(struct task_struct *victim, const struct oom_ext_kill_info *info)
{
	u32 gen = oomx_cfg_gen();
	struct prio_match m;

	classify(victim, gen, &m);
	if (m.source == PRIO_SRC_DEFAULT)
		__builtin_memcpy(rule_buf, "no rule", sizeof("no rule"));
	else
		BPF_SNPRINTF(rule_buf, sizeof(rule_buf), "%s at line %u",
			     source_name(m.source), m.line);
	if (prio_settings[gen & 1].rank == PRIO_RANK_GROWTH)
		BPF_SNPRINTF(reason_buf, sizeof(reason_buf),
			     "lowest class (%u, %s), growing %lld KiB/s",
			     m.klass, rule_buf, prio_best_growth * 4);
	else
		BPF_SNPRINTF(reason_buf, sizeof(reason_buf),
			     "lowest class (%u, %s), largest in it", m.klass, rule_buf);
	return reason_buf;
}

/*
 * Cgroup rules follow paths. These run under cgroup_mutex: mkdir's before
 * kernfs_activate() makes the new directory visible, so no task can be in
 * a cgroup before it is bound. Only the cgroup2 hierarchy (id 0) counts
 * (cgroup2 has no rename). The generations bound are the one in force, the
 * one an OOM may still hold and the one "oomx apply" may be writing; ids
 * are never reused, so a binding left behind for a removed cgroup could
 * not match another.
 */
static __always_inline void cg_bind(u64 id, const char *path)
{
	struct prio_cgpath_key key = {};
	struct prio_cgroup_key ck = { .id = id };
	u32 gen = oomx_gen_now();
	struct prio_rule *r;
	char last = 0;
	int i;

	if (bpf_probe_read_kernel_str(key.path, sizeof(key.path), path) <= 0)
		return;
	/* a longer path, cut to the key's size, must not match a rule */
	if (!bpf_probe_read_kernel(&last, 1, path + sizeof(key.path) - 1) && last)
		return;
	for (i = 0; i < 3; i++) {
		key.gen = ck.gen = (gen + OOMX_GEN_COUNT - 1 + i) & OOMX_GEN_MASK;
		r = bpf_map_lookup_elem(&prio_cgpath, &key);
		if (r)
			bpf_map_update_elem(&prio_cgroup, &ck, r, BPF_ANY);
	}
}

static __always_inline void cg_unbind(u64 id)
{
	struct prio_cgroup_key ck = { .id = id };
	u32 gen = oomx_gen_now();
	int i;

	for (i = 0; i < 3; i++) {	/* the previous, current and next generations */
		ck.gen = (gen + OOMX_GEN_COUNT - 1 + i) & OOMX_GEN_MASK;
		bpf_map_delete_elem(&prio_cgroup, &ck);
	}
}

SEC("tp_btf/cgroup_mkdir")
int BPF_PROG(prio_cgroup_mkdir, struct cgroup *cgrp, const char *path)
{
	if (!cgrp->root->hierarchy_id)
		cg_bind(cgrp->kn->id, path);
	return 0;
}

SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(prio_cgroup_rmdir, struct cgroup *cgrp, const char *path)
{
	if (!cgrp->root->hierarchy_id)
		cg_unbind(cgrp->kn->id);
	return 0;
}

OOMX_OPS_DEFINE(priority_ops,
	.init		= (void *)priority_init,
	.badness	= (void *)priority_badness,
	.select		= (void *)priority_select,
);

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * rules.bpf.h - the operator's rules, for any policy that includes it:
 * "protect", "prefer" and "class N" lines of the configuration, matched by
 * command name, uid or cgroup path, give every task a class from 0 (killed
 * first) to 255 (never). A task no rule matches is in class 100. The most
 * specific rule decides: a command-name rule, else a uid rule, else the
 * rule of the nearest cgroup on the path from the task's cgroup up to the
 * root. "kill group|process cgroup PATH" lines say what a kill takes, the
 * same way: the victim's whole memory cgroup or its process only, by the
 * nearest cgroup with such a line, whatever memory.oom.group says (a policy
 * including this file sets OOMX_KILL_MODE to oomx_rules_kill_mode). A path
 * with both lines has one entry, with both. oomx fills the maps
 * (user/rules.c) when it finds them in a policy; "oomx apply" replaces them atomically: every key carries a generation
 * (bpf/oomx.bpf.h), and a policy classifies with oomx_cfg_gen().
 *
 * A cgroup rule names a path. prio_cgpath holds the paths; prio_cgroup
 * binds each to the live cgroup that has it: oomx binds the cgroups that
 * exist when it applies the rules, and prio_cgroup_mkdir() every cgroup
 * created later, before any task can enter it. A service that is restarted
 * (its cgroup removed and created again, with a new id) keeps its rule,
 * without a daemon.
 */
#ifndef __OOMX_RULES_BPF_H
#define __OOMX_RULES_BPF_H

#ifndef OOMX_KILL_MODE
#error "the rules have kill lines: #define OOMX_KILL_MODE oomx_rules_kill_mode before #include \"oomx.bpf.h\" (docs/policy-guide.md)"
#endif

#define OOMX_CLASS_PREFER	0
#define OOMX_CLASS_DEFAULT	100
#define OOMX_CLASS_PROTECT	255
#define OOMX_MAX_CGROUP_DEPTH	32

/* where a task's class came from, for the event's reason */
enum oomx_rule_source {
	OOMX_SRC_DEFAULT,
	OOMX_SRC_COMM,
	OOMX_SRC_UID,
	OOMX_SRC_CGROUP,
};

struct oomx_class {
	u32 klass;
	u32 line;	/* of the configuration file, 0 for the default */
	u32 source;	/* enum oomx_rule_source */
};

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

/*
 * Reading the task. These run for every task of every scan, so they read
 * fields directly (the verifier makes each a fault-safe load) rather than
 * through bpf_probe_read_kernel() calls.
 */

/*
 * The rule of the nearest cgroup with one, from @p's cgroup up to the
 * root: a class rule, or with @kill a kill rule; *@level is that cgroup's
 * depth below the root.
 */
static __always_inline struct prio_rule *oomx_cgroup_rule(struct task_struct *p, u32 gen,
							  bool kill, int *level)
{
	struct prio_cgroup_key key = { .gen = gen };
	struct cgroup *cg = p->cgroups->dfl_cgrp;
	struct cgroup_subsys_state *parent;
	struct prio_rule *r;
	int i;

	for (i = 0; i < OOMX_MAX_CGROUP_DEPTH && cg; i++) {
		key.id = cg->kn->id;
		r = bpf_map_lookup_elem(&prio_cgroup, &key);
		if (r && (kill ? r->kill_mode : r->klass != OOMX_CLASS_NONE)) {
			*level = cg->level;
			return r;
		}
		parent = cg->self.parent;	/* NULL above the root */
		cg = parent ? parent->cgroup : NULL;
	}
	return NULL;
}

/* oomx_classify: @p's class under the rules of generation @gen */
static __always_inline void oomx_classify(struct task_struct *p, u32 gen,
					  struct oomx_class *c)
{
	struct prio_comm_key ckey = { .gen = gen };
	struct prio_uid_key ukey = { .gen = gen };
	struct prio_rule *r;
	int level;

	/* the kernel pads comm with NULs (strscpy_pad()), as oomx pads the key */
	__builtin_memcpy(ckey.comm, p->comm, sizeof(ckey.comm));
	r = bpf_map_lookup_elem(&prio_comm, &ckey);
	c->source = OOMX_SRC_COMM;
	if (!r) {
		ukey.uid = p->cred->uid.val;
		r = bpf_map_lookup_elem(&prio_uid, &ukey);
		c->source = OOMX_SRC_UID;
	}
	if (!r) {
		r = oomx_cgroup_rule(p, gen, false, &level);
		c->source = OOMX_SRC_CGROUP;
	}
	if (r) {
		c->klass = r->klass;
		c->line = r->line;
	} else {
		c->klass = OOMX_CLASS_DEFAULT;
		c->line = 0;
		c->source = OOMX_SRC_DEFAULT;
	}
}

/*
 * OOMX_KILL_MODE: what the kill of @victim takes, by the kill rules. The
 * kernel's group is the victim's own memory cgroup: one above the rule's
 * cgroup (which then has no memory controller of its own) would take more
 * than the rule's subtree, so memory.oom.group decides instead.
 */
static u32 oomx_rules_kill_mode(struct task_struct *victim, struct oom_control *oc)
{
	struct cgroup_subsys_state *css;
	struct prio_rule *r;
	int level = 0;

	r = oomx_cgroup_rule(victim, oomx_cfg_gen(), true, &level);
	if (!r)
		return OOM_EXT_KILL_MODE_DEFAULT;
	if (r->kill_mode == OOM_EXT_KILL_MODE_GROUP) {
		css = oomx_task_memcg_css(victim);
		if (!css || BPF_CORE_READ(css, cgroup, level) < level)
			return OOM_EXT_KILL_MODE_DEFAULT;
	}
	oomx_kill_line = r->kill_line;
	return r->kill_mode;
}

static __always_inline const char *oomx_rule_source_name(u32 source)
{
	switch (source) {
	case OOMX_SRC_COMM:
		return "comm rule";
	case OOMX_SRC_UID:
		return "uid rule";
	case OOMX_SRC_CGROUP:
		return "cgroup rule";
	default:
		return "no rule";
	}
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
static __always_inline void oomx_cg_bind(u64 id, const char *path)
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

static __always_inline void oomx_cg_unbind(u64 id)
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
		oomx_cg_bind(cgrp->kn->id, path);
	return 0;
}

SEC("tp_btf/cgroup_rmdir")
int BPF_PROG(prio_cgroup_rmdir, struct cgroup *cgrp, const char *path)
{
	if (!cgrp->root->hierarchy_id)
		oomx_cg_unbind(cgrp->kn->id);
	return 0;
}

#endif /* __OOMX_RULES_BPF_H */

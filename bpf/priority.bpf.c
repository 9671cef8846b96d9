// SPDX-License-Identifier: GPL-2.0
/*
 * priority: kill the least important work first, and the largest of it.
 *
 * Every task has a class from 0 to 255, given by the operator's rules
 * (bpf/rules.bpf.h, docs/oomx.md): "prefer" is class 0, "protect" is 255,
 * "class N" sets N, and a task no rule matches is in class 100. The victim
 * is the task of the lowest class; within a class, the one with the
 * kernel's highest points (its size, shifted by oom_score_adj), or, with
 * "rank growth", the one whose resident memory grows fastest
 * (bpf/growth.bpf.h). Class 255 tasks are never chosen by the policy; if
 * every candidate is protected, the kernel falls back to its own choice,
 * because an OOM must be resolved (docs/oom-ext.md).
 */
#define OOMX_POLICY_NAME	"priority"
#define OOMX_POLICY_SUMMARY	"operator rules by cgroup, command and uid; lowest class first, then largest"
#define OOMX_SCORE		priority_score
#define OOMX_EXPLAIN		priority_explain
#define OOMX_INIT		priority_init
#define OOMX_KILL_MODE		oomx_rules_kill_mode
#include "oomx.bpf.h"
#include "rules.bpf.h"
#include "priority_score.h"

enum prio_rank {
	PRIO_RANK_SIZE,		/* the largest: the kernel's points */
	PRIO_RANK_GROWTH,	/* the fastest-growing, then the largest */
};

OOMX_TUNABLE(enum prio_rank, rank, PRIO_RANK_SIZE, PRIO_RANK_SIZE, PRIO_RANK_GROWTH,
	     "which task of the lowest class dies: size (the largest) or growth");
OOMX_TUNABLE(__u32, growth_interval_ms, 1000, 100, 60000,
	     "how often growth is sampled, while rank is growth");

/* growth.bpf.h asks: sample only while ranking by growth, at this interval */
static bool growth_wanted(void)
{
	return oomx_get_now(rank) == PRIO_RANK_GROWTH;
}

static u32 growth_period_ms(void)
{
	u32 ms = oomx_get_now(growth_interval_ms);

	/* oomx checks the bounds; a value written behind its back must not spin */
	return ms < 100 ? 100 : ms;
}

#include "growth.bpf.h"

static s32 priority_init(void)
{
	return growth_start();
}

static s64 priority_score(struct task_struct *p, struct oom_control *oc, s64 points)
{
	struct oomx_class c;
	u32 gen = oomx_cfg_gen();	/* once per task: classify and rank read the same */
	bool by_growth = oomx_get_gen(rank, gen) == PRIO_RANK_GROWTH;

	oomx_classify(p, gen, &c);
	if (c.klass > PRIO_CLASS_MAX)
		return OOM_EXT_NEVER;
	return prio_score(c.klass, points, by_growth ? task_growth(p) : 0, by_growth);
}

char reason_buf[OOMX_REASON_LEN];
char rule_buf[32];

static const char *priority_explain(struct task_struct *victim,
				    const struct oom_ext_kill_info *info)
{
	struct oomx_class c;

	oomx_classify(victim, oomx_cfg_gen(), &c);
	if (c.source == OOMX_SRC_DEFAULT)
		__builtin_memcpy(rule_buf, "no rule", sizeof("no rule"));
	else
		BPF_SNPRINTF(rule_buf, sizeof(rule_buf), "%s at line %u",
			     oomx_rule_source_name(c.source), c.line);
	if (oomx_get(rank) == PRIO_RANK_GROWTH)
		BPF_SNPRINTF(reason_buf, sizeof(reason_buf),
			     "lowest class (%u, %s), growing %lld KiB/s",
			     c.klass, rule_buf, task_growth(victim) * 4);
	else
		BPF_SNPRINTF(reason_buf, sizeof(reason_buf),
			     "lowest class (%u, %s), largest in it", c.klass, rule_buf);
	return reason_buf;
}

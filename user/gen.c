// SPDX-License-Identifier: GPL-2.0
/*
 * Configuration generations; see gen.h. The protocol, for generation CUR
 * in force and NEXT = CUR + 1 (modulo OOMX_GEN_COUNT):
 *
 *  1. wait until no OOM holds a generation other than CUR (a previous
 *     switch may have stopped waiting), and drop whatever rules such a
 *     generation left;
 *  2. write the new settings into NEXT's slot, which no OOM reads;
 *  3. write the new rules under NEXT (or copy CUR's, for "oomx set");
 *  4. switch oomx_gen to NEXT: one atomic store, then a full barrier;
 *  5. wait until no OOM holds CUR, then drop CUR's rules.
 *
 * The variables are read and written in place, in the mmap()ed maps. An
 * OOM marks itself PENDING (an atomic exchange) before it reads oomx_gen,
 * then ACTIVE with the generation it read, and fexit/out_of_memory clears
 * it (bpf/oomx.bpf.h). As step 4 stores before it reads oomx_oom, either
 * step 5 sees the OOM (PENDING or ACTIVE | CUR: wait) or the OOM reads
 * NEXT: after step 5, nothing can look up CUR's rules.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <linux/types.h>
#include "gen.h"
#include "globals.h"
#include "oomx_shared.h"
#include "pin.h"
#include "rules.h"
#include "sysfs.h"

#define OOM_WAIT_MS	5000

/* does an OOM in @state hold generation @gen (@other: one other than @gen)? */
static bool holds(__u32 state, __u32 gen, bool other)
{
	if (state & OOMX_OOM_PENDING)
		return true;	/* it may have read any generation */
	if (!(state & OOMX_OOM_ACTIVE))
		return false;
	return ((state & OOMX_GEN_MASK) == gen) != other;
}

/* wait_oom: until holds() is false; 0, or -ETIMEDOUT after OOM_WAIT_MS */
static int wait_oom(const __u32 *state, __u32 gen, bool other, __u32 *seen)
{
	const struct timespec step = { .tv_nsec = 5 * 1000 * 1000 };
	int i;

	for (i = 0; i <= OOM_WAIT_MS / 5; i++) {
		*seen = __atomic_load_n(state, __ATOMIC_SEQ_CST);
		if (!holds(*seen, gen, other))
			return 0;
		nanosleep(&step, NULL);
	}
	return -ETIMEDOUT;
}

static int open_pin(const char *cmd, const char *pin, struct oomx_section *s, bool live)
{
	char path[256];
	int err;

	pin_path(path, sizeof(path), pin);
	err = oomx_section_open(s, path);
	if (!err && live)
		err = oomx_section_map(s);
	if (!err)
		return 0;
	if (err == -ENOENT && !pin_loaded())
		fprintf(stderr, "%s: no policy is loaded (nothing pinned at %s); 'oomx load' one "
			"first\n", cmd, PIN_DIR);
	else if (err == -ENOENT)
		fprintf(stderr, "%s: the loaded policy has no %s pin (an older oomx loaded it?); "
			"'oomx load --replace' it\n", cmd, path);
	else
		fprintf(stderr, "%s: cannot %s %s: %s\n", cmd, live ? "map" : "read", path,
			strerror(-err));
	return 1;
}

int pinned_cfg_open(const char *cmd, struct pinned_cfg *pc, bool live)
{
	char err[OOMX_TUNABLE_ERR_LEN];

	memset(pc, 0, sizeof(*pc));
	pc->set.fd = pc->ro.fd = pc->bss.fd = -1;
	if (open_pin(cmd, "settings", &pc->set, live) || open_pin(cmd, "rodata", &pc->ro, false) ||
	    open_pin(cmd, "bss", &pc->bss, live))
		goto fail;
	if (tunables_read(&pc->tunables, pc->set.btf, pc->set.datasec, pc->set.value_size,
			  pc->ro.datasec,
			  pc->ro.value, pc->ro.value_size, err)) {
		fprintf(stderr, "%s: the loaded policy: %s\n", cmd, err);
		goto fail;
	}
	pc->genp = live ? oomx_section_live(&pc->set, "oomx_gen", sizeof(__u32)) :
			  oomx_section_var(&pc->set, "oomx_gen", sizeof(__u32));
	pc->state = live ? oomx_section_live(&pc->bss, "oomx_oom", sizeof(struct oomx_oom)) :
			   oomx_section_var(&pc->bss, "oomx_oom", sizeof(struct oomx_oom));
	if (!pc->genp || !pc->state) {
		fprintf(stderr, "%s: the pinned policy's maps are not those of this oomx (another "
			"version loaded it?); 'oomx load --replace' it\n", cmd);
		goto fail;
	}
	return 0;
fail:
	pinned_cfg_close(pc);
	return 1;
}

__u32 pinned_cfg_gen(const struct pinned_cfg *pc)
{
	return __atomic_load_n(pc->genp, __ATOMIC_SEQ_CST) & OOMX_GEN_MASK;
}

__s64 pinned_cfg_value(const struct pinned_cfg *pc, size_t i)
{
	const void *sec = pc->set.live ? pc->set.live : (const void *)pc->set.value;

	return tunable_get(&pc->tunables.t[i], sec, pinned_cfg_gen(pc) & 1);
}

void pinned_cfg_close(struct pinned_cfg *pc)
{
	oomx_section_close(&pc->bss);
	oomx_section_close(&pc->ro);
	oomx_section_close(&pc->set);
}

int gen_switch(const char *cmd, const struct oomx_config *cfg, const char *src, bool only_given)
{
	static __s64 val[OOMX_MAX_TUNABLES];
	static bool given[OOMX_MAX_TUNABLES];
	struct rules_maps rm = { .fd = { -1, -1, -1, -1 } };
	char err[OOMX_TUNABLE_ERR_LEN], name[128];
	bool rules = rules_pinned();
	struct pinned_cfg pc;
	__u32 cur, next, seen;
	size_t i;
	int ret = 1;

	if (pinned_cfg_open(cmd, &pc, true))
		return 1;
	if (sysfs_attached(name, sizeof(name)) || !name[0])
		snprintf(name, sizeof(name), "loaded");
	/* everything that can be refused, before anything changes */
	if (tunables_resolve(&pc.tunables, cfg, src, name, val, given, err)) {
		fprintf(stderr, "%s\n", err);
		goto out;
	}
	if (cfg->nr_rules && !rules) {
		fprintf(stderr, "%s:%u: the %s policy takes no rules (it does not include "
			"bpf/rules.bpf.h)\n", src, cfg->rules[0].line, name);
		goto out;
	}
	if (rules_check(cfg, src))
		goto out;
	cur = pinned_cfg_gen(&pc);
	next = (cur + 1) & OOMX_GEN_MASK;

	/* 1 */
	if (wait_oom(pc.state, cur, true, &seen)) {
		fprintf(stderr, "%s: an OOM has held an older configuration (oomx_oom state %#x) "
			"for %d ms; nothing changed. Try again; if this persists, the policy's "
			"fexit/out_of_memory link is gone: 'oomx load --replace' the policy\n",
			cmd, seen, OOM_WAIT_MS);
		goto out;
	}
	if (rules) {
		if (rules_open_pinned(cmd, &rm))
			goto out;
		rules_drop_others(&rm, cur);
	}
	/* 2 */
	for (i = 0; i < pc.tunables.n; i++) {
		const struct oomx_tunable *t = &pc.tunables.t[i];
		__s64 v = given[i] ? val[i] : only_given ? tunable_get(t, pc.set.live, cur & 1) :
			  t->info.def;

		tunable_set(t, pc.set.live, next & 1, v);
	}
	/* 3 */
	if (rules && (only_given ? rules_copy(cmd, &rm, cur, next) :
				   rules_fill(cmd, &rm, cfg, next))) {
		rules_drop(&rm, next);
		goto out;
	}
	/* 4 */
	__atomic_store_n(pc.genp, next, __ATOMIC_SEQ_CST);
	ret = 0;
	/* 5 */
	if (wait_oom(pc.state, cur, false, &seen))
		fprintf(stderr, "%s: an OOM still uses the previous configuration after %d ms; "
			"its rules stay until the next 'oomx apply' or 'oomx set'\n", cmd,
			OOM_WAIT_MS);
	else if (rules)
		rules_drop(&rm, cur);
out:
	rules_close(&rm);
	pinned_cfg_close(&pc);
	return ret;
}

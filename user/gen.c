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

/* the new slot @n: slot @c with what @cfg gives (all of it unless @only_given) */
static void new_settings(volatile struct oomx_common_cfg *common,
			 volatile struct prio_settings *prio, unsigned int c, unsigned int n,
			 const struct oomx_config *cfg, bool only_given)
{
	common[n].reap_delay_ms = !only_given || cfg->has_reap_delay ?
				  cfg->reap_delay_ms : common[c].reap_delay_ms;
	common[n].victim_timeout_ms = !only_given || cfg->has_victim_timeout ?
				      cfg->victim_timeout_ms : common[c].victim_timeout_ms;
	if (!prio)
		return;
	prio[n].rank = !only_given || cfg->has_rank ? cfg->rank : prio[c].rank;
	prio[n].growth_interval_ms = !only_given || cfg->has_growth_interval ?
				     cfg->growth_interval_ms : prio[c].growth_interval_ms;
}

static int open_mapped(const char *cmd, const char *pin, struct oomx_section *s)
{
	char path[256];
	int err;

	pin_path(path, sizeof(path), pin);
	err = oomx_section_open(s, path);
	if (!err)
		err = oomx_section_map(s);
	if (!err)
		return 0;
	if (err == -ENOENT)
		fprintf(stderr, "%s: no policy is loaded (nothing pinned at %s); 'oomx load' one "
			"first\n", cmd, path);
	else
		fprintf(stderr, "%s: cannot map %s: %s\n", cmd, path, strerror(-err));
	return 1;
}

int gen_switch(const char *cmd, bool rules, const struct oomx_config *cfg, bool only_given)
{
	struct rules_maps rm = { .fd = { -1, -1, -1, -1 } };
	struct oomx_section set = { .fd = -1 }, bss = { .fd = -1 };
	volatile struct oomx_common_cfg *common;
	volatile struct prio_settings *prio;
	__u32 *genp, *state, cur, next, seen;
	int ret = 1;

	if (open_mapped(cmd, "settings", &set) || open_mapped(cmd, "bss", &bss))
		goto out;
	genp = oomx_section_live(&set, "oomx_gen", sizeof(*genp));
	common = oomx_section_live(&set, "oomx_common", 2 * sizeof(*common));
	prio = oomx_section_live(&set, "prio_settings", 2 * sizeof(*prio));
	state = oomx_section_live(&bss, "oomx_oom", sizeof(struct oomx_oom));
	if (!genp || !common || !state) {
		fprintf(stderr, "%s: the pinned policy's maps are not those of this oomx (another "
			"version loaded it?); 'oomx load --replace' it\n", cmd);
		goto out;
	}
	if ((cfg->has_rank || cfg->has_growth_interval) && !prio) {
		fprintf(stderr, "%s: rank and growth_interval_ms are settings of the priority "
			"policy, which is not the one loaded\n", cmd);
		goto out;
	}
	cur = __atomic_load_n(genp, __ATOMIC_SEQ_CST) & OOMX_GEN_MASK;
	next = (cur + 1) & OOMX_GEN_MASK;

	/* 1 */
	if (wait_oom(state, cur, true, &seen)) {
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
	new_settings(common, prio, cur & 1, next & 1, cfg, only_given);
	/* 3 */
	if (rules && (only_given ? rules_copy(cmd, &rm, cur, next) :
				   rules_fill(cmd, &rm, cfg, next))) {
		rules_drop(&rm, next);
		goto out;
	}
	/* 4 */
	__atomic_store_n(genp, next, __ATOMIC_SEQ_CST);
	ret = 0;
	/* 5 */
	if (wait_oom(state, cur, false, &seen))
		fprintf(stderr, "%s: an OOM still uses the previous configuration after %d ms; "
			"its rules stay until the next 'oomx apply' or 'oomx set'\n", cmd,
			OOM_WAIT_MS);
	else if (rules)
		rules_drop(&rm, cur);
out:
	rules_close(&rm);
	oomx_section_close(&bss);
	oomx_section_close(&set);
	return ret;
}

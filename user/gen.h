/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The loaded policy's configuration (bpf/oomx.bpf.h): its tunables in the
 * pinned maps, and configuration generations, how "oomx apply" and "oomx
 * set" change a loaded policy so that every OOM sees one whole
 * configuration, the old or the new.
 */
#ifndef __OOMX_GEN_H
#define __OOMX_GEN_H

#include <stdbool.h>
#include "config.h"
#include "globals.h"
#include "tunables.h"

/* the pinned settings (.data.cfg), bounds (.rodata) and OOM state (.bss) */
struct pinned_cfg {
	struct oomx_section set, ro, bss;
	struct oomx_tunables tunables;
	__u32 *genp;		/* live, in the mapping of set */
	__u32 *state;		/* live, in the mapping of bss */
};

/*
 * pinned_cfg_open: the loaded policy's configuration, mapped (@live: to
 * change it) or read once. 0, or 1 with "@cmd: ..." printed.
 */
int pinned_cfg_open(const char *cmd, struct pinned_cfg *pc, bool live);

/* pinned_cfg_gen: the generation in force */
__u32 pinned_cfg_gen(const struct pinned_cfg *pc);

/* pinned_cfg_value: tunable @i's value in the generation in force */
__s64 pinned_cfg_value(const struct pinned_cfg *pc, size_t i);

void pinned_cfg_close(struct pinned_cfg *pc);

/*
 * gen_switch: make @cfg (named @src in messages) the loaded policy's
 * configuration. With @only_given, only the settings @cfg gives change and
 * the rules stay (oomx set); otherwise every setting @cfg does not give
 * returns to the policy's default and the rules are replaced (oomx apply).
 * The caller holds pin_lock(). Returns 0, or 1 with the reason printed; on
 * failure the configuration in force is the old one.
 */
int gen_switch(const char *cmd, const struct oomx_config *cfg, const char *src, bool only_given);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The operator's rules in a policy's rule maps (bpf/rules.bpf.h, which any
 * policy may include; oomx takes rules for a policy that has the maps):
 * one entry per rule and generation in prio_comm, prio_uid and
 * prio_cgpath, and in prio_cgroup the bindings of cgroup rules to the live
 * cgroups that have their paths.
 */
#ifndef __OOMX_RULES_H
#define __OOMX_RULES_H

#include <stdbool.h>
#include <bpf/libbpf.h>
#include "config.h"

enum rules_map {
	RM_CGPATH,
	RM_CGROUP,
	RM_COMM,
	RM_UID,
	RM_NR,
};

struct rules_maps {
	int fd[RM_NR];
	bool owned;	/* opened from the pins: rules_close() closes them */
};

/* rules_in_object: whether @obj has the rule maps */
bool rules_in_object(struct bpf_object *obj);

/* rules_pinned: whether the loaded policy has the rule maps */
bool rules_pinned(void);

/*
 * rules_check: what can be checked of @cfg's rules before they are stored:
 * no two rules for the same thing. A cgroup rule may name a cgroup that
 * does not exist yet: it applies once one has its path. 0, or 1 with
 * "@src:LINE: ..." printed.
 */
int rules_check(const struct oomx_config *cfg, const char *src);

/* rules_open_pinned: the loaded policy's maps; 0, or 1 with the reason printed */
int rules_open_pinned(const char *cmd, struct rules_maps *rm);

/* rules_of_object: the maps of @obj, loaded but not pinned; 0 or 1 (printed) */
int rules_of_object(const char *cmd, struct bpf_object *obj, struct rules_maps *rm);

void rules_close(struct rules_maps *rm);

/*
 * rules_fill: store @cfg's rules under generation @gen and bind its cgroup
 * rules to the cgroups that exist now (those created later bind
 * themselves). Not in force until the policy switches to @gen. 0 or 1.
 */
int rules_fill(const char *cmd, const struct rules_maps *rm, const struct oomx_config *cfg,
	       __u32 gen);

/* rules_copy: every rule and binding of generation @from again as @to; 0 or 1 */
int rules_copy(const char *cmd, const struct rules_maps *rm, __u32 from, __u32 to);

/* rules_drop: delete generation @gen; rules_drop_others: all but @gen */
void rules_drop(const struct rules_maps *rm, __u32 gen);
void rules_drop_others(const struct rules_maps *rm, __u32 gen);

/*
 * rules_print: the rules of generation @gen in line order and, for a
 * cgroup rule, whether it is bound to a live cgroup: as text lines, or as
 * a JSON array (the value of "rules").
 */
void rules_print(const struct rules_maps *rm, __u32 gen, bool json);

#endif

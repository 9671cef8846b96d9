/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A policy object, built in or a file: opening it, configuring it from a
 * configuration file, loading it, attaching it. Every policy is handled
 * the same way, from what its object says of itself (bpf/oomx.bpf.h): its
 * name and summary, its tunables (user/tunables.c), whether it takes rules
 * (it has the rule maps of bpf/rules.bpf.h), its programs besides the
 * struct_ops (attached before the policy, pinned with it).
 */
#ifndef __OOMX_POLICY_H
#define __OOMX_POLICY_H

#include <stdbool.h>
#include <bpf/libbpf.h>
#include "config.h"
#include "oomx_shared.h"
#include "tunables.h"

#define POLICY_MAX_EXTRA	8

struct oomx_policy {
	char name[OOMX_POLICY_LEN];
	char summary[OOMX_SUMMARY_LEN];
	const char *source;		/* "built-in" or the object's path */
	struct bpf_object *obj;
	struct bpf_map *ops;		/* the struct_ops map */
	struct bpf_map *events;
	bool rules;			/* has the rule maps */
	bool shadow;			/* policy_shadow() made it a shadow */
	struct oomx_tunables tunables;
	int nr_extra;
	struct bpf_link *extra[POLICY_MAX_EXTRA];
	const char *extra_name[POLICY_MAX_EXTRA];
};

/* policy_is_file: does @spec name a policy file rather than a built-in policy? */
bool policy_is_file(const char *spec);

/* policy_spec_check: 0 if @spec may name a policy, else EXIT_USAGE (printed) */
int policy_spec_check(const char *cmd, const char *spec);

/*
 * policy_open: open @spec, a built-in policy's name or the path of a
 * policy object, and read what it says of itself; nothing is loaded.
 * 0, or 1 with "@cmd: ..." printed (the policy needs closing either way).
 */
int policy_open(const char *cmd, const char *spec, struct oomx_policy *p);

/*
 * policy_shadow: make the opened policy a shadow (bpf/shadow.bpf.h): only
 * its shadow program and its rules' tracepoints load; it needs no
 * oom_ext. 0, or 1 (printed) for a policy without a score.
 */
int policy_shadow(const char *cmd, struct oomx_policy *p);

/* policy_events_kib: size the event ring buffer; 0 or 1 (printed) */
int policy_events_kib(const char *cmd, struct oomx_policy *p, unsigned long kib);

/*
 * policy_configure: check @cfg against the policy (its tunables, whether
 * it takes rules) and set the settings it gives as the values the policy
 * starts with. @src names @cfg in messages. 0, or 1 (printed) with the
 * policy unchanged.
 */
int policy_configure(const char *cmd, struct oomx_policy *p, const struct oomx_config *cfg,
		     const char *src);

/*
 * policy_load: load the policy into the kernel, attach its programs other
 * than the struct_ops and fill its rules from @cfg. The policy itself is
 * not attached: on failure policy_close() leaves the kernel as it was.
 * 0, or 1 (printed).
 */
int policy_load(const char *cmd, struct oomx_policy *p, const struct oomx_config *cfg);

/* policy_attach: attach the loaded policy; its link, or NULL (printed) */
struct bpf_link *policy_attach(const char *cmd, struct oomx_policy *p);

/*
 * policy_close: detach the extra programs (unless @keep: their pins hold
 * them) and close the object.
 */
void policy_close(struct oomx_policy *p, bool keep);

/* has_bpf_caps: may this process load and attach a policy? */
bool has_bpf_caps(void);

#endif

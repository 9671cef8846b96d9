/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The built-in policies: each bpf/NAME.bpf.c of the Makefile's POLICIES,
 * its object embedded whole in the loader (scripts/embed-policies.sh).
 * Everything else about a policy (its summary, its settings, whether it
 * takes rules) is read from the object itself, as for a policy file.
 */
#ifndef __OOMX_BUILTIN_H
#define __OOMX_BUILTIN_H

#include <stddef.h>

struct oomx_builtin {
	const char *name;
	const unsigned char *start;	/* the ELF object */
	const unsigned char *end;
};

extern const struct oomx_builtin oomx_builtins[];
extern const unsigned long oomx_nr_builtins;

/* builtin_find: the policy named @name, or NULL */
const struct oomx_builtin *builtin_find(const char *name);

/* builtin_names: "default, priority, ..." into @buf */
void builtin_names(char *buf, size_t len);

#endif

/* SPDX-License-Identifier: GPL-2.0 */
/* The policies built into oomx (user/policies.c). */
#ifndef __OOMX_POLICIES_H
#define __OOMX_POLICIES_H

#include <stdbool.h>
#include <stddef.h>

struct oomx_policy {
	const char *name;
	const char *summary;
	const void *(*elf_bytes)(size_t *sz);
	bool rules;	/* takes protect/prefer/class rules */
};

extern const struct oomx_policy oomx_policies[];
extern const size_t oomx_nr_policies;

#endif

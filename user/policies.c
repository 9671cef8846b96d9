// SPDX-License-Identifier: GPL-2.0
/* The built-in policies: each bpf/<name>.bpf.c, embedded through its skeleton. */
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "oomx_shared.h"
#include "policies.h"
#include "default.skel.h"
#include "priority.skel.h"
#include "pressure.skel.h"

const struct oomx_policy oomx_policies[] = {
	{
		.name = "default",
		.summary = "the kernel's own heuristic, with every kill and reap explained",
		.elf_bytes = oomx_default__elf_bytes,
	},
	{
		.name = "priority",
		.summary = "operator rules by cgroup, command and uid; lowest class first, then largest",
		.elf_bytes = oomx_priority__elf_bytes,
		.rules = true,
	},
	{
		.name = "pressure",
		.summary = "honours memory.min/low: the cgroup most above its protection loses its largest task",
		.elf_bytes = oomx_pressure__elf_bytes,
	},
};

const size_t oomx_nr_policies = sizeof(oomx_policies) / sizeof(oomx_policies[0]);

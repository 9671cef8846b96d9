/* SPDX-License-Identifier: GPL-2.0 */
/* Shadows pinned by "oomx shadow --load" (user/cmd_shadow.c). */
#ifndef __OOMX_SHADOW_H
#define __OOMX_SHADOW_H

#include <stdbool.h>

/* one directory per shadow: link_*, events, bss (its struct oomx_shadow_stats) */
#define SHADOW_DIR	"/sys/fs/bpf/oomx-shadow"

/*
 * shadow_status: the pinned shadows' agreement and cost, as text lines
 * (nothing if there is none) or as ',"shadows":[...]' in JSON. Returns
 * how many there are.
 */
int shadow_status(bool json);

#endif

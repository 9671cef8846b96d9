/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The swap a pressure line's scope can still use, for "swap PCT%"
 * (pressure.h): the machine's, from sysinfo(2), and for a cgroup scope
 * memory.swap.current of memory.swap.max at the cgroup and at each ancestor
 * that sets one. Reclaim can move a cgroup's memory to swap only while all
 * of them have room (mem_cgroup_get_nr_swap_pages(), mm/memcontrol.c), so
 * the fullest of them is the scope's share.
 *
 * The cgroup files are opened, and read once, when the line is armed, so
 * that a read at a trip opens nothing and finds its seq_file buffer there.
 */
#ifndef __OOMX_SWAP_H
#define __OOMX_SWAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* cgroup levels read, from the scope up; a deeper scope's top ones are not */
#define OOMX_SWAP_LEVELS	16

struct oomx_swap_files {
	unsigned int n;				/* levels with both files */
	int cur[OOMX_SWAP_LEVELS];		/* memory.swap.current */
	int max[OOMX_SWAP_LEVELS];		/* memory.swap.max */
	unsigned char up[OOMX_SWAP_LEVELS];	/* levels above the scope: 0 is the scope */
};

#define OOMX_SWAP_MACHINE	(-1)	/* oomx_swap.source: the machine's swap */
#define OOMX_SWAP_NOWHERE	(-2)	/* ...: nothing could be read */

struct oomx_swap {
	int used_x100;		/* the fullest share, percent * 100; -1: the rule
				   cannot act (no swap, a limit of 0, unread) */
	int source;		/* OOMX_SWAP_MACHINE, OOMX_SWAP_NOWHERE, or the
				   levels above the scope of the cgroup that decided */
	bool scope_read;	/* scope_bytes was read */
	uint64_t scope_bytes;	/* the scope's own swap use: its
				   memory.swap.current, or the machine's used swap */
};

/*
 * swap_level_parse: one cgroup's memory.swap.current and memory.swap.max
 * texts. Returns 1 with @share_x100 (current of max, percent * 100, at most
 * 10000) if a limit applies, 0 if the limit is "max", -1 if it is 0 (the
 * cgroup may not swap at all), -2 if a text is malformed; @cur_bytes is set
 * unless -2.
 */
int swap_level_parse(const char *cur, const char *max, uint64_t *cur_bytes, int *share_x100);

/*
 * swap_open: the files of @dir (a cgroup directory below @cgroot) and of
 * its ancestors below @cgroot; @dir NULL for the machine (no file). A level
 * without them (no memory controller there) is skipped. 0, or -1 with @err
 * (then nothing is left open).
 */
int swap_open(struct oomx_swap_files *f, const char *cgroot, const char *dir, char *err,
	      size_t len);

/* swap_read: the scope's share now (a machine scope: @f has no level) */
void swap_read(const struct oomx_swap_files *f, bool machine, struct oomx_swap *r);

/* swap_close: close what swap_open() opened; @f is empty after */
void swap_close(struct oomx_swap_files *f);

/* swap_init: an empty set, nothing open */
void swap_init(struct oomx_swap_files *f);

#endif /* __OOMX_SWAP_H */

// SPDX-License-Identifier: GPL-2.0
/*
 * pin_poke MAP VAR [VALUE] - read, or write in place, the u32 global VAR of
 * the pinned data-section map MAP (e.g. /sys/fs/bpf/oomx/bss oomx_oom), the
 * way oomx reads it: through the map's mmap(), found by its BTF. Tests use
 * it to pretend an OOM holds a configuration generation. Prints the value
 * (before the write); exit 1 with the reason on any error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "globals.h"

int main(int argc, char **argv)
{
	struct oomx_section s;
	unsigned long v = 0;
	char *end;
	__u32 *p;
	int err;

	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: pin_poke MAP VAR [VALUE]\n");
		return 2;
	}
	if (argc == 4) {
		errno = 0;
		v = strtoul(argv[3], &end, 0);
		if (errno || *end || v > 0xffffffffUL) {
			fprintf(stderr, "pin_poke: bad value '%s'\n", argv[3]);
			return 2;
		}
	}
	err = oomx_section_open(&s, argv[1]);
	if (!err)
		err = oomx_section_map(&s);
	if (err) {
		fprintf(stderr, "pin_poke: %s: %s\n", argv[1], strerror(-err));
		oomx_section_close(&s);
		return 1;
	}
	p = oomx_section_live(&s, argv[2], sizeof(*p));
	if (!p) {
		fprintf(stderr, "pin_poke: %s has no 4-byte global '%s'\n", argv[1], argv[2]);
		oomx_section_close(&s);
		return 1;
	}
	printf("%u\n", __atomic_load_n(p, __ATOMIC_SEQ_CST));
	if (argc == 4)
		__atomic_store_n(p, (__u32)v, __ATOMIC_SEQ_CST);
	oomx_section_close(&s);
	return 0;
}

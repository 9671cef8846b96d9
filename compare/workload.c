// SPDX-License-Identifier: GPL-2.0
/*
 * workload - the memory behaviours the comparison puts each OOM tool
 * against (docs/compare.md). Anonymous memory, every page written, so it
 * is resident (or swapped), never the zero page.
 *
 *   workload leak --rate R        take R MiB/s, forever: a leak that ends
 *                                 in exhaustion
 *   workload sweep --mb N         take N MiB, then write one byte of every
 *                                 page, in order, forever: with N slightly
 *                                 more than memory, a working set that
 *                                 thrashes through swap and never OOMs
 *   workload sweep --mb N --hot H the same, but sweep only the first H MiB:
 *                                 busy and healthy, its cold part swapped
 *
 * --ready FILE gets our pid once the allocation is done (at once for a
 * leak). --alloc-rate R paces the allocation of a sweep. Runs until killed.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "../selftests/progs/util.h"

#define MIB	(1UL << 20)
#define PAGE	4096UL

static const char usage[] =
	"Usage: workload leak --rate MIB_PER_S [--ready FILE]\n"
	"       workload sweep --mb N [--hot H] [--alloc-rate MIB_PER_S] [--ready FILE]\n";

static unsigned char *take(unsigned long mb, unsigned long rate)
{
	unsigned char *mem = mmap(NULL, mb * MIB, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct timespec gap = { 0, rate ? 1000000000L / (long)rate : 0 };
	unsigned long i;

	if (mem == MAP_FAILED)
		return NULL;
	for (i = 0; i < mb * MIB / PAGE; i++) {
		mem[i * PAGE] = 1;
		if (rate && (i + 1) % (MIB / PAGE) == 0)
			nanosleep(&gap, NULL);
	}
	return mem;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rate", required_argument, NULL, 'r' },
		{ "mb", required_argument, NULL, 'm' },
		{ "hot", required_argument, NULL, 'H' },
		{ "alloc-rate", required_argument, NULL, 'a' },
		{ "ready", required_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long rate = 0, mb = 0, hot = 0, alloc_rate = 0, i;
	const char *ready = NULL;
	volatile unsigned char *mem;
	bool leak;
	int c;

	if (argc < 2 || (strcmp(argv[1], "leak") && strcmp(argv[1], "sweep"))) {
		fputs(usage, stderr);
		return 2;
	}
	leak = !strcmp(argv[1], "leak");
	optind = 2;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			rate = strtoul(optarg, NULL, 10);
			break;
		case 'm':
			mb = strtoul(optarg, NULL, 10);
			break;
		case 'H':
			hot = strtoul(optarg, NULL, 10);
			break;
		case 'a':
			alloc_rate = strtoul(optarg, NULL, 10);
			break;
		case 'R':
			ready = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind != argc || (leak && !rate) || (!leak && (!mb || hot > mb))) {
		fputs(usage, stderr);
		return 2;
	}

	if (leak) {
		if (ready && write_pid(ready, getpid()))
			return 1;
		for (;;)
			if (!take(1, rate))
				return 3;
	}

	mem = take(mb, alloc_rate);
	if (!mem) {
		fprintf(stderr, "workload: mmap: %s\n", strerror(errno));
		return 3;
	}
	if (ready && write_pid(ready, getpid()))
		return 1;
	if (!hot)
		hot = mb;
	for (;;)
		for (i = 0; i < hot * MIB / PAGE; i++)
			mem[i * PAGE] += 1;
}

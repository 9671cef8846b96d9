// SPDX-License-Identifier: GPL-2.0
/*
 * hog - allocate and touch memory, for provoking OOMs in the test VM.
 *
 * Memory is taken in 1 MiB anonymous mappings and every page is written
 * with a non-zero byte, so it is really resident (no zero page, no lazy
 * allocation). The point is to be killed: a hog that reaches its target
 * without --hold exits 0, which the tests treat as "the OOM killer did
 * not pick me".
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "util.h"

#define CHUNK (1UL << 20)

static const char usage[] =
	"Usage: hog [--mb N] [--hold] [--ready FILE] [--delay-ms MS] [--mlock]\n"
	"           [--threads N]\n"
	"\n"
	"Allocate and touch N MiB of anonymous memory (N=0: until killed).\n"
	"  --mb N         how much to allocate (default 0 = no limit)\n"
	"  --hold         after reaching N MiB, stay alive until killed\n"
	"  --ready FILE   create FILE (containing our pid) once N MiB are resident\n"
	"  --delay-ms MS  sleep MS ms after each MiB (a slow leak)\n"
	"  --mlock        mlockall() first: our own text cannot be reclaimed and\n"
	"                 refaulted, so a global OOM comes quickly, not after a\n"
	"                 long page-cache thrash\n"
	"  --threads N    run N-1 idle threads besides the allocating one (a\n"
	"                 multi-threaded victim, e.g. for freezer tests)\n"
	"Exit status: 0 when the target was reached (not killed), 2 on usage\n"
	"errors, 3 when mmap failed (out of address space, not an OOM kill).\n";

static void *idle_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mb", required_argument, NULL, 'm' },
		{ "hold", no_argument, NULL, 'H' },
		{ "ready", required_argument, NULL, 'r' },
		{ "delay-ms", required_argument, NULL, 'd' },
		{ "mlock", no_argument, NULL, 'L' },
		{ "threads", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned long mb = 0, delay_ms = 0, threads = 1, i;
	const char *ready = NULL;
	bool hold = false, lock = false;
	char *end;
	int opt;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'm':
			errno = 0;
			mb = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg) {
				fprintf(stderr, "hog: --mb wants a number of MiB, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'H':
			hold = true;
			break;
		case 'r':
			ready = optarg;
			break;
		case 'd':
			delay_ms = strtoul(optarg, NULL, 10);
			break;
		case 'L':
			lock = true;
			break;
		case 't':
			threads = strtoul(optarg, &end, 10);
			if (*end || end == optarg || threads < 1 || threads > 1024) {
				fprintf(stderr, "hog: --threads wants 1..1024, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}

	for (i = 1; i < threads; i++) {
		pthread_t t;
		int err = pthread_create(&t, NULL, idle_thread, NULL);

		if (err) {
			fprintf(stderr, "hog: cannot start thread %lu: %s\n", i, strerror(err));
			return 1;
		}
	}

	if (lock && mlockall(MCL_CURRENT | MCL_FUTURE)) {
		fprintf(stderr, "hog: mlockall failed: %s\n", strerror(errno));
		return 1;
	}

	for (i = 0; mb == 0 || i < mb; i++) {
		char *p = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			fprintf(stderr, "hog: mmap failed after %lu MiB: %s\n", i, strerror(errno));
			return 3;
		}
		memset(p, 0x5a, CHUNK);
		if (delay_ms)
			usleep(delay_ms * 1000);
	}

	if (ready) {
		int err = write_pid(ready, getpid());

		if (err) {
			fprintf(stderr, "hog: cannot write %s: %s\n", ready, strerror(-err));
			return 1;
		}
	}
	while (hold)
		pause();
	return 0;
}

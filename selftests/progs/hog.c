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
#include <sys/prctl.h>
#include <unistd.h>
#include "util.h"

#define CHUNK (1UL << 20)

static const char usage[] =
	"Usage: hog [--mb N] [--hold] [--ready FILE] [--delay-ms MS] [--mlock]\n"
	"           [--threads N] [--comm NAME] [--file PATH]\n"
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
	"  --comm NAME    set the command name (what the OOM report and rules see)\n"
	"  --file PATH    write N MiB to file PATH instead (on tmpfs: shmem that\n"
	"                 no process maps and that outlives the writer)\n"
	"Exit status: 0 when the target was reached (not killed), 2 on usage\n"
	"errors, 3 when mmap failed (out of address space, not an OOM kill).\n";

static void *idle_thread(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

/* one more MiB, resident: anonymous memory, or written to file @fd */
static int take_mib(int fd, const char *file, unsigned long done)
{
	static char buf[CHUNK];
	char *p;

	if (fd >= 0) {
		memset(buf, 0x5a, CHUNK);
		if (write(fd, buf, CHUNK) == (ssize_t)CHUNK)
			return 0;
		fprintf(stderr, "hog: writing %s failed after %lu MiB: %s\n", file, done,
			strerror(errno));
		return -1;
	}
	p = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "hog: mmap failed after %lu MiB: %s\n", done, strerror(errno));
		return -1;
	}
	memset(p, 0x5a, CHUNK);
	return 0;
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
		{ "comm", required_argument, NULL, 'c' },
		{ "file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned long mb = 0, delay_ms = 0, threads = 1, i;
	const char *ready = NULL, *file = NULL;
	bool hold = false, lock = false;
	char *end;
	int opt, fd = -1;

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
		case 'c':
			if (prctl(PR_SET_NAME, optarg)) {
				fprintf(stderr, "hog: cannot set the command name: %s\n", strerror(errno));
				return 1;
			}
			break;
		case 'f':
			file = optarg;
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

	if (file && mb == 0) {
		fprintf(stderr, "hog: --file needs --mb N > 0\n");
		return 2;
	}
	if (file) {
		fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd < 0) {
			fprintf(stderr, "hog: cannot create %s: %s\n", file, strerror(errno));
			return 1;
		}
	}
	for (i = 0; mb == 0 || i < mb; i++) {
		if (take_mib(fd, file, i))
			return 3;
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

// SPDX-License-Identifier: GPL-2.0
/*
 * victim - an OOM victim in a chosen state, for the reaper benchmark
 * (bench/reap.sh): it takes --mb MiB of anonymous memory, touches every
 * page, writes its pid to --ready, and then
 *
 *   running   keeps writing its memory (on a CPU when the kill comes);
 *   dstate    has a second thread write to --file in a loop: on a frozen
 *             file system (fsfreeze) that thread sleeps uninterruptibly in
 *             sb_start_write(), and a SIGKILL does not wake it, so the
 *             process cannot finish exiting and keeps its memory;
 *   frozen    runs --threads threads that sleep (the caller freezes them
 *             with the cgroup v1 freezer);
 *   mlocked   locks its memory (mlockall), then sleeps.
 *
 * Its memory is in 4 KiB pages (MADV_NOHUGEPAGE), as a reaper test wants.
 *
 * The point is to be killed; it never exits on its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "../selftests/progs/util.h"

static const char usage[] =
	"Usage: victim --state running|dstate|frozen|mlocked --mb N --ready FILE\n"
	"              [--threads N] [--file PATH]\n";

static const char *file;

static void *writer(void *arg)
{
	static char buf[4096];
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	(void)arg;
	if (fd < 0) {
		perror("victim: --file");
		exit(1);
	}
	memset(buf, 'x', sizeof(buf));
	for (;;) {
		if (pwrite(fd, buf, sizeof(buf), 0) < 0) {
			perror("victim: write");
			exit(1);
		}
	}
	return NULL;
}

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "mb", required_argument, NULL, 'm' },
		{ "ready", required_argument, NULL, 'r' },
		{ "threads", required_argument, NULL, 't' },
		{ "file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *state = NULL, *ready = NULL;
	long mb = 0, threads = 1, i;
	size_t len, off;
	pthread_t tid;
	char *mem;
	int opt, err;

	while ((opt = getopt_long(argc, argv, "s:m:r:t:f:h", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			state = optarg;
			break;
		case 'm':
			mb = strtol(optarg, NULL, 10);
			break;
		case 'r':
			ready = optarg;
			break;
		case 't':
			threads = strtol(optarg, NULL, 10);
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
	if (!state || !ready || mb < 1 || threads < 1 || threads > 64 ||
	    (strcmp(state, "running") && strcmp(state, "dstate") && strcmp(state, "frozen") &&
	     strcmp(state, "mlocked")) || (!strcmp(state, "dstate") && !file)) {
		fprintf(stderr, "victim: give --state, --mb N (> 0), --ready FILE, --threads 1..64, "
			"and --file for dstate\n%s", usage);
		return 2;
	}
	len = (size_t)mb << 20;
	mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("victim: mmap");
		return 1;
	}
	/* 4 KiB pages: a huge page would be zapped whole, with no page table walk */
	if (madvise(mem, len, MADV_NOHUGEPAGE)) {
		perror("victim: madvise");
		return 1;
	}
	/* locked after the advice: mlockall() populates, with huge pages if it may */
	if (!strcmp(state, "mlocked") && mlockall(MCL_CURRENT | MCL_FUTURE)) {
		perror("victim: mlockall");
		return 1;
	}
	for (off = 0; off < len; off += 4096)
		mem[off] = 1;
	for (i = 1; i < threads; i++) {
		err = pthread_create(&tid, NULL, sleeper, NULL);
		if (err) {
			fprintf(stderr, "victim: pthread_create: %s\n", strerror(err));
			return 1;
		}
	}
	if (!strcmp(state, "dstate")) {
		err = pthread_create(&tid, NULL, writer, NULL);
		if (err) {
			fprintf(stderr, "victim: pthread_create: %s\n", strerror(err));
			return 1;
		}
	}
	err = write_pid(ready, getpid());
	if (err) {
		fprintf(stderr, "victim: %s: %s\n", ready, strerror(-err));
		return 1;
	}
	if (!strcmp(state, "running"))
		for (off = 0;; off = (off + 4096) % len)
			mem[off]++;
	for (;;)
		pause();
}

// SPDX-License-Identifier: GPL-2.0
/*
 * psirec - record a cgroup's memory pressure for the comparison
 * (docs/compare.md): the stall totals every --interval-ms, and the trips of
 * a PSI trigger of its own, as `oomx watch` would arm it. compare/guest.sh
 * runs it beside the kernel-only episodes, where no tool acts, so the
 * record is the workload's own pressure; `compare/replay` feeds its trips
 * to the watcher's decision (user/pressure.c) offline.
 *
 * One JSON object per line on stdout, the first saying what was armed:
 *   {"cgroup":"DIR","trigger":"full 100000 1000000","interval_ms":100}
 *   {"t_ms":T,"trip":false,"some_us":S,"full_us":F}   a sample
 *   {"t_ms":T,"trip":true,"some_us":S,"full_us":F}    the trigger tripped
 * T from the start, S and F the file's "total" stall in us.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "pressure.h"

static const char usage[] =
	"Usage: psirec --cgroup DIR --trigger \"some|full STALL_US WINDOW_US\"\n"
	"              [--interval-ms MS]\n"
	"\n"
	"Print DIR's memory.pressure totals every MS (default 100) and each trip\n"
	"of the trigger, as JSON lines, until SIGTERM or SIGINT.\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* the some and full totals of the pressure file @fd (psi_parse()); 0 or -1 */
static int totals(int fd, uint64_t *some, uint64_t *full)
{
	char buf[256];
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	unsigned int avg10;

	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return psi_parse(buf, false, some, &avg10) || psi_parse(buf, true, full, &avg10) ? -1 : 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cgroup", required_argument, NULL, 'c' },
		{ "trigger", required_argument, NULL, 't' },
		{ "interval-ms", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *trig = NULL;
	uint64_t some, full;
	uint64_t t0, next, interval = 100;
	char path[PATH_MAX];
	int c, fd = -1, rfd = -1, ret = 1;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			dir = optarg;
			break;
		case 't':
			trig = optarg;
			break;
		case 'i':
			interval = strtoull(optarg, NULL, 10);
			if (!interval || interval > 60000) {
				fprintf(stderr, "psirec: --interval-ms must be 1 to 60000\n");
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
	if (!dir || !trig || optind != argc) {
		fputs(usage, stderr);
		return 2;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/memory.pressure", dir) >= sizeof(path)) {
		fprintf(stderr, "psirec: the path %s is too long\n", dir);
		return 2;
	}
	/* as the watcher does: no page fault delays a sample or a trip */
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		fprintf(stderr, "psirec: mlockall: %s (recording unlocked)\n", strerror(errno));
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	rfd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || rfd < 0) {
		fprintf(stderr, "psirec: cannot open %s: %s\n", path, strerror(errno));
		goto cleanup;
	}
	if (write(fd, trig, strlen(trig) + 1) < 0) {
		fprintf(stderr, "psirec: the kernel refused the trigger '%s' on %s: %s\n", trig,
			path, strerror(errno));
		goto cleanup;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf("{\"cgroup\":\"%s\",\"trigger\":\"%s\",\"interval_ms\":%" PRIu64 "}\n", dir, trig,
	       interval);
	t0 = next = now_ms();
	while (!stop) {
		struct pollfd p = { .fd = fd, .events = POLLPRI };
		uint64_t now = now_ms();
		int n = poll(&p, 1, next > now ? (int)(next - now) : 0);
		int trip = n > 0 && (p.revents & POLLPRI);

		if (n < 0 && errno != EINTR) {
			fprintf(stderr, "psirec: poll: %s\n", strerror(errno));
			goto cleanup;
		}
		if (n > 0 && (p.revents & (POLLERR | POLLHUP))) {
			fprintf(stderr, "psirec: %s went away\n", dir);
			break;
		}
		now = now_ms();
		if (!trip && now < next)
			continue;
		if (totals(rfd, &some, &full)) {
			fprintf(stderr, "psirec: cannot read %s\n", path);
			goto cleanup;
		}
		printf("{\"t_ms\":%" PRIu64 ",\"trip\":%s,\"some_us\":%" PRIu64 ",\"full_us\":%" PRIu64
		       "}\n",
		       now - t0, trip ? "true" : "false", some, full);
		if (now >= next)
			next = next + interval > now ? next + interval : now + interval;
	}
	ret = 0;
cleanup:
	if (fflush(stdout) || ferror(stdout)) {
		fprintf(stderr, "psirec: cannot write the record: %s\n", strerror(errno));
		ret = 1;
	}
	if (fd >= 0)
		close(fd);
	if (rfd >= 0)
		close(rfd);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * killstorm - OOM kills at a steady rate, for the event-delivery benchmark
 * (bench/events.sh). Every 1/RATE s it forks a child into the next of the
 * cgroups DIR/0 .. DIR/K-1 (each with a small memory.max, set by the
 * caller); the child allocates and touches memory until its cgroup's OOM
 * killer kills it. No exec: a fork of this small process is the cheapest
 * victim there is. After SECONDS it stops forking, waits for the children
 * and prints
 *
 *   started N killed K other O first_ms F last_ms L
 *
 * (killed: ended by SIGKILL; other: any other end; F and L: when the first
 * and the last child ended, in ms from the start).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "../selftests/progs/util.h"

#define CHUNK	(1UL << 20)

static const char usage[] =
	"Usage: killstorm --rate N --seconds S --cgroups DIR --count K\n"
	"Fork N children a second for S seconds, each into the next of the\n"
	"cgroups DIR/0 .. DIR/K-1, to allocate until its cgroup's OOM kills it.\n";

static long number(const char *what, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi) {
		fprintf(stderr, "killstorm: %s wants %ld to %ld, not '%s'\n", what, lo, hi, s);
		exit(2);
	}
	return v;
}

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* the child: into @procs, then memory until the OOM killer comes */
static void victim(const char *procs)
{
	if (write_pid(procs, getpid()))
		_exit(3);
	for (;;) {
		char *p = mmap(NULL, CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);
		unsigned long i;

		if (p == MAP_FAILED)
			_exit(4);
		for (i = 0; i < CHUNK; i += 4096)
			p[i] = 1;
	}
}

/* reap what has ended; @block: wait for one */
static long reap(int block, long *killed, long *other, unsigned long long t0,
		 unsigned long long *first, unsigned long long *last)
{
	long n = 0;
	int status;

	for (;;) {
		pid_t pid = waitpid(-1, &status, block && !n ? 0 : WNOHANG);

		if (pid <= 0)
			return n;
		n++;
		if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
			(*killed)++;
		else
			(*other)++;
		*last = now_ns() - t0;
		if (!*first)
			*first = *last;
	}
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "rate", required_argument, NULL, 'r' },
		{ "seconds", required_argument, NULL, 's' },
		{ "cgroups", required_argument, NULL, 'd' },
		{ "count", required_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	unsigned long long t0, next, step, first = 0, last = 0;
	long rate = 0, seconds = 0, count = 0, started = 0, total, alive = 0;
	long killed = 0, other = 0;
	const char *dir = NULL;
	char procs[4096];
	int opt;

	while ((opt = getopt_long(argc, argv, "r:s:d:k:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			rate = number("--rate", optarg, 1, 10000);
			break;
		case 's':
			seconds = number("--seconds", optarg, 1, 3600);
			break;
		case 'd':
			dir = optarg;
			break;
		case 'k':
			count = number("--count", optarg, 1, 1000);
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (!rate || !seconds || !dir || !count || optind != argc) {
		fprintf(stderr, "killstorm: give --rate, --seconds, --cgroups and --count\n%s", usage);
		return 2;
	}
	total = rate * seconds;
	step = 1000000000ULL / rate;
	t0 = now_ns();
	next = t0;
	while (started < total) {
		struct timespec ts = { .tv_sec = next / 1000000000ULL,
				       .tv_nsec = next % 1000000000ULL };
		pid_t pid;

		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
			;
		snprintf(procs, sizeof(procs), "%s/%ld/cgroup.procs", dir, started % count);
		pid = fork();
		if (pid < 0) {
			fprintf(stderr, "killstorm: fork: %s\n", strerror(errno));
			break;
		}
		if (!pid)
			victim(procs);
		started++;
		alive++;
		next += step;
		alive -= reap(0, &killed, &other, t0, &first, &last);
	}
	while (alive > 0)
		alive -= reap(1, &killed, &other, t0, &first, &last);
	printf("started %ld killed %ld other %ld first_ms %llu last_ms %llu\n", started, killed,
	       other, first / 1000000, last / 1000000);
	return started == total && !other ? 0 : 1;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * tasks - a crowd for the OOM killer to scan: COUNT processes that sleep
 * until this one ends. Each is a fork of a small process that pauses, so
 * it costs the kernel its task, stack and page tables and little else
 * (about 60 KiB): 10,000 fit in a 1.5 GiB guest. The OOM killer's scan
 * visits processes, not threads (for_each_process(), and
 * mem_cgroup_scan_tasks() with CSS_TASK_ITER_PROCS), hence processes.
 *
 * With --pods P they are spread over the cgroups DIR/0 .. DIR/P-1 in turn
 * (a node's pods), else all in DIR. Used by the benchmarks (bench/scan.sh).
 * Prints "ready COUNT" once every child has reached its pause(), then waits
 * for SIGTERM or SIGINT; its children die with it (PR_SET_PDEATHSIG).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include "../selftests/progs/util.h"

static const char usage[] =
	"Usage: tasks --count N [--cgroup DIR [--pods P]]\n"
	"Start N sleeping processes (in cgroup DIR, or spread over DIR/0..P-1);\n"
	"print 'ready N' when they all sleep; end them all on SIGTERM or SIGINT.\n";

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "cgroup", required_argument, NULL, 'c' },
		{ "pods", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct sigaction sa = { .sa_handler = on_signal };
	const char *cgroup = NULL;
	char procs[4096];
	long count = -1, pods = 0, i;
	int ready[2];
	sigset_t block, old;
	char *end;
	int opt, err;

	while ((opt = getopt_long(argc, argv, "n:c:p:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			errno = 0;
			pods = strtol(optarg, &end, 10);
			if (errno || *end || pods < 1 || pods > 10000) {
				fprintf(stderr, "tasks: --pods wants 1 to 10000, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'n':
			errno = 0;
			count = strtol(optarg, &end, 10);
			if (errno || *end || count < 1 || count > 100000) {
				fprintf(stderr, "tasks: --count wants 1 to 100000, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'c':
			cgroup = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (count < 0 || optind != argc || (pods && !cgroup)) {
		fprintf(stderr, "tasks: give --count N (and --pods only with --cgroup)\n%s", usage);
		return 2;
	}
	if (pipe(ready)) {
		perror("tasks: pipe");
		return 1;
	}
	if (cgroup && !pods) {
		snprintf(procs, sizeof(procs), "%s/cgroup.procs", cgroup);
		err = write_pid(procs, getpid());
		if (err) {
			fprintf(stderr, "tasks: cannot join %s: %s\n", cgroup, strerror(-err));
			return 1;
		}
	}
	/* the signals wait until sigsuspend(): none is lost between the checks */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	if (sigaction(SIGTERM, &sa, NULL) || sigaction(SIGINT, &sa, NULL) ||
	    sigprocmask(SIG_BLOCK, &block, &old)) {
		perror("tasks: signals");
		return 1;
	}
	for (i = 0; i < count; i++) {
		pid_t pid = fork();

		if (pid < 0) {
			/* those started die with us (PR_SET_PDEATHSIG) */
			fprintf(stderr, "tasks: fork %ld of %ld: %s\n", i + 1, count, strerror(errno));
			return 1;
		}
		if (!pid) {
			sigset_t none;

			sigemptyset(&none);
			if (prctl(PR_SET_PDEATHSIG, SIGKILL) || getppid() == 1)
				_exit(1);
			if (pods) {
				snprintf(procs, sizeof(procs), "%s/%ld/cgroup.procs", cgroup,
					 i % pods);
				if (write_pid(procs, getpid()))
					_exit(1);
			}
			signal(SIGTERM, SIG_DFL);
			signal(SIGINT, SIG_DFL);
			sigprocmask(SIG_SETMASK, &none, NULL);
			/* all our memory is in place: say so, then sleep */
			if (write(ready[1], "", 1) != 1)
				_exit(1);
			/* a child that dies first closes its end too: no wait forever */
			close(ready[1]);
			close(ready[0]);
			for (;;)
				pause();
		}
	}
	close(ready[1]);
	for (i = 0; i < count; i++) {
		char c;

		if (read(ready[0], &c, 1) != 1) {
			fprintf(stderr, "tasks: %ld of %ld children said they were ready\n", i, count);
			return 1;
		}
	}
	printf("ready %ld\n", count);
	fflush(stdout);
	while (!stop)
		sigsuspend(&old);
	/*
	 * The children die with us (PR_SET_PDEATHSIG) and init reaps them; a
	 * signal to our process group would reach whoever started us too.
	 */
	return 0;
}

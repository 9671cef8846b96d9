// SPDX-License-Identifier: GPL-2.0
/*
 * ptrace_hold - an OOM victim that does not go away on SIGKILL.
 *
 * The child joins --cgroup, touches --mb MiB and waits. We trace it with
 * PTRACE_O_TRACEEXIT, so when the OOM killer's SIGKILL arrives the child
 * stops in do_exit() before exit_mm(): it keeps its memory, and as an OOM
 * victim whose mm has no MMF_OOM_SKIP yet it blocks further OOM kills until
 * the OOM reaper frees that memory (or an oom_ext victim timeout expires).
 * That is the situation of a victim stuck in the kernel, made on demand.
 *
 * We hold the child in its exit stop for --hold seconds (or until SIGTERM),
 * then let it die, and print how it ended ("pid=P signal=N (NAME)", as
 * runwait does). --stopped FILE is written with "PID SEC.NSEC" (monotonic)
 * when the exit stop is seen; --ready FILE with the child's pid once its
 * memory is resident.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "util.h"

static const char usage[] =
	"Usage: ptrace_hold --cgroup DIR --mb N --ready FILE --stopped FILE [--hold SEC]\n";

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int child(const char *cgroup, unsigned long mb, const char *ready)
{
	char path[4096];
	unsigned long i;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
	if (write_pid(path, getpid())) {
		fprintf(stderr, "ptrace_hold: cannot join %s: %s\n", cgroup, strerror(errno));
		return 1;
	}
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL)) {
		perror("ptrace_hold: PTRACE_TRACEME");
		return 1;
	}
	raise(SIGSTOP);		/* let the tracer set its options */

	for (i = 0; i < mb; i++) {
		char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			perror("ptrace_hold: mmap");
			return 1;
		}
		memset(p, 0x5a, 1 << 20);
	}
	if (write_pid(ready, getpid()))
		return 1;
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cgroup", required_argument, NULL, 'c' },
		{ "mb", required_argument, NULL, 'm' },
		{ "ready", required_argument, NULL, 'r' },
		{ "stopped", required_argument, NULL, 's' },
		{ "hold", required_argument, NULL, 'H' },
		{ 0 },
	};
	const char *cgroup = NULL, *ready = NULL, *stopped = NULL;
	unsigned long mb = 0, hold = 30;
	int opt, status;
	pid_t pid;

	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': cgroup = optarg; break;
		case 'm': mb = strtoul(optarg, NULL, 10); break;
		case 'r': ready = optarg; break;
		case 's': stopped = optarg; break;
		case 'H': hold = strtoul(optarg, NULL, 10); break;
		default: fputs(usage, stderr); return 1;
		}
	}
	if (!cgroup || !ready || !stopped || !mb) {
		fputs(usage, stderr);
		return 1;
	}
	signal(SIGTERM, on_term);

	pid = fork();
	if (pid < 0) {
		perror("ptrace_hold: fork");
		return 1;
	}
	if (pid == 0)
		_exit(child(cgroup, mb, ready));

	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) {
		fprintf(stderr, "ptrace_hold: the child did not stop\n");
		return 1;
	}
	if (ptrace(PTRACE_SETOPTIONS, pid, NULL,
		   (void *)(long)(PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL)) ||
	    ptrace(PTRACE_CONT, pid, NULL, NULL)) {
		perror("ptrace_hold: ptrace");
		return 1;
	}

	for (;;) {
		if (waitpid(pid, &status, 0) != pid) {
			if (errno == EINTR)
				continue;
			perror("ptrace_hold: waitpid");
			return 1;
		}
		if (WIFSIGNALED(status)) {
			printf("pid=%d signal=%d (SIG%s)\n", pid, WTERMSIG(status),
			       sigabbrev_np(WTERMSIG(status)));
			return 0;
		}
		if (WIFEXITED(status)) {
			printf("pid=%d exit=%d\n", pid, WEXITSTATUS(status));
			return 0;
		}
		if (status >> 8 == (SIGTRAP | (PTRACE_EVENT_EXIT << 8))) {
			struct timespec ts;
			time_t end = time(NULL) + (time_t)hold;
			FILE *f;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			f = fopen(stopped, "w");
			if (!f || fprintf(f, "%d %lld.%09ld\n", pid, (long long)ts.tv_sec,
					  ts.tv_nsec) < 0 || fclose(f)) {
				perror("ptrace_hold: writing --stopped");
				return 1;
			}
			/* the point of the tool: keep the victim in its exit path */
			while (!stop && time(NULL) < end)
				usleep(50 * 1000);
			if (ptrace(PTRACE_CONT, pid, NULL, NULL)) {
				perror("ptrace_hold: PTRACE_CONT");
				return 1;
			}
			continue;
		}
		/* any other stop: pass the signal on */
		if (ptrace(PTRACE_CONT, pid, NULL,
			   (void *)(long)(WIFSTOPPED(status) ? WSTOPSIG(status) : 0))) {
			perror("ptrace_hold: PTRACE_CONT");
			return 1;
		}
	}
}

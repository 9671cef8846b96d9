// SPDX-License-Identifier: GPL-2.0
/*
 * runwait - run a command (optionally inside a cgroup) and report exactly
 * how it ended, which a shell's $? cannot: 137 may be SIGKILL or exit(137).
 *
 * Output, one line on stdout once the command has ended:
 *   pid=<pid> exited=<code>
 *   pid=<pid> signal=<num> (<name>)
 * The child's pid is also written to --pidfile as soon as it exists, so a
 * test can compare it with what the kernel or a BPF program reported.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "util.h"

static const char usage[] =
	"Usage: runwait [--cgroup DIR] [--pidfile FILE] -- COMMAND [ARG...]\n"
	"\n"
	"Run COMMAND, wait for it and print 'pid=P exited=N' or\n"
	"'pid=P signal=N (NAME)'. Exit status: 0 when the command was waited\n"
	"for (whatever its fate), 1 when it could not be started.\n"
	"  --cgroup DIR    move the child into cgroup DIR before exec\n"
	"  --pidfile FILE  write the child's pid to FILE before exec\n";

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cgroup", required_argument, NULL, 'c' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *cgroup = NULL, *pidfile = NULL;
	char path[4096];
	int opt, status, err;
	pid_t pid;

	while ((opt = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			cgroup = optarg;
			break;
		case 'p':
			pidfile = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 1;
		}
	}
	if (optind >= argc) {
		fputs(usage, stderr);
		return 1;
	}

	pid = fork();
	if (pid < 0) {
		perror("runwait: fork");
		return 1;
	}
	if (pid == 0) {
		if (cgroup) {
			snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
			err = write_pid(path, getpid());
			if (err) {
				fprintf(stderr, "runwait: cannot join %s: %s\n", path, strerror(-err));
				_exit(127);
			}
		}
		if (pidfile) {
			err = write_pid(pidfile, getpid());
			if (err) {
				fprintf(stderr, "runwait: cannot write %s: %s\n", pidfile, strerror(-err));
				_exit(127);
			}
		}
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "runwait: cannot run %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			perror("runwait: waitpid");
			return 1;
		}
	}
	if (WIFSIGNALED(status)) {
		const char *name = sigabbrev_np(WTERMSIG(status));

		printf("pid=%d signal=%d (SIG%s)\n", (int)pid, WTERMSIG(status),
		       name ? name : "?");
	}
	else
		printf("pid=%d exited=%d\n", (int)pid, WEXITSTATUS(status));
	return 0;
}

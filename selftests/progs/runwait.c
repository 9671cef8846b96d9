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

static const char usage[] =
	"Usage: runwait [--cgroup DIR] [--pidfile FILE] -- COMMAND [ARG...]\n"
	"\n"
	"Run COMMAND, wait for it and print 'pid=P exited=N' or\n"
	"'pid=P signal=N (NAME)'. Exit status: 0 when the command was waited\n"
	"for (whatever its fate), 1 when it could not be started.\n"
	"  --cgroup DIR    move the child into cgroup DIR before exec\n"
	"  --pidfile FILE  write the child's pid to FILE before exec\n";

static int write_str(const char *path, const char *s)
{
	ssize_t len = strlen(s);
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, s, len) != len)
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cgroup", required_argument, NULL, 'c' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *cgroup = NULL, *pidfile = NULL;
	char path[4096], buf[32];
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
		snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
		if (cgroup) {
			snprintf(path, sizeof(path), "%s/cgroup.procs", cgroup);
			err = write_str(path, buf);
			if (err) {
				fprintf(stderr, "runwait: cannot join %s: %s\n", path, strerror(-err));
				_exit(127);
			}
		}
		if (pidfile) {
			err = write_str(pidfile, buf);
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

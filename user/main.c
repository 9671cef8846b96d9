// SPDX-License-Identifier: GPL-2.0
/*
 * oomx - load, observe and control oom_ext OOM policies: the commands and
 * their dispatch. Each command lives in a user/cmd_*.c file; a policy,
 * built in or a .bpf.o file, is opened and loaded by user/policy.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <bpf/libbpf.h>
#include "oomx.h"

bool oomx_verbose;
volatile sig_atomic_t oomx_exiting;

static void on_signal(int sig)
{
	(void)sig;
	oomx_exiting = 1;
}

/* without SA_RESTART: a blocking accept() or read() returns EINTR and the loop sees the flag */
void oomx_catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/*
 * Near an OOM the kernel reclaims program text first, and a process that
 * wakes up to read events faults its text back in from disk: it is slow
 * exactly when its events matter, and every refault it causes lets reclaim
 * report progress and put the OOM off (docs/platform.md measures it: the
 * loader of 'oomx run' raised the file refaults before a global OOM by 40%
 * until it locked itself in). earlyoom locks itself in memory for the same
 * reason. Everything mapped is locked now, not on first touch
 * (MCL_ONFAULT): the code that prints an event runs first at the first OOM,
 * which is too late to read it from disk. @unkillable: also oom_score_adj
 * -1000, for the process whose death would detach the policy.
 */
void oomx_stay_resident(const char *cmd, bool unkillable)
{
	bool set = false;
	FILE *f;

	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		fprintf(stderr, "%s: cannot lock its memory (%s), so near an OOM its pages may be "
			"reclaimed and its events late; give it CAP_IPC_LOCK or a larger "
			"RLIMIT_MEMLOCK (LimitMEMLOCK= in a unit)\n", cmd, strerror(errno));
	if (!unkillable)
		return;
	f = fopen("/proc/self/oom_score_adj", "w");
	if (f) {
		set = fputs("-1000", f) >= 0;
		set = !fclose(f) && set;	/* the write happens at the flush */
	}
	if (!set)
		fprintf(stderr, "%s: cannot set its oom_score_adj to -1000 (%s): the OOM killer may "
			"kill it, which detaches the policy\n", cmd, strerror(errno));
}

uint64_t oomx_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

bool wants_help(int argc, char **argv)
{
	return argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"));
}

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG && !oomx_verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "list", cmd_list, "the built-in policies" },
	{ "run", cmd_run, "attach a policy and stream its events until Ctrl-C" },
	{ "load", cmd_load, "attach a policy and pin it, so it outlives the command" },
	{ "unload", cmd_unload, "detach the loaded policy and say why it exited" },
	{ "events", cmd_events, "print the loaded policy's events" },
	{ "shadow", cmd_shadow, "run policies beside the one deciding: whom would each kill?" },
	{ "set", cmd_set, "change the loaded policy's settings, all or nothing" },
	{ "apply", cmd_apply, "replace the loaded policy's configuration, atomically" },
	{ "status", cmd_status, "the kernel's oom_ext state, the policy's settings, counters" },
	{ "watch", cmd_watch, "act on memory pressure before the OOM, through the OOM killer" },
	{ "metrics", cmd_metrics, "the node's OOM counters for Prometheus, printed or served" },
	{ "check", cmd_check, "can this machine run oomx policies; is a configuration valid" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: oomx COMMAND [ARGS]   (oomx COMMAND --help for details)\n\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nA POLICY is a built-in policy's name (oomx list) or the path of a\n"
		   "policy object built against bpf/oomx.bpf.h (docs/policy-guide.md).\n"
		   "Exit status: 0 success, 1 failure, 2 usage error,\n"
		   "3 the kernel disabled the policy for an error (run).\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	libbpf_set_print(print_libbpf);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "oomx: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * oom_ext_attach - attach the minimal oom_ext policy and report, one line
 * each: "attached", then "exit kind=K reason=R msg=M" once the kernel has
 * called the policy's .exit (disabled through sysfs, or detached when we
 * close the link on SIGTERM/SIGINT).
 *
 * Exit status: 0 after a reported exit, 1 when loading or attaching failed
 * (the error is printed with its errno name, e.g. EBUSY when a policy is
 * already attached), 2 when no exit was seen within --timeout.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include "loader_util.h"
#include "oom_ext_attach.skel.h"

static const char usage[] =
	"Usage: oom_ext_attach [--timeout SEC]\n"
	"Attach the minimal oom_ext policy \"selftest\" until the kernel\n"
	"detaches it or SIGTERM arrives; print how it ended.\n";

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct oom_ext_attach *skel = NULL;
	struct bpf_link *link = NULL;
	unsigned long timeout = 120;
	time_t start;
	int opt, err = 0;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 't':
			timeout = strtoul(optarg, NULL, 10);
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 1;
		}
	}
	loader_setup(false);

	skel = oom_ext_attach__open_and_load();
	if (!skel) {
		err = -errno;
		printf("load failed: %s (%s)\n", strerrorname_np(-err), strerror(-err));
		err = 1;
		goto cleanup;
	}
	link = bpf_map__attach_struct_ops(skel->maps.attach_ops);
	if (!link) {
		err = -errno;
		printf("attach failed: %s (%s)\n", strerrorname_np(-err), strerror(-err));
		err = 1;
		goto cleanup;
	}
	printf("attached init=%u\n", skel->bss->nr_init);
	fflush(stdout);

	start = time(NULL);
	while (!exiting && !skel->bss->nr_exit) {
		if ((unsigned long)(time(NULL) - start) >= timeout) {
			printf("no exit within %lus\n", timeout);
			err = 2;
			goto cleanup;
		}
		usleep(20000);
	}
	/* Detaching (on a signal) is what makes the kernel call .exit. */
	bpf_link__destroy(link);
	link = NULL;
	printf("exit kind=%d code=%lld reason=%s msg=%s\n", skel->bss->exit_kind,
	       (long long)skel->bss->exit_code, skel->bss->exit_reason, skel->bss->exit_msg);

cleanup:
	bpf_link__destroy(link);
	oom_ext_attach__destroy(skel);
	return err;
}

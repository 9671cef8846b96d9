// SPDX-License-Identifier: GPL-2.0
/*
 * victim_watch - print the OOM killer's victims as the BPF program reports
 * them, one line each:  victim pid=P tgid=T uid=U adj=A comm=C
 *
 * "ready" is printed once the program is attached, so a test can start its
 * hog only when nothing can be missed.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/libbpf.h>
#include "loader_util.h"
#include "victim_watch.h"
#include "victim_watch.skel.h"

static const char usage[] =
	"Usage: victim_watch [--count N] [--timeout SEC] [--verbose]\n"
	"\n"
	"Attach a tp_btf/mark_victim BPF program and print each OOM victim.\n"
	"  --count N      exit after N victims (default 0 = run until Ctrl-C)\n"
	"  --timeout SEC  give up after SEC seconds (exit status 2)\n"
	"  --verbose      show libbpf's debug output\n";

static unsigned long seen;

static int handle_event(void *ctx, void *data, size_t len)
{
	const struct vw_event *e = data;

	(void)ctx;
	if (len < sizeof(*e))
		return 0;
	printf("victim pid=%u tgid=%u uid=%u adj=%d comm=%.*s\n", e->pid, e->tgid,
	       e->uid, e->oom_score_adj, VW_COMM_LEN, e->comm);
	fflush(stdout);
	seen++;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct victim_watch *skel = NULL;
	struct ring_buffer *rb = NULL;
	unsigned long count = 0, timeout = 0;
	bool verbose = false;
	time_t start;
	int opt, err = 0;

	while ((opt = getopt_long(argc, argv, "hv", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			count = strtoul(optarg, NULL, 10);
			break;
		case 't':
			timeout = strtoul(optarg, NULL, 10);
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 1;
		}
	}

	loader_setup(verbose);

	skel = victim_watch__open_and_load();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "victim_watch: cannot load the BPF program: %s\n"
			"  (needs root and a kernel with BTF; run with --verbose for details)\n",
			strerror(-err));
		goto cleanup;
	}
	err = victim_watch__attach(skel);
	if (err) {
		fprintf(stderr, "victim_watch: cannot attach to tp_btf/mark_victim: %s\n",
			strerror(-err));
		goto cleanup;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), handle_event, NULL, NULL);
	if (!rb) {
		err = -errno;
		fprintf(stderr, "victim_watch: cannot open the ring buffer: %s\n", strerror(-err));
		goto cleanup;
	}

	printf("ready\n");
	fflush(stdout);
	start = time(NULL);
	while (!exiting && (!count || seen < count)) {
		err = ring_buffer__poll(rb, 100);
		if (err == -EINTR) {
			err = 0;
			break;
		}
		if (err < 0) {
			fprintf(stderr, "victim_watch: polling the ring buffer failed: %s\n",
				strerror(-err));
			goto cleanup;
		}
		err = 0;
		if (timeout && (unsigned long)(time(NULL) - start) >= timeout) {
			fprintf(stderr, "victim_watch: no more victims within %lus\n", timeout);
			err = 2;
			break;
		}
	}
	if (skel->bss->nr_lost)
		fprintf(stderr, "victim_watch: %llu event(s) lost (ring buffer full)\n",
			(unsigned long long)skel->bss->nr_lost);

cleanup:
	ring_buffer__free(rb);
	victim_watch__destroy(skel);
	return err < 0 ? 1 : err;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * oom_clock - print the OOM killer's timeline until SIGINT or SIGTERM, one
 * line per event (times in ns of CLOCK_MONOTONIC):
 *
 *   kill ts=NS tgid=T pid=P decide_ns=D call_ns=K comm=C
 *                           a victim (P: the thread the reaper would take),
 *                           oom_kill_process() entered D ns after the first
 *                           out_of_memory() call since the last kill, and K
 *                           ns after the start of the call that killed
 *                           (its scan and policy, not earlier calls that
 *                           killed nothing, e.g. a GFP_NOFS allocation's)
 *   mark ts=NS tgid=T pid=P decide_ns=0 call_ns=0 comm=C
 *                           a task marked as a victim without a kill (it
 *                           was exiting already)
 *   reaped ts=NS pid=P      the OOM reaper is done with thread P (it may
 *                           have given up; shared memory is not its to free)
 *   freed ts=NS tgid=T      exit_mmap() of victim T's mm returned
 *   end ooms=N lost=L       calls to out_of_memory(); events lost
 *
 * "ready" is printed once everything is attached. Used by the scorecard
 * (scorecard/guest.sh).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <bpf/libbpf.h>
#include "loader_util.h"
#include "oom_clock.h"
#include "oom_clock.skel.h"

static const char usage[] =
	"Usage: oom_clock [--verbose]\n"
	"Print when each OOM victim was killed, reaped and freed, until Ctrl-C.\n";

static int handle_event(void *ctx, void *data, size_t len)
{
	const struct oc_event *e = data;

	(void)ctx;
	if (len < sizeof(*e))
		return 0;
	switch (e->kind) {
	case OC_KILL:
	case OC_MARK:
		printf("%s ts=%llu tgid=%u pid=%u decide_ns=%llu call_ns=%llu comm=%.*s\n",
		       e->kind == OC_KILL ? "kill" : "mark", (unsigned long long)e->ts_ns,
		       e->tgid, e->pid,
		       (unsigned long long)e->decide_ns, (unsigned long long)e->call_ns,
		       OC_COMM_LEN, e->comm);
		break;
	case OC_REAPED:
		printf("reaped ts=%llu pid=%u\n", (unsigned long long)e->ts_ns, e->pid);
		break;
	case OC_FREED:
		printf("freed ts=%llu tgid=%u\n", (unsigned long long)e->ts_ns, e->tgid);
		break;
	}
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct oom_clock *skel = NULL;
	struct ring_buffer *rb = NULL;
	bool verbose = false;
	int opt, err = 0;

	while ((opt = getopt_long(argc, argv, "hv", opts, NULL)) != -1) {
		switch (opt) {
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

	skel = oom_clock__open_and_load();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "oom_clock: cannot load the BPF program: %s (needs root and "
			"BTF; --verbose shows the verifier's log)\n", strerror(-err));
		goto cleanup;
	}
	err = oom_clock__attach(skel);
	if (err) {
		fprintf(stderr, "oom_clock: cannot attach: %s\n", strerror(-err));
		goto cleanup;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), handle_event, NULL, NULL);
	if (!rb) {
		err = -errno;
		fprintf(stderr, "oom_clock: cannot open the ring buffer: %s\n", strerror(-err));
		goto cleanup;
	}
	/* near a global OOM it must not fault its own text back in to report */
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		fprintf(stderr, "oom_clock: mlockall: %s (timings may suffer)\n", strerror(errno));
	printf("ready\n");
	fflush(stdout);
	while (!exiting) {
		err = ring_buffer__poll(rb, 100);
		if (err == -EINTR)
			break;
		if (err < 0) {
			fprintf(stderr, "oom_clock: polling the ring buffer failed: %s\n",
				strerror(-err));
			goto cleanup;
		}
	}
	err = ring_buffer__consume(rb);
	if (err < 0)
		goto cleanup;
	err = 0;
	printf("end ooms=%llu lost=%llu\n", (unsigned long long)skel->bss->nr_ooms,
	       (unsigned long long)skel->bss->nr_lost);

cleanup:
	ring_buffer__free(rb);
	oom_clock__destroy(skel);
	return err < 0 ? 1 : err;
}

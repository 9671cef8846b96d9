// SPDX-License-Identifier: GPL-2.0
/* oomx run: attach a policy for as long as the command runs, and print its events. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "config.h"
#include "events.h"
#include "globals.h"
#include "oomx.h"
#include "policy.h"
#include "sysfs.h"

static void print_exit(const char *name, bool json, const volatile struct oomx_exit *uei,
		       const volatile __u64 *lost)
{
	int kind = uei ? uei->kind : 0;

	if (json) {
		printf("{\"type\":\"exit\",\"kind\":%d,\"code\":%lld,\"reason\":", kind,
		       uei ? (long long)uei->exit_code : 0LL);
		json_string(stdout, uei ? (const char *)uei->reason : "", OOMX_EXIT_REASON_LEN);
		printf(",\"message\":");
		json_string(stdout, uei ? (const char *)uei->msg : "", OOMX_EXIT_MSG_LEN);
		printf(",\"lost_events\":%llu}\n", lost ? (unsigned long long)*lost : 0ULL);
	} else if (uei) {
		fprintf(stderr, "oomx: policy %s exited: %s%s%s (kind %d)\n", name,
			(const char *)uei->reason, uei->msg[0] ? ": " : "",
			(const char *)uei->msg, kind);
	}
	if (lost && *lost)
		fprintf(stderr, "oomx: %llu event%s lost: the ring buffer was full\n",
			(unsigned long long)*lost, *lost == 1 ? " was" : "s were");
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "events-buffer", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const char usage[] =
		"Usage: oomx run POLICY [-c FILE] [--json] [--verbose] [--events-buffer KIB]\n"
		"Attach POLICY (a built-in name, or a policy object's path) and print an\n"
		"event for every OOM kill and reap until Ctrl-C or until the kernel\n"
		"disables the policy; then detach and say why the policy exited. Exit\n"
		"status 3 if the kernel disabled it for an error.\n"
		"  -c, --config FILE  settings and rules (format: docs/oomx.md); an\n"
		"                     invalid file is refused before anything is loaded\n"
		"  --events-buffer KIB  the event ring buffer's size (default 256)";
	static struct oomx_config cfg;
	static struct oomx_policy pol;
	const char *cfg_path = NULL, *cmd = "oomx run";
	const volatile struct oomx_exit *uei = NULL;
	const volatile __u64 *lost = NULL;
	struct ring_buffer *rb = NULL;
	struct bpf_link *link = NULL;
	unsigned long kib = 0;
	bool json = false;
	int opt, err = 1;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:jvh", opts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			if (parse_events_kib(cmd, optarg, &kib))
				return EXIT_USAGE;
			break;
		case 'c':
			cfg_path = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'v':
			oomx_verbose = true;
			break;
		case 'h':
			puts(usage);
			return 0;
		default:
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "%s: give exactly one POLICY (see 'oomx list')\n", cmd);
		return EXIT_USAGE;
	}
	if (policy_spec_check(cmd, argv[optind]))
		return EXIT_USAGE;
	if (read_config(cmd, cfg_path, &cfg))
		return 1;
	/* a configuration the policy refuses is refused before the kernel is asked */
	if (policy_open(cmd, argv[optind], &pol) || policy_events_kib(cmd, &pol, kib) ||
	    policy_configure(cmd, &pol, &cfg, cfg_path ? cfg_path : "(no file)") ||
	    need_oom_ext(cmd) || policy_load(cmd, &pol, &cfg))
		goto cleanup;
	uei = oomx_global_sized(pol.obj, "uei", sizeof(struct oomx_exit));
	lost = oomx_global_sized(pol.obj, "oomx_lost_events", sizeof(__u64));
	rb = ring_buffer__new(bpf_map__fd(pol.events), event_print_cb, &json, NULL);
	if (!rb) {
		fprintf(stderr, "%s: cannot open the event ring buffer: %s\n", cmd, strerror(errno));
		goto cleanup;
	}
	oomx_stay_resident(cmd, true);	/* before the first OOM it may face */
	link = policy_attach(cmd, &pol);
	if (!link)
		goto cleanup;
	if (!json)
		fprintf(stderr, "oomx: policy %s attached; Ctrl-C detaches it\n", pol.name);

	oomx_catch_signals();
	err = 0;
	while (!oomx_exiting && !(uei && uei->kind)) {
		int n = ring_buffer__poll(rb, 200);

		if (n < 0 && n != -EINTR) {
			fprintf(stderr, "%s: reading events failed: %s\n", cmd, strerror(-n));
			err = 1;
			break;
		}
	}
	bpf_link__destroy(link);	/* the kernel calls .exit: uei fills in */
	link = NULL;
	ring_buffer__consume(rb);
	print_exit(pol.name, json, uei, lost);
	if (uei && uei->kind >= OOM_EXT_EXIT_ERROR)
		err = EXIT_POLICY_ERROR;

cleanup:
	bpf_link__destroy(link);
	ring_buffer__free(rb);
	policy_close(&pol, false);
	return err;
}

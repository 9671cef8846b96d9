// SPDX-License-Identifier: GPL-2.0
/* oomx status: the kernel's oom_ext state, the loaded policy's configuration, counters. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "events.h"
#include "gen.h"
#include "oomx.h"
#include "pin.h"
#include "rules.h"
#include "shadow.h"
#include "sysfs.h"

static const char *const counters[] = {
	"invocations", "policy_choices", "fallbacks", "errors", "kills", "reaps",
};

/* the loaded policy's rules of generation @gen ("rules" in JSON) */
static void print_rules(__u32 gen, bool json)
{
	struct rules_maps rm;

	if (json)
		printf(",\"rules\":");
	if (rules_open_pinned("oomx status", &rm)) {
		if (json)
			printf("null");
		return;
	}
	rules_print(&rm, gen, json);
	rules_close(&rm);
}

static void print_tunables(const struct pinned_cfg *pc, bool json)
{
	char v[64];
	size_t i;

	if (json)
		printf(",\"settings\":{");
	else
		printf("settings:    (generation %u)\n", pinned_cfg_gen(pc));
	for (i = 0; i < pc->tunables.n; i++) {
		const struct oomx_tunable *t = &pc->tunables.t[i];
		__s64 val = pinned_cfg_value(pc, i);

		tunable_format(t, val, v, sizeof(v));
		if (json) {
			printf("%s\"%s\":", i ? "," : "", t->name);
			if (tunable_is_number(t, val))
				printf("%s", v);
			else
				json_string(stdout, v, sizeof(v));
		} else {
			printf("  %-20s %-10s %s\n", t->name, v, t->info.help);
		}
	}
	if (json)
		putchar('}');
}

/* the growth sampler's last walk, for a policy that has one (bpf/growth.bpf.h) */
static void print_sampler(const struct pinned_cfg *pc, bool json)
{
	const struct oomx_growth_stats *st;

	st = oomx_section_var(&pc->bss, "growth_stats", sizeof(*st));
	if (!st)
		return;
	if (json)
		printf(",\"sampler\":{\"walks\":%llu,\"processes\":%u,\"duration_ns\":%llu,"
		       "\"truncated_walks\":%u}", (unsigned long long)st->walks, st->processes,
		       (unsigned long long)st->duration_ns, st->truncated);
	else
		printf("sampler:     %llu walks, the last: %u processes in %llu us%s\n",
		       (unsigned long long)st->walks, st->processes,
		       (unsigned long long)st->duration_ns / 1000,
		       st->truncated ? " (walks stop at the map's size: some processes unsampled)" :
		       "");
}

/* what the pins say: settings, sampler, lost events, rules */
static void print_pinned(bool json)
{
	struct pinned_cfg pc;
	const __u64 *lost;

	if (!pin_loaded() || pinned_cfg_open("oomx status", &pc, false)) {
		if (json)
			printf(",\"pinned\":%s,\"settings\":null", pin_loaded() ? "true" : "false");
		return;
	}
	lost = oomx_section_var(&pc.bss, "oomx_lost_events", sizeof(*lost));
	if (json)
		printf(",\"pinned\":true");
	else
		printf("loaded at:   %s\n", PIN_DIR);
	print_tunables(&pc, json);
	print_sampler(&pc, json);
	if (json)
		printf(",\"lost_events\":%llu,\"generation\":%u",
		       lost ? (unsigned long long)*lost : 0ULL, pinned_cfg_gen(&pc));
	else
		printf("lost events: %llu\n", lost ? (unsigned long long)*lost : 0ULL);
	if (rules_pinned())
		print_rules(pinned_cfg_gen(&pc), json);
	pinned_cfg_close(&pc);
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char state[64], policy[128], reason[2048], val[64], path[256];
	bool json = false;
	int opt, lock, ret = 1;
	size_t i;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'h':
			puts("Usage: oomx status [--json]\n"
			     "The kernel's oom_ext state: the attached policy and the last exit\n"
			     "reason; for a policy 'oomx load' pinned, its settings (each with what\n"
			     "it does), lost events and rules; the counters of /sys/kernel/oom_ext.");
			return 0;
		default:
			return EXIT_USAGE;
		}
	}
	if (!sysfs_has_oom_ext()) {
		/* shadows need no oom_ext: show them, if any */
		if (json)
			printf("{\"state\":null");
		if (shadow_status(json)) {
			if (json)
				printf("}\n");
			return 0;
		}
		if (json)
			printf("}\n");
		fprintf(stderr, "oomx status: %s does not exist: this kernel has no oom_ext "
			"(run 'oomx check'); no shadow is loaded either\n", SYSFS_OOM_EXT);
		return 1;
	}
	lock = pin_lock_shared();	/* wait for an apply in progress */
	if (sysfs_read_line(SYSFS_OOM_EXT "/state", state, sizeof(state)) ||
	    sysfs_read_line(SYSFS_OOM_EXT "/policy", policy, sizeof(policy)) ||
	    sysfs_read_line(SYSFS_OOM_EXT "/exit_reason", reason, sizeof(reason))) {
		fprintf(stderr, "oomx status: cannot read %s: %s\n", SYSFS_OOM_EXT, strerror(errno));
		goto out;
	}
	if (json) {
		printf("{\"state\":");
		json_string(stdout, state, sizeof(state));
		printf(",\"policy\":");
		if (policy[0])
			json_string(stdout, policy, sizeof(policy));
		else
			printf("null");
		printf(",\"exit_reason\":");
		json_string(stdout, reason, sizeof(reason));
		print_pinned(true);
		printf(",\"counters\":{");
	} else {
		printf("state:       %s\npolicy:      %s\nlast exit:   %s\n", state,
		       policy[0] ? policy : "(none)", reason);
		print_pinned(false);
	}
	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		snprintf(path, sizeof(path), SYSFS_OOM_EXT "/%s", counters[i]);
		if (sysfs_read_line(path, val, sizeof(val))) {
			fprintf(stderr, "oomx status: cannot read %s\n", path);
			goto out;
		}
		if (json)
			printf("%s\"%s\":%s", i ? "," : "", counters[i], val);
		else
			printf("%-13s%s\n", counters[i], val);
	}
	if (json)
		putchar('}');
	shadow_status(json);
	if (json)
		printf("}\n");
	ret = 0;
out:
	pin_unlock(lock);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0
/* oomx list and oomx check: what policies there are, and whether they can run here. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <linux/magic.h>
#include "builtin.h"
#include "oomx.h"
#include "policy.h"
#include "sysfs.h"

/* a policy's settings, one line each, for list --settings and check */
static void print_settings(const struct oomx_policy *p)
{
	const struct oomx_tunables *ts = &p->tunables;
	char def[64], range[96];
	size_t i;

	for (i = 0; i < ts->n; i++) {
		const struct oomx_tunable *t = &ts->t[i];
		size_t k, at = 0;

		tunable_format(t, t->info.def, def, sizeof(def));
		if (t->nr_values) {
			for (k = 0; k < t->nr_values && at < sizeof(range); k++)
				at += (size_t)snprintf(range + at, sizeof(range) - at, "%s%s",
						       k ? "|" : "", t->values[k].name);
		} else {
			snprintf(range, sizeof(range), "%lld..%lld%s%s", (long long)t->info.min,
				 (long long)t->info.max, t->info.keyword[0] ? "|" : "",
				 t->info.keyword);
		}
		printf("    %-20s %-10s %-18s %s\n", t->name, def, range, t->info.help);
	}
}

int cmd_list(int argc, char **argv)
{
	static struct oomx_policy p;
	bool settings = argc == 2 && !strcmp(argv[1], "--settings");
	unsigned long i;
	int err = 0;

	if (wants_help(argc, argv)) {
		puts("Usage: oomx list [--settings]\n"
		     "The built-in policies, one line each; --settings adds each one's\n"
		     "settings: name, default, accepted values, what it does.");
		return 0;
	}
	if (argc > 1 && !settings) {
		fprintf(stderr, "oomx list: unexpected argument '%s'\n", argv[1]);
		return EXIT_USAGE;
	}
	for (i = 0; i < oomx_nr_builtins; i++) {
		if (policy_open("oomx list", oomx_builtins[i].name, &p)) {
			err = 1;
		} else {
			printf("%-10s %s\n", p.name, p.summary);
			if (settings)
				print_settings(&p);
		}
		policy_close(&p, false);
	}
	return err;
}

struct check_state {
	int failed;
};

static void check_item(struct check_state *cs, bool ok, const char *what, const char *fix)
{
	if (ok) {
		printf("ok       %s\n", what);
	} else {
		printf("MISSING  %s\n         -> %s\n", what, fix);
		cs->failed++;
	}
}

/* check -c FILE POLICY: would load accept FILE for POLICY? Nothing is loaded. */
static int check_config(const char *path, const char *spec)
{
	static struct oomx_config cfg;
	static struct oomx_policy p;
	int err = 1;

	if (read_config("oomx check", path, &cfg))
		return 1;
	if (!policy_open("oomx check", spec, &p) &&
	    !policy_configure("oomx check", &p, &cfg, path)) {
		printf("%s: valid for the %s policy (%zu setting%s, %zu rule%s, %zu pressure "
		       "trigger%s)\n", path, p.name, cfg.nr_settings,
		       cfg.nr_settings == 1 ? "" : "s", cfg.nr_rules, cfg.nr_rules == 1 ? "" : "s",
		       cfg.nr_pressure, cfg.nr_pressure == 1 ? "" : "s");
		err = 0;
	}
	policy_close(&p, false);
	return err;
}

int cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const char usage[] =
		"Usage: oomx check\n"
		"       oomx check -c FILE POLICY\n"
		"Tell whether this machine can run oomx policies, and what to do if not.\n"
		"With -c: whether FILE is a valid configuration for POLICY (a built-in\n"
		"name or a policy object), checked as 'oomx load' would, without loading\n"
		"anything. Exit status 0 if all is well, 1 otherwise.";
	struct check_state cs = { 0 };
	const char *cfg_path = NULL;
	struct statfs sfs;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			cfg_path = optarg;
			break;
		case 'h':
			puts(usage);
			return 0;
		default:
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (cfg_path || optind != argc) {
		if (!cfg_path || optind != argc - 1) {
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
		return check_config(cfg_path, argv[optind]);
	}
	check_item(&cs, access("/sys/kernel/btf/vmlinux", R_OK) == 0,
		   "kernel BTF (/sys/kernel/btf/vmlinux)",
		   "boot a kernel built with CONFIG_DEBUG_INFO_BTF=y");
	check_item(&cs, kernel_btf_has("oom_ext_ops", BTF_KIND_STRUCT), "struct oom_ext_ops in the kernel's BTF",
		   "this kernel lacks the oom_ext patches: build one with 'make kernel' "
		   "(kernel/patches, CONFIG_OOM_EXT=y) and boot it");
	check_item(&cs, sysfs_has_oom_ext(), SYSFS_OOM_EXT,
		   "the kernel has no oom_ext: boot a kernel with CONFIG_OOM_EXT=y");
	check_item(&cs, statfs("/sys/fs/bpf", &sfs) == 0 && sfs.f_type == BPF_FS_MAGIC,
		   "bpffs mounted at /sys/fs/bpf (needed by 'oomx load')",
		   "mount it: mount -t bpf bpf /sys/fs/bpf");
	check_item(&cs, geteuid() == 0, "running as root (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN)",
		   "run oomx as root, e.g. with sudo");
	if (cs.failed)
		printf("%d check%s failed\n", cs.failed, cs.failed == 1 ? "" : "s");
	else
		puts("this machine can run oomx policies");
	return cs.failed ? 1 : 0;
}

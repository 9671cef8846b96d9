// SPDX-License-Identifier: GPL-2.0
/* oomx set and oomx apply: change the loaded policy's configuration (user/gen.c). */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "config.h"
#include "gen.h"
#include "oomx.h"
#include "pin.h"
#include "sysfs.h"

/* the loaded policy's name into @buf; 0, or 1 with the reason printed */
static int loaded_policy(const char *cmd, char *buf, size_t len)
{
	if (!pin_loaded() || sysfs_attached(buf, len) || !buf[0]) {
		fprintf(stderr, "%s: no policy is loaded (nothing pinned at %s); 'oomx load' "
			"one first\n", cmd, PIN_DIR);
		return 1;
	}
	return 0;
}

int cmd_set(int argc, char **argv)
{
	static struct oomx_config cfg;
	char err[OOMX_CFG_ERR_LEN], text[4096], name[128];
	size_t len = 0;
	int i, lock, ret = 1;

	if (argc < 2 || wants_help(argc, argv)) {
		puts("Usage: oomx set NAME=VALUE...\n"
		     "Change settings of the loaded policy, all at once or none if any is\n"
		     "invalid: an OOM sees the old settings or the new ones. 'oomx status'\n"
		     "lists the policy's settings with their bounds; every policy has\n"
		     "reap_delay_ms and victim_timeout_ms. Rules change with 'oomx apply'.");
		return argc < 2 ? EXIT_USAGE : 0;
	}
	/* NAME=VALUE arguments are configuration lines; line N is argument N */
	for (i = 1; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		int n;

		if (!eq || eq == argv[i]) {
			fprintf(stderr, "oomx set: argument %d, '%s': expected NAME=VALUE\n", i,
				argv[i]);
			return EXIT_USAGE;
		}
		n = snprintf(text + len, sizeof(text) - len, "%.*s \"%s\"\n", (int)(eq - argv[i]),
			     argv[i], eq + 1);
		if (n < 0 || (size_t)n >= sizeof(text) - len || strchr(eq + 1, '"') ||
		    strchr(eq + 1, '\n')) {
			fprintf(stderr, "oomx set: argument %d is too long or has quotes\n", i);
			return EXIT_USAGE;
		}
		len += (size_t)n;
	}
	if (oomx_config_parse("oomx set: argument", text, len, &cfg, err)) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (cfg.nr_rules) {
		fprintf(stderr, "oomx set: argument %u is a rule; rules change with 'oomx apply FILE'\n",
			cfg.rules[0].line);
		return 1;
	}
	lock = pin_lock("oomx set");
	if (lock < 0)
		return 1;
	if (!loaded_policy("oomx set", name, sizeof(name)) &&
	    !gen_switch("oomx set", &cfg, "oomx set: argument", true)) {
		printf("oomx: settings updated\n");
		ret = 0;
	}
	pin_unlock(lock);
	return ret;
}

int cmd_apply(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const char usage[] =
		"Usage: oomx apply [--policy NAME] FILE\n"
		"Replace the loaded policy's settings and rules with those of FILE, all\n"
		"at once: an OOM sees the old configuration or the new one, never a mix.\n"
		"A setting FILE does not give returns to the policy's default. An invalid\n"
		"FILE changes nothing. The policy itself stays: with --policy, apply\n"
		"refuses unless NAME is the policy loaded (switching policies is\n"
		"'oomx load --replace NAME'; under systemd, 'systemctl restart oomx').";
	static struct oomx_config cfg;
	const char *want = NULL;
	char name[128];
	int opt, lock, ret = 1;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			want = optarg;
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
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (read_config("oomx apply", argv[optind], &cfg))
		return 1;
	lock = pin_lock("oomx apply");
	if (lock < 0)
		return 1;
	if (loaded_policy("oomx apply", name, sizeof(name)))
		goto out;
	if (want && strcmp(name, want)) {
		fprintf(stderr, "oomx apply: the loaded policy is '%s', not '%s'; apply changes the "
			"configuration of the loaded policy only. Switch with 'oomx load --replace %s' "
			"(under systemd: systemctl restart oomx)\n", name, want, want);
		goto out;
	}
	if (!gen_switch("oomx apply", &cfg, argv[optind], false)) {
		printf("oomx: configuration applied (%zu setting%s, %zu rule%s)\n", cfg.nr_settings,
		       cfg.nr_settings == 1 ? "" : "s", cfg.nr_rules, cfg.nr_rules == 1 ? "" : "s");
		ret = 0;
	}
out:
	pin_unlock(lock);
	return ret;
}

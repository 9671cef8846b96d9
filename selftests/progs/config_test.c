// SPDX-License-Identifier: GPL-2.0
/*
 * config_test - host unit test of user/config.c.
 *
 *   config_test FILE...   parse each FILE; print the settings and rules it
 *                         gives, one per line, or its error (the values of
 *                         settings are checked later, against a policy). Exit 0 if all
 *                         parsed, 1 if any failed.
 *   config_test --fuzz N  parse N random and mutated inputs; exit 0 unless
 *                         the parser crashed (ASan/UBSan abort) or returned
 *                         an error without a message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"

static const char *const match_names[] = { "cgroup", "comm", "uid" };

static void print_config(const struct oomx_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nr_settings; i++)
		printf("setting line=%u %s=[%s]\n", cfg->settings[i].line, cfg->settings[i].name,
		       cfg->settings[i].value);
	for (i = 0; i < cfg->nr_pressure; i++) {
		const struct oomx_pressure *p = &cfg->pressure[i];

		printf("pressure line=%u scope=[%s] %s stall=%llu window=%llu for=%llu",
		       p->line, p->scope, p->full ? "full" : "some", p->stall_us, p->window_us,
		       p->for_us);
		if (p->swap_pct)
			printf(" swap=%u%%", p->swap_pct);
		printf("%s\n", p->dry_run ? " dry-run" : "");
	}
	for (i = 0; i < cfg->nr_rules; i++) {
		const struct oomx_rule *r = &cfg->rules[i];

		if (r->kill_mode)
			printf("rule line=%u kill=%s %s=", r->line,
			       r->kill_mode == 2 ? "group" : "process", match_names[r->match]);
		else
			printf("rule line=%u class=%u %s=", r->line, r->klass,
			       match_names[r->match]);
		if (r->match == OOMX_MATCH_UID)
			printf("%u\n", r->uid);
		else
			printf("[%s]\n", r->value);
	}
}

static const char *const seeds[] = {
	"reap_delay_ms 500\nvictim_timeout_ms 0\n",
	"protect cgroup /system.slice/db.service\nprefer comm stress\nclass 20 uid 1000\n",
	"class 7 cgroup \"/a b/\\\"c\\\\\" # comment\n",
	"  # only a comment\n\n\treap_delay_ms default\n",
	"rank growth\ngrowth_interval_ms 250\n",
	"pressure / some 150ms 1s\npressure /a/b full 1s 10s for 30s swap 90% dry-run\n",
};

static int fuzz(unsigned long iters)
{
	static struct oomx_config cfg;
	char err[OOMX_CFG_ERR_LEN], buf[512];
	unsigned long i;
	size_t len, k;

	srand(12345);
	for (i = 0; i < iters; i++) {
		const char *seed = seeds[i % (sizeof(seeds) / sizeof(seeds[0]))];

		len = strlen(seed);
		memcpy(buf, seed, len);
		if (i % 3 == 0) {
			/* random bytes, NULs and newlines included */
			len = (size_t)rand() % sizeof(buf);
			for (k = 0; k < len; k++)
				buf[k] = (char)(rand() % 256);
		} else {
			/* flip, insert or truncate */
			for (k = 0; k < 1 + (size_t)rand() % 4; k++) {
				size_t at = (size_t)rand() % (len + 1);

				if (at < len && rand() % 2)
					buf[at] = "\"\\# \t\n/0123456789az.-"[rand() % 22];
				else if (len < sizeof(buf) - 1)
					memmove(buf + at + 1, buf + at, len++ - at),
					buf[at] = (char)(rand() % 256);
			}
			if (rand() % 5 == 0)
				len = (size_t)rand() % (len + 1);
		}
		if (oomx_config_parse("fuzz", buf, len, &cfg, err) && !err[0]) {
			fprintf(stderr, "iteration %lu: error without a message\n", i);
			return 1;
		}
	}
	printf("fuzz: %lu inputs, no crash\n", iters);
	return 0;
}

int main(int argc, char **argv)
{
	static struct oomx_config cfg;
	char err[OOMX_CFG_ERR_LEN];
	int i, rc = 0;

	if (argc == 3 && !strcmp(argv[1], "--fuzz"))
		return fuzz(strtoul(argv[2], NULL, 10));
	for (i = 1; i < argc; i++) {
		if (oomx_config_load(argv[i], &cfg, err)) {
			printf("error: %s\n", err);
			rc = 1;
		} else {
			print_config(&cfg);
		}
	}
	return rc;
}

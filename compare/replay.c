// SPDX-License-Identifier: GPL-2.0
/*
 * replay - feed a pressure record of compare/psirec to the watcher's own
 * decision, psi_step() of user/pressure.c, and say when a pressure line
 * with the record's trigger and each DURATION asked would have acted: the
 * rule tried on real traces without a VM (docs/compare.md).
 *
 * Usage: replay [--for-ms MS]... FILE
 * For each DURATION (default: 0, 5000 and 12000 ms), one line:
 *   for 5000 ms: acts at 28874 ms (10.3% over 5812 ms, lasted 6897 ms)
 *   for 12000 ms: never (12 trips)
 * Times are from the record's start (the workload's). The first action
 * only: the record has no kill in it, so what came after would differ.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pressure.h"

#define MAX_FOR		16
#define MAX_FOR_MS	3600000

static const char usage[] =
	"Usage: replay [--for-ms MS]... FILE\n"
	"\n"
	"When a pressure line with FILE's trigger (a compare/psirec record) and\n"
	"each DURATION MS would have acted (default: 0, 5000 and 12000).\n";

/* one record line; 1 read, 0 the end, -1 malformed */
static int next_line(FILE *f, unsigned long long *t_ms, int *trip, unsigned long long *some,
		     unsigned long long *full)
{
	char line[256], word[8];

	if (!fgets(line, sizeof(line), f))
		return 0;
	if (sscanf(line, "{\"t_ms\":%llu,\"trip\":%5[a-z],\"some_us\":%llu,\"full_us\":%llu}",
		   t_ms, word, some, full) != 4)
		return -1;
	*trip = !strcmp(word, "true");
	return 1;
}

static int replay(const char *path, const struct oomx_pressure *cfg)
{
	unsigned long long t_ms, some, full, trips = 0, last_ms = 0;
	struct oomx_psi_sample s;
	struct oomx_psi t;
	char head[4096];
	int trip, r;
	FILE *f = fopen(path, "r");

	if (!f || !fgets(head, sizeof(head), f)) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		if (f)
			fclose(f);
		return -1;
	}
	memset(&t, 0, sizeof(t));
	t.cfg = *cfg;
	t.fd = -1;
	while ((r = next_line(f, &t_ms, &trip, &some, &full)) > 0) {
		struct oomx_psi_trip tr = {
			.ns = t_ms * 1000000ULL, .total_us = cfg->full ? full : some, .read = true,
		};

		if (t_ms < last_ms) {
			r = -1;
			break;
		}
		last_ms = t_ms;
		if (!trip)
			continue;
		trips++;
		if (psi_step(&t, &tr, &s) != OOMX_PSI_ACT)
			continue;
		printf("for %llu ms: acts at %llu ms (%.1f%% over %llu ms, lasted %llu ms)\n",
		       cfg->for_us / 1000, t_ms,
		       s.measured_us ? 100.0 * s.stall_us / s.measured_us : 0.0,
		       (unsigned long long)s.measured_us / 1000,
		       (unsigned long long)s.lasted_us / 1000);
		break;
	}
	fclose(f);
	if (r < 0) {
		fprintf(stderr, "replay: %s: a line that is not a psirec sample, or goes back in "
			"time\n", path);
		return -1;
	}
	if (!r)
		printf("for %llu ms: never (%llu trips)\n", cfg->for_us / 1000, trips);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "for-ms", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long fors[MAX_FOR] = { 0, 5000, 12000 };
	unsigned long long stall, window;
	struct oomx_pressure cfg = { 0 };
	char head[4096], kind[8];
	int c, i, n = 3, given = 0;
	FILE *f;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f': {
			char *end;

			if (given == MAX_FOR) {
				fprintf(stderr, "replay: at most %d --for-ms\n", MAX_FOR);
				return 2;
			}
			fors[given] = strtoull(optarg, &end, 10);
			if (end == optarg || *end || fors[given] > MAX_FOR_MS) {
				fprintf(stderr, "replay: --for-ms '%s': give milliseconds, 0 to %d "
					"(a line's DURATION is at most an hour)\n", optarg, MAX_FOR_MS);
				return 2;
			}
			n = ++given;
			break;
		}
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fputs(usage, stderr);
		return 2;
	}
	f = fopen(argv[optind], "r");
	if (!f || !fgets(head, sizeof(head), f) ||
	    !strstr(head, "\"trigger\":\"") ||
	    sscanf(strstr(head, "\"trigger\":\"") + 11, "%7s %llu %llu", kind, &stall,
		   &window) != 3 || (strcmp(kind, "some") && strcmp(kind, "full"))) {
		fprintf(stderr, "replay: %s is not a psirec record (no trigger on its first line)\n",
			argv[optind]);
		if (f)
			fclose(f);
		return 1;
	}
	fclose(f);
	cfg.full = !strcmp(kind, "full");
	cfg.stall_us = stall;
	cfg.window_us = window;
	printf("%s: trigger %s %llu us in %llu us\n", argv[optind], kind, stall, window);
	for (i = 0; i < n; i++) {
		cfg.for_us = fors[i] * 1000;
		if (replay(argv[optind], &cfg))
			return 1;
	}
	return 0;
}

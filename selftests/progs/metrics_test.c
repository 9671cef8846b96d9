// SPDX-License-Identifier: GPL-2.0
/*
 * metrics_test - host unit test of user/metrics.c: prints the exposition
 * of made-up counters (every family, a cgroup path that needs escaping,
 * the cgroup map full, two pressure lines), for promtool and exact checks;
 * "stats FILE" writes and reads back a watcher's stats file.
 */
#include <stdio.h>
#include <string.h>
#include "metrics.h"

int main(int argc, char **argv)
{
	static struct oomx_metrics m;
	struct oomx_watch_stat back[OOMX_CFG_MAX_PRESSURE];
	size_t i, n;

	m.oom_ext = true;
	strcpy(m.state, "enabled");
	strcpy(m.policy, "priority");
	m.invocations = 7;
	m.policy_choices = 5;
	m.fallbacks = 1;
	m.errors = 0;
	m.kills = 6;
	m.reaps = 2;
	m.have_vmstat = true;
	m.vmstat_oom_kill = 9;
	m.pinned = true;
	strcpy(m.pinned_policy, "priority");
	m.stats.kills[2][0] = 4;	/* policy, exhaustion */
	m.stats.kills[2][1] = 1;	/* policy, pressure */
	m.stats.kills[1][0] = 1;	/* kernel, exhaustion */
	m.stats.cgroup_kills_other = 3;
	m.stats.scans = 3;
	m.stats.scan_ns_sum = 1500000;
	m.stats.scan_le[2] = 1;		/* <= 250 us */
	m.stats.scan_le[4] = 2;		/* <= 1 ms */
	m.lost_events = 0;
	m.nr_cgroups = OOMX_METRIC_CGROUPS;
	for (i = 0; i < m.nr_cgroups; i++) {
		m.cgroups[i].id = 1000 + i;
		m.cgroups[i].kills = 1;
		snprintf(m.cgroups[i].path, sizeof(m.cgroups[i].path), "/batch/job%zu", i);
	}
	strcpy(m.cgroups[0].path, "/odd \"name\"\\x");
	m.cgroups[1].path[0] = '\0';	/* removed since */
	m.have_watch = true;
	m.nr_triggers = 2;
	m.triggers[0] = (struct oomx_watch_stat){ .line = 3, .scope = "/work",
						  .n = { .trips = 9, .kills = 1, .retries = 2 } };
	m.triggers[1] = (struct oomx_watch_stat){ .line = 4, .full = true, .scope = "/",
						  .n = { .trips = 1, .dry_runs = 1 } };

	if (argc == 3 && !strcmp(argv[1], "stats")) {
		if (watch_stats_write(argv[2], m.triggers, m.nr_triggers) ||
		    watch_stats_read(argv[2], back, OOMX_CFG_MAX_PRESSURE, &n) || n != 2 ||
		    memcmp(back, m.triggers, sizeof(back[0]) * 2)) {
			printf("FAIL: the stats file did not read back as written\n");
			return 1;
		}
		printf("ok: a watcher's stats file reads back as written\n");
		return 0;
	}
	metrics_print(stdout, &m);
	return 0;
}

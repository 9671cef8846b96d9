/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The node's OOM counters in the Prometheus text exposition format
 * (version 0.0.4), for node_exporter's textfile collector or a scrape of
 * "oomx metrics --listen". Gathering (user/cmd_metrics.c) is kept apart
 * from formatting, which the host tests drive with made-up numbers.
 *
 * Label cardinality is bounded: chosen_by (4 values) x cause (2), one
 * policy at a time, at most OOMX_METRIC_CGROUPS cgroups (the rest under
 * cgroup="other"), at most OOMX_CFG_MAX_PRESSURE triggers.
 */
#ifndef __OOMX_METRICS_H
#define __OOMX_METRICS_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>
#include "config.h"
#include "oomx_shared.h"
#include "pressure.h"

/* what the watcher writes for each trigger (oomx watch --stats) */
struct oomx_watch_stat {
	unsigned int line;
	bool full;
	char scope[OOMX_CFG_VALUE_LEN];
	struct oomx_psi_counts n;
};

struct oomx_metrics {
	bool oom_ext;			/* the kernel has /sys/kernel/oom_ext */
	char state[32];			/* its state: none, enabled, ... */
	char policy[64];		/* the attached policy, "" if none */
	unsigned long long invocations, policy_choices, fallbacks, errors, kills, reaps;
	bool have_vmstat;
	unsigned long long vmstat_oom_kill;	/* every OOM kill since boot */
	bool pinned;			/* a policy oomx load pinned: its own counters */
	char pinned_policy[OOMX_POLICY_LEN];
	struct oomx_stats stats;
	unsigned long long lost_events;
	size_t nr_cgroups;
	struct {
		char path[256];		/* "" if the cgroup is gone */
		__u64 id;
		unsigned long long kills;
	} cgroups[OOMX_METRIC_CGROUPS];
	bool have_watch;		/* a watcher's stats file was read */
	size_t nr_triggers;
	struct oomx_watch_stat triggers[OOMX_CFG_MAX_PRESSURE];
};

/* metrics_print: @m as the exposition format */
void metrics_print(FILE *f, const struct oomx_metrics *m);

/*
 * watch_stats_write / watch_stats_read: the watcher's counters as a small
 * text file, replaced atomically (rename); 0 or -1 (errno).
 */
int watch_stats_write(const char *path, const struct oomx_watch_stat *st, size_t n);
int watch_stats_read(const char *path, struct oomx_watch_stat *st, size_t max, size_t *n);

#endif

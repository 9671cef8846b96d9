// SPDX-License-Identifier: GPL-2.0
/* The Prometheus exposition of the node's OOM counters; see metrics.h. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "metrics.h"

static const char *const kind_names[OOMX_KILL_KINDS] = { "none", "kernel", "policy", "select" };
static const char *const cause_names[OOMX_CAUSES] = { "exhaustion", "pressure" };

/* a label value: backslash, double quote and newline escaped */
static void label(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

static void head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void counter(FILE *f, const char *name, const char *help, unsigned long long v)
{
	head(f, name, "counter", help);
	fprintf(f, "%s %llu\n", name, v);
}

static void scan_histogram(FILE *f, const struct oomx_metrics *m)
{
	static const unsigned long long le[OOMX_SCAN_BUCKETS] = OOMX_SCAN_BUCKET_NS;
	unsigned long long cum = 0;
	int i;

	head(f, "oomx_scan_seconds", "histogram",
	     "Time of the OOM killer's victim scan (select_bad_process()), the policy's badness() calls included.");
	for (i = 0; i <= OOMX_SCAN_BUCKETS; i++) {
		cum += m->stats.scan_le[i];
		fprintf(f, "oomx_scan_seconds_bucket{policy=");
		label(f, m->pinned_policy);
		if (i < OOMX_SCAN_BUCKETS)
			fprintf(f, ",le=\"%g\"} %llu\n", (double)le[i] / 1e9, cum);
		else
			fprintf(f, ",le=\"+Inf\"} %llu\n", cum);
	}
	fprintf(f, "oomx_scan_seconds_sum{policy=");
	label(f, m->pinned_policy);
	fprintf(f, "} %.9f\noomx_scan_seconds_count{policy=", (double)m->stats.scan_ns_sum / 1e9);
	label(f, m->pinned_policy);
	fprintf(f, "} %llu\n", (unsigned long long)m->stats.scans);
}

static void pinned(FILE *f, const struct oomx_metrics *m)
{
	size_t i;
	int k, c;

	head(f, "oomx_kills_total", "counter",
	     "OOM kills while the loaded policy was attached, by who chose the victim and why the OOM ran.");
	for (k = OOM_EXT_KILL_KERNEL; k < OOMX_KILL_KINDS; k++)	/* "none" marks, not kills */
		for (c = 0; c < OOMX_CAUSES; c++) {
			fprintf(f, "oomx_kills_total{policy=");
			label(f, m->pinned_policy);
			fprintf(f, ",chosen_by=\"%s\",cause=\"%s\"} %llu\n", kind_names[k],
				cause_names[c], (unsigned long long)m->stats.kills[k][c]);
		}
	head(f, "oomx_cgroup_kills_total", "counter",
	     "OOM kills by the victim's cgroup, for the first 64 cgroups with a kill; the rest are cgroup=\"other\".");
	for (i = 0; i < m->nr_cgroups; i++) {
		char id[32];

		snprintf(id, sizeof(id), "id:%llu", (unsigned long long)m->cgroups[i].id);
		fprintf(f, "oomx_cgroup_kills_total{policy=");
		label(f, m->pinned_policy);
		fprintf(f, ",cgroup=");
		label(f, m->cgroups[i].path[0] ? m->cgroups[i].path : id);
		fprintf(f, "} %llu\n", m->cgroups[i].kills);
	}
	fprintf(f, "oomx_cgroup_kills_total{policy=");
	label(f, m->pinned_policy);
	fprintf(f, ",cgroup=\"other\"} %llu\n", (unsigned long long)m->stats.cgroup_kills_other);
	head(f, "oomx_events_lost_total", "counter",
	     "Kill and reap events dropped because the ring buffer was full.");
	fprintf(f, "oomx_events_lost_total{policy=");
	label(f, m->pinned_policy);
	fprintf(f, "} %llu\n", m->lost_events);
	scan_histogram(f, m);
}

static void watch(FILE *f, const struct oomx_metrics *m)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} c[] = {
		{ "oomx_pressure_trips_total", "Times the PSI trigger of a pressure line tripped.",
		  offsetof(struct oomx_psi_counts, trips) },
		{ "oomx_pressure_kills_total", "OOM kills a pressure line started.",
		  offsetof(struct oomx_psi_counts, kills) },
		{ "oomx_pressure_dry_runs_total", "Victims a dry-run pressure line chose and spared.",
		  offsetof(struct oomx_psi_counts, dry_runs) },
		{ "oomx_pressure_retries_total",
		  "Trips that killed nobody because a victim was still exiting or another OOM ran.",
		  offsetof(struct oomx_psi_counts, retries) },
		{ "oomx_pressure_nothing_total", "Trips that found nothing killable.",
		  offsetof(struct oomx_psi_counts, nothing) },
		{ "oomx_pressure_errors_total", "Trips the kernel refused with an error.",
		  offsetof(struct oomx_psi_counts, errors) },
	};
	size_t i, j;

	for (j = 0; j < sizeof(c) / sizeof(c[0]); j++) {
		head(f, c[j].name, "counter", c[j].help);
		for (i = 0; i < m->nr_triggers; i++) {
			const struct oomx_watch_stat *t = &m->triggers[i];

			fprintf(f, "%s{line=\"%u\",scope=", c[j].name, t->line);
			label(f, t->scope);
			fprintf(f, ",kind=\"%s\"} %llu\n", t->full ? "full" : "some",
				*(const unsigned long long *)((const char *)&t->n + c[j].off));
		}
	}
}

void metrics_print(FILE *f, const struct oomx_metrics *m)
{
	head(f, "oomx_oom_ext_available", "gauge",
	     "1 if the kernel has oom_ext (/sys/kernel/oom_ext).");
	fprintf(f, "oomx_oom_ext_available %d\n", m->oom_ext);
	if (m->have_vmstat)
		counter(f, "oomx_vmstat_oom_kills_total",
			"Every OOM kill since boot, with or without a policy (/proc/vmstat oom_kill).",
			m->vmstat_oom_kill);
	if (m->oom_ext) {
		head(f, "oomx_policy_attached", "gauge",
		     "1 for the attached policy and the state of the oom_ext slot.");
		fprintf(f, "oomx_policy_attached{policy=");
		label(f, m->policy);
		fprintf(f, ",state=");
		label(f, m->state);
		fprintf(f, "} %d\n", m->policy[0] != '\0');
		counter(f, "oomx_oom_invocations_total",
			"out_of_memory() invocations a policy took part in, since boot.", m->invocations);
		counter(f, "oomx_policy_choices_total",
			"Victims chosen by a policy, since boot.", m->policy_choices);
		counter(f, "oomx_fallbacks_total",
			"OOMs where the kernel's choice was killed because the policy rejected everyone, failed or waited too long.",
			m->fallbacks);
		counter(f, "oomx_policy_errors_total",
			"Policies the kernel disabled for an error, since boot.", m->errors);
		counter(f, "oomx_oom_ext_kills_total",
			"OOM kills reported to a policy, since boot.", m->kills);
		counter(f, "oomx_reaps_total",
			"OOM reaper runs while a policy was attached, since boot.", m->reaps);
	}
	if (m->pinned)
		pinned(f, m);
	if (m->have_watch)
		watch(f, m);
}

int watch_stats_write(const char *path, const struct oomx_watch_stat *st, size_t n)
{
	char tmp[4096 + 8];
	FILE *f;
	size_t i;
	int ok;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "# oomx watch: per pressure line: line kind trips kills dry_runs retries "
		"nothing errors scope\n");
	for (i = 0; i < n; i++)
		fprintf(f, "%u %s %llu %llu %llu %llu %llu %llu %s\n", st[i].line,
			st[i].full ? "full" : "some", st[i].n.trips, st[i].n.kills, st[i].n.dry_runs,
			st[i].n.retries, st[i].n.nothing, st[i].n.errors, st[i].scope);
	ok = !ferror(f);
	ok = !fclose(f) && ok;
	if (!ok || rename(tmp, path)) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

int watch_stats_read(const char *path, struct oomx_watch_stat *st, size_t max, size_t *n)
{
	char line[OOMX_CFG_VALUE_LEN + 256], kind[8];
	FILE *f = fopen(path, "r");
	int at;

	*n = 0;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f) && *n < max) {
		struct oomx_watch_stat *s = &st[*n];

		if (line[0] == '#')
			continue;
		memset(s, 0, sizeof(*s));
		if (sscanf(line, "%u %7s %llu %llu %llu %llu %llu %llu %n", &s->line, kind,
			   &s->n.trips, &s->n.kills, &s->n.dry_runs, &s->n.retries, &s->n.nothing,
			   &s->n.errors, &at) != 8)
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(s->scope, sizeof(s->scope), "%s", line + at);
		s->full = !strcmp(kind, "full");
		(*n)++;
	}
	fclose(f);
	return 0;
}

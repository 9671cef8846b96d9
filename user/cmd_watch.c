// SPDX-License-Identifier: GPL-2.0
/*
 * oomx watch: act on memory pressure before the OOM. Arms the "pressure"
 * lines of a configuration as PSI triggers (user/pressure.c) and, when
 * one has tripped for its duration, runs the kernel's OOM killer for its
 * scope with the loaded policy (bpf/trigger.bpf.c). It sleeps in ppoll()
 * until the kernel reports pressure: no timer, no periodic reads.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <sys/stat.h>
#include "events.h"
#include "metrics.h"
#include "oomx.h"
#include "oom_ext_consts.h"	/* struct oom_ext_trigger, for the skeleton */
#include "pressure.h"
#include "trigger.skel.h"

#define WATCH_STATS	"/run/oomx/watch.stats"

static volatile sig_atomic_t reload;

static void on_hup(int sig)
{
	(void)sig;
	reload = 1;
}

/*
 * The stack a trip needs, faulted in now: under MCL_FUTURE a new stack page
 * is allocated at its first touch, and that may be the moment memory is
 * short.
 */
static void prefault_stack(void)
{
	volatile char pad[64 * 1024];
	size_t i;

	for (i = 0; i < sizeof(pad); i += 4096)
		pad[i] = 0;
}

/* the kfunc's answers: the JSON word, and what the text line says */
static const struct {
	int err;
	const char *word, *text;
} results[] = {
	{ -EAGAIN, "victim-exiting", "a previous victim is still exiting; the next trip tries again" },
	{ -EBUSY, "oom-in-progress", "another OOM is in progress; the next trip tries again" },
	{ -ESRCH, "nothing-killable", "nothing killable in its scope" },
	{ -ENOLINK, "no-policy", "no policy chose a victim (none attached, or it deferred to the "
	  "kernel); --kernel-choice kills the kernel's choice then" },
	{ -ENOENT, "error", "the cgroup is gone, outside this cgroup namespace, or has no memory "
	  "controller of its own (enable \"memory\" in its parent's cgroup.subtree_control)" },
	{ -EPERM, "error", "starting an OOM needs CAP_SYS_ADMIN" },
};

static const char *result_str(int ret, bool dry_run, bool word)
{
	size_t i;

	if (!ret)
		return dry_run ? "would-kill" : "killed";
	for (i = 0; i < sizeof(results) / sizeof(results[0]); i++)
		if (results[i].err == ret)
			return word ? results[i].word : results[i].text;
	return word ? "error" : strerror(-ret);
}

/* where the share came from: "machine", a cgroup path, or "none" */
static void swap_source(const char *scope, int source, char *buf, size_t len)
{
	char *slash;
	int up;

	if (source == OOMX_SWAP_MACHINE || source == OOMX_SWAP_NOWHERE) {
		snprintf(buf, len, "%s", source == OOMX_SWAP_MACHINE ? "machine" : "none");
		return;
	}
	snprintf(buf, len, "%s", scope);
	for (up = 0; up < source && (slash = strrchr(buf, '/')) && slash != buf; up++)
		*slash = '\0';
}

/* the "swap" field: null without "swap PCT%" (docs/events.md) */
static void json_swap(const struct oomx_pressure *c, const struct oomx_psi_sample *s)
{
	char src[OOMX_CFG_VALUE_LEN];

	if (!c->swap_pct) {
		printf("null");
		return;
	}
	printf("{\"limit_pct\":%u,\"used_pct\":", c->swap_pct);
	if (s->swap.used_x100 >= 0)
		printf("%d.%02d", s->swap.used_x100 / 100, s->swap.used_x100 % 100);
	else
		printf("null");
	printf(",\"source\":");
	swap_source(c->scope, s->swap.source, src, sizeof(src));
	json_string(stdout, src, sizeof(src));
	printf(",\"scope_bytes\":");
	if (s->swap.scope_read)
		printf("%llu", (unsigned long long)s->swap.scope_bytes);
	else
		printf("null");
	printf(",\"grew_bytes\":%llu}", (unsigned long long)s->swap_grew);
}

static void report(const struct oomx_psi *t, const struct oomx_psi_sample *s, int ret,
		   const struct oom_ext_trigger *trig, bool json)
{
	const struct oomx_pressure *c = &t->cfg;
	const char *kind = c->full ? "full" : "some";
	char src[OOMX_CFG_VALUE_LEN];

	if (json) {
		printf("{\"type\":\"pressure\",\"line\":%u,\"scope\":", c->line);
		json_string(stdout, c->scope, sizeof(c->scope));
		printf(",\"kind\":\"%s\",\"threshold_us\":%llu,\"window_us\":%llu,\"for_us\":%llu,"
		       "\"lasted_us\":%llu,\"stall_us\":%llu,\"measured_us\":%llu,\"measure\":\"%s\","
		       "\"avg10\":%u.%02u,\"dry_run\":%s,\"result\":\"%s\",\"errno\":%d",
		       kind, c->stall_us, c->window_us, c->for_us,
		       (unsigned long long)s->lasted_us, (unsigned long long)s->stall_us,
		       (unsigned long long)s->measured_us, psi_measure_str(s->measure),
		       s->avg10_x100 / 100, s->avg10_x100 % 100, c->dry_run ? "true" : "false",
		       result_str(ret, c->dry_run, true), ret < 0 ? -ret : 0);
		printf(",\"acted_on\":\"%s\",\"swap\":", s->by_swap ? "swap" : "stall");
		json_swap(c, s);
		if (!ret) {
			printf(",\"pid\":%d,\"comm\":", trig->victim_pid);
			json_string(stdout, trig->victim_comm, sizeof(trig->victim_comm));
			printf(",\"chosen_by\":\"%s\"", kill_kind_str(trig->chosen_by));
		}
		printf("}\n");
	} else {
		printf("pressure line %u (%s %s %llums/%llums", c->line, c->scope, kind,
		       c->stall_us / 1000, c->window_us / 1000);
		if (c->for_us)
			printf(" for %llums", c->for_us / 1000);
		if (c->swap_pct)
			printf(" swap %u%%", c->swap_pct);
		printf(")");
		if (s->by_swap) {
			swap_source(c->scope, s->swap.source, src, sizeof(src));
			printf(": swap %d.%02d%% used (%s), the scope's %llu KiB more since the last "
			       "trip", s->swap.used_x100 / 100, s->swap.used_x100 % 100, src,
			       (unsigned long long)s->swap_grew / 1024);
		}
		printf(": %llums stall in %llums (%s), lasted %llums: ",
		       (unsigned long long)s->stall_us / 1000,
		       (unsigned long long)s->measured_us / 1000,
		       s->measure == OOMX_PSI_DURATION ? "the last DURATION" :
		       s->measure == OOMX_PSI_WINDOW ? "since the last trip" :
		       s->measure == OOMX_PSI_AVG10 ? "avg10" : "unreadable",
		       (unsigned long long)s->lasted_us / 1000);
		if (!ret)
			printf("%s %d (%.16s), chosen by the %s\n",
			       c->dry_run ? "dry run, would kill" : "killed", trig->victim_pid,
			       trig->victim_comm, trig->chosen_by == OOM_EXT_KILL_KERNEL ?
			       "kernel" : "policy");
		else
			printf("no kill: %s\n", result_str(ret, false, false));
	}
	fflush(stdout);
}

/* run the OOM killer for @t's scope; 0 or a negative errno */
static int fire(struct trigger *skel, const struct oomx_psi *t,
		const struct oomx_psi_sample *s, bool policy_only)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	struct oom_ext_trigger *trig = &skel->bss->trig;
	int err;

	memset(trig, 0, sizeof(*trig));
	trig->memcg_id = t->memcg_id;
	trig->trigger_id = t->id;
	trig->full = t->cfg.full;
	trig->flags = (t->cfg.dry_run ? OOM_EXT_TRIGGER_DRY_RUN : 0) |
		      (policy_only ? OOM_EXT_TRIGGER_POLICY_ONLY : 0);
	trig->threshold_us = t->cfg.stall_us;
	trig->window_us = t->cfg.window_us;
	trig->stall_us = s->stall_us;
	trig->measured_us = s->measured_us;
	err = bpf_prog_test_run_opts(bpf_program__fd(skel->progs.oomx_trigger), &opts);
	return err ? -errno : skel->bss->trig_ret;
}

static void on_trip(struct trigger *skel, struct oomx_psi *t, bool policy_only, bool json)
{
	struct oomx_psi_trip trip = {
		.ns = oomx_now_ns(),
		.swap = { .used_x100 = -1, .source = OOMX_SWAP_NOWHERE },
	};
	struct oomx_psi_sample s;
	int ret;

	trip.read = !psi_read(t, &trip.total_us, &trip.avg10_x100);
	/* a trip held after an action is ignored: nothing more to read */
	if (t->cfg.swap_pct && trip.ns >= t->hold_ns)
		swap_read(&t->swap, !strcmp(t->cfg.scope, "/"), &trip.swap);
	if (psi_step(t, &trip, &s) != OOMX_PSI_ACT)
		return;
	ret = fire(skel, t, &s, policy_only);
	report(t, &s, ret, &skel->bss->trig, json);
	psi_acted(t, oomx_now_ns(), ret, s.by_swap);
}

/* on stderr, also with --json: the state of each trigger */
/* the counters for "oomx metrics"; a failure is said once */
static void write_stats(const char *cmd, const char *path, const struct oomx_psi_set *set)
{
	static struct oomx_watch_stat st[OOMX_CFG_MAX_PRESSURE];
	static bool warned;
	size_t i;

	if (!path)
		return;
	for (i = 0; i < set->n; i++) {
		const struct oomx_psi *t = &set->t[i];

		st[i].line = t->cfg.line;
		st[i].full = t->cfg.full;
		snprintf(st[i].scope, sizeof(st[i].scope), "%s", t->cfg.scope);
		st[i].n = t->n;
	}
	if (watch_stats_write(path, st, set->n) && !warned) {
		fprintf(stderr, "%s: cannot write its counters to %s (%s): 'oomx metrics' will not "
			"show them; give --stats a writable FILE\n", cmd, path, strerror(errno));
		warned = true;
	}
}

static void say_state(const struct oomx_psi_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		const struct oomx_psi *t = &set->t[i];
		char src[OOMX_CFG_VALUE_LEN];
		unsigned int l;

		fprintf(stderr, "oomx watch: pressure line %u (%s %s %llums/%llums): %s",
			t->cfg.line, t->cfg.scope, t->cfg.full ? "full" : "some",
			t->cfg.stall_us / 1000, t->cfg.window_us / 1000,
			t->fd >= 0 ? "armed" : "waiting for the cgroup to appear");
		if (t->fd >= 0 && t->cfg.swap_pct) {
			/* which swap limits the rule reads: the operator can check */
			fprintf(stderr, "; swap %u%% of:", t->cfg.swap_pct);
			for (l = 0; l < t->swap.n; l++) {
				swap_source(t->cfg.scope, t->swap.up[l], src, sizeof(src));
				fprintf(stderr, " %s,", src);
			}
			fprintf(stderr, " the machine");
		}
		fputc('\n', stderr);
	}
}

static int load_config(const char *cmd, const char *path, bool dry_run, struct oomx_config *cfg)
{
	size_t i;

	if (read_config(cmd, path, cfg))
		return -1;
	for (i = 0; dry_run && i < cfg->nr_pressure; i++)
		cfg->pressure[i].dry_run = true;
	return 0;
}

/*
 * SIGHUP: the file again, armed in @spare; only if all of it parses and
 * arms does it replace @cur (a line kept as it was keeps its counters and
 * its hold after a kill). Returns the set in force.
 */
static struct oomx_psi_set *reread(const char *cmd, const char *path, bool dry_run,
				   const char *cgroot, struct oomx_psi_set *cur,
				   struct oomx_psi_set *spare)
{
	static struct oomx_config next;
	char err[512];

	if (load_config(cmd, path, dry_run, &next)) {
		fprintf(stderr, "%s: keeping the configuration in force\n", cmd);
		return cur;
	}
	psi_set_init(spare, &next, cgroot);
	if (psi_set_arm(spare, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n%s: keeping the configuration in force\n", cmd, err, cmd);
		psi_set_close(spare);
		return cur;
	}
	psi_set_carry(spare, cur);
	psi_set_close(cur);
	fprintf(stderr, "%s: %s re-read: %zu pressure line%s\n", cmd, path, spare->n,
		spare->n == 1 ? "" : "s");
	say_state(spare);
	return spare;
}

int cmd_watch(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "json", no_argument, NULL, 'j' },
		{ "cgroup-root", required_argument, NULL, 'r' },
		{ "stats", required_argument, NULL, 's' },
		{ "kernel-choice", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const char usage[] =
		"Usage: oomx watch -c FILE [--dry-run] [--kernel-choice] [--json]\n"
		"                  [--cgroup-root DIR] [--stats FILE]\n"
		"Act on memory pressure before the OOM: arm FILE's 'pressure' lines as\n"
		"PSI triggers and, when one has tripped for its duration, run the OOM\n"
		"killer for its scope (the machine, or a cgroup as a memcg OOM) with the\n"
		"loaded policy, which decides as in any OOM. Sleeps until the kernel\n"
		"reports pressure; SIGHUP re-reads FILE (a bad file changes nothing).\n"
		"  -c, --config FILE  the configuration (format: docs/oomx.md):\n"
		"                       pressure SCOPE some|full STALL WINDOW\n"
		"                                [for TIME [swap PCT%]] [dry-run]\n"
		"                     'swap PCT%': also act at a trip that finds at least\n"
		"                     PCT% of the scope's swap used, and still growing\n"
		"  --dry-run          for every line: report whom the OOM killer would\n"
		"                     kill, and kill nobody\n"
		"  --json             one JSON object per action (docs/events.md)\n"
		"  --cgroup-root DIR  the cgroup2 mount (default /sys/fs/cgroup)\n"
		"  --kernel-choice    also kill when the kernel's heuristic chose (no policy\n"
		"                     attached, or it deferred, rejected all or failed);\n"
		"                     by default only a policy's victim is killed\n"
		"  --stats FILE       where its counters go, for 'oomx metrics' (default\n"
		"                     " WATCH_STATS "; \"\" for nowhere)";
	static struct oomx_config cfg;
	static struct oomx_psi_set sets[2];
	struct oomx_psi_set *set = &sets[0];
	const char *cfg_path = NULL, *cmd = "oomx watch", *cgroot = "/sys/fs/cgroup";
	const char *stats = WATCH_STATS;
	struct trigger *skel = NULL;
	struct sigaction sa = { 0 };
	sigset_t block, old;
	bool json = false, dry_run = false, policy_only = true;
	char err[512];
	int opt, ret = 1;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:njh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			cfg_path = optarg;
			break;
		case 'n':
			dry_run = true;
			break;
		case 'j':
			json = true;
			break;
		case 'r':
			cgroot = optarg;
			break;
		case 's':
			stats = optarg[0] ? optarg : NULL;
			break;
		case 'k':
			policy_only = false;
			break;
		case 'h':
			puts(usage);
			return 0;
		default:
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc || !cfg_path) {
		fprintf(stderr, "%s: give the configuration with -c FILE, and nothing else\n%s\n",
			cmd, usage);
		return EXIT_USAGE;
	}
	/*
	 * Signals are taken only inside ppoll(), none lost between checks,
	 * and from the start: a reload while loading must not kill it.
	 */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	oomx_catch_signals();
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);

	if (load_config(cmd, cfg_path, dry_run, &cfg))
		return 1;
	if (!cfg.nr_pressure) {
		fprintf(stderr, "%s: %s has no 'pressure' line: nothing to watch\n", cmd, cfg_path);
		return 0;
	}
	skel = trigger__open_and_load();
	if (!skel) {
		fprintf(stderr, "%s: cannot load the trigger program (%s): this kernel cannot start "
			"an OOM on pressure; it needs the oom_ext series with "
			"bpf_oom_ext_trigger_oom() (run 'oomx check')\n", cmd, strerror(errno));
		return 1;
	}
	psi_set_init(set, &cfg, cgroot);
	if (psi_set_arm(set, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", cmd, err);
		goto cleanup;
	}
	oomx_stay_resident(cmd, true);
	prefault_stack();
	say_state(set);
	if (stats && !strcmp(stats, WATCH_STATS))
		mkdir("/run/oomx", 0755);
	write_stats(cmd, stats, set);

	ret = 0;
	while (!oomx_exiting) {
		struct pollfd fds[OOMX_CFG_MAX_PRESSURE + 1];
		struct oomx_psi *who[OOMX_CFG_MAX_PRESSURE];
		nfds_t n = 0, i;
		bool rearm = false;

		if (reload) {
			reload = 0;
			set = reread(cmd, cfg_path, dry_run, cgroot, set, set == &sets[0] ? &sets[1] :
				     &sets[0]);
			write_stats(cmd, stats, set);
		}
		for (i = 0; i < set->n; i++) {
			if (set->t[i].fd < 0)
				continue;
			who[n] = &set->t[i];
			fds[n].fd = set->t[i].fd;
			fds[n++].events = POLLPRI;
		}
		fds[n].fd = set->inotify_fd;
		fds[n].events = POLLIN;
		if (ppoll(fds, n + 1, NULL, &old) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "%s: poll: %s\n", cmd, strerror(errno));
			ret = 1;
			break;
		}
		for (i = 0; i < n; i++) {
			if (fds[i].revents & (POLLERR | POLLNVAL)) {
				/* the cgroup was removed: wait for it to come back */
				fprintf(stderr, "%s: pressure line %u: %s went away; waiting for it "
					"to appear again\n", cmd, who[i]->cfg.line, who[i]->cfg.scope);
				psi_disarm(set, who[i]);
				rearm = true;
			} else if (fds[i].revents & POLLPRI) {
				on_trip(skel, who[i], policy_only, json);
				write_stats(cmd, stats, set);
			}
		}
		if (rearm || fds[n].revents & POLLIN) {
			size_t armed = 0;

			for (i = 0; i < set->n; i++)
				armed += set->t[i].fd >= 0;
			if (psi_set_rearm(set, err, sizeof(err))) {
				fprintf(stderr, "%s: %s\n", cmd, err);
				ret = 1;
				break;
			}
			for (i = 0; i < set->n; i++)
				armed -= set->t[i].fd >= 0;
			if (armed)	/* wrapped: more are armed than before */
				say_state(set);
		}
	}

cleanup:
	psi_set_close(set);
	if (stats)
		unlink(stats);	/* no counters of a watcher that is gone */
	trigger__destroy(skel);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * psikill - a PSI-based OOM killer that decides as systemd-oomd does, for
 * the comparison (docs/compare.md); systemd-oomd itself needs systemd as
 * init and a D-Bus, which the test VM does not run.
 *
 * What it copies from systemd-oomd (src/oom/oomd-manager.c, oomd-util.c of
 * systemd 252; the numbers are its defaults):
 *   - every second, the "full avg10" of the monitored cgroup's
 *     memory.pressure; above --pressure-limit (60%) for --duration (30 s)
 *     in a row, it kills the candidate with the highest pgscan rate
 *     (memory.stat pgscan, its growth since the last look), then its memory
 *     usage;
 *   - every 150 ms, the machine's swap use and available memory; with swap
 *     use above --swap-limit (90%) and available memory below the rest
 *     (10%), it kills the candidate using the most swap
 *     (memory.swap.current);
 *   - candidates are the leaf cgroups below the monitored one; a kill takes
 *     the whole cgroup (cgroup.kill), then nothing is done for 15 s.
 * What it does not copy: the D-Bus, the xattr preferences, prekill hooks,
 * the "reclaim activity" check of newer versions.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_CANDIDATES		64
#define SWAP_INTERVAL_MS	150
#define PRESSURE_INTERVAL_MS	1000
#define POST_ACTION_DELAY_MS	15000

struct candidate {
	char path[PATH_MAX];
	uint64_t pgscan;	/* at the last look */
	uint64_t rate;		/* pgscan since the look before */
	uint64_t current;	/* memory.current */
	uint64_t swap;		/* memory.swap.current */
	bool populated;		/* cgroup.events: it has a process */
};

static struct candidate cands[MAX_CANDIDATES], prev[MAX_CANDIDATES];
static int ncands, nprev;
static volatile sig_atomic_t stop;

static const char usage[] =
	"Usage: psikill --cgroup DIR [--pressure-limit PCT] [--duration SEC]\n"
	"               [--swap-limit PCT]\n"
	"\n"
	"Kill the leaf cgroup below DIR that reclaims most once DIR's memory\n"
	"pressure (full avg10) stays above PCT (default 60) for SEC seconds\n"
	"(default 30), or the one with most swap once swap use is above its\n"
	"limit (default 90; 0: off). systemd-oomd's rules (docs/compare.md).\n";

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* the first number after KEY in file PATH (KEY "" for a file of one number) */
static int read_key(const char *path, const char *key, double *v)
{
	char buf[4096], *p;
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	p = *key ? strstr(buf, key) : buf;
	if (!p)
		return -1;
	*v = strtod(p + strlen(key), NULL);
	return 0;
}

static uint64_t read_u64(const char *dir, const char *file, const char *key)
{
	char path[PATH_MAX + 32];
	double v = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return read_key(path, key, &v) ? 0 : (uint64_t)v;
}

/* the leaf cgroups below @dir, into cands[] */
static void find_leaves(const char *dir)
{
	char sub[PATH_MAX];
	struct dirent *de;
	bool leaf = true;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		leaf = false;
		if (snprintf(sub, sizeof(sub), "%s/%s", dir, de->d_name) < (int)sizeof(sub))
			find_leaves(sub);
	}
	closedir(d);
	if (leaf && ncands < MAX_CANDIDATES)
		snprintf(cands[ncands++].path, PATH_MAX, "%s", dir);
}

static void look(const char *root)
{
	int i, j;

	memcpy(prev, cands, sizeof(cands[0]) * ncands);
	nprev = ncands;
	ncands = 0;
	find_leaves(root);
	for (i = 0; i < ncands; i++) {
		struct candidate *c = &cands[i];

		if (!strcmp(c->path, root))	/* the monitored cgroup is no candidate */
			continue;
		c->pgscan = read_u64(c->path, "memory.stat", "\npgscan ");
		c->current = read_u64(c->path, "memory.current", "");
		c->swap = read_u64(c->path, "memory.swap.current", "");
		c->populated = read_u64(c->path, "cgroup.events", "populated ") != 0;
		c->rate = 0;
		for (j = 0; j < nprev; j++)
			if (!strcmp(prev[j].path, c->path) && c->pgscan >= prev[j].pgscan)
				c->rate = c->pgscan - prev[j].pgscan;
	}
}

static int kill_one(const char *root, bool by_swap, const char *why)
{
	struct candidate *best = NULL;
	char path[PATH_MAX + 16];
	int i, fd;

	for (i = 0; i < ncands; i++) {
		struct candidate *c = &cands[i];

		if (!strcmp(c->path, root) || !c->populated)
			continue;
		if (!best || (by_swap ? c->swap > best->swap :
			      c->rate > best->rate ||
			      (c->rate == best->rate && c->current > best->current)))
			best = c;
	}
	if (!best)
		return -1;
	snprintf(path, sizeof(path), "%s/cgroup.kill", best->path);
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, "1", 1) != 1) {
		fprintf(stderr, "psikill: cannot kill %s: %s\n", best->path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	printf("psikill: %llu ms: killed %s: %s (pgscan rate %llu, %llu bytes, swap %llu)\n",
	       (unsigned long long)now_ms(), best->path, why, (unsigned long long)best->rate,
	       (unsigned long long)best->current, (unsigned long long)best->swap);
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cgroup", required_argument, NULL, 'c' },
		{ "pressure-limit", required_argument, NULL, 'p' },
		{ "duration", required_argument, NULL, 'd' },
		{ "swap-limit", required_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	double limit = 60, swap_limit = 90, avg10, total, freesw, memtotal, avail;
	uint64_t duration_ms = 30000, above_since = 0, next_pressure = 0, quiet_until = 0;
	char pressure[PATH_MAX + 32], why[160];
	const char *root = NULL;
	int c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			root = optarg;
			break;
		case 'p':
			limit = strtod(optarg, NULL);
			break;
		case 'd':
			duration_ms = strtoull(optarg, NULL, 10) * 1000;
			break;
		case 's':
			swap_limit = strtod(optarg, NULL);
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (!root || optind != argc || limit <= 0 || limit > 100) {
		fputs(usage, stderr);
		return 2;
	}
	snprintf(pressure, sizeof(pressure), "%s/memory.pressure", root);
	if (read_key(pressure, "full avg10=", &avg10)) {
		fprintf(stderr, "psikill: cannot read %s\n", pressure);
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	printf("psikill: watching %s: full avg10 > %g%% for %llu s, swap > %g%%\n", root, limit,
	       (unsigned long long)duration_ms / 1000, swap_limit);
	fflush(stdout);

	while (!stop) {
		struct timespec tick = { 0, (swap_limit > 0 ? SWAP_INTERVAL_MS :
					     PRESSURE_INTERVAL_MS) * 1000000L };
		uint64_t t = now_ms();

		nanosleep(&tick, NULL);
		if (t < quiet_until)
			continue;
		if (swap_limit > 0 && !read_key("/proc/meminfo", "SwapTotal:", &total) && total > 0 &&
		    !read_key("/proc/meminfo", "SwapFree:", &freesw) &&
		    !read_key("/proc/meminfo", "MemTotal:", &memtotal) && memtotal > 0 &&
		    !read_key("/proc/meminfo", "MemAvailable:", &avail) &&
		    (total - freesw) * 100 / total > swap_limit &&
		    avail * 100 / memtotal < 100 - swap_limit) {
			look(root);
			snprintf(why, sizeof(why), "swap used %.0f%% > %g%%",
				 (total - freesw) * 100 / total, swap_limit);
			if (!kill_one(root, true, why)) {
				quiet_until = t + POST_ACTION_DELAY_MS;
				continue;
			}
		}
		if (t < next_pressure)
			continue;
		next_pressure = t + PRESSURE_INTERVAL_MS;
		look(root);	/* every second, for the pgscan rates */
		if (read_key(pressure, "full avg10=", &avg10) || avg10 <= limit) {
			above_since = 0;
			continue;
		}
		if (!above_since)
			above_since = t;
		if (t - above_since < duration_ms)
			continue;
		snprintf(why, sizeof(why), "memory pressure full avg10 %.2f%% > %g%% for %llu s", avg10,
			 limit, (unsigned long long)(t - above_since) / 1000);
		if (!kill_one(root, false, why)) {
			quiet_until = t + POST_ACTION_DELAY_MS;
			above_since = 0;
		}
	}
	return 0;
}

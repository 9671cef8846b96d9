// SPDX-License-Identifier: GPL-2.0
/*
 * pressure_test - host unit test of user/pressure.c's decisions: reading a
 * PSI file, when a trip acts (the stall averaged over the duration, quiet
 * spells, the hold after an action, the readings kept) and what it
 * measured. Prints "ok: ..." per check; exit 1 on the first failure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "pressure.h"

#define MS	1000000ULL	/* ns */

static int failed;

static void check(int cond, const char *what)
{
	printf("%s: %s\n", cond ? "ok" : "FAIL", what);
	if (!cond)
		failed = 1;
}

static void trigger(struct oomx_psi *t, unsigned long long window_ms, unsigned long long for_ms)
{
	memset(t, 0, sizeof(*t));
	t->cfg.window_us = window_ms * 1000;
	t->cfg.stall_us = window_ms * 100;
	t->cfg.for_us = for_ms * 1000;
	t->fd = -1;
}

/* a trip at @ms with the file's total at @total_ms of stall and avg10 */
static enum oomx_psi_step step(struct oomx_psi *t, unsigned long long ms,
			       unsigned long long total_ms, unsigned int avg10,
			       struct oomx_psi_sample *s)
{
	struct oomx_psi_trip trip = {
		.ns = ms * MS, .total_us = total_ms * 1000, .avg10_x100 = avg10, .read = true,
	};

	return psi_step(t, &trip, s);
}

static struct oomx_psi_sample s_swap;

/* a trip at @ms, @total_ms of stall, with @used_x100 of swap used and the scope's @bytes */
static enum oomx_psi_step swap_trip(struct oomx_psi *t, unsigned long long ms,
				    unsigned long long total_ms, int used_x100, uint64_t bytes)
{
	struct oomx_psi_trip trip = {
		.ns = ms * MS, .total_us = total_ms * 1000, .read = true,
		.swap = { .used_x100 = used_x100, .source = OOMX_SWAP_MACHINE,
			  .scope_read = true, .scope_bytes = bytes },
	};

	return psi_step(t, &trip, &s_swap);
}

static enum oomx_psi_step step_unread(struct oomx_psi *t, unsigned long long ms,
				      struct oomx_psi_sample *s)
{
	struct oomx_psi_trip trip = { .ns = ms * MS };

	return psi_step(t, &trip, s);
}

int main(void)
{
	static const char psi[] =
		"some avg10=12.34 avg60=1.00 avg300=0.25 total=987654\n"
		"full avg10=0.05 avg60=0.00 avg300=0.00 total=4321\n";
	static struct oomx_psi_set from, to;
	enum oomx_psi_step ret;
	struct oomx_psi_sample s;
	struct oomx_psi t;
	unsigned int i, n;
	uint64_t total = 0;
	unsigned int avg10 = 0;

	check(!psi_parse(psi, false, &total, &avg10) && total == 987654 && avg10 == 1234,
	      "psi_parse: the some line's total and avg10");
	check(!psi_parse(psi, true, &total, &avg10) && total == 4321 && avg10 == 5,
	      "psi_parse: the full line's total and avg10");
	check(psi_parse("some avg10=1.00 avg60=1.00 avg300=1.00 total=1\n", true, &total, &avg10),
	      "psi_parse: no full line (the root cgroup's cpu file) is an error");
	check(psi_parse("some avg10=x\n", false, &total, &avg10), "psi_parse: garbage is an error");

	/* no duration: every trip acts, on the stall since the last trip */
	trigger(&t, 1000, 0);
	check(step(&t, 5000, 500, 1234, &s) == OOMX_PSI_ACT && s.measure == OOMX_PSI_AVG10 &&
	      s.measured_us == 10000000 && s.stall_us == 1234000,
	      "for 0: the first trip acts, on avg10 (12.34% of 10 s = 1234 ms)");
	psi_acted(&t, 5000 * MS, 0, false);
	check(t.n.kills == 1, "a kill is counted");
	check(step(&t, 5500, 600, 0, &s) == OOMX_PSI_IGNORE,
	      "a trip within a window of the kill is ignored");
	check(step(&t, 6100, 800, 0, &s) == OOMX_PSI_ACT && s.measure == OOMX_PSI_WINDOW &&
	      s.stall_us == 300000 && s.measured_us == 1100000 && s.lasted_us == 0,
	      "a trip after the hold acts again, on 300 ms since the kill's trip (not the held one)");
	check(step(&t, 9200, 900, 500, &s) == OOMX_PSI_ACT && s.measure == OOMX_PSI_AVG10 &&
	      s.stall_us == 500000, "a trip 3 windows after the last: avg10");
	check(step_unread(&t, 9300, &s) == OOMX_PSI_ACT && s.measure == OOMX_PSI_NONE &&
	      !s.stall_us && !s.measured_us && s.lasted_us == 100000,
	      "an unreadable file does not stop a line without a duration; it measured nothing");

	/* a duration: the stall averaged over it must reach the line's 10% */
	trigger(&t, 1000, 3000);
	check(step(&t, 10000, 0, 0, &s) == OOMX_PSI_WAIT, "for 3s: the first trip waits");
	check(step(&t, 11000, 300, 0, &s) == OOMX_PSI_WAIT, "1 s later: waits");
	check(step(&t, 12100, 630, 0, &s) == OOMX_PSI_WAIT, "2.1 s: waits");
	check(step(&t, 13050, 915, 0, &s) == OOMX_PSI_ACT && s.measure == OOMX_PSI_DURATION &&
	      s.stall_us == 915000 && s.measured_us == 3050000 && s.lasted_us == 3050000,
	      "3.05 s: acts on 915 ms of stall over the 3050 ms since the first trip");
	psi_acted(&t, 13050 * MS, -EAGAIN, false);
	check(t.n.retries == 1 && t.nr == 4,
	      "a victim still exiting: the episode goes on, counted as a retry");
	check(step(&t, 14050, 1215, 0, &s) == OOMX_PSI_ACT && s.measured_us == 3050000 &&
	      s.stall_us == 915000 && s.lasted_us == 4050000,
	      "the next trip tries again, over the 3.05 s since 11 s; the episode lasted 4.05 s");
	psi_acted(&t, 14050 * MS, -EBUSY, false);
	check(step(&t, 15050, 1515, 0, &s) == OOMX_PSI_ACT, "after another OOM held oom_lock, too");
	psi_acted(&t, 15050 * MS, -ESRCH, false);
	check(t.n.nothing == 1 && !t.nr, "nothing killable: the episode ends");
	check(step(&t, 16100, 1815, 0, &s) == OOMX_PSI_WAIT, "a new episode needs the duration again");

	/* what the old rule (trips in consecutive windows) missed: a leak's stall comes and goes */
	trigger(&t, 1000, 3000);
	step(&t, 20000, 0, 0, &s);
	step(&t, 21000, 400, 0, &s);
	check(step(&t, 24000, 900, 0, &s) == OOMX_PSI_ACT && s.stall_us == 500000 &&
	      s.measured_us == 3000000,
	      "3 quiet seconds inside the episode count as no stall: 500 ms in 3 s (17%) acts");
	trigger(&t, 1000, 5000);
	step(&t, 1000, 900, 0, &s);
	step(&t, 2000, 1800, 0, &s);
	check(step(&t, 6000, 1900, 0, &s) == OOMX_PSI_ACT && s.stall_us == 1000000 &&
	      s.measured_us == 5000000,
	      "for 5s (docs/pressure.md): 0.9 s of stall, 4 s quiet (not longer than DURATION), "
	      "one trip: 20% over 5 s acts");
	trigger(&t, 1000, 5000);
	step(&t, 1000, 0, 0, &s);
	step(&t, 2000, 300, 0, &s);
	step(&t, 3000, 600, 0, &s);
	check(step(&t, 8800, 1175, 0, &s) == OOMX_PSI_WAIT && t.start_ns == 1000 * MS &&
	      s.stall_us == 575000 && s.measured_us == 5800000,
	      "a 5.8 s gap that kept 9.9% of stall (a recorded leak's) is no quiet spell; 9.9% waits");
	check(step(&t, 9800, 1475, 0, &s) == OOMX_PSI_ACT && s.lasted_us == 8800000 &&
	      s.stall_us == 875000 && s.measured_us == 6800000,
	      "... and the next trip acts, on 12.9% since 3 s, 8.8 s into the episode");
	trigger(&t, 1000, 3000);
	step(&t, 30000, 0, 0, &s);
	step(&t, 32500, 100, 0, &s);
	check(step(&t, 33500, 1100, 0, &s) == OOMX_PSI_ACT && s.lasted_us == 3500000 &&
	      s.stall_us == 1100000 && s.measured_us == 3500000,
	      "for 3s: a lone trip, 2.5 s at 4%, then 100% stall: one episode, 31% over 3.5 s acts");
	trigger(&t, 1000, 3000);
	step(&t, 30000, 0, 0, &s);
	step(&t, 33500, 100, 0, &s);
	check(step(&t, 34500, 1100, 0, &s) == OOMX_PSI_WAIT && s.lasted_us == 1000000,
	      "... but 3.5 s at 2.9% (longer than DURATION, under half the rate) ends it: waits");
	trigger(&t, 1000, 3000);
	step(&t, 30000, 0, 0, &s);
	step(&t, 32000, 100, 0, &s);
	check(step(&t, 33500, 200, 0, &s) == OOMX_PSI_WAIT && s.measure == OOMX_PSI_DURATION &&
	      s.stall_us == 200000, "200 ms in 3.5 s (5.7%) is below the line's 10%: waits");
	check(step(&t, 60000, 300, 0, &s) == OOMX_PSI_WAIT && t.start_ns == 60000 * MS &&
	      t.nr == 1 && !s.lasted_us,
	      "a quiet spell longer than DURATION ends the episode: pressure again starts one");
	step(&t, 61000, 600, 0, &s);
	step(&t, 62000, 900, 0, &s);
	check(step(&t, 63000, 1200, 0, &s) == OOMX_PSI_ACT && s.measured_us == 3000000,
	      "... until it has lasted the duration on its own: 900 ms in 3 s");
	trigger(&t, 1000, 3000);
	step(&t, 30000, 0, 0, &s);
	step(&t, 34000, 100, 0, &s);
	check(step(&t, 35000, 1100, 0, &s) == OOMX_PSI_WAIT && s.lasted_us == 1000000,
	      "a trip 4 s after an old one, then 1 s of stall: the episode began at 34 s, waits");
	trigger(&t, 1000, 3000);
	step(&t, 70000, 5000, 0, &s);
	check(step(&t, 71000, 100, 0, &s) == OOMX_PSI_WAIT && t.nr == 1 && t.r[0].total_us == 100000,
	      "a total that went back (another file): the readings start over");
	check(step_unread(&t, 72000, &s) == OOMX_PSI_WAIT && t.nr == 1,
	      "an unreadable file: a line with a duration cannot judge, waits");
	trigger(&t, 1000, 3000);
	step(&t, 80000, 0, 0, &s);
	psi_acted(&t, 80000 * MS, -ENOLINK, false);
	check(step(&t, 80500, 50, 0, &s) == OOMX_PSI_IGNORE && !t.nr && !t.start_ns,
	      "a trip held after a refusal is not part of the next episode");
	trigger(&t, 1000, 3000);
	t.cfg.dry_run = true;
	for (i = 0; i <= 3; i++)
		ret = step(&t, 90000 + i * 1000, i * 500, 0, &s);
	psi_acted(&t, 93000 * MS, 0, false);
	check(ret == OOMX_PSI_ACT && t.n.dry_runs == 1 && !t.nr && !t.start_ns,
	      "a dry run ends a line's episode, as a kill does");
	check(step(&t, 94100, 2000, 0, &s) == OOMX_PSI_WAIT && !s.lasted_us,
	      "... so it reports again only after DURATION more");

	/* a long duration keeps a bounded number of readings, and acts on time */
	trigger(&t, 500, 60000);
	for (i = 0, ret = OOMX_PSI_WAIT; ret == OOMX_PSI_WAIT && i < 400; i++) {
		if (t.nr >= OOMX_PSI_READINGS)
			break;
		ret = step(&t, 100000 + i * 500, i * 100, 0, &s);
	}
	check(ret == OOMX_PSI_ACT && i == 121 && s.measured_us == 60000000 && s.stall_us == 12000000,
	      "for 60s, trips every 0.5 s at 20%: the 121st trip acts, on 12 s over 60 s");
	for (n = 0; ret == OOMX_PSI_ACT && n < 1000; n++) {
		if (t.nr >= OOMX_PSI_READINGS)
			break;
		ret = step(&t, 100000 + i * 500, i * 100, 0, &s);
		i++;
		if (s.measured_us < 60000000 ||
		    s.measured_us > 60000000 + 60000000 / (OOMX_PSI_READINGS - 2) + 500000)
			break;
	}
	check(n == 1000, "1000 trips more: at most 15 readings kept between trips, each act over "
	      "60 s to 64.8 s");

	/* one cgroup level's swap files */
	{
		uint64_t b = 0;
		int sh = -1;

		check(swap_level_parse("16777216\n", "33554432\n", &b, &sh) == 1 && sh == 5000 &&
		      b == 16777216, "a level: 16 MiB of a 32 MiB memory.swap.max is 50.00%");
		check(swap_level_parse("40000000\n", "33554432\n", &b, &sh) == 1 && sh == 10000,
		      "a level over its limit (it was lowered) is 100%");
		check(swap_level_parse("4096\n", "max\n", &b, &sh) == 0 && b == 4096,
		      "a level without a limit: its use, no share");
		check(swap_level_parse("0\n", "0\n", &b, &sh) == -1,
		      "a limit of 0: the cgroup may not swap at all");
		check(swap_level_parse("12x\n", "100\n", &b, &sh) == -2 &&
		      swap_level_parse("12\n", "10 0\n", &b, &sh) == -2,
		      "malformed text is -2");
	}
	/* the levels read: the scope and its ancestors below the cgroup root */
	{
		static const char *const dirs[] = { "", "/a", "/a/b", "/a/b/c" };
		char root[] = "/tmp/pressure_test.XXXXXX", path[256], err[256];
		struct oomx_swap_files f;
		size_t k;
		int ok = 1;

		ok = mkdtemp(root) != NULL;
		for (k = 0; ok && k < 4; k++) {
			snprintf(path, sizeof(path), "%s%s", root, dirs[k]);
			ok = (k == 0 || !mkdir(path, 0700));
			/* the root and /a/b have no swap files (no memory controller) */
			if (ok && k != 0 && k != 2) {
				FILE *c, *m;

				snprintf(path, sizeof(path), "%s%s/memory.swap.current", root, dirs[k]);
				c = fopen(path, "w");
				snprintf(path, sizeof(path), "%s%s/memory.swap.max", root, dirs[k]);
				m = fopen(path, "w");
				ok = c && m && fputs("0\n", c) >= 0 && fputs("max\n", m) >= 0;
				if (c)
					fclose(c);
				if (m)
					fclose(m);
			}
		}
		snprintf(path, sizeof(path), "%s/a/b/c", root);
		check(ok && !swap_open(&f, root, path, err, sizeof(err)) && f.n == 2 &&
		      f.up[0] == 0 && f.up[1] == 2,
		      "swap_open: the scope /a/b/c and /a, two levels up; /a/b has no files, "
		      "the root is not read");
		swap_close(&f);
		check(f.n == 0, "swap_close empties the set");
		check(!swap_open(&f, root, NULL, err, sizeof(err)) && f.n == 0,
		      "the machine's scope opens no file");
		for (k = 4; k-- > 0;) {
			static const char *const files[] = { "memory.swap.current", "memory.swap.max" };
			size_t m;

			for (m = 0; m < 2; m++) {
				snprintf(path, sizeof(path), "%s%s/%s", root, dirs[k], files[m]);
				unlink(path);
			}
			snprintf(path, sizeof(path), "%s%s", root, dirs[k]);
			rmdir(path);
		}
	}

	/*
	 * "swap 90%": a trip acts before the duration once swap is that full and
	 * the scope's own swap use grew since the episode's last trip
	 */
	trigger(&t, 1000, 12000);
	t.cfg.swap_pct = 90;
	ret = swap_trip(&t, 1000, 0, 9500, 100);
	check(ret == OOMX_PSI_WAIT && !s_swap.by_swap && s_swap.swap.used_x100 == 9500,
	      "swap 90%: the episode's first trip, at 95%, waits: no growth seen yet");
	ret = swap_trip(&t, 2000, 150, 8999, 200);
	check(ret == OOMX_PSI_WAIT && !s_swap.by_swap && s_swap.swap_grew == 100,
	      "... a trip at 89.99% waits, though the scope's swap grew");
	ret = swap_trip(&t, 3000, 300, 9000, 300);
	check(ret == OOMX_PSI_ACT && s_swap.by_swap && s_swap.swap_grew == 100 &&
	      s_swap.measure == OOMX_PSI_WINDOW && s_swap.stall_us == 150000 &&
	      s_swap.measured_us == 1000000 && s_swap.lasted_us == 2000000,
	      "... at 90.00%, grown, it acts 2 s into a 12 s line, on the stall since the last trip");
	psi_acted(&t, 3000 * MS, 0, s_swap.by_swap);
	check(swap_trip(&t, 3500, 350, 9900, 400) == OOMX_PSI_IGNORE,
	      "... the action holds for a window");
	swap_trip(&t, 4100, 500, 9900, 500);
	ret = swap_trip(&t, 5100, 700, 9950, 600);
	check(ret == OOMX_PSI_WAIT && !s_swap.by_swap && s_swap.swap_grew == 100,
	      "... then swap still above 90% and growing does not act again: the rule is spent");
	swap_trip(&t, 6100, 900, 8000, 500);
	ret = swap_trip(&t, 7100, 1000, 9100, 700);
	check(ret == OOMX_PSI_ACT && s_swap.by_swap,
	      "... a trip below 90% re-arms it: the next above 90%, grown, acts");
	psi_acted(&t, 7100 * MS, -EAGAIN, s_swap.by_swap);
	ret = swap_trip(&t, 8100, 1100, 9200, 800);
	check(ret == OOMX_PSI_ACT && s_swap.by_swap,
	      "... a retry (victim still exiting) does not spend it");

	trigger(&t, 1000, 12000);
	t.cfg.swap_pct = 90;
	swap_trip(&t, 1000, 0, 9900, 500);
	ret = swap_trip(&t, 2000, 150, 9900, 500);
	check(ret == OOMX_PSI_WAIT && !s_swap.by_swap && !s_swap.swap_grew,
	      "swap full but the scope's use unchanged (cold memory, another cgroup's) waits");
	ret = swap_trip(&t, 3000, 300, -1, 600);
	check(ret == OOMX_PSI_WAIT && !s_swap.by_swap,
	      "no share (no swap, a limit of 0, unread) never acts");
	swap_trip(&t, 20000, 300, 9900, 700);
	ret = swap_trip(&t, 21000, 450, 9900, 800);
	check(ret == OOMX_PSI_ACT && s_swap.by_swap && s_swap.lasted_us == 1000000,
	      "after a quiet spell, growth counts from the new episode's first trip");

	trigger(&t, 1000, 12000);
	t.cfg.swap_pct = 90;
	{
		struct oomx_psi_trip trip = {
			.ns = 1000 * MS, .read = false,
			.swap = { .used_x100 = 10000, .source = 0, .scope_read = true,
				  .scope_bytes = 1 },
		};

		psi_step(&t, &trip, &s_swap);
		trip.ns = 2000 * MS;
		trip.swap.scope_bytes = 2;
		check(psi_step(&t, &trip, &s_swap) == OOMX_PSI_ACT && s_swap.by_swap &&
		      s_swap.measure == OOMX_PSI_NONE,
		      "swap full and growing with the PSI file unread acts, measuring no stall");
	}
	trigger(&t, 1000, 12000);
	check(swap_trip(&t, 1000, 0, 10000, 1) == OOMX_PSI_WAIT &&
	      swap_trip(&t, 2000, 100, 10000, 2) == OOMX_PSI_WAIT && s_swap.swap.used_x100 == -1,
	      "a line without 'swap' ignores swap, and reports none");

	/* dry runs are counted apart, and hold like a kill */
	trigger(&t, 1000, 0);
	t.cfg.dry_run = true;
	step(&t, 30000, 0, 0, &s);
	psi_acted(&t, 30000 * MS, 0, false);
	check(t.n.dry_runs == 1 && !t.n.kills, "a dry run is counted as one, not as a kill");

	/* a line kept over a re-read keeps its episode, if its cgroup is the same */
	memset(&from, 0, sizeof(from));
	from.n = 1;
	trigger(&from.t[0], 1000, 3000);
	from.t[0].fd = 3;
	from.t[0].memcg_id = 42;
	step(&from.t[0], 1000, 0, 0, &s);
	step(&from.t[0], 2000, 300, 0, &s);
	memset(&to, 0, sizeof(to));
	to.n = 1;
	trigger(&to.t[0], 1000, 3000);
	to.t[0].fd = 4;
	to.t[0].memcg_id = 42;
	psi_set_carry(&to, &from);
	check(to.t[0].nr == 2 && to.t[0].n.trips == 2 &&
	      step(&to.t[0], 4000, 900, 0, &s) == OOMX_PSI_ACT,
	      "a re-read keeps a line's episode: it acts 3 s after the first trip");
	trigger(&to.t[0], 1000, 3000);
	to.t[0].fd = 4;
	to.t[0].memcg_id = 43;
	psi_set_carry(&to, &from);
	check(!to.t[0].nr && !to.t[0].start_ns && to.t[0].n.trips == 2,
	      "the cgroup made again before the re-read: counters kept, the episode not");
	trigger(&to.t[0], 1000, 4000);
	to.t[0].fd = 4;
	to.t[0].memcg_id = 42;
	psi_set_carry(&to, &from);
	check(!to.t[0].nr && !to.t[0].n.trips, "a changed line starts afresh");

	/* ...and a swap line keeps its swap state: a spent rule stays spent */
	trigger(&from.t[0], 1000, 12000);
	from.t[0].cfg.swap_pct = 90;
	from.t[0].fd = 3;
	from.t[0].memcg_id = 42;
	swap_trip(&from.t[0], 1000, 0, 9500, 100);
	swap_trip(&from.t[0], 2000, 100, 9500, 200);
	psi_acted(&from.t[0], 2000 * MS, 0, s_swap.by_swap);
	swap_trip(&from.t[0], 3100, 200, 9600, 300);
	trigger(&to.t[0], 1000, 12000);
	to.t[0].cfg.swap_pct = 90;
	to.t[0].fd = 4;
	to.t[0].memcg_id = 42;
	psi_set_carry(&to, &from);
	check(to.t[0].swap_spent && to.t[0].swap_prev_read && to.t[0].swap_prev_bytes == 300 &&
	      swap_trip(&to.t[0], 4100, 300, 9700, 400) == OOMX_PSI_WAIT,
	      "a re-read keeps a swap line's spent rule and its last reading");
	to.t[0].cfg.swap_pct = 95;
	trigger(&to.t[0], 1000, 12000);
	to.t[0].cfg.swap_pct = 95;
	to.t[0].fd = 4;
	to.t[0].memcg_id = 42;
	psi_set_carry(&to, &from);
	check(!to.t[0].swap_spent && !to.t[0].n.trips, "a changed swap share starts afresh");
	return failed;
}

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
	psi_acted(&t, 5000 * MS, 0);
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
	psi_acted(&t, 13050 * MS, -EAGAIN);
	check(t.n.retries == 1 && t.nr == 4,
	      "a victim still exiting: the episode goes on, counted as a retry");
	check(step(&t, 14050, 1215, 0, &s) == OOMX_PSI_ACT && s.measured_us == 3050000 &&
	      s.stall_us == 915000 && s.lasted_us == 4050000,
	      "the next trip tries again, over the 3.05 s since 11 s; the episode lasted 4.05 s");
	psi_acted(&t, 14050 * MS, -EBUSY);
	check(step(&t, 15050, 1515, 0, &s) == OOMX_PSI_ACT, "after another OOM held oom_lock, too");
	psi_acted(&t, 15050 * MS, -ESRCH);
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
	psi_acted(&t, 80000 * MS, -ENOLINK);
	check(step(&t, 80500, 50, 0, &s) == OOMX_PSI_IGNORE && !t.nr && !t.start_ns,
	      "a trip held after a refusal is not part of the next episode");
	trigger(&t, 1000, 3000);
	t.cfg.dry_run = true;
	for (i = 0; i <= 3; i++)
		ret = step(&t, 90000 + i * 1000, i * 500, 0, &s);
	psi_acted(&t, 93000 * MS, 0);
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

	/* swap used: the machine's, a cgroup's share of its limit */
	check(swap_parse_meminfo("MemTotal: 1000 kB\nSwapCached: 5 kB\nSwapTotal: 262140 kB\n"
				 "SwapFree: 26214 kB\n") == 9000,
	      "meminfo: 235926 of 262140 kB swap used is 90.00%");
	check(swap_parse_meminfo("MemTotal: 1000 kB\nSwapTotal: 0 kB\nSwapFree: 0 kB\n") == -1,
	      "meminfo: no swap is -1, never 'full'");
	check(swap_parse_meminfo("MemTotal: 1000 kB\nSwapFree: 10 kB\n") == -1,
	      "meminfo without SwapTotal is -1");
	check(swap_parse_meminfo("SwapTotal: 100 kB\nSwapFree: 100 kB\n") == 0,
	      "meminfo: all swap free is 0%");
	check(swap_parse_cgroup("16777216\n", "33554432\n") == 5000,
	      "cgroup: 16 MiB of a 32 MiB memory.swap.max is 50.00%");
	check(swap_parse_cgroup("40000000\n", "33554432\n") == 10000,
	      "cgroup: more than the limit (it was lowered) is 100%");
	check(swap_parse_cgroup("0\n", "max\n") == -1 && swap_parse_cgroup("0\n", "0\n") == -1,
	      "cgroup: a limit of 'max' or 0 is -1: the machine's swap decides");
	check(swap_parse_cgroup("12x\n", "100\n") == -1, "cgroup: malformed text is -1");

	/* "swap PCT%": a trip with that much swap used acts before the duration */
	trigger(&t, 1000, 12000);
	t.cfg.swap_pct = 90;
	{
		struct oomx_psi_trip trip = {
			.ns = 1000 * MS, .total_us = 0, .read = true, .swap_x100 = 8999,
		};

		ret = psi_step(&t, &trip, &s);
		check(ret == OOMX_PSI_WAIT && !s.by_swap && s.swap_x100 == 8999,
		      "swap 90%: a trip at 89.99% waits, and reports the share");
		trip.ns = 2000 * MS;
		trip.total_us = 150000;
		trip.swap_x100 = 9000;
		ret = psi_step(&t, &trip, &s);
		check(ret == OOMX_PSI_ACT && s.by_swap && s.swap_x100 == 9000 &&
		      s.measure == OOMX_PSI_WINDOW && s.stall_us == 150000 &&
		      s.measured_us == 1000000 && s.lasted_us == 1000000,
		      "... at 90.00% it acts 1 s into a 12 s line, on the stall since the last trip");
		psi_acted(&t, 2000 * MS, 0);
		trip.ns = 2500 * MS;
		check(psi_step(&t, &trip, &s) == OOMX_PSI_IGNORE,
		      "... and swap holds like any action: a trip in the next window is ignored");
		trip.ns = 3100 * MS;
		trip.swap_x100 = -1;
		check(psi_step(&t, &trip, &s) == OOMX_PSI_WAIT && !s.by_swap,
		      "... swap unread (-1) never acts");
		trip.ns = 4100 * MS;
		trip.swap_x100 = 10000;
		trip.read = false;
		check(psi_step(&t, &trip, &s) == OOMX_PSI_ACT && s.by_swap &&
		      s.measure == OOMX_PSI_NONE,
		      "... swap full with the PSI file unread still acts, measuring nothing");
	}
	trigger(&t, 1000, 12000);
	{
		struct oomx_psi_trip trip = {
			.ns = 1000 * MS, .read = true, .swap_x100 = 10000,
		};

		check(psi_step(&t, &trip, &s) == OOMX_PSI_WAIT && !s.by_swap && s.swap_x100 == 0,
		      "a line without 'swap' ignores swap, and reports none");
	}

	/* dry runs are counted apart, and hold like a kill */
	trigger(&t, 1000, 0);
	t.cfg.dry_run = true;
	step(&t, 30000, 0, 0, &s);
	psi_acted(&t, 30000 * MS, 0);
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
	return failed;
}

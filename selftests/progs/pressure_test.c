// SPDX-License-Identifier: GPL-2.0
/*
 * pressure_test - host unit test of user/pressure.c's decisions: reading a
 * PSI file, when a trip acts (the duration, gaps, the hold after an action)
 * and what a trip measured. Prints "ok: ..." per check; exit 1 on the first
 * failure.
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

int main(void)
{
	static const char psi[] =
		"some avg10=12.34 avg60=1.00 avg300=0.25 total=987654\n"
		"full avg10=0.05 avg60=0.00 avg300=0.00 total=4321\n";
	struct oomx_psi_sample s;
	struct oomx_psi t;
	uint64_t total = 0;
	unsigned int avg10 = 0;

	check(!psi_parse(psi, false, &total, &avg10) && total == 987654 && avg10 == 1234,
	      "psi_parse: the some line's total and avg10");
	check(!psi_parse(psi, true, &total, &avg10) && total == 4321 && avg10 == 5,
	      "psi_parse: the full line's total and avg10");
	check(psi_parse("some avg10=1.00 avg60=1.00 avg300=1.00 total=1\n", true, &total, &avg10),
	      "psi_parse: no full line (the root cgroup's cpu file) is an error");
	check(psi_parse("some avg10=x\n", false, &total, &avg10), "psi_parse: garbage is an error");

	/* no duration: the first trip acts */
	trigger(&t, 1000, 0);
	check(psi_step(&t, 5000 * MS) == OOMX_PSI_ACT, "for 0: the first trip acts");
	psi_acted(&t, 5000 * MS, 0);
	check(t.n.kills == 1, "a kill is counted");
	check(psi_step(&t, 5500 * MS) == OOMX_PSI_IGNORE, "a trip within a window of the kill is ignored");
	check(psi_step(&t, 6100 * MS) == OOMX_PSI_ACT, "a trip after the hold acts again");

	/* a duration: consecutive trips, at most a window and a half apart */
	trigger(&t, 1000, 3000);
	check(psi_step(&t, 10000 * MS) == OOMX_PSI_WAIT, "for 3s: the first trip waits");
	check(psi_step(&t, 11000 * MS) == OOMX_PSI_WAIT, "1 s later: waits");
	check(psi_step(&t, 12100 * MS) == OOMX_PSI_WAIT, "2.1 s: waits");
	check(psi_step(&t, 13050 * MS) == OOMX_PSI_ACT, "3.05 s: acts");
	psi_acted(&t, 13050 * MS, -EAGAIN);
	check(t.n.retries == 1 && t.start_ns == 10000 * MS,
	      "a victim still exiting: the episode goes on, counted as a retry");
	check(psi_step(&t, 14050 * MS) == OOMX_PSI_ACT, "the next trip tries again");
	psi_acted(&t, 14050 * MS, -EBUSY);
	check(psi_step(&t, 15050 * MS) == OOMX_PSI_ACT, "after another OOM held oom_lock, too");
	psi_acted(&t, 15050 * MS, -ESRCH);
	check(t.n.nothing == 1 && !t.start_ns, "nothing killable: the episode ends");
	check(psi_step(&t, 16100 * MS) == OOMX_PSI_WAIT, "a new episode needs the duration again");

	trigger(&t, 1000, 3000);
	psi_step(&t, 20000 * MS);
	psi_step(&t, 21000 * MS);
	check(psi_step(&t, 22600 * MS) == OOMX_PSI_WAIT && t.start_ns == 22600 * MS,
	      "a gap of 1.6 windows: the pressure stopped, the episode starts again");

	/* dry runs are counted apart, and hold like a kill */
	trigger(&t, 1000, 0);
	t.cfg.dry_run = true;
	psi_step(&t, 30000 * MS);
	psi_acted(&t, 30000 * MS, 0);
	check(t.n.dry_runs == 1 && !t.n.kills, "a dry run is counted as one, not as a kill");

	/* measurements */
	trigger(&t, 1000, 0);
	psi_sample(&t, 40000 * MS, 500000, 1234, &s);
	check(!s.windowed && s.measured_us == 10000000 && s.stall_us == 1234000,
	      "no earlier reading: avg10 (12.34% of 10 s = 1234 ms)");
	psi_sample(&t, 41000 * MS, 800000, 2000, &s);
	check(s.windowed && s.stall_us == 300000 && s.measured_us == 1000000,
	      "a reading 1 s earlier: 300 ms of stall in 1000 ms");
	psi_sample(&t, 44000 * MS, 900000, 500, &s);
	check(!s.windowed && s.stall_us == 500000, "a reading 3 windows old is stale: avg10");
	return failed;
}

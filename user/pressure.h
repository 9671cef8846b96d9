/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory pressure triggers: the "pressure" lines of a configuration, armed
 * as the kernel's PSI triggers (Documentation/accounting/psi.rst). A PSI
 * trigger wakes its poller only when the stall time within its window
 * reaches the threshold, so a watcher with no pressure sleeps: no periodic
 * wakeup, no reading of files. A trip that lasted the line's duration
 * starts the OOM killer for its scope (bpf/trigger.bpf.c).
 *
 * A trigger on a cgroup that does not exist yet, or that was removed (a
 * service restarted), waits for it with inotify on the nearest ancestor
 * that exists, and is armed again when it appears.
 */
#ifndef __OOMX_PRESSURE_H
#define __OOMX_PRESSURE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include "config.h"

/* what a pressure line did, since the watcher started ("oomx metrics") */
struct oomx_psi_counts {
	unsigned long long trips;	/* the kernel raised the trigger */
	unsigned long long kills;
	unsigned long long dry_runs;	/* victims chosen and spared */
	unsigned long long retries;	/* a victim still exiting, or another OOM */
	unsigned long long nothing;	/* nothing killable */
	unsigned long long errors;	/* refused, no policy among them */
};

struct oomx_psi {
	struct oomx_pressure cfg;
	unsigned int id;		/* the trigger id the kernel reports: its line */
	int fd;				/* the PSI file, trigger written; -1 if absent */
	uint64_t memcg_id;		/* the cgroup's id; 0 for the machine */
	uint64_t start_ns;		/* the episode's first trip, 0 if none */
	uint64_t last_ns;		/* its last trip */
	uint64_t hold_ns;		/* trips before this are ignored (after an action) */
	uint64_t prev_total_us;		/* the last reading of the stall total */
	uint64_t prev_ns;		/* ... and when, 0 if none */
	struct oomx_psi_counts n;
};

/* what a measurement says: stall_us of stall over measured_us */
struct oomx_psi_sample {
	uint64_t stall_us;
	uint64_t measured_us;
	unsigned int avg10_x100;	/* the kernel's 10 s average, percent * 100 */
	bool windowed;			/* over the last trip's interval, not avg10 */
};

enum oomx_psi_step {
	OOMX_PSI_IGNORE,	/* held after an action */
	OOMX_PSI_WAIT,		/* tripped, but not yet for the duration */
	OOMX_PSI_ACT,		/* start the OOM killer */
};

struct oomx_psi_set {
	size_t n;
	struct oomx_psi t[OOMX_CFG_MAX_PRESSURE];
	int inotify_fd;
	char cgroot[PATH_MAX];
};

/*
 * psi_parse: from a PSI file's text ("some avg10=A avg60=B avg300=C
 * total=N" and a "full" line), the total stall and avg10 of @full's line.
 * 0, or -1 if the line is missing or malformed.
 */
int psi_parse(const char *text, bool full, uint64_t *total_us, unsigned int *avg10_x100);

/*
 * psi_step: the trip of @t at @now_ns: ignore it, wait for
 * the duration, or act. Pure: the host tests drive it with made-up times.
 */
enum oomx_psi_step psi_step(struct oomx_psi *t, uint64_t now_ns);

/*
 * psi_sample: the stall @t measured at @now_ns from @total_us: over the
 * time since the previous reading if that is at most two windows old,
 * else the kernel's avg10 over 10 s. Records the reading.
 */
void psi_sample(struct oomx_psi *t, uint64_t now_ns, uint64_t total_us,
		unsigned int avg10_x100, struct oomx_psi_sample *s);

/*
 * psi_acted: the OOM killer ran for @t at @now_ns and returned @ret (0: a
 * victim was killed or, in a dry run, chosen; -EAGAIN: a victim is still
 * exiting; -EBUSY: another OOM is in progress). After a kill or a refusal
 * the episode ends and trips are ignored for a window; after -EAGAIN or
 * -EBUSY the next trip tries again.
 */
void psi_acted(struct oomx_psi *t, uint64_t now_ns, int ret);

/* psi_set_init: one trigger per pressure line of @cfg; nothing opened yet */
void psi_set_init(struct oomx_psi_set *s, const struct oomx_config *cfg, const char *cgroot);

/*
 * psi_set_arm: open and arm every trigger whose scope exists, and watch
 * for the others. 0, or -1 with @err (PSI off, no permission, a bad
 * cgroup root); a missing cgroup is not an error.
 */
int psi_set_arm(struct oomx_psi_set *s, char *err, size_t len);

/*
 * psi_set_carry: the lines of @to that are in @from unchanged (scope,
 * kind, stall, window, duration, dry run) keep their counters, episode and
 * hold
 */
void psi_set_carry(struct oomx_psi_set *to, const struct oomx_psi_set *from);

/* psi_set_rearm: after an inotify event or a trigger's POLLERR: arm what appeared */
int psi_set_rearm(struct oomx_psi_set *s, char *err, size_t len);

/* psi_disarm: the cgroup of @t went away (POLLERR): close and wait for it */
void psi_disarm(struct oomx_psi_set *s, struct oomx_psi *t);

/* psi_read: read @t's file now; 0 or -1 (errno) */
int psi_read(struct oomx_psi *t, uint64_t *total_us, unsigned int *avg10_x100);

void psi_set_close(struct oomx_psi_set *s);

#endif

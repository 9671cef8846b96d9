/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory pressure triggers: the "pressure" lines of a configuration, armed
 * as the kernel's PSI triggers (Documentation/accounting/psi.rst). A PSI
 * trigger wakes its poller only when the stall time within its window
 * reaches the threshold, so a watcher with no pressure sleeps: no periodic
 * wakeup, no reading of files. A trip (on a line with a duration: one
 * that ends a duration's worth of stall at the line's level, on average)
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
#include "swap.h"

/* what a pressure line did, since the watcher started ("oomx metrics") */
struct oomx_psi_counts {
	unsigned long long trips;	/* the kernel raised the trigger */
	unsigned long long kills;
	unsigned long long dry_runs;	/* victims chosen and spared */
	unsigned long long retries;	/* a victim still exiting, or another OOM */
	unsigned long long nothing;	/* nothing killable */
	unsigned long long errors;	/* refused, no policy among them */
};

/* a reading of a trigger's file: its stall total, and when */
struct oomx_psi_reading {
	uint64_t ns;
	uint64_t total_us;
};

/*
 * The readings a line with a duration keeps: the newest at least DURATION
 * old and those since, at least DURATION / 14 apart (psi_step()).
 */
#define OOMX_PSI_READINGS	16

struct oomx_psi {
	struct oomx_pressure cfg;
	unsigned int id;		/* the trigger id the kernel reports: its line */
	int fd;				/* the PSI file, trigger written; -1 if absent */
	struct oomx_swap_files swap;	/* with "swap PCT%", a cgroup's: its files */
	uint64_t memcg_id;		/* the cgroup's id; 0 for the machine */
	uint64_t hold_ns;		/* trips before this are ignored (after an action) */
	uint64_t start_ns;		/* the episode's first trip, 0 if none */
	uint64_t last_ns;		/* its last trip */
	struct oomx_psi_reading prev;	/* at the last trip; ns 0 if none */
	struct oomx_psi_reading r[OOMX_PSI_READINGS];	/* the episode's, oldest first */
	unsigned int nr;		/* readings in r; 0: no episode */
	/* "swap PCT%": the scope's swap use at the episode's last trip */
	bool swap_prev_read;
	uint64_t swap_prev_bytes;
	bool swap_spent;		/* acted on swap: not again until it is below PCT */
	struct oomx_psi_counts n;
};

/* what the watcher read at a trip */
struct oomx_psi_trip {
	uint64_t ns;
	uint64_t total_us;		/* the file's total stall */
	unsigned int avg10_x100;	/* its avg10, percent * 100 */
	bool read;			/* false: the file could not be read */
	struct oomx_swap swap;		/* with "swap PCT%": the scope's swap */
};

enum oomx_psi_measure {
	OOMX_PSI_NONE,		/* the file could not be read */
	OOMX_PSI_AVG10,		/* the kernel's avg10: no recent reading */
	OOMX_PSI_WINDOW,	/* since the previous trip (no duration) */
	OOMX_PSI_DURATION,	/* over the line's duration */
};

/* what a measurement says: stall_us of stall over measured_us */
struct oomx_psi_sample {
	uint64_t stall_us;
	uint64_t measured_us;
	unsigned int avg10_x100;	/* the kernel's 10 s average, percent * 100 */
	enum oomx_psi_measure measure;
	uint64_t lasted_us;		/* since the episode's first trip */
	struct oomx_swap swap;		/* with "swap PCT%": at the trip */
	uint64_t swap_grew;		/* the scope's swap use, more than at the last trip */
	bool by_swap;			/* acted on swap, not on the stall */
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
 * psi_step: what the trip @trip of @t calls for: ignore it (held after an
 * action), wait, or act, with @s the stall that decided. Trips belong to
 * one episode until a quiet spell ends it: longer than DURATION and than
 * two windows without a trip, with less than half the line's rate of
 * stall. A line without a duration acts at every trip, on the stall since
 * the previous trip if that was at most two windows ago, else on avg10. A
 * line with one acts once the stall since the episode's newest reading at
 * least DURATION old reaches STALL per WINDOW: windows inside the episode
 * that did not trip still count, with the stall they had. A line with
 * "swap PCT%" also acts at a trip that finds at least PCT% of the scope's
 * swap used and the scope's own swap use grown since the episode's last
 * trip; after such an action, not again until a trip finds less than PCT%.
 * Pure: the host tests drive it with made-up readings.
 */
enum oomx_psi_step psi_step(struct oomx_psi *t, const struct oomx_psi_trip *trip,
			    struct oomx_psi_sample *s);

/* psi_measure_str: "duration", "window", "avg10" or "none" */
const char *psi_measure_str(enum oomx_psi_measure m);

/*
 * psi_acted: the OOM killer ran for @t at @now_ns and returned @ret (0: a
 * victim was killed or, in a dry run, chosen; -EAGAIN: a victim is still
 * exiting; -EBUSY: another OOM is in progress). After a kill or a refusal
 * the episode ends (its readings are dropped: the stall so far is the
 * victim's) and trips are ignored for a window; after -EAGAIN or -EBUSY
 * the next trip tries again. @by_swap: the swap rule decided (the sample's
 * by_swap); then that rule is spent until a trip finds swap below PCT.
 */
void psi_acted(struct oomx_psi *t, uint64_t now_ns, int ret, bool by_swap);

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

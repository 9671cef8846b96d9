// SPDX-License-Identifier: GPL-2.0
/* Memory pressure triggers, armed as PSI triggers; see pressure.h. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>
#include "pressure.h"

#define NSEC_PER_USEC	1000ULL

int psi_parse(const char *text, bool full, uint64_t *total_us, unsigned int *avg10_x100)
{
	const char *line = full ? "full " : "some ";
	const char *at = text;
	unsigned int whole, frac;
	unsigned long long total;

	while (at && strncmp(at, line, 5)) {
		at = strchr(at, '\n');
		at = at ? at + 1 : NULL;
	}
	if (!at || sscanf(at + 5, "avg10=%u.%u avg60=%*u.%*u avg300=%*u.%*u total=%llu",
			  &whole, &frac, &total) != 3 || frac > 99)
		return -1;
	*total_us = total;
	*avg10_x100 = whole * 100 + frac;
	return 0;
}

/* @s: the stall since the previous trip, or avg10 if there was none lately */
static void since_prev(const struct oomx_psi *t, const struct oomx_psi_trip *trip,
		       struct oomx_psi_sample *s)
{
	uint64_t window_ns = t->cfg.window_us * NSEC_PER_USEC;
	const struct oomx_psi_reading *p = &t->prev;

	if (!trip->read) {
		s->measure = OOMX_PSI_NONE;
	} else if (p->ns && trip->ns > p->ns && trip->ns - p->ns <= 2 * window_ns &&
		   trip->total_us >= p->total_us) {
		s->measure = OOMX_PSI_WINDOW;
		s->stall_us = trip->total_us - p->total_us;
		s->measured_us = (trip->ns - p->ns) / NSEC_PER_USEC;
	} else {
		s->measure = OOMX_PSI_AVG10;
		s->stall_us = (uint64_t)trip->avg10_x100 * 1000;	/* of 10 s */
		s->measured_us = 10000000;
	}
}

/* whether @stall_us in @over_us is at least @part of the line's STALL per WINDOW */
static bool rate_reaches(const struct oomx_psi *t, uint64_t stall_us, uint64_t over_us,
			 double part)
{
	/* stall / over >= part * STALL / WINDOW, in doubles: no overflow */
	return (double)stall_us * t->cfg.window_us >= part * t->cfg.stall_us * over_us;
}

/* the line's readings, episode and hold go: a new file, or none */
static void forget(struct oomx_psi *t)
{
	t->hold_ns = 0;
	t->start_ns = 0;
	t->prev.ns = 0;
	t->nr = 0;
	t->swap_prev_read = false;
	t->swap_spent = false;
}

/*
 * Add @trip to the episode of a line with a duration. Returns the episode's
 * reading that is the newest at least DURATION old, or NULL if there is
 * none yet. Only that one and those after it are kept, at least
 * DURATION / (OOMX_PSI_READINGS - 2) apart, so that the array holds them.
 */
static const struct oomx_psi_reading *episode_add(struct oomx_psi *t,
						  const struct oomx_psi_trip *trip)
{
	uint64_t for_ns = t->cfg.for_us * NSEC_PER_USEC;
	uint64_t step = for_ns / (OOMX_PSI_READINGS - 2);
	unsigned int i, first = 0;

	/*
	 * A PSI total only grows: a smaller one would be another file's
	 * (disarming and psi_set_carry() keep them apart; this keeps the
	 * subtraction below from wrapping if they did not).
	 */
	if (t->nr && trip->total_us < t->r[t->nr - 1].total_us)
		t->nr = 0;
	for (i = 0; i < t->nr; i++)
		if (trip->ns - t->r[i].ns >= for_ns)
			first = i;
	memmove(t->r, t->r + first, (t->nr - first) * sizeof(t->r[0]));
	t->nr -= first;
	if (t->nr < OOMX_PSI_READINGS && (!t->nr || trip->ns - t->r[t->nr - 1].ns >= step)) {
		t->r[t->nr].ns = trip->ns;
		t->r[t->nr].total_us = trip->total_us;
		t->nr++;
	}
	return trip->ns - t->r[0].ns >= for_ns ? &t->r[0] : NULL;
}

/*
 * Whether the time since the episode's last trip was a quiet spell that
 * ends it: longer than DURATION and than two windows (the kernel raises a
 * trigger at most once per window while the stall lasts, update_triggers()
 * in kernel/sched/psi.c), with less than half the line's rate of stall in
 * it. A stall that stays near the line's level without tripping (it can: a
 * breach within a window of the last trip is dropped once the stall stops
 * changing) keeps the episode; a spell that cannot be measured ends it.
 */
static bool quiet_spell(const struct oomx_psi *t, const struct oomx_psi_trip *trip)
{
	uint64_t window_ns = t->cfg.window_us * NSEC_PER_USEC;
	uint64_t for_ns = t->cfg.for_us * NSEC_PER_USEC;
	const struct oomx_psi_reading *p = &t->prev;

	if (trip->ns - t->last_ns <= (for_ns > 2 * window_ns ? for_ns : 2 * window_ns))
		return false;
	if (!trip->read || p->ns != t->last_ns || trip->total_us < p->total_us)
		return true;
	return !rate_reaches(t, trip->total_us - p->total_us,
			     (trip->ns - p->ns) / NSEC_PER_USEC, 0.5);
}

/*
 * The swap rule at @trip: whether the scope's swap is at least PCT% used and
 * its own swap use grew since the episode's last trip (@fresh: this trip
 * starts the episode), with the swap rule not spent. A full swap that stays
 * where it is (cold memory parked there, or another cgroup's) does not act:
 * the scope must still be moving memory to it. Records what it read in @s.
 */
static bool swap_step(struct oomx_psi *t, const struct oomx_psi_trip *trip,
		      struct oomx_psi_sample *s, bool fresh)
{
	const struct oomx_swap *w = &trip->swap;
	bool grew = false;

	s->swap = *w;
	if (w->used_x100 >= 0 && w->used_x100 < (int)t->cfg.swap_pct * 100)
		t->swap_spent = false;
	if (w->scope_read && !fresh && t->swap_prev_read && w->scope_bytes > t->swap_prev_bytes) {
		grew = true;
		s->swap_grew = w->scope_bytes - t->swap_prev_bytes;
	}
	t->swap_prev_read = w->scope_read;
	t->swap_prev_bytes = w->scope_bytes;
	return grew && !t->swap_spent && w->used_x100 >= (int)t->cfg.swap_pct * 100;
}

enum oomx_psi_step psi_step(struct oomx_psi *t, const struct oomx_psi_trip *trip,
			    struct oomx_psi_sample *s)
{
	uint64_t for_ns = t->cfg.for_us * NSEC_PER_USEC;
	const struct oomx_psi_reading *from;
	enum oomx_psi_step ret = OOMX_PSI_WAIT;
	bool fresh;

	memset(s, 0, sizeof(*s));
	s->swap.used_x100 = -1;
	s->swap.source = OOMX_SWAP_NOWHERE;
	s->avg10_x100 = trip->avg10_x100;
	t->n.trips++;
	if (trip->ns < t->hold_ns)
		return OOMX_PSI_IGNORE;
	/* after a quiet spell, new pressure waits DURATION on its own */
	fresh = !t->start_ns || quiet_spell(t, trip);
	if (fresh) {
		t->start_ns = trip->ns;
		t->nr = 0;
	}
	t->last_ns = trip->ns;
	s->lasted_us = (trip->ns - t->start_ns) / NSEC_PER_USEC;
	if (!for_ns) {
		since_prev(t, trip, s);
		ret = OOMX_PSI_ACT;
	} else if (trip->read && (from = episode_add(t, trip))) {
		s->measure = OOMX_PSI_DURATION;
		s->stall_us = trip->total_us - from->total_us;
		s->measured_us = (trip->ns - from->ns) / NSEC_PER_USEC;
		if (rate_reaches(t, s->stall_us, s->measured_us, 1.0))
			ret = OOMX_PSI_ACT;
	}
	if (t->cfg.swap_pct && swap_step(t, trip, s, fresh) && ret == OOMX_PSI_WAIT) {
		ret = OOMX_PSI_ACT;
		s->by_swap = true;
		if (s->measure == OOMX_PSI_NONE)
			since_prev(t, trip, s);
	}
	if (trip->read) {
		t->prev.ns = trip->ns;
		t->prev.total_us = trip->total_us;
	}
	return ret;
}

const char *psi_measure_str(enum oomx_psi_measure m)
{
	switch (m) {
	case OOMX_PSI_WINDOW:
		return "window";
	case OOMX_PSI_DURATION:
		return "duration";
	case OOMX_PSI_AVG10:
		return "avg10";
	default:
		return "none";
	}
}

void psi_acted(struct oomx_psi *t, uint64_t now_ns, int ret, bool by_swap)
{
	if (ret == -EAGAIN || ret == -EBUSY) {
		t->n.retries++;
		return;
	}
	if (!ret && t->cfg.dry_run)
		t->n.dry_runs++;
	else if (!ret)
		t->n.kills++;
	else if (ret == -ESRCH)
		t->n.nothing++;
	else
		t->n.errors++;
	t->start_ns = 0;
	t->nr = 0;
	t->hold_ns = now_ns + t->cfg.window_us * NSEC_PER_USEC;
	/* swap often stays high after the kill (shmem, another cgroup's) */
	if (by_swap)
		t->swap_spent = true;
}

void psi_set_init(struct oomx_psi_set *s, const struct oomx_config *cfg, const char *cgroot)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	s->inotify_fd = -1;
	snprintf(s->cgroot, sizeof(s->cgroot), "%s", cgroot);
	s->n = cfg->nr_pressure;
	for (i = 0; i < s->n; i++) {
		s->t[i].cfg = cfg->pressure[i];
		s->t[i].id = cfg->pressure[i].line;
		s->t[i].fd = -1;
		swap_init(&s->t[i].swap);
	}
}

static bool same_line(const struct oomx_pressure *a, const struct oomx_pressure *b)
{
	return a->full == b->full && a->dry_run == b->dry_run && a->stall_us == b->stall_us &&
	       a->window_us == b->window_us && a->for_us == b->for_us &&
	       a->swap_pct == b->swap_pct &&
	       !strcmp(a->scope, b->scope);
}

void psi_set_carry(struct oomx_psi_set *to, const struct oomx_psi_set *from)
{
	size_t i, j;

	for (i = 0; i < to->n; i++) {
		struct oomx_psi *t = &to->t[i];

		for (j = 0; j < from->n; j++) {
			const struct oomx_psi *f = &from->t[j];

			if (!same_line(&t->cfg, &f->cfg))
				continue;
			t->n = f->n;
			/*
			 * The episode and the hold only if the scope is the same
			 * cgroup: one removed and made again since the last trip
			 * (its POLLERR not seen yet) starts afresh.
			 */
			if (t->fd >= 0 && f->fd >= 0 && t->memcg_id == f->memcg_id) {
				t->hold_ns = f->hold_ns;
				t->start_ns = f->start_ns;
				t->last_ns = f->last_ns;
				t->prev = f->prev;
				memcpy(t->r, f->r, sizeof(t->r));
				t->nr = f->nr;
				t->swap_prev_read = f->swap_prev_read;
				t->swap_prev_bytes = f->swap_prev_bytes;
				t->swap_spent = f->swap_spent;
			}
			break;
		}
	}
}

/* the scope's directory: the cgroup's, or the root's for the machine */
static int scope_dir(const struct oomx_psi_set *s, const struct oomx_psi *t, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s%s", s->cgroot,
			 strcmp(t->cfg.scope, "/") ? t->cfg.scope : "");

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

/* watch the nearest existing ancestor of @dir for the next directory down */
static int watch_ancestor(struct oomx_psi_set *s, const char *dir)
{
	char path[PATH_MAX];
	struct stat st;
	char *slash;

	snprintf(path, sizeof(path), "%s", dir);
	while ((slash = strrchr(path, '/')) && slash != path) {
		*slash = '\0';
		if (!stat(path, &st))
			return inotify_add_watch(s->inotify_fd, path, IN_CREATE | IN_ONLYDIR) < 0 ?
			       -1 : 0;
	}
	errno = ENOENT;
	return -1;
}

/*
 * 1 if armed; 0 if its cgroup does not exist or is going away (then the
 * nearest existing ancestor is watched for it); -1 on error
 */
static int arm_one(struct oomx_psi_set *s, struct oomx_psi *t, char *err, size_t len,
		   bool again)
{
	bool machine = !strcmp(t->cfg.scope, "/");
	char dir[PATH_MAX], file[PATH_MAX + 32], trig[64], msg[PATH_MAX + 96], buf[256];
	struct stat st;
	int fd, n, e;

	if (scope_dir(s, t, dir, sizeof(dir))) {
		snprintf(err, len, "pressure line %u: path too long", t->cfg.line);
		return -1;
	}
	if (machine)
		snprintf(file, sizeof(file), "/proc/pressure/memory");
	else
		snprintf(file, sizeof(file), "%s/memory.pressure", dir);
	fd = open(file, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	e = errno;
	if (fd < 0 && !machine && (e == ENOENT || e == ENODEV))
		goto absent;	/* ENODEV: kernfs says the cgroup is being removed */
	if (fd < 0) {
		snprintf(err, len, "pressure line %u: cannot open %s: %s%s", t->cfg.line, file,
			 strerror(e), e == ENOENT ? " (a kernel without PSI, or booted with "
			 "psi=0: boot with psi=1)" : "");
		return -1;
	}
	n = snprintf(trig, sizeof(trig), "%s %llu %llu", t->cfg.full ? "full" : "some",
		     t->cfg.stall_us, t->cfg.window_us);
	if (write(fd, trig, (size_t)n + 1) < 0) {
		e = errno;
		close(fd);
		if (e == ENODEV && !machine)	/* removed between open and write */
			goto absent;
		snprintf(err, len, "pressure line %u: the kernel refused the trigger '%s' on %s: "
			 "%s", t->cfg.line, trig, file, strerror(e));
		return -1;
	}
	if (!machine && stat(dir, &st)) {
		close(fd);
		goto absent;
	}
	/* read once now: its seq_file buffer is allocated here, not at a trip */
	if (pread(fd, buf, sizeof(buf), 0) < 0)
		buf[0] = '\0';	/* a trip will report the file unreadable */
	t->memcg_id = machine ? 0 : (uint64_t)st.st_ino;
	t->fd = fd;
	forget(t);
	if (t->cfg.swap_pct && swap_open(&t->swap, s->cgroot, machine ? NULL : dir, msg,
					 sizeof(msg))) {
		snprintf(err, len, "pressure line %u: %s", t->cfg.line, msg);
		psi_disarm(s, t);
		return -1;
	}
	return 1;

absent:
	/*
	 * Watch, then look again: a cgroup made between the first look and
	 * the watch would otherwise be missed.
	 */
	if (watch_ancestor(s, dir) && errno != ENOENT) {
		snprintf(err, len, "pressure line %u: cannot watch for %s to appear: %s",
			 t->cfg.line, dir, strerror(errno));
		return -1;
	}
	if (!again && !stat(dir, &st))
		return arm_one(s, t, err, len, true);
	return 0;
}

static int arm_all(struct oomx_psi_set *s, char *err, size_t len)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->t[i].fd < 0 && arm_one(s, &s->t[i], err, len, false) < 0)
			return -1;
	return 0;
}

int psi_set_arm(struct oomx_psi_set *s, char *err, size_t len)
{
	s->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (s->inotify_fd < 0) {
		snprintf(err, len, "inotify_init1: %s", strerror(errno));
		return -1;
	}
	return arm_all(s, err, len);
}

int psi_set_rearm(struct oomx_psi_set *s, char *err, size_t len)
{
	char buf[4096];

	while (read(s->inotify_fd, buf, sizeof(buf)) > 0)
		;	/* drain: any creation may be one we wait for */
	return arm_all(s, err, len);
}

void psi_disarm(struct oomx_psi_set *s, struct oomx_psi *t)
{
	(void)s;
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	swap_close(&t->swap);
	t->memcg_id = 0;
	forget(t);
}

int psi_read(struct oomx_psi *t, uint64_t *total_us, unsigned int *avg10_x100)
{
	char buf[256];
	ssize_t n = pread(t->fd, buf, sizeof(buf) - 1, 0);

	if (n < 0)
		return -1;
	buf[n] = '\0';
	if (psi_parse(buf, t->cfg.full, total_us, avg10_x100)) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

void psi_set_close(struct oomx_psi_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		psi_disarm(s, &s->t[i]);
	if (s->inotify_fd >= 0)
		close(s->inotify_fd);
	s->inotify_fd = -1;
}

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

enum oomx_psi_step psi_step(struct oomx_psi *t, uint64_t now_ns)
{
	uint64_t window_ns = t->cfg.window_us * NSEC_PER_USEC;

	t->n.trips++;
	if (now_ns < t->hold_ns)
		return OOMX_PSI_IGNORE;
	/*
	 * The kernel raises a trigger at most once per window while the
	 * stall lasts, so a gap of more than a window and a half between
	 * trips means the pressure stopped in between.
	 */
	if (!t->start_ns || now_ns - t->last_ns > window_ns + window_ns / 2)
		t->start_ns = now_ns;
	t->last_ns = now_ns;
	return now_ns - t->start_ns >= t->cfg.for_us * NSEC_PER_USEC ? OOMX_PSI_ACT :
									OOMX_PSI_WAIT;
}

void psi_sample(struct oomx_psi *t, uint64_t now_ns, uint64_t total_us,
		unsigned int avg10_x100, struct oomx_psi_sample *s)
{
	uint64_t window_ns = t->cfg.window_us * NSEC_PER_USEC;

	s->avg10_x100 = avg10_x100;
	s->windowed = t->prev_ns && now_ns > t->prev_ns && now_ns - t->prev_ns <= 2 * window_ns &&
		      total_us >= t->prev_total_us;
	if (s->windowed) {
		s->stall_us = total_us - t->prev_total_us;
		s->measured_us = (now_ns - t->prev_ns) / NSEC_PER_USEC;
	} else {
		s->measured_us = 10000000;	/* avg10: the last 10 s */
		s->stall_us = (uint64_t)avg10_x100 * 1000;
	}
	t->prev_total_us = total_us;
	t->prev_ns = now_ns;
}

void psi_acted(struct oomx_psi *t, uint64_t now_ns, int ret)
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
	t->hold_ns = now_ns + t->cfg.window_us * NSEC_PER_USEC;
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
	}
}

static bool same_line(const struct oomx_pressure *a, const struct oomx_pressure *b)
{
	return a->full == b->full && a->dry_run == b->dry_run && a->stall_us == b->stall_us &&
	       a->window_us == b->window_us && a->for_us == b->for_us &&
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
			t->start_ns = f->start_ns;
			t->last_ns = f->last_ns;
			t->hold_ns = f->hold_ns;
			t->n = f->n;
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
	char dir[PATH_MAX], file[PATH_MAX + 32], trig[64];
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
	t->memcg_id = machine ? 0 : (uint64_t)st.st_ino;
	t->fd = fd;
	t->prev_ns = 0;
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
	t->memcg_id = 0;
	t->start_ns = 0;
	t->prev_ns = 0;
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

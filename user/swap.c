// SPDX-License-Identifier: GPL-2.0
/* The swap a pressure line's scope can still use; see swap.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysinfo.h>
#include <unistd.h>
#include "swap.h"

/* @used of @total, percent * 100, at most 10000 */
static int share_x100(uint64_t used, uint64_t total)
{
	if (used >= total)
		return 10000;
	return (int)((double)used * 10000 / total);
}

int swap_level_parse(const char *cur, const char *max, uint64_t *cur_bytes, int *share_x100_out)
{
	unsigned long long c, m;
	char end;

	if (sscanf(cur, "%llu%c", &c, &end) != 2 || end != '\n')
		return -2;
	*cur_bytes = c;
	if (!strcmp(max, "max\n"))
		return 0;
	if (sscanf(max, "%llu%c", &m, &end) != 2 || end != '\n')
		return -2;
	if (!m)
		return -1;
	*share_x100_out = share_x100(c, m);
	return 1;
}

void swap_init(struct oomx_swap_files *f)
{
	memset(f, 0, sizeof(*f));
}

void swap_close(struct oomx_swap_files *f)
{
	unsigned int i;

	for (i = 0; i < f->n; i++) {
		close(f->cur[i]);
		close(f->max[i]);
	}
	f->n = 0;
}

/* @fd's text from its start in @buf; 0 or -1 */
static int read_text(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);

	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* open @dir/@name and read it once (its seq_file buffer is then there) */
static int open_primed(const char *dir, const char *name, char *err, size_t len)
{
	char file[PATH_MAX + 32], buf[32];
	int fd;

	snprintf(file, sizeof(file), "%s/%s", dir, name);
	/*
	 * ENOENT: no memory controller at this level; ENODEV: kernfs says the
	 * cgroup is being removed (the PSI file's POLLERR will say so too)
	 */
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT && errno != ENODEV)
			snprintf(err, len, "cannot open %s for 'swap': %s", file, strerror(errno));
		return -1;
	}
	if (read_text(fd, buf, sizeof(buf))) {
		if (errno != ENODEV)
			snprintf(err, len, "cannot read %s for 'swap': %s", file, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

int swap_open(struct oomx_swap_files *f, const char *cgroot, const char *dir, char *err,
	      size_t len)
{
	size_t root = strlen(cgroot);
	char path[PATH_MAX];
	unsigned int up;
	char *slash;

	swap_init(f);
	if (!dir)
		return 0;
	snprintf(path, sizeof(path), "%s", dir);
	for (up = 0; f->n < OOMX_SWAP_LEVELS && strlen(path) > root; up++) {
		int cur, max;

		err[0] = '\0';
		cur = open_primed(path, "memory.swap.current", err, len);
		max = cur < 0 ? -1 : open_primed(path, "memory.swap.max", err, len);
		if (cur >= 0 && max >= 0) {
			f->cur[f->n] = cur;
			f->max[f->n] = max;
			f->up[f->n++] = (unsigned char)up;
		} else {
			if (cur >= 0)
				close(cur);
			if (err[0]) {	/* not a level without the files: an error */
				swap_close(f);
				return -1;
			}
		}
		slash = strrchr(path, '/');
		if (!slash)
			break;
		*slash = '\0';
	}
	return 0;
}

void swap_read(const struct oomx_swap_files *f, bool machine, struct oomx_swap *r)
{
	char cur[32], max[32];
	uint64_t total, used;
	struct sysinfo si;
	unsigned int i;

	r->used_x100 = -1;
	r->source = OOMX_SWAP_NOWHERE;
	r->scope_read = false;
	r->scope_bytes = 0;
	if (sysinfo(&si))
		return;
	r->source = OOMX_SWAP_MACHINE;
	if (!si.totalswap)
		return;		/* no swap: nothing to fill */
	total = (uint64_t)si.totalswap * si.mem_unit;
	used = total - (uint64_t)si.freeswap * si.mem_unit;
	r->used_x100 = share_x100(used, total);
	if (machine) {
		r->scope_read = true;
		r->scope_bytes = used;
	}
	for (i = 0; i < f->n; i++) {
		uint64_t bytes;
		int share, ret;

		if (read_text(f->cur[i], cur, sizeof(cur)) || read_text(f->max[i], max, sizeof(max)))
			continue;
		ret = swap_level_parse(cur, max, &bytes, &share);
		if (ret == -2)
			continue;
		if (f->up[i] == 0) {
			r->scope_read = true;
			r->scope_bytes = bytes;
		}
		if (ret == -1) {
			/* this level may not swap at all: swap's fullness is moot */
			r->used_x100 = -1;
			r->source = f->up[i];
			return;
		}
		if (ret == 1 && share > r->used_x100) {
			r->used_x100 = share;
			r->source = f->up[i];
		}
	}
}

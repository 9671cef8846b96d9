// SPDX-License-Identifier: GPL-2.0
/* Cgroup ids to paths, by one walk of the cgroup2 directories; see cgroups.h. */
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "cgroups.h"

#define MAX_DEPTH	64

static char cg_root[PATH_MAX] = "/sys/fs/cgroup";

void cgroup_set_root(const char *root)
{
	snprintf(cg_root, sizeof(cg_root), "%s", root);
}

static int walk(const char *rel, int depth, int (*visit)(__u64, const char *, void *), void *ctx)
{
	char path[PATH_MAX], sub[PATH_MAX];
	struct dirent *de;
	int ret = 0;
	DIR *dir;

	if (depth > MAX_DEPTH || snprintf(path, sizeof(path), "%s%s", cg_root, rel) >= (int)sizeof(path))
		return 0;
	dir = opendir(path);
	if (!dir)
		return 0;
	while (!ret && (de = readdir(dir))) {
		__u64 ino = de->d_ino;
		struct stat st;

		if (de->d_name[0] == '.' ||
		    snprintf(sub, sizeof(sub), "%s/%s", rel, de->d_name) >= (int)sizeof(sub))
			continue;
		if (de->d_type == DT_UNKNOWN) {	/* a file system that does not say */
			if (fstatat(dirfd(dir), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ||
			    !S_ISDIR(st.st_mode))
				continue;
			ino = st.st_ino;
		} else if (de->d_type != DT_DIR) {
			continue;
		}
		ret = visit(ino, sub, ctx);
		if (!ret)
			ret = walk(sub, depth + 1, visit, ctx);
	}
	closedir(dir);
	return ret;
}

int cgroup_walk(int (*visit)(__u64 id, const char *path, void *ctx), void *ctx)
{
	struct stat st;
	int ret;

	if (stat(cg_root, &st))
		return -1;
	ret = visit(st.st_ino, "/", ctx);
	return ret ? ret : walk("", 0, visit, ctx);
}

#define CG_CACHE 64
static struct {
	__u64 id;
	char path[256];
} cg_cache[CG_CACHE];
static unsigned int cg_next;

struct want {
	__u64 id;
	char *buf;
	size_t len;
};

static int match(__u64 id, const char *path, void *ctx)
{
	struct want *w = ctx;

	if (id != w->id)
		return 0;
	snprintf(w->buf, w->len, "%s", path);
	return 1;
}

const char *cgroup_path_of(__u64 id, char *buf, size_t len)
{
	struct want w = { .id = id, .buf = buf, .len = len };
	unsigned int i;

	buf[0] = '\0';
	if (!id)
		return buf;
	for (i = 0; i < CG_CACHE; i++) {
		if (cg_cache[i].id == id) {
			snprintf(buf, len, "%s", cg_cache[i].path);
			return buf;
		}
	}
	if (cgroup_walk(match, &w) != 1)
		return buf;
	cg_cache[cg_next % CG_CACHE].id = id;
	snprintf(cg_cache[cg_next % CG_CACHE].path, sizeof(cg_cache[0].path), "%s", buf);
	cg_next++;
	return buf;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Cgroup ids to paths. A cgroup's id is the inode number of its directory
 * in the cgroup2 mount, and readdir() gives it without a stat, so one walk
 * of the directories names every cgroup. Kept free of libbpf for the host
 * unit tests.
 */
#ifndef __OOMX_CGROUPS_H
#define __OOMX_CGROUPS_H

#include <stddef.h>
#include <linux/types.h>

/* the cgroup2 mount the walk starts from (default /sys/fs/cgroup) */
void cgroup_set_root(const char *root);

/*
 * cgroup_walk: call @visit(id, path, @ctx) for the root ("/") and every
 * directory below it, path relative to the mount, until @visit returns
 * non-zero; returns that value, 0 if the walk ended, -1 if the root
 * cannot be read.
 */
int cgroup_walk(int (*visit)(__u64 id, const char *path, void *ctx), void *ctx);

/*
 * cgroup_path_of: the path of the cgroup with id @id, written to @buf; "/"
 * for the root, "" if not found (the cgroup is gone). Found paths are
 * cached.
 */
const char *cgroup_path_of(__u64 id, char *buf, size_t len);

#endif

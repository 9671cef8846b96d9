/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's oom_ext state in sysfs (kernel/patches: /sys/kernel/oom_ext). */
#ifndef __OOMX_SYSFS_H
#define __OOMX_SYSFS_H

#include <stdbool.h>
#include <stddef.h>

#define SYSFS_OOM_EXT	"/sys/kernel/oom_ext"

/* sysfs_read_line: a one-line file into @buf, without the newline; 0 or -errno */
int sysfs_read_line(const char *path, char *buf, size_t len);

/*
 * kernel_btf_has: whether the running kernel's BTF has @name of @kind
 * (BTF_KIND_STRUCT, BTF_KIND_FUNC, ...); the BTF is read once per process
 */
bool kernel_btf_has(const char *name, int kind);

/* vmstat_read: counter @key of /proc/vmstat; 0 or -1 */
int vmstat_read(const char *key, unsigned long long *v);

/* sysfs_has_oom_ext: whether this kernel has oom_ext */
bool sysfs_has_oom_ext(void);

/* need_oom_ext: 0 if the kernel has oom_ext, else 1 with "@cmd: ..." printed */
int need_oom_ext(const char *cmd);

/* sysfs_attached: the attached policy's name into @buf ("" if none); 0 or -errno */
int sysfs_attached(char *buf, size_t len);

#endif

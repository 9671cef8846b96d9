// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/btf.h>
#include "sysfs.h"

int sysfs_read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int err = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f)) {
		err = ferror(f) ? -EIO : 0;
		buf[0] = '\0';
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return err;
}

bool kernel_btf_has(const char *name, int kind)
{
	static struct btf *vmlinux;
	static bool loaded;

	if (!loaded) {
		vmlinux = btf__load_vmlinux_btf();	/* kept: the process is short */
		loaded = true;
	}
	return vmlinux && btf__find_by_name_kind(vmlinux, name, kind) > 0;
}

int vmstat_read(const char *key, unsigned long long *v)
{
	FILE *f = fopen("/proc/vmstat", "r");
	char name[64];
	unsigned long long val;
	int ret = -1;

	if (!f)
		return -1;
	while (fscanf(f, "%63s %llu", name, &val) == 2) {
		if (!strcmp(name, key)) {
			*v = val;
			ret = 0;
			break;
		}
	}
	fclose(f);
	return ret;
}

bool sysfs_has_oom_ext(void)
{
	return access(SYSFS_OOM_EXT "/state", R_OK) == 0;
}

int need_oom_ext(const char *cmd)
{
	if (sysfs_has_oom_ext())
		return 0;
	fprintf(stderr, "%s: this kernel has no oom_ext (%s is missing); run 'oomx check'\n",
		cmd, SYSFS_OOM_EXT);
	return 1;
}

int sysfs_attached(char *buf, size_t len)
{
	return sysfs_read_line(SYSFS_OOM_EXT "/policy", buf, len);
}

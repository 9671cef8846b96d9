/* SPDX-License-Identifier: GPL-2.0 */
/* Small helpers shared by the test programs. */
#ifndef __OOMX_TEST_UTIL_H
#define __OOMX_TEST_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/*
 * write_pid: write "PID\n" to PATH (created or truncated); cgroup.procs
 * takes the same format. Returns 0 or -errno.
 */
static inline int write_pid(const char *path, pid_t pid)
{
	char buf[32];
	int fd, len, err = 0;

	len = snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, len) != len)
		err = errno ? -errno : -EIO;
	if (close(fd) && !err)
		err = -errno;
	return err;
}

#endif /* __OOMX_TEST_UTIL_H */

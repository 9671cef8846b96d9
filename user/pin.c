// SPDX-License-Identifier: GPL-2.0
/* The pinned policy's files and the lock on them; see pin.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "globals.h"
#include "pin.h"

bool pin_loaded(void)
{
	return access(PIN_DIR "/link", F_OK) == 0;
}

void pin_path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, PIN_DIR "/%s", name);
}

/*
 * The directory stays: it is what pin_lock() locks, and a command waiting
 * for the lock must not find itself holding a removed directory's.
 */
void pin_remove_all(void)
{
	struct dirent *de;
	char path[sizeof(PIN_DIR) + sizeof(de->d_name) + 1];
	DIR *dir;

	/* the link first: the policy detaches before its maps lose their pins */
	pin_path(path, sizeof(path), "link");
	unlink(path);
	dir = opendir(PIN_DIR);
	if (!dir)
		return;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		pin_path(path, sizeof(path), de->d_name);
		unlink(path);
	}
	closedir(dir);
}

int pin_read_var(const char *pin, const char *name, void *out, __u32 size)
{
	struct oomx_section sec;
	char path[256];
	void *v;
	int ret;

	pin_path(path, sizeof(path), pin);
	ret = oomx_section_open(&sec, path);
	if (ret)
		return ret;
	v = oomx_section_var(&sec, name, size);
	if (v)
		memcpy(out, v, size);
	oomx_section_close(&sec);
	return v ? 0 : -ENOENT;
}

int pin_lock(const char *cmd)
{
	int fd;

	if (mkdir(PIN_DIR, 0700) && errno != EEXIST) {
		fprintf(stderr, "%s: cannot create %s: %s\n", cmd, PIN_DIR, strerror(errno));
		return -1;
	}
	fd = open(PIN_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: cannot open %s: %s\n", cmd, PIN_DIR, strerror(errno));
		return -1;
	}
	if (!flock(fd, LOCK_EX | LOCK_NB))
		return fd;
	if (errno == EWOULDBLOCK) {
		fprintf(stderr, "%s: waiting for another oomx command to finish with %s\n",
			cmd, PIN_DIR);
		if (!flock(fd, LOCK_EX))
			return fd;
	}
	fprintf(stderr, "%s: cannot lock %s: %s\n", cmd, PIN_DIR, strerror(errno));
	close(fd);
	return -1;
}

int pin_lock_shared(void)
{
	int fd = open(PIN_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0 && flock(fd, LOCK_SH)) {
		close(fd);
		fd = -1;
	}
	return fd;
}

void pin_unlock(int fd)
{
	if (fd >= 0)
		close(fd);	/* drops the flock */
}

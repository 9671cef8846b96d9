// SPDX-License-Identifier: GPL-2.0
/* Command-line pieces several commands share. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include "oomx.h"

int parse_events_kib(const char *cmd, const char *arg, unsigned long *kib)
{
	char *end;

	errno = 0;
	*kib = strtoul(arg, &end, 10);
	if (errno || *end || *kib < 4 || *kib > 65536 || (*kib & (*kib - 1))) {
		fprintf(stderr, "%s: --events-buffer wants KiB, a power of two from 4 to 65536, "
			"got '%s'\n", cmd, arg);
		return EXIT_USAGE;
	}
	return 0;
}

int read_config(const char *cmd, const char *path, struct oomx_config *cfg)
{
	char err[OOMX_CFG_ERR_LEN];

	oomx_config_init(cfg);
	if (path && oomx_config_load(path, cfg, err)) {
		fprintf(stderr, "%s: %s\n", cmd, err);
		return 1;
	}
	return 0;
}

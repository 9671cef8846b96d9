// SPDX-License-Identifier: GPL-2.0
#include <stdio.h>
#include <string.h>
#include "builtin.h"

const struct oomx_builtin *builtin_find(const char *name)
{
	unsigned long i;

	for (i = 0; i < oomx_nr_builtins; i++)
		if (!strcmp(oomx_builtins[i].name, name))
			return &oomx_builtins[i];
	return NULL;
}

void builtin_names(char *buf, size_t len)
{
	size_t at = 0;
	unsigned long i;

	buf[0] = '\0';
	for (i = 0; i < oomx_nr_builtins && at < len; i++) {
		int n = snprintf(buf + at, len - at, "%s%s", i ? ", " : "", oomx_builtins[i].name);

		if (n < 0)
			break;
		at += (size_t)n;
	}
}

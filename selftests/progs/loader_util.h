/* SPDX-License-Identifier: GPL-2.0 */
/* What every BPF-loading test program sets up the same way. */
#ifndef __OOMX_LOADER_UTIL_H
#define __OOMX_LOADER_UTIL_H

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <bpf/libbpf.h>

/* Set by SIGINT/SIGTERM: the main loop should detach and report. */
static volatile sig_atomic_t exiting;
static bool libbpf_verbose;

static void on_stop_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG && !libbpf_verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

/* loader_setup: libbpf's debug output only when @verbose; stop on signals. */
static inline void loader_setup(bool verbose)
{
	libbpf_verbose = verbose;
	libbpf_set_print(print_libbpf);
	signal(SIGINT, on_stop_signal);
	signal(SIGTERM, on_stop_signal);
}

#endif /* __OOMX_LOADER_UTIL_H */

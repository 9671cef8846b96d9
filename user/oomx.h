/* SPDX-License-Identifier: GPL-2.0 */
/*
 * oomx - load, observe and control oom_ext OOM policies. What the commands
 * (user/cmd_*.c) share with main.c.
 *
 * Exit status of every command:
 *   0  success
 *   1  failure (the message says what and what to do)
 *   2  usage error
 *   3  (run) the kernel disabled the policy because of an error
 */
#ifndef __OOMX_H
#define __OOMX_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include "config.h"

#define EXIT_USAGE		2
#define EXIT_POLICY_ERROR	3

/* --verbose: libbpf's debug output (the verifier log) */
extern bool oomx_verbose;

/* set by SIGINT and SIGTERM once oomx_catch_signals() was called */
extern volatile sig_atomic_t oomx_exiting;
void oomx_catch_signals(void);

/* --events-buffer KIB: a power of two from 4 to 65536; 0 or EXIT_USAGE (printed) */
int parse_events_kib(const char *cmd, const char *arg, unsigned long *kib);

/* read_config: parse file @path (NULL: an empty configuration); 0 or 1 (printed) */
int read_config(const char *cmd, const char *path, struct oomx_config *cfg);

/*
 * mlockall() for a resident command, and oom_score_adj -1000 if @unkillable;
 * a failure is a warning, not an error
 */
void oomx_stay_resident(const char *cmd, bool unkillable);

/* CLOCK_MONOTONIC in ns */
uint64_t oomx_now_ns(void);

/* -h or --help as the only argument */
bool wants_help(int argc, char **argv);

int cmd_list(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_unload(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_shadow(int argc, char **argv);
int cmd_set(int argc, char **argv);
int cmd_apply(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_metrics(int argc, char **argv);

#endif

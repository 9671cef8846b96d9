/* SPDX-License-Identifier: GPL-2.0 */
/* Formatting oomx events for people (text) and programs (JSON lines). */
#ifndef __OOMX_EVENTS_H
#define __OOMX_EVENTS_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>
#include "cgroups.h"
#include "oomx_shared.h"

/* kill_kind_str: an enum oom_ext_kill_kind as the events say it: none, kernel, ... */
const char *kill_kind_str(__u32 kind);

/* kill_mode_str: an enum oom_ext_kill_mode as configured: default, process, group */
const char *kill_mode_str(__u32 mode);

/* event_print_text: one or two lines a person can read */
void event_print_text(FILE *f, const struct oomx_event *ev);

/* event_print_json: one JSON object and a newline; schema in docs/events.md */
void event_print_json(FILE *f, const struct oomx_event *ev);

/*
 * event_print_cb: a ring_buffer__new() callback that prints each event,
 * as JSON if *(bool *)@ctx, else as text, and flushes stdout.
 */
int event_print_cb(void *ctx, void *data, size_t len);

/* json_string: @s as a JSON string literal, quotes included */
void json_string(FILE *f, const char *s, size_t maxlen);

#endif

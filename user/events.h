/* SPDX-License-Identifier: GPL-2.0 */
/* Formatting oomx events for people (text) and programs (JSON lines). */
#ifndef __OOMX_EVENTS_H
#define __OOMX_EVENTS_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>
#include "oomx_shared.h"

/*
 * cgroup_path_of: the path below the cgroup2 mount of the cgroup whose
 * directory has inode @id, written to @buf; "/" for the root, "" if not
 * found (the cgroup is gone). Results are cached.
 */
const char *cgroup_path_of(__u64 id, char *buf, size_t len);

/* the cgroup2 mount point cgroup_path_of() searches (default /sys/fs/cgroup) */
void events_set_cgroup_root(const char *root);

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

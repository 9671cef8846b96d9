/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pinned policy: "oomx load" pins a policy under PIN_DIR so that it
 * outlives the command.
 *   link       the struct_ops link: while it is pinned, the policy is attached
 *   link_NAME  the links of the policy's other programs (NAME: the program;
 *              bpffs reserves dots in names)
 *   events     the event ring buffer ("oomx events")
 *   settings   the .data.cfg section: settings, configuration generation
 *   data       the .data section: the exit record
 *   bss        the .bss section: lost events, the OOM in progress, sampler
 *   prio_*     the priority policy's maps: rules, bindings, growth samples
 * bpftool map dump pinned PIN_DIR/NAME prints any of them with its BTF types.
 *
 * Commands that change the pins or the configuration (load, unload, apply,
 * set) hold pin_lock(), an flock on PIN_DIR, so that they run one at a time.
 */
#ifndef __OOMX_PIN_H
#define __OOMX_PIN_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define PIN_DIR "/sys/fs/bpf/oomx"

/* pin_loaded: is a policy loaded (its link pinned)? */
bool pin_loaded(void);

/* pin_path: PIN_DIR/@name into @buf */
void pin_path(char *buf, size_t len, const char *name);

/* pin_remove_all: every pin, the struct_ops link first; best effort */
void pin_remove_all(void);

/* pin_read_var: copy global @name (@size bytes) out of the pinned section @pin */
int pin_read_var(const char *pin, const char *name, void *out, __u32 size);

/*
 * pin_lock: create PIN_DIR if needed and take an exclusive flock on it,
 * waiting for another oomx command to finish. Returns the fd to pass to
 * pin_unlock(), or -1 with the reason printed as "@cmd: ...".
 */
int pin_lock(const char *cmd);
void pin_unlock(int fd);

/*
 * pin_lock_shared: a shared flock on PIN_DIR, for commands that only read
 * (status): they wait for a change in progress. -1 if there is nothing to
 * lock (no PIN_DIR); errors are not fatal to a reader and not printed.
 */
int pin_lock_shared(void);

#endif

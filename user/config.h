/* SPDX-License-Identifier: GPL-2.0 */
/*
 * oomx configuration files.
 *
 * The format is line-oriented, like sshd_config or sysctl.conf: one
 * directive per line, words separated by blanks, '#' to the end of the line
 * is a comment, blank lines are ignored. It was chosen because operators
 * already know it, because every error can name a line, and because a
 * dozen lines of C parse it without a dependency. A value containing blanks
 * (a cgroup path with a space) is written in double quotes, with \" and \\
 * as escapes.
 *
 *   # a setting: NAME VALUE, for any tunable the policy declares
 *   reap_delay_ms 500            # every policy: 0..10000, or "default"
 *   victim_timeout_ms 0          # every policy: 0 (never) .. 3600000
 *   rank growth                  # the priority policy's own
 *
 *   # rules, for a policy that includes bpf/rules.bpf.h: ACTION MATCH VALUE
 *   protect cgroup /system.slice/postgresql.service
 *   prefer  comm   stress
 *   class 20 uid 1000            # class 1..254; protect = 255, prefer = 0
 *   kill group cgroup /batch.slice   # a kill there takes the victim's whole
 *   kill process cgroup /db.slice    # cgroup, or its process only
 *
 *   # memory pressure triggers, for any policy (struct oomx_pressure)
 *   pressure /work.slice some 200ms 1s for 3s
 *
 * This parser knows the syntax, not the settings: a setting's name and
 * value are checked against the policy's tunables (user/tunables.c), which
 * come from its BTF. Parsing is all or nothing: on the first error nothing
 * is returned but the error, "FILE:LINE: what is wrong; what is expected".
 */
#ifndef __OOMX_CONFIG_H
#define __OOMX_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OOMX_CFG_MAX_RULES	256
#define OOMX_CFG_VALUE_LEN	256
#define OOMX_CFG_ERR_LEN	512

#define OOMX_CFG_MAX_SETTINGS	64
#define OOMX_CFG_NAME_LEN	48

enum oomx_match {
	OOMX_MATCH_CGROUP,	/* a cgroup path and its subtree */
	OOMX_MATCH_COMM,	/* a command name, at most 15 bytes */
	OOMX_MATCH_UID,		/* a numeric uid */
};

/* class 0 is killed first, 255 never (protect) */
#define OOMX_CLASS_PREFER	0
#define OOMX_CLASS_DEFAULT	100
#define OOMX_CLASS_PROTECT	255

struct oomx_rule {
	unsigned int line;
	enum oomx_match match;
	uint8_t klass;			/* unless kill_mode */
	uint8_t kill_mode;		/* a "kill" line: enum oom_ext_kill_mode, not 0 */
	uint32_t uid;			/* OOMX_MATCH_UID */
	char value[OOMX_CFG_VALUE_LEN];	/* cgroup path or comm */
};

/* NAME VALUE: checked against the policy's tunables once it is known */
struct oomx_setting {
	unsigned int line;
	char name[OOMX_CFG_NAME_LEN];
	char value[OOMX_CFG_VALUE_LEN];
};

/*
 * A memory pressure trigger (user/pressure.c):
 *
 *   pressure SCOPE some|full STALL WINDOW [for DURATION [swap PCT%]] [dry-run]
 *
 * SCOPE "/" is the whole machine (/proc/pressure/memory, a global OOM),
 * any other path a cgroup (its memory.pressure, an OOM of its memcg).
 * When the stall time reaches STALL within WINDOW (the kernel's PSI
 * trigger), and keeps doing so for DURATION, the OOM killer runs for the
 * scope with the loaded policy; with "swap PCT%", also at any trip at
 * which the scope's swap is at least PCT% used. Times take us, ms or s.
 */
#define OOMX_CFG_MAX_PRESSURE	16
/* the range Documentation/accounting/psi.rst gives; psi_trigger_create() checks the maximum */
#define OOMX_PSI_WINDOW_MIN_US	500000ULL
#define OOMX_PSI_WINDOW_MAX_US	10000000ULL	/* WINDOW_MAX_US, kernel/sched/psi.c */
#define OOMX_PRESSURE_MAX_FOR_US	3600000000ULL	/* an hour */

struct oomx_pressure {
	unsigned int line;
	bool full;			/* "full", else "some" */
	bool dry_run;
	unsigned long long stall_us;
	unsigned long long window_us;
	unsigned long long for_us;	/* 0: act on the first trip */
	unsigned int swap_pct;		/* 0: none; else act at a trip with this much swap used */
	char scope[OOMX_CFG_VALUE_LEN];	/* "/" or a cgroup path */
};

struct oomx_config {
	size_t nr_pressure;
	struct oomx_pressure pressure[OOMX_CFG_MAX_PRESSURE];
	size_t nr_settings;
	struct oomx_setting settings[OOMX_CFG_MAX_SETTINGS];
	size_t nr_rules;
	struct oomx_rule rules[OOMX_CFG_MAX_RULES];
};

/* oomx_config_init: an empty file: no setting, no rule */
void oomx_config_init(struct oomx_config *cfg);

/*
 * oomx_config_parse: parse @len bytes of @text, named @name in messages,
 * into @cfg. Returns 0, or -1 with the message in @err; @cfg is then
 * unspecified and must not be applied.
 */
int oomx_config_parse(const char *name, const char *text, size_t len,
		      struct oomx_config *cfg, char err[OOMX_CFG_ERR_LEN]);

/* oomx_config_load: read and parse file @path; -1 with @err on failure */
int oomx_config_load(const char *path, struct oomx_config *cfg,
		     char err[OOMX_CFG_ERR_LEN]);

#endif

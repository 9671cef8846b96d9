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
 *   # every policy
 *   reap_delay_ms 500            # 0..10000, or "default" (the kernel's 2 s)
 *   victim_timeout_ms 0          # 0 (never) .. 3600000
 *
 *   # the priority policy: which task of the lowest class dies
 *   rank size                    # the largest (default), or: growth
 *   growth_interval_ms 1000      # how often growth is sampled, 100..60000
 *
 *   # rule-based policies (priority): ACTION MATCH VALUE
 *   protect cgroup /system.slice/postgresql.service
 *   prefer  comm   stress
 *   class 20 uid 1000            # class 1..254; protect = 255, prefer = 0
 *
 * Parsing is all or nothing: on the first error nothing is returned but the
 * error, "FILE:LINE: what is wrong; what is expected".
 */
#ifndef __OOMX_CONFIG_H
#define __OOMX_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "oom_ext_consts.h"

#define OOMX_CFG_MAX_RULES	256
#define OOMX_CFG_VALUE_LEN	256
#define OOMX_CFG_ERR_LEN	512

#define OOMX_CFG_REAP_DELAY_MAX		OOM_EXT_REAP_DELAY_MAX_MS
#define OOMX_CFG_VICTIM_TIMEOUT_MAX	3600000
#define OOMX_CFG_KERNEL_DEFAULT		UINT32_MAX
#define OOMX_CFG_GROWTH_INTERVAL_MIN	100	/* PRIO_GROWTH_INTERVAL_* */
#define OOMX_CFG_GROWTH_INTERVAL_MAX	60000
#define OOMX_CFG_GROWTH_INTERVAL_DEF	1000

/* enum prio_rank */
#define OOMX_RANK_SIZE		0
#define OOMX_RANK_GROWTH	1

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
	uint8_t klass;
	uint32_t uid;			/* OOMX_MATCH_UID */
	char value[OOMX_CFG_VALUE_LEN];	/* cgroup path or comm */
};

struct oomx_config {
	uint32_t reap_delay_ms;		/* OOMX_CFG_KERNEL_DEFAULT if not set */
	uint32_t victim_timeout_ms;
	bool has_reap_delay, has_victim_timeout;
	uint32_t rank;			/* OOMX_RANK_*, priority only */
	uint32_t growth_interval_ms;
	bool has_rank, has_growth_interval;
	size_t nr_rules;
	struct oomx_rule rules[OOMX_CFG_MAX_RULES];
};

/* oomx_config_init: the settings of an empty file */
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

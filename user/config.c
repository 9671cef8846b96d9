// SPDX-License-Identifier: GPL-2.0
/* The oomx configuration file parser; the format is described in config.h. */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "oom_ext_consts.h"

#define MAX_WORDS	10	/* the longest: pressure ... for DURATION swap PCT% dry-run */
#define MAX_LINE	4096
#define MAX_FILE	(1 << 20)

struct parser {
	const char *name;
	unsigned int line;
	char *err;
};

static __attribute__((format(printf, 2, 3)))
int fail(struct parser *ps, const char *fmt, ...)
{
	int n = snprintf(ps->err, OOMX_CFG_ERR_LEN, "%s:%u: ", ps->name, ps->line);
	va_list ap;

	if (n < 0 || n >= OOMX_CFG_ERR_LEN)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(ps->err + n, OOMX_CFG_ERR_LEN - n, fmt, ap);
	va_end(ap);
	return -1;
}

void oomx_config_init(struct oomx_config *cfg)
{
	cfg->nr_pressure = 0;
	cfg->nr_settings = 0;
	cfg->nr_rules = 0;
}

/*
 * Split @line (NUL-terminated, modified in place) into at most MAX_WORDS
 * words; quotes group blanks, \" and \\ escape inside quotes, '#' outside
 * quotes ends the line. Returns the word count or -1 (error set).
 */
static int split(struct parser *ps, char *line, char *words[MAX_WORDS])
{
	char *r = line, *w = line;
	int n = 0;

	for (;;) {
		while (*r == ' ' || *r == '\t' || *r == '\r')
			r++;
		if (!*r || *r == '#')
			return n;
		if (n == MAX_WORDS)
			return fail(ps, "too many words (a directive has at most %d)", MAX_WORDS);
		words[n++] = w;
		if (*r == '"') {
			r++;
			while (*r != '"') {
				if (!*r)
					return fail(ps, "unterminated quote");
				if (*r == '\\' && (r[1] == '"' || r[1] == '\\'))
					r++;
				*w++ = *r++;
			}
			r++;
			if (*r && *r != ' ' && *r != '\t' && *r != '\r' && *r != '#')
				return fail(ps, "a closing quote must end the word");
		} else {
			while (*r && *r != ' ' && *r != '\t' && *r != '\r' && *r != '#') {
				if (*r == '"')
					return fail(ps, "a quote may only start a word");
				*w++ = *r++;
			}
		}
		/* w never overtakes r: terminate the word where it ends */
		if (*r == '#') {
			*w = '\0';
			return n;
		}
		if (*r)
			r++;
		*w++ = '\0';
	}
}

/* a decimal number in [min, max]; 0 or -1 */
static int number(const char *s, unsigned long long min, unsigned long long max,
		  unsigned long long *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	if (errno || *end || *out < min || *out > max)
		return -1;
	return 0;
}

/* whether @path has a "." or ".." component */
static bool has_dot_component(const char *path)
{
	const char *c = path;

	while (*c) {
		size_t n;

		while (*c == '/')
			c++;
		n = strcspn(c, "/");
		if ((n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return true;
		c += n;
	}
	return false;
}

/*
 * The path as the kernel writes it (cgroup_path()): one '/' between names
 * and none at the end, "/" for the root. Rules match the kernel's string.
 */
static void normalize_path(char *path)
{
	char *in = path, *out = path;

	while (*in) {
		if (*in == '/' && out > path && out[-1] == '/') {
			in++;
			continue;
		}
		*out++ = *in++;
	}
	if (out > path + 1 && out[-1] == '/')
		out--;
	*out = '\0';
}

static int parse_rule(struct parser *ps, struct oomx_config *cfg, int n, char **w)
{
	struct oomx_rule *r;
	unsigned long long v;
	int klass = 0, kill_mode = 0, at;

	if (!strcmp(w[0], "kill")) {
		if (n < 2 || (strcmp(w[1], "group") && strcmp(w[1], "process")))
			return fail(ps, "kill wants 'group' (the victim's whole cgroup dies) or "
				    "'process' (only its process), got '%s'", n < 2 ? "" : w[1]);
		kill_mode = w[1][0] == 'g' ? OOM_EXT_KILL_MODE_GROUP : OOM_EXT_KILL_MODE_PROCESS;
		if (n != 4 || strcmp(w[2], "cgroup"))
			return fail(ps, "expected 'kill %s cgroup PATH': a kill mode follows "
				    "cgroups only", w[1]);
		at = 2;
	} else if (!strcmp(w[0], "protect") || !strcmp(w[0], "prefer")) {
		klass = w[0][1] == 'r' && w[0][2] == 'o' ? OOMX_CLASS_PROTECT : OOMX_CLASS_PREFER;
		at = 1;
	} else {
		if (n < 2 || number(w[1], 1, 254, &v))
			return fail(ps, "class wants a number from 1 to 254 (0 is 'prefer', 255 is "
				    "'protect'), got '%s'", n < 2 ? "" : w[1]);
		klass = (int)v;
		at = 2;
	}
	if (n != at + 2)
		return fail(ps, "expected '%s%s cgroup|comm|uid VALUE'", w[0],
			    at == 2 ? " N" : "");
	if (cfg->nr_rules == OOMX_CFG_MAX_RULES)
		return fail(ps, "too many rules (at most %d)", OOMX_CFG_MAX_RULES);

	r = &cfg->rules[cfg->nr_rules];
	memset(r, 0, sizeof(*r));
	r->line = ps->line;
	r->klass = (uint8_t)klass;
	r->kill_mode = (uint8_t)kill_mode;
	if (!strcmp(w[at], "cgroup")) {
		r->match = OOMX_MATCH_CGROUP;
		if (w[at + 1][0] != '/')
			return fail(ps, "a cgroup path starts with '/' (relative to the cgroup2 "
				    "mount, e.g. /system.slice), got '%s'", w[at + 1]);
		if (strlen(w[at + 1]) >= OOMX_CFG_VALUE_LEN)
			return fail(ps, "cgroup path longer than %d bytes", OOMX_CFG_VALUE_LEN - 1);
		if (has_dot_component(w[at + 1]))
			return fail(ps, "a cgroup path may not contain '.' or '..' components");
	} else if (!strcmp(w[at], "comm")) {
		r->match = OOMX_MATCH_COMM;
		if (!w[at + 1][0] || strlen(w[at + 1]) > 15)
			return fail(ps, "a command name has 1 to 15 bytes (the kernel's comm), "
				    "got '%s'", w[at + 1]);
	} else if (!strcmp(w[at], "uid")) {
		r->match = OOMX_MATCH_UID;
		if (number(w[at + 1], 0, 4294967294ULL, &v))
			return fail(ps, "uid wants a number from 0 to 4294967294, got '%s'",
				    w[at + 1]);
		r->uid = (uint32_t)v;
	} else {
		return fail(ps, "unknown match '%s'; expected cgroup, comm or uid", w[at]);
	}
	if (r->match != OOMX_MATCH_UID)
		strcpy(r->value, w[at + 1]);	/* length checked above */
	if (r->match == OOMX_MATCH_CGROUP)
		normalize_path(r->value);
	cfg->nr_rules++;
	return 0;
}

/* a time: digits and a unit, us, ms or s; 0 or -1 */
static int duration_us(const char *s, unsigned long long *us)
{
	static const struct {
		const char *unit;
		unsigned long long mult;
	} units[] = { { "us", 1 }, { "ms", 1000 }, { "s", 1000000 } };
	unsigned long long v;
	char *end;
	size_t i;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit))
			continue;
		if (v > ~0ULL / units[i].mult)
			return -1;
		*us = v * units[i].mult;
		return 0;
	}
	return -1;
}

/* a whole percentage from 1% to 100%, the sign included; 0 or -1 */
static int percent(const char *s, unsigned int *pct)
{
	unsigned long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || strcmp(end, "%") || v < 1 || v > 100)
		return -1;
	*pct = (unsigned int)v;
	return 0;
}

static int parse_pressure(struct parser *ps, struct oomx_config *cfg, int n, char **w)
{
	struct oomx_pressure *p;
	int at = 5;

	if (n < 5)
		return fail(ps, "expected 'pressure SCOPE some|full STALL WINDOW [for DURATION "
			    "[swap PCT%%]] [dry-run]', e.g. 'pressure / some 150ms 1s'");
	if (cfg->nr_pressure == OOMX_CFG_MAX_PRESSURE)
		return fail(ps, "too many pressure triggers (at most %d)", OOMX_CFG_MAX_PRESSURE);
	p = &cfg->pressure[cfg->nr_pressure];
	memset(p, 0, sizeof(*p));
	p->line = ps->line;
	if (w[1][0] != '/')
		return fail(ps, "a pressure scope is '/' (the machine) or a cgroup path from the "
			    "cgroup2 mount, e.g. /work.slice; got '%s'", w[1]);
	if (strlen(w[1]) >= OOMX_CFG_VALUE_LEN)
		return fail(ps, "cgroup path longer than %d bytes", OOMX_CFG_VALUE_LEN - 1);
	if (has_dot_component(w[1]))
		return fail(ps, "a cgroup path may not contain '.' or '..' components");
	strcpy(p->scope, w[1]);	/* length checked above */
	normalize_path(p->scope);
	if (strcmp(w[2], "some") && strcmp(w[2], "full"))
		return fail(ps, "the stall kind is 'some' (a task stalled) or 'full' (all "
			    "stalled), got '%s'", w[2]);
	p->full = w[2][0] == 'f';
	if (duration_us(w[4], &p->window_us) || p->window_us < OOMX_PSI_WINDOW_MIN_US ||
	    p->window_us > OOMX_PSI_WINDOW_MAX_US)
		return fail(ps, "the window is a time from 500ms to 10s (the range "
			    "Documentation/accounting/psi.rst gives), got '%s'", w[4]);
	if (duration_us(w[3], &p->stall_us) || !p->stall_us || p->stall_us > p->window_us)
		return fail(ps, "the stall is a time above 0 and at most the window (%s), "
			    "with a unit (us, ms, s), got '%s'", w[4], w[3]);
	if (at < n && !strcmp(w[at], "for")) {
		if (at + 1 >= n || duration_us(w[at + 1], &p->for_us) ||
		    p->for_us > OOMX_PRESSURE_MAX_FOR_US)
			return fail(ps, "'for' wants a time up to 3600s, with a unit (us, ms, "
				    "s), got '%s'", at + 1 < n ? w[at + 1] : "");
		at += 2;
	}
	if (at < n && !strcmp(w[at], "swap")) {
		if (!p->for_us)
			return fail(ps, "'swap PCT%%' follows 'for DURATION': a line without a "
				    "duration acts at every trip already");
		if (at + 1 >= n || percent(w[at + 1], &p->swap_pct))
			return fail(ps, "'swap' wants a share of swap used from 1%% to 100%%, "
				    "e.g. 'swap 90%%', got '%s'", at + 1 < n ? w[at + 1] : "");
		at += 2;
	}
	if (at < n && !strcmp(w[at], "dry-run")) {
		p->dry_run = true;
		at++;
	}
	if (at < n)
		return fail(ps, "unexpected '%s' after the window: only 'for DURATION', "
			    "'swap PCT%%' and then 'dry-run' may follow, in that order", w[at]);
	cfg->nr_pressure++;
	return 0;
}

/* a setting's name: a C identifier, as OOMX_TUNABLE() declares it */
static bool setting_name(const char *s)
{
	size_t i;

	if (!(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (i = 1; s[i]; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return false;
	return i < OOMX_CFG_NAME_LEN;
}

static int parse_setting(struct parser *ps, struct oomx_config *cfg, int n, char **w)
{
	struct oomx_setting *s;
	size_t i;

	if (!setting_name(w[0]))
		return fail(ps, "'%s' is neither a rule (protect, prefer, class, kill), a pressure trigger nor a setting "
			    "name (letters, digits and '_', at most %d bytes)", w[0],
			    OOMX_CFG_NAME_LEN - 1);
	if (n != 2)
		return fail(ps, "a setting is 'NAME VALUE': '%s' %s", w[0],
			    n < 2 ? "has no value" : "has more than one value (quote a value "
			    "with blanks)");
	for (i = 0; i < cfg->nr_settings; i++)
		if (!strcmp(cfg->settings[i].name, w[0]))
			return fail(ps, "%s is set twice (first at line %u)", w[0],
				    cfg->settings[i].line);
	if (cfg->nr_settings == OOMX_CFG_MAX_SETTINGS)
		return fail(ps, "too many settings (at most %d)", OOMX_CFG_MAX_SETTINGS);
	if (strlen(w[1]) >= OOMX_CFG_VALUE_LEN)
		return fail(ps, "the value of %s is longer than %d bytes", w[0],
			    OOMX_CFG_VALUE_LEN - 1);
	s = &cfg->settings[cfg->nr_settings++];
	s->line = ps->line;
	strcpy(s->name, w[0]);	/* lengths checked above */
	strcpy(s->value, w[1]);
	return 0;
}

static int parse_line(struct parser *ps, struct oomx_config *cfg, char *line)
{
	char *w[MAX_WORDS];
	int n = split(ps, line, w);

	if (n <= 0)
		return n;
	if (!strcmp(w[0], "protect") || !strcmp(w[0], "prefer") || !strcmp(w[0], "class") ||
	    !strcmp(w[0], "kill"))
		return parse_rule(ps, cfg, n, w);
	if (!strcmp(w[0], "pressure"))
		return parse_pressure(ps, cfg, n, w);
	return parse_setting(ps, cfg, n, w);
}

int oomx_config_parse(const char *name, const char *text, size_t len,
		      struct oomx_config *cfg, char err[OOMX_CFG_ERR_LEN])
{
	struct parser ps = { .name = name, .line = 0, .err = err };
	char line[MAX_LINE + 1];
	size_t i = 0;

	oomx_config_init(cfg);
	err[0] = '\0';
	while (i < len) {
		size_t n = 0;

		ps.line++;
		while (i < len && text[i] != '\n') {
			if (text[i] == '\0')
				return fail(&ps, "NUL byte: this is not a text file");
			if (n == MAX_LINE)
				return fail(&ps, "line longer than %d bytes", MAX_LINE);
			line[n++] = text[i++];
		}
		line[n] = '\0';
		i++;	/* the newline */
		if (parse_line(&ps, cfg, line))
			return -1;
	}
	return 0;
}

int oomx_config_load(const char *path, struct oomx_config *cfg,
		     char err[OOMX_CFG_ERR_LEN])
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len;
	int ret = -1;

	if (!f) {
		snprintf(err, OOMX_CFG_ERR_LEN, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	buf = malloc(MAX_FILE + 1);
	if (!buf) {
		snprintf(err, OOMX_CFG_ERR_LEN, "%s: out of memory", path);
		goto out;
	}
	len = fread(buf, 1, MAX_FILE + 1, f);
	if (ferror(f)) {
		snprintf(err, OOMX_CFG_ERR_LEN, "%s: read error", path);
		goto out;
	}
	if (len > MAX_FILE) {
		snprintf(err, OOMX_CFG_ERR_LEN, "%s: larger than %d bytes", path, MAX_FILE);
		goto out;
	}
	ret = oomx_config_parse(path, buf, len, cfg, err);
out:
	free(buf);
	fclose(f);
	return ret;
}

// SPDX-License-Identifier: GPL-2.0
/* The rule maps of a policy that includes bpf/rules.bpf.h; see rules.h. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <linux/types.h>
#include "events.h"
#include "oomx_shared.h"
#include "pin.h"
#include "rules.h"

#define CGROUP_ROOT		"/sys/fs/cgroup"
#define PATH_MAX_LEN		4096
#define CGROUP2_MAGIC		0x63677270	/* CGROUP2_SUPER_MAGIC */
#define INIT_CGROUP_NS_INO	0xEFFFFFFBU	/* PROC_CGROUP_INIT_INO */
#define MAP_ENTRIES		1024	/* the largest map, prio_cgroup */
#define RULE_ENTRIES		512	/* the rule maps: two generations of 256 */

static const struct {
	const char *name;
	__u32 key_size;
	__u32 gen_off;
} maps[RM_NR] = {
	[RM_CGPATH] = { "prio_cgpath", sizeof(struct prio_cgpath_key),
			offsetof(struct prio_cgpath_key, gen) },
	[RM_CGROUP] = { "prio_cgroup", sizeof(struct prio_cgroup_key),
			offsetof(struct prio_cgroup_key, gen) },
	[RM_COMM] = { "prio_comm", sizeof(struct prio_comm_key),
		      offsetof(struct prio_comm_key, gen) },
	[RM_UID] = { "prio_uid", sizeof(struct prio_uid_key),
		     offsetof(struct prio_uid_key, gen) },
};

union rule_key {
	struct prio_cgpath_key p;
	struct prio_cgroup_key c;
	struct prio_comm_key m;
	struct prio_uid_key u;
};

static union rule_key keys[MAP_ENTRIES];

static __u32 key_gen(enum rules_map m, const union rule_key *k)
{
	__u32 gen;

	memcpy(&gen, (const char *)k + maps[m].gen_off, sizeof(gen));
	return gen;
}

static void key_set_gen(enum rules_map m, union rule_key *k, __u32 gen)
{
	memcpy((char *)k + maps[m].gen_off, &gen, sizeof(gen));
}

/* collect: into keys[], the keys of map @m whose generation is @gen (or is not) */
static size_t collect(const struct rules_maps *rm, enum rules_map m, __u32 gen, bool equal)
{
	union rule_key key, next;
	void *prev = NULL;
	size_t n = 0;

	while (n < MAP_ENTRIES && !bpf_map_get_next_key(rm->fd[m], prev, &next)) {
		key = next;
		if ((key_gen(m, &key) == gen) == equal)
			keys[n++] = key;
		prev = &key;
	}
	return n;
}

bool rules_in_object(struct bpf_object *obj)
{
	int m;

	for (m = 0; m < RM_NR; m++)
		if (!bpf_object__find_map_by_name(obj, maps[m].name))
			return false;
	return true;
}

bool rules_pinned(void)
{
	char path[256];

	pin_path(path, sizeof(path), maps[RM_CGPATH].name);
	return access(path, F_OK) == 0;
}

int rules_check(const struct oomx_config *cfg, const char *src)
{
	size_t i, j;

	for (i = 0; i < cfg->nr_rules; i++) {
		const struct oomx_rule *r = &cfg->rules[i];

		for (j = 0; j < i; j++) {
			const struct oomx_rule *o = &cfg->rules[j];

			if (o->match == r->match && !o->kill_mode == !r->kill_mode &&
			    (r->match == OOMX_MATCH_UID ? o->uid == r->uid :
			     !strcmp(o->value, r->value))) {
				fprintf(stderr, "%s:%u: a second %s rule for the same %s; the first "
					"is at line %u\n", src, r->line, r->kill_mode ? "kill" : "class",
					r->match == OOMX_MATCH_UID ? "uid" :
					r->match == OOMX_MATCH_CGROUP ? "cgroup" : "command", o->line);
				return 1;
			}
		}
	}
	return 0;
}

/*
 * The rule maps' values must be this oomx's struct prio_rule: a policy built
 * against an older bpf/rules.bpf.h (8-byte rules, no kill modes) would read
 * half a value, or a kill-only entry as class 256, "never".
 */
static int check_layout(const char *cmd, const char *name, __u32 value_size)
{
	if (value_size == sizeof(struct prio_rule))
		return 0;
	fprintf(stderr, "%s: map %s holds %u-byte rules, this oomx writes %zu: the policy was built "
		"against another version of bpf/rules.bpf.h; rebuild it (make policy) or load it "
		"again with this oomx ('oomx load --replace')\n", cmd, name, value_size,
		sizeof(struct prio_rule));
	return 1;
}

int rules_open_pinned(const char *cmd, struct rules_maps *rm)
{
	struct bpf_map_info info;
	char path[256];
	__u32 len;
	int m;

	rm->owned = true;
	for (m = 0; m < RM_NR; m++)
		rm->fd[m] = -1;
	for (m = 0; m < RM_NR; m++) {
		pin_path(path, sizeof(path), maps[m].name);
		rm->fd[m] = bpf_obj_get(path);
		if (rm->fd[m] < 0) {
			fprintf(stderr, "%s: cannot open %s: %s\n", cmd, path, strerror(errno));
			rules_close(rm);
			return 1;
		}
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (bpf_map_get_info_by_fd(rm->fd[m], &info, &len)) {
			fprintf(stderr, "%s: cannot inspect map %s: %s\n", cmd, maps[m].name,
				strerror(errno));
			rules_close(rm);
			return 1;
		}
		if (check_layout(cmd, maps[m].name, info.value_size)) {
			rules_close(rm);
			return 1;
		}
	}
	return 0;
}

int rules_of_object(const char *cmd, struct bpf_object *obj, struct rules_maps *rm)
{
	int m;

	rm->owned = false;
	for (m = 0; m < RM_NR; m++) {
		struct bpf_map *map = bpf_object__find_map_by_name(obj, maps[m].name);

		if (!map) {
			fprintf(stderr, "%s: the policy has no map %s (a build problem)\n", cmd,
				maps[m].name);
			return 1;
		}
		if (check_layout(cmd, maps[m].name, bpf_map__value_size(map)))
			return 1;
		rm->fd[m] = bpf_map__fd(map);
	}
	return 0;
}

void rules_close(struct rules_maps *rm)
{
	int m;

	for (m = 0; m < RM_NR; m++) {
		if (rm->owned && rm->fd[m] >= 0)
			close(rm->fd[m]);
		rm->fd[m] = -1;
	}
}

/*
 * Wait for any cgroup mkdir in flight. cgroup_mkdir() fires the tracepoint
 * the policy binds new cgroups from, and only then makes the directory
 * visible (kernfs_activate()), both under cgroup_mutex. A mkdir or rmdir
 * of our own takes cgroup_mutex after it: once it returns, every cgroup
 * whose tracepoint fired before our rules were stored is visible to stat().
 */
static void cgroup_barrier(const char *cmd)
{
	char path[64];

	snprintf(path, sizeof(path), CGROUP_ROOT "/oomx-barrier.%d", (int)getpid());
	if (!mkdir(path, 0700) || errno == EEXIST) {
		rmdir(path);
		return;
	}
	fprintf(stderr, "%s: warning: cannot create %s (%s): a cgroup created at this very "
		"moment may miss its rule until the next 'oomx apply'\n", cmd, path,
		strerror(errno));
}

/*
 * The policy sees paths from the cgroup2 hierarchy's root (cgroup_path()),
 * oomx looks them up below CGROUP_ROOT: both agree only if CGROUP_ROOT is
 * the whole cgroup2 hierarchy, seen from the initial cgroup namespace.
 */
static int cgroup_root_ok(const char *cmd)
{
	char line[4096], root[PATH_MAX_LEN], mnt[PATH_MAX_LEN];
	struct statfs sfs;
	struct stat st;
	bool whole = false;
	FILE *f;

	if (statfs(CGROUP_ROOT, &sfs) || sfs.f_type != CGROUP2_MAGIC) {
		fprintf(stderr, "%s: cgroup rules need the cgroup2 hierarchy at %s, which is not "
			"there; use comm or uid rules on this machine\n", cmd, CGROUP_ROOT);
		return 1;
	}
	if (!stat("/proc/self/ns/cgroup", &st) && st.st_ino != INIT_CGROUP_NS_INO) {
		fprintf(stderr, "%s: cgroup rules need the initial cgroup namespace (oomx runs in "
			"another, a container's?); run oomx on the host\n", cmd);
		return 1;
	}
	f = fopen("/proc/self/mountinfo", "r");
	while (f && fgets(line, sizeof(line), f)) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT ... */
		if (sscanf(line, "%*s %*s %*s %4095s %4095s", root, mnt) == 2 &&
		    !strcmp(mnt, CGROUP_ROOT))
			whole = !strcmp(root, "/");
	}
	if (f)
		fclose(f);
	if (!whole) {
		fprintf(stderr, "%s: %s is not the root of the cgroup2 hierarchy (a bind mount of "
			"a part of it?); cgroup rules need the whole hierarchy there\n", cmd,
			CGROUP_ROOT);
		return 1;
	}
	return 0;
}

/* the id of the cgroup at @path (below the cgroup2 root): 0 if there is none */
static int cgroup_id_of(const char *path, __u64 *id)
{
	char dir[OOMX_CGPATH_LEN + sizeof(CGROUP_ROOT)];
	struct stat st;

	snprintf(dir, sizeof(dir), CGROUP_ROOT "%s", path);
	*id = 0;
	if (stat(dir, &st))
		return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
	if (S_ISDIR(st.st_mode))
		*id = st.st_ino;
	return 0;
}

static int store(const char *cmd, const struct rules_maps *rm, enum rules_map m,
		 const void *key, const struct prio_rule *val)
{
	if (!bpf_map_update_elem(rm->fd[m], key, val, BPF_ANY))
		return 0;
	fprintf(stderr, "%s: cannot store the rule of line %u in map %s: %s\n", cmd,
		val->kill_line ? val->kill_line : val->line, maps[m].name, strerror(errno));
	return 1;
}

/*
 * A cgroup path has one entry for its class line and its kill line: merge
 * @r into the entry of @pk stored so far, if any.
 */
static void merge_path_rule(const struct rules_maps *rm, const struct prio_cgpath_key *pk,
			    const struct oomx_rule *r, struct prio_rule *val)
{
	if (bpf_map_lookup_elem(rm->fd[RM_CGPATH], pk, val))
		*val = (struct prio_rule){ .klass = OOMX_CLASS_NONE };
	if (r->kill_mode) {
		val->kill_mode = r->kill_mode;
		val->kill_line = r->line;
	} else {
		val->klass = r->klass;
		val->line = r->line;
	}
}

/*
 * bind_paths: bind every cgroup rule of generation @gen to the cgroup that
 * has its path now, if one does (the policy binds those created later);
 * say which rules wait for their cgroup. 0 or 1 (printed).
 */
static int bind_paths(const char *cmd, const struct rules_maps *rm, __u32 gen)
{
	struct prio_rule val;
	char lines[48];
	size_t i, n;
	__u64 id;
	int err;

	n = collect(rm, RM_CGPATH, gen, true);
	if (!n)
		return 0;
	if (cgroup_root_ok(cmd))
		return 1;
	cgroup_barrier(cmd);
	for (i = 0; i < n; i++) {
		struct prio_cgroup_key ck = { .gen = gen };

		if (bpf_map_lookup_elem(rm->fd[RM_CGPATH], &keys[i], &val))
			continue;
		/* a path's class and kill lines share the entry: name both */
		if (val.klass == OOMX_CLASS_NONE || !val.kill_mode)
			snprintf(lines, sizeof(lines), "line %u",
				 val.kill_mode ? val.kill_line : val.line);
		else
			snprintf(lines, sizeof(lines), "lines %u and %u",
				 val.line < val.kill_line ? val.line : val.kill_line,
				 val.line < val.kill_line ? val.kill_line : val.line);
		err = cgroup_id_of(keys[i].p.path, &id);
		if (err) {
			fprintf(stderr, "%s: %s: cannot look up cgroup %s: %s\n", cmd, lines,
				keys[i].p.path, strerror(-err));
			return 1;
		}
		if (!id) {
			fprintf(stderr, "%s: note: %s: no cgroup %s yet; the rule applies once "
				"one has this path\n", cmd, lines, keys[i].p.path);
			continue;
		}
		ck.id = id;
		if (store(cmd, rm, RM_CGROUP, &ck, &val))
			return 1;
	}
	return 0;
}

int rules_fill(const char *cmd, const struct rules_maps *rm, const struct oomx_config *cfg,
	       __u32 gen)
{
	bool cgroups = false;
	size_t i;
	int err;

	for (i = 0; i < cfg->nr_rules; i++) {
		const struct oomx_rule *r = &cfg->rules[i];
		struct prio_rule val = { .klass = r->klass, .line = r->line };
		struct prio_cgpath_key pk = { .gen = gen };
		struct prio_comm_key mk = { .gen = gen };
		struct prio_uid_key uk = { .uid = r->uid, .gen = gen };

		switch (r->match) {
		case OOMX_MATCH_CGROUP:
			/* the config parser keeps paths shorter than the key */
			memcpy(pk.path, r->value, strnlen(r->value, sizeof(pk.path) - 1));
			merge_path_rule(rm, &pk, r, &val);
			err = store(cmd, rm, RM_CGPATH, &pk, &val);
			cgroups = true;
			break;
		case OOMX_MATCH_COMM:
			memcpy(mk.comm, r->value, strnlen(r->value, sizeof(mk.comm) - 1));
			err = store(cmd, rm, RM_COMM, &mk, &val);
			break;
		default:
			err = store(cmd, rm, RM_UID, &uk, &val);
		}
		if (err)
			return 1;
	}
	return cgroups ? bind_paths(cmd, rm, gen) : 0;
}

int rules_copy(const char *cmd, const struct rules_maps *rm, __u32 from, __u32 to)
{
	/* bindings are made again, not copied: a copy would keep stale ones */
	static const enum rules_map rules[] = { RM_CGPATH, RM_COMM, RM_UID };
	struct prio_rule val;
	size_t i, n, k;

	for (k = 0; k < sizeof(rules) / sizeof(rules[0]); k++) {
		enum rules_map m = rules[k];

		n = collect(rm, m, from, true);
		for (i = 0; i < n; i++) {
			if (bpf_map_lookup_elem(rm->fd[m], &keys[i], &val))
				continue;
			key_set_gen(m, &keys[i], to);
			if (store(cmd, rm, m, &keys[i], &val))
				return 1;
		}
	}
	return bind_paths(cmd, rm, to);
}

static void drop(const struct rules_maps *rm, __u32 gen, bool equal)
{
	size_t i, n;
	int m;

	for (m = 0; m < RM_NR; m++) {
		n = collect(rm, m, gen, equal);
		for (i = 0; i < n; i++)
			bpf_map_delete_elem(rm->fd[m], &keys[i]);
	}
}

void rules_drop(const struct rules_maps *rm, __u32 gen)
{
	drop(rm, gen, true);
}

void rules_drop_others(const struct rules_maps *rm, __u32 gen)
{
	drop(rm, gen, false);
}

struct shown_rule {
	__u32 line;
	__u32 klass;
	__u32 kill_mode;	/* a kill line, not a class line */
	enum oomx_match match;
	char value[OOMX_CGPATH_LEN];
};

static int by_line(const void *a, const void *b)
{
	const struct shown_rule *x = a, *y = b;

	return x->line < y->line ? -1 : x->line > y->line;
}

static struct shown_rule shown[4 * RULE_ENTRIES];	/* a cgroup entry shows two */
static size_t nshown;

/* one line of the listing: @base's match and value, a class or a kill mode */
static void show(const struct shown_rule *base, __u32 line, __u32 klass, __u32 kill_mode)
{
	struct shown_rule *s = &shown[nshown++];

	*s = *base;
	s->line = line;
	s->klass = klass;
	s->kill_mode = kill_mode;
}

static void print_action(bool json, __u32 klass, __u32 kill_mode)
{
	char word[24];

	if (json && kill_mode)
		printf("\"action\":\"kill\",\"kill_mode\":\"%s\"", kill_mode_str(kill_mode));
	else if (json)
		printf("\"action\":\"%s\",\"class\":%u", klass == OOMX_CLASS_PROTECT ? "protect" :
		       klass == OOMX_CLASS_PREFER ? "prefer" : "class", klass);
	if (json)
		return;
	if (kill_mode)
		snprintf(word, sizeof(word), "kill %s", kill_mode_str(kill_mode));
	else if (klass == OOMX_CLASS_PROTECT || klass == OOMX_CLASS_PREFER)
		snprintf(word, sizeof(word), "%s", klass == OOMX_CLASS_PROTECT ? "protect" : "prefer");
	else
		snprintf(word, sizeof(word), "class %u", klass);
	printf("%-9s", word);
}

/* a cgroup rule's binding: bound, waiting for its cgroup, or (a bug) neither */
static void print_binding(const struct rules_maps *rm, const struct shown_rule *s, __u32 gen,
			  bool json)
{
	struct prio_cgroup_key ck = { .gen = gen };
	struct prio_rule val;
	const char *state;
	__u64 id;

	if (cgroup_id_of(s->value, &id))
		id = 0;
	ck.id = id;
	state = !id ? "waiting" :
		!bpf_map_lookup_elem(rm->fd[RM_CGROUP], &ck, &val) ? "bound" : "unbound";
	if (json) {
		printf(",\"state\":\"%s\",\"cgroup_id\":", state);
		if (id)
			printf("%llu", (unsigned long long)id);
		else
			printf("null");
	} else if (!id) {
		printf("  waiting: no cgroup has this path yet; the rule applies once one does");
	} else if (!strcmp(state, "bound")) {
		printf("  bound to cgroup %llu", (unsigned long long)id);
	} else {
		printf("  NOT bound to cgroup %llu, which has this path (a bug: 'oomx apply' "
		       "binds it again)", (unsigned long long)id);
	}
}

void rules_print(const struct rules_maps *rm, __u32 gen, bool json)
{
	static const enum rules_map with_rules[] = { RM_CGPATH, RM_COMM, RM_UID };
	struct shown_rule base;
	struct prio_rule val;
	size_t i, n, k, count;

	nshown = 0;
	for (k = 0; k < 3; k++) {
		enum rules_map m = with_rules[k];

		n = collect(rm, m, gen, true);
		for (i = 0; i < n; i++) {
			if (bpf_map_lookup_elem(rm->fd[m], &keys[i], &val))
				continue;
			memset(&base, 0, sizeof(base));
			if (m == RM_CGPATH) {
				base.match = OOMX_MATCH_CGROUP;
				memcpy(base.value, keys[i].p.path, sizeof(base.value) - 1);
			} else if (m == RM_COMM) {
				base.match = OOMX_MATCH_COMM;
				memcpy(base.value, keys[i].m.comm, sizeof(keys[i].m.comm));
			} else {
				base.match = OOMX_MATCH_UID;
				snprintf(base.value, sizeof(base.value), "%u", keys[i].u.uid);
			}
			/* a path's class line and kill line share its entry */
			if (val.klass != OOMX_CLASS_NONE)
				show(&base, val.line, val.klass, 0);
			if (val.kill_mode)
				show(&base, val.kill_line, 0, val.kill_mode);
		}
	}
	count = nshown;
	qsort(shown, count, sizeof(shown[0]), by_line);
	if (json)
		putchar('[');
	else
		printf("rules:       %zu%s\n", count, count ? "" : " (every task is in class 100)");
	for (i = 0; i < count; i++) {
		const struct shown_rule *s = &shown[i];
		const char *match = s->match == OOMX_MATCH_CGROUP ? "cgroup" :
				    s->match == OOMX_MATCH_COMM ? "comm" : "uid";

		if (json) {
			printf("%s{\"line\":%u,", i ? "," : "", s->line);
			print_action(true, s->klass, s->kill_mode);
			printf(",\"match\":\"%s\",\"value\":", match);
			json_string(stdout, s->value, sizeof(s->value));
		} else {
			printf("  line %-4u ", s->line);
			print_action(false, s->klass, s->kill_mode);
			printf(" %-6s %s", match, s->value);
		}
		if (s->match == OOMX_MATCH_CGROUP)
			print_binding(rm, s, gen, json);
		if (json)
			putchar('}');
		else
			putchar('\n');
	}
	if (json)
		putchar(']');
}

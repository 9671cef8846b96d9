// SPDX-License-Identifier: GPL-2.0
/*
 * oomx - load, observe and control oom_ext OOM policies.
 *
 * The policies are compiled in (bpf/<name>.bpf.c, embedded as the ELF
 * bytes of their skeletons) and handled generically through libbpf: every
 * policy has a struct_ops map, an "events" ring buffer and the exit record
 * "uei" (bpf/oomx.bpf.h).
 *
 * Exit status of every subcommand:
 *   0  success
 *   1  failure (the message says what and what to do)
 *   2  usage error
 *   3  (run) the kernel disabled the policy because of an error
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>
#include "config.h"
#include "events.h"
#include "globals.h"
#include "policies.h"

#define SYSFS_OOM_EXT	"/sys/kernel/oom_ext"
#define EXIT_USAGE	2
#define EXIT_POLICY_ERROR 3

static volatile sig_atomic_t exiting;
static bool verbose;

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static const struct oomx_policy *policy_find(const char *name)
{
	size_t i;

	for (i = 0; i < oomx_nr_policies; i++)
		if (!strcmp(oomx_policies[i].name, name))
			return &oomx_policies[i];
	return NULL;
}

static void unknown_policy(const char *name)
{
	size_t i;

	fprintf(stderr, "oomx: no policy named '%s'; the built-in policies are:", name);
	for (i = 0; i < oomx_nr_policies; i++)
		fprintf(stderr, " %s", oomx_policies[i].name);
	fprintf(stderr, " (see 'oomx list')\n");
}

/* read a one-line sysfs file into @buf without the newline; -errno on failure */
static int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	int err = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		err = ferror(f) ? -EIO : 0, buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return err;
}

static bool kernel_has_oom_ext(void)
{
	return access(SYSFS_OOM_EXT "/state", R_OK) == 0;
}

/* ------------------------------------------------------------------ list */

static int cmd_list(int argc, char **argv)
{
	size_t i;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		puts("Usage: oomx list\nThe built-in policies, one line each.");
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "oomx list: unexpected argument '%s'\n", argv[1]);
		return EXIT_USAGE;
	}
	for (i = 0; i < oomx_nr_policies; i++)
		printf("%-10s %s\n", oomx_policies[i].name, oomx_policies[i].summary);
	return 0;
}

/* ----------------------------------------------------------------- check */

struct check_state {
	int failed;
};

static void check_item(struct check_state *cs, bool ok, const char *what, const char *fix)
{
	if (ok) {
		printf("ok       %s\n", what);
	} else {
		printf("MISSING  %s\n         -> %s\n", what, fix);
		cs->failed++;
	}
}

static int cmd_check(int argc, char **argv)
{
	struct check_state cs = { 0 };
	struct statfs sfs;
	struct btf *btf;
	bool has_type = false;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		puts("Usage: oomx check\n"
		     "Tell whether this machine can run oomx policies, and what to do if not.\n"
		     "Exit status 0 if everything is there, 1 otherwise.");
		return 0;
	}
	check_item(&cs, access("/sys/kernel/btf/vmlinux", R_OK) == 0,
		   "kernel BTF (/sys/kernel/btf/vmlinux)",
		   "boot a kernel built with CONFIG_DEBUG_INFO_BTF=y");
	btf = btf__load_vmlinux_btf();
	if (btf) {
		has_type = btf__find_by_name_kind(btf, "oom_ext_ops", BTF_KIND_STRUCT) > 0;
		btf__free(btf);
	}
	check_item(&cs, has_type, "struct oom_ext_ops in the kernel's BTF",
		   "this kernel lacks the oom_ext patches: build one with 'make kernel' "
		   "(kernel/patches, CONFIG_OOM_EXT=y) and boot it");
	check_item(&cs, kernel_has_oom_ext(), SYSFS_OOM_EXT,
		   "the kernel has no oom_ext: boot a kernel with CONFIG_OOM_EXT=y");
	check_item(&cs, statfs("/sys/fs/bpf", &sfs) == 0 && sfs.f_type == BPF_FS_MAGIC,
		   "bpffs mounted at /sys/fs/bpf (needed by 'oomx load')",
		   "mount it: mount -t bpf bpf /sys/fs/bpf");
	check_item(&cs, geteuid() == 0, "running as root (CAP_BPF, CAP_PERFMON, CAP_SYS_ADMIN)",
		   "run oomx as root, e.g. with sudo");
	if (cs.failed)
		printf("%d check%s failed\n", cs.failed, cs.failed == 1 ? "" : "s");
	else
		puts("this machine can run oomx policies");
	return cs.failed ? 1 : 0;
}

/* ---------------------------------------------------------------- status */

static const char *const counters[] = {
	"invocations", "policy_choices", "fallbacks", "errors", "kills", "reaps",
};

static int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	char state[64], policy[128], reason[2048], val[64], path[256];
	bool json = false;
	size_t i;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "jh", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'h':
			puts("Usage: oomx status [--json]\n"
			     "The kernel's oom_ext state: the attached policy, the last exit reason\n"
			     "and the counters of /sys/kernel/oom_ext.");
			return 0;
		default:
			return EXIT_USAGE;
		}
	}
	if (!kernel_has_oom_ext()) {
		fprintf(stderr, "oomx status: %s does not exist: this kernel has no oom_ext "
			"(run 'oomx check')\n", SYSFS_OOM_EXT);
		return 1;
	}
	if (read_line(SYSFS_OOM_EXT "/state", state, sizeof(state)) ||
	    read_line(SYSFS_OOM_EXT "/policy", policy, sizeof(policy)) ||
	    read_line(SYSFS_OOM_EXT "/exit_reason", reason, sizeof(reason))) {
		fprintf(stderr, "oomx status: cannot read %s: %s\n", SYSFS_OOM_EXT, strerror(errno));
		return 1;
	}
	if (json) {
		printf("{\"state\":");
		json_string(stdout, state, sizeof(state));
		printf(",\"policy\":");
		if (policy[0])
			json_string(stdout, policy, sizeof(policy));
		else
			printf("null");
		printf(",\"exit_reason\":");
		json_string(stdout, reason, sizeof(reason));
		printf(",\"counters\":{");
	} else {
		printf("state:       %s\npolicy:      %s\nlast exit:   %s\n", state,
		       policy[0] ? policy : "(none)", reason);
	}
	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		snprintf(path, sizeof(path), SYSFS_OOM_EXT "/%s", counters[i]);
		if (read_line(path, val, sizeof(val))) {
			fprintf(stderr, "oomx status: cannot read %s\n", path);
			return 1;
		}
		if (json)
			printf("%s\"%s\":%s", i ? "," : "", counters[i], val);
		else
			printf("%-13s%s\n", counters[i], val);
	}
	if (json)
		printf("}}\n");
	return 0;
}

/* ------------------------------------------------------------------- run */

struct run_ctx {
	bool json;
	const volatile struct oomx_exit *uei;
};

static int on_event(void *ctx, void *data, size_t len)
{
	struct run_ctx *rc = ctx;
	struct oomx_event ev = { 0 };

	memcpy(&ev, data, len < sizeof(ev) ? len : sizeof(ev));
	if (rc->json)
		event_print_json(stdout, &ev);
	else
		event_print_text(stdout, &ev);
	fflush(stdout);
	return 0;
}

/* the live address of global @name, which must be @size bytes, or NULL */
static volatile void *find_global(struct bpf_object *obj, const char *name, size_t size)
{
	struct oomx_global g;

	if (oomx_global_find(obj, name, &g) || g.size != size)
		return NULL;
	return oomx_global_ptr(&g);
}

/* the keys of the priority policy's rule maps (bpf/priority.bpf.c) */
struct prio_rule {
	__u32 klass;
	__u32 line;
};

/*
 * check_config: everything about @cfg that can be checked before loading:
 * rules only for a policy that takes them, cgroups that exist (their ids
 * are stored in @ids), no two rules for the same thing. 0 or 1 (printed).
 */
static int check_config(const struct oomx_policy *pol, const struct oomx_config *cfg,
			const char *path, __u64 *ids)
{
	size_t i, j;

	if (cfg->nr_rules && !pol->rules) {
		fprintf(stderr, "%s:%u: the %s policy takes no rules; rules are for the "
			"priority policy\n", path, cfg->rules[0].line, pol->name);
		return 1;
	}
	for (i = 0; i < cfg->nr_rules; i++) {
		const struct oomx_rule *r = &cfg->rules[i];

		if (r->match == OOMX_MATCH_CGROUP) {
			char dir[PATH_MAX];
			struct stat st;

			snprintf(dir, sizeof(dir), "/sys/fs/cgroup%s", r->value);
			if (stat(dir, &st) || !S_ISDIR(st.st_mode)) {
				fprintf(stderr, "%s:%u: cgroup %s does not exist (%s); create it "
					"first or fix the path\n", path, r->line, r->value, dir);
				return 1;
			}
			ids[i] = st.st_ino;
		}
		for (j = 0; j < i; j++) {
			const struct oomx_rule *o = &cfg->rules[j];

			if (o->match == r->match &&
			    (r->match == OOMX_MATCH_UID ? o->uid == r->uid :
			     r->match == OOMX_MATCH_CGROUP ? ids[j] == ids[i] :
			     !strcmp(o->value, r->value))) {
				fprintf(stderr, "%s:%u: a second rule for the same %s; the first "
					"is at line %u\n", path, r->line,
					r->match == OOMX_MATCH_UID ? "uid" :
					r->match == OOMX_MATCH_CGROUP ? "cgroup" : "command", o->line);
				return 1;
			}
		}
	}
	return 0;
}

/* set_settings: the common settings, into the opened (not loaded) policy */
static int set_settings(struct bpf_object *obj, const struct oomx_policy *pol,
			const struct oomx_config *cfg)
{
	volatile struct oomx_common_cfg *common;

	common = find_global(obj, "oomx_common", sizeof(*common));
	if (!common) {
		fprintf(stderr, "oomx: the %s policy has no settings (a build problem)\n", pol->name);
		return 1;
	}
	common->reap_delay_ms = cfg->reap_delay_ms;
	common->victim_timeout_ms = cfg->victim_timeout_ms;
	return 0;
}

/* fill_rules: the rules, into the loaded policy's maps, before it attaches */
static int fill_rules(struct bpf_object *obj, const struct oomx_config *cfg, const __u64 *ids)
{
	static const char *const maps[] = { "prio_cgroup", "prio_comm", "prio_uid" };
	size_t i;

	for (i = 0; i < cfg->nr_rules; i++) {
		const struct oomx_rule *r = &cfg->rules[i];
		struct prio_rule val = { .klass = r->klass, .line = r->line };
		struct bpf_map *map = bpf_object__find_map_by_name(obj, maps[r->match]);
		char comm[16] = { 0 };
		const void *key;
		size_t ksz;

		if (r->match == OOMX_MATCH_CGROUP) {
			key = &ids[i];
			ksz = sizeof(ids[i]);
		} else if (r->match == OOMX_MATCH_COMM) {
			memcpy(comm, r->value, strnlen(r->value, sizeof(comm) - 1));
			key = comm;
			ksz = sizeof(comm);
		} else {
			key = &r->uid;
			ksz = sizeof(r->uid);
		}
		if (!map || bpf_map__update_elem(map, key, ksz, &val, sizeof(val), BPF_NOEXIST)) {
			fprintf(stderr, "oomx: cannot store the rule of line %u in map %s: %s\n",
				r->line, maps[r->match], map ? strerror(errno) : "no such map");
			return 1;
		}
	}
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const char usage[] =
		"Usage: oomx run POLICY [-c FILE] [--json] [--verbose]\n"
		"Attach POLICY and print an event for every OOM kill and reap until\n"
		"Ctrl-C or until the kernel disables the policy; then detach and say\n"
		"why the policy exited. Exit status 3 if the kernel disabled it for an\n"
		"error.\n"
		"  -c, --config FILE  settings and rules (format: docs/oomx.md); an\n"
		"                     invalid file is refused before anything is loaded";
	static struct oomx_config cfg;
	static __u64 cgroup_ids[OOMX_CFG_MAX_RULES];
	char cfg_err[OOMX_CFG_ERR_LEN];
	const char *cfg_path = NULL;
	struct run_ctx rc = { 0 };
	const struct oomx_policy *pol;
	struct ring_buffer *rb = NULL;
	struct bpf_object *obj = NULL;
	struct bpf_link *link = NULL;
	struct bpf_map *map, *ops = NULL, *events = NULL;
	const volatile __u64 *lost = NULL;
	int opt, err = 1, kind;
	size_t sz;
	const void *bytes;
	LIBBPF_OPTS(bpf_object_open_opts, oo);

	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:jvh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			cfg_path = optarg;
			break;
		case 'j':
			rc.json = true;
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			puts(usage);
			return 0;
		default:
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "oomx run: give exactly one POLICY (see 'oomx list')\n");
		return EXIT_USAGE;
	}
	pol = policy_find(argv[optind]);
	if (!pol) {
		unknown_policy(argv[optind]);
		return EXIT_USAGE;
	}
	oomx_config_init(&cfg);
	if (cfg_path && oomx_config_load(cfg_path, &cfg, cfg_err)) {
		fprintf(stderr, "oomx run: %s\n", cfg_err);
		return 1;
	}
	if (!kernel_has_oom_ext()) {
		fprintf(stderr, "oomx run: this kernel has no oom_ext (%s is missing); "
			"run 'oomx check'\n", SYSFS_OOM_EXT);
		return 1;
	}

	bytes = pol->elf_bytes(&sz);
	oo.object_name = pol->name;
	obj = bpf_object__open_mem(bytes, sz, &oo);
	if (!obj) {
		fprintf(stderr, "oomx run: cannot open the %s policy: %s\n", pol->name, strerror(errno));
		goto cleanup;
	}
	if (check_config(pol, &cfg, cfg_path ? cfg_path : "(no file)", cgroup_ids) ||
	    set_settings(obj, pol, &cfg))
		goto cleanup;
	if (bpf_object__load(obj)) {
		err = -errno;
		fprintf(stderr, "oomx run: the kernel refused the %s policy: %s%s\n", pol->name,
			strerror(-err), verbose ? "" : " (--verbose shows the verifier log)");
		err = 1;
		goto cleanup;
	}
	bpf_object__for_each_map(map, obj) {
		if (bpf_map__type(map) == BPF_MAP_TYPE_STRUCT_OPS)
			ops = map;
		else if (!strcmp(bpf_map__name(map), "events"))
			events = map;
	}
	if (!ops || !events) {
		fprintf(stderr, "oomx run: the %s policy lacks its ops or events map (a build problem)\n",
			pol->name);
		goto cleanup;
	}
	/* nothing is attached yet: a failure here leaves the kernel untouched */
	if (fill_rules(obj, &cfg, cgroup_ids))
		goto cleanup;
	rc.uei = find_global(obj, "uei", sizeof(struct oomx_exit));
	lost = find_global(obj, "oomx_lost_events", sizeof(__u64));
	rb = ring_buffer__new(bpf_map__fd(events), on_event, &rc, NULL);
	if (!rb) {
		fprintf(stderr, "oomx run: cannot open the event ring buffer: %s\n", strerror(errno));
		goto cleanup;
	}
	link = bpf_map__attach_struct_ops(ops);
	if (!link) {
		char other[128];

		err = errno;
		if (err == EBUSY && !read_line(SYSFS_OOM_EXT "/policy", other, sizeof(other)))
			fprintf(stderr, "oomx run: policy '%s' is already attached; only one can be. "
				"Detach it first (stop its 'oomx run', or 'echo 0 > %s/enabled')\n",
				other, SYSFS_OOM_EXT);
		else
			fprintf(stderr, "oomx run: cannot attach the %s policy: %s\n", pol->name,
				strerror(err));
		err = 1;
		goto cleanup;
	}
	if (!rc.json)
		fprintf(stderr, "oomx: policy %s attached; Ctrl-C detaches it\n", pol->name);

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	err = 0;
	while (!exiting && !(rc.uei && rc.uei->kind)) {
		int n = ring_buffer__poll(rb, 200);

		if (n < 0 && n != -EINTR) {
			fprintf(stderr, "oomx run: reading events failed: %s\n", strerror(-n));
			err = 1;
			break;
		}
	}
	bpf_link__destroy(link);	/* the kernel calls .exit: uei fills in */
	link = NULL;
	ring_buffer__consume(rb);
	kind = rc.uei ? rc.uei->kind : 0;
	if (rc.json) {
		printf("{\"type\":\"exit\",\"kind\":%d,\"code\":%lld,\"reason\":", kind,
		       rc.uei ? (long long)rc.uei->exit_code : 0LL);
		json_string(stdout, rc.uei ? (const char *)rc.uei->reason : "", 128);
		printf(",\"message\":");
		json_string(stdout, rc.uei ? (const char *)rc.uei->msg : "", 1024);
		printf(",\"lost_events\":%llu}\n", lost ? (unsigned long long)*lost : 0ULL);
	} else if (rc.uei) {
		fprintf(stderr, "oomx: policy %s exited: %s%s%s (kind %d)\n", pol->name,
			(const char *)rc.uei->reason, rc.uei->msg[0] ? ": " : "",
			(const char *)rc.uei->msg, kind);
	}
	if (lost && *lost)
		fprintf(stderr, "oomx: %llu event%s lost: the ring buffer was full\n",
			(unsigned long long)*lost, *lost == 1 ? " was" : "s were");
	if (kind >= 1024)
		err = EXIT_POLICY_ERROR;

cleanup:
	bpf_link__destroy(link);
	ring_buffer__free(rb);
	bpf_object__close(obj);
	return err;
}

/* ------------------------------------------------------------------ main */

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "list", cmd_list, "the built-in policies" },
	{ "run", cmd_run, "attach a policy and stream its events until Ctrl-C" },
	{ "status", cmd_status, "the kernel's oom_ext state and counters" },
	{ "check", cmd_check, "can this machine run oomx policies, and what is missing" },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: oomx COMMAND [ARGS]   (oomx COMMAND --help for details)\n\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nExit status: 0 success, 1 failure, 2 usage error,\n"
		   "3 the kernel disabled the policy for an error (run).\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	libbpf_set_print(print_libbpf);
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "oomx: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}

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
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include "config.h"
#include "events.h"
#include "gen.h"
#include "globals.h"
#include "pin.h"
#include "policies.h"
#include "rules.h"

#define SYSFS_OOM_EXT	"/sys/kernel/oom_ext"
#define EXIT_USAGE	2
#define EXIT_POLICY_ERROR 3

static volatile sig_atomic_t exiting;
static bool verbose;
static unsigned long events_kib;	/* --events-buffer, 0: the policy's 256 KiB */

/* parse --events-buffer: a power of two from 4 to 65536 KiB */
static int parse_events_kib(const char *cmd, const char *arg)
{
	char *end;

	errno = 0;
	events_kib = strtoul(arg, &end, 10);
	if (errno || *end || events_kib < 4 || events_kib > 65536 ||
	    (events_kib & (events_kib - 1))) {
		fprintf(stderr, "%s: --events-buffer wants KiB, a power of two from 4 to 65536, "
			"got '%s'\n", cmd, arg);
		return EXIT_USAGE;
	}
	return 0;
}

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

/* the one POLICY operand left after the options, or NULL (message printed) */
static const struct oomx_policy *policy_operand(const char *cmd, int argc, char **argv)
{
	const struct oomx_policy *pol;

	if (optind != argc - 1) {
		fprintf(stderr, "%s: give exactly one POLICY (see 'oomx list')\n", cmd);
		return NULL;
	}
	pol = policy_find(argv[optind]);
	if (!pol)
		unknown_policy(argv[optind]);
	return pol;
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

/* the pinned priority policy's rules of generation @gen, "rules" in JSON */
static void print_rules(__u32 gen, bool json)
{
	struct rules_maps rm;

	if (json)
		printf(",\"rules\":");
	if (rules_open_pinned("oomx status", &rm)) {
		if (json)
			printf("null");
		return;
	}
	rules_print(&rm, gen, json);
	rules_close(&rm);
}

/*
 * The loaded policy's settings (the pinned .data.cfg, the slot of the
 * generation in force) and the counters of its .bss: lost events and, for
 * priority, the growth sampler's last walk; then priority's rules.
 */
static void print_settings(bool json)
{
	static const struct oomx_growth_stats no_stats;
	const struct oomx_growth_stats *st = &no_stats;
	const struct oomx_common_cfg *c;
	const struct prio_settings *ps;
	struct oomx_section set, bss;
	const __u32 *genp;
	__u32 gen = 0;
	char path[256], delay[32];
	const __u64 *lost = NULL;
	bool have_bss;

	pin_path(path, sizeof(path), "settings");
	if (!pin_loaded() || oomx_section_open(&set, path)) {
		if (json)
			printf(",\"pinned\":%s,\"settings\":null", pin_loaded() ? "true" : "false");
		return;
	}
	genp = oomx_section_var(&set, "oomx_gen", sizeof(*genp));
	if (genp)
		gen = *genp & OOMX_GEN_MASK;
	c = oomx_section_var(&set, "oomx_common", 2 * sizeof(*c));
	if (!c || !genp) {
		if (json)
			printf(",\"pinned\":true,\"settings\":null");
		oomx_section_close(&set);
		return;
	}
	c += gen & 1;
	ps = oomx_section_var(&set, "prio_settings", 2 * sizeof(*ps));
	if (ps)
		ps += gen & 1;
	pin_path(path, sizeof(path), "bss");
	have_bss = !oomx_section_open(&bss, path);
	if (have_bss) {
		lost = oomx_section_var(&bss, "oomx_lost_events", sizeof(*lost));
		if (ps)
			st = oomx_section_var(&bss, "growth_stats", sizeof(*st));
		if (!st)
			st = &no_stats;
	}
	if (c->reap_delay_ms == OOMX_KERNEL_DEFAULT)
		snprintf(delay, sizeof(delay), json ? "\"default\"" : "default (2000)");
	else
		snprintf(delay, sizeof(delay), "%u", c->reap_delay_ms);
	if (!json) {
		printf("loaded at:   %s\nreap delay:  %s ms\nvictim timeout: %u ms%s\n", PIN_DIR,
		       delay, c->victim_timeout_ms, c->victim_timeout_ms ? "" : " (none)");
		if (ps)
			printf("rank:        %s (growth sampled every %u ms)\n"
			       "sampler:     %llu walks, the last: %u processes in %llu us%s\n",
			       ps->rank == PRIO_RANK_GROWTH ? "growth" : "size", ps->growth_interval_ms,
			       (unsigned long long)st->walks, st->processes,
			       (unsigned long long)st->duration_ns / 1000,
			       st->truncated ? " (walks stop at the map's size: some processes unsampled)" : "");
		printf("lost events: %llu\n", lost ? (unsigned long long)*lost : 0ULL);
		if (ps)
			print_rules(gen, false);
	} else {
		printf(",\"pinned\":true,\"settings\":{\"reap_delay_ms\":%s,\"victim_timeout_ms\":%u",
		       delay, c->victim_timeout_ms);
		if (ps)
			printf(",\"rank\":\"%s\",\"growth_interval_ms\":%u",
			       ps->rank == PRIO_RANK_GROWTH ? "growth" : "size", ps->growth_interval_ms);
		putchar('}');
		if (ps)
			printf(",\"sampler\":{\"walks\":%llu,\"processes\":%u,\"duration_ns\":%llu,"
			       "\"truncated_walks\":%u}", (unsigned long long)st->walks, st->processes,
			       (unsigned long long)st->duration_ns, st->truncated);
		printf(",\"lost_events\":%llu,\"generation\":%u", lost ? (unsigned long long)*lost : 0ULL,
		       gen);
		if (ps)
			print_rules(gen, true);
	}
	if (have_bss)
		oomx_section_close(&bss);
	oomx_section_close(&set);
}

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
	int opt, lock, ret = 1;
	size_t i;

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
	lock = pin_lock_shared();	/* wait for an apply in progress */
	if (read_line(SYSFS_OOM_EXT "/state", state, sizeof(state)) ||
	    read_line(SYSFS_OOM_EXT "/policy", policy, sizeof(policy)) ||
	    read_line(SYSFS_OOM_EXT "/exit_reason", reason, sizeof(reason))) {
		fprintf(stderr, "oomx status: cannot read %s: %s\n", SYSFS_OOM_EXT, strerror(errno));
		goto out;
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
		print_settings(true);
		printf(",\"counters\":{");
	} else {
		printf("state:       %s\npolicy:      %s\nlast exit:   %s\n", state,
		       policy[0] ? policy : "(none)", reason);
		print_settings(false);
	}
	for (i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		snprintf(path, sizeof(path), SYSFS_OOM_EXT "/%s", counters[i]);
		if (read_line(path, val, sizeof(val))) {
			fprintf(stderr, "oomx status: cannot read %s\n", path);
			goto out;
		}
		if (json)
			printf("%s\"%s\":%s", i ? "," : "", counters[i], val);
		else
			printf("%-13s%s\n", counters[i], val);
	}
	if (json)
		printf("}}\n");
	ret = 0;
out:
	pin_unlock(lock);
	return ret;
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

/*
 * check_config: everything about @cfg that can be checked before loading:
 * rules only for a policy that takes them, no two rules for the same
 * thing. A cgroup rule may name a cgroup that does not exist yet: it
 * applies once one has its path. 0 or 1 (printed).
 */
static int check_config(const struct oomx_policy *pol, const struct oomx_config *cfg,
			const char *path)
{
	size_t i, j;

	if (cfg->nr_rules && !pol->rules) {
		fprintf(stderr, "%s:%u: the %s policy takes no rules; rules are for the "
			"priority policy\n", path, cfg->rules[0].line, pol->name);
		return 1;
	}
	if ((cfg->has_rank || cfg->has_growth_interval) && !pol->rules) {
		fprintf(stderr, "%s: rank and growth_interval_ms are settings of the priority "
			"policy; the %s policy has neither\n", path, pol->name);
		return 1;
	}
	for (i = 0; i < cfg->nr_rules; i++) {
		const struct oomx_rule *r = &cfg->rules[i];

		for (j = 0; j < i; j++) {
			const struct oomx_rule *o = &cfg->rules[j];

			if (o->match == r->match &&
			    (r->match == OOMX_MATCH_UID ? o->uid == r->uid :
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

	/* generation 0, slot 0 */
	common = find_global(obj, "oomx_common", 2 * sizeof(*common));
	if (!common) {
		fprintf(stderr, "oomx: the %s policy has no settings (a build problem)\n", pol->name);
		return 1;
	}
	common->reap_delay_ms = cfg->reap_delay_ms;
	common->victim_timeout_ms = cfg->victim_timeout_ms;
	if (pol->rules) {
		volatile struct prio_settings *ps;

		ps = find_global(obj, "prio_settings", 2 * sizeof(*ps));
		if (!ps) {
			fprintf(stderr, "oomx: the %s policy has no prio_settings (a build "
				"problem)\n", pol->name);
			return 1;
		}
		ps->rank = cfg->rank;
		ps->growth_interval_ms = cfg->growth_interval_ms;
	}
	return 0;
}

static int read_config(const char *cmd, const char *path, struct oomx_config *cfg)
{
	char err[OOMX_CFG_ERR_LEN];

	oomx_config_init(cfg);
	if (path && oomx_config_load(path, cfg, err)) {
		fprintf(stderr, "%s: %s\n", cmd, err);
		return 1;
	}
	return 0;
}

/*
 * has_bpf_caps: whether we hold the capabilities to load and attach a
 * policy (CAP_SYS_ADMIN for struct_ops, CAP_BPF and CAP_PERFMON for the
 * programs), checked up front so that the refusal says what to do.
 */
static bool has_bpf_caps(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = { 0 };
	const int caps[] = { CAP_SYS_ADMIN, CAP_BPF, CAP_PERFMON };
	size_t i;

	if (syscall(SYS_capget, &hdr, data))
		return true;	/* cannot tell: let the kernel decide */
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++)
		if (!(data[caps[i] / 32].effective & (1U << (caps[i] % 32))))
			return false;
	return true;
}

static int need_oom_ext(const char *cmd)
{
	if (kernel_has_oom_ext())
		return 0;
	fprintf(stderr, "%s: this kernel has no oom_ext (%s is missing); run 'oomx check'\n",
		cmd, SYSFS_OOM_EXT);
	return 1;
}

/*
 * A policy's programs besides its struct_ops: fexit/out_of_memory (every
 * policy: the end of an OOM, bpf/oomx.bpf.h) and a policy's own
 * tracepoints (priority: cgroups appearing). They are attached before the
 * policy is, and pinned with it.
 */
#define MAX_EXTRA_LINKS	8

struct extra_links {
	struct bpf_link *link[MAX_EXTRA_LINKS];
	const char *name[MAX_EXTRA_LINKS];
	int n;
};

static int attach_extras(const char *cmd, struct bpf_object *obj, struct extra_links *ex)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj) {
		struct bpf_link *link;

		if (bpf_program__type(prog) == BPF_PROG_TYPE_STRUCT_OPS)
			continue;
		if (ex->n == MAX_EXTRA_LINKS) {
			fprintf(stderr, "%s: the policy has more than %d programs besides its "
				"ops (a build problem)\n", cmd, MAX_EXTRA_LINKS);
			return 1;
		}
		link = bpf_program__attach(prog);
		if (!link) {
			fprintf(stderr, "%s: cannot attach %s (%s): %s; the kernel needs BPF "
				"trampolines (CONFIG_FUNCTION_TRACER) and BTF tracepoints\n", cmd,
				bpf_program__name(prog), bpf_program__section_name(prog),
				strerror(errno));
			return 1;
		}
		ex->link[ex->n] = link;
		ex->name[ex->n++] = bpf_program__name(prog);
	}
	return 0;
}

/* destroy_extras: detach them, unless @keep (pinned: the pins hold them) */
static void destroy_extras(struct extra_links *ex, bool keep)
{
	while (ex->n > 0) {
		ex->n--;
		if (keep)
			bpf_link__disconnect(ex->link[ex->n]);
		bpf_link__destroy(ex->link[ex->n]);
	}
}

/*
 * prepare: open @pol, check @cfg against it, set its settings, load it,
 * attach its programs other than the struct_ops and fill its rules. The
 * policy itself is not attached: on failure destroy_extras() and closing
 * the object leave the kernel as it was.
 */
static int prepare(const char *cmd, const struct oomx_policy *pol, const struct oomx_config *cfg,
		   const char *cfg_path, struct bpf_object **objp, struct bpf_map **ops,
		   struct bpf_map **events, struct extra_links *ex)
{
	struct rules_maps rm;
	LIBBPF_OPTS(bpf_object_open_opts, oo);
	struct bpf_object *obj;
	struct bpf_map *map;
	const void *bytes;
	size_t sz;
	int err;

	if (!has_bpf_caps()) {
		fprintf(stderr, "%s: not allowed to load BPF programs: run oomx as root "
			"(it needs CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN)\n", cmd);
		return 1;
	}
	bytes = pol->elf_bytes(&sz);
	oo.object_name = pol->name;
	obj = bpf_object__open_mem(bytes, sz, &oo);
	if (!obj) {
		fprintf(stderr, "%s: cannot open the %s policy: %s\n", cmd, pol->name, strerror(errno));
		return 1;
	}
	*objp = obj;
	if (events_kib) {
		map = bpf_object__find_map_by_name(obj, "events");
		if (!map || bpf_map__set_max_entries(map, (__u32)(events_kib * 1024))) {
			fprintf(stderr, "%s: cannot size the event buffer\n", cmd);
			return 1;
		}
	}
	if (check_config(pol, cfg, cfg_path ? cfg_path : "(no file)") ||
	    set_settings(obj, pol, cfg))
		return 1;
	if (bpf_object__load(obj)) {
		err = errno;
		if (err == EPERM)
			fprintf(stderr, "%s: not allowed to load BPF programs: run oomx as root "
				"(it needs CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN)\n", cmd);
		else
			fprintf(stderr, "%s: the kernel refused the %s policy: %s%s\n", cmd,
				pol->name, strerror(err),
				verbose ? "" : " (--verbose shows the verifier log)");
		return 1;
	}
	bpf_object__for_each_map(map, obj) {
		if (bpf_map__type(map) == BPF_MAP_TYPE_STRUCT_OPS)
			*ops = map;
		else if (!strcmp(bpf_map__name(map), "events"))
			*events = map;
	}
	if (!*ops || !*events) {
		fprintf(stderr, "%s: the %s policy lacks its ops or events map (a build problem)\n",
			cmd, pol->name);
		return 1;
	}
	if (attach_extras(cmd, obj, ex))
		return 1;
	if (!pol->rules)
		return 0;
	return rules_of_object(cmd, obj, &rm) || rules_fill(cmd, &rm, cfg, 0);
}

/* attach: the policy's link, or NULL with the reason printed */
static struct bpf_link *attach(const char *cmd, const struct oomx_policy *pol, struct bpf_map *ops)
{
	struct bpf_link *link = bpf_map__attach_struct_ops(ops);
	char other[128];
	int err;

	if (link)
		return link;
	err = errno;
	if (err == EBUSY && !read_line(SYSFS_OOM_EXT "/policy", other, sizeof(other)))
		fprintf(stderr, "%s: policy '%s' is already attached; only one can be. Detach it "
			"first ('oomx unload' if 'oomx load' loaded it, else stop its 'oomx run'; "
			"in an emergency: echo 0 > %s/enabled)\n", cmd, other, SYSFS_OOM_EXT);
	else
		fprintf(stderr, "%s: cannot attach the %s policy: %s\n", cmd, pol->name,
			strerror(err));
	return NULL;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "events-buffer", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const char usage[] =
		"Usage: oomx run POLICY [-c FILE] [--json] [--verbose] [--events-buffer KIB]\n"
		"Attach POLICY and print an event for every OOM kill and reap until\n"
		"Ctrl-C or until the kernel disables the policy; then detach and say\n"
		"why the policy exited. Exit status 3 if the kernel disabled it for an\n"
		"error.\n"
		"  -c, --config FILE  settings and rules (format: docs/oomx.md); an\n"
		"                     invalid file is refused before anything is loaded\n"
		"  --events-buffer KIB  the event ring buffer's size (default 256)";
	static struct oomx_config cfg;
	const char *cfg_path = NULL, *cmd = "oomx run";
	struct run_ctx rc = { 0 };
	const struct oomx_policy *pol;
	struct ring_buffer *rb = NULL;
	struct bpf_object *obj = NULL;
	struct bpf_link *link = NULL;
	struct bpf_map *ops = NULL, *events = NULL;
	const volatile __u64 *lost = NULL;
	struct extra_links ex = { .n = 0 };
	int opt, err = 1, kind;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:jvh", opts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			if (parse_events_kib(cmd, optarg))
				return EXIT_USAGE;
			break;
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
	pol = policy_operand(cmd, argc, argv);
	if (!pol)
		return EXIT_USAGE;
	if (read_config(cmd, cfg_path, &cfg) || need_oom_ext(cmd))
		return 1;

	if (prepare(cmd, pol, &cfg, cfg_path, &obj, &ops, &events, &ex))
		goto cleanup;
	rc.uei = find_global(obj, "uei", sizeof(struct oomx_exit));
	lost = find_global(obj, "oomx_lost_events", sizeof(__u64));
	rb = ring_buffer__new(bpf_map__fd(events), on_event, &rc, NULL);
	if (!rb) {
		fprintf(stderr, "oomx run: cannot open the event ring buffer: %s\n", strerror(errno));
		goto cleanup;
	}
	link = attach(cmd, pol, ops);
	if (!link)
		goto cleanup;
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
		json_string(stdout, rc.uei ? (const char *)rc.uei->msg : "", OOMX_EXIT_MSG_LEN);
		printf(",\"lost_events\":%llu}\n", lost ? (unsigned long long)*lost : 0ULL);
	} else if (rc.uei) {
		fprintf(stderr, "oomx: policy %s exited: %s%s%s (kind %d)\n", pol->name,
			(const char *)rc.uei->reason, rc.uei->msg[0] ? ": " : "",
			(const char *)rc.uei->msg, kind);
	}
	if (lost && *lost)
		fprintf(stderr, "oomx: %llu event%s lost: the ring buffer was full\n",
			(unsigned long long)*lost, *lost == 1 ? " was" : "s were");
	if (kind >= OOM_EXT_EXIT_ERROR)
		err = EXIT_POLICY_ERROR;

cleanup:
	bpf_link__destroy(link);
	destroy_extras(&ex, false);
	ring_buffer__free(rb);
	bpf_object__close(obj);
	return err;
}

/* ---------------------------------------------------- pinned policies */

/*
 * unload_pinned: detach the pinned policy, wait until the kernel has called
 * its exit, remove the pins; @ue gets its exit record. 0 or 1 (printed).
 */
static int unload_pinned(const char *cmd, struct oomx_exit *ue)
{
	char path[256], state[64];
	int link_fd, i;

	memset(ue, 0, sizeof(*ue));
	pin_path(path, sizeof(path), "link");
	link_fd = bpf_obj_get(path);
	if (link_fd < 0) {
		fprintf(stderr, "%s: cannot open the pinned link %s: %s\n", cmd, path, strerror(errno));
		return 1;
	}
	/* detach now; if this kernel cannot, dropping the last reference will */
	if (bpf_link_detach(link_fd) && errno != EOPNOTSUPP && errno != EINVAL) {
		fprintf(stderr, "%s: detaching the policy failed: %s\n", cmd, strerror(errno));
		close(link_fd);
		return 1;
	}
	unlink(path);
	close(link_fd);
	/*
	 * The kernel calls the policy's exit, which fills the exit record, before
	 * the state leaves "disabling": poll the cheap sysfs file, then read the
	 * record once.
	 */
	for (i = 0; i < 100; i++) {
		if (read_line(SYSFS_OOM_EXT "/state", state, sizeof(state)) ||
		    (strcmp(state, "enabled") && strcmp(state, "disabling")))
			break;
		usleep(50 * 1000);
	}
	pin_read_var("data", "uei", ue, sizeof(*ue));
	pin_remove_all();
	return 0;
}

static int print_unload(const char *what, const struct oomx_exit *ue)
{
	printf("%s: %s%s%s (kind %d)\n", what, ue->kind ? ue->reason : "detached",
	       ue->msg[0] ? ": " : "", ue->msg, ue->kind);
	return 0;
}

static int cmd_load(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "replace", no_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "events-buffer", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const char usage[] =
		"Usage: oomx load POLICY [-c FILE] [--replace] [--verbose] [--events-buffer KIB]\n"
		"Attach POLICY and pin it under " PIN_DIR " so that it stays attached\n"
		"after this command exits (and across loader crashes) until 'oomx unload'.\n"
		"A loaded policy is refused unless --replace, which unloads it first\n"
		"(the kernel's own heuristic applies in between).";
	const char *cmd = "oomx load", *cfg_path = NULL;
	struct bpf_map *ops = NULL, *events = NULL, *map;
	static struct oomx_config cfg;
	struct bpf_object *obj = NULL;
	struct bpf_link *link = NULL;
	struct extra_links ex = { .n = 0 };
	const struct oomx_policy *pol;
	bool replace = false;
	struct statfs sfs;
	struct oomx_exit ue;
	char path[256], cur[128];
	int opt, i, lock, err = 1;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:rvh", opts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			if (parse_events_kib(cmd, optarg))
				return EXIT_USAGE;
			break;
		case 'c': cfg_path = optarg; break;
		case 'r': replace = true; break;
		case 'v': verbose = true; break;
		case 'h': puts(usage); return 0;
		default: fputs(usage, stderr); return EXIT_USAGE;
		}
	}
	pol = policy_operand(cmd, argc, argv);
	if (!pol)
		return EXIT_USAGE;
	if (read_config(cmd, cfg_path, &cfg) || need_oom_ext(cmd))
		return 1;
	if (statfs("/sys/fs/bpf", &sfs) || sfs.f_type != BPF_FS_MAGIC) {
		fprintf(stderr, "%s: bpffs is not mounted at /sys/fs/bpf; mount it "
			"(mount -t bpf bpf /sys/fs/bpf) and try again\n", cmd);
		return 1;
	}
	lock = pin_lock(cmd);
	if (lock < 0)
		return 1;
	if (read_line(SYSFS_OOM_EXT "/policy", cur, sizeof(cur)))
		cur[0] = '\0';
	if (pin_loaded() && !replace) {
		fprintf(stderr, "%s: policy '%s' is already loaded (pinned at %s); 'oomx unload' "
			"it first, or use --replace\n", cmd, cur, PIN_DIR);
		goto cleanup;
	}
	if (!pin_loaded() && cur[0]) {
		fprintf(stderr, "%s: policy '%s' is attached by another process (an 'oomx run'?); "
			"stop it first\n", cmd, cur);
		goto cleanup;
	}
	/* everything that can fail before the old policy goes */
	if (prepare(cmd, pol, &cfg, cfg_path, &obj, &ops, &events, &ex))
		goto cleanup;
	if (pin_loaded()) {
		if (unload_pinned(cmd, &ue))
			goto cleanup;
		print_unload("oomx: replaced the previous policy", &ue);
	}
	link = attach(cmd, pol, ops);
	if (!link)
		goto cleanup;
	bpf_object__for_each_map(map, obj) {
		const char *n = bpf_map__name(map), *dot = strrchr(n, '.');
		const char *name = n;

		if (bpf_map__type(map) == BPF_MAP_TYPE_STRUCT_OPS)
			continue;
		if (bpf_map__is_internal(map)) {
			if (!dot)
				continue;
			name = !strcmp(dot, ".cfg") ? "settings" : !strcmp(dot, ".data") ? "data" :
			       !strcmp(dot, ".bss") ? "bss" : NULL;
			if (!name)
				continue;	/* .rodata: nothing to inspect */
		}
		pin_path(path, sizeof(path), name);
		if (bpf_map__pin(map, path)) {
			fprintf(stderr, "%s: cannot pin %s at %s: %s\n", cmd, n, path, strerror(errno));
			goto cleanup;
		}
	}
	for (i = 0; i < ex.n; i++) {
		snprintf(path, sizeof(path), PIN_DIR "/link_%s", ex.name[i]);
		if (bpf_link__pin(ex.link[i], path)) {
			fprintf(stderr, "%s: cannot pin the link of %s at %s: %s\n", cmd, ex.name[i],
				path, strerror(errno));
			goto cleanup;
		}
	}
	pin_path(path, sizeof(path), "link");
	if (bpf_link__pin(link, path)) {
		fprintf(stderr, "%s: cannot pin the link at %s: %s\n", cmd, path, strerror(errno));
		goto cleanup;
	}
	printf("oomx: policy %s loaded and pinned at %s\n", pol->name, PIN_DIR);
	err = 0;

cleanup:
	if (err) {
		/* nothing half-applied: no pins, no link */
		if (link)
			pin_remove_all();
		bpf_link__destroy(link);
	} else {
		bpf_link__disconnect(link);	/* the pin keeps it */
		bpf_link__destroy(link);
	}
	destroy_extras(&ex, !err);
	bpf_object__close(obj);
	pin_unlock(lock);
	return err;
}

static int cmd_unload(int argc, char **argv)
{
	struct oomx_exit ue;
	int lock, err;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		puts("Usage: oomx unload\n"
		     "Detach the policy 'oomx load' pinned, remove its pins and print why it\n"
		     "exited. The kernel's own heuristic applies from then on.");
		return 0;
	}
	if (argc > 1) {
		fprintf(stderr, "oomx unload: unexpected argument '%s'\n", argv[1]);
		return EXIT_USAGE;
	}
	lock = pin_lock("oomx unload");
	if (lock < 0)
		return 1;
	if (!pin_loaded()) {
		fprintf(stderr, "oomx unload: no policy is loaded (nothing pinned at %s); a policy "
			"attached by 'oomx run' is detached by stopping that command\n", PIN_DIR);
		pin_unlock(lock);
		return 1;
	}
	err = unload_pinned("oomx unload", &ue);
	pin_unlock(lock);
	return err ? 1 : print_unload("oomx: policy unloaded", &ue);
}

static int cmd_events(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "follow", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct run_ctx rc = { 0 };
	struct ring_buffer *rb;
	bool follow = false;
	__u64 lost = 0;
	char path[256];
	int opt, fd, err = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "jfh", opts, NULL)) != -1) {
		switch (opt) {
		case 'j': rc.json = true; break;
		case 'f': follow = true; break;
		case 'h':
			puts("Usage: oomx events [--json] [--follow]\n"
			     "Print the events the loaded policy recorded and not yet read (reading\n"
			     "consumes them); --follow keeps printing until Ctrl-C or unload.");
			return 0;
		default: return EXIT_USAGE;
		}
	}
	pin_path(path, sizeof(path), "events");
	fd = bpf_obj_get(path);
	if (fd < 0) {
		fprintf(stderr, "oomx events: no policy is loaded (cannot open %s: %s); 'oomx run' "
			"prints its events itself\n", path, strerror(errno));
		return 1;
	}
	rb = ring_buffer__new(fd, on_event, &rc, NULL);
	if (!rb) {
		fprintf(stderr, "oomx events: cannot read %s: %s\n", path, strerror(errno));
		close(fd);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (ring_buffer__consume(rb) < 0)
		err = 1;
	while (follow && !err && !exiting && pin_loaded()) {
		int n = ring_buffer__poll(rb, 200);

		if (n < 0 && n != -EINTR)
			err = 1;
	}
	if (!pin_read_var("bss", "oomx_lost_events", &lost, sizeof(lost)) && lost)
		fprintf(stderr, "oomx events: %llu event%s lost because the buffer was full: "
			"read more often, or load with a larger --events-buffer\n",
			(unsigned long long)lost, lost == 1 ? " was" : "s were");
	ring_buffer__free(rb);
	close(fd);
	return err;
}

/*
 * loaded_policy: the policy 'oomx load' pinned, which must be one of
 * oomx's; NULL with the reason printed.
 */
static const struct oomx_policy *loaded_policy(const char *cmd)
{
	const struct oomx_policy *pol;
	char name[128];

	if (!pin_loaded() || read_line(SYSFS_OOM_EXT "/policy", name, sizeof(name))) {
		fprintf(stderr, "%s: no policy is loaded (nothing pinned at %s); 'oomx load' "
			"one first\n", cmd, PIN_DIR);
		return NULL;
	}
	pol = policy_find(name);
	if (!pol)
		fprintf(stderr, "%s: the attached policy '%s' is not one of oomx's\n", cmd, name);
	return pol;
}

static int cmd_set(int argc, char **argv)
{
	static struct oomx_config cfg;
	char err[OOMX_CFG_ERR_LEN], text[4096];
	const struct oomx_policy *pol;
	size_t len = 0;
	int i, lock, ret = 1;

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		puts("Usage: oomx set KEY=VALUE...\n"
		     "Change settings of the loaded policy (reap_delay_ms, victim_timeout_ms;\n"
		     "priority also: rank=size|growth, growth_interval_ms), all at once or\n"
		     "none if any is invalid: an OOM sees the old settings or the new ones.\n"
		     "Rules change with 'oomx apply'.");
		return argc < 2 ? EXIT_USAGE : 0;
	}
	/* KEY=VALUE arguments are configuration lines; line N is argument N */
	for (i = 1; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		int n;

		if (!eq || eq == argv[i]) {
			fprintf(stderr, "oomx set: argument %d, '%s': expected KEY=VALUE\n", i, argv[i]);
			return EXIT_USAGE;
		}
		n = snprintf(text + len, sizeof(text) - len, "%.*s \"%s\"\n", (int)(eq - argv[i]),
			     argv[i], eq + 1);
		if (n < 0 || (size_t)n >= sizeof(text) - len || strchr(eq + 1, '"') ||
		    strchr(eq + 1, '\n')) {
			fprintf(stderr, "oomx set: argument %d is too long or has quotes\n", i);
			return EXIT_USAGE;
		}
		len += (size_t)n;
	}
	if (oomx_config_parse("oomx set: argument", text, len, &cfg, err)) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (cfg.nr_rules) {
		fprintf(stderr, "oomx set: argument %u is a rule; rules change with 'oomx apply FILE'\n",
			cfg.rules[0].line);
		return 1;
	}
	lock = pin_lock("oomx set");
	if (lock < 0)
		return 1;
	pol = loaded_policy("oomx set");
	if (pol && !gen_switch("oomx set", pol->rules, &cfg, true)) {
		printf("oomx: settings updated\n");
		ret = 0;
	}
	pin_unlock(lock);
	return ret;
}

static int cmd_apply(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const char usage[] =
		"Usage: oomx apply [--policy NAME] FILE\n"
		"Replace the loaded policy's settings and rules with those of FILE, all\n"
		"at once: an OOM sees the old configuration or the new one, never a mix.\n"
		"An invalid FILE changes nothing. The policy itself stays: with --policy,\n"
		"apply refuses unless NAME is the policy loaded (switching policies is\n"
		"'oomx load --replace NAME'; under systemd, 'systemctl restart oomx').";
	static struct oomx_config cfg;
	const struct oomx_policy *pol;
	const char *want = NULL;
	int opt, lock, ret = 1;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "p:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'p':
			want = optarg;
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
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (want && !policy_find(want)) {
		unknown_policy(want);
		return EXIT_USAGE;
	}
	if (read_config("oomx apply", argv[optind], &cfg))
		return 1;
	lock = pin_lock("oomx apply");
	if (lock < 0)
		return 1;
	pol = loaded_policy("oomx apply");
	if (pol && want && strcmp(pol->name, want)) {
		fprintf(stderr, "oomx apply: the loaded policy is '%s', not '%s'; apply changes the "
			"configuration of the loaded policy only. Switch with 'oomx load --replace %s' "
			"(under systemd: systemctl restart oomx)\n", pol->name, want, want);
		pol = NULL;
	}
	if (pol && !check_config(pol, &cfg, argv[optind]) &&
	    !gen_switch("oomx apply", pol->rules, &cfg, false)) {
		printf("oomx: configuration applied (%zu rule%s)\n", cfg.nr_rules,
		       cfg.nr_rules == 1 ? "" : "s");
		ret = 0;
	}
	pin_unlock(lock);
	return ret;
}

/* ------------------------------------------------------------------ main */

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
} commands[] = {
	{ "list", cmd_list, "the built-in policies" },
	{ "run", cmd_run, "attach a policy and stream its events until Ctrl-C" },
	{ "load", cmd_load, "attach a policy and pin it, so it outlives the command" },
	{ "unload", cmd_unload, "detach the loaded policy and say why it exited" },
	{ "events", cmd_events, "print the loaded policy's events" },
	{ "set", cmd_set, "change the loaded policy's settings, all or nothing" },
	{ "apply", cmd_apply, "replace the loaded policy's configuration, atomically" },
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

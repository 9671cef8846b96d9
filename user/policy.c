// SPDX-License-Identifier: GPL-2.0
/* Opening, configuring, loading and attaching a policy; see policy.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <linux/capability.h>
#include "builtin.h"
#include "globals.h"
#include "oomx.h"
#include "policy.h"
#include "rules.h"
#include "sysfs.h"

static void scan_timer_if_traceable(struct bpf_object *obj);

bool policy_is_file(const char *spec)
{
	size_t n = strlen(spec);

	return strchr(spec, '/') || (n > 2 && !strcmp(spec + n - 2, ".o"));
}

bool has_bpf_caps(void)
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

/* a NUL-terminated string global of the object, into @buf; 0 or -1 */
static int string_global(struct bpf_object *obj, const char *name, char *buf, size_t len)
{
	const char *v = oomx_global_sized(obj, name, len);

	if (!v || !memchr(v, '\0', len))
		return -1;
	memcpy(buf, v, len);
	return 0;
}

static const struct btf_type *datasec(const struct btf *btf, const char *name)
{
	int id = btf__find_by_name_kind(btf, name, BTF_KIND_DATASEC);

	return id < 0 ? NULL : btf__type_by_id(btf, (__u32)id);
}

static int read_tunables(const char *cmd, struct oomx_policy *p)
{
	const struct btf *btf = bpf_object__btf(p->obj);
	struct bpf_map *ro = oomx_section_of(p->obj, ".rodata");
	struct bpf_map *cfg = oomx_section_of(p->obj, ".data.cfg");
	char err[OOMX_TUNABLE_ERR_LEN];
	const void *ro_data = NULL;
	size_t ro_size = 0, cfg_size = 0;

	if (ro)
		ro_data = bpf_map__initial_value(ro, &ro_size);
	if (cfg && !bpf_map__initial_value(cfg, &cfg_size))
		cfg_size = 0;
	if (!btf || tunables_read(&p->tunables, btf, datasec(btf, ".data.cfg"), cfg_size,
				  datasec(btf, ".rodata"), ro_data, ro_size, err)) {
		fprintf(stderr, "%s: the %s policy (%s): %s\n", cmd, p->name, p->source,
			btf ? err : "it has no BTF");
		return 1;
	}
	return 0;
}

int policy_spec_check(const char *cmd, const char *spec)
{
	char names[256];

	if (policy_is_file(spec) || builtin_find(spec))
		return 0;
	builtin_names(names, sizeof(names));
	fprintf(stderr, "%s: no built-in policy named '%s'; they are: %s (oomx list). A policy "
		"file is given by its path (./%s.bpf.o)\n", cmd, spec, names, spec);
	return EXIT_USAGE;
}

int policy_open(const char *cmd, const char *spec, struct oomx_policy *p)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo);
	const struct oomx_builtin *b = NULL;
	struct bpf_program *prog;
	struct bpf_map *map;
	char why[128];

	memset(p, 0, sizeof(*p));
	if (policy_is_file(spec)) {
		p->source = spec;
		p->obj = bpf_object__open_file(spec, NULL);
		if (!p->obj) {
			libbpf_strerror(errno, why, sizeof(why));
			fprintf(stderr, "%s: cannot open the policy file %s: %s\n", cmd, spec, why);
			return 1;
		}
	} else {
		b = builtin_find(spec);
		if (!b) {
			policy_spec_check(cmd, spec);
			return 1;
		}
		p->source = "built-in";
		oo.object_name = b->name;
		p->obj = bpf_object__open_mem(b->start, (size_t)(b->end - b->start), &oo);
		if (!p->obj) {
			fprintf(stderr, "%s: cannot open the built-in %s policy: %s\n", cmd, spec,
				strerror(errno));
			return 1;
		}
	}
	bpf_object__for_each_map(map, p->obj) {
		if (bpf_map__type(map) == BPF_MAP_TYPE_STRUCT_OPS) {
			if (p->ops) {
				fprintf(stderr, "%s: %s has more than one struct_ops map; a policy has "
					"one, made by bpf/oomx.bpf.h\n", cmd, spec);
				return 1;
			}
			p->ops = map;
		} else if (!strcmp(bpf_map__name(map), "events")) {
			p->events = map;
		}
	}
	if (string_global(p->obj, "oomx_policy_name", p->name, sizeof(p->name)) || !p->ops ||
	    !p->events) {
		fprintf(stderr, "%s: %s is not an oomx policy (it lacks oomx_policy_name, its "
			"struct_ops map or its events): build it with bpf/oomx.bpf.h, see "
			"docs/policy-guide.md\n", cmd, spec);
		return 1;
	}
	bpf_object__for_each_map(map, p->obj) {
		static const char *const reserved[] = { "link", "settings", "data", "bss", "rodata" };
		size_t i;

		for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++) {
			if (!bpf_map__is_internal(map) && !strcmp(bpf_map__name(map), reserved[i])) {
				fprintf(stderr, "%s: %s has a map named '%s', a name oomx pins its "
					"own files under; rename the map\n", cmd, spec, reserved[i]);
				return 1;
			}
		}
	}
	if (b && strcmp(p->name, b->name)) {
		fprintf(stderr, "%s: the built-in %s policy calls itself '%s' (a build problem)\n",
			cmd, b->name, p->name);
		return 1;
	}
	if (string_global(p->obj, "oomx_policy_summary", p->summary, sizeof(p->summary)))
		p->summary[0] = '\0';
	p->rules = rules_in_object(p->obj);
	/* a policy runs as itself; policy_shadow() turns it into a shadow */
	prog = bpf_object__find_program_by_name(p->obj, "oomx_shadow_eval");
	if (prog)
		bpf_program__set_autoload(prog, false);
	scan_timer_if_traceable(p->obj);
	return read_tunables(cmd, p);
}

/*
 * The scan timer (oomx_scan_*, "oomx metrics") attaches to the static
 * select_bad_process(), which a compiler may inline: without it in the
 * kernel's BTF the metrics lose the scan's time, not the policy.
 */
static void scan_timer_if_traceable(struct bpf_object *obj)
{
	bool traceable = kernel_btf_has("select_bad_process", BTF_KIND_FUNC);
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, obj)
		if (!strncmp(bpf_program__name(prog), "oomx_scan_", 10) && !traceable)
			bpf_program__set_autoload(prog, false);
}

int policy_shadow(const char *cmd, struct oomx_policy *p)
{
	struct bpf_program *prog;
	__u32 *mode;

	prog = bpf_object__find_program_by_name(p->obj, "oomx_shadow_eval");
	mode = oomx_global_sized(p->obj, "oomx_shadow_mode", sizeof(*mode));
	if (!prog || !mode) {
		fprintf(stderr, "%s: the %s policy (%s) cannot run as a shadow: it has no score "
			"(OOMX_SCORE), or oomx.bpf.h is older than this oomx\n", cmd, p->name,
			p->source);
		return 1;
	}
	*mode = 1;
	/*
	 * Every program but the struct_ops, the end-of-OOM marks and the
	 * scan timer (the metrics of a policy that decides): the shadow's,
	 * the rules' tracepoints and any a policy feeds its score with. No
	 * struct_ops map: no oom_ext needed.
	 */
	bpf_map__set_autocreate(p->ops, false);
	bpf_object__for_each_program(prog, p->obj)
		bpf_program__set_autoload(prog, bpf_program__type(prog) != BPF_PROG_TYPE_STRUCT_OPS &&
					  strncmp(bpf_program__name(prog), "oomx_oom_end", 12) &&
					  strncmp(bpf_program__name(prog), "oomx_scan_", 10));
	p->shadow = true;
	return 0;
}

int policy_events_kib(const char *cmd, struct oomx_policy *p, unsigned long kib)
{
	if (!kib)
		return 0;
	if (bpf_map__set_max_entries(p->events, (__u32)(kib * 1024))) {
		fprintf(stderr, "%s: cannot size the event buffer\n", cmd);
		return 1;
	}
	return 0;
}

int policy_configure(const char *cmd, struct oomx_policy *p, const struct oomx_config *cfg,
		     const char *src)
{
	static __s64 val[OOMX_MAX_TUNABLES];
	static bool given[OOMX_MAX_TUNABLES];
	char err[OOMX_TUNABLE_ERR_LEN];
	struct bpf_map *map;
	void *sec;
	size_t i, sz;

	if (cfg->nr_rules && !p->rules) {
		fprintf(stderr, "%s:%u: the %s policy takes no rules (it does not include "
			"bpf/rules.bpf.h); rules are for policies such as priority\n", src,
			cfg->rules[0].line, p->name);
		return 1;
	}
	if (rules_check(cfg, src))
		return 1;
	if (tunables_resolve(&p->tunables, cfg, src, p->name, val, given, err)) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	if (!p->tunables.n)
		return 0;
	map = oomx_section_of(p->obj, ".data.cfg");
	sec = map ? bpf_map__initial_value(map, &sz) : NULL;
	if (!sec) {
		fprintf(stderr, "%s: the %s policy's settings cannot be written (a build problem)\n",
			cmd, p->name);
		return 1;
	}
	/* generation 0: both slots, so that the first switch copies a whole one */
	for (i = 0; i < p->tunables.n; i++) {
		if (!given[i])
			continue;
		tunable_set(&p->tunables.t[i], sec, 0, val[i]);
		tunable_set(&p->tunables.t[i], sec, 1, val[i]);
	}
	return 0;
}

static int attach_extras(const char *cmd, struct oomx_policy *p)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, p->obj) {
		struct bpf_link *link;

		if (bpf_program__type(prog) == BPF_PROG_TYPE_STRUCT_OPS || !bpf_program__autoload(prog))
			continue;
		if (p->nr_extra == POLICY_MAX_EXTRA) {
			fprintf(stderr, "%s: the %s policy has more than %d programs besides its "
				"ops\n", cmd, p->name, POLICY_MAX_EXTRA);
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
		p->extra[p->nr_extra] = link;
		p->extra_name[p->nr_extra++] = bpf_program__name(prog);
	}
	return 0;
}

int policy_load(const char *cmd, struct oomx_policy *p, const struct oomx_config *cfg)
{
	struct rules_maps rm;
	int err;

	if (!has_bpf_caps()) {
		fprintf(stderr, "%s: not allowed to load BPF programs: run oomx as root "
			"(it needs CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN)\n", cmd);
		return 1;
	}
	if (bpf_object__load(p->obj)) {
		err = errno;
		if (err == EPERM)
			fprintf(stderr, "%s: not allowed to load BPF programs: run oomx as root "
				"(it needs CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN)\n", cmd);
		else
			fprintf(stderr, "%s: the kernel refused the %s policy%s: %s%s\n", cmd,
				p->name, p->shadow ? " as a shadow" : "", strerror(err),
				oomx_verbose ? "" : " (--verbose shows the verifier log)");
		return 1;
	}
	if (attach_extras(cmd, p))
		return 1;
	if (!p->rules)
		return 0;
	return rules_of_object(cmd, p->obj, &rm) || rules_fill(cmd, &rm, cfg, 0);
}

struct bpf_link *policy_attach(const char *cmd, struct oomx_policy *p)
{
	struct bpf_link *link = bpf_map__attach_struct_ops(p->ops);
	char other[128];
	int err;

	if (link)
		return link;
	err = errno;
	if (err == EBUSY && !sysfs_attached(other, sizeof(other)))
		fprintf(stderr, "%s: policy '%s' is already attached; only one can be. Detach it "
			"first ('oomx unload' if 'oomx load' loaded it, else stop its 'oomx run'; "
			"in an emergency: echo 0 > %s/enabled)\n", cmd, other, SYSFS_OOM_EXT);
	else
		fprintf(stderr, "%s: cannot attach the %s policy: %s\n", cmd, p->name,
			strerror(err));
	return NULL;
}

void policy_close(struct oomx_policy *p, bool keep)
{
	while (p->nr_extra > 0) {
		p->nr_extra--;
		if (keep)
			bpf_link__disconnect(p->extra[p->nr_extra]);
		bpf_link__destroy(p->extra[p->nr_extra]);
	}
	bpf_object__close(p->obj);
	p->obj = NULL;
}

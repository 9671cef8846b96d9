// SPDX-License-Identifier: GPL-2.0
/* oomx load and oomx unload: a policy pinned under PIN_DIR (user/pin.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>
#include "oomx.h"
#include "pin.h"
#include "policy.h"
#include "sysfs.h"

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
		if (sysfs_read_line(SYSFS_OOM_EXT "/state", state, sizeof(state)) ||
		    (strcmp(state, "enabled") && strcmp(state, "disabling")))
			break;
		usleep(50 * 1000);
	}
	pin_read_var("data", "uei", ue, sizeof(*ue));
	pin_remove_all();
	return 0;
}

static void print_unload(const char *what, const struct oomx_exit *ue)
{
	printf("%s: %s%s%s (kind %d)\n", what, ue->kind ? ue->reason : "detached",
	       ue->msg[0] ? ": " : "", ue->msg, ue->kind);
}

/* the pin of a map of the policy, or NULL for one not pinned */
static const char *pin_name(struct bpf_map *map)
{
	const char *n = bpf_map__name(map), *dot = strrchr(n, '.');

	if (bpf_map__type(map) == BPF_MAP_TYPE_STRUCT_OPS)
		return NULL;
	if (!bpf_map__is_internal(map))
		return n;
	if (!dot)
		return NULL;
	return !strcmp(dot, ".cfg") ? "settings" : !strcmp(dot, ".data") ? "data" :
	       !strcmp(dot, ".bss") ? "bss" : !strcmp(dot, ".rodata") ? "rodata" : NULL;
}

/* pin_policy: every map but the struct_ops, the extra links, then the link */
static int pin_policy(const char *cmd, struct oomx_policy *pol, struct bpf_link *link)
{
	struct bpf_map *map;
	char path[256];
	int i;

	bpf_object__for_each_map(map, pol->obj) {
		const char *name = pin_name(map);

		if (!name)
			continue;
		pin_path(path, sizeof(path), name);
		if (bpf_map__pin(map, path)) {
			fprintf(stderr, "%s: cannot pin %s at %s: %s\n", cmd, bpf_map__name(map),
				path, strerror(errno));
			return 1;
		}
	}
	for (i = 0; i < pol->nr_extra; i++) {
		snprintf(path, sizeof(path), PIN_DIR "/link_%s", pol->extra_name[i]);
		if (bpf_link__pin(pol->extra[i], path)) {
			fprintf(stderr, "%s: cannot pin the link of %s at %s: %s\n", cmd,
				pol->extra_name[i], path, strerror(errno));
			return 1;
		}
	}
	pin_path(path, sizeof(path), "link");
	if (bpf_link__pin(link, path)) {
		fprintf(stderr, "%s: cannot pin the link at %s: %s\n", cmd, path, strerror(errno));
		return 1;
	}
	return 0;
}

int cmd_load(int argc, char **argv)
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
		"Attach POLICY (a built-in name, or a policy object's path) and pin it\n"
		"under " PIN_DIR " so that it stays attached after this command exits\n"
		"(and across loader crashes) until 'oomx unload'. A loaded policy is\n"
		"refused unless --replace, which unloads it first (the kernel's own\n"
		"heuristic applies in between).";
	const char *cmd = "oomx load", *cfg_path = NULL;
	static struct oomx_config cfg;
	static struct oomx_policy pol;
	struct bpf_link *link = NULL;
	unsigned long kib = 0;
	bool replace = false;
	struct statfs sfs;
	struct oomx_exit ue;
	char cur[128];
	int opt, lock, err = 1;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "c:rvh", opts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			if (parse_events_kib(cmd, optarg, &kib))
				return EXIT_USAGE;
			break;
		case 'c': cfg_path = optarg; break;
		case 'r': replace = true; break;
		case 'v': oomx_verbose = true; break;
		case 'h': puts(usage); return 0;
		default: fputs(usage, stderr); return EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "%s: give exactly one POLICY (see 'oomx list')\n", cmd);
		return EXIT_USAGE;
	}
	if (policy_spec_check(cmd, argv[optind]))
		return EXIT_USAGE;
	if (read_config(cmd, cfg_path, &cfg))
		return 1;
	/* a configuration the policy refuses is refused before the kernel is asked */
	if (policy_open(cmd, argv[optind], &pol) || policy_events_kib(cmd, &pol, kib) ||
	    policy_configure(cmd, &pol, &cfg, cfg_path ? cfg_path : "(no file)") ||
	    need_oom_ext(cmd)) {
		policy_close(&pol, false);
		return 1;
	}
	if (statfs("/sys/fs/bpf", &sfs) || sfs.f_type != BPF_FS_MAGIC) {
		fprintf(stderr, "%s: bpffs is not mounted at /sys/fs/bpf; mount it "
			"(mount -t bpf bpf /sys/fs/bpf) and try again\n", cmd);
		policy_close(&pol, false);
		return 1;
	}
	lock = pin_lock(cmd);
	if (lock < 0) {
		policy_close(&pol, false);
		return 1;
	}
	if (sysfs_attached(cur, sizeof(cur)))
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
	if (policy_load(cmd, &pol, &cfg))
		goto cleanup;
	if (pin_loaded()) {
		if (unload_pinned(cmd, &ue))
			goto cleanup;
		print_unload("oomx: replaced the previous policy", &ue);
	}
	link = policy_attach(cmd, &pol);
	if (!link || pin_policy(cmd, &pol, link))
		goto cleanup;
	printf("oomx: policy %s loaded and pinned at %s\n", pol.name, PIN_DIR);
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
	policy_close(&pol, !err);
	pin_unlock(lock);
	return err;
}

int cmd_unload(int argc, char **argv)
{
	struct oomx_exit ue;
	int lock, err;

	if (wants_help(argc, argv)) {
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
	if (!err)
		print_unload("oomx: policy unloaded", &ue);
	return err;
}

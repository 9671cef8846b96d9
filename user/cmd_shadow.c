// SPDX-License-Identifier: GPL-2.0
/*
 * oomx shadow: run policies beside whatever decides the OOMs, and say at
 * every real OOM kill whom each would have killed (bpf/shadow.bpf.h).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>
#include "config.h"
#include "events.h"
#include "globals.h"
#include "oomx.h"
#include "pin.h"
#include "policy.h"
#include "shadow.h"

#define MAX_SHADOWS	8

struct shadow {
	char spec[256];		/* POLICY, without :CONFIG */
	const char *cfg_path;
	struct oomx_config cfg;
	struct oomx_policy pol;
	const volatile struct oomx_shadow_stats *stats;
};

static struct shadow shadows[MAX_SHADOWS];

/* POLICY[:CONFIG] into @s; 0 or EXIT_USAGE (printed) */
static int parse_spec(const char *arg, struct shadow *s)
{
	const char *colon = strrchr(arg, ':');
	size_t n = colon ? (size_t)(colon - arg) : strlen(arg);

	if (!n || n >= sizeof(s->spec) || (colon && !colon[1])) {
		fprintf(stderr, "oomx shadow: '%s': expected POLICY or POLICY:CONFIG_FILE\n", arg);
		return EXIT_USAGE;
	}
	memcpy(s->spec, arg, n);
	s->spec[n] = '\0';
	s->cfg_path = colon ? colon + 1 : NULL;
	return policy_spec_check("oomx shadow", s->spec);
}

static int prepare(struct shadow *s)
{
	const char *cmd = "oomx shadow";

	if (read_config(cmd, s->cfg_path, &s->cfg) || policy_open(cmd, s->spec, &s->pol) ||
	    policy_shadow(cmd, &s->pol) ||
	    policy_configure(cmd, &s->pol, &s->cfg, s->cfg_path ? s->cfg_path : "(no file)") ||
	    policy_load(cmd, &s->pol, &s->cfg))
		return 1;
	s->stats = oomx_global_sized(s->pol.obj, "oomx_shadow", sizeof(struct oomx_shadow_stats));
	return 0;
}

static void summary(const struct shadow *s)
{
	const volatile struct oomx_shadow_stats *st = s->stats;
	unsigned long long n;

	if (!st)
		return;
	n = st->ooms;
	fprintf(stderr, "oomx: shadow %s: %llu OOM kill%s, agreed on %llu (%.0f%%), would have "
		"killed nobody in %llu; evaluation %.2f ms mean, %.2f ms max, up to %u processes "
		"walked%s%s\n", s->pol.name, n, n == 1 ? "" : "s", (unsigned long long)st->agree,
		n ? 100.0 * (double)st->agree / (double)n : 0.0, (unsigned long long)st->nobody,
		n ? (double)st->ns_total / (double)n / 1e6 : 0.0, (double)st->ns_max / 1e6,
		st->tasks_max, st->stopped ? "; STOPPED: " : "",
		st->stopped ? (const char *)st->reason : "");
}

/* SHADOW_DIR/@name/@file into @buf */
static void shadow_path(char *buf, size_t len, const char *name, const char *file)
{
	snprintf(buf, len, SHADOW_DIR "/%s%s%s", name, file ? "/" : "", file ? file : "");
}

/* a policy name, as OOMX_POLICY_NAME allows: never ".", "..", nor a path */
static bool shadow_name_ok(const char *name)
{
	size_t i;

	if (!name[0] || name[0] == '.' || strlen(name) >= OOMX_POLICY_LEN)
		return false;
	for (i = 0; name[i]; i++)
		if (!(isalnum((unsigned char)name[i]) || name[i] == '_' || name[i] == '-' ||
		      name[i] == '.'))
			return false;
	return true;
}

/*
 * remove the pins of shadow @name, its links first so that it detaches;
 * only from a directory that holds a shadow (its bss has oomx_shadow)
 */
static int unpin_one(const char *name)
{
	struct oomx_section bss;
	char path[512];
	struct dirent *de;
	bool shadow;
	DIR *dir;

	if (!shadow_name_ok(name))
		return -EINVAL;
	shadow_path(path, sizeof(path), name, "bss");
	if (oomx_section_open(&bss, path))
		return -ENOENT;
	shadow = oomx_section_var(&bss, "oomx_shadow", sizeof(struct oomx_shadow_stats));
	oomx_section_close(&bss);
	if (!shadow)
		return -ENOENT;
	shadow_path(path, sizeof(path), name, NULL);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		shadow_path(path, sizeof(path), name, de->d_name);
		if (!strncmp(de->d_name, "link", 4))
			unlink(path);
	}
	rewinddir(dir);
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		shadow_path(path, sizeof(path), name, de->d_name);
		unlink(path);
	}
	closedir(dir);
	shadow_path(path, sizeof(path), name, NULL);
	return rmdir(path) ? -errno : 0;
}

/* pin @s as SHADOW_DIR/NAME: its links, its events and its .bss (the stats) */
static int pin_one(struct shadow *s)
{
	const char *cmd = "oomx shadow --load";
	struct bpf_map *bss = oomx_section_of(s->pol.obj, ".bss");
	char path[512], file[96];
	int i;

	if (!shadow_name_ok(s->pol.name)) {
		fprintf(stderr, "%s: the policy name '%s' cannot name a pin directory\n", cmd,
			s->pol.name);
		return 1;
	}
	shadow_path(path, sizeof(path), s->pol.name, NULL);
	if (mkdir(SHADOW_DIR, 0700) && errno != EEXIST) {
		fprintf(stderr, "%s: cannot create %s: %s\n", cmd, SHADOW_DIR, strerror(errno));
		return 1;
	}
	if (mkdir(path, 0700)) {
		fprintf(stderr, "%s: %s: %s; a shadow of that name is loaded ('oomx shadow --unload "
			"%s' first)\n", cmd, path, strerror(errno), s->pol.name);
		return 1;
	}
	shadow_path(path, sizeof(path), s->pol.name, "events");
	if (bpf_map__pin(s->pol.events, path))
		goto fail;
	shadow_path(path, sizeof(path), s->pol.name, "bss");
	if (!bss || bpf_map__pin(bss, path))
		goto fail;
	for (i = 0; i < s->pol.nr_extra; i++) {
		snprintf(file, sizeof(file), "link_%s", s->pol.extra_name[i]);
		shadow_path(path, sizeof(path), s->pol.name, file);
		if (bpf_link__pin(s->pol.extra[i], path))
			goto fail;
	}
	return 0;
fail:
	fprintf(stderr, "%s: cannot pin %s: %s\n", cmd, path, strerror(errno));
	if (unpin_one(s->pol.name)) {
		/* no bss pinned yet: remove what there is by hand */
		shadow_path(path, sizeof(path), s->pol.name, "events");
		unlink(path);
		shadow_path(path, sizeof(path), s->pol.name, NULL);
		rmdir(path);
	}
	return 1;
}

static int unload(int argc, char **argv)
{
	char path[512];
	struct dirent *de;
	int i, err = 0;
	DIR *dir;

	if (argc) {
		for (i = 0; i < argc; i++) {
			if (unpin_one(argv[i])) {
				fprintf(stderr, "oomx shadow --unload: no shadow '%s' is loaded (%s)\n",
					argv[i], SHADOW_DIR);
				err = 1;
			}
		}
		return err;
	}
	dir = opendir(SHADOW_DIR);
	if (!dir)
		return 0;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		shadow_path(path, sizeof(path), de->d_name, NULL);
		if (unpin_one(de->d_name)) {
			fprintf(stderr, "oomx shadow --unload: cannot remove %s: %s\n", path,
				strerror(errno));
			err = 1;
		}
	}
	closedir(dir);
	return err;
}

static void print_stats(const char *name, const struct oomx_shadow_stats *st, bool json,
			bool first)
{
	double n = (double)st->ooms;

	if (json) {
		printf("%s{\"policy\":", first ? "" : ",");
		json_string(stdout, name, OOMX_POLICY_LEN);
		printf(",\"ooms\":%llu,\"agree\":%llu,\"agreement\":%.4f,\"nobody\":%llu,"
		       "\"ns_mean\":%.0f,\"ns_max\":%llu,\"tasks_max\":%u,\"stopped\":",
		       (unsigned long long)st->ooms, (unsigned long long)st->agree,
		       n ? (double)st->agree / n : 0.0, (unsigned long long)st->nobody,
		       n ? (double)st->ns_total / n : 0.0, (unsigned long long)st->ns_max,
		       st->tasks_max);
		if (st->stopped)
			json_string(stdout, st->reason, sizeof(st->reason));
		else
			printf("null");
		putchar('}');
	} else {
		printf("  %-20s %llu OOM kill%s, agreed on %llu (%.0f%%), nobody in %llu; "
		       "%.2f ms mean, %.2f ms max%s%s\n", name, (unsigned long long)st->ooms,
		       st->ooms == 1 ? "" : "s", (unsigned long long)st->agree,
		       n ? 100.0 * (double)st->agree / n : 0.0, (unsigned long long)st->nobody,
		       n ? (double)st->ns_total / n / 1e6 : 0.0, (double)st->ns_max / 1e6,
		       st->stopped ? "; STOPPED: " : "", st->stopped ? st->reason : "");
	}
}

int shadow_status(bool json)
{
	struct oomx_section bss;
	char path[512];
	struct dirent *de;
	int n = 0;
	DIR *dir;

	dir = opendir(SHADOW_DIR);
	if (json)
		printf(",\"shadows\":[");
	while (dir && (de = readdir(dir))) {
		const struct oomx_shadow_stats *st;

		if (de->d_name[0] == '.')
			continue;
		shadow_path(path, sizeof(path), de->d_name, "bss");
		if (oomx_section_open(&bss, path))
			continue;
		st = oomx_section_var(&bss, "oomx_shadow", sizeof(*st));
		if (st) {
			if (!n && !json)
				printf("shadows:\n");
			print_stats(de->d_name, st, json, !n);
			n++;
		}
		oomx_section_close(&bss);
	}
	if (dir)
		closedir(dir);
	if (json)
		putchar(']');
	return n;
}

int cmd_shadow(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "load", no_argument, NULL, 'l' },
		{ "unload", no_argument, NULL, 'u' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const char usage[] =
		"Usage: oomx shadow [--json] [--verbose] POLICY[:CONFIG]...\n"
		"       oomx shadow --load POLICY[:CONFIG]...\n"
		"       oomx shadow --unload [NAME]...\n"
		"Run each POLICY (a built-in name, or a policy object's path; with its\n"
		"configuration file after a ':') beside whatever decides the OOMs: the\n"
		"attached policy, or the kernel's own heuristic. At every real OOM kill\n"
		"each shadow scores the same candidates and prints whom it would have\n"
		"killed, with its score and runner-up, next to the real victim. A shadow\n"
		"never kills. It needs no oom_ext: it runs on a 6.12 kernel without the\n"
		"oomx series. Until Ctrl-C; then one line per shadow: OOM kills seen,\n"
		"agreement, evaluation time. --load pins the shadows under\n"
		SHADOW_DIR " instead, so that they outlive the command and\n"
		"'oomx status' shows their agreement; --unload removes them (all, or\n"
		"those NAMEd).";
	struct ring_buffer *rb = NULL;
	bool json = false, load = false, unload_ = false;
	struct statfs sfs;
	int opt, i, n = 0, err = 1;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "jvh", opts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'v':
			oomx_verbose = true;
			break;
		case 'l':
			load = true;
			break;
		case 'u':
			unload_ = true;
			break;
		case 'h':
			puts(usage);
			return 0;
		default:
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (unload_)
		return load ? EXIT_USAGE : unload(argc - optind, argv + optind);
	if (optind == argc || argc - optind > MAX_SHADOWS) {
		fprintf(stderr, "oomx shadow: give 1 to %d policies\n", MAX_SHADOWS);
		return EXIT_USAGE;
	}
	for (i = optind; i < argc; i++)
		if (parse_spec(argv[i], &shadows[n++]))
			return EXIT_USAGE;
	if (load && (statfs("/sys/fs/bpf", &sfs) || sfs.f_type != BPF_FS_MAGIC)) {
		fprintf(stderr, "oomx shadow: bpffs is not mounted at /sys/fs/bpf; mount it "
			"(mount -t bpf bpf /sys/fs/bpf) and try again\n");
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (prepare(&shadows[i]))
			goto cleanup;
		if (load)
			continue;
		if (!rb)
			rb = ring_buffer__new(bpf_map__fd(shadows[i].pol.events), event_print_cb,
					      &json, NULL);
		else if (ring_buffer__add(rb, bpf_map__fd(shadows[i].pol.events), event_print_cb,
					  &json))
			goto rb_fail;
		if (!rb)
			goto rb_fail;
	}
	if (load) {
		/* all or nothing: a shadow that cannot be pinned unpins the others */
		for (i = 0; i < n; i++) {
			if (pin_one(&shadows[i])) {
				while (i-- > 0)
					unpin_one(shadows[i].pol.name);
				goto cleanup;
			}
		}
		for (i = 0; i < n; i++)
			printf("oomx: shadow %s loaded at " SHADOW_DIR "/%s\n", shadows[i].pol.name,
			       shadows[i].pol.name);
		err = 0;
		for (i = 0; i < n; i++)
			policy_close(&shadows[i].pol, true);
		return err;
	}
	for (i = 0; i < n; i++)
		fprintf(stderr, "oomx: shadow %s (%s) watching every OOM kill; Ctrl-C stops\n",
			shadows[i].pol.name, shadows[i].pol.source);
	oomx_stay_resident("oomx shadow", false);
	oomx_catch_signals();
	err = 0;
	while (!oomx_exiting) {
		int r = ring_buffer__poll(rb, 200);

		if (r < 0 && r != -EINTR) {
			fprintf(stderr, "oomx shadow: reading events failed: %s\n", strerror(-r));
			err = 1;
			break;
		}
	}
	ring_buffer__consume(rb);
	for (i = 0; i < n; i++)
		summary(&shadows[i]);
	goto cleanup;
rb_fail:
	fprintf(stderr, "oomx shadow: cannot read the event ring buffers: %s\n", strerror(errno));
cleanup:
	ring_buffer__free(rb);
	for (i = 0; i < n; i++)
		policy_close(&shadows[i].pol, false);
	return err;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * policy_run - load an oom_ext policy object, set its globals, attach it and
 * report what it saw.
 *
 *   policy_run OBJ [--set NAME=VALUE[,VALUE...]]... [--timeout SEC]
 *
 * --set writes an integer global (or an integer array, comma-separated)
 * of .bss/.data/.rodata before the object is loaded. Once attached it prints
 * "attached", then waits for SIGTERM/SIGINT, for the policy to be detached by
 * the kernel (its "uei" exit record fills in), or for --timeout. It then
 * closes the link and prints one "exit kind=K code=C reason=R msg=M" line
 * and one NAME=VALUE line per integer global.
 *
 * Exit status: 0 after a report, 1 if the object could not be opened,
 * configured, loaded or attached (the reason is printed), 2 on timeout (a
 * report is still printed).
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>
#include "loader_util.h"
#include "globals.h"
#include "oomx_shared.h"

#define MAX_LINKS 4

static const char usage[] =
	"Usage: policy_run OBJ [--set NAME=VALUE[,VALUE...]]... [--timeout SEC] [--verbose]\n"
	"Load the oom_ext policy in OBJ, set its globals, attach it, and when it\n"
	"is detached (signal, kernel, timeout) print its exit record and globals.\n";


/* The element type of an integer or integer array global, NULL otherwise. */
static const struct btf_type *int_elem(const struct btf *btf, const struct btf_type *t,
				       uint32_t *nelems)
{
	*nelems = 1;
	if (btf_is_array(t)) {
		*nelems = btf_array(t)->nelems;
		t = btf__type_by_id(btf, btf__resolve_type(btf, btf_array(t)->type));
	}
	if (btf_is_int(t) && (btf_int_encoding(t) & BTF_INT_CHAR) == 0 && t->size <= 8)
		return t;
	if (btf_is_enum(t))
		return t;
	return NULL;
}

static int set_global(struct bpf_object *obj, const char *arg)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_type *elem;
	char name[128], *end;
	const char *eq = strchr(arg, '='), *v;
	struct oomx_global g;
	uint32_t n, i;
	char *p;

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(name)) {
		fprintf(stderr, "policy_run: --set '%s': expected NAME=VALUE\n", arg);
		return -EINVAL;
	}
	memcpy(name, arg, eq - arg);
	name[eq - arg] = '\0';
	if (oomx_global_find(obj, name, &g)) {
		fprintf(stderr, "policy_run: --set %s: the policy has no global '%s'\n", arg, name);
		return -ENOENT;
	}
	elem = int_elem(btf, g.type, &n);
	p = oomx_global_ptr(&g);
	if (!elem || !p) {
		fprintf(stderr, "policy_run: --set %s: '%s' is not an integer global\n", arg, name);
		return -EINVAL;
	}
	v = eq + 1;
	for (i = 0; i < n && *v; i++) {
		long long val;

		errno = 0;
		val = strtoll(v, &end, 0);
		if (errno || end == v || (*end && *end != ',')) {
			fprintf(stderr, "policy_run: --set %s: '%s' is not a number\n", arg, v);
			return -EINVAL;
		}
		memcpy(p + (size_t)i * elem->size, &val, elem->size);	/* little endian */
		v = *end ? end + 1 : end;
	}
	if (*v) {
		fprintf(stderr, "policy_run: --set %s: more than %u values\n", arg, n);
		return -EINVAL;
	}
	return 0;
}

static void print_elem(const struct btf_type *t, const char *p)
{
	bool is_signed = btf_is_int(t) ? btf_int_encoding(t) & BTF_INT_SIGNED : false;
	int64_t s = 0;
	uint64_t u = 0;

	memcpy(&u, p, t->size);
	if (is_signed) {
		int shift = 64 - 8 * t->size;

		s = (int64_t)(u << shift) >> shift;
		printf("%" PRId64, s);
	} else {
		printf("%" PRIu64, u);
	}
}

/* print one integer (or integer array) global as NAME=VALUE */
static int print_global(const struct oomx_global *g, void *ctx)
{
	const struct btf_type *elem;
	const char *p = oomx_global_ptr(g);
	uint32_t n, k;

	elem = int_elem(ctx, g->type, &n);
	if (!elem || !p)
		return 0;
	printf("%s=", g->name);
	for (k = 0; k < n; k++) {
		if (k)
			putchar(',');
		print_elem(elem, p + (size_t)k * elem->size);
	}
	putchar('\n');
	return 0;
}

/* Print every integer global of .bss and .data as NAME=VALUE. */
static void print_globals(struct bpf_object *obj)
{
	void *btf = bpf_object__btf(obj);

	oomx_global_foreach(obj, ".bss", print_global, btf);
	oomx_global_foreach(obj, ".data", print_global, btf);
}

static const struct oomx_exit *exit_record(struct bpf_object *obj)
{
	struct oomx_global g;

	if (oomx_global_find(obj, "uei", &g) || g.size != sizeof(struct oomx_exit))
		return NULL;
	return oomx_global_ptr(&g);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "set", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct bpf_link *links[MAX_LINKS] = { 0 };
	const char *sets[64];
	int nsets = 0, nlinks = 0, opt, err = 1, i;
	const volatile struct oomx_exit *ue;
	struct bpf_object *obj = NULL;
	unsigned long timeout = 300;
	bool verbose = false;
	struct bpf_map *map;
	time_t start;

	while ((opt = getopt_long(argc, argv, "hv", opts, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (nsets == (int)(sizeof(sets) / sizeof(sets[0]))) {
				fprintf(stderr, "policy_run: too many --set\n");
				return 1;
			}
			sets[nsets++] = optarg;
			break;
		case 't':
			timeout = strtoul(optarg, NULL, 10);
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 1;
		}
	}
	if (optind != argc - 1) {
		fputs(usage, stderr);
		return 1;
	}
	loader_setup(verbose);

	obj = bpf_object__open_file(argv[optind], NULL);
	if (!obj) {
		fprintf(stderr, "policy_run: cannot open %s: %s\n", argv[optind], strerror(errno));
		obj = NULL;
		goto cleanup;
	}
	for (i = 0; i < nsets; i++)
		if (set_global(obj, sets[i]))
			goto cleanup;

	if (bpf_object__load(obj)) {
		err = -errno;
		printf("load failed: %s (%s)\n", strerrorname_np(-err), strerror(-err));
		err = 1;
		goto cleanup;
	}
	bpf_object__for_each_map(map, obj) {
		if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS || nlinks == MAX_LINKS)
			continue;
		links[nlinks] = bpf_map__attach_struct_ops(map);
		if (!links[nlinks]) {
			err = -errno;
			printf("attach failed: %s (%s)\n", strerrorname_np(-err), strerror(-err));
			err = 1;
			goto cleanup;
		}
		nlinks++;
	}
	if (!nlinks) {
		printf("attach failed: %s has no struct_ops map\n", argv[optind]);
		goto cleanup;
	}
	printf("attached\n");
	fflush(stdout);

	ue = exit_record(obj);
	err = 0;
	start = time(NULL);
	while (!exiting && !(ue && ue->kind)) {
		if ((unsigned long)(time(NULL) - start) >= timeout) {
			printf("timeout after %lus\n", timeout);
			err = 2;
			break;
		}
		usleep(50 * 1000);
	}

	/* detach: the kernel calls .exit, which fills in the exit record */
	for (i = 0; i < nlinks; i++) {
		bpf_link__destroy(links[i]);
		links[i] = NULL;
	}
	if (ue)
		printf("exit kind=%d code=%lld reason=%s msg=%s\n", ue->kind,
		       (long long)ue->exit_code, ue->reason, ue->msg);
	print_globals(obj);
	fflush(stdout);

cleanup:
	for (i = 0; i < nlinks; i++)
		bpf_link__destroy(links[i]);
	bpf_object__close(obj);
	return err;
}

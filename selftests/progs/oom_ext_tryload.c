// SPDX-License-Identifier: GPL-2.0
/*
 * oom_ext_tryload - load (verify) a BPF object without attaching anything,
 * for tests of what the verifier must refuse. Prints "loaded" or
 * "load failed: ENAME"; libbpf's warnings, which include the verifier's
 * log on failure, go to stderr.
 *
 * Exit status: 0 loaded, 1 refused, 2 the object could not be opened.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "loader_util.h"

int main(int argc, char **argv)
{
	struct bpf_object *obj;
	int err;

	if (argc != 2 || !strcmp(argv[1], "--help")) {
		fputs("Usage: oom_ext_tryload OBJECT.bpf.o\n", argc == 2 ? stdout : stderr);
		return argc == 2 ? 0 : 2;
	}
	loader_setup(false);

	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		err = -errno;
		printf("open failed: %s (%s)\n", strerrorname_np(-err), strerror(-err));
		return 2;
	}
	err = bpf_object__load(obj);
	if (err)
		printf("load failed: %s (%s)\n", strerrorname_np(-err), strerror(-err));
	else
		printf("loaded\n");
	bpf_object__close(obj);
	return err ? 1 : 0;
}

// SPDX-License-Identifier: GPL-2.0
/* oomx events: the loaded policy's events. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "events.h"
#include "oomx.h"
#include "pin.h"

int cmd_events(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "follow", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct ring_buffer *rb;
	bool follow = false, json = false;
	__u64 lost = 0;
	char path[256];
	int opt, fd, err = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "jfh", opts, NULL)) != -1) {
		switch (opt) {
		case 'j': json = true; break;
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
	rb = ring_buffer__new(fd, event_print_cb, &json, NULL);
	if (!rb) {
		fprintf(stderr, "oomx events: cannot read %s: %s\n", path, strerror(errno));
		close(fd);
		return 1;
	}
	if (follow)
		oomx_stay_resident("oomx events", false);
	oomx_catch_signals();
	if (ring_buffer__consume(rb) < 0)
		err = 1;
	while (follow && !err && !oomx_exiting && pin_loaded()) {
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

// SPDX-License-Identifier: GPL-2.0
/*
 * oomx metrics: the node's OOM counters for Prometheus, printed once or
 * served over HTTP (--listen). Gathers from the kernel (/sys/kernel/oom_ext,
 * /proc/vmstat), the pinned policy (its .bss and oomx_cgroup_kills) and
 * the watcher's stats file; user/metrics.c formats.
 */
#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <getopt.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "cgroups.h"
#include "globals.h"
#include "metrics.h"
#include "oomx.h"
#include "pin.h"
#include "sysfs.h"

#define WATCH_STATS	"/run/oomx/watch.stats"

static long long now_ms(void)
{
	return (long long)(oomx_now_ns() / 1000000);
}

static unsigned long long sysfs_counter(const char *name)
{
	char path[128], buf[64];

	snprintf(path, sizeof(path), SYSFS_OOM_EXT "/%s", name);
	if (sysfs_read_line(path, buf, sizeof(buf)))
		return 0;
	return strtoull(buf, NULL, 10);
}

/* cgroup_walk()'s visitor: the path of each id of the map */
static int name_cgroup(__u64 id, const char *path, void *ctx)
{
	struct oomx_metrics *m = ctx;
	size_t i;

	for (i = 0; i < m->nr_cgroups; i++)
		if (m->cgroups[i].id == id)
			snprintf(m->cgroups[i].path, sizeof(m->cgroups[i].path), "%s", path);
	return 0;
}

/*
 * The policy's per-cgroup kills. A cgroup removed and created again at
 * the same path (a restarted service) has a new id: both count under
 * the one path, so that a path is one series. A removed cgroup is "id:N".
 */
static void gather_cgroups(struct oomx_metrics *m)
{
	char path[256];
	__u64 key, next, val;
	size_t i, j;
	int fd;
	bool first = true;

	pin_path(path, sizeof(path), "oomx_cgroup_kills");
	fd = bpf_obj_get(path);
	if (fd < 0)
		return;
	while (m->nr_cgroups < OOMX_METRIC_CGROUPS &&
	       !bpf_map_get_next_key(fd, first ? NULL : &key, &next)) {
		first = false;
		key = next;
		if (bpf_map_lookup_elem(fd, &key, &val))
			continue;
		m->cgroups[m->nr_cgroups].id = key;
		m->cgroups[m->nr_cgroups].kills = val;
		m->cgroups[m->nr_cgroups].path[0] = '\0';
		m->nr_cgroups++;
	}
	close(fd);
	cgroup_walk(name_cgroup, m);	/* one walk for all of them */
	for (i = 0; i < m->nr_cgroups; i++) {
		if (!m->cgroups[i].path[0])
			continue;
		for (j = i + 1; j < m->nr_cgroups; j++) {
			if (strcmp(m->cgroups[i].path, m->cgroups[j].path))
				continue;
			m->cgroups[i].kills += m->cgroups[j].kills;
			m->cgroups[j--] = m->cgroups[--m->nr_cgroups];
		}
	}
}

/* the pinned policy's name and its counters in .bss, from one read of each map */
static int gather_pinned(struct oomx_metrics *m)
{
	const struct oomx_stats *st;
	const __u64 *lost;
	struct oomx_section bss;
	char path[256];
	int err;

	if (pin_read_var("rodata", "oomx_policy_name", m->pinned_policy,
			 sizeof(m->pinned_policy)))
		return -1;
	m->pinned_policy[sizeof(m->pinned_policy) - 1] = '\0';
	pin_path(path, sizeof(path), "bss");
	err = oomx_section_open(&bss, path);
	if (err)
		return err;
	st = oomx_section_var(&bss, "oomx_stats", sizeof(*st));
	lost = oomx_section_var(&bss, "oomx_lost_events", sizeof(*lost));
	if (st) {
		m->stats = *st;
		m->lost_events = lost ? *lost : 0;
		m->pinned = true;
	}
	oomx_section_close(&bss);
	return st ? 0 : -ENOENT;
}

static void gather(struct oomx_metrics *m, const char *watch_stats)
{
	memset(m, 0, sizeof(*m));
	m->oom_ext = sysfs_has_oom_ext();
	if (m->oom_ext) {
		sysfs_read_line(SYSFS_OOM_EXT "/state", m->state, sizeof(m->state));
		sysfs_attached(m->policy, sizeof(m->policy));
		m->invocations = sysfs_counter("invocations");
		m->policy_choices = sysfs_counter("policy_choices");
		m->fallbacks = sysfs_counter("fallbacks");
		m->errors = sysfs_counter("errors");
		m->kills = sysfs_counter("kills");
		m->reaps = sysfs_counter("reaps");
	}
	m->have_vmstat = !vmstat_read("oom_kill", &m->vmstat_oom_kill);
	if (pin_loaded() && !gather_pinned(m))
		gather_cgroups(m);
	m->have_watch = !watch_stats_read(watch_stats, m->triggers, OOMX_CFG_MAX_PRESSURE,
					  &m->nr_triggers);
}

/* the exposition in a malloc'd buffer */
static char *render(const char *watch_stats, size_t *len)
{
	static struct oomx_metrics m;
	char *buf = NULL;
	FILE *f;

	gather(&m, watch_stats);
	f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	metrics_print(f, &m);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static int listen_on(const char *cmd, const char *addr)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_PASSIVE };
	struct addrinfo *res = NULL, *ai;
	char host[256], *colon;
	const char *port;
	int fd = -1, one = 1, err;

	snprintf(host, sizeof(host), "%s", addr);
	colon = strrchr(host, ':');
	if (!colon || !colon[1]) {
		fprintf(stderr, "%s: --listen wants HOST:PORT, :PORT or [IPV6]:PORT, got '%s'\n",
			cmd, addr);
		return -1;
	}
	*colon = '\0';
	port = colon + 1;
	if (host[0] == '[' && colon[-1] == ']') {
		colon[-1] = '\0';
		memmove(host, host + 1, strlen(host));
	}
	err = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
	if (err) {
		fprintf(stderr, "%s: cannot resolve '%s': %s\n", cmd, addr, gai_strerror(err));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd >= 0 && !setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) &&
		    !bind(fd, ai->ai_addr, ai->ai_addrlen) && !listen(fd, 16))
			break;
		err = errno;
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	if (fd < 0)
		fprintf(stderr, "%s: cannot listen on %s: %s\n", cmd, addr, strerror(err));
	freeaddrinfo(res);
	return fd;
}

/* write all of @buf by @deadline (ms, CLOCK_MONOTONIC); no SIGPIPE */
static int send_all(int c, const char *buf, size_t len, long long deadline)
{
	while (len) {
		struct pollfd pfd = { .fd = c, .events = POLLOUT };
		long long left = deadline - now_ms();
		ssize_t w;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			return -1;
		w = send(c, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (w <= 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

static void reply(int c, const char *status, const char *type, const char *body, size_t len,
		  long long deadline)
{
	char hdr[256];
	int n = snprintf(hdr, sizeof(hdr), "HTTP/1.1 %s\r\nContent-Type: %s\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n", status, type, len);

	if (!send_all(c, hdr, (size_t)n, deadline))
		send_all(c, body, len, deadline);
}

/*
 * One request per connection, all of it within REQUEST_MS: a client that
 * trickles its request, or does not read the answer, is dropped then and
 * holds no one else up for longer.
 */
#define REQUEST_MS	2000

static void serve_one(int c, const char *watch_stats)
{
	long long deadline = now_ms() + REQUEST_MS;
	char req[2048], *body;
	size_t got = 0, len;

	while (got < sizeof(req) - 1) {
		struct pollfd pfd = { .fd = c, .events = POLLIN };
		long long left = deadline - now_ms();
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			return;
		n = recv(c, req + got, sizeof(req) - 1 - got, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		req[got] = '\0';
		if (strstr(req, "\r\n\r\n") || strstr(req, "\n\n"))
			break;
	}
	req[got] = '\0';
	if (strncmp(req, "GET ", 4)) {
		reply(c, "405 Method Not Allowed", "text/plain", "GET only\n", 9, deadline);
		return;
	}
	if (strncmp(req + 4, "/metrics ", 9) && strncmp(req + 4, "/ ", 2)) {
		reply(c, "404 Not Found", "text/plain", "see /metrics\n", 13, deadline);
		return;
	}
	body = render(watch_stats, &len);
	if (!body) {
		reply(c, "500 Internal Server Error", "text/plain", "out of memory\n", 14, deadline);
		return;
	}
	reply(c, "200 OK", "text/plain; version=0.0.4; charset=utf-8", body, len, deadline);
	free(body);
}

int cmd_metrics(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "watch-stats", required_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const char usage[] =
		"Usage: oomx metrics [--listen ADDR] [--watch-stats FILE]\n"
		"The node's OOM counters in the Prometheus text format: the kernel's\n"
		"(/sys/kernel/oom_ext, /proc/vmstat), the loaded policy's (kills by who\n"
		"chose and by cause, by cgroup, lost events, the scan's time) and the\n"
		"pressure watcher's. Printed once (for node_exporter's textfile\n"
		"collector: oomx metrics > DIR/oomx.prom.tmp && mv ...), or served.\n"
		"  --listen ADDR       serve GET /metrics on ADDR (HOST:PORT, :PORT,\n"
		"                      [IPV6]:PORT) until SIGTERM; counters are read\n"
		"                      at each scrape, nothing in between\n"
		"  --watch-stats FILE  the watcher's counters (default " WATCH_STATS ")";
	const char *cmd = "oomx metrics", *addr = NULL, *watch_stats = WATCH_STATS;
	char *body;
	size_t len;
	int opt, fd;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "l:w:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			addr = optarg;
			break;
		case 'w':
			watch_stats = optarg;
			break;
		case 'h':
			puts(usage);
			return 0;
		default:
			fputs(usage, stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "%s: unexpected '%s'\n%s\n", cmd, argv[optind], usage);
		return EXIT_USAGE;
	}
	if (!addr) {
		body = render(watch_stats, &len);
		if (!body) {
			fprintf(stderr, "%s: out of memory\n", cmd);
			return 1;
		}
		fwrite(body, 1, len, stdout);
		free(body);
		return fflush(stdout) ? 1 : 0;
	}
	fd = listen_on(cmd, addr);
	if (fd < 0)
		return 1;
	fprintf(stderr, "%s: serving http://%s/metrics\n", cmd, addr);
	oomx_catch_signals();
	while (!oomx_exiting) {
		int c = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

		if (c < 0) {
			if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
			    errno == ENOMEM) {
				/* out of something for now: say so, breathe, go on */
				fprintf(stderr, "%s: accept: %s\n", cmd, strerror(errno));
				sleep(1);
			}
			continue;	/* EINTR, ECONNABORTED, EPROTO, ...: the next one */
		}
		serve_one(c, watch_stats);
		close(c);
	}
	close(fd);
	return 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * monitor - one episode of the comparison (docs/compare.md): measure the
 * protected service's rate for --baseline-ms, start the workload (CMD) in
 * cgroup DIR, and for --window-ms watch
 *   - when memory pressure began: the first 100 ms interval in which some
 *     task of the machine stalled on memory for --onset-pct of it
 *     (/proc/pressure/memory "some" total);
 *   - when the workload and each --watch NAME=PID process died (pidfds);
 *   - how many operations the protected service did (its --counter file),
 *     against its baseline rate over the same time, and for how long it
 *     did none at all: the 100 ms intervals without one operation, summed,
 *     and the longest run of them (the service stuck on memory);
 *   - the lowest MemAvailable and the most swap used.
 * At the end the workload is killed if it still runs, and one JSON object
 * is printed. Times are milliseconds from the workload's start.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_WATCH	8
#define SAMPLE_MS	100

struct watched {
	const char *name;
	pid_t pid;
	int fd;
	int64_t died_ms;	/* -1 while alive */
};

static struct watched w[MAX_WATCH + 1];	/* w[0]: the workload */
static int nw = 1;

static const char usage[] =
	"Usage: monitor --cgroup DIR --window-ms MS [--baseline-ms MS] [--counter FILE]\n"
	"               [--onset-pct PCT] [--watch NAME=PID]... -- CMD [ARG]...\n";

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* "some" and "full" totals of /proc/pressure/memory, in us */
static void psi_totals(uint64_t *some, uint64_t *full)
{
	char buf[512], *p;
	ssize_t n;
	int fd = open("/proc/pressure/memory", O_RDONLY);

	/* on a failed read the totals stay as they were: they only grow */
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	p = strstr(buf, "total=");
	if (p)
		*some = strtoull(p + 6, NULL, 10);
	p = p ? strstr(p + 6, "total=") : NULL;
	if (p)
		*full = strtoull(p + 6, NULL, 10);
}

static uint64_t meminfo_kb(const char *key)
{
	char line[256];
	uint64_t v = 0;
	size_t len = strlen(key);
	FILE *f = fopen("/proc/meminfo", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len)) {
			v = strtoull(line + len, NULL, 10);
			break;
		}
	if (f)
		fclose(f);
	return v;
}

static uint64_t counter_read(volatile uint64_t *c)
{
	return c ? __atomic_load_n(c, __ATOMIC_RELAXED) : 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cgroup", required_argument, NULL, 'c' },
		{ "window-ms", required_argument, NULL, 'w' },
		{ "baseline-ms", required_argument, NULL, 'b' },
		{ "counter", required_argument, NULL, 'C' },
		{ "onset-pct", required_argument, NULL, 'o' },
		{ "watch", required_argument, NULL, 'W' },
		{ NULL, 0, NULL, 0 },
	};
	int64_t window = 0, baseline = 3000, onset = -1, t0, t, last;
	uint64_t some0 = 0, full0 = 0, some = 0, full = 0, psome, c_start, c0 = 0, c1 = 0;
	uint64_t avail_min = UINT64_MAX, swap_max = 0, swap_total, v, cprev;
	int64_t stuck = 0, stuck_run = 0, stuck_max = 0;
	double onset_pct = 10, base_rate = 0;
	volatile uint64_t *counter = NULL;
	const char *cgroup = NULL;
	struct pollfd pfd[MAX_WATCH + 1];
	siginfo_t si;
	int c, i, fd, status = -1;
	char procs[4096];
	pid_t child;

	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cgroup = optarg;
			break;
		case 'w':
			window = strtoll(optarg, NULL, 10);
			break;
		case 'b':
			baseline = strtoll(optarg, NULL, 10);
			break;
		case 'o':
			onset_pct = strtod(optarg, NULL);
			break;
		case 'C':
			fd = open(optarg, O_RDONLY);
			counter = fd < 0 ? MAP_FAILED :
				  mmap(NULL, sizeof(uint64_t), PROT_READ, MAP_SHARED, fd, 0);
			if (fd >= 0)
				close(fd);
			if (counter == MAP_FAILED) {
				fprintf(stderr, "monitor: %s: %s\n", optarg, strerror(errno));
				return 1;
			}
			break;
		case 'W':
			if (nw > MAX_WATCH || !strchr(optarg, '=')) {
				fputs(usage, stderr);
				return 2;
			}
			w[nw].name = optarg;
			*strchr(optarg, '=') = '\0';
			w[nw].pid = atoi(optarg + strlen(optarg) + 1);
			w[nw].fd = pidfd_open(w[nw].pid);
			/* already gone: a death before the episode, reported at 0 ms */
			w[nw].died_ms = w[nw].fd < 0 ? 0 : -1;
			nw++;
			break;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (!cgroup || window <= 0 || optind >= argc) {
		fputs(usage, stderr);
		return 2;
	}
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", cgroup);
	/* our own samples must not wait for memory the episode is short of */
	if (mlockall(MCL_CURRENT | MCL_FUTURE))
		fprintf(stderr, "monitor: mlockall: %s (measuring anyway)\n", strerror(errno));
	swap_total = meminfo_kb("SwapTotal:");

	if (counter && baseline > 0) {
		c0 = counter_read(counter);
		sleep_ms(baseline);
		c1 = counter_read(counter);
		base_rate = (double)(c1 - c0) * 1000 / baseline;
	}

	child = fork();
	if (child < 0)
		return 1;
	if (!child) {
		char pid[32];

		fd = open(procs, O_WRONLY);
		snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
		if (fd < 0 || write(fd, pid, strlen(pid)) < 0) {
			fprintf(stderr, "monitor: cannot enter %s: %s\n", cgroup, strerror(errno));
			_exit(126);
		}
		close(fd);
		execvp(argv[optind], argv + optind);
		_exit(127);
	}
	t0 = now_ms();
	c_start = counter_read(counter);
	psi_totals(&some0, &full0);
	psome = some0;
	cprev = c_start;
	w[0].name = "workload";
	w[0].pid = child;
	w[0].fd = pidfd_open(child);
	w[0].died_ms = -1;
	last = t0;

	for (t = t0; t < t0 + window; t = now_ms()) {
		int n = 0;

		for (i = 0; i < nw; i++) {
			if (w[i].died_ms >= 0)
				continue;
			pfd[n].fd = w[i].fd;
			pfd[n].events = POLLIN;
			pfd[n].revents = 0;
			n++;
		}
		poll(pfd, n, SAMPLE_MS);
		t = now_ms();
		for (i = 0; i < nw; i++) {
			struct pollfd p = { w[i].fd, POLLIN, 0 };

			if (w[i].died_ms < 0 && poll(&p, 1, 0) == 1)
				w[i].died_ms = t - t0;
		}
		if (t - last >= SAMPLE_MS) {
			psi_totals(&some, &full);
			if (onset < 0 && (double)(some - psome) >= onset_pct * 10 * (t - last))
				onset = last - t0;
			psome = some;
			v = counter_read(counter);
			if (counter && v == cprev) {
				stuck += t - last;
				stuck_run += t - last;
				if (stuck_run > stuck_max)
					stuck_max = stuck_run;
			} else {
				stuck_run = 0;
			}
			cprev = v;
			last = t;
			v = meminfo_kb("MemAvailable:");
			if (v < avail_min)
				avail_min = v;
			v = swap_total - meminfo_kb("SwapFree:");
			if (v > swap_max)
				swap_max = v;
		}
	}
	c1 = counter_read(counter);
	t = now_ms();	/* the loop may overrun the window: count what it took */
	psi_totals(&some, &full);
	if (w[0].died_ms < 0)
		kill(child, SIGKILL);
	memset(&si, 0, sizeof(si));
	if (!waitid(P_PID, child, &si, WEXITED))
		status = si.si_code == CLD_EXITED ? si.si_status : 128 + si.si_status;

	printf("{\"window_ms\":%" PRId64 ",\"onset_ms\":", window);
	if (onset >= 0)
		printf("%" PRId64, onset);
	else
		printf("null");
	for (i = 0; i < nw; i++) {
		printf(",\"%s\":{\"pid\":%d,\"died_ms\":", w[i].name, (int)w[i].pid);
		if (w[i].died_ms >= 0)
			printf("%" PRId64 "}", w[i].died_ms);
		else
			printf("null}");
	}
	printf(",\"workload_status\":%d,\"base_rate\":%.1f,\"ops\":%" PRIu64
	       ",\"progress_pct\":%.1f,\"stuck_ms\":%" PRId64 ",\"stuck_max_ms\":%" PRId64
	       ",\"some_ms\":%" PRIu64 ",\"full_ms\":%" PRIu64
	       ",\"mem_available_min_kb\":%" PRIu64 ",\"swap_used_max_kb\":%" PRIu64 "}\n",
	       status, base_rate, c1 - c_start,
	       base_rate > 0 ? (double)(c1 - c_start) * 100000 / (base_rate * (t - t0)) : 0,
	       stuck, stuck_max,
	       (some - some0) / 1000, (full - full0) / 1000, avail_min, swap_max);
	return 0;
}

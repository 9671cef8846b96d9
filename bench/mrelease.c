// SPDX-License-Identifier: GPL-2.0
/*
 * mrelease - the reaper racing a victim's exit (bench/race.sh). A child maps
 * --mb MiB of anonymous memory in --vmas mappings (every other one made
 * read-only after it is written, so that none merge), touches every page,
 * and starts a thread that writes to a file on --fs, a file system this
 * program then freezes (FIFREEZE): that thread sleeps in sb_start_write(),
 * uninterruptibly, and holds the mm after a SIGKILL until the file system
 * is thawed. Per round, after the SIGKILL:
 *
 *   exit   thaw at once: the victim's exit_mmap() frees everything alone;
 *   reap   process_mrelease() on its pidfd reaps the mm
 *          (__oom_reap_task_mm()) alone, then thaw: the exit finds little;
 *   race   a thread thaws the moment process_mrelease() is called: the
 *          exit's exit_mmap() and the reaper walk the same mm at once, as
 *          when the OOM reaper meets a victim that is exiting.
 *
 * mrelease.bpf.c times what each side spends in __pte_offset_map_lock()
 * and in lock contention, and when exit_mmap() ran. Prints per round:
 *
 *   RESULT part=race mode=M round=R mb=N vmas=V valid=0|1 free_us=F
 *     mrelease_us=C ret=E exit_mmap_us=X overlap_us=O exit_ptl_us=.. exit_ptl_calls=..
 *     exit_cont=.. exit_cont_us=.. exit_spin=.. reap_ptl_us=..
 *     reap_ptl_calls=.. reap_cont=.. reap_cont_us=.. reap_spin=..
 *
 * free_us: from the SIGKILL to when none of its memory is left (exit: its
 * exit_mmap() returned; reap: process_mrelease() returned; race: the later);
 * mrelease_us: the process_mrelease() call; overlap_us: how long exit_mmap()
 * and process_mrelease() ran together; valid: the call did its work and, in
 * the race, they overlapped. The contention fields count only what the
 * kernel traces (contention_begin: the MCS queue of a spinlock, rwsems,
 * mutexes); with two CPUs a spinlock's one waiter spins on the pending bit,
 * untraced (kernel/locking/qspinlock.c), so they say little here.
 */
#include <errno.h>
#include <getopt.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "../selftests/progs/loader_util.h"
#include "mrelease.h"
#include "mrelease.skel.h"

static const char usage[] =
	"Usage: mrelease --fs DIR [--mb N] [--vmas N] [--rounds N] [--verbose]\n"
	"Time a victim's teardown by its exit, by process_mrelease(), and by both\n"
	"at once. DIR: a scratch file system this program may freeze.\n";

static int fs_fd = -1;			/* the --fs directory */
static atomic_int thaw_now;		/* the race's signal to the thawer */

static unsigned long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static char victim_file[4200];

/* the victim's second thread: writes until the file system is frozen */
static void *writer(void *arg)
{
	static char buf[4096];
	int fd = open(victim_file, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	(void)arg;
	if (fd < 0)
		_exit(4);
	memset(buf, 'x', sizeof(buf));
	for (;;)
		if (pwrite(fd, buf, sizeof(buf), 0) < 0)
			_exit(5);
	return NULL;
}

/* the victim: N MiB in V unmergeable mappings and a writer; 0 on the pipe */
static void victim(long mb, long vmas, int ready)
{
	pthread_t tid;
	size_t len = (size_t)mb << 20, chunk = len / vmas, off;
	char *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long i;

	if (mem == MAP_FAILED)
		_exit(1);
	/* 4 KiB pages, as in the upstream measurement: no huge page to zap whole */
	if (madvise(mem, len, MADV_NOHUGEPAGE))
		_exit(7);
	for (off = 0; off < len; off += 4096)
		mem[off] = 1;
	for (i = 1; i < vmas; i += 2)
		if (mprotect(mem + i * chunk, chunk, PROT_READ))
			_exit(2);
	if (pthread_create(&tid, NULL, writer, NULL))
		_exit(6);
	if (write(ready, "", 1) != 1)
		_exit(3);
	for (;;)
		pause();
}

/* whether a thread of @pid sleeps uninterruptibly ('D' in its stat) */
static bool in_d(pid_t pid)
{
	char path[64], buf[512], *p;
	struct dirent *d;
	bool found = false;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	dir = opendir(path);
	if (!dir)
		return false;
	while (!found && (d = readdir(dir))) {
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(buf, sizeof(buf), "/proc/%d/task/%s/stat", pid, d->d_name);
		f = fopen(buf, "r");
		if (!f)
			continue;
		if (fgets(buf, sizeof(buf), f) && (p = strrchr(buf, ')')) && p[1] == ' ' &&
		    p[2] == 'D')
			found = true;
		fclose(f);
	}
	closedir(dir);
	return found;
}

static int thaw(void)
{
	if (ioctl(fs_fd, FITHAW, 0)) {
		perror("mrelease: FITHAW");
		return -1;
	}
	return 0;
}

/* the race's thawer: thaws the moment process_mrelease() is called */
static void *thawer(void *arg)
{
	(void)arg;
	while (!atomic_load(&thaw_now))
		;
	thaw();
	return NULL;
}

static int sys_pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

static int sys_pidfd_send_signal(int fd, int sig)
{
	return (int)syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0);
}

static int sys_process_mrelease(int fd)
{
	return (int)syscall(SYS_process_mrelease, fd, 0);
}

/* one round; 0 or -1 */
static int round_once(struct mrelease *skel, const char *mode, int r, long mb, long vmas)
{
	unsigned long long t_kill, t0, t1, start, end, lo, hi, overlap, free_ns;
	struct mr_stats *s = skel->bss->stats;
	bool frozen = false, racer = false;
	int pipefd[2], pidfd = -1, ret = 0, err = -1, i, valid;
	struct pollfd pfd;
	pthread_t tid;
	pid_t pid;
	char c;

	if (pipe(pipefd))
		return -1;
	pid = fork();
	if (pid < 0)
		goto out_pipe;
	if (!pid) {
		close(pipefd[0]);
		victim(mb, vmas, pipefd[1]);
	}
	if (read(pipefd[0], &c, 1) != 1) {
		fprintf(stderr, "mrelease: the victim did not get its memory\n");
		goto out_child;
	}
	pidfd = sys_pidfd_open(pid);
	if (pidfd < 0) {
		perror("mrelease: pidfd_open");
		goto out_child;
	}
	if (ioctl(fs_fd, FIFREEZE, 0)) {
		perror("mrelease: FIFREEZE");
		goto out_child;
	}
	frozen = true;
	for (i = 0; i < 3000 && !in_d(pid); i++)
		usleep(10000);
	if (!in_d(pid)) {
		fprintf(stderr, "mrelease: the victim's writer is not in D state after 30 s\n");
		goto out_child;
	}
	memset(s, 0, sizeof(skel->bss->stats));
	skel->bss->exit_mmap_start = skel->bss->exit_mmap_end = 0;
	skel->bss->victim_tgid = pid;
	skel->bss->reaper_pid = strcmp(mode, "exit") ? (__u32)syscall(SYS_gettid) : 0;
	atomic_store(&thaw_now, 0);
	if (!strcmp(mode, "race")) {
		if (pthread_create(&tid, NULL, thawer, NULL)) {
			fprintf(stderr, "mrelease: cannot start the thawer\n");
			goto out_child;
		}
		racer = true;
	}
	t_kill = now_ns();
	if (sys_pidfd_send_signal(pidfd, SIGKILL)) {
		perror("mrelease: pidfd_send_signal");
		goto out_child;
	}
	t0 = t1 = now_ns();
	if (!strcmp(mode, "exit")) {
		frozen = false;
		if (thaw())
			goto out_child;
	} else {
		/* the other threads' exit has begun; the writer holds the mm */
		atomic_store(&thaw_now, 1);
		t0 = now_ns();
		if (sys_process_mrelease(pidfd))
			ret = -errno;
		t1 = now_ns();
		if (racer) {
			pthread_join(tid, NULL);
			racer = false;
			frozen = false;
		} else {
			frozen = false;
			if (thaw())
				goto out_child;
		}
	}
	pfd.fd = pidfd;
	pfd.events = POLLIN;
	if (poll(&pfd, 1, 60000) != 1) {
		fprintf(stderr, "mrelease: the victim did not exit in 60 s\n");
		goto out_child;
	}
	waitpid(pid, NULL, 0);
	pid = 0;
	skel->bss->victim_tgid = 0;
	skel->bss->reaper_pid = 0;
	start = skel->bss->exit_mmap_start;
	end = skel->bss->exit_mmap_end;
	if (!end) {
		fprintf(stderr, "mrelease: exit_mmap() of the victim was not seen\n");
		goto out_child;
	}
	/* exit_mmap() and process_mrelease() together: the overlap of the two */
	lo = start > t0 ? start : t0;
	hi = end < t1 ? end : t1;
	overlap = strcmp(mode, "exit") && hi > lo ? hi - lo : 0;
	/*
	 * When the memory is gone: exit, at exit_mmap()'s end; reap, when
	 * process_mrelease() returns (the exit after the thaw finds nothing);
	 * race, at the later of the two. A round counts if the call did its
	 * work (0) and, in the race, the two really overlapped.
	 */
	if (!strcmp(mode, "reap"))
		free_ns = t1 - t_kill;
	else if (!strcmp(mode, "race"))
		free_ns = (end > t1 ? end : t1) - t_kill;
	else
		free_ns = end - t_kill;
	valid = !ret && (strcmp(mode, "race") || overlap > 0);
	printf("RESULT part=race mode=%s round=%d mb=%ld vmas=%ld valid=%d free_us=%llu "
	       "mrelease_us=%llu ret=%d exit_mmap_us=%llu overlap_us=%llu", mode, r, mb, vmas, valid,
	       free_ns / 1000, (t1 - t0) / 1000, ret, (end - start) / 1000, overlap / 1000);
	printf(" exit_ptl_us=%llu exit_ptl_calls=%llu exit_cont=%llu exit_cont_us=%llu "
	       "exit_spin=%llu", s[MR_EXIT].ptl_ns / 1000, s[MR_EXIT].ptl_calls,
	       s[MR_EXIT].contended, s[MR_EXIT].contended_ns / 1000, s[MR_EXIT].spin_contended);
	printf(" reap_ptl_us=%llu reap_ptl_calls=%llu reap_cont=%llu reap_cont_us=%llu "
	       "reap_spin=%llu\n", s[MR_REAP].ptl_ns / 1000, s[MR_REAP].ptl_calls,
	       s[MR_REAP].contended, s[MR_REAP].contended_ns / 1000, s[MR_REAP].spin_contended);
	fflush(stdout);
	err = 0;
out_child:
	if (racer) {
		atomic_store(&thaw_now, 1);
		pthread_join(tid, NULL);
		frozen = false;
	}
	if (frozen)
		thaw();
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (pidfd >= 0)
		close(pidfd);
out_pipe:
	close(pipefd[0]);
	close(pipefd[1]);
	return err;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mb", required_argument, NULL, 'm' },
		{ "vmas", required_argument, NULL, 'n' },
		{ "rounds", required_argument, NULL, 'r' },
		{ "fs", required_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static const char *const modes[] = { "exit", "reap", "race" };
	enum { NR_MODES = sizeof(modes) / sizeof(modes[0]) };
	long mb = 1024, vmas = 4096, rounds = 5;
	const char *fs = NULL;
	struct mrelease *skel = NULL;
	bool verbose = false;
	int opt, err = 1, r, m;

	while ((opt = getopt_long(argc, argv, "m:n:r:f:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			fs = optarg;
			break;
		case 'm':
			mb = strtol(optarg, NULL, 10);
			break;
		case 'n':
			vmas = strtol(optarg, NULL, 10);
			break;
		case 'r':
			rounds = strtol(optarg, NULL, 10);
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (mb < 1 || vmas < 1 || vmas > 65536 || rounds < 1 || ((size_t)mb << 20) / vmas < 4096 ||
	    ((size_t)mb << 20) % vmas || (((size_t)mb << 20) / vmas) % 4096) {
		fprintf(stderr, "mrelease: --mb and --vmas must cut into whole pages, --rounds >= 1\n%s",
			usage);
		return 2;
	}
	if (!fs) {
		fprintf(stderr, "mrelease: give --fs DIR, a scratch file system to freeze\n%s", usage);
		return 2;
	}
	snprintf(victim_file, sizeof(victim_file), "%s/mrelease.dat", fs);
	fs_fd = open(fs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fs_fd < 0) {
		fprintf(stderr, "mrelease: cannot open %s: %s\n", fs, strerror(errno));
		return 1;
	}
	loader_setup(verbose);
	skel = mrelease__open_and_load();
	if (!skel) {
		fprintf(stderr, "mrelease: cannot load the BPF program: %s (needs root and BTF; "
			"--verbose shows the verifier's log)\n", strerror(errno));
		goto cleanup;
	}
	err = mrelease__attach(skel);
	if (err) {
		fprintf(stderr, "mrelease: cannot attach: %s\n", strerror(-err));
		err = 1;
		goto cleanup;
	}
	err = 1;
	/* the order of the modes rotates: none always follows the same one */
	for (r = 1; r <= rounds; r++)
		for (m = 0; m < NR_MODES; m++)
			if (round_once(skel, modes[(m + r) % NR_MODES], r, mb, vmas))
				goto cleanup;
	err = 0;
cleanup:
	mrelease__destroy(skel);
	close(fs_fd);
	return err;
}

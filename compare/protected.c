// SPDX-License-Identifier: GPL-2.0
/*
 * protected - the service the comparison protects, which counts its own
 * progress (docs/compare.md).
 *
 * It holds --mb MiB of anonymous memory, which the kernel may swap out like
 * anyone's, and maps --file, its data, whose pages the kernel may drop and
 * read again; it does operations forever: one operation writes 16 pages at
 * pseudo-random places of its memory and reads 4 of its data. The count of
 * operations done is kept in --counter FILE, an 8-byte MAP_SHARED file (on
 * tmpfs), which the monitor samples without disturbing it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE		4096UL
#define PAGES_PER_OP	16
#define FILE_PAGES_PER_OP	4

/* xorshift64: the next pseudo-random number */
static uint64_t next(uint64_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 7;
	*x ^= *x << 17;
	return *x;
}

static const char usage[] =
	"Usage: protected --counter FILE [--mb N] [--file DATA]\n"
	"\n"
	"Hold N MiB (default 32), read DATA, and count operations into FILE until\n"
	"killed.\n";

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "counter", required_argument, NULL, 'c' },
		{ "mb", required_argument, NULL, 'm' },
		{ "file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *counter_path = NULL, *data_path = NULL;
	unsigned long mb = 32, npages, nfile = 0, i;
	const volatile unsigned char *data = NULL;
	unsigned char sum = 0;
	uint64_t x = 88172645463325252ULL, *counter;
	volatile unsigned char *mem;
	int fd, c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			counter_path = optarg;
			break;
		case 'm':
			mb = strtoul(optarg, NULL, 10);
			break;
		case 'f':
			data_path = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (!counter_path || !mb || optind != argc) {
		fputs(usage, stderr);
		return 2;
	}

	fd = open(counter_path, O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || ftruncate(fd, sizeof(*counter))) {
		fprintf(stderr, "protected: %s: %s\n", counter_path, strerror(errno));
		return 1;
	}
	counter = mmap(NULL, sizeof(*counter), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	npages = mb * (1UL << 20) / PAGE;
	mem = mmap(NULL, npages * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (counter == MAP_FAILED || mem == MAP_FAILED) {
		fprintf(stderr, "protected: mmap: %s\n", strerror(errno));
		return 1;
	}
	/*
	 * 4 KiB pages only: whether memory comes back from swap as huge pages
	 * (khugepaged) would change the rate five-fold under TCG, and the
	 * baseline with it.
	 */
	if (madvise((void *)mem, npages * PAGE, MADV_NOHUGEPAGE) && errno != EINVAL) {
		fprintf(stderr, "protected: madvise: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < npages; i++)
		mem[i * PAGE] = 1;
	if (data_path) {
		off_t size;

		fd = open(data_path, O_RDONLY);
		size = fd < 0 ? -1 : lseek(fd, 0, SEEK_END);
		if (size < (off_t)PAGE) {
			fprintf(stderr, "protected: %s: %s\n", data_path,
				fd < 0 ? strerror(errno) : "smaller than a page");
			return 1;
		}
		nfile = size / PAGE;
		data = mmap(NULL, nfile * PAGE, PROT_READ, MAP_SHARED, fd, 0);
		close(fd);
		if (data == MAP_FAILED) {
			fprintf(stderr, "protected: mmap %s: %s\n", data_path, strerror(errno));
			return 1;
		}
	}

	for (;;) {
		/* pages anywhere in the memory and the data; a byte within each */
		for (i = 0; i < PAGES_PER_OP; i++) {
			next(&x);
			mem[(x % npages) * PAGE + (x >> 52)] += 1;
		}
		for (i = 0; i < FILE_PAGES_PER_OP && nfile; i++) {
			next(&x);
			sum += data[(x % nfile) * PAGE + (x >> 52)];
		}
		mem[0] = sum;
		__atomic_store_n(counter, *counter + 1, __ATOMIC_RELAXED);
	}
}

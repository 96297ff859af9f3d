// SPDX-License-Identifier: GPL-2.0
/*
 * filecheck: the page cache's turn.  Keep about MIB of files in DIR (a
 * tmpfs: shmem pages, the guest's page cache) filled with position-dependent
 * words, and in rounds re-read and verify every file, delete a random
 * quarter and write new ones, and drop the clean page cache
 * (/proc/sys/vm/drop_caches), for a fixed time.  A page that the host
 * discarded while it held file data reads back as zeros.
 *
 *   filecheck [-d DIR] [-m MIB] [-t SECONDS] [-s SEED] [-x]
 *
 * -x is the checker's own control: every round it punches a one-page hole
 * into a random file behind the checker's back (what a discard would do),
 * so a run with -x must fail.
 *
 * Prints bytes written and verified and the mismatch count, and each
 * mismatch's file and offset; exits 1 on any mismatch, 2 on bad usage or
 * an I/O error.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "pattern.h"

#define MAX_FILES	4096
#define BUF_WORDS	(64 * 1024 / 8)

struct file {
	size_t len;	/* bytes; 0: no file */
	uint64_t seed;
};

static struct file files[MAX_FILES];
static const char *dir = "/tmp/filecheck";
static unsigned long long written, verified, mismatches;
static uint64_t buf[BUF_WORDS];

static void path_of(int i, char *p, size_t n)
{
	snprintf(p, n, "%s/f%04d", dir, i);
}

static int write_file(int i, size_t len)
{
	char p[256];
	size_t off, k;
	int fd;

	path_of(i, p, sizeof(p));
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		return -1;
	files[i].seed = next_rand();
	for (off = 0; off < len; off += sizeof(buf)) {
		size_t n = len - off < sizeof(buf) ? len - off : sizeof(buf);

		for (k = 0; k < n / 8; k++)
			buf[k] = word(files[i].seed, off / 8 + k);
		if (write(fd, buf, n) != (ssize_t)n) {
			close(fd);
			return -1;
		}
	}
	close(fd);
	files[i].len = len;
	written += len;
	return 0;
}

static int verify_file(int i)
{
	char p[256];
	size_t off, k;
	int fd;

	path_of(i, p, sizeof(p));
	fd = open(p, O_RDONLY);
	if (fd < 0)
		return -1;
	for (off = 0; off < files[i].len; off += sizeof(buf)) {
		size_t n = files[i].len - off < sizeof(buf) ? files[i].len - off : sizeof(buf);

		if (pread(fd, buf, n, off) != (ssize_t)n) {
			close(fd);
			return -1;
		}
		for (k = 0; k < n / 8; k++) {
			if (buf[k] != word(files[i].seed, off / 8 + k)) {
				if (mismatches++ < 20)
					fprintf(stderr, "filecheck: MISMATCH %s offset %zu: %#llx, expected %#llx\n",
						p, off + k * 8, (unsigned long long)buf[k],
						(unsigned long long)word(files[i].seed, off / 8 + k));
			}
		}
	}
	close(fd);
	verified += files[i].len;
	return 0;
}

/* 64 KiB to 4 MiB, a whole number of words. */
static size_t random_len(void)
{
	return (64 * 1024 + next_rand() % (4032 * 1024)) & ~(size_t)7;
}

/* Write @what to /proc/sys/vm/drop_caches ("4": stop logging each drop). */
static void drop_caches(const char *what)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	if (fd < 0)
		return;
	if (write(fd, what, 1) != 1)
		fprintf(stderr, "filecheck: drop_caches %s failed\n", what);
	close(fd);
}

/* The control: discard one page of a random file, as a host would. */
static void punch_one(int n)
{
	int i = next_rand() % n, fd;
	char p[256];

	if (!files[i].len)
		return;
	path_of(i, p, sizeof(p));
	fd = open(p, O_WRONLY);
	if (fd < 0)
		return;
	if (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		      (next_rand() % files[i].len) & ~4095UL, 4096))
		perror("filecheck: fallocate");
	close(fd);
}

int main(int argc, char **argv)
{
	unsigned long mib = 256, secs = 20;
	int control = 0;
	size_t budget, used = 0;
	double t0;
	int opt, i, n = 0;

	while ((opt = getopt(argc, argv, "d:m:t:s:x")) != -1) {
		switch (opt) {
		case 'd':
			dir = optarg;
			break;
		case 'm':
			mib = strtoul(optarg, NULL, 0);
			break;
		case 't':
			secs = strtoul(optarg, NULL, 0);
			break;
		case 's':
			rng ^= strtoull(optarg, NULL, 0) * 0x9e3779b97f4a7c15ULL;
			break;
		case 'x':
			control = 1;
			break;
		default:
			fprintf(stderr, "usage: %s [-d DIR] [-m MIB] [-t SECONDS] [-s SEED] [-x]\n", argv[0]);
			return 2;
		}
	}
	budget = (size_t)mib << 20;
	mkdir(dir, 0700);
	drop_caches("4");
	t0 = now();
	while (used < budget && n < MAX_FILES) {
		size_t len = random_len();

		if (write_file(n, len))
			goto io_error;
		used += len;
		n++;
	}
	while (now() - t0 < secs) {
		if (control)
			punch_one(n);
		for (i = 0; i < n; i++)
			if (files[i].len && verify_file(i))
				goto io_error;
		for (i = 0; i < n; i++) {
			if (next_rand() % 4)
				continue;
			used -= files[i].len;
			if (write_file(i, random_len()))
				goto io_error;
			used += files[i].len;
		}
		drop_caches("3");	/* page cache and slab */
	}
	for (i = 0; i < n; i++)
		if (files[i].len && verify_file(i))
			goto io_error;
	for (i = 0; i < n; i++) {
		char p[256];

		path_of(i, p, sizeof(p));
		unlink(p);
	}
	printf("filecheck: %d files, %llu MiB written, %llu MiB verified, %llu mismatches in %.0f s\n",
	       n, written >> 20, verified >> 20, mismatches, now() - t0);
	return mismatches ? 1 : 0;

io_error:
	perror("filecheck");
	return 2;
}

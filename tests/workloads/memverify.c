// SPDX-License-Identifier: GPL-2.0
/*
 * memverify: keep most of a memory budget filled with position-dependent
 * patterns, free and reallocate random chunks (some THP-backed), and
 * re-verify every live chunk, for a fixed time.  A page that the host
 * discarded while it was in use reads back as zeros and is reported with
 * its virtual address and, when /proc/self/pagemap allows, its PFN.
 *
 *   memverify [-m MIB] [-t SECONDS] [-s SEED] [-x]
 *
 * -x is the checker's own control: it discards one live page behind the
 * checker's back (MADV_DONTNEED) every second, so a run with -x must fail.
 *
 * Prints bytes written and verified and the mismatch count; exits 1 on any
 * mismatch, 2 on bad usage or an allocation failure.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "pattern.h"

#define MAX_CHUNKS	16384
#define WORDS_PER_PAGE	8

struct chunk {
	char *mem;
	size_t len;
	uint64_t seed;
};

static struct chunk chunks[MAX_CHUNKS];
static long psz;
static unsigned long long written, verified, mismatches;

static unsigned long long pfn_of(void *addr)
{
	static int fd = -2;
	uint64_t ent;

	if (fd == -2)
		fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0 || pread(fd, &ent, 8, (uintptr_t)addr / psz * 8) != 8)
		return 0;
	return ent & ((1ULL << 55) - 1);
}

static void fill(struct chunk *c)
{
	size_t p, w, off;

	for (p = 0; p < c->len; p += psz) {
		for (w = 0; w < WORDS_PER_PAGE; w++) {
			off = p + w * (psz / WORDS_PER_PAGE);
			*(uint64_t *)(c->mem + off) = word(c->seed, off);
		}
	}
	written += c->len;
}

static void verify(struct chunk *c)
{
	size_t p, w, off;
	uint64_t got;

	for (p = 0; p < c->len; p += psz) {
		for (w = 0; w < WORDS_PER_PAGE; w++) {
			off = p + w * (psz / WORDS_PER_PAGE);
			got = *(uint64_t *)(c->mem + off);
			if (got == word(c->seed, off))
				continue;
			if (mismatches++ < 20)
				fprintf(stderr,
					"memverify: MISMATCH at %p (chunk offset %#zx, pfn %#llx): %#llx != %#llx\n",
					c->mem + off, off, pfn_of(c->mem + p),
					(unsigned long long)got,
					(unsigned long long)word(c->seed, off));
		}
	}
	verified += c->len;
}

static int alloc_chunk(struct chunk *c, size_t len)
{
	c->mem = mmap(NULL, len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->mem == MAP_FAILED) {
		c->mem = NULL;
		return -1;
	}
	/* Every fourth large chunk asks for transparent huge pages. */
	if (len >= (2UL << 20) && next_rand() % 4 == 0)
		madvise(c->mem, len, MADV_HUGEPAGE);
	c->len = len;
	c->seed = next_rand();
	fill(c);
	return 0;
}

static size_t random_len(void)
{
	/* 4 KiB .. 4 MiB, in pages, skewed small */
	unsigned int order = next_rand() % 11;

	return (size_t)psz << (next_rand() % (order + 1));
}

int main(int argc, char **argv)
{
	unsigned long mib = 512, secs = 30, i, nr = 0;
	int sabotage = 0;
	double last_sabotage;
	size_t budget, used = 0, len;
	double t0, last_full;
	int opt;

	psz = sysconf(_SC_PAGESIZE);
	while ((opt = getopt(argc, argv, "m:t:s:x")) != -1) {
		switch (opt) {
		case 'm':
			mib = strtoul(optarg, NULL, 0);
			break;
		case 't':
			secs = strtoul(optarg, NULL, 0);
			break;
		case 's':
			rng = strtoull(optarg, NULL, 0) | 1;
			break;
		case 'x':
			sabotage = 1;
			break;
		default:
			fprintf(stderr, "usage: %s [-m MIB] [-t SECONDS] [-s SEED] [-x]\n", argv[0]);
			return 2;
		}
	}
	budget = (size_t)mib << 20;

	/* Fill the budget. */
	while (nr < MAX_CHUNKS && used < budget) {
		len = random_len();
		if (alloc_chunk(&chunks[nr], len)) {
			perror("memverify: mmap");
			return 2;
		}
		used += len;
		nr++;
	}

	/* Churn: verify, free and reallocate random chunks; verify all now and then. */
	t0 = last_full = last_sabotage = now();
	while (now() - t0 < secs) {
		struct chunk *c = &chunks[next_rand() % nr];

		if (sabotage && now() - last_sabotage > 1) {
			madvise(c->mem, psz, MADV_DONTNEED);
			last_sabotage = now();
		}

		verify(c);
		munmap(c->mem, c->len);
		used -= c->len;
		len = random_len();
		if (used + len > budget)
			len = psz;
		if (alloc_chunk(c, len)) {
			perror("memverify: mmap");
			return 2;
		}
		used += len;
		if (now() - last_full > 2) {
			for (i = 0; i < nr; i++)
				verify(&chunks[i]);
			last_full = now();
		}
	}
	for (i = 0; i < nr; i++)
		verify(&chunks[i]);

	printf("memverify: %lu chunks, %llu MiB written, %llu MiB verified, %llu mismatches in %.0f s\n",
	       nr, written >> 20, verified >> 20, mismatches, now() - t0);
	return mismatches ? 1 : 0;
}

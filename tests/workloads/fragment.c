// SPDX-License-Identifier: GPL-2.0
/*
 * fragment: leave free memory scattered in small pieces.  Touch MIB of
 * anonymous memory in base pages (no THP), run CMD at the peak, free every
 * other piece of KIB (MADV_DONTNEED; with -k N, all but one piece in every
 * N) and run FREED, hold the rest for SECONDS, run END, then free the
 * rest.  The pieces freed are as small as KIB only where the pages backing
 * the region are physically contiguous; a reporter with a larger reporting
 * order finds little of it.  With -t the
 * memory is in transparent huge pages instead, aligned to them, so that
 * with -p 2048 every piece freed is a whole physically contiguous 2 MiB
 * block: scattered 2 MiB frees.
 *
 *   fragment [-m MIB] [-p KIB] [-k N] [-t] [-c CMD] [-f FREED] [-h SECONDS]
 *            [-e END]
 *
 * Exit status: 0 on success, 2 on bad usage or an allocation failure.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "clock.h"

#define HUGE_SIZE	(2UL << 20)

static void run(const char *cmd)
{
	if (cmd && system(cmd) != 0)
		fprintf(stderr, "fragment: '%s' failed\n", cmd);
}

int main(int argc, char **argv)
{
	unsigned long mib = 1024, kib = 64, hold = 0, keep = 2, len, piece, off;
	unsigned long i, freed = 0;
	const char *cmd = NULL, *freed_cmd = NULL, *end_cmd = NULL;
	long psz = sysconf(_SC_PAGESIZE);
	double t0, t1;
	char *mem;
	int opt, thp = 0;

	while ((opt = getopt(argc, argv, "m:p:k:tc:f:h:e:")) != -1) {
		switch (opt) {
		case 'm':
			mib = strtoul(optarg, NULL, 0);
			break;
		case 'p':
			kib = strtoul(optarg, NULL, 0);
			break;
		case 'k':
			keep = strtoul(optarg, NULL, 0);
			break;
		case 't':
			thp = 1;
			break;
		case 'c':
			cmd = optarg;
			break;
		case 'f':
			freed_cmd = optarg;
			break;
		case 'h':
			hold = strtoul(optarg, NULL, 0);
			break;
		case 'e':
			end_cmd = optarg;
			break;
		default:
			fprintf(stderr, "usage: %s [-m MIB] [-p KIB] [-k N] [-t] [-c CMD] [-f FREED] [-h SECONDS] [-e END]\n",
				argv[0]);
			return 2;
		}
	}
	piece = kib * 1024;
	if (!mib || !piece || piece % psz || keep < 2) {
		fprintf(stderr, "fragment: -m must be > 0, -p a multiple of the page size, -k at least 2\n");
		return 2;
	}
	len = mib << 20;
	mem = mmap(NULL, len + HUGE_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("fragment: mmap");
		return 2;
	}
	if (thp) {
		mem = (char *)(((uintptr_t)mem + HUGE_SIZE - 1) & ~(uintptr_t)(HUGE_SIZE - 1));
		madvise(mem, len, MADV_HUGEPAGE);
	} else {
		/* Base pages: a THP would only be split, not freed, by DONTNEED. */
		madvise(mem, len, MADV_NOHUGEPAGE);
	}

	t0 = now();
	for (off = 0; off < len; off += psz)
		memset(mem + off, 0x5a, 64);
	t1 = now();
	printf("fragment: touched %lu MiB in %.2f s\n", mib, t1 - t0);
	fflush(stdout);
	run(cmd);

	for (off = 0, i = 0; off + piece <= len; off += piece, i++) {
		if (i % keep == keep - 1)
			continue;
		if (madvise(mem + off, piece, MADV_DONTNEED)) {
			perror("fragment: madvise");
			return 2;
		}
		freed += piece;
	}
	printf("fragment: freed %lu MiB in pieces of %lu KiB, holding %lu MiB\n",
	       freed >> 20, kib, (len - freed) >> 20);
	fflush(stdout);
	run(freed_cmd);
	if (hold)
		sleep(hold);
	run(end_cmd);

	munmap(mem, len);
	return 0;
}

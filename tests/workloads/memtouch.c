// SPDX-License-Identifier: GPL-2.0
/*
 * memtouch: allocate anonymous memory, write a position-dependent word into
 * every page, verify it, optionally run a command while the memory is still
 * held (e.g. "ph-host mark peak") and verify it again after, then free it.  A guest-side workload for
 * pagehint's tests: the host sees its RSS grow by the amount touched.
 *
 *   memtouch [-m MIB] [-c CMD] [-h SECONDS]
 *
 * Exit status: 0 on success, 1 on a verification mismatch, 2 on bad usage or
 * an allocation failure.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

static uint64_t pattern(uint64_t page)
{
	return page * 0x9e3779b97f4a7c15ULL ^ 0x5061676548696e74ULL;
}

int main(int argc, char **argv)
{
	unsigned long mib = 1024, pages, i, bad = 0;
	const char *cmd = NULL;
	unsigned int hold = 0;
	long psz = sysconf(_SC_PAGESIZE);
	double t0, t1;
	char *mem;
	int opt;

	while ((opt = getopt(argc, argv, "m:c:h:")) != -1) {
		switch (opt) {
		case 'm':
			mib = strtoul(optarg, NULL, 0);
			break;
		case 'c':
			cmd = optarg;
			break;
		case 'h':
			hold = strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s [-m MIB] [-c CMD] [-h SECONDS]\n", argv[0]);
			return 2;
		}
	}
	if (!mib) {
		fprintf(stderr, "memtouch: -m must be > 0\n");
		return 2;
	}

	pages = mib * (1024 * 1024 / psz);
	mem = mmap(NULL, pages * psz, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("memtouch: mmap");
		return 2;
	}

	t0 = now();
	for (i = 0; i < pages; i++)
		*(uint64_t *)(mem + i * psz) = pattern(i);
	t1 = now();
	for (i = 0; i < pages; i++) {
		if (*(uint64_t *)(mem + i * psz) != pattern(i)) {
			if (bad++ < 10)
				fprintf(stderr, "memtouch: mismatch at offset %#lx\n", i * psz);
		}
	}
	printf("memtouch: touched %lu MiB in %.2f s (%.0f MiB/s), %lu mismatches\n",
	       mib, t1 - t0, mib / (t1 - t0), bad);
	fflush(stdout);

	if (cmd && system(cmd) != 0)
		fprintf(stderr, "memtouch: '%s' failed\n", cmd);
	if (hold)
		sleep(hold);
	if (cmd || hold) {
		unsigned long late = 0;

		for (i = 0; i < pages; i++) {
			if (*(uint64_t *)(mem + i * psz) != pattern(i) &&
			    late++ < 10)
				fprintf(stderr, "memtouch: mismatch at offset %#lx after the hold\n",
					i * psz);
		}
		printf("memtouch: %lu mismatches after the hold\n", late);
		bad += late;
	}

	munmap(mem, pages * psz);
	printf("memtouch: freed %lu MiB\n", mib);
	return bad ? 1 : 0;
}

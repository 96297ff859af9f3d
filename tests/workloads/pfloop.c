// SPDX-License-Identifier: GPL-2.0
/*
 * pfloop: a will-it-scale page_fault1-style loop: mmap an anonymous region,
 * touch every page (one fault, one page allocation each), munmap it (one
 * page free each), for a fixed time.  Prints pages per second: the cost of
 * whatever runs on every page allocation and free.
 *
 *   pfloop [-m MIB] [-t SECONDS]
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"

int main(int argc, char **argv)
{
	unsigned long mib = 16, secs = 10, pages = 0, i, n;
	long psz = sysconf(_SC_PAGESIZE);
	double t0, t;
	int opt;

	while ((opt = getopt(argc, argv, "m:t:")) != -1) {
		switch (opt) {
		case 'm':
			mib = strtoul(optarg, NULL, 0);
			break;
		case 't':
			secs = strtoul(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr, "usage: %s [-m MIB] [-t SECONDS]\n", argv[0]);
			return 2;
		}
	}
	n = (mib << 20) / psz;
	t0 = now();
	do {
		char *p = mmap(NULL, n * psz, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (p == MAP_FAILED) {
			perror("pfloop: mmap");
			return 2;
		}
		madvise(p, n * psz, MADV_NOHUGEPAGE);
		for (i = 0; i < n; i++)
			p[i * psz] = 1;
		munmap(p, n * psz);
		pages += n;
		t = now();
	} while (t - t0 < secs);
	printf("pfloop: %lu pages in %.1f s: %.0f pages/s\n", pages, t - t0,
	       pages / (t - t0));
	return 0;
}

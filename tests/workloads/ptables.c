// SPDX-License-Identifier: GPL-2.0
/*
 * ptables: make the kernel allocate, then free, unmovable memory: touch
 * one page in every 2 MiB of a large sparse anonymous mapping (each touch
 * allocates a page table page, which is unmovable), then unmap it.  The
 * page allocator takes whole MOVABLE pageblocks over as UNMOVABLE for the
 * page tables, and after the unmap they are free UNMOVABLE pageblocks:
 * what a free page reporter must leave as the allocator had them.
 *
 *   ptables [-m MIB]    MIB of page tables (default 64)
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned long mib = 64, tables, i;
	size_t span, stride = 2UL << 20;
	long psz = sysconf(_SC_PAGESIZE);
	char *p;
	int opt;

	while ((opt = getopt(argc, argv, "m:")) != -1) {
		if (opt != 'm') {
			fprintf(stderr, "usage: %s [-m MIB]\n", argv[0]);
			return 2;
		}
		mib = strtoul(optarg, NULL, 0);
	}
	tables = (mib << 20) / psz;
	span = tables * stride;
	p = mmap(NULL, span, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		return 2;
	}
	madvise(p, span, MADV_NOHUGEPAGE);
	for (i = 0; i < tables; i++)
		p[i * stride] = 1;
	munmap(p, span);
	printf("ptables: %lu page table pages (%lu MiB) allocated and freed\n",
	       tables, mib);
	return 0;
}

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What pagehint-reclaimd reads of the guest, every interval: CPU time,
 * memory pressure (PSI), refaults and the page cache.
 */
#ifndef PH_RECLAIMD_SAMPLE_H
#define PH_RECLAIMD_SAMPLE_H

#include <stdbool.h>
#include <stdint.h>

struct ph_sample {
	uint64_t now_us;	/* CLOCK_MONOTONIC */
	uint64_t cpu_total;	/* /proc/stat "cpu", all fields, in ticks */
	uint64_t cpu_idle;	/* idle + iowait + steal */
	bool has_psi;		/* /proc/pressure/memory is there */
	uint64_t psi_some_us;	/* its "some" total */
	uint64_t refaults;	/* workingset_refault_file (pages) */
	uint64_t mem_total_kib;
	uint64_t file_kib;	/* Active(file) + Inactive(file) */
	uint64_t swap_total_kib;
	uint64_t frag_kib;	/* free in blocks below pageblock order */
	uint64_t whole_kib;	/* free in blocks of pageblock order or more */
};

/*
 * Read the files under @proc ("/proc" but for tests), with free blocks of
 * @pb_order pages or more counted whole; 0 or -errno.
 */
int ph_sample_read(const char *proc, unsigned int pb_order, struct ph_sample *s);

/* The pageblock order /proc/pagetypeinfo gives, or @dflt. */
unsigned int ph_pageblock_order(const char *proc, unsigned int dflt);

/*
 * Between two samples: the share of the interval the CPUs were busy, in
 * percent, and some task stalled on memory, in hundredths of a percent.
 */
unsigned int ph_sample_cpu_busy_pct(const struct ph_sample *a,
				    const struct ph_sample *b);
unsigned int ph_sample_psi_bp(const struct ph_sample *a,
			      const struct ph_sample *b);

#endif

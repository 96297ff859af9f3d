/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How pagehint-reclaimd reclaims: cgroup v2's memory.reclaim of the root
 * cgroup, page cache only where the kernel takes "swappiness=0" (6.11+) or
 * the guest has no swap; else, if allowed, dropping the clean page cache.
 */
#ifndef PH_RECLAIMD_RECLAIM_H
#define PH_RECLAIMD_RECLAIM_H

#include <stdbool.h>
#include <stdint.h>

enum ph_method {
	PH_METHOD_NONE,
	PH_METHOD_RECLAIM,	/* memory.reclaim, page cache only */
	PH_METHOD_DROP,		/* /proc/sys/vm/drop_caches = 1 */
};

struct ph_reclaimer {
	enum ph_method method;
	char path[512];		/* memory.reclaim or drop_caches */
	bool swappiness;	/* memory.reclaim takes swappiness=0 */
	char why[640];		/* why the method, for the log */
};

/*
 * Choose the method: memory.reclaim under @cgroot (a cgroup v2 mount; NULL:
 * find it in /proc/self/mountinfo, or mount one), unless the guest has swap
 * and the kernel cannot be told to spare it; then drop_caches if
 * @allow_drop.  0, or -errno with r->why saying why none is usable.
 */
int ph_reclaimer_init(struct ph_reclaimer *r, const char *cgroot,
		      bool has_swap, bool allow_drop);

/* Reclaim @kib (all clean page cache for PH_METHOD_DROP): 0 or -errno. */
int ph_reclaim(struct ph_reclaimer *r, uint64_t kib);

const char *ph_method_name(enum ph_method m);

/*
 * Compact every node's zones (/sys/devices/system/node/nodeN/compact, or
 * /proc/sys/vm/compact_memory): 0 or -errno.
 */
int ph_compact(void);

#endif

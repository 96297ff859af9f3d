// SPDX-License-Identifier: GPL-2.0
/*
 * Finding free memory without touching the allocator's state: a walk over a
 * zone's PFNs in steps of 2^order that reads, racily and without
 * zone->lock, whether the page there heads a free buddy block and of which
 * order.  The answer is only a candidate: claim.c takes the range through
 * alloc_contig_range(), which is what makes reporting it safe.
 */

#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/page-flags.h>
#include <linux/sched.h>

#include "pagehint.h"

/* PFN steps between two cond_resched()s of a walk. */
#define PAGEHINT_SCAN_RESCHED	1024

/*
 * Find the next free buddy block of at least 2^order pages at or after
 * *cursor in @zone.  On success fill @block, move *cursor past it and
 * return true; at the end of the zone set *cursor to its end, return false.
 */
bool pagehint_scan_next(struct zone *zone, unsigned long *cursor,
			unsigned int order, struct pagehint_block *block)
{
	unsigned long end = zone_end_pfn(zone), pfn, steps = 0;
	unsigned int buddy_order;
	struct page *page;

	pfn = ALIGN(max(*cursor, zone->zone_start_pfn), 1UL << order);
	for (; pfn < end; pfn += 1UL << order) {
		if (++steps % PAGEHINT_SCAN_RESCHED == 0)
			cond_resched();
		page = pfn_to_online_page(pfn);
		if (!page || page_zone(page) != zone || !PageBuddy(page))
			continue;
		/* The buddy order lives in page->private; it may change under us. */
		buddy_order = data_race(page_private(page));
		if (buddy_order < order || buddy_order > PAGEHINT_MAX_ORDER ||
		    !IS_ALIGNED(pfn, 1UL << buddy_order) ||
		    pfn + (1UL << buddy_order) > end)
			continue;
		block->pfn = pfn;
		block->order = buddy_order;
		*cursor = pfn + (1UL << buddy_order);
		return true;
	}
	*cursor = end;
	return false;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * Finding free memory without touching the allocator's state: reading,
 * racily and without zone->lock, whether the page at a PFN heads a free
 * buddy block and of which order.  The answer is only a candidate: claim.c
 * takes the range through alloc_contig_range(), which is what makes
 * reporting it safe.
 *
 * The exhaustive zone scan walks a zone's PFNs in steps of 2^report_order;
 * hints name a range to look at, whose free block may start before it.
 */

#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/page-flags.h>
#include <linux/sched.h>

#include "pagehint.h"

/* PFN steps between two cond_resched()s of a walk. */
#define PAGEHINT_SCAN_RESCHED	1024

/* Does a free buddy block of at least 2^order pages start at @pfn? */
static bool pagehint_block_at(struct zone *zone, unsigned long pfn,
			      unsigned int order, struct pagehint_block *block)
{
	struct page *page = pfn_to_online_page(pfn);
	unsigned int buddy_order;

	if (!page || page_zone(page) != zone || !PageBuddy(page))
		return false;
	/* The buddy order lives in page->private; it may change under us. */
	buddy_order = data_race(page_private(page));
	if (buddy_order < order || buddy_order > PAGEHINT_MAX_ORDER ||
	    !IS_ALIGNED(pfn, 1UL << buddy_order) ||
	    pfn + (1UL << buddy_order) > zone_end_pfn(zone))
		return false;
	block->pfn = pfn;
	block->order = buddy_order;
	return true;
}

/*
 * Find the next free buddy block of at least 2^order pages starting in
 * [*cursor, end) of @zone.  On success fill @block, move *cursor past it
 * and return true; else set *cursor to @end and return false.
 */
bool pagehint_scan_next(struct zone *zone, unsigned long *cursor,
			unsigned long end, unsigned int order,
			struct pagehint_block *block)
{
	unsigned long pfn, steps = 0;

	end = min(end, zone_end_pfn(zone));
	pfn = ALIGN(max(*cursor, zone->zone_start_pfn), 1UL << order);
	for (; pfn < end; pfn += 1UL << order) {
		if (++steps % PAGEHINT_SCAN_RESCHED == 0)
			cond_resched();
		if (pagehint_block_at(zone, pfn, order, block)) {
			*cursor = pfn + (1UL << block->order);
			return true;
		}
	}
	*cursor = end;
	return false;
}

/*
 * The free buddy block of at least 2^order pages that contains @pfn but
 * starts before it, if any: the head of a larger block that a hint for
 * one of its parts names.
 */
bool pagehint_enclosing_block(struct zone *zone, unsigned long pfn,
			      unsigned int order, struct pagehint_block *block)
{
	unsigned int o;

	for (o = order + 1; o <= PAGEHINT_MAX_ORDER; o++) {
		unsigned long head = round_down(pfn, 1UL << o);

		if (head != pfn && head >= zone->zone_start_pfn &&
		    pagehint_block_at(zone, head, o, block))
			return pfn < block->pfn + (1UL << block->order);
	}
	return false;
}

/*
 * Is all of [pfn, pfn + nr_pages) of @zone in free buddy blocks, as a
 * moment ago?  Read as racily as the scan: the claim that follows at once
 * is what makes the range pagehint's.  Pages on a per-cpu list are not
 * free here: they are the allocator's to hand out next.
 */
bool pagehint_range_free(struct zone *zone, unsigned long pfn,
			 unsigned long nr_pages)
{
	unsigned long end = pfn + nr_pages;
	struct pagehint_block block;

	if (pagehint_enclosing_block(zone, pfn, 0, &block))
		pfn = block.pfn + (1UL << block.order);
	while (pfn < end) {
		if (!pagehint_block_at(zone, pfn, 0, &block))
			return false;
		pfn += 1UL << block.order;
	}
	return true;
}

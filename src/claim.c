// SPDX-License-Identifier: GPL-2.0
/*
 * Owning free memory through the page allocator's public API.
 *
 * Invariant: a range is on the virtqueue only while pagehint owns it.  It is
 * taken with alloc_contig_range(), which isolates its pageblocks, takes the
 * free pages out of the buddy lists (and migrates anything that was
 * allocated meanwhile), and hands every page to pagehint with a reference.
 * Nobody else can touch the pages until free_contig_range() gives them back,
 * which happens only after the device has returned the buffer.
 *
 * Claims are expensive (per-cpu lists drained on every CPU, and every
 * claimed page zeroed by post_alloc_hook() with init_on_alloc), so callers
 * coalesce adjacent free blocks into one claim, never claim under the
 * zone's low watermark plus a margin, and bound what is held at once.
 */

#include <linux/gfp.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/pageblock-flags.h>
#include <linux/vmstat.h>

#include "pagehint.h"

void pagehint_batch_init(struct pagehint_batch *batch, unsigned long max_pages)
{
	BUILD_BUG_ON(PAGEHINT_CAPACITY > BITS_PER_LONG);	/* batch->kept */
	batch->nr = 0;
	batch->nr_pages = 0;
	batch->hint_pages = 0;
	batch->max_pages = max_pages;
	batch->last_pageblock = ULONG_MAX;
	batch->kept = 0;
}

/* The free pages a zone keeps: its low watermark plus one full report. */
static unsigned long pagehint_zone_floor(struct zone *zone, unsigned int order)
{
	return low_wmark_pages(zone) + ((unsigned long)PAGEHINT_CAPACITY << order);
}

/*
 * Like upstream page reporting, leave a zone alone unless its free memory
 * stays above the floor after taking @nr_pages more.
 */
bool pagehint_zone_guard_ok(struct zone *zone, unsigned int order,
			    unsigned long nr_pages)
{
	return zone_page_state(zone, NR_FREE_PAGES) >
	       pagehint_zone_floor(zone, order) + nr_pages;
}

/* Could the zone ever pass the guard?  ZONE_DMA, say, cannot. */
bool pagehint_zone_reportable(struct zone *zone, unsigned int order)
{
	return zone_managed_pages(zone) > pagehint_zone_floor(zone, order);
}

/*
 * Claim [pfn, pfn + nr_pages), which lies in one zone, into @batch.
 * -ENOSPC: the batch is full; -EAGAIN: the range shares a pageblock with
 * the last claim (a held range makes its pageblock unisolatable): claim it
 * in another batch.  Other errors come from alloc_contig_range(): the
 * range is not free (any more).
 */
int pagehint_claim(struct pagehint_batch *batch, unsigned long pfn,
		   unsigned long nr_pages, enum pagehint_source src)
{
	u64 t0;
	int err;

	if (batch->nr == PAGEHINT_CAPACITY ||
	    (batch->nr && batch->nr_pages + nr_pages > batch->max_pages))
		return -ENOSPC;
	if ((pfn >> pageblock_order) == batch->last_pageblock)
		return -EAGAIN;

	t0 = ktime_get_ns();
	err = pagehint_alloc_contig_range(pfn, pfn + nr_pages,
					  GFP_KERNEL | __GFP_NOWARN);
	pagehint_stat_add(&pagehint_stats.claim_ns, ktime_get_ns() - t0);
	if (err) {
		pagehint_stat_add(&pagehint_stats.claim_failures, 1);
		return err;
	}
	pagehint_stat_add(&pagehint_stats.claimed_bytes,
			  (s64)nr_pages << PAGE_SHIFT);

	batch->start[batch->nr] = pfn;
	batch->len[batch->nr] = nr_pages;
	batch->nr++;
	batch->nr_pages += nr_pages;
	if (src == PAGEHINT_FROM_HINT)
		batch->hint_pages += nr_pages;
	batch->last_pageblock = (pfn + nr_pages - 1) >> pageblock_order;
	return 0;
}

/* One scatterlist entry per claimed range; returns the number of entries. */
unsigned int pagehint_batch_to_sg(struct pagehint_batch *batch,
				  struct scatterlist *sgl)
{
	unsigned int i;

	sg_init_table(sgl, batch->nr);
	for (i = 0; i < batch->nr; i++)
		sg_set_page(&sgl[i], pfn_to_page(batch->start[i]),
			    batch->len[i] << PAGE_SHIFT, 0);
	return batch->nr;
}

/*
 * Give the batch back to the page allocator.  @reported: the host acked
 * it, so remember the ranges it discarded, all but those in batch->kept
 * (before the release, whose frees are ignored).
 */
void pagehint_batch_release(struct pagehint_batch *batch, bool reported)
{
	unsigned int i;

	for (i = 0; reported && i < batch->nr; i++) {
		if (!(batch->kept & BIT(i)))
			pagehint_tracker_mark_reported(batch->start[i],
						       batch->len[i]);
	}

	pagehint_tracker_self_begin();
	for (i = 0; i < batch->nr; i++)
		free_contig_range(batch->start[i], batch->len[i]);
	pagehint_tracker_self_end();

	pagehint_batch_init(batch, batch->max_pages);
}

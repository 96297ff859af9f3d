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
 * The allocator must look afterwards as if pagehint had never been there.
 * alloc_contig_range() isolates every pageblock of the range and, up to
 * 6.15, undoes the isolation by setting the migratetype it was passed
 * (MOVABLE): a free UNMOVABLE or RECLAIMABLE pageblock would come back
 * MOVABLE, and a free HIGHATOMIC reserve block too, while the zone's
 * nr_reserved_highatomic still counts it.  CMA pageblocks are refused, but
 * only after a drain of every CPU.  So up to 6.15 pagehint claims only
 * memory in MOVABLE pageblocks (pagehint_claimable()): that is where nearly
 * all free memory lives, and what it leaves is the allocator's own.  From
 * 6.16 the claim keeps every pageblock's type, and only CMA and isolated
 * pageblocks are left alone.
 *
 * Claims are expensive (per-cpu lists drained on every CPU, and every
 * claimed page zeroed by post_alloc_hook() with init_on_alloc), so callers
 * coalesce adjacent free blocks into one claim, never claim under the
 * zone's low watermark plus what pagehint holds (and at least one report's
 * worth), and bound what is held at once.
 */

#include <linux/gfp.h>
#include <linux/ktime.h>
#include <linux/log2.h>
#include <linux/memory_hotplug.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/page_ref.h>
#include <linux/pageblock-flags.h>
#include <linux/percpu.h>
#include <linux/vmstat.h>

#include "pagehint.h"
#include "balloon.h"

void pagehint_batch_init(struct pagehint_batch *batch, unsigned long max_pages)
{
	BUILD_BUG_ON(PAGEHINT_CAPACITY > BITS_PER_LONG);	/* ->checked, ->kept */
	batch->nr = 0;
	batch->nr_pages = 0;
	batch->hint_pages = 0;
	batch->max_pages = max_pages;
	batch->last_pageblock = ULONG_MAX;
	batch->checked = 0;
	batch->kept = 0;
}

/*
 * The zone's free pages that pagehint and unmovable allocations can use:
 * free CMA pages are neither (pagehint claims only MOVABLE pageblocks).
 */
static unsigned long pagehint_zone_free(struct zone *zone)
{
	long free = zone_page_state(zone, NR_FREE_PAGES) -
		    zone_page_state(zone, NR_FREE_CMA_PAGES);

	return max(free, 0L);
}

/*
 * The free pages a zone keeps while pagehint holds @held pages and takes
 * @nr_pages more: its low watermark, plus at least one full report at
 * @order (as upstream page reporting keeps), plus all that pagehint would
 * hold, for a whole round trip to the host.
 */
static unsigned long pagehint_zone_floor(struct zone *zone, unsigned int order,
					 unsigned long held, unsigned long nr_pages)
{
	return low_wmark_pages(zone) +
	       max((unsigned long)PAGEHINT_CAPACITY << order, held + nr_pages);
}

/*
 * Leave a zone alone unless its free memory stays above the floor after
 * taking @nr_pages more, with @held pages held already.  While the balloon
 * inflates, what it is still to take comes on top (in every zone: it may
 * take it from any): memory the host is about to own is not worth
 * reporting, and a claim must not make the inflation fail.
 */
bool pagehint_zone_guard_ok(struct zone *zone, unsigned int order,
			    unsigned long held, unsigned long nr_pages)
{
	return pagehint_zone_free(zone) >
	       pagehint_zone_floor(zone, order, held, nr_pages) + nr_pages +
	       pagehint_balloon_pending_pages();
}

/* Could the zone ever pass the guard?  ZONE_DMA, say, cannot. */
bool pagehint_zone_reportable(struct zone *zone, unsigned int order)
{
	return zone_managed_pages(zone) > pagehint_zone_floor(zone, order, 0, 0);
}

/*
 * Can [pfn, pfn + nr_pages) be claimed without changing the allocator's
 * state: is every pageblock it touches MOVABLE (see above)?  Racy: a
 * pageblock retyped between this look and the claim is one the allocator
 * just stole for other allocations, which makes the claim fail.
 */
static bool pagehint_pageblock_claimable(unsigned long pfn)
{
	int mt = pagehint_pageblock_migratetype(pfn);

	if (mt == MIGRATE_MOVABLE)
		return true;
#ifdef PAGEHINT_CLAIM_KEEPS_MIGRATETYPE
	/* Since 6.16 the claim keeps the type; CMA blocks it refuses. */
	return mt == MIGRATE_UNMOVABLE || mt == MIGRATE_RECLAIMABLE ||
	       mt == MIGRATE_HIGHATOMIC;
#else
	return false;
#endif
}

bool pagehint_claimable(unsigned long pfn, unsigned long nr_pages)
{
	unsigned long end = pfn + nr_pages;

	for (pfn = round_down(pfn, pageblock_nr_pages); pfn < end;
	     pfn += pageblock_nr_pages) {
		if (!pagehint_pageblock_claimable(pfn))
			return false;
	}
	return true;
}

/*
 * Pages migrated so far, all CPUs together: the guest's pgmigrate_success.
 * Read around a claim, it counts what the claim migrated (and, rarely,
 * another migration at the same moment: never less than the claim's).
 */
static unsigned long pagehint_pgmigrate_success(void)
{
	unsigned long sum = 0;
#if defined(CONFIG_VM_EVENT_COUNTERS) && defined(CONFIG_MIGRATION)
	int cpu;

	/* Possible CPUs: a CPU going offline folds its counts into another. */
	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu(vm_event_states, cpu).event[PGMIGRATE_SUCCESS]);
#endif
	return sum;
}

/*
 * Claim [pfn, pfn + nr_pages), which lies in one zone, into @batch.
 * -ENOSPC: the batch is full; -EAGAIN: the range shares a pageblock with
 * the last claim (a held range makes its pageblock unisolatable): claim it
 * in another batch.  -ENODEV: the range went offline, or is going.
 * -EBUSY: the range is not all free buddy blocks any more (a candidate
 * waits for a flush and the host's ack before its claim; meanwhile its
 * memory may have been allocated).  alloc_contig_range() would not fail on
 * an allocated page but migrate it: only a range found free a moment ago
 * is claimed, and what the claim still migrated (allocated in between) is
 * counted.  Other errors come from alloc_contig_range().
 */
int pagehint_claim(struct pagehint_batch *batch, unsigned long pfn,
		   unsigned long nr_pages, enum pagehint_source src)
{
	unsigned long migrated;
	u64 t0;
	int err;

	if (batch->nr == PAGEHINT_CAPACITY ||
	    (batch->nr && batch->nr_pages + nr_pages > batch->max_pages))
		return -ENOSPC;
	if ((pfn >> pageblock_order) == batch->last_pageblock)
		return -EAGAIN;

	/* Gone offline, or going, since it was found (hotplug.c). */
	if (!pagehint_hotplug_claim_begin(pfn, nr_pages))
		return -ENODEV;
	if (!pagehint_range_free(page_zone(pfn_to_page(pfn)), pfn, nr_pages)) {
		pagehint_hotplug_claim_end();
		pagehint_stat_add(&pagehint_stats.claim_stale, 1);
		return -EBUSY;
	}
	t0 = ktime_get_ns();
	migrated = pagehint_pgmigrate_success();
	err = pagehint_alloc_contig_range(pfn, pfn + nr_pages,
					  GFP_KERNEL | __GFP_NOWARN);
	migrated = pagehint_pgmigrate_success() - migrated;
	pagehint_stat_add(&pagehint_stats.claim_ns, ktime_get_ns() - t0);
	pagehint_hotplug_claim_end();
	pagehint_stat_add(&pagehint_stats.claims, 1);
	if (migrated)
		pagehint_stat_add(&pagehint_stats.claim_migrated, migrated);
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
 * Give a block whose every page pagehint froze (refcount 0) to the tail of
 * its free list, where the allocator looks last, as upstream page
 * reporting does with FPI_TO_TAIL (__putback_isolated_page(), which is not
 * exported): the host just discarded it, and handing it out first would
 * make the host fault it back in at once.  The one exported free to the
 * tail is memory hotplug's generic_online_page(), which frees the block as
 * boot and onlining do: it bypasses the per-cpu lists, merges, puts the
 * block at the tail, and adds it to the zone's managed pages and totalram;
 * adjust_managed_page_count() takes it off them first, so both end as they
 * were.  Without memory hotplug the block goes to the head, as
 * __free_pages() frees it.
 */
static void pagehint_free_frozen(struct page *page, unsigned int order)
{
#ifdef CONFIG_MEMORY_HOTPLUG
	adjust_managed_page_count(page, -(1L << order));
	generic_online_page(page, order);
#else
	page_ref_unfreeze(page, 1);
	__free_pages(page, order);
#endif
}

/*
 * Drop pagehint's reference on each of @n pages by freezing it, if it is
 * the only one: frozen at 0, a page takes no other (get_page_unless_zero()
 * fails), so the block can be freed whole.  A page with another reference
 * (a speculative page-cache lookup or a lockless GUP still holding a
 * pointer from the page's last life) stops it: what was frozen is given
 * back.  Returns how many pages, from the first, were free of others.
 */
static unsigned long pagehint_freeze_refs(struct page *page, unsigned long n)
{
	unsigned long i, frozen;

	for (i = 0; i < n; i++) {
		if (!page_ref_freeze(page + i, 1))
			break;
	}
	frozen = i;
	if (frozen < n) {
		while (i--)
			page_ref_unfreeze(page + i, 1);
	}
	return frozen;
}

/*
 * Give [pfn, pfn + nr_pages) back to the allocator in the largest blocks it
 * takes, as it was before the claim: free_contig_range() frees page by
 * page, through one CPU's per-cpu lists, and the next order-0 allocations
 * there split blocks that were whole.  alloc_contig_range() hands out
 * order-0 pages with a reference each (split_page()); each naturally
 * aligned chunk is frozen and freed whole, to the tail.  A page someone
 * else holds a reference to is theirs to free when they put it (pagehint
 * drops its own); the chunk around it goes back in the largest blocks
 * before and after it.
 */
static void pagehint_free_range(unsigned long pfn, unsigned long nr_pages)
{
	/* Pages from @pfn before one another reference holds. */
	unsigned long cap = ULONG_MAX;

	while (nr_pages) {
		struct page *page = pfn_to_page(pfn);
		unsigned long n, frozen;
		unsigned int order;

		if (!cap) {
			__free_page(page);
			pfn++;
			nr_pages--;
			cap = ULONG_MAX;
			continue;
		}
		order = min3(pfn ? __ffs(pfn) : BITS_PER_LONG - 1,
			     (unsigned long)ilog2(min(nr_pages, cap)),
			     (unsigned long)PAGEHINT_MAX_ORDER);
		n = 1UL << order;
		frozen = pagehint_freeze_refs(page, n);
		if (frozen < n) {
			cap = frozen;
			continue;
		}
		pagehint_free_frozen(page, order);
		pfn += n;
		nr_pages -= n;
		if (cap != ULONG_MAX)
			cap -= n;
	}
}

/*
 * Give the batch back to the page allocator.  @reported: the host acked
 * it, so remember the ranges it discarded, all but those in batch->kept
 * (before the release, whose frees are ignored).  A discarded range whose
 * canary was read back (batch->checked) may be on the host again: where
 * guest memory has no shared zero page behind it (hugetlbfs, memfd), that
 * read made the host allocate the range's first page, 2 MiB on hugetlbfs.
 * Its first pageblock is therefore not remembered as reported but hinted,
 * for a later report to discard once more, without a canary.
 */
void pagehint_batch_release(struct pagehint_batch *batch, bool reported)
{
	unsigned int i;

	for (i = 0; reported && i < batch->nr; i++) {
		unsigned long head = 0;

		if (batch->kept & BIT(i))
			continue;
		if (batch->checked & BIT(i)) {
			head = min(batch->len[i], pageblock_nr_pages);
			pagehint_tracker_rehint(batch->start[i], head);
		}
		if (batch->len[i] > head)
			pagehint_tracker_mark_reported(batch->start[i] + head,
						       batch->len[i] - head);
	}

	pagehint_tracker_self_begin();
	for (i = 0; i < batch->nr; i++)
		pagehint_free_range(batch->start[i], batch->len[i]);
	pagehint_tracker_self_end();

	pagehint_batch_init(batch, batch->max_pages);
}

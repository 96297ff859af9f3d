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
 * 6.15, undoes the isolation by setting the migratetype it was passed: a
 * range is claimed there only when its pageblocks all have one type, and
 * that type is passed (pagehint_range_migratetype()), so a free
 * UNMOVABLE or RECLAIMABLE pageblock comes back as it was.
 * Such free pageblocks are common: a block device's page cache, slab and
 * page tables are unmovable allocations that take whole pageblocks over,
 * and upstream's reporting reports their free pages too.  From 6.16 the
 * claim keeps every pageblock's type by itself.  CMA and isolated
 * pageblocks are left alone.
 *
 * Claims are expensive (per-cpu lists drained on every CPU, an expedited
 * RCU grace period, and every claimed page zeroed by post_alloc_hook()
 * with init_on_alloc), so callers coalesce adjacent free blocks into one
 * claim, claim the ranges of a batch together (they share their grace
 * periods), never claim under the zone's low watermark plus what pagehint
 * holds (and at least one report's worth), and bound what is held at once.
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
#include <linux/slab.h>
#include <linux/vmstat.h>

#include "pagehint.h"
#include "balloon.h"

void pagehint_batch_init(struct pagehint_batch *batch, unsigned long max_pages)
{
	/* ->hints, ->proposed_hints, ->checked, ->kept */
	BUILD_BUG_ON(PAGEHINT_WAVE > BITS_PER_LONG);
	batch->nr = 0;
	batch->nr_proposed = 0;
	batch->nr_pages = 0;
	batch->proposed_pages = 0;
	batch->hint_pages = 0;
	batch->hints = 0;
	batch->proposed_hints = 0;
	batch->max_pages = max_pages;
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
 * Leave a zone alone unless its free memory, less @pending pages about to
 * be claimed, stays above the floor after taking @nr_pages more, with
 * @held pages held or about to be.  While the balloon inflates, what it is
 * still to take comes on top (in every zone: it may take it from any):
 * memory the host is about to own is not worth reporting, and a claim must
 * not make the inflation fail.
 */
static bool pagehint_zone_guard(struct zone *zone, unsigned int order,
				unsigned long held, unsigned long pending,
				unsigned long nr_pages)
{
	return pagehint_zone_free(zone) >
	       pagehint_zone_floor(zone, order, held, nr_pages) + pending +
	       nr_pages + pagehint_balloon_pending_pages();
}

bool pagehint_zone_guard_ok(struct zone *zone, unsigned int order,
			    unsigned long held, unsigned long nr_pages)
{
	return pagehint_zone_guard(zone, order, held, 0, nr_pages);
}

/* The guard for @nr_pages more in @batch, its proposals counted as taken. */
bool pagehint_batch_guard_ok(const struct pagehint_batch *batch,
			     struct zone *zone, unsigned int order,
			     unsigned long nr_pages)
{
	return pagehint_zone_guard(zone, order, pagehint_batch_pages(batch),
				   batch->proposed_pages, nr_pages);
}

/*
 * Free page hinting (hint.c) holds its blocks for as long as a migration
 * lasts.  It stops where a zone would fall below its high watermark plus
 * one full report at report_order, so that the guest's own allocations
 * meanwhile neither wake kswapd nor make it reclaim (and the shrinker give
 * the blocks back, to be taken and zeroed again by the next round).
 * Returns the pages the zone lacks to stay at that floor after @nr_pages
 * more are taken: 0 when it does not lack any.
 */
unsigned long pagehint_zone_hint_deficit(struct zone *zone,
					 unsigned long nr_pages)
{
	unsigned long floor = high_wmark_pages(zone) +
			      ((unsigned long)PAGEHINT_CAPACITY <<
			       pagehint_knobs.report_order) +
			      pagehint_balloon_pending_pages() + nr_pages;
	unsigned long free = pagehint_zone_free(zone);

	return free >= floor ? 0 : floor - free;
}

/* Could the zone ever pass the guard?  ZONE_DMA, say, cannot. */
bool pagehint_zone_reportable(struct zone *zone, unsigned int order)
{
	return zone_managed_pages(zone) > pagehint_zone_floor(zone, order, 0, 0);
}

/*
 * The types a claim may find and give back: MOVABLE, UNMOVABLE and
 * RECLAIMABLE, whose free pages upstream's reporting reports too, and from
 * 6.16 HIGHATOMIC.  Before 6.16 a HIGHATOMIC pageblock is left alone: the
 * claim writes back the type it read earlier without the zone lock, and a
 * reserve the allocator gave up meanwhile would come back as a reserve the
 * zone no longer counts.  CMA pageblocks are refused by the claim itself
 * (after a drain of every CPU), and isolated ones are someone else's.
 */
static bool pagehint_migratetype_claimable(int mt)
{
#ifdef PAGEHINT_CLAIM_KEEPS_MIGRATETYPE
	if (mt == MIGRATE_HIGHATOMIC)
		return true;
#endif
	return mt == MIGRATE_MOVABLE || mt == MIGRATE_UNMOVABLE ||
	       mt == MIGRATE_RECLAIMABLE;
}

/*
 * The type of the pageblocks [pfn, pfn + nr_pages) lies in, or -1 if the
 * range may not be claimed.  Every pageblock of the largest buddy blocks
 * that hold the range must have that one type:
 *  - up to 6.15 the claim gives every pageblock it isolated the type it is
 *    passed, which is this one;
 *  - when the release frees a block whose buddy is free in a pageblock of
 *    another type, the allocator merges them and, since 6.10, gives the
 *    buddy's pageblocks the freed block's type (6.1 files the merged block
 *    under the freed block's type instead);
 *  - the claim of part of a free block across two types splits it; 6.1
 *    does so after dropping the zone lock.
 * A range below a pageblock in a pageblock that is not MOVABLE is refused
 * too: its pageblock likely holds pages in use that nothing can move, and
 * the claim would fail after scanning it under the zone lock.
 *
 * Racy, like every look pagehint takes before a claim: a pageblock
 * retyped between this look and the claim is one the allocator just stole
 * for an allocation, which leaves the range no longer free; the claim
 * looks again.
 */
int pagehint_range_migratetype(unsigned long pfn, unsigned long nr_pages)
{
	unsigned long span = 1UL << PAGEHINT_MAX_ORDER;
	unsigned long end = round_up(pfn + nr_pages, span);
	int first = pagehint_pageblock_migratetype(pfn);

	if (!pagehint_migratetype_claimable(first) ||
	    (first != MIGRATE_MOVABLE && nr_pages < pageblock_nr_pages))
		return -1;
	for (pfn = round_down(pfn, span); pfn < end; pfn += pageblock_nr_pages) {
		if (pagehint_pageblock_migratetype(pfn) != first)
			return -1;
	}
	return first;
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
 * Claim [pfn, pfn + nr_pages), which lies in one zone and which the
 * caller checked online under the hotplug lock (held).  -EBUSY: the range
 * is not all free buddy blocks any more (a candidate waits for the rest of
 * its batch before its claim; meanwhile its memory may have been
 * allocated).  alloc_contig_range() would not fail on an allocated page
 * but migrate it: only a range found free a moment ago is claimed.  Other
 * errors come from alloc_contig_range().
 */
static int pagehint_claim_range(unsigned long pfn, unsigned long nr_pages)
{
	int err, mt = pagehint_range_migratetype(pfn, nr_pages);

	if (mt < 0 ||
	    !pagehint_range_free(page_zone(pfn_to_page(pfn)), pfn, nr_pages)) {
		pagehint_stat_add(&pagehint_stats.claim_stale, 1);
		return -EBUSY;
	}
	err = pagehint_alloc_contig_range(pfn, pfn + nr_pages, mt,
					  GFP_KERNEL | __GFP_NOWARN);
	pagehint_stat_add(&pagehint_stats.claims, 1);
	if (err)
		pagehint_stat_add(&pagehint_stats.claim_failures, 1);
	return err;
}

/* One claim of a batch's, made beside the others (pagehint_together()). */
struct pagehint_claim_call {
	unsigned long pfn;
	unsigned long nr_pages;
	int err;
};

static void pagehint_claim_call_fn(void *arg, unsigned int i)
{
	struct pagehint_claim_call *cw = (struct pagehint_claim_call *)arg + i;

	cw->err = pagehint_claim_range(cw->pfn, cw->nr_pages);
}

/* Do [a, a + an) and [b, b + bn) touch a common block of 2^order pages? */
static bool pagehint_ranges_meet(unsigned long a, unsigned long an,
				 unsigned long b, unsigned long bn,
				 unsigned int order)
{
	return a >> order <= (b + bn - 1) >> order &&
	       (a + an - 1) >> order >= b >> order;
}

/*
 * Would [pfn, pfn + nr_pages) and a range of @batch get in each other's
 * way: share a pageblock (claims isolate whole pageblocks, and a held
 * range makes its pageblock unisolatable), or, for a range proposed too, a
 * largest buddy block (claims run together, and isolating two pageblocks
 * of one buddy block at once splits and merges the free blocks between
 * them: one of the claims fails)?
 */
static bool pagehint_batch_conflicts(const struct pagehint_batch *batch,
				     unsigned long pfn, unsigned long nr_pages)
{
	unsigned int i, order;

	for (i = 0; i < batch->nr + batch->nr_proposed; i++) {
		order = i < batch->nr ? pageblock_order :
					pagehint_batch_spread_order();
		if (pagehint_ranges_meet(pfn, nr_pages, batch->start[i],
					 batch->len[i], order))
			return true;
	}
	return false;
}

/*
 * Propose [pfn, pfn + nr_pages), which lies in one zone, for @batch's next
 * claim.  -ENOSPC: the batch is full; -EAGAIN: the range would get in the
 * way of another of the batch (pagehint_batch_conflicts()): claim it in
 * another batch.
 */
int pagehint_batch_propose(struct pagehint_batch *batch, unsigned long pfn,
			   unsigned long nr_pages, enum pagehint_source src)
{
	unsigned int i = batch->nr + batch->nr_proposed;

	if (i == PAGEHINT_WAVE ||
	    (i && pagehint_batch_pages(batch) + nr_pages > batch->max_pages))
		return -ENOSPC;
	if (pagehint_batch_conflicts(batch, pfn, nr_pages))
		return -EAGAIN;
	batch->start[i] = pfn;
	batch->len[i] = nr_pages;
	if (src == PAGEHINT_FROM_HINT)
		batch->proposed_hints |= BIT(i);
	batch->nr_proposed++;
	batch->proposed_pages += nr_pages;
	return 0;
}

/*
 * Claim what @batch proposes, all at once.  Every alloc_contig_range()
 * waits, in lru_cache_disable(), for an expedited RCU grace period, which
 * interrupts every vCPU that is not idle; claims that wait together share
 * their grace periods (a request made while one is under way is served by
 * the next: two at most), where claims one after the other would each have
 * their own.  The claims run in the claimers' threads (claimers.c), on
 * this CPU, and wait until all have started.
 *
 * What is claimed joins the ranges held, in the order proposed; the rest
 * is dropped, as a failed claim always was: a range not free any more is
 * hinted again by its next free, and claims of one batch no longer get in
 * each other's way (pagehint_batch_conflicts()).
 * Returns 0 if every proposal was claimed, else an error: -ENODEV
 * for a range that went offline or is going, or pagehint_claim_range()'s.
 * Counts what the claims migrated (the guest's pgmigrate_success around
 * them, which another migration at the same moment can only raise) and
 * the time they took.
 */
int pagehint_batch_claim(struct pagehint_batch *batch)
{
	unsigned int i, n = batch->nr_proposed, first = batch->nr;
	struct pagehint_claim_call one, *cw = NULL, *c;
	unsigned long ok = 0, queued = 0, migrated, len;
	int err = 0;
	u64 t0;

	if (!n)
		return 0;
	/* Without memory for the calls: one claim after the other. */
	if (n > 1)
		cw = kmalloc_array(n, sizeof(*cw), GFP_KERNEL | __GFP_NOWARN);

	pagehint_hotplug_claims_begin();
	t0 = ktime_get_ns();
	migrated = pagehint_pgmigrate_success();
	for (i = 0; i < n; i++) {
		c = cw ? &cw[i] : &one;
		c->pfn = batch->start[first + i];
		c->nr_pages = batch->len[first + i];
		if (!pagehint_hotplug_claimable(c->pfn, c->nr_pages)) {
			/* Gone offline, or going, since it was found. */
			err = err ?: -ENODEV;
		} else if (cw) {
			queued |= BIT(i);
		} else {
			c->err = pagehint_claim_range(c->pfn, c->nr_pages);
			if (!c->err)
				ok |= BIT(i);
			err = err ?: c->err;
		}
	}
	if (queued)
		pagehint_together(pagehint_claim_call_fn, cw, queued);
	for_each_set_bit(i, &queued, BITS_PER_LONG) {
		if (!cw[i].err)
			ok |= BIT(i);
		err = err ?: cw[i].err;
	}
	migrated = pagehint_pgmigrate_success() - migrated;
	pagehint_stat_add(&pagehint_stats.claim_ns, ktime_get_ns() - t0);
	pagehint_hotplug_claims_end();
	kfree(cw);
	if (migrated)
		pagehint_stat_add(&pagehint_stats.claim_migrated, migrated);

	/* Hold what was claimed, in the order proposed. */
	for (i = 0; i < n; i++) {
		if (!(ok & BIT(i)))
			continue;
		len = batch->len[first + i];
		batch->start[batch->nr] = batch->start[first + i];
		batch->len[batch->nr] = len;
		if (batch->proposed_hints & BIT(first + i)) {
			batch->hints |= BIT(batch->nr);
			batch->hint_pages += len;
		}
		batch->nr++;
		batch->nr_pages += len;
		pagehint_stat_add(&pagehint_stats.claimed_bytes,
				  (s64)len << PAGE_SHIFT);
	}
	batch->nr_proposed = 0;
	batch->proposed_pages = 0;
	batch->proposed_hints = 0;
	return err;
}

/*
 * Claim [pfn, pfn + nr_pages), which lies in one zone, into @batch now:
 * pagehint_batch_propose() then pagehint_batch_claim(), with their errors.
 * @batch proposes nothing else.
 */
int pagehint_claim(struct pagehint_batch *batch, unsigned long pfn,
		   unsigned long nr_pages, enum pagehint_source src)
{
	int err;

	if (WARN_ON_ONCE(batch->nr_proposed))
		return -EINVAL;
	err = pagehint_batch_propose(batch, pfn, nr_pages, src);
	return err ?: pagehint_batch_claim(batch);
}

/*
 * Move the first @nr ranges @from holds (all if fewer) to @to, which holds
 * and proposes nothing: a wave's next report.
 */
void pagehint_batch_take(struct pagehint_batch *to, struct pagehint_batch *from,
			 unsigned int nr)
{
	unsigned long mask;
	unsigned int i;

	if (WARN_ON_ONCE(to->nr || to->nr_proposed || from->nr_proposed))
		return;
	nr = min(nr, from->nr);
	mask = nr < BITS_PER_LONG ? BIT(nr) - 1 : ~0UL;
	for (i = 0; i < nr; i++) {
		to->start[i] = from->start[i];
		to->len[i] = from->len[i];
		to->nr_pages += from->len[i];
		if (from->hints & BIT(i))
			to->hint_pages += from->len[i];
	}
	to->nr = nr;
	to->hints = from->hints & mask;
	for (i = nr; i < from->nr; i++) {
		from->start[i - nr] = from->start[i];
		from->len[i - nr] = from->len[i];
	}
	from->nr -= nr;
	from->nr_pages -= to->nr_pages;
	from->hint_pages -= to->hint_pages;
	from->hints = nr < BITS_PER_LONG ? from->hints >> nr : 0;
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

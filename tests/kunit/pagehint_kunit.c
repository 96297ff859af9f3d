// SPDX-License-Identifier: GPL-2.0
/*
 * pagehint_test.ko: pagehint's units and its KUnit suites in one
 * translation unit.
 *
 * Why one unit including the module's .c files rather than tests built
 * into pagehint.ko under a flag: the suites need static functions (the
 * knob parser, the worker's batcher, the probe path), and including the
 * units here reaches them without exporting anything or adding a single
 * test hook to the module users load; pagehint.ko stays byte-for-byte what
 * DKMS builds.  The price is a second copy of the code in the test module,
 * with its own globals: pagehint_test.ko never registers the virtio driver
 * or the sysfs directory, so it can be loaded next to pagehint.ko.
 *
 * main.c is left out (it has the module's init/exit); the suites set up
 * what they need through ph_env_init().
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/sort.h>
#include <linux/string.h>

/* The test module must not claim real balloon devices through an alias. */
#undef MODULE_DEVICE_TABLE
#define MODULE_DEVICE_TABLE(type, name)

#include "../../src/sysfs.c"
#include "../../src/map.c"
#include "../../src/tracker.c"
#include "../../src/scan.c"
#include "../../src/hotplug.c"
#include "../../src/claimers.c"
#include "../../src/claim.c"
#include "../../src/host.c"
#include "../../src/learn.c"
#include "../../src/report.c"
#include "../../src/virtio.c"
#include "../../src/balloon.c"
#include "../../src/hint.c"
/* Last: it defines the tracepoints the units above declared. */
#include "../../src/trace.c"
#undef CREATE_TRACE_POINTS

#include "pagehint_test.h"

int ph_env_init(bool hooks)
{
	int err;

	pagehint_knobs = (struct pagehint_knobs) {
		.enabled = true,
		.report_order = pageblock_order,
		.delay_ms = PAGEHINT_DELAY_MS_DEFAULT,
		.max_inflight_kib = PAGEHINT_INFLIGHT_KIB_DEFAULT,
		/* Room for an order-0 map of the guests the rig boots. */
		.bitmap_budget_kib = 4096,
		.scan_budget_pages = PAGEHINT_SCAN_BUDGET_DEFAULT,
		.scan = PAGEHINT_SCAN_AUTO,
		/* Report what is free at once; cases that learn set "auto". */
		.min_free_ms = 0,
	};
	memset(&pagehint_stats, 0, sizeof(pagehint_stats));
	/* The test module never takes devices over. */
	pagehint_takeover = false;
	err = pagehint_tracker_init(hooks);
	if (err)
		return err;
	err = pagehint_worker_init();
	if (err)
		pagehint_tracker_exit();
	return err;
}

void ph_env_exit(void)
{
	pagehint_hint_exit();
	pagehint_balloon_exit();
	pagehint_worker_exit();
	pagehint_tracker_exit();
}

/* Rebuild the map after changing report_order or the budget. */
static void ph_env_rebuild(void)
{
	mutex_lock(&pagehint_knob_lock);
	pagehint_tracker_rebuild();
	mutex_unlock(&pagehint_knob_lock);
}

/* A batch for the test, too large for a KUnit case's stack. */
static struct pagehint_batch *ph_new_batch(struct kunit *test)
{
	struct pagehint_batch *batch = kunit_kzalloc(test, sizeof(*batch), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, batch);
	return batch;
}

/*
 * A block of 2^order pages, allocated; the test is skipped (with the
 * reason) when the allocator has none free, a condition of the guest.
 */
static struct page *ph_alloc_or_skip(struct kunit *test, unsigned int order)
{
	struct page *page = alloc_pages(PH_GFP_FREE, order);

	if (!page)
		kunit_skip(test, "no free block of order %u", order);
	return page;
}

/*
 * Free a block the test allocated into the buddy lists, where the scan
 * finds it and a claim may take it: __free_pages() would put a block of
 * pageblock order, or of order 3 and below, on this CPU's per-cpu list.
 * Freed as pagehint releases a claim, seen by the hooks as any free.
 */
static void ph_free_to_buddy(struct page *page, unsigned int order)
{
	split_page(page, order);
	pagehint_free_range(page_to_pfn(page), 1UL << order);
}

/*
 * The first free buddy block of at least 2^order pages in @zone, in
 * MOVABLE pageblocks (where the tests' own movable allocations go), as the
 * worker's scan finds it; 0 if none.  (A block the test allocated and
 * freed would sit on a per-cpu list, which is no claim's to take.)
 */
static unsigned long ph_free_block_in(struct zone *zone, unsigned int order)
{
	unsigned long cursor = zone->zone_start_pfn;
	struct pagehint_block block;

	while (pagehint_scan_next(zone, &cursor, zone_end_pfn(zone), order,
				  &block)) {
		if (pagehint_range_migratetype(block.pfn, 1UL << order) ==
		    MIGRATE_MOVABLE)
			return block.pfn;
	}
	return 0;
}

/*
 * Drain every CPU's per-cpu lists of @zone into its buddy lists, as
 * alloc_contig_range() does before it takes a range (drain_all_pages() is
 * not exported): take a free pageblock and give it back.  False if no
 * pageblock could be taken.
 */
static bool ph_drain_zone(struct zone *zone)
{
	unsigned long pfn = ph_free_block_in(zone, pageblock_order);

	if (!pfn || pagehint_alloc_contig_range(pfn, pfn + pageblock_nr_pages,
						pagehint_range_migratetype(pfn, pageblock_nr_pages),
						GFP_KERNEL))
		return false;
	free_contig_range(pfn, pageblock_nr_pages);
	return true;
}

#include "fake_virtio.c"

#include "map_test.c"
#include "learn_test.c"
#include "tracker_test.c"
#include "scan_test.c"
#include "claim_test.c"
#include "report_test.c"
#include "sysfs_test.c"
#include "balloon_test.c"
#include "virtio_test.c"

MODULE_DESCRIPTION("KUnit suites for pagehint");
MODULE_LICENSE("GPL");

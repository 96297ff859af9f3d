// SPDX-License-Identifier: GPL-2.0
/*
 * Suite pagehint_scan: reading free buddy blocks off the real allocator
 * (scan.c).  Orders above PAGE_ALLOC_COSTLY_ORDER other than the pageblock
 * order go straight back to the buddy lists when freed, so a block freed
 * by the test is there to be found.
 */

static const unsigned int ph_buddy_orders[] = { 4, 5, 6, 7, 8, 10 };

static const void *ph_buddy_order_gen(const void *prev, char *desc)
{
	const unsigned int *p = prev ? (const unsigned int *)prev + 1 :
				ph_buddy_orders;

	for (; p < ph_buddy_orders + ARRAY_SIZE(ph_buddy_orders); p++) {
		if (*p <= PAGEHINT_MAX_ORDER && *p != pageblock_order) {
			snprintf(desc, KUNIT_PARAM_DESC_SIZE, "order %u", *p);
			return p;
		}
	}
	return NULL;
}

/* A block freed at @order is found by a scan of its range (or contains it). */
static void scan_finds_freed(struct kunit *test)
{
	unsigned int order = *(const unsigned int *)test->param_value;
	unsigned long pfn, cursor, nr = 1UL << order;
	struct pagehint_block block;
	struct page *page;
	struct zone *zone;
	bool found;

	page = ph_alloc_or_skip(test, order);
	pfn = page_to_pfn(page);
	zone = page_zone(page);

	/* Allocated: nothing to find. */
	cursor = pfn;
	found = pagehint_scan_next(zone, &cursor, pfn + nr, order, &block);
	KUNIT_EXPECT_FALSE(test, found);
	KUNIT_EXPECT_EQ(test, cursor, pfn + nr);
	KUNIT_EXPECT_FALSE(test, pagehint_enclosing_block(zone, pfn, order, &block));

	__free_pages(page, order);
	cursor = pfn;
	found = pagehint_scan_next(zone, &cursor, pfn + nr, order, &block);
	if (found) {
		/* It heads a free block of its order or more. */
		KUNIT_EXPECT_EQ(test, block.pfn, pfn);
		KUNIT_EXPECT_GE(test, block.order, order);
		KUNIT_EXPECT_EQ(test, cursor, pfn + (1UL << block.order));
	} else {
		/* It merged with its buddy into a block that starts before it. */
		KUNIT_EXPECT_TRUE(test, pagehint_enclosing_block(zone, pfn, order,
								 &block));
		KUNIT_EXPECT_LT(test, block.pfn, pfn);
		KUNIT_EXPECT_GT(test, block.pfn + (1UL << block.order), pfn);
	}
	KUNIT_EXPECT_TRUE(test, IS_ALIGNED(block.pfn, 1UL << block.order));
}

/* A scan asked for blocks larger than what is free finds nothing there. */
static void scan_respects_order(struct kunit *test)
{
	struct pagehint_block block;
	unsigned long pfn, cursor;
	struct page *page;
	struct zone *zone;

	/* Two order-4 halves: keep one, free the other. */
	page = ph_alloc_or_skip(test, 5);
	split_page(page, 5);
	pfn = page_to_pfn(page);
	zone = page_zone(page);
	free_contig_range(pfn + 16, 16);

	cursor = pfn;
	KUNIT_EXPECT_FALSE(test, pagehint_scan_next(zone, &cursor, pfn + 32, 5, &block));
	cursor = pfn;
	if (pagehint_scan_next(zone, &cursor, pfn + 32, 0, &block))
		KUNIT_EXPECT_GE(test, block.pfn, pfn + 16);
	free_contig_range(pfn, 16);
}

/* Cursors past the end, or an empty window, find nothing. */
static void scan_empty_window(struct kunit *test)
{
	struct zone *zone = page_zone(virt_to_page(test));
	struct pagehint_block block;
	unsigned long cursor = zone_end_pfn(zone);

	KUNIT_EXPECT_FALSE(test, pagehint_scan_next(zone, &cursor, ULONG_MAX, 0, &block));
	KUNIT_EXPECT_EQ(test, cursor, zone_end_pfn(zone));
	cursor = zone->zone_start_pfn + 64;
	KUNIT_EXPECT_FALSE(test, pagehint_scan_next(zone, &cursor, cursor, 0, &block));
}

static struct kunit_case pagehint_scan_cases[] = {
	KUNIT_CASE_PARAM(scan_finds_freed, ph_buddy_order_gen),
	KUNIT_CASE(scan_respects_order),
	KUNIT_CASE(scan_empty_window),
	{}
};

static struct kunit_suite pagehint_scan_suite = {
	.name = "pagehint_scan",
	.test_cases = pagehint_scan_cases,
};

// SPDX-License-Identifier: GPL-2.0
/*
 * Suite pagehint_tracker: the hooks on the real allocator.  Pages of each
 * order are allocated and freed, and the tracker's map must follow; its own
 * releases must not feed back as hints.
 */

static int tracker_suite_init(struct kunit_suite *suite)
{
	int err = ph_env_init(true);

	if (err)
		return err;
	/* An order-0 map, so that every page has its own bit. */
	pagehint_knobs.report_order = 0;
	ph_env_rebuild();
	return 0;
}

static void tracker_suite_exit(struct kunit_suite *suite)
{
	ph_env_exit();
}

static struct pagehint_map *ph_cur_map(struct kunit *test)
{
	struct pagehint_map *map = rcu_dereference_protected(pagehint_cur_map, true);

	KUNIT_ASSERT_NOT_NULL(test, map);
	KUNIT_ASSERT_EQ(test, map->order, 0U);
	return map;
}

/* Hint bits set in [pfn, pfn + nr). */
static unsigned long ph_hints(struct pagehint_map *map, unsigned long pfn,
			      unsigned long nr)
{
	unsigned long i, n = 0;

	for (i = 0; i < nr; i++)
		n += test_bit(pfn + i - map->base_pfn, map->hint);
	return n;
}

static void ph_clear_hints(struct pagehint_map *map, unsigned long pfn,
			   unsigned long nr)
{
	unsigned long i;

	for (i = 0; i < nr; i++)
		clear_bit(pfn + i - map->base_pfn, map->hint);
}

/* The tracepoint pagehint hooked by that name, or NULL. */
static struct tracepoint *ph_hook_tp(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pagehint_hooks); i++) {
		if (!strcmp(pagehint_hooks[i].name, name))
			return pagehint_hooks[i].tp;
	}
	return NULL;
}

static void tracker_hooks_attached(struct kunit *test)
{
	/* The debug kernel has every kmem tracepoint pagehint hooks. */
	KUNIT_EXPECT_TRUE(test, pagehint_tracker_hooked());
	KUNIT_EXPECT_STREQ(test, pagehint_tracker_hooks(), "tracepoints");
}

/* What the test's mm_page_pcpu_drain probe saw of the block it watches. */
static struct {
	unsigned long pfn;
	unsigned int order;
	bool drained;
	unsigned long hints_before;	/* the block's hints as it drained */
} ph_drain;

/* Runs before the tracker's probe: sees the hints the drain found. */
static void ph_probe_pcpu_drain(void *data, struct page *page,
				unsigned int order, int migratetype)
{
	struct pagehint_map *map = rcu_dereference_sched(pagehint_cur_map);

	if (!map || page_to_pfn(page) != ph_drain.pfn || order != ph_drain.order)
		return;
	ph_drain.drained = true;
	ph_drain.hints_before = ph_hints(map, ph_drain.pfn, 1UL << order);
}

/*
 * Freeing 2^order pages hints all of them once they are free blocks in the
 * buddy lists, and only then: a block the free puts on a per-cpu list is
 * hinted when it is drained from there (mm_page_pcpu_drain), not by the
 * free, so that a page cycling through a per-cpu list writes nothing.
 */
static void tracker_free_hinted_once(struct kunit *test)
{
	unsigned int order = *(const unsigned int *)test->param_value;
	struct pagehint_map *map = ph_cur_map(test);
	struct tracepoint *tp = ph_hook_tp("mm_page_pcpu_drain");
	unsigned long pfn, hints_freed, nr = 1UL << order;
	bool drained_by_free;
	struct page *page;
	int err;

	KUNIT_ASSERT_NOT_NULL_MSG(test, tp, "no mm_page_pcpu_drain tracepoint");
	page = ph_alloc_or_skip(test, order);
	pfn = page_to_pfn(page);
	/* A stale hint (see tracker_ignores_self()) would blur "once". */
	ph_clear_hints(map, pfn, nr);
	memset(&ph_drain, 0, sizeof(ph_drain));
	ph_drain.pfn = pfn;
	ph_drain.order = order;
	err = tracepoint_probe_register_prio(tp, ph_probe_pcpu_drain, NULL,
					     TRACEPOINT_DEFAULT_PRIO + 1);
	if (err)
		__free_pages(page, order);
	KUNIT_ASSERT_EQ(test, err, 0);
	__free_pages(page, order);
	hints_freed = ph_hints(map, pfn, nr);
	drained_by_free = ph_drain.drained;
	KUNIT_EXPECT_TRUE(test, ph_drain_zone(page_zone(page)));
	tracepoint_probe_unregister(tp, ph_probe_pcpu_drain, NULL);
	tracepoint_synchronize_unregister();

	/* Found in the end, whichever way the block went. */
	KUNIT_EXPECT_EQ(test, ph_hints(map, pfn, nr), nr);
	if (order <= PAGE_ALLOC_COSTLY_ORDER)
		KUNIT_EXPECT_TRUE_MSG(test, ph_drain.drained,
				      "the block did not go through a per-cpu list");
	if (ph_drain.drained) {
		/* Hinted once: by the drain, not before it. */
		KUNIT_EXPECT_EQ(test, ph_drain.hints_before, 0UL);
		if (!drained_by_free)
			KUNIT_EXPECT_EQ(test, hints_freed, 0UL);
	} else {
		/* Straight to the buddy lists: hinted by the free. */
		KUNIT_EXPECT_EQ(test, hints_freed, nr);
	}
}

/* The first block of its order the test saw leave the buddy lists. */
static struct {
	struct task_struct *task;	/* the test's, whose allocations count */
	unsigned int order;
	unsigned long pfn;		/* 0: none yet */
} ph_taken;

/*
 * Runs before the tracker's probe on mm_page_alloc_zone_locked: hints the
 * first block of the order watched, as a free block in the buddy lists
 * would be, for the tracker's probe to clear.
 */
static void ph_probe_zone_locked(void *data, struct page *page,
				 unsigned int order, int migratetype,
				 int percpu_refill)
{
	struct pagehint_map *map = rcu_dereference_sched(pagehint_cur_map);
	unsigned long i, pfn = page_to_pfn(page);

	if (!map || current != ph_taken.task || order != ph_taken.order ||
	    READ_ONCE(ph_taken.pfn))
		return;
	for (i = 0; i < (1UL << order); i++)
		set_bit(pfn + i - map->base_pfn, map->hint);
	WRITE_ONCE(ph_taken.pfn, pfn);
}

/*
 * Taking a block out of the buddy lists clears its hints, whether for an
 * allocation or to refill a per-cpu list.  The test allocates blocks of
 * its order until one leaves the buddy lists (a per-cpu order may first
 * come from this CPU's list); a probe that runs before the tracker's
 * hints that block as it goes, and the tracker must have cleared it.
 *
 * The blocks are movable: an unmovable block of order 10 is mostly taken
 * by stealing a movable pageblock (on 6.12 and later without the
 * tracepoint), and hundreds of such steals would leave the suites after
 * this one with their free memory in UNMOVABLE pageblocks.
 */
static void tracker_alloc_clears(struct kunit *test)
{
	unsigned int order = *(const unsigned int *)test->param_value;
	struct pagehint_map *map = ph_cur_map(test);
	struct tracepoint *tp = ph_hook_tp("mm_page_alloc_zone_locked");
	struct page *page, *next;
	LIST_HEAD(held);
	/* 128 MiB of small blocks: a per-cpu list holds thousands. */
	unsigned int i, most = max(256U, 32768U >> order);
	int err;

	KUNIT_ASSERT_NOT_NULL_MSG(test, tp, "no mm_page_alloc_zone_locked tracepoint");
	memset(&ph_taken, 0, sizeof(ph_taken));
	ph_taken.task = current;
	ph_taken.order = order;
	err = tracepoint_probe_register_prio(tp, ph_probe_zone_locked, NULL,
					     TRACEPOINT_DEFAULT_PRIO + 1);
	KUNIT_ASSERT_EQ(test, err, 0);
	for (i = 0; i < most && !READ_ONCE(ph_taken.pfn); i++) {
		page = alloc_pages(PH_GFP_FREE, order);
		if (!page)
			break;
		list_add(&page->lru, &held);
	}
	tracepoint_probe_unregister(tp, ph_probe_zone_locked, NULL);
	tracepoint_synchronize_unregister();
	/* Before the frees, which hint what goes back to the buddy lists. */
	if (ph_taken.pfn)
		KUNIT_EXPECT_EQ(test, ph_hints(map, ph_taken.pfn, 1UL << order), 0UL);
	list_for_each_entry_safe(page, next, &held, lru) {
		list_del(&page->lru);
		__free_pages(page, order);
	}
	if (!ph_taken.pfn && !i)
		kunit_skip(test, "no free block of order %u", order);
	KUNIT_EXPECT_NE_MSG(test, ph_taken.pfn, 0UL,
			    "no block of order %u left the buddy lists", order);
}

/* pagehint's own release is not "new free memory". */
static void tracker_ignores_self(struct kunit *test)
{
	unsigned int order = *(const unsigned int *)test->param_value;
	struct pagehint_map *map = ph_cur_map(test);
	unsigned long pfn, nr = 1UL << order;
	struct page *page;

	page = ph_alloc_or_skip(test, order);
	pfn = page_to_pfn(page);
	/*
	 * A block from a per-cpu list may carry a stale hint: pages taken
	 * without an event (compaction, alloc_contig_range()) keep theirs,
	 * and a per-cpu allocation is not hooked.  Start from none.
	 */
	ph_clear_hints(map, pfn, nr);
	pagehint_tracker_self_begin();
	__free_pages(page, order);
	pagehint_tracker_self_end();
	KUNIT_EXPECT_EQ(test, ph_hints(map, pfn, nr), 0UL);
}

/* A reported block reallocated and freed again is no longer "reported". */
static void tracker_reuse_forgets_reported(struct kunit *test)
{
	struct page *page;
	unsigned long pfn;

	page = alloc_pages(GFP_KERNEL, 0);
	KUNIT_ASSERT_NOT_NULL(test, page);
	pfn = page_to_pfn(page);
	pagehint_tracker_mark_reported(pfn, 1);
	KUNIT_EXPECT_TRUE(test, pagehint_tracker_reported(pfn, 0));
	__free_pages(page, 0);
	KUNIT_EXPECT_FALSE(test, pagehint_tracker_reported(pfn, 0));
}

/* Rebuilding at another order replaces the map and asks for scans. */
static void tracker_rebuild(struct kunit *test)
{
	struct pagehint_tracker_counters c;
	long gen = pagehint_tracker_generation();

	pagehint_tracker_take_scan_request(0, ZONE_NORMAL);
	pagehint_knobs.report_order = 3;
	ph_env_rebuild();
	pagehint_tracker_counters(&c);
	KUNIT_EXPECT_EQ(test, c.bitmap_order, 3U);
	KUNIT_EXPECT_GT(test, pagehint_tracker_generation(), gen);
	KUNIT_EXPECT_TRUE(test, pagehint_tracker_take_scan_request(0, ZONE_NORMAL));
	KUNIT_EXPECT_FALSE(test, pagehint_tracker_take_scan_request(0, ZONE_NORMAL));

	pagehint_knobs.report_order = 0;
	ph_env_rebuild();
	pagehint_tracker_counters(&c);
	KUNIT_EXPECT_EQ(test, c.bitmap_order, 0U);
}

static const unsigned int ph_tracker_orders[] = { 0, 1, 2, 3, 4, 6, 9, 10 };

static const void *ph_tracker_order_gen(const void *prev, char *desc)
{
	const unsigned int *p = prev ? (const unsigned int *)prev + 1 :
				ph_tracker_orders;

	if (p >= ph_tracker_orders + ARRAY_SIZE(ph_tracker_orders) ||
	    *p > PAGEHINT_MAX_ORDER)
		return NULL;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "order %u", *p);
	return p;
}

static struct kunit_case pagehint_tracker_cases[] = {
	KUNIT_CASE(tracker_hooks_attached),
	KUNIT_CASE_PARAM(tracker_free_hinted_once, ph_tracker_order_gen),
	KUNIT_CASE_PARAM(tracker_alloc_clears, ph_tracker_order_gen),
	KUNIT_CASE_PARAM(tracker_ignores_self, ph_tracker_order_gen),
	KUNIT_CASE(tracker_reuse_forgets_reported),
	KUNIT_CASE(tracker_rebuild),
	{}
};

static struct kunit_suite pagehint_tracker_suite = {
	.name = "pagehint_tracker",
	.suite_init = tracker_suite_init,
	.suite_exit = tracker_suite_exit,
	.test_cases = pagehint_tracker_cases,
};

// SPDX-License-Identifier: GPL-2.0
/*
 * Suite pagehint_claim: owning free ranges through alloc_contig_range()
 * (claim.c): a claimed range is pagehint's until released, a batch holds
 * at most PAGEHINT_CAPACITY ranges and max_pages pages, one claim per
 * pageblock.
 */

static int claim_suite_init(struct kunit_suite *suite)
{
	return ph_env_init(true);
}

static void claim_suite_exit(struct kunit_suite *suite)
{
	ph_env_exit();
}

/* Every page of the range is allocated (owned), none on a free list. */
static bool ph_owned(unsigned long pfn, unsigned long nr)
{
	unsigned long i;

	for (i = 0; i < nr; i++) {
		struct page *page = pfn_to_page(pfn + i);

		if (PageBuddy(page) || page_count(page) != 1)
			return false;
	}
	return true;
}

/* A pageblock-sized range that was free a moment ago, or 0. */
static unsigned long ph_free_pageblock(void)
{
	struct page *page;
	unsigned long pfn;

	page = alloc_pages(PH_GFP_FREE, pageblock_order);
	if (!page)
		return 0;
	pfn = page_to_pfn(page);
	__free_pages(page, pageblock_order);
	return pfn;
}

static void claim_owns_until_release(struct kunit *test)
{
	struct pagehint_batch batch;
	unsigned long pfn, nr = pageblock_nr_pages;
	s64 claimed = atomic64_read(&pagehint_stats.claimed_bytes);

	pfn = ph_free_pageblock();
	if (!pfn)
		kunit_skip(test, "no free pageblock");
	pagehint_batch_init(&batch, ULONG_MAX);
	KUNIT_ASSERT_EQ(test, pagehint_claim(&batch, pfn, nr, PAGEHINT_FROM_SCAN), 0);
	KUNIT_EXPECT_EQ(test, batch.nr, 1U);
	KUNIT_EXPECT_EQ(test, batch.nr_pages, nr);
	KUNIT_EXPECT_EQ(test, batch.hint_pages, 0UL);
	KUNIT_EXPECT_TRUE(test, ph_owned(pfn, nr));
	KUNIT_EXPECT_EQ(test, atomic64_read(&pagehint_stats.claimed_bytes) - claimed,
			(s64)nr << PAGE_SHIFT);

	pagehint_batch_release(&batch, false);
	KUNIT_EXPECT_EQ(test, batch.nr, 0U);
	KUNIT_EXPECT_EQ(test, page_count(pfn_to_page(pfn)), 0);
	KUNIT_EXPECT_FALSE(test, pagehint_tracker_reported(pfn, 0));
}

/* Released as reported: remembered, and the release adds no hints. */
static void claim_release_reported(struct kunit *test)
{
	struct pagehint_tracker_counters before, after;
	struct pagehint_batch batch;
	unsigned long pfn;

	pfn = ph_free_pageblock();
	if (!pfn)
		kunit_skip(test, "no free pageblock");
	pagehint_batch_init(&batch, ULONG_MAX);
	KUNIT_ASSERT_EQ(test, pagehint_claim(&batch, pfn, pageblock_nr_pages,
					     PAGEHINT_FROM_HINT), 0);
	KUNIT_EXPECT_EQ(test, batch.hint_pages, pageblock_nr_pages);
	pagehint_tracker_counters(&before);
	pagehint_batch_release(&batch, true);
	pagehint_tracker_counters(&after);
	KUNIT_EXPECT_TRUE(test, pagehint_tracker_reported(pfn, pageblock_order));
	/* Other CPUs may free pages meanwhile; the release sets none of 512. */
	KUNIT_EXPECT_LT(test, after.hints_set - before.hints_set, pageblock_nr_pages);
}

/* PAGEHINT_CAPACITY ranges fill a batch; the next claim is refused. */
static void claim_batch_full(struct kunit *test)
{
	struct pagehint_batch batch;
	unsigned long pfn;
	int i, err;

	pagehint_batch_init(&batch, ULONG_MAX);
	for (i = 0; i < PAGEHINT_CAPACITY; i++) {
		pfn = ph_free_pageblock();
		if (!pfn)
			break;
		err = pagehint_claim(&batch, pfn, pageblock_nr_pages,
				     PAGEHINT_FROM_SCAN);
		KUNIT_EXPECT_EQ_MSG(test, err, 0, "claim %d", i);
		if (err)
			break;
	}
	if (batch.nr == PAGEHINT_CAPACITY) {
		s64 fails = atomic64_read(&pagehint_stats.claim_failures);

		pfn = ph_free_pageblock();
		KUNIT_EXPECT_EQ(test, pagehint_claim(&batch, pfn, pageblock_nr_pages,
						     PAGEHINT_FROM_SCAN), -ENOSPC);
		/* Refused before alloc_contig_range(): not a failure. */
		KUNIT_EXPECT_EQ(test, atomic64_read(&pagehint_stats.claim_failures), fails);
	}
	KUNIT_EXPECT_EQ(test, batch.nr, (unsigned int)PAGEHINT_CAPACITY);
	for (i = 0; i < batch.nr; i++)
		KUNIT_EXPECT_TRUE(test, ph_owned(batch.start[i], batch.len[i]));
	pagehint_batch_release(&batch, false);
}

/* max_pages bounds the batch, except for its first range. */
static void claim_inflight_budget(struct kunit *test)
{
	unsigned long half = pageblock_nr_pages / 2, pfn;
	struct pagehint_batch batch;

	pfn = ph_free_pageblock();
	if (!pfn)
		kunit_skip(test, "no free pageblock");
	pagehint_batch_init(&batch, half / 2);
	/* A first range larger than the budget is still taken. */
	KUNIT_EXPECT_EQ(test, pagehint_claim(&batch, pfn, half, PAGEHINT_FROM_SCAN), 0);
	pfn = ph_free_pageblock();
	if (pfn)
		KUNIT_EXPECT_EQ(test, pagehint_claim(&batch, pfn, half,
						     PAGEHINT_FROM_SCAN), -ENOSPC);
	KUNIT_EXPECT_EQ(test, batch.nr, 1U);
	pagehint_batch_release(&batch, false);
}

/* A second range in the pageblock just claimed waits for another batch. */
static void claim_same_pageblock(struct kunit *test)
{
	unsigned long half = pageblock_nr_pages / 2, pfn;
	struct pagehint_batch batch;
	s64 fails = atomic64_read(&pagehint_stats.claim_failures);

	pfn = ph_free_pageblock();
	if (!pfn)
		kunit_skip(test, "no free pageblock");
	pagehint_batch_init(&batch, ULONG_MAX);
	KUNIT_ASSERT_EQ(test, pagehint_claim(&batch, pfn, half, PAGEHINT_FROM_SCAN), 0);
	KUNIT_EXPECT_EQ(test, pagehint_claim(&batch, pfn + half, half,
					     PAGEHINT_FROM_SCAN), -EAGAIN);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pagehint_stats.claim_failures), fails);
	KUNIT_EXPECT_EQ(test, batch.nr, 1U);
	pagehint_batch_release(&batch, false);
	/* In a fresh batch it is claimable. */
	KUNIT_EXPECT_EQ(test, pagehint_claim(&batch, pfn + half, half,
					     PAGEHINT_FROM_SCAN), 0);
	pagehint_batch_release(&batch, false);
}

/* A range in use is never claimed; the failure is counted. */
static void claim_in_use(struct kunit *test)
{
	s64 fails = atomic64_read(&pagehint_stats.claim_failures);
	struct pagehint_batch batch;
	struct page *page;

	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	pagehint_batch_init(&batch, ULONG_MAX);
	KUNIT_EXPECT_NE(test, pagehint_claim(&batch, page_to_pfn(page), 1,
					     PAGEHINT_FROM_SCAN), 0);
	KUNIT_EXPECT_EQ(test, batch.nr, 0U);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pagehint_stats.claim_failures), fails + 1);
	KUNIT_EXPECT_EQ(test, page_count(page), 1);
	__free_page(page);
}

/* The watermark guard: nothing that would take a zone near its low mark. */
static void claim_guard(struct kunit *test)
{
	struct zone *zone = page_zone(virt_to_page(test));
	unsigned long free = pagehint_zone_free(zone);
	unsigned long low = low_wmark_pages(zone);
	unsigned long margin = (unsigned long)PAGEHINT_CAPACITY << pageblock_order;

	KUNIT_EXPECT_FALSE(test, pagehint_zone_guard_ok(zone, pageblock_order, 0, free));
	if (free > low + margin + 1024)
		KUNIT_EXPECT_TRUE(test, pagehint_zone_guard_ok(zone, pageblock_order, 0, 0));
	KUNIT_EXPECT_FALSE(test, pagehint_zone_guard_ok(zone, pageblock_order, 0,
							free - min(free, low + margin)));
	/*
	 * What pagehint holds counts as margin: it never holds more than the
	 * zone keeps free above its low watermark.
	 */
	if (free > low + 4 * margin) {
		unsigned long room = free - low;

		KUNIT_EXPECT_TRUE(test, pagehint_zone_guard_ok(zone, pageblock_order,
							       room / 4, 1));
		/* Twice over: other CPUs free and allocate meanwhile. */
		KUNIT_EXPECT_FALSE(test, pagehint_zone_guard_ok(zone, pageblock_order,
								2 * room, 1));
		KUNIT_EXPECT_FALSE(test, pagehint_zone_guard_ok(zone, pageblock_order,
								room, room / 2));
	}
}

/*
 * While the balloon inflates, what it is still to take stays free: a zone
 * that would pass the guard does not once the balloon wants its room.
 */
static void claim_guard_balloon(struct kunit *test)
{
#if !PAGEHINT_HAVE_BALLOON
	kunit_skip(test, "this kernel has no balloon page API");
#else
	struct zone *zone = page_zone(virt_to_page(test));
	unsigned long free = pagehint_zone_free(zone);
	unsigned long low = low_wmark_pages(zone);
	unsigned long margin = (unsigned long)PAGEHINT_CAPACITY << pageblock_order;

	if (free <= low + 4 * margin)
		kunit_skip(test, "the zone has too little free memory");
	KUNIT_EXPECT_EQ(test, pagehint_balloon_pending_pages(), 0UL);
	KUNIT_EXPECT_TRUE(test, pagehint_zone_guard_ok(zone, pageblock_order, 0, 1));
	WRITE_ONCE(pagehint_balloon.pending, free - low - margin);
	KUNIT_EXPECT_FALSE(test, pagehint_zone_guard_ok(zone, pageblock_order, 0, 1));
	WRITE_ONCE(pagehint_balloon.pending, 0);
	KUNIT_EXPECT_TRUE(test, pagehint_zone_guard_ok(zone, pageblock_order, 0, 1));
#endif
}

/* The page frees of a range, as mm_page_free sees them. */
static struct {
	unsigned long pfn, nr;
	unsigned int frees, max_order;
	unsigned long pages;
} ph_freed;

static void ph_probe_page_free(void *data, struct page *page, unsigned int order)
{
	unsigned long pfn = page_to_pfn(page);

	if (pfn < ph_freed.pfn || pfn >= ph_freed.pfn + ph_freed.nr)
		return;
	ph_freed.frees++;
	ph_freed.pages += 1UL << order;
	ph_freed.max_order = max(ph_freed.max_order, order);
}

/*
 * A release gives the range back as the blocks it was taken as, not page
 * by page through one CPU's per-cpu lists (which would split them on the
 * next order-0 allocations there).
 */
static void claim_release_whole_blocks(struct kunit *test)
{
	struct tracepoint *tp = pagehint_hooks[0].tp;
	struct pagehint_batch batch;
	unsigned long pfn, nr = pageblock_nr_pages;

	if (!tp)
		kunit_skip(test, "no mm_page_free tracepoint");
	pfn = ph_free_pageblock();
	if (!pfn)
		kunit_skip(test, "no free pageblock");
	pagehint_batch_init(&batch, ULONG_MAX);
	KUNIT_ASSERT_EQ(test, pagehint_claim(&batch, pfn, nr, PAGEHINT_FROM_SCAN), 0);
	memset(&ph_freed, 0, sizeof(ph_freed));
	ph_freed.pfn = pfn;
	ph_freed.nr = nr;
	KUNIT_ASSERT_EQ(test, tracepoint_probe_register(tp, ph_probe_page_free, NULL), 0);
	pagehint_batch_release(&batch, false);
	tracepoint_probe_unregister(tp, ph_probe_page_free, NULL);
	tracepoint_synchronize_unregister();
	KUNIT_EXPECT_EQ(test, ph_freed.pages, nr);
	KUNIT_EXPECT_EQ(test, ph_freed.frees, 1U);
	KUNIT_EXPECT_EQ(test, ph_freed.max_order, (unsigned int)pageblock_order);
}

/* A range that is not one aligned block goes back as the fewest blocks. */
static void claim_release_uneven(struct kunit *test)
{
	struct tracepoint *tp = pagehint_hooks[0].tp;
	struct page *page;
	unsigned long pfn, i;

	if (!tp)
		kunit_skip(test, "no mm_page_free tracepoint");
	page = ph_alloc_or_skip(test, 4);
	pfn = page_to_pfn(page);
	split_page(page, 4);
	/* Pages 1..12 as a claim hands them out: a reference each. */
	memset(&ph_freed, 0, sizeof(ph_freed));
	ph_freed.pfn = pfn + 1;
	ph_freed.nr = 12;
	KUNIT_ASSERT_EQ(test, tracepoint_probe_register(tp, ph_probe_page_free, NULL), 0);
	pagehint_tracker_self_begin();
	pagehint_free_range(pfn + 1, 12);
	pagehint_tracker_self_end();
	tracepoint_probe_unregister(tp, ph_probe_page_free, NULL);
	tracepoint_synchronize_unregister();
	/* 1, 2-3, 4-7, 8-11, 12: five blocks. */
	KUNIT_EXPECT_EQ(test, ph_freed.pages, 12UL);
	KUNIT_EXPECT_EQ(test, ph_freed.frees, 5U);
	KUNIT_EXPECT_EQ(test, ph_freed.max_order, 2U);
	__free_page(page);
	for (i = 13; i < 16; i++)
		__free_page(page + i);
}

/*
 * A free pageblock the allocator typed UNMOVABLE (an unmovable allocation
 * of a whole pageblock takes it over) is read as such, and is not
 * claimed where a claim would make it MOVABLE; the type stays.
 */
static void claim_keeps_pageblock_type(struct kunit *test)
{
	struct page *page;
	unsigned long pfn;

	page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, pageblock_order);
	if (!page)
		kunit_skip(test, "no free pageblock");
	pfn = page_to_pfn(page);
	__free_pages(page, pageblock_order);
	KUNIT_ASSERT_EQ(test, pagehint_pageblock_migratetype(pfn), (int)MIGRATE_UNMOVABLE);
#ifdef PAGEHINT_CLAIM_KEEPS_MIGRATETYPE
	KUNIT_EXPECT_TRUE(test, pagehint_claimable(pfn, pageblock_nr_pages));
#else
	KUNIT_EXPECT_FALSE(test, pagehint_claimable(pfn, pageblock_nr_pages));
#endif
	/* And a MOVABLE one is. */
	page = alloc_pages(PH_GFP_FREE, pageblock_order);
	if (!page)
		kunit_skip(test, "no free movable pageblock");
	pfn = page_to_pfn(page);
	__free_pages(page, pageblock_order);
	KUNIT_EXPECT_EQ(test, pagehint_pageblock_migratetype(pfn), (int)MIGRATE_MOVABLE);
	KUNIT_EXPECT_TRUE(test, pagehint_claimable(pfn, pageblock_nr_pages));
}

static struct kunit_case pagehint_claim_cases[] = {
	KUNIT_CASE(claim_owns_until_release),
	KUNIT_CASE(claim_release_reported),
	KUNIT_CASE(claim_release_whole_blocks),
	KUNIT_CASE(claim_release_uneven),
	KUNIT_CASE(claim_batch_full),
	KUNIT_CASE(claim_inflight_budget),
	KUNIT_CASE(claim_same_pageblock),
	KUNIT_CASE(claim_in_use),
	KUNIT_CASE(claim_guard),
	KUNIT_CASE(claim_guard_balloon),
	KUNIT_CASE(claim_keeps_pageblock_type),
	{}
};

static struct kunit_suite pagehint_claim_suite = {
	.name = "pagehint_claim",
	.suite_init = claim_suite_init,
	.suite_exit = claim_suite_exit,
	.test_cases = pagehint_claim_cases,
};

// SPDX-License-Identifier: GPL-2.0
/*
 * Suite pagehint_claim: owning free ranges through alloc_contig_range()
 * (claim.c): a claimed range is pagehint's until released, a batch holds
 * at most PAGEHINT_WAVE ranges and max_pages pages, one claim per
 * pageblock, and gives them to reports in order.
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

/* The zone movable allocations come from now. */
static struct zone *ph_movable_zone(void)
{
	struct page *page = alloc_pages(PH_GFP_FREE, 0);
	struct zone *zone;

	if (!page)
		return NULL;
	zone = page_zone(page);
	__free_page(page);
	return zone;
}

/* A free pageblock-sized range, or 0. */
static unsigned long ph_free_pageblock(void)
{
	struct zone *zone = ph_movable_zone();

	return zone ? ph_free_block_in(zone, pageblock_order) : 0;
}

static void claim_owns_until_release(struct kunit *test)
{
	struct pagehint_batch *batch = ph_new_batch(test);
	unsigned long pfn, nr = pageblock_nr_pages;
	s64 claimed = atomic64_read(&pagehint_stats.claimed_bytes);

	pfn = ph_free_pageblock();
	if (!pfn)
		kunit_skip(test, "no free pageblock");
	pagehint_batch_init(batch, ULONG_MAX);
	KUNIT_ASSERT_EQ(test, pagehint_claim(batch, pfn, nr, PAGEHINT_FROM_SCAN), 0);
	KUNIT_EXPECT_EQ(test, batch->nr, 1U);
	KUNIT_EXPECT_EQ(test, batch->nr_pages, nr);
	KUNIT_EXPECT_EQ(test, batch->hint_pages, 0UL);
	KUNIT_EXPECT_TRUE(test, ph_owned(pfn, nr));
	KUNIT_EXPECT_EQ(test, atomic64_read(&pagehint_stats.claimed_bytes) - claimed,
			(s64)nr << PAGE_SHIFT);

	pagehint_batch_release(batch, false);
	KUNIT_EXPECT_EQ(test, batch->nr, 0U);
	KUNIT_EXPECT_EQ(test, page_count(pfn_to_page(pfn)), 0);
	KUNIT_EXPECT_FALSE(test, pagehint_tracker_reported(pfn, 0));
}

/* Released as reported: remembered, and the release adds no hints. */
static void claim_release_reported(struct kunit *test)
{
	struct pagehint_tracker_counters before, after;
	struct pagehint_batch *batch = ph_new_batch(test);
	unsigned long pfn;

	pfn = ph_free_pageblock();
	if (!pfn)
		kunit_skip(test, "no free pageblock");
	pagehint_batch_init(batch, ULONG_MAX);
	KUNIT_ASSERT_EQ(test, pagehint_claim(batch, pfn, pageblock_nr_pages,
					     PAGEHINT_FROM_HINT), 0);
	KUNIT_EXPECT_EQ(test, batch->hint_pages, pageblock_nr_pages);
	pagehint_tracker_counters(&before);
	pagehint_batch_release(batch, true);
	pagehint_tracker_counters(&after);
	KUNIT_EXPECT_TRUE(test, pagehint_tracker_reported(pfn, pageblock_order));
	/* Other CPUs may free pages meanwhile; the release sets none of 512. */
	KUNIT_EXPECT_LT(test, after.hints_set - before.hints_set, pageblock_nr_pages);
}

/*
 * PAGEHINT_WAVE ranges fill a batch; the next claim is refused.  Reports
 * take them PAGEHINT_CAPACITY at a time, in order, with what came from
 * hints (the odd ranges here).
 */
static void claim_batch_full(struct kunit *test)
{
	struct pagehint_batch *batch = ph_new_batch(test);
	struct pagehint_batch *report = ph_new_batch(test);
	unsigned long pfn, start[PAGEHINT_WAVE];
	unsigned int first, n, taken;
	int i, err;

	pagehint_batch_init(batch, ULONG_MAX);
	for (i = 0; i < PAGEHINT_WAVE; i++) {
		pfn = ph_free_pageblock();
		if (!pfn)
			break;
		err = pagehint_claim(batch, pfn, pageblock_nr_pages,
				     i % 2 ? PAGEHINT_FROM_HINT : PAGEHINT_FROM_SCAN);
		KUNIT_EXPECT_EQ_MSG(test, err, 0, "claim %d", i);
		if (err)
			break;
	}
	if (batch->nr == PAGEHINT_WAVE) {
		s64 fails = atomic64_read(&pagehint_stats.claim_failures);

		pfn = ph_free_pageblock();
		KUNIT_EXPECT_EQ(test, pagehint_claim(batch, pfn, pageblock_nr_pages,
						     PAGEHINT_FROM_SCAN), -ENOSPC);
		/* Refused before alloc_contig_range(): not a failure. */
		KUNIT_EXPECT_EQ(test, atomic64_read(&pagehint_stats.claim_failures), fails);
	}
	KUNIT_EXPECT_EQ(test, batch->nr, (unsigned int)PAGEHINT_WAVE);
	for (i = 0; i < batch->nr; i++)
		KUNIT_EXPECT_TRUE(test, ph_owned(batch->start[i], batch->len[i]));
	KUNIT_EXPECT_EQ(test, batch->hint_pages, batch->nr / 2 * pageblock_nr_pages);

	memcpy(start, batch->start, PAGEHINT_WAVE * sizeof(*start));
	n = batch->nr;
	for (first = 0; batch->nr; first += taken) {
		pagehint_batch_init(report, batch->max_pages);
		pagehint_batch_take(report, batch, PAGEHINT_CAPACITY);
		taken = report->nr;
		KUNIT_EXPECT_EQ(test, report->nr,
				min_t(unsigned int, n - first, PAGEHINT_CAPACITY));
		KUNIT_EXPECT_EQ(test, report->nr_pages, report->nr * pageblock_nr_pages);
		KUNIT_EXPECT_EQ(test, report->hint_pages,
				report->nr / 2 * pageblock_nr_pages);
		KUNIT_EXPECT_EQ(test, batch->nr_pages, batch->nr * pageblock_nr_pages);
		for (i = 0; i < report->nr; i++) {
			KUNIT_EXPECT_EQ(test, report->start[i], start[first + i]);
			KUNIT_EXPECT_EQ(test, !!(report->hints & BIT(i)),
					(first + i) % 2 == 1);
		}
		pagehint_batch_release(report, false);
		KUNIT_EXPECT_FALSE(test, ph_owned(start[first], pageblock_nr_pages));
	}
	KUNIT_EXPECT_EQ(test, first, n);
	KUNIT_EXPECT_EQ(test, batch->hint_pages, 0UL);
	pagehint_batch_release(batch, false);
}

/* max_pages bounds the batch, except for its first range. */
static void claim_inflight_budget(struct kunit *test)
{
	unsigned long half = pageblock_nr_pages / 2, pfn;
	struct pagehint_batch *batch = ph_new_batch(test);

	pfn = ph_free_pageblock();
	if (!pfn)
		kunit_skip(test, "no free pageblock");
	pagehint_batch_init(batch, half / 2);
	/* A first range larger than the budget is still taken. */
	KUNIT_EXPECT_EQ(test, pagehint_claim(batch, pfn, half, PAGEHINT_FROM_SCAN), 0);
	pfn = ph_free_pageblock();
	if (pfn)
		KUNIT_EXPECT_EQ(test, pagehint_claim(batch, pfn, half,
						     PAGEHINT_FROM_SCAN), -ENOSPC);
	KUNIT_EXPECT_EQ(test, batch->nr, 1U);
	pagehint_batch_release(batch, false);
}

/* A second range in the pageblock just claimed waits for another batch. */
static void claim_same_pageblock(struct kunit *test)
{
	unsigned long half = pageblock_nr_pages / 2, pfn;
	struct pagehint_batch *batch = ph_new_batch(test);
	s64 fails = atomic64_read(&pagehint_stats.claim_failures);
	int err;

	pfn = ph_free_pageblock();
	if (!pfn)
		kunit_skip(test, "no free pageblock");
	pagehint_batch_init(batch, ULONG_MAX);
	KUNIT_ASSERT_EQ(test, pagehint_claim(batch, pfn, half, PAGEHINT_FROM_SCAN), 0);
	KUNIT_EXPECT_EQ(test, pagehint_claim(batch, pfn + half, half,
					     PAGEHINT_FROM_SCAN), -EAGAIN);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pagehint_stats.claim_failures), fails);
	KUNIT_EXPECT_EQ(test, batch->nr, 1U);
	pagehint_batch_release(batch, false);
	/*
	 * In a fresh batch the pageblock rule does not refuse it (it may be
	 * stale: the first claim freed the rest of the free block it took
	 * through the per-cpu lists).
	 */
	err = pagehint_claim(batch, pfn + half, half, PAGEHINT_FROM_SCAN);
	KUNIT_EXPECT_NE(test, err, -EAGAIN);
	pagehint_batch_release(batch, false);
}

/*
 * Up to @n free pageblock-sized ranges a claim may take, each in a largest
 * buddy block of its own (as the ranges of a batch are), into @pfn;
 * returns how many.
 */
static unsigned int ph_free_pageblocks(unsigned long *pfn, unsigned int n)
{
	unsigned int order = pagehint_batch_spread_order();
	struct zone *zone = ph_movable_zone();
	struct pagehint_block block;
	unsigned long cursor;
	unsigned int found = 0;

	if (!zone)
		return 0;
	cursor = zone->zone_start_pfn;
	while (found < n && pagehint_scan_next(zone, &cursor, zone_end_pfn(zone),
					       pageblock_order, &block)) {
		if (found && block.pfn >> order == pfn[found - 1] >> order)
			continue;
		if (pagehint_range_migratetype(block.pfn, pageblock_nr_pages) >= 0)
			pfn[found++] = block.pfn;
	}
	return found;
}

#define PH_TOGETHER	8

/*
 * The ranges of a batch are claimed together: their claims share their
 * expedited RCU grace periods (each alloc_contig_range() waits for one,
 * which interrupts every vCPU that is not idle), at most two or three for
 * the batch where claims one after the other take one each.
 */
static void claim_together_shares_grace_periods(struct kunit *test)
{
	unsigned long pfn[PH_TOGETHER], seq, together;
	struct pagehint_batch *batch = ph_new_batch(test);
	unsigned int i, n;

	n = ph_free_pageblocks(pfn, PH_TOGETHER);
	if (n < PH_TOGETHER)
		kunit_skip(test, "%u free pageblocks, %d needed", n, PH_TOGETHER);

	/* One after the other. */
	pagehint_batch_init(batch, ULONG_MAX);
	seq = rcu_exp_batches_completed();
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, pagehint_claim(batch, pfn[i], pageblock_nr_pages,
						     PAGEHINT_FROM_SCAN), 0);
	seq = rcu_exp_batches_completed() - seq;
	KUNIT_EXPECT_EQ(test, batch->nr, n);
	pagehint_batch_release(batch, false);
	if (!seq)
		kunit_skip(test, "this kernel counts no expedited grace period (rcu_normal?)");

	/* Together. */
	n = ph_free_pageblocks(pfn, PH_TOGETHER);
	if (n < PH_TOGETHER)
		kunit_skip(test, "%u free pageblocks after the release", n);
	pagehint_batch_init(batch, ULONG_MAX);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, pagehint_batch_propose(batch, pfn[i],
							     pageblock_nr_pages,
							     PAGEHINT_FROM_SCAN), 0);
	together = rcu_exp_batches_completed();
	KUNIT_EXPECT_EQ(test, pagehint_batch_claim(batch), 0);
	together = rcu_exp_batches_completed() - together;
	KUNIT_EXPECT_EQ(test, batch->nr, n);
	KUNIT_EXPECT_EQ(test, batch->nr_proposed, 0U);
	for (i = 0; i < batch->nr; i++)
		KUNIT_EXPECT_TRUE(test, ph_owned(batch->start[i], batch->len[i]));
	pagehint_batch_release(batch, false);
	kunit_info(test, "expedited grace period counter: +%lu for %u claims together, +%lu one after the other\n",
		   together, n, seq);
	KUNIT_EXPECT_LE_MSG(test, together * 2, seq,
			    "expedited grace period counter: +%lu for %u claims together, +%lu one after the other",
			    together, n, seq);
}

/* Kernel threads created while a wave runs (the task_newtask tracepoint). */
static atomic_t ph_kthreads_created;

static void ph_probe_task_newtask(void *data, struct task_struct *task,
				  unsigned long clone_flags)
{
	if (task->flags & PF_KTHREAD)
		atomic_inc(&ph_kthreads_created);
}

static void ph_find_task_newtask(struct tracepoint *tp, void *priv)
{
	if (!strcmp(tp->name, "task_newtask"))
		*(struct tracepoint **)priv = tp;
}

/*
 * A wave's claims wait together in kernel threads that exist before the
 * wave: none is created for it.  A workqueue would start a worker for
 * each claim blocked in its grace period, and creating a kernel thread
 * wakes kthreadd and then its creator, two interrupts of other vCPUs each
 * (most of what a fragmented free cost the other vCPUs, before).
 */
static void claim_together_creates_no_thread(struct kunit *test)
{
	unsigned long pfn[PAGEHINT_WAVE];
	struct pagehint_batch *batch = ph_new_batch(test);
	struct tracepoint *tp = NULL;
	unsigned int i, n, created;
	unsigned long gp;
	int err;

	for_each_kernel_tracepoint(ph_find_task_newtask, &tp);
	if (!tp)
		kunit_skip(test, "no task_newtask tracepoint");
	n = ph_free_pageblocks(pfn, PAGEHINT_WAVE);
	if (n < PAGEHINT_WAVE / 2)
		kunit_skip(test, "%u free pageblocks, %d needed", n, PAGEHINT_WAVE / 2);
	pagehint_batch_init(batch, ULONG_MAX);
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ(test, pagehint_batch_propose(batch, pfn[i],
							     pageblock_nr_pages,
							     PAGEHINT_FROM_SCAN), 0);
	atomic_set(&ph_kthreads_created, 0);
	KUNIT_ASSERT_EQ(test, tracepoint_probe_register(tp, ph_probe_task_newtask, NULL), 0);
	gp = rcu_exp_batches_completed();
	err = pagehint_batch_claim(batch);
	gp = rcu_exp_batches_completed() - gp;
	tracepoint_probe_unregister(tp, ph_probe_task_newtask, NULL);
	tracepoint_synchronize_unregister();
	created = atomic_read(&ph_kthreads_created);
	/* A block may be taken between the look and its claim (-EBUSY). */
	KUNIT_EXPECT_TRUE_MSG(test, !err || err == -EBUSY, "error %d", err);
	KUNIT_EXPECT_GE(test, batch->nr, n / 2);
	pagehint_batch_release(batch, false);
	kunit_info(test, "%u kernel threads created while %u claims ran together (%lu expedited grace periods)\n",
		   created, n, gp);
	/* Another subsystem may start one meanwhile; a wave would start dozens. */
	KUNIT_EXPECT_LE_MSG(test, created, 2U,
			    "%u kernel threads created while %u claims ran together",
			    created, n);
}

/*
 * A batch whose claims fail in part holds what was claimed, in the order
 * proposed, and says why the rest failed: here a range taken between its
 * proposal and the claim (-EBUSY, not migrated).
 */
static void claim_together_in_part(struct kunit *test)
{
	s64 stale = atomic64_read(&pagehint_stats.claim_stale);
	unsigned long pfn[3], len = pageblock_nr_pages;
	struct pagehint_batch *batch = ph_new_batch(test);
	struct pagehint_batch *other = ph_new_batch(test);

	if (ph_free_pageblocks(pfn, 3) < 3)
		kunit_skip(test, "fewer than 3 free pageblocks");
	pagehint_batch_init(batch, ULONG_MAX);
	KUNIT_ASSERT_EQ(test, pagehint_batch_propose(batch, pfn[0], len,
						     PAGEHINT_FROM_HINT), 0);
	KUNIT_ASSERT_EQ(test, pagehint_batch_propose(batch, pfn[1], len,
						     PAGEHINT_FROM_HINT), 0);
	KUNIT_ASSERT_EQ(test, pagehint_batch_propose(batch, pfn[2], len,
						     PAGEHINT_FROM_SCAN), 0);
	KUNIT_EXPECT_EQ(test, pagehint_batch_pages(batch), 3 * len);
	/* Meanwhile the middle one is taken. */
	pagehint_batch_init(other, ULONG_MAX);
	KUNIT_ASSERT_EQ(test, pagehint_claim(other, pfn[1], len, PAGEHINT_FROM_SCAN), 0);

	KUNIT_EXPECT_EQ(test, pagehint_batch_claim(batch), -EBUSY);
	KUNIT_EXPECT_EQ(test, batch->nr, 2U);
	KUNIT_EXPECT_EQ(test, batch->nr_proposed, 0U);
	KUNIT_EXPECT_EQ(test, batch->start[0], pfn[0]);
	KUNIT_EXPECT_EQ(test, batch->start[1], pfn[2]);
	KUNIT_EXPECT_EQ(test, batch->nr_pages, 2 * len);
	KUNIT_EXPECT_EQ(test, batch->hint_pages, len);
	KUNIT_EXPECT_EQ(test, pagehint_batch_pages(batch), 2 * len);
	KUNIT_EXPECT_GT(test, atomic64_read(&pagehint_stats.claim_stale), stale);
	KUNIT_EXPECT_TRUE(test, ph_owned(pfn[0], len));
	KUNIT_EXPECT_TRUE(test, ph_owned(pfn[2], len));
	pagehint_batch_release(batch, false);
	pagehint_batch_release(other, false);
}

/*
 * A range in use is never claimed: pagehint_claim() looks again, just
 * before alloc_contig_range(), and counts the candidate as stale.
 */
static void claim_in_use(struct kunit *test)
{
	s64 stale = atomic64_read(&pagehint_stats.claim_stale);
	s64 claims = atomic64_read(&pagehint_stats.claims);
	struct pagehint_batch *batch = ph_new_batch(test);
	struct page *page;

	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	pagehint_batch_init(batch, ULONG_MAX);
	KUNIT_EXPECT_EQ(test, pagehint_claim(batch, page_to_pfn(page), 1,
					     PAGEHINT_FROM_SCAN), -EBUSY);
	KUNIT_EXPECT_EQ(test, batch->nr, 0U);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pagehint_stats.claim_stale), stale + 1);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pagehint_stats.claims), claims);
	KUNIT_EXPECT_EQ(test, page_count(page), 1);
	__free_page(page);
}

/*
 * A candidate allocated since it was found (it waited for a flush and the
 * host's ack) is not claimed: alloc_contig_range() would not fail on an
 * in-use page but migrate it.  The test puts a page-cache page on the LRU
 * (the kind a claim migrates) into a free pageblock that holds nothing
 * else: pagehint's claim of the pageblock must fail, and leave the page
 * where it is.
 */
#define PH_SHMEM_PAGES	64

static void claim_never_migrates(struct kunit *test)
{
	s64 migrated = atomic64_read(&pagehint_stats.claim_migrated);
	unsigned long pfn, mid, nr = pageblock_nr_pages;
	struct pagehint_batch *batch = ph_new_batch(test);
	struct page *page = NULL;
	unsigned long given;
	struct file *file;
	int i, err;

	pfn = ph_free_pageblock();
	KUNIT_ASSERT_NE_MSG(test, pfn, 0UL, "no free pageblock");
	file = pagehint_shmem_file_setup("pagehint-kunit", PH_SHMEM_PAGES * PAGE_SIZE);
	KUNIT_ASSERT_FALSE(test, IS_ERR(file));
	/*
	 * Own the pageblock, free one page of it, and let the page cache
	 * take that page at once: it is the head of this CPU's per-cpu list.
	 */
	pagehint_batch_init(batch, ULONG_MAX);
	KUNIT_ASSERT_EQ(test, pagehint_claim(batch, pfn, nr, PAGEHINT_FROM_SCAN), 0);
	mid = pfn + nr / 2;
	for (given = 0; given < 8 && !page; given++) {
		struct page *p;

		/* Given to the allocator: never ours again. */
		__free_page(pfn_to_page(mid + given));
		p = shmem_read_mapping_page(file->f_mapping, 0);
		if (IS_ERR(p))
			continue;
		if (page_to_pfn(p) == mid + given) {
			page = p;
			mid += given;
			continue;
		}
		/* Another CPU's list: drop it, try with the next page. */
		put_page(p);
		shmem_truncate_range(file_inode(file), 0, PAGE_SIZE - 1);
	}
	pagehint_tracker_self_begin();
	pagehint_free_range(pfn, nr / 2);
	pagehint_free_range(pfn + nr / 2 + given, nr - nr / 2 - given);
	pagehint_tracker_self_end();
	pagehint_batch_init(batch, ULONG_MAX);
	if (!page) {
		fput(file);
		KUNIT_FAIL(test, "the page cache did not take the page freed");
		return;
	}
	/*
	 * It goes on the LRU when this CPU's LRU batch is drained (not
	 * exported) or full: the pages read after it fill the batch.
	 */
	for (i = 1; i < PH_SHMEM_PAGES; i++) {
		struct page *p = shmem_read_mapping_page(file->f_mapping, i);

		if (!IS_ERR(p))
			put_page(p);
	}
	if (!PageLRU(page)) {
		put_page(page);
		fput(file);
		KUNIT_FAIL(test, "the page is not on the LRU");
		return;
	}
	/* Only the page cache holds it now: migratable. */
	put_page(page);

	err = pagehint_claim(batch, pfn, nr, PAGEHINT_FROM_HINT);
	KUNIT_EXPECT_EQ(test, err, -EBUSY);
	if (!err)
		pagehint_batch_release(batch, false);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pagehint_stats.claim_migrated), migrated);

	page = shmem_read_mapping_page(file->f_mapping, 0);
	KUNIT_EXPECT_FALSE(test, IS_ERR(page));
	if (!IS_ERR(page)) {
		KUNIT_EXPECT_EQ_MSG(test, page_to_pfn(page), mid,
				    "the page-cache page was migrated");
		put_page(page);
	}
	fput(file);
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

/* Watch the frees of [pfn, pfn + nr) into ph_freed. */
static void ph_freed_watch(struct kunit *test, unsigned long pfn, unsigned long nr)
{
	struct tracepoint *tp = pagehint_hooks[0].tp;

	KUNIT_ASSERT_NOT_NULL_MSG(test, tp, "no mm_page_free tracepoint");
	memset(&ph_freed, 0, sizeof(ph_freed));
	ph_freed.pfn = pfn;
	ph_freed.nr = nr;
	KUNIT_ASSERT_EQ(test, tracepoint_probe_register(tp, ph_probe_page_free, NULL), 0);
}

static void ph_freed_unwatch(void)
{
	tracepoint_probe_unregister(pagehint_hooks[0].tp, ph_probe_page_free, NULL);
	tracepoint_synchronize_unregister();
}

/*
 * A release gives the range back as the blocks it was taken as, not page
 * by page through one CPU's per-cpu lists (which would split them on the
 * next order-0 allocations there).
 */
static void claim_release_whole_blocks(struct kunit *test)
{
	struct pagehint_batch *batch = ph_new_batch(test);
	unsigned long pfn, nr = pageblock_nr_pages;

	if (!pagehint_hooks[0].tp)
		kunit_skip(test, "no mm_page_free tracepoint");
	pfn = ph_free_pageblock();
	if (!pfn)
		kunit_skip(test, "no free pageblock");
	pagehint_batch_init(batch, ULONG_MAX);
	KUNIT_ASSERT_EQ(test, pagehint_claim(batch, pfn, nr, PAGEHINT_FROM_SCAN), 0);
	ph_freed_watch(test, pfn, nr);
	pagehint_batch_release(batch, false);
	ph_freed_unwatch();
	KUNIT_EXPECT_EQ(test, ph_freed.pages, nr);
	KUNIT_EXPECT_EQ(test, ph_freed.frees, 1U);
	KUNIT_EXPECT_EQ(test, ph_freed.max_order, (unsigned int)pageblock_order);
}

/* A range that is not one aligned block goes back as the fewest blocks. */
static void claim_release_uneven(struct kunit *test)
{
	struct page *page;
	unsigned long pfn, i;

	if (!pagehint_hooks[0].tp)
		kunit_skip(test, "no mm_page_free tracepoint");
	page = ph_alloc_or_skip(test, 4);
	pfn = page_to_pfn(page);
	split_page(page, 4);
	/* Pages 1..12 as a claim hands them out: a reference each. */
	ph_freed_watch(test, pfn + 1, 12);
	pagehint_tracker_self_begin();
	pagehint_free_range(pfn + 1, 12);
	pagehint_tracker_self_end();
	ph_freed_unwatch();
	/* 1, 2-3, 4-7, 8-11, 12: five blocks. */
	KUNIT_EXPECT_EQ(test, ph_freed.pages, 12UL);
	KUNIT_EXPECT_EQ(test, ph_freed.frees, 5U);
	KUNIT_EXPECT_EQ(test, ph_freed.max_order, 2U);
	__free_page(page);
	for (i = 13; i < 16; i++)
		__free_page(page + i);
}

/*
 * A page of a held range that someone else holds a reference to as well
 * (a speculative page-cache lookup, a lockless GUP, still pointing at the
 * page's last life) is theirs to free: the release neither frees it under
 * them nor warns, and the rest of its chunk goes back.
 */
static void claim_release_held_page(struct kunit *test)
{
	bool warned = test_taint(TAINT_WARN), bad = test_taint(TAINT_BAD_PAGE);
	struct pagehint_batch *batch = ph_new_batch(test);
	unsigned long pfn, i;
	struct page *held;

	if (!pagehint_hooks[0].tp)
		kunit_skip(test, "no mm_page_free tracepoint");
	pfn = ph_free_pageblock();
	KUNIT_ASSERT_NE_MSG(test, pfn, 0UL, "no free pageblock");
	pagehint_batch_init(batch, ULONG_MAX);
	KUNIT_ASSERT_EQ(test, pagehint_claim(batch, pfn, pageblock_nr_pages,
					     PAGEHINT_FROM_SCAN), 0);
	held = pfn_to_page(pfn + 37);
	KUNIT_ASSERT_TRUE(test, get_page_unless_zero(held));
	ph_freed_watch(test, pfn, pageblock_nr_pages);
	pagehint_batch_release(batch, false);
	ph_freed_unwatch();
	KUNIT_EXPECT_EQ(test, page_count(held), 1);
	/* Around it, the largest blocks: its half of 256 pages went whole. */
	KUNIT_EXPECT_EQ(test, ph_freed.pages, pageblock_nr_pages - 1);
	KUNIT_EXPECT_EQ(test, ph_freed.max_order, (unsigned int)pageblock_order - 1);
	for (i = 0; i < pageblock_nr_pages; i++) {
		if (pfn + i != page_to_pfn(held) &&
		    page_count(pfn_to_page(pfn + i))) {
			KUNIT_FAIL(test, "page %lu of the range not freed", i);
			break;
		}
	}
	put_page(held);
	KUNIT_EXPECT_EQ(test, page_count(held), 0);
	if (!warned)
		KUNIT_EXPECT_FALSE_MSG(test, test_taint(TAINT_WARN), "a WARN fired");
	if (!bad)
		KUNIT_EXPECT_FALSE_MSG(test, test_taint(TAINT_BAD_PAGE), "bad page state");
}

/* The PFN the racer takes references on. */
static atomic_long_t ph_race_pfn;

/* Takes and drops a reference on a PFN, over and over, as a lookup would. */
static int ph_ref_racer(void *data)
{
	while (!kthread_should_stop()) {
		struct page *page = pfn_to_page(atomic_long_read(&ph_race_pfn));

		if (get_page_unless_zero(page))
			put_page(page);
		cpu_relax();
	}
	return 0;
}

/*
 * The same, racing: a kthread on another CPU takes and drops a reference
 * on a tail page while the range is claimed and released, again and
 * again.  A release that checked the references first and dropped them
 * after would free the page while the racer held it (bad page state, or a
 * double free into the free lists).  A page the racer held at the release
 * is freed by the racer, onto its CPU's per-cpu list, where no claim
 * takes it: the next round takes another free pageblock.
 */
static void claim_release_races_reference(struct kunit *test)
{
	bool warned = test_taint(TAINT_WARN), bad = test_taint(TAINT_BAD_PAGE);
	struct pagehint_batch *batch = ph_new_batch(test);
	struct task_struct *racer;
	unsigned long pfn, claimed = 0;
	int i, cpu;

	KUNIT_ASSERT_GE_MSG(test, num_online_cpus(), 2U, "needs two CPUs");
	pfn = ph_free_pageblock();
	KUNIT_ASSERT_NE_MSG(test, pfn, 0UL, "no free pageblock");
	atomic_long_set(&ph_race_pfn, pfn + 1);
	cpu = cpumask_any_but(cpu_online_mask, raw_smp_processor_id());
	racer = kthread_create(ph_ref_racer, NULL, "ph-ref-racer");
	KUNIT_ASSERT_FALSE(test, IS_ERR(racer));
	kthread_bind(racer, cpu);
	wake_up_process(racer);
	for (i = 0; i < 200; i++) {
		pagehint_batch_init(batch, ULONG_MAX);
		if (pagehint_claim(batch, pfn, pageblock_nr_pages,
				   PAGEHINT_FROM_SCAN)) {
			pfn = ph_free_pageblock();
			if (!pfn)
				break;
			atomic_long_set(&ph_race_pfn, pfn + 1);
			continue;
		}
		claimed++;
		pagehint_batch_release(batch, false);
		cond_resched();
	}
	kthread_stop(racer);
	KUNIT_EXPECT_GT(test, claimed, 50UL);
	if (!warned)
		KUNIT_EXPECT_FALSE_MSG(test, test_taint(TAINT_WARN), "a WARN fired");
	if (!bad)
		KUNIT_EXPECT_FALSE_MSG(test, test_taint(TAINT_BAD_PAGE), "bad page state");
}

/*
 * Reported memory is handed out last, as upstream reporting frees it to
 * the tail of the free lists: after a claim and release of a free block of
 * the largest order, the next allocation of that order takes another one.
 */
static void claim_release_to_tail(struct kunit *test)
{
	unsigned int order = PAGEHINT_MAX_ORDER;
	struct pagehint_batch *batch = ph_new_batch(test);
	struct page *page;
	struct zone *zone;
	unsigned long pfn, other;

	zone = ph_movable_zone();
	KUNIT_ASSERT_NOT_NULL(test, zone);
	pfn = ph_free_block_in(zone, order);
	KUNIT_ASSERT_NE_MSG(test, pfn, 0UL, "no free block of order %u", order);
	pagehint_batch_init(batch, ULONG_MAX);
	KUNIT_ASSERT_EQ(test, pagehint_claim(batch, pfn, 1UL << order,
					     PAGEHINT_FROM_SCAN), 0);
	other = ph_free_block_in(zone, order);
	pagehint_batch_release(batch, false);
	KUNIT_ASSERT_NE_MSG(test, other, 0UL, "no other free block of order %u", order);

	page = alloc_pages(GFP_HIGHUSER_MOVABLE | __GFP_NOWARN, order);
	KUNIT_ASSERT_NOT_NULL(test, page);
	KUNIT_EXPECT_NE_MSG(test, page_to_pfn(page), pfn,
			    "the block just released was handed out first");
	__free_pages(page, order);
}

/*
 * A free block the allocator typed UNMOVABLE (an unmovable allocation of a
 * whole largest block takes all its pageblocks over) is claimed, as
 * upstream's reporting reports free pages of every type, and its
 * pageblocks come back UNMOVABLE: up to 6.15 the claim gives every
 * pageblock the type it is passed, and a release next to a free buddy of
 * another type would retype one of the two.  Less than a pageblock of a
 * pageblock that is not MOVABLE is refused (its pageblock likely holds
 * unmovable pages in use); of a MOVABLE one it is not.
 */
static void claim_keeps_pageblock_type(struct kunit *test)
{
	struct pagehint_batch *batch = ph_new_batch(test);
	unsigned long i, pfn, nr = pageblock_nr_pages;
	unsigned long span = 1UL << PAGEHINT_MAX_ORDER;
	struct page *page;

	page = alloc_pages(GFP_KERNEL | __GFP_NOWARN, PAGEHINT_MAX_ORDER);
	if (!page)
		kunit_skip(test, "no free block of order %u", PAGEHINT_MAX_ORDER);
	pfn = page_to_pfn(page);
	ph_free_to_buddy(page, PAGEHINT_MAX_ORDER);
	for (i = 0; i < span; i += nr)
		KUNIT_ASSERT_EQ(test, pagehint_pageblock_migratetype(pfn + i),
				(int)MIGRATE_UNMOVABLE);
	KUNIT_EXPECT_EQ(test, pagehint_range_migratetype(pfn, nr), (int)MIGRATE_UNMOVABLE);
	KUNIT_EXPECT_EQ(test, pagehint_range_migratetype(pfn, span), (int)MIGRATE_UNMOVABLE);
	KUNIT_EXPECT_LT(test, pagehint_range_migratetype(pfn, nr / 2), 0);
	pagehint_batch_init(batch, ULONG_MAX);
	KUNIT_ASSERT_EQ(test, pagehint_claim(batch, pfn, nr, PAGEHINT_FROM_SCAN), 0);
	KUNIT_EXPECT_TRUE(test, ph_owned(pfn, nr));
	pagehint_batch_release(batch, false);
	for (i = 0; i < span; i += nr)
		KUNIT_EXPECT_EQ(test, pagehint_pageblock_migratetype(pfn + i),
				(int)MIGRATE_UNMOVABLE);

	/* A MOVABLE one is claimed as MOVABLE, a part of it too. */
	pfn = ph_free_pageblock();
	if (!pfn)
		kunit_skip(test, "no free movable pageblock");
	KUNIT_EXPECT_EQ(test, pagehint_range_migratetype(pfn, nr), (int)MIGRATE_MOVABLE);
	KUNIT_EXPECT_EQ(test, pagehint_range_migratetype(pfn, nr / 2), (int)MIGRATE_MOVABLE);
}

static struct kunit_case pagehint_claim_cases[] = {
	KUNIT_CASE(claim_owns_until_release),
	KUNIT_CASE(claim_release_reported),
	KUNIT_CASE(claim_release_whole_blocks),
	KUNIT_CASE(claim_release_uneven),
	KUNIT_CASE(claim_batch_full),
	KUNIT_CASE(claim_inflight_budget),
	KUNIT_CASE(claim_same_pageblock),
	KUNIT_CASE(claim_together_shares_grace_periods),
	KUNIT_CASE(claim_together_creates_no_thread),
	KUNIT_CASE(claim_together_in_part),
	KUNIT_CASE(claim_in_use),
	KUNIT_CASE(claim_never_migrates),
	KUNIT_CASE(claim_release_held_page),
	KUNIT_CASE(claim_release_races_reference),
	KUNIT_CASE(claim_release_to_tail),
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

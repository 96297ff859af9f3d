// SPDX-License-Identifier: GPL-2.0
/*
 * Suite pagehint_report: the worker (report.c) - its scan policy, and its
 * batcher against the fake device: full batches, partial batches, device
 * errors, and whole passes over the guest's real free memory, with the
 * device checking that every page it is handed is pagehint's.
 */

static int report_suite_init(struct kunit_suite *suite)
{
	return ph_env_init(true);
}

static void report_suite_exit(struct kunit_suite *suite)
{
	ph_env_exit();
}

/* What QEMU's balloon offers (and pagehint keeps) with reporting on. */
#define PH_FEATURES_QEMU	(BIT_ULL(VIRTIO_BALLOON_F_STATS_VQ) | \
				 BIT_ULL(VIRTIO_BALLOON_F_REPORTING) | \
				 BIT_ULL(VIRTIO_RING_F_INDIRECT_DESC))

/*
 * Bind a fake device with pagehint reporting back to back (delay_ms 0, a
 * scan in every pass) and wait for its first report; @hold: the device
 * keeps the reports.  ph_reporting_end() puts the knobs back.
 */
struct ph_fake_dev *ph_bind_reporting(struct kunit *test, bool hold)
{
	struct ph_fake_dev *fake;

	pagehint_knobs.scan = PAGEHINT_SCAN_ALWAYS;
	pagehint_knobs.delay_ms = 0;
	fake = ph_fake_create(test, PH_FEATURES_QEMU, 32);
	fake->hold = hold;
	KUNIT_ASSERT_EQ(test, pagehint_probe(&fake->vdev), 0);
	KUNIT_ASSERT_TRUE(test, ph_fake_wait_reports(fake, 1, 120));
	return fake;
}

void ph_reporting_end(void)
{
	pagehint_knobs.scan = PAGEHINT_SCAN_AUTO;
	pagehint_knobs.delay_ms = PAGEHINT_DELAY_MS_DEFAULT;
}

struct ph_policy_case {
	const char *desc;
	bool under_way, hooked, request;
	enum pagehint_scan_policy policy;
	bool want;
};

static const struct ph_policy_case ph_policy_cases[] = {
	{ "scan under way", true, true, false, PAGEHINT_SCAN_NEVER, true },
	{ "no hooks", false, false, false, PAGEHINT_SCAN_NEVER, true },
	{ "always", false, true, false, PAGEHINT_SCAN_ALWAYS, true },
	{ "auto, overflow", false, true, true, PAGEHINT_SCAN_AUTO, true },
	{ "auto, nothing missed", false, true, false, PAGEHINT_SCAN_AUTO, false },
	{ "never, overflow", false, true, true, PAGEHINT_SCAN_NEVER, false },
};

static void ph_policy_desc(const struct ph_policy_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ph_policy, ph_policy_cases, ph_policy_desc);

/* Which zones get a step of the exhaustive scan in a pass. */
static void report_scan_policy(struct kunit *test)
{
	const struct ph_policy_case *c = test->param_value;
	struct pagehint_zone_scan zs = { .cursor = c->under_way ? 4096 : 0 };
	bool hooked = pagehint_hooks_attached;

	while (pagehint_tracker_take_scan_request(0, ZONE_NORMAL))
		;
	if (c->request)
		pagehint_tracker_request_scan(0, ZONE_NORMAL);
	pagehint_knobs.scan = c->policy;
	pagehint_hooks_attached = c->hooked;
	KUNIT_EXPECT_EQ(test, pagehint_zone_wants_scan(&zs, 0, ZONE_NORMAL), c->want);
	pagehint_hooks_attached = hooked;
	pagehint_knobs.scan = PAGEHINT_SCAN_AUTO;
	/* A request is consumed whatever the policy: none piles up. */
	if (c->request && !c->under_way && c->hooked && c->policy != PAGEHINT_SCAN_ALWAYS)
		KUNIT_EXPECT_FALSE(test, pagehint_tracker_take_scan_request(0, ZONE_NORMAL));
}

/* Let the worker run passes again, or not (the kicks it gets are no-ops). */
static void ph_worker_allow(bool run)
{
	struct pagehint_worker *w = &pagehint_worker;

	mutex_lock(&w->lock);
	WRITE_ONCE(w->running, run);
	mutex_unlock(&w->lock);
	if (!run)
		cancel_delayed_work_sync(&w->work);
}

/*
 * Bind a fake device with the worker kept from running (its first pass,
 * with enabled=0, does nothing), so that a test can drive the batcher
 * itself with reporting enabled.
 */
static struct ph_fake_dev *ph_bind_idle(struct kunit *test)
{
	struct ph_fake_dev *fake = ph_fake_create(test, PH_FEATURES_QEMU, 32);

	pagehint_knobs.enabled = 0;
	KUNIT_ASSERT_EQ(test, pagehint_probe(&fake->vdev), 0);
	flush_delayed_work(&pagehint_worker.work);
	ph_worker_allow(false);
	pagehint_knobs.enabled = 1;
	return fake;
}

static void ph_unbind(struct ph_fake_dev *fake)
{
	pagehint_remove(&fake->vdev);
	ph_fake_destroy(fake);
	pagehint_knobs.enabled = 1;
}

static void ph_batcher_begin(struct pagehint_worker *w, struct ph_fake_dev *fake)
{
	w->pdev = fake->vdev.priv;
	w->order = pageblock_order;
	w->budget = PAGEHINT_PASS_BATCHES;
	w->err = 0;
	w->run.len = 0;
	w->min_free_ms = 0;
	w->young_wait_ms = 0;
	pagehint_batch_init(&w->wave, ULONG_MAX / 2);
	pagehint_batch_init(&w->batch, ULONG_MAX / 2);
}

#define PH_BLOCKS	(PAGEHINT_WAVE + 8)

static int ph_cmp_desc(const void *a, const void *b)
{
	unsigned long x = page_to_pfn(*(struct page * const *)a);
	unsigned long y = page_to_pfn(*(struct page * const *)b);

	return x < y ? 1 : x > y ? -1 : 0;
}

/*
 * Offer PH_BLOCKS free pageblocks, each in a largest buddy block of its
 * own (two ranges of a batch never share one), highest PFN first so that
 * none coalesces: the wave is claimed when it holds PAGEHINT_WAVE ranges
 * and goes to the device in reports of PAGEHINT_CAPACITY, and the rest as
 * a partial report at the end of the pass.
 */
static void report_full_and_partial(struct kunit *test)
{
	struct pagehint_worker *w = &pagehint_worker;
	unsigned int spread = pagehint_batch_spread_order();
	s64 bytes = atomic64_read(&pagehint_stats.reported_bytes);
	unsigned int i, n = 0, reported;
	struct ph_fake_dev *fake;
	struct page **pages;

	pages = kunit_kcalloc(test, PH_BLOCKS, sizeof(*pages), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pages);
	for (n = 0; n < PH_BLOCKS; n++) {
		pages[n] = alloc_pages(PH_GFP_FREE, spread);
		if (!pages[n])
			break;
	}
	if (n < PH_BLOCKS) {
		while (n--)
			__free_pages(pages[n], spread);
		kunit_skip(test, "fewer than %d free blocks of order %u", PH_BLOCKS, spread);
	}
	/* Only the first pageblock of each is offered. */
	for (i = 0; i < n; i++) {
		split_page(pages[i], spread);
		pagehint_free_range(page_to_pfn(pages[i]) + pageblock_nr_pages,
				    (1UL << spread) - pageblock_nr_pages);
	}
	sort(pages, n, sizeof(*pages), ph_cmp_desc, NULL);

	fake = ph_bind_idle(test);
	fake->align_pages = pageblock_nr_pages;
	ph_batcher_begin(w, fake);
	for (i = 0; i < n; i++) {
		struct pagehint_block block = {
			.pfn = page_to_pfn(pages[i]), .order = pageblock_order,
		};

		pagehint_free_range(block.pfn, pageblock_nr_pages);
		pagehint_offer(w, page_zone(pages[i]), &block, PAGEHINT_FROM_SCAN);
		if (i == PAGEHINT_WAVE - 1)
			KUNIT_EXPECT_EQ(test, ph_fake_reports(fake), 0U);
		if (i == PAGEHINT_WAVE) {
			/*
			 * Offering the 65th block proposed the 64th (a run is
			 * proposed when the next block does not extend it),
			 * which filled the wave: it was claimed and went out
			 * in two reports.
			 */
			KUNIT_EXPECT_EQ(test, ph_fake_reports(fake), 2U);
			KUNIT_EXPECT_EQ(test, fake->max_nents, (unsigned int)PAGEHINT_CAPACITY);
			KUNIT_EXPECT_EQ(test, w->wave.nr, 0U);
			KUNIT_EXPECT_EQ(test, w->batch.nr, 0U);
		}
	}
	pagehint_claim_run(w);
	KUNIT_EXPECT_EQ(test, w->wave.nr_proposed, n - PAGEHINT_WAVE);
	KUNIT_EXPECT_EQ(test, pagehint_flush(w), 0);
	KUNIT_EXPECT_EQ(test, ph_fake_reports(fake), 3U);
	KUNIT_EXPECT_EQ(test, fake->min_nents, n - PAGEHINT_WAVE);
	KUNIT_EXPECT_EQ(test, fake->pages, (unsigned long)n * pageblock_nr_pages);
	KUNIT_EXPECT_EQ(test, fake->not_owned, 0UL);
	KUNIT_EXPECT_EQ(test, fake->misaligned, 0UL);
	KUNIT_EXPECT_EQ(test, fake->not_writable, 0UL);
	KUNIT_EXPECT_EQ(test, fake->indirect, 3UL);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pagehint_stats.reported_bytes) - bytes,
			(s64)n * pageblock_nr_pages << PAGE_SHIFT);
	/*
	 * Reported blocks are remembered and skipped next time, all but the
	 * first pageblock of the ranges whose canary was read back (two a
	 * report while the host is new: host.c), which are hinted again.
	 */
	for (i = 0, reported = 0; i < n; i++)
		reported += pagehint_tracker_reported(page_to_pfn(pages[i]),
						      pageblock_order);
	KUNIT_EXPECT_GE(test, reported, n - 6);
	KUNIT_EXPECT_LT(test, reported, n);
	ph_unbind(fake);
}

/*
 * A block of two pageblocks allocated for the test, which frees it, and a
 * fake device bound with the batcher ready for it to drive.  Skips where
 * no buddy order is above the pageblock order.
 */
static struct page *ph_two_pageblocks(struct kunit *test,
				      struct ph_fake_dev **fake)
{
	struct page *page;

	if (pageblock_order + 1 > PAGEHINT_MAX_ORDER)
		kunit_skip(test, "no buddy order above the pageblock order");
	page = ph_alloc_or_skip(test, pageblock_order + 1);
	*fake = ph_bind_idle(test);
	ph_batcher_begin(&pagehint_worker, *fake);
	return page;
}

/* Adjacent free blocks offered in order become one range. */
static void report_coalesces(struct kunit *test)
{
	struct pagehint_worker *w = &pagehint_worker;
	struct ph_fake_dev *fake;
	struct page *page = ph_two_pageblocks(test, &fake);
	unsigned long pfn = page_to_pfn(page);

	__free_pages(page, pageblock_order + 1);
	pagehint_offer(w, page_zone(page), &(struct pagehint_block){ pfn, pageblock_order },
		       PAGEHINT_FROM_HINT);
	pagehint_offer(w, page_zone(page),
		       &(struct pagehint_block){ pfn + pageblock_nr_pages, pageblock_order },
		       PAGEHINT_FROM_HINT);
	pagehint_claim_run(w);
	KUNIT_EXPECT_EQ(test, w->wave.nr_proposed, 1U);
	KUNIT_EXPECT_EQ(test, w->wave.start[0], pfn);
	KUNIT_EXPECT_EQ(test, w->wave.len[0], 2 * pageblock_nr_pages);
	KUNIT_EXPECT_EQ(test, w->wave.proposed_hints, 1UL);
	KUNIT_EXPECT_EQ(test, pagehint_batch_claim(&w->wave), 0);
	KUNIT_EXPECT_EQ(test, w->wave.nr, 1U);
	KUNIT_EXPECT_EQ(test, w->wave.hint_pages, 2 * pageblock_nr_pages);
	KUNIT_EXPECT_EQ(test, pagehint_flush(w), 0);
	KUNIT_EXPECT_EQ(test, fake->max_nents, 1U);
	KUNIT_EXPECT_EQ(test, fake->max_len, 2 * pageblock_nr_pages);
	KUNIT_EXPECT_EQ(test, fake->not_owned, 0UL);
	ph_unbind(fake);
}

/* Which pageblock of two report_skips_reported_part reports first. */
static const unsigned int ph_reported_halves[] = { 0, 1 };

static const void *ph_reported_half_gen(const void *prev, char *desc)
{
	const unsigned int *p = prev ? (const unsigned int *)prev + 1 : ph_reported_halves;

	if (p >= ph_reported_halves + ARRAY_SIZE(ph_reported_halves))
		return NULL;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s pageblock reported",
		 *p ? "upper" : "lower");
	return p;
}

/*
 * A free block of two pageblocks, one reported and not touched since, the
 * other freed after: only the other is claimed, and the reported one stays
 * free and reported.  Claiming both would zero the reported one under
 * init_on_alloc, and the host would fault in memory it had discarded just
 * to discard it again.  Both ways round: the kernel splits the free block
 * at the start of the range it isolates in one case, at its end in the
 * other.
 */
static void report_skips_reported_part(struct kunit *test)
{
	unsigned int half = *(const unsigned int *)test->param_value;
	struct pagehint_worker *w = &pagehint_worker;
	struct ph_fake_dev *fake;
	struct page *page = ph_two_pageblocks(test, &fake);
	unsigned long pfn = page_to_pfn(page);
	unsigned long done = pfn + half * pageblock_nr_pages;
	unsigned long fresh = pfn + (1 - half) * pageblock_nr_pages;
	s64 skipped;

	__free_pages(page, pageblock_order + 1);
	pagehint_tracker_mark_reported(done, pageblock_nr_pages);
	if (!pagehint_tracker_reported(done, pageblock_order)) {
		ph_unbind(fake);
		kunit_skip(test, "the map does not tell pageblocks apart here");
	}
	KUNIT_EXPECT_FALSE(test, pagehint_tracker_reported(pfn, pageblock_order + 1));
	skipped = atomic64_read(&pagehint_stats.skipped_reported);
	KUNIT_EXPECT_EQ(test, pagehint_offer(w, page_zone(page),
					     &(struct pagehint_block){ pfn, pageblock_order + 1 },
					     PAGEHINT_FROM_HINT), (int)pageblock_nr_pages);
	pagehint_claim_run(w);
	KUNIT_EXPECT_EQ(test, w->wave.nr_proposed, 1U);
	KUNIT_EXPECT_EQ(test, w->wave.start[0], fresh);
	KUNIT_EXPECT_EQ(test, w->wave.len[0], pageblock_nr_pages);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pagehint_stats.skipped_reported) - skipped, 1);
	KUNIT_EXPECT_EQ(test, pagehint_flush(w), 0);
	KUNIT_EXPECT_EQ(test, fake->max_len, pageblock_nr_pages);
	KUNIT_EXPECT_EQ(test, fake->not_owned, 0UL);
	/*
	 * Never taken: a claim's release would have cleared its mark (the
	 * hooks see the pages freed).
	 */
	KUNIT_EXPECT_TRUE(test, pagehint_tracker_reported(done, pageblock_order));
	/*
	 * Both reported (the other may not be yet: a range whose canary was
	 * read back is hinted again, host.c): the whole block is skipped.
	 */
	pagehint_tracker_mark_reported(fresh, pageblock_nr_pages);
	KUNIT_EXPECT_TRUE(test, pagehint_tracker_reported(pfn, pageblock_order + 1));
	KUNIT_EXPECT_EQ(test, pagehint_offer(w, page_zone(page),
					     &(struct pagehint_block){ pfn, pageblock_order + 1 },
					     PAGEHINT_FROM_HINT), 0);
	ph_unbind(fake);
}

/* Is @pfn's bit set in the current map's hints? */
static bool ph_hinted(unsigned long pfn)
{
	struct pagehint_map *map;
	bool hinted = false;

	rcu_read_lock();
	map = rcu_dereference(pagehint_cur_map);
	if (map && pfn >= map->base_pfn && pfn < map->end_pfn)
		hinted = test_bit((pfn - map->base_pfn) >> map->order, map->hint);
	rcu_read_unlock();
	return hinted;
}

/*
 * min_free_ms: a block freed just now is not offered (-EAGAIN), is counted
 * as young, and the pass notes how long until it is old enough; once it
 * is, it is offered and reported.  With 0, nothing waits.
 */
static void report_young_waits(struct kunit *test)
{
	struct pagehint_worker *w = &pagehint_worker;
	s64 young = atomic64_read(&pagehint_stats.skipped_young);
	struct page *page = ph_alloc_or_skip(test, pageblock_order);
	struct pagehint_block block = { page_to_pfn(page), pageblock_order };
	struct ph_fake_dev *fake;

	fake = ph_bind_idle(test);
	ph_batcher_begin(w, fake);
	ph_free_to_buddy(page, pageblock_order);
	w->min_free_ms = 1000;
	w->young_wait_ms = 0;
	KUNIT_EXPECT_EQ(test, pagehint_offer(w, page_zone(page), &block,
					     PAGEHINT_FROM_HINT), -EAGAIN);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pagehint_stats.skipped_young) - young, 1);
	KUNIT_EXPECT_GT(test, w->young_wait_ms, 1000U - 4 * PAGEHINT_TICK_MS);
	KUNIT_EXPECT_LE(test, w->young_wait_ms, 1000U);
	KUNIT_EXPECT_EQ(test, w->run.len, 0UL);
	/* With no wait, the same block goes at once. */
	w->min_free_ms = 0;
	KUNIT_EXPECT_EQ(test, pagehint_offer(w, page_zone(page), &block,
					     PAGEHINT_FROM_HINT), (int)pageblock_nr_pages);
	w->run.len = 0;
	/* Old enough. */
	w->min_free_ms = 1000;
	w->young_wait_ms = 0;
	msleep(1000 + 2 * PAGEHINT_TICK_MS);
	KUNIT_EXPECT_EQ(test, pagehint_offer(w, page_zone(page), &block,
					     PAGEHINT_FROM_HINT), (int)pageblock_nr_pages);
	KUNIT_EXPECT_EQ(test, w->young_wait_ms, 0U);
	pagehint_claim_run(w);
	KUNIT_EXPECT_EQ(test, pagehint_flush(w), 0);
	KUNIT_EXPECT_EQ(test, ph_fake_reports(fake), 1U);
	KUNIT_EXPECT_EQ(test, fake->pages, pageblock_nr_pages);
	w->min_free_ms = 0;
	ph_unbind(fake);
}

/*
 * The hint phase keeps the hints of a block too young, every one of them:
 * a free buddy block of two pageblocks is found from its first hint, and
 * the second hint, which it would otherwise consume, is kept too.
 */
static void report_young_hints_kept(struct kunit *test)
{
	struct pagehint_worker *w = &pagehint_worker;
	struct ph_fake_dev *fake;
	struct page *page = ph_two_pageblocks(test, &fake);
	unsigned long pfn = page_to_pfn(page), done;

	ph_free_to_buddy(page, pageblock_order + 1);
	KUNIT_ASSERT_TRUE(test, ph_hinted(pfn));
	KUNIT_ASSERT_TRUE(test, ph_hinted(pfn + pageblock_nr_pages));
	w->min_free_ms = 60000;
	w->young_wait_ms = 0;
	/* The two hints, taken in turn as a pass takes them. */
	pagehint_tracker_forget_range(pfn, 2 * pageblock_nr_pages);
	done = pagehint_report_hint(w, pfn, pageblock_nr_pages, 0);
	KUNIT_EXPECT_EQ(test, done, pfn + pageblock_nr_pages);
	done = pagehint_report_hint(w, pfn + pageblock_nr_pages,
				    pageblock_nr_pages, done);
	KUNIT_EXPECT_EQ(test, done, pfn + 2 * pageblock_nr_pages);
	KUNIT_EXPECT_TRUE(test, ph_hinted(pfn));
	KUNIT_EXPECT_TRUE(test, ph_hinted(pfn + pageblock_nr_pages));
	KUNIT_EXPECT_EQ(test, w->run.len, 0UL);
	/* Old enough now: the first hint's block consumes the second. */
	w->min_free_ms = 0;
	pagehint_tracker_forget_range(pfn, 2 * pageblock_nr_pages);
	done = pagehint_report_hint(w, pfn, pageblock_nr_pages, 0);
	KUNIT_EXPECT_EQ(test, done, pfn + 2 * pageblock_nr_pages);
	KUNIT_EXPECT_EQ(test, w->run.len, 2 * pageblock_nr_pages);
	KUNIT_EXPECT_EQ(test, pagehint_report_hint(w, pfn + pageblock_nr_pages,
						   pageblock_nr_pages, done), done);
	w->run.len = 0;
	KUNIT_EXPECT_GT(test, w->young_wait_ms, 0U);
	ph_unbind(fake);
}

/*
 * A broken device (surprise removal, shutdown) takes no report: the pass
 * ends, nothing is counted as reported, and the batch the device never
 * took goes back at once.  Later runs of the worker (a knob write, the end
 * of a sleep) claim nothing more until the device is reset, and nothing
 * is lost: MemFree comes back.
 */
static void report_device_broken(struct kunit *test)
{
	struct pagehint_worker *w = &pagehint_worker;
	s64 errors = atomic64_read(&pagehint_stats.report_errors);
	s64 bytes = atomic64_read(&pagehint_stats.reported_bytes);
	s64 claimed;
	unsigned long free_before;
	struct ph_fake_dev *fake;
	struct page *page;
	unsigned long pfn;

	page = ph_alloc_or_skip(test, pageblock_order);
	pfn = page_to_pfn(page);
	fake = ph_bind_idle(test);
	ph_batcher_begin(w, fake);
	virtio_break_device(&fake->vdev);
	ph_free_to_buddy(page, pageblock_order);
	free_before = global_zone_page_state(NR_FREE_PAGES);
	pagehint_offer(w, page_zone(page), &(struct pagehint_block){ pfn, pageblock_order },
		       PAGEHINT_FROM_SCAN);
	pagehint_claim_run(w);
	KUNIT_ASSERT_EQ(test, w->wave.nr_proposed, 1U);
	KUNIT_EXPECT_EQ(test, pagehint_flush(w), -ESHUTDOWN);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pagehint_stats.report_errors), errors);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pagehint_stats.reported_bytes), bytes);
	KUNIT_EXPECT_EQ(test, ph_fake_reports(fake), 0U);
	KUNIT_EXPECT_EQ(test, w->wave.nr, 0U);
	KUNIT_EXPECT_FALSE(test, w->on_device);
	KUNIT_EXPECT_FALSE(test, pagehint_tracker_reported(pfn, pageblock_order));

	/* The worker runs again (a knob write): it claims nothing. */
	claimed = atomic64_read(&pagehint_stats.claimed_bytes);
	ph_worker_allow(true);
	pagehint_knobs.scan = PAGEHINT_SCAN_ALWAYS;
	pagehint_kick();
	flush_delayed_work(&w->work);
	pagehint_kick();
	flush_delayed_work(&w->work);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pagehint_stats.claimed_bytes), claimed);
	KUNIT_EXPECT_EQ(test, w->wave.nr, 0U);
	pagehint_knobs.scan = PAGEHINT_SCAN_AUTO;
	ph_unbind(fake);
	/* Nothing lost: the block is the allocator's again. */
	KUNIT_EXPECT_GE_MSG(test, global_zone_page_state(NR_FREE_PAGES) +
			    pageblock_nr_pages / 2, free_before,
			    "MemFree %lu pages, was %lu",
			    global_zone_page_state(NR_FREE_PAGES), free_before);
}

/* Is the worker not running within @ms milliseconds? */
static bool ph_work_idle(struct pagehint_worker *w, unsigned int ms)
{
	for (; work_busy(&w->work.work) & WORK_BUSY_RUNNING; ms -= min(ms, 20U)) {
		if (!ms)
			return false;
		msleep(20);
	}
	return true;
}

/*
 * A pass that is over (reporting turned off, a sleep beginning, the device
 * stopping) claims nothing more and reports nothing more: the pending run
 * is left alone, and a batch already claimed goes back unreported, its
 * ranges hinted again for a later pass.
 */
static void report_pass_stopped(struct kunit *test)
{
	struct pagehint_worker *w = &pagehint_worker;
	struct ph_fake_dev *fake;
	struct page *page = ph_two_pageblocks(test, &fake);
	unsigned long pfn = page_to_pfn(page), next = pfn + pageblock_nr_pages;
	s64 claimed;

	__free_pages(page, pageblock_order + 1);
	pagehint_offer(w, page_zone(page), &(struct pagehint_block){ pfn, pageblock_order },
		       PAGEHINT_FROM_SCAN);
	pagehint_claim_run(w);
	KUNIT_ASSERT_EQ(test, w->wave.nr_proposed, 1U);
	/* Claimed, as a batch is before its report. */
	KUNIT_ASSERT_EQ(test, pagehint_batch_claim(&w->wave), 0);
	KUNIT_ASSERT_EQ(test, w->wave.nr, 1U);
	pagehint_offer(w, page_zone(page), &(struct pagehint_block){ next, pageblock_order },
		       PAGEHINT_FROM_SCAN);
	KUNIT_ASSERT_EQ(test, w->run.len, pageblock_nr_pages);

	claimed = atomic64_read(&pagehint_stats.claimed_bytes);
	pagehint_knobs.enabled = 0;		/* the pass is over */
	pagehint_claim_run(w);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pagehint_stats.claimed_bytes), claimed);
	KUNIT_EXPECT_EQ(test, w->run.len, 0UL);
	KUNIT_EXPECT_EQ(test, pagehint_flush(w), 0);
	KUNIT_EXPECT_EQ(test, ph_fake_reports(fake), 0U);
	KUNIT_EXPECT_EQ(test, w->wave.nr, 0U);
	KUNIT_EXPECT_EQ(test, w->wave.nr_proposed, 0U);
	KUNIT_EXPECT_FALSE(test, pagehint_tracker_reported(pfn, pageblock_order));
	KUNIT_EXPECT_FALSE(test, ph_owned(pfn, 1));
	/* Hinted again, both the claimed range and the pending one. */
	KUNIT_EXPECT_TRUE(test, ph_hinted(pfn));
	KUNIT_EXPECT_TRUE(test, ph_hinted(next));
	ph_unbind(fake);
}

/*
 * A system sleep begins while the host sits on a report: the worker stops
 * waiting at once (the freezer would wait for it, and suspend fail), the
 * report stays on the device, and the device's freeze gives it back after
 * the reset; after the sleep the worker reports again.
 */
static void report_sleep_during_ack(struct kunit *test)
{
	struct pagehint_worker *w = &pagehint_worker;
	struct ph_fake_dev *fake;
	unsigned long pfn;

	fake = ph_bind_reporting(test, true);
	pfn = fake->held_pfn;
	KUNIT_EXPECT_TRUE(test, ph_work_idle(w, 100) == false);

	pagehint_pm_notify(&w->pm_nb, PM_SUSPEND_PREPARE, NULL);
	KUNIT_EXPECT_TRUE_MSG(test, ph_work_idle(w, 2000),
			      "the worker still waits for the ack 2 s into the sleep");
	KUNIT_EXPECT_TRUE(test, w->on_device);
	KUNIT_EXPECT_TRUE(test, ph_owned(pfn, 1));	/* on the device */
	KUNIT_EXPECT_EQ(test, ph_fake_reports(fake), 1U);

	KUNIT_EXPECT_EQ(test, pagehint_freeze(&fake->vdev), 0);
	KUNIT_EXPECT_FALSE(test, w->on_device);
	KUNIT_EXPECT_EQ(test, w->wave.nr, 0U);
	fake->hold = false;
	KUNIT_EXPECT_EQ(test, pagehint_restore(&fake->vdev), 0);
	pagehint_pm_notify(&w->pm_nb, PM_POST_SUSPEND, NULL);
	KUNIT_EXPECT_TRUE(test, ph_fake_wait_reports(fake, 2, 120));
	pagehint_remove(&fake->vdev);
	KUNIT_EXPECT_EQ(test, fake->not_owned, 0UL);
	ph_fake_destroy(fake);
	ph_reporting_end();
}

static const unsigned int ph_pass_orders[] = { 0, 3, 9, 10 };

static const void *ph_pass_order_gen(const void *prev, char *desc)
{
	const unsigned int *p = prev ? (const unsigned int *)prev + 1 : ph_pass_orders;

	if (p >= ph_pass_orders + ARRAY_SIZE(ph_pass_orders) ||
	    *p > PAGEHINT_MAX_ORDER)
		return NULL;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "report_order %u", *p);
	return p;
}

/*
 * The real worker, scanning every pass with no delay, over the guest's
 * free memory: every range it hands the device is owned by pagehint,
 * aligned to report_order, within the queue's capacity, and acked bytes
 * match what the device saw.
 */
static void report_worker_passes(struct kunit *test)
{
	unsigned int order = *(const unsigned int *)test->param_value;
	s64 bytes = atomic64_read(&pagehint_stats.reported_bytes);
	s64 reports = atomic64_read(&pagehint_stats.reports);
	s64 kept = atomic64_read(&pagehint_stats.reports_kept);
	s64 work = atomic64_read(&pagehint_stats.work_ns);
	s64 ack = atomic64_read(&pagehint_stats.ack_ns);
	s64 claim = atomic64_read(&pagehint_stats.claim_ns);
	struct ph_fake_dev *fake;

	pagehint_knobs.report_order = order;
	ph_env_rebuild();
	pagehint_knobs.delay_ms = 0;
	pagehint_knobs.scan = PAGEHINT_SCAN_ALWAYS;
	fake = ph_fake_create(test, PH_FEATURES_QEMU, 32);
	fake->align_pages = 1UL << order;
	KUNIT_ASSERT_EQ(test, pagehint_probe(&fake->vdev), 0);
	KUNIT_EXPECT_TRUE(test, ph_fake_wait_reports(fake, 4, 120));
	pagehint_remove(&fake->vdev);

	KUNIT_EXPECT_GE(test, fake->reports, 4U);
	KUNIT_EXPECT_LE(test, fake->max_nents, (unsigned int)PAGEHINT_CAPACITY);
	KUNIT_EXPECT_EQ(test, fake->not_owned, 0UL);
	KUNIT_EXPECT_EQ(test, fake->misaligned, 0UL);
	KUNIT_EXPECT_EQ(test, fake->not_writable, 0UL);
	/* Free memory is mostly contiguous: runs were coalesced. */
	KUNIT_EXPECT_GT(test, fake->max_len, 1UL << order);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pagehint_stats.reports) - reports,
			(s64)fake->reports);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pagehint_stats.reported_bytes) - bytes,
			(s64)fake->pages << PAGE_SHIFT);
	KUNIT_EXPECT_EQ(test, pagehint_worker.batch.nr, 0U);
	KUNIT_EXPECT_EQ(test, pagehint_worker.wave.nr, 0U);
	/* The fake host discards: no report counted as kept. */
	KUNIT_EXPECT_EQ(test, atomic64_read(&pagehint_stats.reports_kept) - kept, 0);
	/* Waiting for the fake host counts as ack time, claiming as work. */
	KUNIT_EXPECT_GT(test, atomic64_read(&pagehint_stats.ack_ns), ack);
	KUNIT_EXPECT_GE(test, atomic64_read(&pagehint_stats.work_ns) - work,
			atomic64_read(&pagehint_stats.claim_ns) - claim);
	ph_fake_destroy(fake);

	pagehint_knobs.delay_ms = PAGEHINT_DELAY_MS_DEFAULT;
	pagehint_knobs.scan = PAGEHINT_SCAN_AUTO;
	pagehint_knobs.report_order = pageblock_order;
	ph_env_rebuild();
}

/*
 * A host that acks without discarding: every report is counted as kept,
 * and after PAGEHINT_KEPT_BACKOFF in a row the worker waits a minute
 * between passes; a report discarded again ends the back-off.
 */
static void report_host_keeps(struct kunit *test)
{
	s64 kept = atomic64_read(&pagehint_stats.reports_kept);
	struct ph_fake_dev *fake;
	unsigned int n;

	pagehint_knobs.delay_ms = 0;
	pagehint_knobs.scan = PAGEHINT_SCAN_ALWAYS;
	fake = ph_fake_create(test, PH_FEATURES_QEMU, 32);
	fake->keep = true;
	KUNIT_ASSERT_EQ(test, pagehint_probe(&fake->vdev), 0);
	KUNIT_EXPECT_TRUE(test, ph_fake_wait_reports(fake, PAGEHINT_KEPT_BACKOFF, 120));
	/* Backing off: the next pass is a minute away. */
	msleep(500);
	n = ph_fake_reports(fake);
	KUNIT_EXPECT_EQ(test, n, (unsigned int)PAGEHINT_KEPT_BACKOFF);
	msleep(1000);
	KUNIT_EXPECT_EQ(test, ph_fake_reports(fake), n);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pagehint_stats.reports_kept) - kept,
			(s64)PAGEHINT_KEPT_BACKOFF);
	KUNIT_EXPECT_EQ(test, pagehint_worker.host.kept_run, (unsigned int)PAGEHINT_KEPT_BACKOFF);

	/* The host discards again: a pass now, and the back-off ends. */
	fake->keep = false;
	pagehint_kick();
	KUNIT_EXPECT_TRUE(test, ph_fake_wait_reports(fake, n + 1, 120));
	pagehint_remove(&fake->vdev);
	KUNIT_EXPECT_EQ(test, pagehint_worker.host.kept_run, 0U);
	KUNIT_EXPECT_EQ(test, fake->not_owned, 0UL);
	ph_fake_destroy(fake);
	pagehint_knobs.delay_ms = PAGEHINT_DELAY_MS_DEFAULT;
	pagehint_knobs.scan = PAGEHINT_SCAN_AUTO;
}

/*
 * Allocate up to 16 blocks of @order and free them again: work for the
 * worker.  Freed into the buddy lists by ph_free_to_buddy(), or with
 * __free_pages() as the allocator's own free (@order above pageblock
 * order: never to a per-cpu list, so the hooks hint them at once).
 */
static void ph_free_blocks(unsigned int n, unsigned int order, bool to_buddy)
{
	struct page *pages[16];
	unsigned int i, got = 0;

	for (i = 0; i < min_t(unsigned int, n, ARRAY_SIZE(pages)); i++) {
		pages[got] = alloc_pages(PH_GFP_FREE, order);
		if (pages[got])
			got++;
	}
	for (i = 0; i < got; i++) {
		if (to_buddy)
			ph_free_to_buddy(pages[i], order);
		else
			__free_pages(pages[i], order);
	}
}

static void ph_free_some_pageblocks(unsigned int n)
{
	ph_free_blocks(n, pageblock_order, true);
}

/*
 * A host that discards only ranges aligned to a pageblock, in start and
 * length, as QEMU does with guest memory on 2 MiB huge pages.  At
 * report_order 0 the worker learns the granule from the ranges it kept and
 * discarded, and once it has, from the next pass on, reports only aligned
 * blocks, which the host discards; kept ranges are not remembered as
 * reported.
 */
static void report_host_granule(struct kunit *test)
{
	s64 kept_bytes = atomic64_read(&pagehint_stats.kept_bytes);
	s64 passes;
	struct ph_fake_dev *fake;
	unsigned long misaligned;
	unsigned int i, n;

	pagehint_knobs.delay_ms = 0;
	pagehint_knobs.scan = PAGEHINT_SCAN_ALWAYS;
	fake = ph_fake_create(test, PH_FEATURES_QEMU, 32);
	fake->granule = pageblock_nr_pages;
	KUNIT_ASSERT_EQ(test, pagehint_probe(&fake->vdev), 0);
	/* Reports at pageblock order first: the host discards those. */
	KUNIT_EXPECT_TRUE(test, ph_fake_wait_reports(fake, 2, 60));
	KUNIT_EXPECT_EQ(test, pagehint_worker_host_order(), 0U);
	mutex_lock(&pagehint_knob_lock);
	pagehint_knobs.report_order = 0;
	pagehint_tracker_rebuild();
	mutex_unlock(&pagehint_knob_lock);
	pagehint_kick();
	for (i = 0; i < 900 && pagehint_worker_host_order() != pageblock_order; i++)
		msleep(100);
	KUNIT_EXPECT_EQ(test, pagehint_worker_host_order(), (unsigned int)pageblock_order);
	KUNIT_EXPECT_GT(test, atomic64_read(&pagehint_stats.kept_bytes), kept_bytes);

	/* Once the pass that learned it is over: aligned blocks only. */
	passes = atomic64_read(&pagehint_stats.passes);
	for (i = 0; i < 300 && atomic64_read(&pagehint_stats.passes) < passes + 2; i++)
		msleep(100);
	spin_lock(&fake->lock);
	fake->align_pages = pageblock_nr_pages;
	misaligned = fake->misaligned;
	n = fake->reports;
	spin_unlock(&fake->lock);
	kept_bytes = atomic64_read(&pagehint_stats.kept_bytes);
	ph_free_some_pageblocks(16);
	KUNIT_EXPECT_TRUE(test, ph_fake_wait_reports(fake, n + 1, 60));
	pagehint_remove(&fake->vdev);

	KUNIT_EXPECT_EQ(test, fake->misaligned, misaligned);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pagehint_stats.kept_bytes), kept_bytes);
	KUNIT_EXPECT_EQ(test, fake->not_owned, 0UL);
	ph_fake_destroy(fake);
	pagehint_knobs.delay_ms = PAGEHINT_DELAY_MS_DEFAULT;
	pagehint_knobs.scan = PAGEHINT_SCAN_AUTO;
	pagehint_knobs.report_order = pageblock_order;
	ph_env_rebuild();
}

/*
 * Reading a canary back costs the host a page where guest memory has no
 * shared zero page (hugetlbfs, memfd).  While learning, at most two ranges
 * of a report carry one; once the host has discarded PAGEHINT_HOST_LEARN
 * reports in a row, at most one a minute.  And the first pageblock of a
 * range checked comes again in a later report, without a canary: the host
 * gets back what the read made it allocate.
 */
static void report_host_samples(struct kunit *test)
{
	s64 kept = atomic64_read(&pagehint_stats.reports_kept);
	struct ph_fake_dev *fake;
	unsigned long canaries, mask;
	unsigned int n, i, done0, done1;

	pagehint_knobs.delay_ms = 0;
	pagehint_knobs.scan = PAGEHINT_SCAN_ALWAYS;
	/*
	 * Learning needs reports: what the cases before reported stays marked
	 * reported across their map rebuilds, and may be all there is.
	 */
	pagehint_tracker_forget_reported();
	fake = ph_fake_create(test, PH_FEATURES_QEMU, 32);
	KUNIT_ASSERT_EQ(test, pagehint_probe(&fake->vdev), 0);
	KUNIT_EXPECT_TRUE(test, ph_fake_wait_reports(fake, PAGEHINT_HOST_LEARN, 60));
	for (i = 0; i < 100 && pagehint_worker.host.clean_run < PAGEHINT_HOST_LEARN; i++)
		msleep(100);
	KUNIT_EXPECT_EQ(test, pagehint_worker.host.clean_run, (unsigned int)PAGEHINT_HOST_LEARN);
	spin_lock(&fake->lock);
	canaries = fake->canaries;
	n = fake->reports;
	spin_unlock(&fake->lock);
	KUNIT_EXPECT_GE(test, canaries, 1UL);
	done0 = pagehint_worker.host.done_align;

	/*
	 * Known now: everything free is reported again (as after a
	 * forgotten map), and at most the minute's sample is checked, and
	 * a range less aligned than every range seen discarded (each such
	 * canary lowers that alignment).
	 */
	pagehint_tracker_forget_reported();
	pagehint_kick();
	KUNIT_EXPECT_TRUE(test, ph_fake_wait_reports(fake, n + 4, 60));
	/* Every range checked while learning comes back, unchecked. */
	mask = BIT(min_t(unsigned long, canaries, ARRAY_SIZE(fake->canary_pfn))) - 1;
	for (i = 0; i < 600 && (READ_ONCE(fake->canary_again) & mask) != mask; i++)
		msleep(100);
	done1 = pagehint_worker.host.done_align;
	pagehint_remove(&fake->vdev);

	KUNIT_EXPECT_LE(test, fake->max_req_canaries, 2U);
	KUNIT_EXPECT_LE(test, done1, done0);
	KUNIT_EXPECT_LE(test, fake->canaries - canaries, 1UL + done0 - done1);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pagehint_stats.reports_kept) - kept, 0);
	KUNIT_EXPECT_EQ(test, fake->canary_again & mask, mask);
	KUNIT_EXPECT_EQ(test, fake->not_owned, 0UL);
	ph_fake_destroy(fake);
	pagehint_knobs.delay_ms = PAGEHINT_DELAY_MS_DEFAULT;
	pagehint_knobs.scan = PAGEHINT_SCAN_AUTO;
}

/* What the tracepoints said during report_tracepoints. */
struct ph_trace_seen {
	atomic_t reports, dones, errors, no_latency, scan_starts, scan_ends;
	atomic_t span_ok, found_lt_new;
	atomic64_t acked_bytes;
};

static void ph_probe_report(void *data, unsigned int nr_ranges,
			    unsigned long bytes, unsigned long first_pfn,
			    unsigned int order)
{
	atomic_inc(&((struct ph_trace_seen *)data)->reports);
}

static void ph_probe_done(void *data, unsigned int nr_ranges,
			  unsigned long bytes, u64 latency_ns, int err,
			  unsigned int kept)
{
	struct ph_trace_seen *seen = data;

	atomic_inc(&seen->dones);
	if (err)
		atomic_inc(&seen->errors);
	else
		atomic64_add(bytes, &seen->acked_bytes);
	if (!latency_ns)
		atomic_inc(&seen->no_latency);
}

static void ph_probe_scan_start(void *data, int nid, const char *zone,
				unsigned long start_pfn, unsigned long end_pfn)
{
	atomic_inc(&((struct ph_trace_seen *)data)->scan_starts);
}

static void ph_probe_scan_end(void *data, int nid, const char *zone,
			      unsigned long pages, unsigned long found_pages,
			      unsigned long new_pages, bool rescan)
{
	struct ph_trace_seen *seen = data;
	int zid;

	atomic_inc(&seen->scan_ends);
	for (zid = 0; zid < MAX_NR_ZONES; zid++) {
		struct zone *z = &NODE_DATA(nid)->node_zones[zid];

		if (!strcmp(z->name, zone) && z->spanned_pages == pages)
			atomic_inc(&seen->span_ok);
	}
	if (found_pages < new_pages)
		atomic_inc(&seen->found_lt_new);
}

/*
 * The tracepoints, seen by probes while the real worker reports through
 * the fake device: one report and one ack event per request the device
 * saw, acked bytes as counted in reported_bytes, a latency on each ack,
 * and scans that walk their zone's span.
 */
static void report_tracepoints(struct kunit *test)
{
	s64 bytes = atomic64_read(&pagehint_stats.reported_bytes);
	s64 scans = atomic64_read(&pagehint_stats.scans);
	struct ph_trace_seen *seen;
	struct ph_fake_dev *fake;

	seen = kunit_kzalloc(test, sizeof(*seen), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, seen);
	KUNIT_ASSERT_EQ(test, register_trace_pagehint_report(ph_probe_report, seen), 0);
	KUNIT_ASSERT_EQ(test, register_trace_pagehint_report_done(ph_probe_done, seen), 0);
	KUNIT_ASSERT_EQ(test, register_trace_pagehint_scan_start(ph_probe_scan_start, seen), 0);
	KUNIT_ASSERT_EQ(test, register_trace_pagehint_scan_end(ph_probe_scan_end, seen), 0);

	pagehint_knobs.delay_ms = 0;
	pagehint_knobs.scan = PAGEHINT_SCAN_ALWAYS;
	/* No zone scan half done by an earlier case: each one starts here. */
	memset(pagehint_worker.scans, 0,
	       nr_node_ids * MAX_NR_ZONES * sizeof(*pagehint_worker.scans));
	fake = ph_fake_create(test, PH_FEATURES_QEMU, 32);
	KUNIT_ASSERT_EQ(test, pagehint_probe(&fake->vdev), 0);
	KUNIT_EXPECT_TRUE(test, ph_fake_wait_reports(fake, 4, 120));
	pagehint_remove(&fake->vdev);

	unregister_trace_pagehint_scan_end(ph_probe_scan_end, seen);
	unregister_trace_pagehint_scan_start(ph_probe_scan_start, seen);
	unregister_trace_pagehint_report_done(ph_probe_done, seen);
	unregister_trace_pagehint_report(ph_probe_report, seen);
	tracepoint_synchronize_unregister();

	KUNIT_EXPECT_EQ(test, (unsigned int)atomic_read(&seen->reports), fake->reports);
	KUNIT_EXPECT_EQ(test, atomic_read(&seen->dones), atomic_read(&seen->reports));
	KUNIT_EXPECT_EQ(test, atomic_read(&seen->errors), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&seen->no_latency), 0);
	KUNIT_EXPECT_EQ(test, atomic64_read(&seen->acked_bytes),
			atomic64_read(&pagehint_stats.reported_bytes) - bytes);
	KUNIT_EXPECT_EQ(test, (s64)atomic_read(&seen->scan_ends),
			atomic64_read(&pagehint_stats.scans) - scans);
	KUNIT_EXPECT_GT(test, atomic_read(&seen->scan_starts), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&seen->span_ok), atomic_read(&seen->scan_ends));
	KUNIT_EXPECT_EQ(test, atomic_read(&seen->found_lt_new), 0);
	ph_fake_destroy(fake);
	pagehint_knobs.delay_ms = PAGEHINT_DELAY_MS_DEFAULT;
	pagehint_knobs.scan = PAGEHINT_SCAN_AUTO;
}

/*
 * A free that sets a new hint brings a pass a minute away forward: memory
 * freed in bulk is reported at once.  Once the worker stops, frees queue
 * no pass.
 */
static void report_free_kicks(struct kunit *test)
{
	struct ph_fake_dev *fake;
	unsigned int n;

	pagehint_knobs.delay_ms = 60000;
	fake = ph_fake_create(test, PH_FEATURES_QEMU, 32);
	KUNIT_ASSERT_EQ(test, pagehint_probe(&fake->vdev), 0);
	KUNIT_ASSERT_TRUE(test, ph_fake_wait_reports(fake, 1, 120));
	/* The first passes are over: the next is a minute away. */
	KUNIT_ASSERT_TRUE(test, ph_work_idle(&pagehint_worker, 20000));
	msleep(200);
	n = ph_fake_reports(fake);
	KUNIT_EXPECT_TRUE(test, atomic_read(&pagehint_kick_state.armed));
	ph_free_blocks(4, min_t(unsigned int, pageblock_order + 1, PAGEHINT_MAX_ORDER),
		       false);
	KUNIT_EXPECT_TRUE(test, ph_fake_wait_reports(fake, n + 1, 10));
	pagehint_remove(&fake->vdev);
	KUNIT_EXPECT_FALSE(test, atomic_read(&pagehint_kick_state.armed));
	ph_free_blocks(4, min_t(unsigned int, pageblock_order + 1, PAGEHINT_MAX_ORDER),
		       false);
	KUNIT_EXPECT_FALSE(test, delayed_work_pending(&pagehint_worker.work));
	ph_fake_destroy(fake);
	pagehint_knobs.delay_ms = PAGEHINT_DELAY_MS_DEFAULT;
}

static struct kunit_case pagehint_report_cases[] = {
	KUNIT_CASE_PARAM(report_scan_policy, ph_policy_gen_params),
	KUNIT_CASE(report_full_and_partial),
	KUNIT_CASE(report_coalesces),
	KUNIT_CASE_PARAM(report_skips_reported_part, ph_reported_half_gen),
	KUNIT_CASE(report_device_broken),
	KUNIT_CASE_ATTR(report_young_waits, { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE(report_young_hints_kept),
	KUNIT_CASE(report_pass_stopped),
	KUNIT_CASE(report_sleep_during_ack),
	KUNIT_CASE_PARAM_ATTR(report_worker_passes, ph_pass_order_gen,
			      { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE(report_host_keeps),
	KUNIT_CASE(report_tracepoints),
	KUNIT_CASE_ATTR(report_host_granule, { .speed = KUNIT_SPEED_SLOW }),
	KUNIT_CASE(report_host_samples),
	/*
	 * After report_worker_passes: reported as it leaves memory,
	 * report_order 10 finds too few adjacent free blocks to coalesce.
	 */
	KUNIT_CASE(report_free_kicks),
	{}
};

static struct kunit_suite pagehint_report_suite = {
	.name = "pagehint_report",
	.suite_init = report_suite_init,
	.suite_exit = report_suite_exit,
	.test_cases = pagehint_report_cases,
};

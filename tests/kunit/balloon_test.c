// SPDX-License-Identifier: GPL-2.0
/*
 * Suite pagehint_balloon: the balloon (balloon.c) against the fake
 * device's config space and inflate and deflate queues: it follows the
 * target and tells the host every page, leaves the managed page count as
 * virtio_balloon does, gives back on OOM, and gives every page back when
 * the device goes away, frozen or removed, even in the middle of inflating;
 * and free page hinting for migration (hint.c) against its queue.
 */

/* 16 MiB, in the device's 4 KiB balloon pages. */
#define PH_BALLOON_N	4096U
#define PH_BALLOON_GUEST_PAGES(n) \
	((unsigned long)(n) >> (PAGE_SHIFT - VIRTIO_BALLOON_PFN_SHIFT))

static int balloon_suite_init(struct kunit_suite *suite)
{
	return ph_env_init(true);
}

static void balloon_suite_exit(struct kunit_suite *suite)
{
	ph_env_exit();
}

/* The host asks for @num_pages: as QEMU does, config space, then an event. */
static void ph_balloon_ask(struct ph_fake_dev *fake, u32 num_pages)
{
	WRITE_ONCE(fake->num_pages, num_pages);
	pagehint_config_changed(&fake->vdev);
}

static bool ph_balloon_wait_actual(struct ph_fake_dev *fake, u32 want)
{
	unsigned int i;

	for (i = 0; i < 600 && READ_ONCE(fake->actual) != want; i++)
		msleep(100);
	return READ_ONCE(fake->actual) == want;
}

static struct ph_fake_dev *ph_balloon_bind(struct kunit *test, u64 features)
{
	struct ph_fake_dev *fake;

	pagehint_knobs.enabled = 0;	/* the balloon alone */
	fake = ph_fake_create(test, features, 32);
	KUNIT_ASSERT_EQ(test, pagehint_probe(&fake->vdev), 0);
	return fake;
}

static void ph_balloon_unbind(struct ph_fake_dev *fake)
{
	ph_fake_destroy(fake);
	pagehint_knobs.enabled = 1;
}

/*
 * Inflate to the target and deflate again: every page told to the host is
 * the balloon's, actual follows, and without DEFLATE_ON_OOM the managed
 * page count falls and comes back.  Removed while inflated, the balloon
 * deflates first, telling the host.
 */
static void balloon_follows_target(struct kunit *test)
{
	unsigned long total = totalram_pages();
	struct ph_fake_dev *fake = ph_balloon_bind(test, PH_FEATURES_QEMU);

	ph_balloon_ask(fake, PH_BALLOON_N);
	KUNIT_EXPECT_TRUE(test, ph_balloon_wait_actual(fake, PH_BALLOON_N));
	KUNIT_EXPECT_EQ(test, fake->inflated, (unsigned long)PH_BALLOON_N);
	KUNIT_EXPECT_EQ(test, fake->bad_inflate, 0UL);
	KUNIT_EXPECT_EQ(test, pagehint_balloon_bytes(),
			(u64)PH_BALLOON_N << VIRTIO_BALLOON_PFN_SHIFT);
	KUNIT_EXPECT_EQ(test, totalram_pages(),
			total - PH_BALLOON_GUEST_PAGES(PH_BALLOON_N));

	ph_balloon_ask(fake, 0);
	KUNIT_EXPECT_TRUE(test, ph_balloon_wait_actual(fake, 0));
	KUNIT_EXPECT_EQ(test, fake->deflated, (unsigned long)PH_BALLOON_N);
	KUNIT_EXPECT_EQ(test, totalram_pages(), total);

	ph_balloon_ask(fake, PH_BALLOON_N);
	KUNIT_EXPECT_TRUE(test, ph_balloon_wait_actual(fake, PH_BALLOON_N));
	pagehint_remove(&fake->vdev);
	KUNIT_EXPECT_EQ(test, fake->actual, 0U);
	KUNIT_EXPECT_EQ(test, fake->deflated, 2UL * PH_BALLOON_N);
	KUNIT_EXPECT_EQ(test, totalram_pages(), total);
	KUNIT_EXPECT_EQ(test, pagehint_balloon_bytes(), 0ULL);
	ph_balloon_unbind(fake);
}

/*
 * DEFLATE_ON_OOM: inflated pages stay in the managed count, and the OOM
 * notifier gives back 1 MiB a call, telling the host, with the target
 * left as it is.
 */
static void balloon_deflates_on_oom(struct kunit *test)
{
	unsigned long total = totalram_pages(), freed = 0;
	struct ph_fake_dev *fake;
	struct notifier_block *nb = &pagehint_balloon.oom_nb;

	fake = ph_balloon_bind(test, PH_FEATURES_QEMU |
			       BIT_ULL(VIRTIO_BALLOON_F_DEFLATE_ON_OOM));
	ph_balloon_ask(fake, PH_BALLOON_N);
	KUNIT_EXPECT_TRUE(test, ph_balloon_wait_actual(fake, PH_BALLOON_N));
	KUNIT_EXPECT_EQ(test, totalram_pages(), total);
	KUNIT_EXPECT_TRUE(test, pagehint_balloon.oom_registered);
	KUNIT_EXPECT_EQ(test, nb->notifier_call(nb, 0, &freed), NOTIFY_OK);
	KUNIT_EXPECT_EQ(test, freed,
			PH_BALLOON_GUEST_PAGES(PAGEHINT_BALLOON_OOM_PAGES));
	KUNIT_EXPECT_EQ(test, fake->actual, PH_BALLOON_N - PAGEHINT_BALLOON_OOM_PAGES);
	KUNIT_EXPECT_EQ(test, fake->deflated, (unsigned long)PAGEHINT_BALLOON_OOM_PAGES);
	pagehint_remove(&fake->vdev);
	KUNIT_EXPECT_FALSE(test, pagehint_balloon.oom_registered);
	KUNIT_EXPECT_EQ(test, fake->actual, 0U);
	KUNIT_EXPECT_EQ(test, totalram_pages(), total);
	ph_balloon_unbind(fake);
}

/*
 * Freeze deflates all of it (the host inflates again after the restore,
 * as with virtio_balloon), restore follows the target again; a removal
 * in the middle of a large inflation neither hangs nor keeps a page.
 */
static void balloon_freeze_and_remove_midway(struct kunit *test)
{
	unsigned long total = totalram_pages();
	struct ph_fake_dev *fake = ph_balloon_bind(test, PH_FEATURES_QEMU);

	ph_balloon_ask(fake, PH_BALLOON_N);
	KUNIT_EXPECT_TRUE(test, ph_balloon_wait_actual(fake, PH_BALLOON_N));
	KUNIT_EXPECT_EQ(test, pagehint_freeze(&fake->vdev), 0);
	KUNIT_EXPECT_EQ(test, fake->actual, 0U);
	KUNIT_EXPECT_EQ(test, totalram_pages(), total);
	KUNIT_EXPECT_EQ(test, pagehint_restore(&fake->vdev), 0);
	KUNIT_EXPECT_TRUE(test, ph_balloon_wait_actual(fake, PH_BALLOON_N));

	/* 256 MiB asked for, removed after the first requests. */
	ph_balloon_ask(fake, 16 * PH_BALLOON_N);
	msleep(20);
	pagehint_remove(&fake->vdev);
	KUNIT_EXPECT_EQ(test, fake->actual, 0U);
	KUNIT_EXPECT_EQ(test, fake->inflated, fake->deflated);
	KUNIT_EXPECT_EQ(test, fake->bad_inflate, 0UL);
	KUNIT_EXPECT_EQ(test, totalram_pages(), total);
	ph_balloon_unbind(fake);
}

/*
 * Bind with free page hinting and have the host start a round (id 7) that
 * it stops after @hint_max blocks (0: never); wait, up to 2 minutes, for
 * the driver's STOP.
 */
static struct ph_fake_dev *ph_hint_round(struct kunit *test,
					 unsigned long hint_max)
{
	struct ph_fake_dev *fake;
	unsigned int i;

	fake = ph_balloon_bind(test, PH_FEATURES_QEMU |
			       BIT_ULL(VIRTIO_BALLOON_F_FREE_PAGE_HINT));
	fake->hint_max = hint_max;
	WRITE_ONCE(fake->hint_cmd_id, 7);
	pagehint_config_changed(&fake->vdev);
	for (i = 0; i < 1200 && !READ_ONCE(fake->hint_stops); i++)
		msleep(100);
	return fake;
}

/* The host says DONE: every block comes back (within 10 s). */
static void ph_hint_done(struct kunit *test, struct ph_fake_dev *fake)
{
	unsigned int i;

	WRITE_ONCE(fake->hint_cmd_id, VIRTIO_BALLOON_CMD_ID_DONE);
	pagehint_config_changed(&fake->vdev);
	for (i = 0; i < 100 && pagehint_hint_bytes(); i++)
		msleep(100);
	KUNIT_EXPECT_EQ(test, pagehint_hint_bytes(), 0ULL);
}

/*
 * Free page hinting: a new command id starts a round (the id, blocks of
 * free memory held, STOP); the shrinker gives blocks back; DONE frees the
 * rest; a removal during a round gives everything back.
 */
static void balloon_free_page_hints(struct kunit *test)
{
	s64 hinted = atomic64_read(&pagehint_stats.migration_hinted_bytes);
	unsigned long block = PAGE_SIZE << PAGEHINT_HINT_ORDER;
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL, .nr_to_scan = 1 };
	struct ph_fake_dev *fake = ph_hint_round(test, 16);

	KUNIT_EXPECT_EQ(test, fake->hint_stops, 1U);
	KUNIT_EXPECT_EQ(test, fake->hint_last_id, (u32)VIRTIO_BALLOON_CMD_ID_STOP);
	KUNIT_EXPECT_GE(test, fake->hint_blocks, 16UL);
	KUNIT_EXPECT_LE(test, fake->hint_blocks, 17UL);
	KUNIT_EXPECT_EQ(test, pagehint_hint_bytes(), (u64)fake->hint_blocks * block);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pagehint_stats.migration_hinted_bytes) - hinted,
			(s64)(fake->hint_blocks * block));
	/* 64 MiB held, the zones far above their floor: none to offer. */
	KUNIT_EXPECT_EQ(test, pagehint_hint_count(NULL, &sc), 0UL);
	/* Memory pressure takes a block back. */
	KUNIT_EXPECT_EQ(test, pagehint_hint_scan(NULL, &sc), 1UL << PAGEHINT_HINT_ORDER);
	KUNIT_EXPECT_EQ(test, pagehint_hint_bytes(), (u64)(fake->hint_blocks - 1) * block);
	/* STOP from the host: no new round. */
	pagehint_config_changed(&fake->vdev);
	msleep(200);
	KUNIT_EXPECT_EQ(test, fake->hint_stops, 1U);
	/* DONE: all of it back. */
	ph_hint_done(test, fake);

	/* A second round, cut short by the removal. */
	fake->hint_max = 0;
	WRITE_ONCE(fake->hint_cmd_id, 8);
	pagehint_config_changed(&fake->vdev);
	msleep(20);
	pagehint_remove(&fake->vdev);
	KUNIT_EXPECT_EQ(test, pagehint_hint_bytes(), 0ULL);
	ph_balloon_unbind(fake);
}

/*
 * Have the host start round @id, which it stops after @max blocks; wait,
 * up to 2 minutes, for the driver's STOP.  The fake's log then holds the
 * round's blocks, in the order they were hinted.
 */
static void ph_hint_next_round(struct ph_fake_dev *fake, u32 id,
			       unsigned long max)
{
	unsigned int stops = READ_ONCE(fake->hint_stops), i;

	spin_lock(&fake->lock);
	fake->hint_blocks = 0;
	fake->hint_log_n = 0;
	fake->hint_max = max;
	spin_unlock(&fake->lock);
	WRITE_ONCE(fake->hint_cmd_id, id);
	pagehint_config_changed(&fake->vdev);
	for (i = 0; i < 1200 && READ_ONCE(fake->hint_stops) == stops; i++)
		msleep(100);
}

static bool ph_hint_logged(const unsigned long *log, unsigned int n,
			   unsigned long pfn)
{
	while (n--)
		if (log[n] == pfn)
			return true;
	return false;
}

/*
 * The blocks a round took are hinted again first thing in the next round
 * (their zeroing dirtied them in the host's log, which the host read
 * between the rounds), without being taken again; in the round after,
 * only that round's new blocks are, since the others were not written.
 */
static void balloon_hint_again_next_round(struct kunit *test)
{
	unsigned long block = PAGE_SIZE << PAGEHINT_HINT_ORDER;
	struct ph_fake_dev *fake = ph_hint_round(test, 16);
	unsigned long *first, *second;
	unsigned int n1, n2, i;

	first = kunit_kcalloc(test, 2 * PH_FAKE_HINT_LOG, sizeof(*first), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, first);
	second = first + PH_FAKE_HINT_LOG;
	n1 = fake->hint_log_n;
	KUNIT_ASSERT_GE(test, n1, 16U);
	memcpy(first, fake->hint_log, sizeof(fake->hint_log));

	ph_hint_next_round(fake, 8, n1 + 4);
	KUNIT_EXPECT_EQ(test, fake->hint_stops, 2U);
	n2 = fake->hint_log_n;
	KUNIT_ASSERT_GE(test, n2, n1 + 4);
	memcpy(second, fake->hint_log, sizeof(fake->hint_log));
	for (i = 0; i < n1; i++)
		KUNIT_EXPECT_TRUE_MSG(test, ph_hint_logged(first, n1, second[i]),
				      "hint %u of round 2 (pfn %lx) is not round 1's", i,
				      second[i]);
	for (; i < n2; i++)
		KUNIT_EXPECT_FALSE_MSG(test, ph_hint_logged(first, n1, second[i]),
				       "block %u taken in round 2 (pfn %lx) was held", i,
				       second[i]);
	/* Every block once in memory, however often hinted. */
	KUNIT_EXPECT_EQ(test, pagehint_hint_bytes(), (u64)n2 * block);

	ph_hint_next_round(fake, 9, n2 - n1 + 2);
	KUNIT_EXPECT_EQ(test, fake->hint_stops, 3U);
	KUNIT_ASSERT_GE(test, fake->hint_log_n, n2 - n1 + 2);
	for (i = 0; i < n2 - n1; i++)
		KUNIT_EXPECT_TRUE_MSG(test, ph_hint_logged(second + n1, n2 - n1,
							   fake->hint_log[i]),
				      "hint %u of round 3 (pfn %lx) is not new in round 2",
				      i, fake->hint_log[i]);

	ph_hint_done(test, fake);
	pagehint_remove(&fake->vdev);
	ph_balloon_unbind(fake);
}

/*
 * Memory pressure never takes back a block the device has not used: the
 * host may not have read its hint yet, and a page written before it does
 * could be left out of the migration.  DONE gives them back, and when the
 * device uses them afterwards (QEMU does, at its next look at the queue),
 * the driver, in its next round, must not take for its own the blocks it
 * gave back.
 */
static void balloon_hint_keeps_unread(struct kunit *test)
{
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL, .nr_to_scan = 1 };
	struct ph_fake_dev *fake;
	u64 held;

	fake = ph_balloon_bind(test, PH_FEATURES_QEMU |
			       BIT_ULL(VIRTIO_BALLOON_F_FREE_PAGE_HINT));
	fake->hint_hold = true;
	ph_hint_next_round(fake, 7, 8);
	KUNIT_EXPECT_EQ(test, fake->hint_stops, 1U);
	held = pagehint_hint_bytes();
	KUNIT_EXPECT_GE(test, held, 8ULL * (PAGE_SIZE << PAGEHINT_HINT_ORDER));
	KUNIT_EXPECT_EQ(test, pagehint_hint_scan(NULL, &sc), 0UL);
	KUNIT_EXPECT_EQ(test, pagehint_hint_bytes(), held);

	ph_hint_done(test, fake);

	/* The device uses them now, and a new migration starts. */
	fake->hint_hold = false;
	ph_fake_hint_return_held(fake);
	ph_hint_next_round(fake, 8, 4);
	KUNIT_EXPECT_EQ(test, fake->hint_stops, 2U);
	KUNIT_EXPECT_GE(test, fake->hint_log_n, 4U);
	KUNIT_EXPECT_EQ(test, pagehint_hint_bytes(),
			(u64)fake->hint_log_n * (PAGE_SIZE << PAGEHINT_HINT_ORDER));
	ph_hint_done(test, fake);
	pagehint_remove(&fake->vdev);
	ph_balloon_unbind(fake);
}

/*
 * A round the host does not stop takes every zone hints come from
 * (ZONE_NORMAL and ZONE_DMA32 of each node) down to its hinting floor (its
 * high watermark plus a margin), not below it by more than a block, and
 * the shrinker offers back only what the zones lack, not the gigabytes
 * held.  In a guest of more than 4 GiB, both ZONE_NORMAL and ZONE_DMA32
 * must come down: a round that stops at the first zone's floor leaves
 * ZONE_DMA32 whole.
 */
static void balloon_hint_keeps_floor(struct kunit *test)
{
	struct shrink_control sc = { .gfp_mask = GFP_KERNEL, .nr_to_scan = 1 };
	unsigned long block = 1UL << PAGEHINT_HINT_ORDER;
	struct ph_fake_dev *fake = ph_hint_round(test, 0);
	unsigned int zones = 0;
	struct zone *zone;
	int nid, zid;

	KUNIT_EXPECT_EQ(test, fake->hint_stops, 1U);
	KUNIT_EXPECT_GT(test, fake->hint_blocks, 0UL);
	for_each_online_node(nid) {
		for (zid = 0; zid <= ZONE_NORMAL; zid++) {
			zone = &NODE_DATA(nid)->node_zones[zid];
			if (!pagehint_hint_zone(zone))
				continue;
			zones++;
			KUNIT_EXPECT_LE_MSG(test, pagehint_zone_hint_deficit(zone, 0), block,
					    "node %d zone %s", nid, zone->name);
			KUNIT_EXPECT_GT_MSG(test, pagehint_zone_hint_deficit(zone, 2 * block),
					    0UL, "node %d zone %s", nid, zone->name);
		}
	}
	KUNIT_EXPECT_GT(test, zones, 0U);
	KUNIT_EXPECT_LE(test, pagehint_hint_count(NULL, &sc), 2 * block * zones);
	ph_hint_done(test, fake);
	pagehint_remove(&fake->vdev);
	ph_balloon_unbind(fake);
}

/*
 * The other CPUs help a round: with more than one online, some of the
 * blocks a round hints were taken by its helpers, and once it has said
 * STOP no block is left taken and not hinted: what pagehint holds is
 * what the host was handed.
 */
static void balloon_hint_helpers(struct kunit *test)
{
	unsigned long block = PAGE_SIZE << PAGEHINT_HINT_ORDER;
	struct ph_fake_dev *fake;

	if (num_online_cpus() < 2)
		kunit_skip(test, "one CPU online: no helper");
	fake = ph_hint_round(test, 64);
	KUNIT_EXPECT_EQ(test, fake->hint_stops, 1U);
	KUNIT_EXPECT_GE(test, fake->hint_blocks, 64UL);
	KUNIT_EXPECT_GT(test, pagehint_hint.nr_helped, 0UL);
	KUNIT_EXPECT_EQ(test, pagehint_hint.nr_ahead, 0UL);
	KUNIT_EXPECT_TRUE(test, list_empty(&pagehint_hint.ahead));
	KUNIT_EXPECT_EQ(test, pagehint_hint_bytes(), (u64)fake->hint_blocks * block);
	ph_hint_done(test, fake);
	pagehint_remove(&fake->vdev);
	ph_balloon_unbind(fake);
}

#if PAGEHINT_BALLOON_MIGRATION
static unsigned long ph_balloon_migrations(void)
{
	unsigned long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += READ_ONCE(per_cpu(vm_event_states, cpu).event[BALLOON_MIGRATE]);
	return sum;
}

/* Inflated pages in [pfn, pfn + nr), and the first of them (or 0). */
static unsigned int ph_balloon_pages_in(unsigned long pfn, unsigned long nr,
					unsigned long *first)
{
	struct balloon_dev_info *info = &pagehint_balloon.info;
	unsigned int n = 0;
	unsigned long flags;
	struct page *page;

	*first = 0;
	spin_lock_irqsave(&info->pages_lock, flags);
	list_for_each_entry(page, &info->pages, lru) {
		if (page_to_pfn(page) - pfn < nr) {
			if (!n++)
				*first = page_to_pfn(page);
		}
	}
	spin_unlock_irqrestore(&info->pages_lock, flags);
	return n;
}

/*
 * An inflated page moves as the stock driver's do: alloc_contig_range()
 * over its pageblock migrates it through the balloon's callback, which
 * tells the host of the new page (an inflate) before the old one (a
 * deflate), one pair per page, and counts BALLOON_MIGRATE.  A claim of the
 * same pageblock is refused before alloc_contig_range(): pagehint owns only
 * free memory and migrates nothing, the balloon's pages included.
 */
static void balloon_page_migrates(struct kunit *test)
{
	const unsigned long nr = pageblock_nr_pages;
	struct ph_fake_dev *fake = ph_balloon_bind(test, PH_FEATURES_QEMU);
	unsigned long first, block, moves, pfn;
	struct pagehint_batch *batch = ph_new_batch(test);
	unsigned int in_block, i, blocks;
	int err, tries;

	/* Few pages, so that one pair per page fits the fake's log. */
	ph_balloon_ask(fake, PH_FAKE_BALLOON_LOG / 2 * PAGEHINT_BALLOON_PAGES_PER_PAGE);
	KUNIT_EXPECT_TRUE(test, ph_balloon_wait_actual(fake, fake->num_pages));
	KUNIT_EXPECT_EQ(test, ph_balloon_pages_in(0, ULONG_MAX, &first),
			PH_FAKE_BALLOON_LOG / 2);
	if (!first)
		goto out;
	block = ALIGN_DOWN(first, nr);
	for (blocks = 0; ; blocks++) {
		in_block = ph_balloon_pages_in(block, nr, &first);
		spin_lock(&fake->lock);
		fake->balloon_log_n = 0;
		spin_unlock(&fake->lock);
		moves = ph_balloon_migrations();
		pagehint_batch_init(batch, ULONG_MAX);
		KUNIT_EXPECT_EQ(test, pagehint_claim(batch, block, nr, PAGEHINT_FROM_SCAN),
				-EBUSY);
		KUNIT_EXPECT_EQ(test, ph_balloon_pages_in(block, nr, &pfn), in_block);
		KUNIT_EXPECT_EQ(test, ph_balloon_migrations(), moves);
		KUNIT_EXPECT_EQ(test, fake->balloon_log_n, 0U);

		/* Other pages of the block may be busy for a moment: try again. */
		for (tries = 0, err = -EBUSY; tries < 3 && err; tries++) {
			err = pagehint_alloc_contig_range(block, block + nr,
							  MIGRATE_MOVABLE,
							  GFP_KERNEL | __GFP_NOWARN);
			if (err)
				msleep(100);
		}
		/*
		 * Or one is unmovable (a kernel stack, a page table): the
		 * next pageblock that holds balloon pages, then.
		 */
		if (!err || blocks == 7 ||
		    !ph_balloon_pages_in(block + nr, ULONG_MAX - block - nr, &first))
			break;
		block = ALIGN_DOWN(first, nr);
	}
	KUNIT_EXPECT_EQ_MSG(test, err, 0,
			    "alloc_contig_range() of PFNs %#lx+%lu, the last of %u pageblocks with balloon pages",
			    block, nr, blocks + 1);
	if (err)
		goto out;
	free_contig_range(block, nr);

	KUNIT_EXPECT_EQ(test, ph_balloon_pages_in(block, nr, &pfn), 0U);
	KUNIT_EXPECT_EQ(test, ph_balloon_pages_in(0, ULONG_MAX, &pfn),
			PH_FAKE_BALLOON_LOG / 2);
	KUNIT_EXPECT_EQ(test, ph_balloon_migrations() - moves, (unsigned long)in_block);
	KUNIT_EXPECT_EQ(test, fake->actual, fake->num_pages);
	KUNIT_EXPECT_EQ(test, fake->bad_inflate, 0UL);
	spin_lock(&fake->lock);
	KUNIT_EXPECT_EQ(test, fake->balloon_log_n, 2 * in_block);
	for (i = 0; i + 1 < fake->balloon_log_n; i += 2) {
		KUNIT_EXPECT_TRUE_MSG(test, fake->balloon_log[i].inflate, "request %u", i);
		KUNIT_EXPECT_GE(test, fake->balloon_log[i].pfn - block, nr);
		KUNIT_EXPECT_FALSE_MSG(test, fake->balloon_log[i + 1].inflate,
				       "request %u", i + 1);
		KUNIT_EXPECT_LT(test, fake->balloon_log[i + 1].pfn - block, nr);
	}
	spin_unlock(&fake->lock);
out:
	ph_balloon_ask(fake, 0);
	KUNIT_EXPECT_TRUE(test, ph_balloon_wait_actual(fake, 0));
	KUNIT_EXPECT_EQ(test, fake->inflated, fake->deflated);
	pagehint_remove(&fake->vdev);
	ph_balloon_unbind(fake);
}
#endif

static struct kunit_case pagehint_balloon_cases[] = {
	KUNIT_CASE(balloon_follows_target),
	KUNIT_CASE(balloon_deflates_on_oom),
	KUNIT_CASE(balloon_freeze_and_remove_midway),
	KUNIT_CASE(balloon_free_page_hints),
	KUNIT_CASE(balloon_hint_keeps_floor),
	KUNIT_CASE(balloon_hint_again_next_round),
	KUNIT_CASE(balloon_hint_keeps_unread),
	KUNIT_CASE(balloon_hint_helpers),
#if PAGEHINT_BALLOON_MIGRATION
	KUNIT_CASE(balloon_page_migrates),
#endif
	{}
};

static struct kunit_suite pagehint_balloon_suite = {
	.name = "pagehint_balloon",
	.suite_init = balloon_suite_init,
	.suite_exit = balloon_suite_exit,
	.test_cases = pagehint_balloon_cases,
};

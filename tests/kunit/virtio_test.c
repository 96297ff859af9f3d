// SPDX-License-Identifier: GPL-2.0
/*
 * Suite pagehint_virtio: the driver's probe and remove (virtio.c) against
 * the fake device: which devices are refused or bound for the balloon
 * alone, and how, the queue layout
 * asked for, and removal while the device still holds a report.
 */

static int virtio_suite_init(struct kunit_suite *suite)
{
	return ph_env_init(true);
}

static void virtio_suite_exit(struct kunit_suite *suite)
{
	ph_env_exit();
}

static void ph_expect_state(struct kunit *test, const char *prefix)
{
	char *buf = (char *)get_zeroed_page(GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_EXPECT_GT(test, pagehint_device_show(buf), 0);
	KUNIT_EXPECT_TRUE_MSG(test, str_has_prefix(buf, prefix),
			      "device state \"%s\", expected \"%s...\"", buf, prefix);
	free_page((unsigned long)buf);
}

/*
 * A device without free page reporting is bound for the balloon alone:
 * its queues are set up, the worker does not run, and the state says why.
 */
static void virtio_balloon_only_no_reporting(struct kunit *test)
{
	struct ph_fake_dev *fake;

	fake = ph_fake_create(test, BIT_ULL(VIRTIO_BALLOON_F_STATS_VQ), 32);
	KUNIT_ASSERT_EQ(test, pagehint_probe(&fake->vdev), 0);
	KUNIT_EXPECT_EQ(test, fake->nvqs, 3U);
	KUNIT_EXPECT_EQ(test, ph_fake_vq_index(fake, "reporting_vq"), -1);
	ph_expect_state(test, "bound pagehint-fake");
	KUNIT_EXPECT_NOT_NULL(test, strstr(pagehint_dev_state, "balloon only: "));
	KUNIT_EXPECT_NOT_NULL(test, strstr(pagehint_dev_state, "free page reporting"));
	KUNIT_EXPECT_FALSE(test, pagehint_worker.running);
	KUNIT_EXPECT_TRUE(test, fake->status & VIRTIO_CONFIG_S_DRIVER_OK);
	pagehint_remove(&fake->vdev);
	KUNIT_EXPECT_TRUE(test, list_empty(&fake->vdev.vqs));
	ph_expect_state(test, "unbound: pagehint-fake");
	ph_fake_destroy(fake);
}

/* Split virtqueues have power-of-two sizes. */
static const unsigned int ph_small_queues[] = { 1, 2, 8, 16 };

static const void *ph_small_queue_gen(const void *prev, char *desc)
{
	const unsigned int *p = prev ? (const unsigned int *)prev + 1 : ph_small_queues;

	if (p >= ph_small_queues + ARRAY_SIZE(ph_small_queues))
		return NULL;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%u entries", *p);
	return p;
}

/* A reporting queue that cannot hold a full report: -ENOSPC, queues freed. */
static void virtio_refuses_small_queue(struct kunit *test)
{
	unsigned int qsize = *(const unsigned int *)test->param_value;
	struct ph_fake_dev *fake;

	fake = ph_fake_create(test, PH_FEATURES_QEMU, qsize);
	KUNIT_EXPECT_EQ(test, pagehint_probe(&fake->vdev), -ENOSPC);
	KUNIT_EXPECT_TRUE(test, list_empty(&fake->vdev.vqs));
	KUNIT_EXPECT_NULL(test, fake->vdev.priv);
	KUNIT_EXPECT_FALSE(test, fake->status & VIRTIO_CONFIG_S_DRIVER_OK);
	ph_expect_state(test, "refused pagehint-fake");
	KUNIT_EXPECT_FALSE(test, pagehint_worker.running);
	ph_fake_destroy(fake);
}

struct ph_layout_case {
	const char *desc;
	u64 features;
	unsigned int nvqs;
	int stats;		/* index of the stats queue, or -1 */
};

static const struct ph_layout_case ph_layout_cases[] = {
	{ "balloon only", 0, 2, -1 },
	{ "stats (balloon only)", BIT_ULL(VIRTIO_BALLOON_F_STATS_VQ), 3, 2 },
	{ "reporting", BIT_ULL(VIRTIO_BALLOON_F_REPORTING), 3, -1 },
	{ "stats+reporting (QEMU)", PH_FEATURES_QEMU, 4, 2 },
	{ "hinting+reporting", BIT_ULL(VIRTIO_BALLOON_F_FREE_PAGE_HINT) |
	  BIT_ULL(VIRTIO_BALLOON_F_REPORTING), 4, -1 },
	{ "stats+hinting+reporting", PH_FEATURES_QEMU |
	  BIT_ULL(VIRTIO_BALLOON_F_FREE_PAGE_HINT), 5, 2 },
};

static void ph_layout_desc(const struct ph_layout_case *c, char *desc)
{
	strscpy(desc, c->desc, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ph_layout, ph_layout_cases, ph_layout_desc);

/*
 * One queue per queue-bearing feature offered, densely, reporting last;
 * the device is live, the stats buffer posted; remove gives all back.
 */
static void virtio_queue_layout(struct kunit *test)
{
	const struct ph_layout_case *c = test->param_value;
	struct ph_fake_dev *fake, *other;

	pagehint_knobs.enabled = 0;	/* this test is about the queues */
	fake = ph_fake_create(test, c->features, 32);
	KUNIT_ASSERT_EQ(test, pagehint_probe(&fake->vdev), 0);
	ph_expect_state(test, "bound pagehint-fake");
	KUNIT_EXPECT_EQ(test, fake->nvqs, c->nvqs);
	KUNIT_EXPECT_FALSE(test, fake->holes);
	KUNIT_EXPECT_EQ(test, ph_fake_vq_index(fake, "inflate"), 0);
	KUNIT_EXPECT_EQ(test, ph_fake_vq_index(fake, "deflate"), 1);
	KUNIT_EXPECT_EQ(test, ph_fake_vq_index(fake, "stats"), c->stats);
	KUNIT_EXPECT_EQ(test, ph_fake_vq_index(fake, "reporting_vq"),
			c->features & BIT_ULL(VIRTIO_BALLOON_F_REPORTING) ?
			(int)c->nvqs - 1 : -1);
	KUNIT_EXPECT_TRUE(test, fake->status & VIRTIO_CONFIG_S_DRIVER_OK);
	if (c->stats >= 0) {
		const struct vring *vr = virtqueue_get_vring(fake->vqs[c->stats]);

		KUNIT_EXPECT_EQ(test, virtio16_to_cpu(&fake->vdev, vr->avail->idx), 1);
	}
	/* A second device while one is bound: busy. */
	other = ph_fake_create(test, c->features, 32);
	KUNIT_EXPECT_EQ(test, pagehint_probe(&other->vdev), -EBUSY);
	ph_fake_destroy(other);
	pagehint_remove(&fake->vdev);
	KUNIT_EXPECT_TRUE(test, list_empty(&fake->vdev.vqs));
	KUNIT_EXPECT_EQ(test, fake->status, 0);
	ph_expect_state(test, "unbound: pagehint-fake");
	ph_fake_destroy(fake);
	pagehint_knobs.enabled = 1;
}

/*
 * The host sits on a report while the device goes away: remove must not
 * hang, must stop the worker first, and must give the claimed pages back
 * only after the reset, unreported.
 */
static void virtio_remove_with_report_held(struct kunit *test)
{
	s64 bytes = atomic64_read(&pagehint_stats.reported_bytes);
	unsigned long pfn, nr, i, held;
	struct ph_fake_dev *fake;

	pagehint_knobs.scan = PAGEHINT_SCAN_ALWAYS;
	fake = ph_fake_create(test, PH_FEATURES_QEMU, 32);
	fake->hold = true;
	KUNIT_ASSERT_EQ(test, pagehint_probe(&fake->vdev), 0);
	KUNIT_ASSERT_TRUE(test, ph_fake_wait_reports(fake, 1, 120));
	KUNIT_EXPECT_EQ(test, fake->held, 1U);
	pfn = fake->held_pfn;
	nr = fake->held_nr;
	/* Still pagehint's while the host holds it. */
	KUNIT_EXPECT_EQ(test, fake->not_owned, 0UL);
	KUNIT_EXPECT_TRUE(test, ph_owned(pfn, 1));

	pagehint_remove(&fake->vdev);
	KUNIT_EXPECT_EQ(test, pagehint_worker.batch.nr, 0U);
	KUNIT_EXPECT_EQ(test, pagehint_worker.wave.nr, 0U);
	KUNIT_EXPECT_FALSE(test, pagehint_worker.running);
	KUNIT_EXPECT_EQ(test, atomic64_read(&pagehint_stats.reported_bytes), bytes);
	KUNIT_EXPECT_FALSE(test, pagehint_tracker_reported(pfn, 0));
	/*
	 * Given back: the pages are free again.  Others may allocate a few
	 * of them at once, so ask for most, not all.
	 */
	for (i = 0, held = 0; i < nr; i++)
		held += page_count(pfn_to_page(pfn + i)) != 0;
	KUNIT_EXPECT_LT_MSG(test, held, nr / 2, "%lu of %lu pages still held", held, nr);
	ph_expect_state(test, "unbound: pagehint-fake");
	ph_fake_destroy(fake);
	pagehint_knobs.scan = PAGEHINT_SCAN_AUTO;
}

/* freeze stops the worker and drops the queues; restore brings both back. */
static void virtio_freeze_restore(struct kunit *test)
{
	struct ph_fake_dev *fake;
	unsigned int n;

	fake = ph_bind_reporting(test, false);
	KUNIT_EXPECT_EQ(test, pagehint_freeze(&fake->vdev), 0);
	ph_expect_state(test, "frozen pagehint-fake");
	KUNIT_EXPECT_TRUE(test, list_empty(&fake->vdev.vqs));
	KUNIT_EXPECT_FALSE(test, pagehint_worker.running);
	KUNIT_EXPECT_EQ(test, pagehint_worker.batch.nr, 0U);
	KUNIT_EXPECT_EQ(test, pagehint_worker.wave.nr, 0U);
	n = ph_fake_reports(fake);
	msleep(100);
	KUNIT_EXPECT_EQ(test, ph_fake_reports(fake), n);

	KUNIT_EXPECT_EQ(test, pagehint_restore(&fake->vdev), 0);
	ph_expect_state(test, "bound pagehint-fake");
	KUNIT_EXPECT_TRUE(test, ph_fake_wait_reports(fake, n + 1, 120));
	pagehint_remove(&fake->vdev);
	KUNIT_EXPECT_EQ(test, fake->not_owned, 0UL);
	ph_fake_destroy(fake);
	ph_reporting_end();
}

/*
 * A restore that cannot set the queues up again leaves the device bound
 * but not live: a second freeze and the removal must not touch the queues
 * the first freeze deleted (KASAN: use-after-free in the debug kernel).
 */
static void virtio_restore_fails(struct kunit *test)
{
	struct ph_fake_dev *fake;
	struct pagehint_dev *pdev;

	fake = ph_fake_create(test, PH_FEATURES_QEMU, 32);
	KUNIT_ASSERT_EQ(test, pagehint_probe(&fake->vdev), 0);
	pdev = fake->vdev.priv;
	KUNIT_EXPECT_EQ(test, pagehint_freeze(&fake->vdev), 0);
	fake->fail_find_vqs = true;
	KUNIT_EXPECT_EQ(test, pagehint_restore(&fake->vdev), -ENOMEM);
	ph_expect_state(test, "refused pagehint-fake");
	KUNIT_EXPECT_NULL(test, pdev->report_vq);
	KUNIT_EXPECT_NULL(test, pdev->stats_vq);
	KUNIT_EXPECT_FALSE(test, pagehint_worker.running);
	/* Freeze and remove once more: nothing to stop, nothing touched. */
	KUNIT_EXPECT_EQ(test, pagehint_freeze(&fake->vdev), 0);
	fake->fail_find_vqs = false;
	KUNIT_EXPECT_EQ(test, pagehint_restore(&fake->vdev), 0);
	ph_expect_state(test, "bound pagehint-fake");
	KUNIT_EXPECT_TRUE(test, pagehint_worker.running);
	KUNIT_EXPECT_EQ(test, pagehint_freeze(&fake->vdev), 0);
	fake->fail_find_vqs = true;
	KUNIT_EXPECT_EQ(test, pagehint_restore(&fake->vdev), -ENOMEM);
	pagehint_remove(&fake->vdev);
	ph_expect_state(test, "unbound: pagehint-fake");
	ph_fake_destroy(fake);
}

/*
 * Shutdown, reboot and kexec: the reboot notifier stops the worker, resets
 * the device and takes no device after; nothing is reported from then on.
 */
static void virtio_shutdown_stops(struct kunit *test)
{
	struct ph_fake_dev *fake, *other;
	unsigned int n;

	fake = ph_bind_reporting(test, false);
	pagehint_reboot_notify(&pagehint_reboot_nb, SYS_RESTART, NULL);
	ph_expect_state(test, "stopped pagehint-fake");
	KUNIT_EXPECT_FALSE(test, pagehint_worker.running);
	KUNIT_EXPECT_EQ(test, pagehint_worker.batch.nr, 0U);
	KUNIT_EXPECT_EQ(test, pagehint_worker.wave.nr, 0U);
	KUNIT_EXPECT_EQ(test, fake->status, 0);		/* reset */
	KUNIT_EXPECT_TRUE(test, list_empty(&fake->vdev.vqs));
	n = ph_fake_reports(fake);
	pagehint_kick();
	msleep(200);
	KUNIT_EXPECT_EQ(test, ph_fake_reports(fake), n);

	/* Nothing restarts it: neither a restore nor a device coming late. */
	KUNIT_EXPECT_NE(test, pagehint_restore(&fake->vdev), 0);
	pagehint_remove(&fake->vdev);
	other = ph_fake_create(test, PH_FEATURES_QEMU, 32);
	KUNIT_EXPECT_NE(test, pagehint_probe(&other->vdev), 0);
	KUNIT_EXPECT_EQ(test, ph_fake_reports(other), 0U);
	ph_fake_destroy(other);
	ph_fake_destroy(fake);

	mutex_lock(&pagehint_dev_lock);
	pagehint_shutting_down = false;
	mutex_unlock(&pagehint_dev_lock);
	ph_reporting_end();
}

static struct kunit_case pagehint_virtio_cases[] = {
	KUNIT_CASE(virtio_balloon_only_no_reporting),
	KUNIT_CASE_PARAM(virtio_refuses_small_queue, ph_small_queue_gen),
	KUNIT_CASE_PARAM(virtio_queue_layout, ph_layout_gen_params),
	KUNIT_CASE(virtio_remove_with_report_held),
	KUNIT_CASE(virtio_freeze_restore),
	KUNIT_CASE(virtio_restore_fails),
	KUNIT_CASE(virtio_shutdown_stops),
	{}
};

static struct kunit_suite pagehint_virtio_suite = {
	.name = "pagehint_virtio",
	.suite_init = virtio_suite_init,
	.suite_exit = virtio_suite_exit,
	.test_cases = pagehint_virtio_cases,
};

kunit_test_suites(&pagehint_map_suite, &pagehint_learn_suite,
		  &pagehint_tracker_suite,
		  &pagehint_scan_suite, &pagehint_claim_suite,
		  &pagehint_report_suite, &pagehint_sysfs_suite,
		  &pagehint_balloon_suite, &pagehint_virtio_suite);

// SPDX-License-Identifier: GPL-2.0
/*
 * Suite pagehint_sysfs: the knobs' parsing (sysfs.c).  Every bad input is
 * refused with the right error and leaves the knob as it was; good input
 * takes effect.
 */

static int sysfs_suite_init(struct kunit_suite *suite)
{
	return ph_env_init(false);
}

static void sysfs_suite_exit(struct kunit_suite *suite)
{
	ph_env_exit();
}

struct ph_knob_case {
	struct pagehint_knob_attr *knob;
	const char *input;
	int err;		/* 0: accepted */
	unsigned long val;	/* the value then */
};

#define PH_BAD(_k, _in, _err)	{ &_k##_attr, _in, _err, 0 }
#define PH_GOOD(_k, _in, _val)	{ &_k##_attr, _in, 0, _val }

static const struct ph_knob_case ph_knob_cases[] = {
	PH_BAD(enabled, "", -EINVAL),
	PH_BAD(enabled, "\n", -EINVAL),
	PH_BAD(enabled, "2", -EINVAL),
	PH_BAD(enabled, "-1", -EINVAL),
	PH_BAD(enabled, "yes", -EINVAL),
	PH_BAD(enabled, "1 1", -EINVAL),
	PH_BAD(enabled, " 1", -EINVAL),
	PH_GOOD(enabled, "0\n", 0),
	PH_GOOD(enabled, "1", 1),
	PH_BAD(report_order, "11", -EINVAL),
	PH_BAD(report_order, "4294967296", -EINVAL),
	PH_BAD(report_order, "18446744073709551616", -ERANGE),
	PH_BAD(report_order, "0x3", -EINVAL),
	PH_BAD(report_order, "3.5", -EINVAL),
	PH_GOOD(report_order, "0", 0),
	PH_GOOD(report_order, "10\n", 10),
	PH_BAD(delay_ms, "3600001", -EINVAL),
	PH_BAD(delay_ms, "-0", -EINVAL),
	PH_BAD(delay_ms, "99999999999999999999999", -ERANGE),
	PH_GOOD(delay_ms, "0", 0),
	PH_GOOD(delay_ms, "3600000", 3600000),
	PH_BAD(max_inflight_kib, "3", -EINVAL),
	PH_BAD(max_inflight_kib, "1048577", -EINVAL),
	PH_GOOD(max_inflight_kib, "4", 4),
	PH_GOOD(max_inflight_kib, "1048576", 1048576),
	PH_BAD(bitmap_budget_kib, "0", -EINVAL),
	PH_BAD(bitmap_budget_kib, "1048577", -EINVAL),
	PH_GOOD(bitmap_budget_kib, "1", 1),
	PH_BAD(scan_budget_pages, "0", -EINVAL),
	PH_BAD(scan_budget_pages, "1073741825", -EINVAL),
	PH_GOOD(scan_budget_pages, "1073741824", 1073741824),
};

static void ph_knob_desc(const struct ph_knob_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s <- \"%s\"",
		 c->knob->attr.attr.name, c->input);
	strreplace(desc, '\n', '|');
}

KUNIT_ARRAY_PARAM(ph_knob, ph_knob_cases, ph_knob_desc);

static void sysfs_knob_input(struct kunit *test)
{
	const struct ph_knob_case *c = test->param_value;
	struct pagehint_knob_attr *k = c->knob;
	unsigned long before = READ_ONCE(*k->val);
	size_t len = strlen(c->input);
	char back[24];
	ssize_t ret;

	ret = pagehint_knob_store(NULL, &k->attr, c->input, len);
	if (c->err) {
		KUNIT_EXPECT_EQ(test, ret, (ssize_t)c->err);
		KUNIT_EXPECT_EQ(test, READ_ONCE(*k->val), before);
	} else {
		KUNIT_EXPECT_EQ(test, ret, (ssize_t)len);
		KUNIT_EXPECT_EQ(test, READ_ONCE(*k->val), c->val);
		/* Put it back, through the parser. */
		snprintf(back, sizeof(back), "%lu", before);
		KUNIT_EXPECT_EQ(test, pagehint_knob_store(NULL, &k->attr, back,
							  strlen(back)),
				(ssize_t)strlen(back));
		KUNIT_EXPECT_EQ(test, READ_ONCE(*k->val), before);
	}
}

/* A map-shaping knob rebuilds the map; a refused write does not. */
static void sysfs_rebuild(struct kunit *test)
{
	struct pagehint_tracker_counters c;

	KUNIT_ASSERT_EQ(test, pagehint_knob_store(NULL, &report_order_attr.attr,
						  "2", 1), 1);
	pagehint_tracker_counters(&c);
	KUNIT_EXPECT_EQ(test, c.bitmap_order, 2U);
	KUNIT_EXPECT_EQ(test, pagehint_knob_store(NULL, &report_order_attr.attr,
						  "99", 2), (ssize_t)-EINVAL);
	pagehint_tracker_counters(&c);
	KUNIT_EXPECT_EQ(test, c.bitmap_order, 2U);
	KUNIT_ASSERT_EQ(test, pagehint_knob_store(NULL, &report_order_attr.attr,
						  "9", 1), 1);
}

/*
 * What was reported stays reported across a rebuild, finer or coarser: a
 * knob write must not make pagehint claim all free memory again.
 */
static void sysfs_rebuild_keeps_reported(struct kunit *test)
{
	unsigned long pfn = ALIGN(node_start_pfn(first_online_node) + 4096,
				  1UL << (pageblock_order + 1));
	struct pagehint_tracker_counters c;
	char kib[24];
	int n;

	pagehint_tracker_mark_reported(pfn, 2 * pageblock_nr_pages);
	KUNIT_ASSERT_TRUE(test, pagehint_tracker_reported(pfn, pageblock_order + 1));
	KUNIT_ASSERT_EQ(test, pagehint_knob_store(NULL, &report_order_attr.attr,
						  "3", 1), 1);
	KUNIT_EXPECT_TRUE(test, pagehint_tracker_reported(pfn, pageblock_order + 1));
	KUNIT_EXPECT_TRUE(test, pagehint_tracker_reported(pfn + 8, 3));
	KUNIT_EXPECT_FALSE(test, pagehint_tracker_reported(pfn + 2 * pageblock_nr_pages, 3));
	KUNIT_ASSERT_EQ(test, pagehint_knob_store(NULL, &report_order_attr.attr,
						  "9", 1), 1);
	KUNIT_EXPECT_TRUE(test, pagehint_tracker_reported(pfn, pageblock_order));
	/* The budget too: the smallest that still holds this map. */
	pagehint_tracker_counters(&c);
	KUNIT_ASSERT_EQ(test, c.bitmap_order, pageblock_order);
	n = snprintf(kib, sizeof(kib), "%zu", DIV_ROUND_UP(c.bitmap_bytes, 1024));
	KUNIT_ASSERT_EQ(test, pagehint_knob_store(NULL, &bitmap_budget_kib_attr.attr,
						  kib, n), n);
	pagehint_tracker_counters(&c);
	KUNIT_EXPECT_EQ(test, c.bitmap_order, pageblock_order);
	KUNIT_EXPECT_TRUE(test, pagehint_tracker_reported(pfn, pageblock_order + 1));
	KUNIT_ASSERT_EQ(test, pagehint_knob_store(NULL, &bitmap_budget_kib_attr.attr,
						  "4096", 4), 4);
	KUNIT_EXPECT_TRUE(test, pagehint_tracker_reported(pfn, pageblock_order));
	pagehint_tracker_forget_reported();
}

static void ph_free_page(void *buf)
{
	free_page((unsigned long)buf);
}

static void sysfs_scan_policy(struct kunit *test)
{
	static const char * const bad[] = {
		"", "\n", "sometimes", "[auto]", "auto always", "AUTO", "autox",
	};
	unsigned int i;
	char *buf;

	/* sysfs_emit() wants a page, as sysfs gives it. */
	buf = (char *)get_zeroed_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ph_free_page, buf), 0);

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ_MSG(test, scan_store(NULL, &scan_attr, bad[i], strlen(bad[i])),
				    (ssize_t)-EINVAL, "input \"%s\"", bad[i]);
		KUNIT_EXPECT_EQ(test, pagehint_knobs.scan, PAGEHINT_SCAN_AUTO);
	}
	KUNIT_EXPECT_EQ(test, scan_store(NULL, &scan_attr, "never\n", 6), 6);
	KUNIT_EXPECT_EQ(test, pagehint_knobs.scan, PAGEHINT_SCAN_NEVER);
	KUNIT_EXPECT_GT(test, scan_show(NULL, &scan_attr, buf), 0);
	KUNIT_EXPECT_STREQ(test, buf, "auto always [never]\n");
	KUNIT_EXPECT_EQ(test, scan_store(NULL, &scan_attr, "auto", 4), 4);
	KUNIT_EXPECT_EQ(test, pagehint_knobs.scan, PAGEHINT_SCAN_AUTO);
}

/* min_free_ms: "auto" or 0..600000, shown as set. */
static void sysfs_min_free(struct kunit *test)
{
	static const char * const bad[] = {
		"", "\n", "-1", "600001", "autox", "[auto]", "auto 5", "AUTO",
		"1.5", "99999999999999999999999",
	};
	unsigned int i;
	char *buf;

	buf = (char *)get_zeroed_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, ph_free_page, buf), 0);

	pagehint_knobs.min_free_ms = PAGEHINT_KNOB_AUTO;
	KUNIT_EXPECT_GT(test, pagehint_knob_show(NULL, &min_free_ms_attr.attr, buf), 0);
	KUNIT_EXPECT_STREQ(test, buf, "auto\n");
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ssize_t ret = pagehint_knob_store(NULL, &min_free_ms_attr.attr,
						  bad[i], strlen(bad[i]));

		KUNIT_EXPECT_LT_MSG(test, ret, (ssize_t)0, "input \"%s\"", bad[i]);
		KUNIT_EXPECT_EQ(test, pagehint_knobs.min_free_ms, PAGEHINT_KNOB_AUTO);
	}
	KUNIT_EXPECT_EQ(test, pagehint_knob_store(NULL, &min_free_ms_attr.attr, "600000\n", 7), 7);
	KUNIT_EXPECT_EQ(test, pagehint_knobs.min_free_ms, 600000UL);
	KUNIT_EXPECT_GT(test, pagehint_knob_show(NULL, &min_free_ms_attr.attr, buf), 0);
	KUNIT_EXPECT_STREQ(test, buf, "600000\n");
	KUNIT_EXPECT_EQ(test, pagehint_knob_store(NULL, &min_free_ms_attr.attr, "0", 1), 1);
	KUNIT_EXPECT_EQ(test, pagehint_knobs.min_free_ms, 0UL);
	KUNIT_EXPECT_EQ(test, pagehint_knob_store(NULL, &min_free_ms_attr.attr, "auto\n", 5), 5);
	KUNIT_EXPECT_EQ(test, pagehint_knobs.min_free_ms, PAGEHINT_KNOB_AUTO);
	pagehint_knobs.min_free_ms = 0;
}

static struct kunit_case pagehint_sysfs_cases[] = {
	KUNIT_CASE_PARAM(sysfs_knob_input, ph_knob_gen_params),
	KUNIT_CASE(sysfs_rebuild),
	KUNIT_CASE(sysfs_rebuild_keeps_reported),
	KUNIT_CASE(sysfs_scan_policy),
	KUNIT_CASE(sysfs_min_free),
	{}
};

static struct kunit_suite pagehint_sysfs_suite = {
	.name = "pagehint_sysfs",
	.suite_init = sysfs_suite_init,
	.suite_exit = sysfs_suite_exit,
	.test_cases = pagehint_sysfs_cases,
};

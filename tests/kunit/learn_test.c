// SPDX-License-Identifier: GPL-2.0
/*
 * Suite pagehint_learn: how long freed memory must stay free before the
 * worker reports it, learned from the hooks' reuse counts (learn.c).
 */

static void ph_learn_from(struct pagehint_learn *l, unsigned long *c,
			  unsigned int b1, unsigned long n1,
			  unsigned int b2, unsigned long n2)
{
	memset(c, 0, PAGEHINT_REUSE_BUCKETS * sizeof(*c));
	pagehint_learn_reset(l, c, 0);
	c[b1] += n1;
	c[b2] += n2;
}

/*
 * The wait is the shortest past which at most 10% of the recent reuses
 * would have been reported for nothing (a report pays when the block
 * stays free 2 s more), at most 10 s; none with fewer than 64 recent
 * reuses.
 */
static void learn_threshold(struct kunit *test)
{
	unsigned long c[PAGEHINT_REUSE_BUCKETS];
	struct pagehint_learn l;

	/* Few reuses: nothing churns, nothing waits. */
	ph_learn_from(&l, c, 3, 63, 0, 0);
	KUNIT_EXPECT_EQ(test, pagehint_learn_update(&l, c, 1000), 0U);
	/* 90% under 32 ms (bucket 1), the rest about a second: 32 ms. */
	ph_learn_from(&l, c, 1, 900, 10, 100);
	KUNIT_EXPECT_EQ(test, pagehint_learn_update(&l, c, 1000), 32U);
	/*
	 * 89% under 32 ms: still 32 ms; the rest, free for seconds more, pay
	 * for their report.
	 */
	ph_learn_from(&l, c, 1, 890, 10, 110);
	KUNIT_EXPECT_EQ(test, pagehint_learn_update(&l, c, 1000), 32U);
	/*
	 * Everything reused 4-8 s after its free (bucket 9), as by a job that
	 * runs every 5 s: reported at once, held by the host for seconds.
	 */
	ph_learn_from(&l, c, 9, 1000, 0, 0);
	KUNIT_EXPECT_EQ(test, pagehint_learn_update(&l, c, 1000), 0U);
	/* The same after a burst of reuses within 0.5 s: once that is over. */
	ph_learn_from(&l, c, 5, 3000, 9, 1000);
	KUNIT_EXPECT_EQ(test, pagehint_learn_update(&l, c, 1000), 512U);
	/*
	 * Most reused within a second, a tenth seconds later: what the few
	 * would give does not pay for the many claimed and faulted back in.
	 */
	ph_learn_from(&l, c, 6, 900, 9, 100);
	KUNIT_EXPECT_EQ(test, pagehint_learn_update(&l, c, 1000), 1024U);
	/* Reused 0.5-1 s after the free: never worth it, wait past it. */
	ph_learn_from(&l, c, 6, 1000, 0, 0);
	KUNIT_EXPECT_EQ(test, pagehint_learn_update(&l, c, 1000), 1024U);
	/*
	 * Nor 1-2 s after (bucket 7), as by a job that frees and allocates
	 * again every second or so: the host would have it for less than 2 s.
	 */
	ph_learn_from(&l, c, 7, 1000, 0, 0);
	KUNIT_EXPECT_EQ(test, pagehint_learn_update(&l, c, 1000), 2048U);
	/* All under 16 ms: 16 ms. */
	ph_learn_from(&l, c, 0, 1000, 0, 0);
	KUNIT_EXPECT_EQ(test, pagehint_learn_update(&l, c, 1000), 16U);
	/* All past the last edge, minutes later: at once. */
	ph_learn_from(&l, c, PAGEHINT_REUSE_BUCKETS - 1, 1000, 0, 0);
	KUNIT_EXPECT_EQ(test, pagehint_learn_update(&l, c, 1000), 0U);
}

/*
 * Only what the counts gained since the last update counts, and older
 * reuses fade by 1/8 an update; updates are due once a second.
 */
static void learn_recent(struct kunit *test)
{
	unsigned long c[PAGEHINT_REUSE_BUCKETS];
	struct pagehint_learn l;
	unsigned int i, ms;

	ph_learn_from(&l, c, 1, 900, 10, 100);
	KUNIT_EXPECT_FALSE(test, pagehint_learn_due(&l, 999));
	KUNIT_EXPECT_TRUE(test, pagehint_learn_due(&l, 1000));
	KUNIT_EXPECT_EQ(test, pagehint_learn_update(&l, c, 1000), 32U);
	KUNIT_EXPECT_FALSE(test, pagehint_learn_due(&l, 1999));
	/*
	 * 1000 reuses at 256-512 ms (bucket 5) next: 787 under 32 ms, 1787
	 * under 512 ms of 1875, 95%.
	 */
	c[5] += 1000;
	KUNIT_EXPECT_EQ(test, pagehint_learn_update(&l, c, 2000), 512U);
	/* No reuse for a while: the few left are too few to go by. */
	for (i = 0, ms = 3000; i < 40; i++, ms += 1000)
		pagehint_learn_update(&l, c, ms);
	KUNIT_EXPECT_EQ(test, pagehint_learn_update(&l, c, ms), 0U);
	/* Counters that wrapped count what they gained. */
	memset(c, 0, sizeof(c));
	pagehint_learn_reset(&l, c, 0);
	c[2] = ULONG_MAX - 9;
	pagehint_learn_reset(&l, c, 0);
	c[2] += 100;
	KUNIT_EXPECT_EQ(test, pagehint_learn_update(&l, c, 1000), 64U);
}

static struct kunit_case pagehint_learn_cases[] = {
	KUNIT_CASE(learn_threshold),
	KUNIT_CASE(learn_recent),
	{}
};

static struct kunit_suite pagehint_learn_suite = {
	.name = "pagehint_learn",
	.test_cases = pagehint_learn_cases,
};

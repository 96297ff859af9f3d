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

/* Recent reuses in two buckets, and the wait they should teach. */
struct ph_learn_case {
	const char *what;
	unsigned int b1, b2;
	unsigned long n1, n2;
	unsigned int wait_ms;
};

static const struct ph_learn_case ph_learn_cases[] = {
	{ "few reuses: nothing churns, nothing waits", 3, 0, 63, 0, 0 },
	{ "90% under 32 ms, the rest seconds later", 1, 10, 900, 100, 32 },
	{ "89% under 32 ms: the rest pay for their report", 1, 10, 890, 110, 32 },
	{ "all 4-8 s after the free, a job every 5 s: at once", 9, 0, 1000, 0, 0 },
	{ "the same after a burst within 0.5 s: past the burst", 5, 9, 3000, 1000, 512 },
	{ "90% within a second, a tenth seconds later", 6, 9, 900, 100, 1024 },
	{ "all 0.5-1 s after the free: wait past it", 6, 0, 1000, 0, 1024 },
	{ "all 1-2 s after: the host would have it < 2 s", 7, 0, 1000, 0, 2048 },
	{ "all under 16 ms", 0, 0, 1000, 0, 16 },
	{ "all minutes later, past the last edge: at once",
	  PAGEHINT_REUSE_BUCKETS - 1, 0, 1000, 0, 0 },
};

/*
 * The wait is the shortest past which at most 10% of the recent reuses
 * would have been reported for nothing (a report pays when the block
 * stays free 2 s more), at most 10 s; none with fewer than 64 recent
 * reuses.
 */
static void learn_threshold(struct kunit *test)
{
	unsigned long c[PAGEHINT_REUSE_BUCKETS];
	const struct ph_learn_case *t;
	struct pagehint_learn l;

	for (t = ph_learn_cases; t < ph_learn_cases + ARRAY_SIZE(ph_learn_cases); t++) {
		ph_learn_from(&l, c, t->b1, t->n1, t->b2, t->n2);
		KUNIT_EXPECT_EQ_MSG(test, pagehint_learn_update(&l, c, 1000), t->wait_ms,
				    "%s", t->what);
	}
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

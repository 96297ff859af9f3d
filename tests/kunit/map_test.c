// SPDX-License-Identifier: GPL-2.0
/*
 * Suite pagehint_map: the free page map's pure bitmap logic (tracker.c),
 * at every order a map can have.
 */

/* Orders 0..PAGEHINT_MAX_ORDER, as parameters. */
static const unsigned int ph_orders[] = {
	0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
};

static const void *ph_order_gen(const void *prev, char *desc)
{
	const unsigned int *p = prev ? (const unsigned int *)prev + 1 : ph_orders;

	if (p >= ph_orders + ARRAY_SIZE(ph_orders) || *p > PAGEHINT_MAX_ORDER)
		return NULL;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "order %u", *p);
	return p;
}

/* A span that starts and ends off any block boundary above order 0. */
#define PH_SPAN_START	0x12345UL
#define PH_SPAN_PAGES	BIT(20)

static struct pagehint_map *ph_map(struct kunit *test, unsigned int order)
{
	unsigned long end = PH_SPAN_START + PH_SPAN_PAGES;
	struct pagehint_map *map;

	map = pagehint_map_alloc(PH_SPAN_START, end, order, SIZE_MAX);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, map);
	kunit_add_action_or_reset(test, (kunit_action_t *)pagehint_map_free, map);
	KUNIT_ASSERT_EQ(test, map->order, order);
	return map;
}

static unsigned long ph_first_block(const struct pagehint_map *map)
{
	/* The first whole block of the map's order inside the span. */
	return ALIGN(PH_SPAN_START, 1UL << map->order);
}

/* The budget decides the order: exactly enough keeps report_order. */
static void map_order_budget(struct kunit *test)
{
	unsigned int order = *(const unsigned int *)test->param_value;
	unsigned long start = PH_SPAN_START, end = start + PH_SPAN_PAGES;
	unsigned long base = round_down(start, 1UL << order);
	size_t need = pagehint_map_size(DIV_ROUND_UP(end - base, 1UL << order), order);

	KUNIT_EXPECT_EQ(test, pagehint_map_order(start, end, order, need), (int)order);
	KUNIT_EXPECT_GT(test, pagehint_map_order(start, end, order, need - 1), (int)order);
	/* Nothing fits in less than the header and two words. */
	KUNIT_EXPECT_EQ(test, pagehint_map_order(start, end, order,
						 sizeof(struct pagehint_map)), -1);
}

static void map_alloc_errors(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, PTR_ERR(pagehint_map_alloc(100, 100, 0, SIZE_MAX)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(pagehint_map_alloc(200, 100, 0, SIZE_MAX)),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, PTR_ERR(pagehint_map_alloc(0, 1UL << 20, 0, 8)),
			-E2BIG);
}

/* Frees hint the blocks they touch; allocations of whole blocks clear them. */
static void map_free_alloc(struct kunit *test)
{
	unsigned int order = *(const unsigned int *)test->param_value;
	struct pagehint_map *map = ph_map(test, order);
	unsigned long pfn = ph_first_block(map), bit;

	bit = (pfn - map->base_pfn) >> order;
	/* One block, one hint, once. */
	KUNIT_EXPECT_EQ(test, pagehint_map_note_free(map, pfn, order, 0), 1);
	KUNIT_EXPECT_EQ(test, pagehint_map_note_free(map, pfn, order, 0), 0);
	KUNIT_EXPECT_TRUE(test, test_bit(bit, map->hint));
	KUNIT_EXPECT_FALSE(test, test_bit(bit + 1, map->hint));
	/* A free four times the granularity: four blocks. */
	KUNIT_EXPECT_EQ(test, pagehint_map_note_free(map, pfn + (4UL << order),
						     order + 2, 0), 4);
	/* A smaller allocation inside a block leaves the hint: rest is free. */
	if (order) {
		KUNIT_EXPECT_EQ(test, pagehint_map_note_alloc(map, pfn + (1UL << order) - 1, 0), 0);
		KUNIT_EXPECT_TRUE(test, test_bit(bit, map->hint));
	}
	/* An allocation of the whole block clears it. */
	KUNIT_EXPECT_EQ(test, pagehint_map_note_alloc(map, pfn, order), 1);
	KUNIT_EXPECT_FALSE(test, test_bit(bit, map->hint));
	KUNIT_EXPECT_EQ(test, pagehint_map_note_alloc(map, pfn + (4UL << order),
						      order + 2), 4);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(map->hint, map->nbits));
}

/*
 * A block marked reported stays so across drains, not across frees; a free
 * to a per-cpu list sets no hint.
 */
static void map_reported(struct kunit *test)
{
	unsigned int order = *(const unsigned int *)test->param_value;
	struct pagehint_map *map = ph_map(test, order);
	unsigned long pfn = ph_first_block(map);

	KUNIT_EXPECT_FALSE(test, pagehint_map_reported(map, pfn, order));
	pagehint_map_mark_reported(map, pfn, 1UL << order);
	KUNIT_EXPECT_TRUE(test, pagehint_map_reported(map, pfn, order));
	/* Smaller than the granularity: never known as reported. */
	if (order)
		KUNIT_EXPECT_FALSE(test, pagehint_map_reported(map, pfn, order - 1));
	KUNIT_EXPECT_EQ(test, pagehint_map_note_drain(map, pfn, order, 0), 0);
	KUNIT_EXPECT_TRUE(test, pagehint_map_reported(map, pfn, order));
	KUNIT_EXPECT_EQ(test, pagehint_map_note_free(map, pfn, order, 0), 1);
	KUNIT_EXPECT_FALSE(test, pagehint_map_reported(map, pfn, order));

	/*
	 * A smaller allocation leaves "reported" (the page's free forgets
	 * it); an allocation of the whole block forgets it.
	 */
	pagehint_map_mark_reported(map, pfn, 1UL << order);
	KUNIT_EXPECT_EQ(test, pagehint_map_note_alloc(map, pfn, 0), order ? 0 : 1);
	KUNIT_EXPECT_EQ(test, pagehint_map_reported(map, pfn, order), order > 0);
	pagehint_map_note_alloc(map, pfn, order);
	KUNIT_EXPECT_FALSE(test, pagehint_map_reported(map, pfn, order));

	/* Only whole blocks are marked. */
	if (order) {
		pagehint_map_mark_reported(map, pfn + 1, (1UL << order) - 1);
		KUNIT_EXPECT_FALSE(test, pagehint_map_reported(map, pfn, order));
	}
	/* A drain of a block not reported is a hint. */
	KUNIT_EXPECT_EQ(test, pagehint_map_note_drain(map, pfn, order, 0), 1);

	/* A free to a per-cpu list forgets "reported" and leaves the hint. */
	pagehint_map_mark_reported(map, pfn, 1UL << order);
	KUNIT_EXPECT_EQ(test, pagehint_map_note_pcp_free(map, pfn, 0), 0);
	KUNIT_EXPECT_FALSE(test, pagehint_map_reported(map, pfn, order));
	KUNIT_EXPECT_TRUE(test, test_bit((pfn - map->base_pfn) >> order, map->hint));
	KUNIT_EXPECT_EQ(test, pagehint_map_note_alloc(map, pfn, order), 1);
	KUNIT_EXPECT_EQ(test, pagehint_map_note_pcp_free(map, pfn, 0), 0);
	KUNIT_EXPECT_TRUE(test, bitmap_empty(map->hint, map->nbits));
}

/* Events outside the span are refused: the tracker counts an overflow. */
static void map_span_edges(struct kunit *test)
{
	unsigned int order = *(const unsigned int *)test->param_value;
	struct pagehint_map *map = ph_map(test, order);
	unsigned long end = PH_SPAN_START + PH_SPAN_PAGES;

	KUNIT_EXPECT_EQ(test, pagehint_map_note_free(map, map->base_pfn - 1, 0, 0), -ERANGE);
	KUNIT_EXPECT_EQ(test, pagehint_map_note_free(map, end, 0, 0), -ERANGE);
	KUNIT_EXPECT_EQ(test, pagehint_map_note_alloc(map, end, order), -ERANGE);
	KUNIT_EXPECT_EQ(test, pagehint_map_note_drain(map, end, 0, 0), -ERANGE);
	KUNIT_EXPECT_EQ(test, pagehint_map_note_pcp_free(map, end, 0), -ERANGE);
	/* Straddling the end. */
	KUNIT_EXPECT_EQ(test, pagehint_map_note_free(map, end - 1, 1, 0), -ERANGE);
	/* The last page of the span belongs to the last bit. */
	KUNIT_EXPECT_EQ(test, pagehint_map_note_free(map, end - 1, 0, 0), 1);
	KUNIT_EXPECT_TRUE(test, test_bit(map->nbits - 1, map->hint));
	KUNIT_EXPECT_FALSE(test, pagehint_map_reported(map, end - 1, 16));
	pagehint_map_mark_reported(map, end - 1, 2);	/* past the end: ignored */
	KUNIT_EXPECT_FALSE(test, test_bit(map->nbits - 1, map->reported));
}

/* Hints come out in order, once each, clipped to the span. */
static void map_take_hint(struct kunit *test)
{
	unsigned int order = *(const unsigned int *)test->param_value;
	struct pagehint_map *map = ph_map(test, order);
	unsigned long cursor = 0, pfn, nr, last = map->nbits - 1;

	set_bit(3, map->hint);
	set_bit(7, map->hint);
	set_bit(last, map->hint);

	KUNIT_ASSERT_TRUE(test, pagehint_map_take_hint(map, &cursor, ULONG_MAX, &pfn, &nr));
	KUNIT_EXPECT_EQ(test, pfn, map->base_pfn + (3UL << order));
	KUNIT_EXPECT_EQ(test, nr, 1UL << order);
	KUNIT_EXPECT_EQ(test, cursor, 4UL);
	KUNIT_EXPECT_FALSE(test, test_bit(3, map->hint));

	/* A limit stops before bit 7. */
	KUNIT_EXPECT_FALSE(test, pagehint_map_take_hint(map, &cursor, 7, &pfn, &nr));
	KUNIT_EXPECT_EQ(test, cursor, 7UL);
	KUNIT_ASSERT_TRUE(test, pagehint_map_take_hint(map, &cursor, ULONG_MAX, &pfn, &nr));
	KUNIT_EXPECT_EQ(test, pfn, map->base_pfn + (7UL << order));

	/* The last bit's range ends at the span's end. */
	KUNIT_ASSERT_TRUE(test, pagehint_map_take_hint(map, &cursor, ULONG_MAX, &pfn, &nr));
	KUNIT_EXPECT_EQ(test, pfn, map->base_pfn + (last << order));
	KUNIT_EXPECT_EQ(test, pfn + nr, PH_SPAN_START + PH_SPAN_PAGES);
	KUNIT_EXPECT_FALSE(test, pagehint_map_take_hint(map, &cursor, ULONG_MAX, &pfn, &nr));
	KUNIT_EXPECT_EQ(test, cursor, map->nbits);

	/* rehint puts a taken range back. */
	pagehint_map_rehint(map, map->base_pfn + (3UL << order), 1);
	cursor = 0;
	KUNIT_EXPECT_TRUE(test, pagehint_map_take_hint(map, &cursor, ULONG_MAX, &pfn, &nr));
	KUNIT_EXPECT_EQ(test, pfn, map->base_pfn + (3UL << order));
}

/*
 * Carrying a map into one of another order: hints spread to every new bit
 * they touch, "reported" only to new bits whose whole range was reported.
 */
static void map_carry(struct kunit *test)
{
	unsigned int order = *(const unsigned int *)test->param_value;
	struct pagehint_map *old = ph_map(test, order), *fine, *coarse;
	unsigned long pfn = ALIGN(PH_SPAN_START, 1UL << (order + 2));

	pagehint_map_mark_reported(old, pfn, 2UL << order);
	pagehint_map_rehint(old, pfn + (3UL << order), 1);
	fine = ph_map(test, order ? order - 1 : 0);
	coarse = ph_map(test, order + 1);
	pagehint_map_carry(fine, old);
	pagehint_map_carry(coarse, old);
	KUNIT_EXPECT_TRUE(test, pagehint_map_reported(fine, pfn, fine->order));
	KUNIT_EXPECT_TRUE(test, pagehint_map_reported(fine, pfn + (1UL << order), fine->order));
	KUNIT_EXPECT_FALSE(test, pagehint_map_reported(fine, pfn + (2UL << order), fine->order));
	KUNIT_EXPECT_TRUE(test, pagehint_map_reported(coarse, pfn, order + 1));
	KUNIT_EXPECT_FALSE(test, pagehint_map_reported(coarse, pfn + (2UL << order), order + 1));
	KUNIT_EXPECT_TRUE(test, test_bit((pfn + (3UL << order) - coarse->base_pfn) >> coarse->order,
					 coarse->hint));
	KUNIT_EXPECT_EQ(test, bitmap_weight(coarse->hint, coarse->nbits), 1U);
	KUNIT_EXPECT_EQ(test, bitmap_weight(fine->hint, fine->nbits), order ? 2U : 1U);
}

/*
 * Reuse ages: the first allocation from a block after it was freed gives
 * how long ago (ticks, 16-bit clock); later allocations in the same free
 * period, and allocations from blocks never freed, give nothing; a free
 * that finds the block hinted keeps the older stamp; a free after the
 * reuse opens a new period.  A reported block counts too: its reuse is
 * what the host faults back in.  The stamps cost the budget little at
 * any order: one per pageblock at most.
 */
static void map_reuse_age(struct kunit *test)
{
	unsigned int order = *(const unsigned int *)test->param_value;
	struct pagehint_map *map = ph_map(test, order);
	unsigned long pfn = ph_first_block(map), got, nr, cursor = 0;

	KUNIT_EXPECT_EQ(test, pagehint_map_note_reuse(map, pfn, 5), -1);
	KUNIT_EXPECT_EQ(test, pagehint_map_note_free(map, pfn, 0, 100), 1);
	KUNIT_EXPECT_EQ(test, pagehint_map_note_free(map, pfn, 0, 150), 0);
	KUNIT_EXPECT_EQ(test, pagehint_map_note_reuse(map, pfn, 160), 60);
	KUNIT_EXPECT_EQ(test, pagehint_map_note_reuse(map, pfn, 170), -1);
	/* The clock wraps: 65530 -> 4 is 10 ticks. */
	KUNIT_EXPECT_TRUE(test, pagehint_map_take_hint(map, &cursor, map->nbits, &got, &nr));
	KUNIT_EXPECT_EQ(test, pagehint_map_note_drain(map, pfn, 0, 65530), 1);
	KUNIT_EXPECT_EQ(test, pagehint_map_note_reuse(map, pfn, 4), 10);
	/* Reported, then reused. */
	cursor = 0;
	KUNIT_EXPECT_TRUE(test, pagehint_map_take_hint(map, &cursor, map->nbits, &got, &nr));
	KUNIT_EXPECT_EQ(test, pagehint_map_note_free(map, pfn, 0, 200), 1);
	cursor = 0;
	KUNIT_EXPECT_TRUE(test, pagehint_map_take_hint(map, &cursor, map->nbits, &got, &nr));
	pagehint_map_mark_reported(map, pfn, 1UL << order);
	KUNIT_EXPECT_EQ(test, pagehint_map_note_reuse(map, pfn, 1200), 1000);
	/* Outside the span. */
	KUNIT_EXPECT_EQ(test, pagehint_map_note_reuse(map, map->end_pfn, 1200), -1);
	/* Buckets: < 1 tick, < 2, < 4, ..., the last the rest. */
	KUNIT_EXPECT_EQ(test, pagehint_map_reuse_bucket(0), 0U);
	KUNIT_EXPECT_EQ(test, pagehint_map_reuse_bucket(1), 1U);
	KUNIT_EXPECT_EQ(test, pagehint_map_reuse_bucket(3), 2U);
	KUNIT_EXPECT_EQ(test, pagehint_map_reuse_bucket(60), 6U);
	KUNIT_EXPECT_EQ(test, pagehint_map_reuse_bucket(65535), PAGEHINT_REUSE_BUCKETS - 1);
	KUNIT_EXPECT_LE(test, pagehint_map_size(map->nbits, order),
			sizeof(*map) + 2 * BITS_TO_LONGS(map->nbits) * sizeof(long) +
			(map->nbits >> map->stamp_shift) * 3 + 16);
}

/*
 * A free period opens at a free when none is open, also when the block's
 * hint is set already (the worker has not taken it since an allocation
 * closed the last period): else a block reused once would never count
 * its reuses again until the worker took its hint.
 */
static void map_reuse_reopens(struct kunit *test)
{
	unsigned int order = *(const unsigned int *)test->param_value;
	struct pagehint_map *map = ph_map(test, order);
	unsigned long pfn = ph_first_block(map);

	KUNIT_EXPECT_EQ(test, pagehint_map_note_free(map, pfn, 0, 100), 1);
	KUNIT_EXPECT_EQ(test, pagehint_map_note_reuse(map, pfn, 110), 10);
	/* The hint is still set: no new hint, but a new period. */
	KUNIT_EXPECT_EQ(test, pagehint_map_note_free(map, pfn, 0, 120), 0);
	KUNIT_EXPECT_EQ(test, pagehint_map_note_reuse(map, pfn, 150), 30);
	KUNIT_EXPECT_EQ(test, pagehint_map_note_drain(map, pfn, 0, 200), 0);
	KUNIT_EXPECT_EQ(test, pagehint_map_note_reuse(map, pfn, 204), 4);
}

/*
 * How long a range has been free, for the worker: the youngest open period
 * over its stamp blocks; a stamp block with none open (allocated from
 * since its last free, or never seen free) counts as free from the look.
 */
static void map_free_age(struct kunit *test)
{
	unsigned int order = *(const unsigned int *)test->param_value;
	struct pagehint_map *map = ph_map(test, order);
	unsigned long pfn = ph_first_block(map);
	unsigned long stamp = 1UL << (map->order + map->stamp_shift);

	/* Nothing known free since the build: free from the first look. */
	KUNIT_EXPECT_EQ(test, pagehint_map_free_age(map, pfn, 1, 100), 0);
	KUNIT_EXPECT_EQ(test, pagehint_map_free_age(map, pfn, 1, 130), 30);
	/* Reused at 140, freed at 150: free since 150. */
	KUNIT_EXPECT_EQ(test, pagehint_map_note_reuse(map, pfn, 140), 40);
	KUNIT_EXPECT_EQ(test, pagehint_map_note_free(map, pfn, 0, 150), 1);
	KUNIT_EXPECT_EQ(test, pagehint_map_free_age(map, pfn, 1, 170), 20);
	/* Reused again: free from the next look on. */
	KUNIT_EXPECT_EQ(test, pagehint_map_note_reuse(map, pfn, 180), 30);
	KUNIT_EXPECT_EQ(test, pagehint_map_free_age(map, pfn, 1, 190), 0);
	KUNIT_EXPECT_EQ(test, pagehint_map_free_age(map, pfn, 1, 200), 10);
	/* The clock wraps. */
	KUNIT_EXPECT_EQ(test, pagehint_map_note_reuse(map, pfn, 65530), 65340);
	KUNIT_EXPECT_EQ(test, pagehint_map_note_free(map, pfn, 0, 65530), 0);
	KUNIT_EXPECT_EQ(test, pagehint_map_free_age(map, pfn, 1, 6), 12);
	/* Over two stamp blocks (pfn's and the next), the younger counts. */
	if (pfn + stamp < map->end_pfn) {
		KUNIT_EXPECT_EQ(test, pagehint_map_note_free(map, pfn + stamp, 0, 20), 1);
		KUNIT_EXPECT_EQ(test, pagehint_map_free_age(map, pfn, stamp + 1, 30), 10);
	}
	/* Outside the span: unknown. */
	KUNIT_EXPECT_EQ(test, pagehint_map_free_age(map, map->end_pfn, 1, 30), -1);
}

static struct kunit_case pagehint_map_cases[] = {
	KUNIT_CASE_PARAM(map_order_budget, ph_order_gen),
	KUNIT_CASE(map_alloc_errors),
	KUNIT_CASE_PARAM(map_free_alloc, ph_order_gen),
	KUNIT_CASE_PARAM(map_reported, ph_order_gen),
	KUNIT_CASE_PARAM(map_span_edges, ph_order_gen),
	KUNIT_CASE_PARAM(map_take_hint, ph_order_gen),
	KUNIT_CASE_PARAM(map_carry, ph_order_gen),
	KUNIT_CASE_PARAM(map_reuse_age, ph_order_gen),
	KUNIT_CASE_PARAM(map_reuse_reopens, ph_order_gen),
	KUNIT_CASE_PARAM(map_free_age, ph_order_gen),
	{}
};

static struct kunit_suite pagehint_map_suite = {
	.name = "pagehint_map",
	.test_cases = pagehint_map_cases,
};

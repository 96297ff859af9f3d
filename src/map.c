// SPDX-License-Identifier: GPL-2.0
/*
 * The free page map: the tracker's bounded metadata, as pure bitmap logic
 * with no globals, so that KUnit can drive it.  The tracker (tracker.c)
 * owns the current map and feeds it the allocator's events.
 *
 * Structure: one PFN-indexed map over the span of the nodes online at build
 * time, holding two bitmaps with one bit per naturally aligned block of
 * 2^order pages (the map's granularity):
 *
 *   hint      the block may hold free memory that was not reported since:
 *             set when a page in it enters the buddy lists: freed there
 *             (mm_page_free of an order the per-cpu lists do not take)
 *             or drained there from a per-cpu list (mm_page_pcpu_drain,
 *             unless the block is marked reported: draining changes no
 *             content); cleared when an allocation takes the whole block
 *             out of the buddy lists (mm_page_alloc_zone_locked,
 *             mm_page_alloc_extfrag) and when the worker takes the hint;
 *   reported  pagehint reported the block and nothing freed in it since:
 *             set by the worker before it releases a reported block,
 *             cleared by every free inside it and by an allocation of the
 *             whole block.
 *
 * and, to learn how soon freed memory is used again, per stamp block (a
 * pageblock, or a block of the map's order if that is larger; few enough
 * that they cost the budget little at any order):
 *
 *   reused    no free period is open: an allocation took pages from the
 *             stamp block since its last free (set at build: nothing is
 *             known to be free), cleared by a free that hints a block in
 *             it (new hint or not), or by the worker finding free memory
 *             there (pagehint_map_free_age());
 *   since     when that was, in ticks of PAGEHINT_TICK_MS.
 *
 * The first allocation from the stamp block after that counts its age
 * once and closes the period.  Both are written once per period, not per
 * event: the hooks read them first.  The worker reports a block only once
 * its period is old enough (report.c), so memory about to be used again
 * is left alone.
 *
 * The granularity is report_order when the budget (bitmap_budget_kib)
 * allows, else the smallest coarser order that fits.  Each bit is one
 * "free block of at least report_order" candidate either way: a coarser
 * bit only makes the worker walk more of the range it names.
 */

#include <linux/bitmap.h>
#include <linux/bitops.h>
#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>

#include "pagehint.h"
#include "map.h"

/*
 * Smallest granularity >= report_order at which a map of [start, end) fits
 * in budget bytes, or -1 if none up to PAGEHINT_MAP_MAX_ORDER does.
 */
int pagehint_map_order(unsigned long start, unsigned long end,
		       unsigned int report_order, size_t budget)
{
	unsigned int order;

	for (order = report_order; order <= PAGEHINT_MAP_MAX_ORDER; order++) {
		unsigned long base = round_down(start, 1UL << order);
		unsigned long nbits = DIV_ROUND_UP(end - base, 1UL << order);

		if (pagehint_map_size(nbits, order) <= budget)
			return order;
	}
	return -1;
}

static unsigned int pagehint_map_stamp_shift(unsigned int order)
{
	return order < pageblock_order ? pageblock_order - order : 0;
}

static unsigned long pagehint_map_stamps(unsigned long nbits, unsigned int order)
{
	return DIV_ROUND_UP(nbits, 1UL << pagehint_map_stamp_shift(order));
}

/* The bytes of a map of @nbits at @order. */
size_t pagehint_map_size(unsigned long nbits, unsigned int order)
{
	unsigned long stamps = pagehint_map_stamps(nbits, order);

	return sizeof(struct pagehint_map) +
	       2 * BITS_TO_LONGS(nbits) * sizeof(unsigned long) +
	       BITS_TO_LONGS(stamps) * sizeof(unsigned long) +
	       stamps * sizeof(u16);
}

struct pagehint_map *pagehint_map_alloc(unsigned long start, unsigned long end,
					unsigned int report_order,
					size_t budget)
{
	struct pagehint_map *map;
	unsigned long nbits, words;
	int order;

	if (start >= end)
		return ERR_PTR(-EINVAL);
	order = pagehint_map_order(start, end, report_order, budget);
	if (order < 0)
		return ERR_PTR(-E2BIG);
	start = round_down(start, 1UL << order);
	nbits = DIV_ROUND_UP(end - start, 1UL << order);
	words = BITS_TO_LONGS(nbits);
	map = kvzalloc(pagehint_map_size(nbits, order), GFP_KERNEL);
	if (!map)
		return ERR_PTR(-ENOMEM);
	map->base_pfn = start;
	map->end_pfn = end;
	map->nbits = nbits;
	map->order = order;
	map->report_order = report_order;
	map->hint = map->words;
	map->reported = map->words + words;
	map->stamp_shift = pagehint_map_stamp_shift(order);
	map->reused = map->words + 2 * words;
	bitmap_fill(map->reused, pagehint_map_stamps(nbits, order));
	map->since = (u16 *)(map->reused +
			     BITS_TO_LONGS(pagehint_map_stamps(nbits, order)));
	return map;
}

void pagehint_map_free(struct pagehint_map *map)
{
	kvfree(map);
}

/* The map's bits covering [pfn, pfn + nr); false if outside the span. */
static bool pagehint_map_bits(const struct pagehint_map *map, unsigned long pfn,
			      unsigned long nr, unsigned long *first,
			      unsigned long *last)
{
	if (pfn < map->base_pfn || pfn + nr > map->end_pfn || !nr)
		return false;
	*first = (pfn - map->base_pfn) >> map->order;
	*last = (pfn + nr - 1 - map->base_pfn) >> map->order;
	return true;
}

/*
 * Clear the "reported" bits first..last, each read before it is written:
 * the hooks come here on every per-cpu free, and a bit already clear must
 * cost no write to a line every CPU shares.
 */
static void pagehint_map_unreport_bits(struct pagehint_map *map,
				       unsigned long first, unsigned long last)
{
	for (; first <= last; first++) {
		if (test_bit(first, map->reported))
			clear_bit(first, map->reported);
	}
}

/*
 * Open a free period of stamp block @s @now if none is open.  The stamp is
 * written before the period opens: an allocation that sees it open reads
 * the stamp after (pagehint_map_note_reuse()).
 */
static void pagehint_map_open_period(struct pagehint_map *map, unsigned long s,
				     u16 now)
{
	if (test_bit(s, map->reused)) {
		WRITE_ONCE(map->since[s], now);
		clear_bit_unlock(s, map->reused);
	}
}

/*
 * Hint the block at @bit, if it is not, and open a free period of its
 * stamp block if none is (also when the hint was set already: an
 * allocation closed the period since).  Returns whether the hint is new.
 */
static int pagehint_map_hint_bit(struct pagehint_map *map, unsigned long bit,
				 u16 now)
{
	int set = !test_bit(bit, map->hint) &&
		  !test_and_set_bit(bit, map->hint);

	pagehint_map_open_period(map, bit >> map->stamp_shift, now);
	return set;
}

/*
 * A free of 2^order pages at pfn: hint the blocks, forget they were
 * reported.  Returns the hints newly set, or -ERANGE outside the span.
 */
int pagehint_map_note_free(struct pagehint_map *map, unsigned long pfn,
			   unsigned int order, u16 now)
{
	unsigned long first, last;
	int set = 0;

	if (!pagehint_map_bits(map, pfn, 1UL << order, &first, &last))
		return -ERANGE;
	for (; first <= last; first++) {
		if (test_bit(first, map->reported))
			clear_bit(first, map->reported);
		set += pagehint_map_hint_bit(map, first, now);
	}
	return set;
}

/*
 * 2^order free pages at pfn moved from a per-cpu list into the buddy lists:
 * their content did not change, so a block still marked reported stays so
 * (pagehint's own released pages drain this way, long after the release);
 * others get a hint.  Returns the hints newly set, or -ERANGE.
 */
int pagehint_map_note_drain(struct pagehint_map *map, unsigned long pfn,
			    unsigned int order, u16 now)
{
	unsigned long first, last;
	int set = 0;

	if (!pagehint_map_bits(map, pfn, 1UL << order, &first, &last))
		return -ERANGE;
	for (; first <= last; first++) {
		if (!test_bit(first, map->reported))
			set += pagehint_map_hint_bit(map, first, now);
	}
	return set;
}

/*
 * An allocation took pages at @pfn out of the buddy lists @now.  If their
 * stamp block has a free period open, close it and return how long ago it
 * opened, in ticks: the first reuse since the block was freed, counted
 * once.  Else (and outside the span) -1.
 */
int pagehint_map_note_reuse(struct pagehint_map *map, unsigned long pfn,
			    u16 now)
{
	unsigned long s;

	if (pfn < map->base_pfn || pfn >= map->end_pfn)
		return -1;
	s = ((pfn - map->base_pfn) >> map->order) >> map->stamp_shift;
	if (test_bit(s, map->reused) || test_and_set_bit(s, map->reused))
		return -1;
	return (u16)(now - READ_ONCE(map->since[s]));
}

/*
 * How long the memory of [pfn, pfn + nr) has been free, in ticks: the age
 * of the youngest free period over its stamp blocks.  A stamp block with
 * no period open was allocated from since its last free: its period opens
 * @now (the worker saw it free), and it counts as free since @now.  -1
 * outside the span.
 */
int pagehint_map_free_age(struct pagehint_map *map, unsigned long pfn,
			  unsigned long nr, u16 now)
{
	unsigned long first, last;
	int age = -1;

	if (!pagehint_map_bits(map, pfn, nr, &first, &last))
		return -1;
	for (first >>= map->stamp_shift, last >>= map->stamp_shift;
	     first <= last; first++) {
		int a;

		pagehint_map_open_period(map, first, now);
		a = (u16)(now - READ_ONCE(map->since[first]));
		if (age < 0 || a < age)
			age = a;
	}
	return age;
}

/* The bucket of a reuse @age in ticks: < 1 tick, < 2, < 4, ... , the rest. */
unsigned int pagehint_map_reuse_bucket(unsigned int age)
{
	return min_t(unsigned int, fls(age), PAGEHINT_REUSE_BUCKETS - 1);
}

/*
 * 2^order pages at pfn freed to a per-cpu list: not free blocks yet, and
 * maybe handed out again before they reach the buddy lists, where
 * mm_page_pcpu_drain hints them.  Only "reported" is forgotten, read before
 * it is written, so that a page going round a per-cpu list (every order-0
 * fault's) writes no shared line.  Returns 0, or -ERANGE outside the span.
 */
int pagehint_map_note_pcp_free(struct pagehint_map *map, unsigned long pfn,
			       unsigned int order)
{
	unsigned long first, last;

	if (!pagehint_map_bits(map, pfn, 1UL << order, &first, &last))
		return -ERANGE;
	pagehint_map_unreport_bits(map, first, last);
	return 0;
}

/*
 * An allocation of 2^order pages at pfn.  A block it covers whole holds no
 * free memory now: it loses its hint, and is no longer as reported.  A
 * smaller allocation changes nothing and writes nothing (it is not even
 * looked at: every order-0 fault comes here).  The rest of the block may
 * still be free, so the hint stays; clearing it would write the map's
 * shared line each time a per-cpu list refills from a block a drain just
 * hinted, and the worker drops a hint that names no free block when it
 * looks.  "reported" stays too: the block is not a free block while the
 * page is out, so nothing claims it, and the page's free forgets it.
 * Returns the hints cleared, or -ERANGE outside the span.
 */
int pagehint_map_note_alloc(struct pagehint_map *map, unsigned long pfn,
			    unsigned int order)
{
	unsigned long first, last;
	int cleared = 0;

	if (order < map->order)
		return 0;
	if (!pagehint_map_bits(map, pfn, 1UL << order, &first, &last))
		return -ERANGE;
	for (; first <= last; first++) {
		if (test_bit(first, map->reported))
			clear_bit(first, map->reported);
		if (test_bit(first, map->hint) &&
		    test_and_clear_bit(first, map->hint))
			cleared++;
	}
	return cleared;
}

/* Were all blocks of [pfn, pfn + 2^order) reported, and not touched since? */
bool pagehint_map_reported(const struct pagehint_map *map, unsigned long pfn,
			   unsigned int order)
{
	unsigned long first, last;

	if (order < map->order ||
	    !pagehint_map_bits(map, pfn, 1UL << order, &first, &last))
		return false;
	for (; first <= last; first++) {
		if (!test_bit(first, map->reported))
			return false;
	}
	return true;
}

/* Mark the blocks wholly inside [pfn, pfn + nr) reported. */
void pagehint_map_mark_reported(struct pagehint_map *map, unsigned long pfn,
				unsigned long nr)
{
	unsigned long first, end;

	if (pfn < map->base_pfn || pfn + nr > map->end_pfn)
		return;
	first = DIV_ROUND_UP(pfn - map->base_pfn, 1UL << map->order);
	end = (pfn + nr - map->base_pfn) >> map->order;
	for (; first < end; first++)
		set_bit(first, map->reported);
}

/* Forget that the blocks overlapping [pfn, pfn + nr) were reported. */
void pagehint_map_unreport(struct pagehint_map *map, unsigned long pfn,
			   unsigned long nr)
{
	unsigned long first, last;

	if (pagehint_map_bits(map, pfn, nr, &first, &last))
		pagehint_map_unreport_bits(map, first, last);
}

/* Set the hints of [pfn, pfn + nr) again (a candidate put back). */
void pagehint_map_rehint(struct pagehint_map *map, unsigned long pfn,
			 unsigned long nr)
{
	unsigned long first, last;

	if (!pagehint_map_bits(map, pfn, nr, &first, &last))
		return;
	for (; first <= last; first++)
		set_bit(first, map->hint);
}

/*
 * Take the next hint in bits [*cursor, limit): clear it and return the PFN
 * range it names, clipped to the span.  False when none is left.
 */
bool pagehint_map_take_hint(struct pagehint_map *map, unsigned long *cursor,
			    unsigned long limit, unsigned long *pfn,
			    unsigned long *nr)
{
	unsigned long bit = *cursor;

	limit = min(limit, map->nbits);
	for (;;) {
		bit = find_next_bit(map->hint, limit, bit);
		if (bit >= limit) {
			*cursor = limit;
			return false;
		}
		if (test_and_clear_bit(bit, map->hint))
			break;
		bit++;
	}
	*cursor = bit + 1;
	*pfn = map->base_pfn + (bit << map->order);
	*nr = min(*pfn + (1UL << map->order), map->end_pfn) - *pfn;
	return true;
}

/*
 * Carry what @old knows into @new, a map of another granularity or span:
 * a bit of @new is hinted if any bit of @old over its range is, and
 * reported if every bit of @old over its range is (an @old bit covers all
 * of its block).  Outside @old's span nothing is known.  Free periods are
 * not carried: they start over with the next free.
 */
void pagehint_map_carry(struct pagehint_map *new, const struct pagehint_map *old)
{
	unsigned long bit, pfn, end, first, last, i;
	bool hinted, reported;

	for (bit = 0; bit < new->nbits; bit++) {
		pfn = new->base_pfn + (bit << new->order);
		end = min(pfn + (1UL << new->order), new->end_pfn);
		if (!pagehint_map_bits(old, pfn, end - pfn, &first, &last))
			continue;
		hinted = false;
		reported = true;
		for (i = first; i <= last; i++) {
			hinted |= test_bit(i, old->hint);
			reported &= test_bit(i, old->reported);
		}
		if (hinted)
			__set_bit(bit, new->hint);
		if (reported)
			__set_bit(bit, new->reported);
	}
}

/* Forget the hints and the reported marks of [pfn, pfn + nr), clipped. */
void pagehint_map_forget(struct pagehint_map *map, unsigned long pfn,
			 unsigned long nr)
{
	unsigned long s = max(pfn, map->base_pfn);
	unsigned long e = min(pfn + nr, map->end_pfn);
	unsigned long first, last;

	if (s >= e || !pagehint_map_bits(map, s, e - s, &first, &last))
		return;
	/* Bit by bit: hooks set bits in the same words meanwhile. */
	for (; first <= last; first++) {
		clear_bit(first, map->hint);
		clear_bit(first, map->reported);
	}
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The learned free time: how long a freed block must have stayed free
 * before the worker reports it.
 *
 * Reporting a block that is allocated again soon after costs the guest a
 * claim (zeroing, under init_on_alloc) and the host a fault to bring the
 * memory back; not reporting a block that stays free costs the host its
 * memory for as long.  The hooks count, per age bucket, how long freed
 * blocks stayed free before their first reuse (tracker.c, sysfs
 * "reuse_ms").  Memory that has stayed free longer than nearly all of the
 * recent reuses took is unlikely to be reused soon: the worker waits for
 * that age, the upper edge of the bucket under which PAGEHINT_LEARN_PCT of
 * the recent reuses fall, and no longer than PAGEHINT_LEARN_MAX_MS.  With
 * fewer than PAGEHINT_LEARN_MIN recent reuses nothing churns: no wait, a
 * bulk free goes at the next pass.
 *
 * "Recent": every PAGEHINT_LEARN_PERIOD_MS (pagehint_learn_due()) the
 * counts gained since the last update are added to a histogram whose older
 * contents decay by 1/8.  Pure functions of their arguments: KUnit drives
 * them.
 */

#include <linux/bits.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/string.h>

#include "learn.h"

#define PAGEHINT_LEARN_PERIOD_MS	1000
#define PAGEHINT_LEARN_PCT		90
#define PAGEHINT_LEARN_MIN		64
#define PAGEHINT_LEARN_MAX_MS		10000
/*
 * The histogram's fixed point: a reuse counts 1 << PAGEHINT_LEARN_SHIFT.
 * At most PAGEHINT_LEARN_CAP reuses a bucket count per period (2 TiB of
 * pageblocks each reused once a second), so that a bucket, which decays
 * to 8 periods' worth, stays below 2^31 and their sum below 2^36.
 */
#define PAGEHINT_LEARN_SHIFT		8
#define PAGEHINT_LEARN_CAP		BIT(20)

void pagehint_learn_reset(struct pagehint_learn *l, const unsigned long *counts,
			  unsigned long now_ms)
{
	memcpy(l->seen, counts, sizeof(l->seen));
	memset(l->recent, 0, sizeof(l->recent));
	l->last_ms = now_ms;
	l->free_ms = 0;
}

static unsigned int pagehint_learn_threshold(const unsigned long *recent)
{
	u64 total = 0, sum = 0;
	unsigned int b;

	for (b = 0; b < PAGEHINT_REUSE_BUCKETS; b++)
		total += recent[b];
	if (total < (u64)PAGEHINT_LEARN_MIN << PAGEHINT_LEARN_SHIFT)
		return 0;
	for (b = 0; b < PAGEHINT_REUSE_BUCKETS - 1; b++) {
		sum += recent[b];
		if (sum * 100 >= total * PAGEHINT_LEARN_PCT)
			break;
	}
	/* Bucket b holds ages below PAGEHINT_TICK_MS << b. */
	return min_t(u64, (u64)PAGEHINT_TICK_MS << b, PAGEHINT_LEARN_MAX_MS);
}

/* Whether an update is due at @now_ms. */
bool pagehint_learn_due(const struct pagehint_learn *l, unsigned long now_ms)
{
	return now_ms - l->last_ms >= PAGEHINT_LEARN_PERIOD_MS;
}

/*
 * Take in the hooks' cumulative reuse @counts at @now_ms and return the
 * free time learned, in ms, for the caller to store in l->free_ms.
 */
unsigned int pagehint_learn_update(struct pagehint_learn *l,
				   const unsigned long *counts,
				   unsigned long now_ms)
{
	unsigned int b;

	l->last_ms = now_ms;
	for (b = 0; b < PAGEHINT_REUSE_BUCKETS; b++) {
		unsigned long delta = counts[b] - l->seen[b];

		l->seen[b] = counts[b];
		l->recent[b] -= l->recent[b] >> 3;
		l->recent[b] += min(delta, PAGEHINT_LEARN_CAP) << PAGEHINT_LEARN_SHIFT;
	}
	return pagehint_learn_threshold(l->recent);
}

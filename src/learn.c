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
 * "reuse_ms").  A report pays when the block then stays free for at least
 * PAGEHINT_LEARN_WORTH_MS more: the host has the memory for that long,
 * for one claim and one refault.  The worker waits for the shortest age
 * past which at most 100 - PAGEHINT_LEARN_PCT percent of the recent
 * reuses would have been reported without paying (pagehint_learn_loss()):
 * the end of a burst of quick reuses, and no wait at all for memory that
 * is reused only seconds later.  (Waiting until PAGEHINT_LEARN_PCT percent
 * of the reuses are over, as before, never reported memory that a job
 * reuses every few seconds.)  No longer than PAGEHINT_LEARN_MAX_MS.  With fewer
 * than PAGEHINT_LEARN_MIN recent reuses nothing churns: no wait, a bulk
 * free goes at the next pass.
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
#define PAGEHINT_LEARN_WORTH_MS		2000
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

/*
 * The recent reuses a report at @wait_ms would not have paid for: those
 * at an age past the wait, which may have stayed free less than
 * PAGEHINT_LEARN_WORTH_MS beyond it.  Bucket b (b > 0) holds ages from
 * PAGEHINT_TICK_MS << (b - 1) up to twice that, bucket 0 those below
 * PAGEHINT_TICK_MS; an age is taken at its bucket's lower edge.
 */
static u64 pagehint_learn_loss(const unsigned long *recent, u64 wait_ms)
{
	u64 loss = 0, lo;
	unsigned int b;

	for (b = 0; b < PAGEHINT_REUSE_BUCKETS; b++) {
		lo = b ? (u64)PAGEHINT_TICK_MS << (b - 1) : 0;
		if (lo >= wait_ms && lo < wait_ms + PAGEHINT_LEARN_WORTH_MS)
			loss += recent[b];
	}
	return loss;
}

/*
 * The shortest wait, none or a bucket's upper edge, past which few of the
 * recent reuses would have been reported for nothing.  The last edge is
 * past every bucket: the loop ends there at the latest.
 */
static unsigned int pagehint_learn_threshold(const unsigned long *recent)
{
	u64 total = 0, wait_ms = 0;
	unsigned int b;

	for (b = 0; b < PAGEHINT_REUSE_BUCKETS; b++)
		total += recent[b];
	if (total < (u64)PAGEHINT_LEARN_MIN << PAGEHINT_LEARN_SHIFT)
		return 0;
	for (b = 0; b <= PAGEHINT_REUSE_BUCKETS; b++) {
		if (pagehint_learn_loss(recent, wait_ms) * 100 <=
		    total * (100 - PAGEHINT_LEARN_PCT))
			break;
		wait_ms = (u64)PAGEHINT_TICK_MS << b;
	}
	return min_t(u64, wait_ms, PAGEHINT_LEARN_MAX_MS);
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

// SPDX-License-Identifier: GPL-2.0
/*
 * The worker: every delay_ms, walk the populated zones for free blocks of at
 * least report_order, skip the ones reported and not reallocated since,
 * coalesce adjacent ones, claim them, report them in batches of up to
 * PAGEHINT_CAPACITY ranges and max_inflight_kib, and release them after the
 * host's ack.
 *
 * It runs on system_freezable_wq, so it is never running across a system
 * freeze; virtio.c also stops it before the queues go away (remove, freeze)
 * and starts it again after (restore).
 */

#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "pagehint.h"

static struct pagehint_worker {
	struct delayed_work work;
	/* The batch claimed and, while a report is out, on the device. */
	struct pagehint_batch batch;
	struct scatterlist sgl[PAGEHINT_CAPACITY];
	/* Per-zone scan cursors (PFN): [nid * MAX_NR_ZONES + zone index]. */
	unsigned long *cursors;
	/*
	 * The device reported to, and whether the worker may run.  Protected
	 * by lock; the work function reads them with READ_ONCE() (the device
	 * stays valid until pagehint_worker_stop() has returned).
	 */
	struct mutex lock;
	struct pagehint_dev *pdev;
	bool running;
} pagehint_worker;

static unsigned long pagehint_max_pages(unsigned int order)
{
	unsigned long kib = READ_ONCE(pagehint_knobs.max_inflight_kib);

	return max(kib >> (PAGE_SHIFT - 10), 1UL << order);
}

/*
 * Report the batch and release it.  -ESHUTDOWN: the device is going away
 * with the report unacknowledged, and the batch stays claimed until the
 * device is reset (pagehint_worker_release_inflight()).  Any other error:
 * the device refused the report; the batch was released unreported.
 */
static int pagehint_flush(struct pagehint_worker *w, struct pagehint_dev *pdev)
{
	struct pagehint_batch *batch = &w->batch;
	unsigned long bytes = batch->nr_pages << PAGE_SHIFT;
	unsigned int nents;
	int err;

	if (!batch->nr)
		return 0;
	nents = pagehint_batch_to_sg(batch, w->sgl);
	err = pagehint_dev_report(pdev, w->sgl, nents);
	if (err == -ESHUTDOWN)
		return err;
	if (err) {
		pagehint_stat_add(&pagehint_stats.report_errors, 1);
	} else {
		pagehint_stat_add(&pagehint_stats.reports, 1);
		pagehint_stat_add(&pagehint_stats.reported_bytes, bytes);
	}
	pagehint_batch_release(batch, !err);
	return err;
}

/*
 * The next run of adjacent, unreported free blocks in @zone, at most
 * @room pages.  A block that does not continue the run is left for the
 * next call.
 */
static bool pagehint_next_run(struct zone *zone, unsigned long *cursor,
			      unsigned int order, unsigned long room,
			      unsigned long *start, unsigned long *len)
{
	struct pagehint_block block;

	*len = 0;
	while (*len < room && pagehint_scan_next(zone, cursor, order, &block)) {
		if (pagehint_tracker_reported(block.pfn, block.order)) {
			pagehint_stat_add(&pagehint_stats.skipped_reported, 1);
			if (*len)
				break;
			continue;
		}
		if (!*len) {
			*start = block.pfn;
		} else if (block.pfn != *start + *len) {
			*cursor = block.pfn;	/* not adjacent: next run */
			break;
		}
		*len += 1UL << block.order;
	}
	if (*len > room) {
		/* Leave the rest of the last block for the next batch. */
		*cursor = *start + room;
		*len = room;
	}
	return *len;
}

/*
 * Report @zone's unreported free memory from *cursor on, in at most @budget
 * batches.  Returns the batches used, or an error that ends the pass:
 * -ESHUTDOWN when the device is leaving, another error when it refused a
 * report.
 */
static int pagehint_report_zone(struct pagehint_worker *w,
				struct pagehint_dev *pdev, struct zone *zone,
				unsigned long *cursor, unsigned int order,
				int budget)
{
	struct pagehint_batch *batch = &w->batch;
	unsigned long start, len, room;
	int batches = 0, err = 0;

	/* Too small to ever pass the guard (ZONE_DMA): not worth a count. */
	if (!pagehint_zone_guard_ok(zone, order, 0) &&
	    zone_managed_pages(zone) <= low_wmark_pages(zone) +
					((unsigned long)PAGEHINT_CAPACITY << order))
		return 0;
	if (*cursor >= zone_end_pfn(zone) || *cursor < zone->zone_start_pfn)
		*cursor = zone->zone_start_pfn;

	while (batches < budget && !pagehint_dev_stopping(pdev)) {
		room = batch->max_pages - batch->nr_pages;
		if (!pagehint_zone_guard_ok(zone, order, room)) {
			pagehint_stat_add(&pagehint_stats.guard_skips, 1);
			break;
		}
		if (!pagehint_next_run(zone, cursor, order, room, &start, &len)) {
			*cursor = zone->zone_start_pfn;	/* wrapped: done */
			break;
		}
		err = pagehint_claim(batch, zone, start, len);
		if (err == -ENOSPC || err == -EAGAIN) {
			*cursor = start;		/* retry after the flush */
		} else if (batch->nr < PAGEHINT_CAPACITY &&
			   batch->nr_pages < batch->max_pages) {
			continue;	/* claimed, or not free after all */
		}
		batches++;
		err = pagehint_flush(w, pdev);
		if (err)
			return err;
	}
	if (batch->nr) {
		batches++;
		err = pagehint_flush(w, pdev);
	}
	return err ?: batches;
}

static void pagehint_work_fn(struct work_struct *work)
{
	struct pagehint_worker *w = container_of(to_delayed_work(work),
						 struct pagehint_worker, work);
	struct pagehint_dev *pdev = READ_ONCE(w->pdev);
	unsigned int order, delay_ms;
	int nid, zid, used, budget = PAGEHINT_PASS_BATCHES;
	bool busy = false;

	if (!READ_ONCE(w->running) || !pdev || !READ_ONCE(pagehint_knobs.enabled))
		return;

	order = READ_ONCE(pagehint_knobs.report_order);
	pagehint_batch_init(&w->batch, pagehint_max_pages(order));
	pagehint_stat_add(&pagehint_stats.passes, 1);

	for_each_online_node(nid) {
		for (zid = 0; zid < MAX_NR_ZONES; zid++) {
			struct zone *zone = &NODE_DATA(nid)->node_zones[zid];

			if (!populated_zone(zone) || budget <= 0)
				continue;
			used = pagehint_report_zone(w, pdev, zone,
						    &w->cursors[nid * MAX_NR_ZONES + zid],
						    order, budget);
			if (used == -ESHUTDOWN)
				return;		/* the device is leaving */
			if (used < 0) {
				budget = 0;	/* refused: try again later */
				continue;
			}
			budget -= used;
			busy |= used > 0;
		}
	}

	delay_ms = READ_ONCE(pagehint_knobs.delay_ms);
	/* Idle, or finished before the budget ran out: not again at once. */
	if (!busy || budget > 0)
		delay_ms = max_t(unsigned int, delay_ms, PAGEHINT_MIN_IDLE_MS);
	if (READ_ONCE(w->running))
		queue_delayed_work(system_freezable_wq, &w->work,
				   msecs_to_jiffies(delay_ms));
}

/* Run a pass now (knob changes); a no-op while no device is served. */
void pagehint_kick(void)
{
	struct pagehint_worker *w = &pagehint_worker;

	mutex_lock(&w->lock);
	if (w->running)
		mod_delayed_work(system_freezable_wq, &w->work, 0);
	mutex_unlock(&w->lock);
}

void pagehint_worker_start(struct pagehint_dev *pdev)
{
	struct pagehint_worker *w = &pagehint_worker;

	mutex_lock(&w->lock);
	WRITE_ONCE(w->pdev, pdev);
	WRITE_ONCE(w->running, true);
	/* The first pass reports what was freed before pagehint came. */
	mod_delayed_work(system_freezable_wq, &w->work, 0);
	mutex_unlock(&w->lock);
}

/*
 * Stop the worker and wait for it.  The caller has made the device's
 * pagehint_dev_stopping() true and woken any wait for an ack first.
 */
void pagehint_worker_stop(void)
{
	struct pagehint_worker *w = &pagehint_worker;

	mutex_lock(&w->lock);
	WRITE_ONCE(w->running, false);
	mutex_unlock(&w->lock);
	cancel_delayed_work_sync(&w->work);
	mutex_lock(&w->lock);
	WRITE_ONCE(w->pdev, NULL);
	mutex_unlock(&w->lock);
}

/*
 * After the device was reset, give back what was on its queue without an
 * ack: the device can no longer touch it.  Not marked reported.
 */
void pagehint_worker_release_inflight(void)
{
	struct pagehint_worker *w = &pagehint_worker;

	if (w->batch.nr)
		pagehint_batch_release(&w->batch, false);
}

int pagehint_worker_init(void)
{
	struct pagehint_worker *w = &pagehint_worker;

	w->cursors = kcalloc(nr_node_ids * MAX_NR_ZONES, sizeof(*w->cursors),
			     GFP_KERNEL);
	if (!w->cursors)
		return -ENOMEM;
	mutex_init(&w->lock);
	INIT_DELAYED_WORK(&w->work, pagehint_work_fn);
	pagehint_batch_init(&w->batch, 0);
	return 0;
}

void pagehint_worker_exit(void)
{
	struct pagehint_worker *w = &pagehint_worker;

	/* virtio.c has stopped the worker when the driver went away. */
	WARN_ON_ONCE(w->running || w->batch.nr);
	kfree(w->cursors);
	w->cursors = NULL;
	mutex_destroy(&w->lock);
}

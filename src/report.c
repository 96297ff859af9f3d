// SPDX-License-Identifier: GPL-2.0
/*
 * The worker.  Every delay_ms it runs a pass:
 *
 *  1. hints first: take the free page map's hints (tracker.c), find the
 *     free buddy blocks of at least report_order they name, and report the
 *     ones not reported since;
 *  2. then the exhaustive scan, for the zones that need one: after an
 *     overflow of the map and at load (scan=auto), in every pass
 *     (scan=always, or when the hooks are missing), never (scan=never).  A
 *     scan walks at most scan_budget_pages of PFN span per pass and
 *     resumes where it stopped; a zone whose map overflowed again while it
 *     was being scanned is scanned again.
 *
 * Candidates are coalesced when adjacent, gathered in waves of up to
 * PAGEHINT_WAVE ranges and max_inflight_kib, claimed a wave at a time
 * (claim.c: together, so that the claims share their RCU grace periods),
 * reported PAGEHINT_CAPACITY ranges at a time, and released after the
 * host's ack of each report.  A pass makes at most PAGEHINT_PASS_BATCHES
 * reports, and finishes the wave it claimed.
 *
 * What the host does with the reports it acks is learned by host.c: a host
 * that discards only blocks of some order has the worker report only
 * those, one that discards nothing gets a report a minute.
 *
 * A block is reported once it has been free for min_free_ms, by default as
 * long as learn.c learns from how soon freed memory was used again: a
 * younger one is hinted again for a later pass, which comes when the
 * youngest of them is old enough (at most delay_ms later).  Memory about
 * to be used again is so not claimed, zeroed and faulted back in; with no
 * reuse seen, nothing waits.  A free that sets a new hint while the worker
 * sleeps brings the next pass forward (pagehint_worker_hinted()), so that
 * what is freed in bulk goes at once.
 *
 * It runs on system_freezable_wq, so it is never running across a system
 * freeze; virtio.c also stops it before the queues go away (remove, freeze)
 * and starts it again after (restore).  A PM notifier ends a pass as soon as
 * a suspend or hibernation begins: the freezer waits for a running pass, and
 * a long one (seconds, when claims zero memory) would delay the sleep.
 */

#include <linux/bitops.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/slab.h>
#include <linux/suspend.h>
#include <linux/workqueue.h>

#include <trace/events/pagehint.h>

#include "pagehint.h"
#include "host.h"
#include "learn.h"

/* Batches per pass before the worker yields and reschedules itself. */
#define PAGEHINT_PASS_BATCHES	16

/*
 * Completed zone scans after which scan-only mode forgets what it reported
 * (without hooks, the only way to see a block reused between two scans).
 */
#define PAGEHINT_SCANONLY_FORGET	16

/* Delay of an idle pass when delay_ms is 0, so tests never spin. */
#define PAGEHINT_MIN_IDLE_MS	10

/* The earliest a pass looks again at blocks it found too young. */
#define PAGEHINT_YOUNG_MIN_MS	100

/* The earliest a free brings the next pass forward to (the hooks' kick). */
#define PAGEHINT_KICK_MS	20

/* Per-zone exhaustive scan state; only the worker touches it. */
struct pagehint_zone_scan {
	unsigned long cursor;	/* next PFN; 0 when no scan is under way */
	long gen;		/* overflow generation when the scan began */
	unsigned long found;	/* pages in free blocks found (tracepoint) */
	unsigned long fresh;	/* ... not reported already */
};

/* A run of adjacent candidates, not claimed yet. */
struct pagehint_run {
	struct zone *zone;
	unsigned long start;
	unsigned long len;
	enum pagehint_source src;
	int mt;			/* its pageblocks' type: one per claim */
};

static struct pagehint_worker {
	struct delayed_work work;
	/* The wave proposed, then claimed and waiting for its reports. */
	struct pagehint_batch wave;
	/* A report taken from the wave and, while it is out, on the device. */
	struct pagehint_batch batch;
	struct scatterlist sgl[PAGEHINT_CAPACITY];
	struct pagehint_run run;
	/* The map bit where the next pass takes hints from. */
	unsigned long hint_cursor;
	/* What the host bound now does with reports (host.c). */
	struct pagehint_host host;
	/* How long freed memory must stay free to be reported (learn.c). */
	struct pagehint_learn learn;
	/* Zone scans completed without hooks (PAGEHINT_SCANONLY_FORGET). */
	unsigned long scanonly_scans;
	/* Per zone: [nid * MAX_NR_ZONES + zone index]. */
	struct pagehint_zone_scan *scans;
	/*
	 * The batch is on the device, not acked yet: across passes when a
	 * sleep began during the wait, until the ack or the device's reset.
	 */
	bool on_device;
	u64 report_ns;			/* when it went to the device */
	/* Pass state. */
	struct pagehint_dev *pdev;	/* as below, for the pass */
	unsigned int order;
	unsigned int min_free_ms;	/* blocks free for less wait */
	unsigned int young_wait_ms;	/* until the youngest is old enough */
	int budget;			/* batches left in this pass */
	/*
	 * Why the pass ended early: -ESHUTDOWN (the device is going away or
	 * broken), -EAGAIN (a sleep began with a report on the device), or
	 * a report the device refused.
	 */
	int err;
	u64 ack_ns;			/* spent waiting for acks */
	/*
	 * The device reported to, and whether the worker may run.  Protected
	 * by lock; the work function reads them with READ_ONCE() (the device
	 * stays valid until pagehint_worker_stop() has returned).  Lock
	 * order: pagehint_dev_lock (virtio.c), then this one; never held
	 * while the work function is waited for.
	 */
	struct mutex lock;
	struct pagehint_dev *dev;
	bool running;
	/* A system sleep is under way (PM notifier); read with READ_ONCE(). */
	bool sleeping;
	struct notifier_block pm_nb;
} pagehint_worker;

/*
 * The hooks' kick: a free that sets a new hint while the worker sleeps
 * until a pass further away than @delay (jiffies) brings that pass forward
 * to @delay from now, so that memory freed in bulk is reported as soon as
 * it is old enough (min_free_ms), not a delay_ms later.  Armed by the
 * worker when it goes to sleep for longer, disarmed by the first kick and
 * when the worker stops: the hooks only read it until then.  A line of its
 * own, since every hook that sets a hint reads it.
 */
static struct {
	atomic_t armed;
	unsigned long delay;
} pagehint_kick_state ____cacheline_aligned_in_smp;

/* From the hooks, any context: a free set a new hint. */
void pagehint_worker_hinted(void)
{
	if (likely(!atomic_read(&pagehint_kick_state.armed)) ||
	    !atomic_xchg(&pagehint_kick_state.armed, 0))
		return;
	/* Never 0: a timer, not a wake-up, from under the zone's lock. */
	mod_delayed_work(system_freezable_wq, &pagehint_worker.work,
			 max(READ_ONCE(pagehint_kick_state.delay), 1UL));
}

static unsigned long pagehint_max_pages(unsigned int order)
{
	unsigned long kib = READ_ONCE(pagehint_knobs.max_inflight_kib);

	return max(kib >> (PAGE_SHIFT - 10), 1UL << order);
}

/*
 * Whether the pass must end without claiming or reporting more: the device
 * is stopping, a system sleep begins, or reporting was turned off.  What
 * is claimed but not on the device yet goes back unreported.
 */
static bool pagehint_pass_stopped(struct pagehint_worker *w)
{
	return pagehint_dev_stopping(w->pdev) || READ_ONCE(w->sleeping) ||
	       !READ_ONCE(pagehint_knobs.enabled);
}

/*
 * Give an unreported batch back, and hint its ranges, held or proposed, for
 * a later pass.
 */
static void pagehint_batch_putback(struct pagehint_batch *batch)
{
	unsigned int i;

	for (i = 0; i < batch->nr + batch->nr_proposed; i++)
		pagehint_tracker_rehint(batch->start[i], batch->len[i]);
	pagehint_batch_release(batch, false);
}

/* The host acked the batch on the device: check it, count it, release it. */
static void pagehint_report_acked(struct pagehint_worker *w)
{
	struct pagehint_batch *batch = &w->batch;
	unsigned long bytes = batch->nr_pages << PAGE_SHIFT;
	unsigned long hint_bytes = batch->hint_pages << PAGE_SHIFT;
	unsigned int nr_kept;

	w->on_device = false;
	if (pagehint_host_acked(&w->host, batch))
		w->budget = 0;		/* backing off: end this pass */
	nr_kept = hweight_long(batch->kept);
	trace_pagehint_report_done(batch->nr, bytes,
				   ktime_get_ns() - w->report_ns, 0, nr_kept);
	pagehint_stat_add(&pagehint_stats.reports, 1);
	pagehint_stat_add(&pagehint_stats.reported_bytes, bytes);
	pagehint_stat_add(&pagehint_stats.reported_from_hints, hint_bytes);
	pagehint_stat_add(&pagehint_stats.reported_from_scans, bytes - hint_bytes);
	if (batch->checked && batch->kept == batch->checked)
		pagehint_stat_add(&pagehint_stats.reports_kept, 1);
	pagehint_batch_release(batch, true);
}

/*
 * Wait for the ack of the batch on the device, then release it.  The wait
 * ends early, with the batch left on the device, when the device is going
 * away (-ESHUTDOWN: it is released after the reset) or a system sleep
 * begins (-EAGAIN: the next pass, or the device's freeze, finishes it): a
 * host that acks late must not hold up suspend.
 */
static int pagehint_collect(struct pagehint_worker *w)
{
	u64 t0 = ktime_get_ns();
	int err;

	do {
		err = pagehint_dev_ack(w->pdev, HZ / 10);
	} while (err == -EAGAIN && !READ_ONCE(w->sleeping));
	w->ack_ns += ktime_get_ns() - t0;
	if (err) {
		trace_pagehint_report_done(w->batch.nr, w->batch.nr_pages << PAGE_SHIFT,
					   ktime_get_ns() - w->report_ns, err, 0);
		return err;
	}
	pagehint_report_acked(w);
	return 0;
}

/*
 * Report the batch taken from the wave, and release it after the host's
 * ack (see pagehint_collect() for the ways the wait ends early).  A batch
 * the device did not take (refused, or broken) goes back at once,
 * unreported: the device never saw it.
 */
static int pagehint_report_batch(struct pagehint_worker *w)
{
	struct pagehint_batch *batch = &w->batch;
	unsigned int nents;
	int err;

	w->budget--;
	nents = pagehint_batch_to_sg(batch, w->sgl);
	pagehint_host_mark(&w->host, batch);
	trace_pagehint_report(nents, batch->nr_pages << PAGE_SHIFT,
			      batch->start[0], w->order);
	w->report_ns = ktime_get_ns();
	err = pagehint_dev_report(w->pdev, w->sgl, nents);
	if (err) {
		trace_pagehint_report_done(nents, batch->nr_pages << PAGE_SHIFT,
					   0, err, 0);
		if (err != -ESHUTDOWN)
			pagehint_stat_add(&pagehint_stats.report_errors, 1);
		pagehint_batch_putback(batch);
		return err;
	}
	w->on_device = true;
	return pagehint_collect(w);
}

/*
 * Claim what the wave proposes, then report it PAGEHINT_CAPACITY ranges at
 * a time.  What is not on the device when the pass stops or a report
 * fails goes back at once, unreported.
 */
static int pagehint_flush(struct pagehint_worker *w)
{
	struct pagehint_batch *wave = &w->wave;
	int err = 0;

	if (!wave->nr && !wave->nr_proposed)
		return 0;
	if (!pagehint_pass_stopped(w))
		pagehint_batch_claim(wave);
	while (wave->nr && !err && !pagehint_pass_stopped(w)) {
		pagehint_batch_take(&w->batch, wave, PAGEHINT_CAPACITY);
		err = pagehint_report_batch(w);
	}
	pagehint_batch_putback(wave);
	return err;
}

/*
 * Propose the pending run for the batch's claim, reporting the batch first
 * or after as needed.  A hinted run that would get in the way of a range of
 * the batch (pagehint_batch_propose(): -EAGAIN) waits for a later pass
 * instead of cutting this batch short.
 */
static void pagehint_claim_run(struct pagehint_worker *w)
{
	struct pagehint_run *run = &w->run;
	int err;

	if (!run->len || w->err)
		return;
	if (pagehint_pass_stopped(w)) {
		/* Not claimed: the pass is over.  Look again next time. */
		pagehint_tracker_rehint(run->start, run->len);
		run->len = 0;
		return;
	}
	if (!pagehint_batch_guard_ok(&w->wave, run->zone, w->order, run->len)) {
		/* Not lost: look again when the zone has room. */
		if (pagehint_zone_reportable(run->zone, w->order)) {
			pagehint_stat_add(&pagehint_stats.guard_skips, 1);
			if (run->src == PAGEHINT_FROM_HINT)
				pagehint_tracker_rehint(run->start, run->len);
		}
		run->len = 0;
		/* Under pressure: report what is held now, and give it back. */
		w->err = pagehint_flush(w);
		return;
	}
	err = pagehint_batch_propose(&w->wave, run->start, run->len, run->src);
	if (err == -EAGAIN && run->src == PAGEHINT_FROM_HINT) {
		/* Keep the batch filling; the hint is taken again next pass. */
		pagehint_tracker_rehint(run->start, run->len);
	} else if (err) {
		/* The scan does not come back soon: report, then propose. */
		w->err = pagehint_flush(w);
		if (!w->err && !pagehint_pass_stopped(w))
			pagehint_batch_propose(&w->wave, run->start, run->len,
					       run->src);
		else
			pagehint_tracker_rehint(run->start, run->len);
	}
	run->len = 0;
	if (!w->err &&
	    (w->wave.nr + w->wave.nr_proposed == PAGEHINT_WAVE ||
	     pagehint_batch_pages(&w->wave) >= w->wave.max_pages))
		w->err = pagehint_flush(w);
}

/*
 * Whether [pfn, pfn + nr) has been free for less than the pass's
 * min_free_ms; if so, note when it will have been free long enough.
 */
static bool pagehint_too_young(struct pagehint_worker *w, unsigned long pfn,
			       unsigned long nr)
{
	unsigned int wait;
	int age;

	if (!w->min_free_ms)
		return false;
	age = pagehint_tracker_free_ms(pfn, nr);
	if (age < 0 || age >= w->min_free_ms)
		return false;
	wait = w->min_free_ms - age;
	if (!w->young_wait_ms || wait < w->young_wait_ms)
		w->young_wait_ms = wait;
	pagehint_stat_add(&pagehint_stats.skipped_young, 1);
	return true;
}

/*
 * Offer a free block not reported since it was last touched: add it to the
 * pending run, or claim that run and start a new one.  Returns its pages
 * if the block was taken as a candidate, 0 if skipped, -EAGAIN if it has
 * not been free long enough yet: the caller hints it again.
 */
static int pagehint_offer_fresh(struct pagehint_worker *w, struct zone *zone,
				const struct pagehint_block *block,
				enum pagehint_source src)
{
	struct pagehint_run *run = &w->run;
	unsigned long room, nr = 1UL << block->order;
	int mt;

	mt = pagehint_range_migratetype(block->pfn, nr);
	if (mt < 0) {
		pagehint_stat_add(&pagehint_stats.skipped_pageblock, 1);
		return 0;
	}
	if (pagehint_too_young(w, block->pfn, nr))
		return -EAGAIN;
	room = w->wave.max_pages - pagehint_batch_pages(&w->wave);
	if (run->len && (run->zone != zone || run->src != src ||
			 run->mt != mt ||
			 block->pfn != run->start + run->len ||
			 run->len + nr > room))
		pagehint_claim_run(w);
	if (!run->len) {
		run->zone = zone;
		run->start = block->pfn;
		run->src = src;
		run->mt = mt;
	}
	run->len += nr;
	/*
	 * Propose once the run fills what the batch has left (proposing
	 * reports the batch first if need be).  Only a block larger than the
	 * whole in-flight budget is claimed in part.
	 */
	if (run->len >= room) {
		run->len = min(run->len, w->wave.max_pages);
		pagehint_claim_run(w);
	}
	return nr;
}

/*
 * Offer a free block: skip it if reported and untouched since.  A block
 * larger than a pageblock that is reported in part, as when a block freed
 * after a report merged with a reported neighbour, is offered by its
 * pageblocks (or blocks of the pass's order, if larger) that are not
 * reported: a claim zeroes what it takes (post_alloc_hook() under
 * init_on_alloc), and zeroing memory the host discarded makes the host
 * fault it in only to discard it again.  alloc_contig_range() isolates and
 * splits free blocks at pageblock boundaries, so a claim of a pageblock
 * zeroes that pageblock only.  Returns as pagehint_offer_fresh(): -EAGAIN
 * if any part is too young, else the pages of the parts taken.
 */
static int pagehint_offer(struct pagehint_worker *w, struct zone *zone,
			  const struct pagehint_block *block,
			  enum pagehint_source src)
{
	unsigned int order = max_t(unsigned int, w->order, pageblock_order);
	struct pagehint_block part = { .order = order };
	unsigned long end = block->pfn + (1UL << block->order);
	bool split = false;
	int ret = 0, r;

	if (pagehint_tracker_reported(block->pfn, block->order)) {
		pagehint_stat_add(&pagehint_stats.skipped_reported, 1);
		return 0;
	}
	for (part.pfn = block->pfn; block->order > order && part.pfn < end;
	     part.pfn += 1UL << order)
		split |= pagehint_tracker_reported(part.pfn, order);
	if (!split)
		return pagehint_offer_fresh(w, zone, block, src);
	for (part.pfn = block->pfn; part.pfn < end; part.pfn += 1UL << order) {
		if (pagehint_tracker_reported(part.pfn, order)) {
			pagehint_stat_add(&pagehint_stats.skipped_reported, 1);
			continue;
		}
		r = pagehint_offer_fresh(w, zone, &part, src);
		ret = (r < 0 || ret < 0) ? -EAGAIN : ret + r;
	}
	return ret;
}

/* A pass also ends early when reporting is turned off (enabled=0). */
static bool pagehint_pass_over(struct pagehint_worker *w)
{
	return w->err || w->budget <= 0 || pagehint_dev_stopping(w->pdev) ||
	       READ_ONCE(w->sleeping) || !READ_ONCE(pagehint_knobs.enabled);
}

/*
 * The free blocks of at least the pass's order that the hint taken for
 * [pfn, pfn + nr) names, offered; @done is where the last hint's blocks
 * ended.  A block larger than the hint's range consumes the hints of the
 * rest of it, unless it is too young: then the hint is kept, and so is
 * each of the others it covers when its turn comes.  Returns where this
 * hint's blocks end.
 */
static unsigned long pagehint_report_hint(struct pagehint_worker *w,
					  unsigned long pfn, unsigned long nr,
					  unsigned long done)
{
	unsigned long end = pfn + nr, from;
	struct pagehint_block block;
	bool found = false, young = false;
	struct page *page;
	struct zone *zone;

	if (end <= done)
		return done;
	pfn = max(pfn, done);
	from = pfn;
	page = pfn_to_online_page(pfn);
	if (!page) {
		pagehint_stat_add(&pagehint_stats.hints_stale, 1);
		return done;
	}
	zone = page_zone(page);
	if (pagehint_enclosing_block(zone, pfn, w->order, &block)) {
		if (pagehint_offer(w, zone, &block, PAGEHINT_FROM_HINT) == -EAGAIN)
			young = true;
		found = true;
		pfn = block.pfn + (1UL << block.order);
	}
	while (pfn < end && !pagehint_pass_over(w) &&
	       pagehint_scan_next(zone, &pfn, end, w->order, &block)) {
		if (pagehint_offer(w, zone, &block, PAGEHINT_FROM_HINT) == -EAGAIN)
			young = true;
		found = true;
	}
	if (!found)
		pagehint_stat_add(&pagehint_stats.hints_stale, 1);
	if (young)
		pagehint_tracker_rehint(from, end - from);
	else if (pagehint_pass_over(w) && pfn < end)
		pagehint_tracker_rehint(pfn, end - pfn);
	return young ? end : max(pfn, end);
}

/* Phase 1: the free blocks the map's hints name, in PFN order. */
static void pagehint_report_hints(struct pagehint_worker *w)
{
	unsigned long cursor = w->hint_cursor, pfn, nr, done = 0;
	bool wrapped = false;

	while (!pagehint_pass_over(w) &&
	       pagehint_tracker_take_hint(&cursor, w->hint_cursor, &wrapped,
					  &pfn, &nr)) {
		if (wrapped && pfn < done)
			done = 0;	/* wrapped around to low PFNs */
		done = pagehint_report_hint(w, pfn, nr, done);
	}
	w->hint_cursor = pagehint_pass_over(w) ? cursor : 0;
	pagehint_claim_run(w);
	if (!w->err)
		w->err = pagehint_flush(w);
}

static bool pagehint_zone_wants_scan(struct pagehint_zone_scan *zs, int nid,
				     int zid)
{
	enum pagehint_scan_policy policy = READ_ONCE(pagehint_knobs.scan);

	if (zs->cursor)
		return true;			/* under way */
	if (!pagehint_tracker_hooked() || policy == PAGEHINT_SCAN_ALWAYS)
		return true;
	/* Taken even with scan=never, so that requests do not pile up. */
	return pagehint_tracker_take_scan_request(nid, zid) &&
	       policy == PAGEHINT_SCAN_AUTO;
}

/* Phase 2: a budgeted step of the exhaustive scan of one zone. */
static void pagehint_scan_zone(struct pagehint_worker *w, struct zone *zone,
			       struct pagehint_zone_scan *zs, int nid, int zid)
{
	unsigned long budget, stop, start;
	struct pagehint_block block;
	int taken;

	if (!pagehint_batch_guard_ok(&w->wave, zone, w->order, 0)) {
		if (pagehint_zone_reportable(zone, w->order))
			pagehint_stat_add(&pagehint_stats.guard_skips, 1);
		return;
	}
	if (!zs->cursor) {
		zs->cursor = zone->zone_start_pfn;
		zs->gen = pagehint_tracker_generation();
		zs->found = 0;
		zs->fresh = 0;
		trace_pagehint_scan_start(nid, zone->name, zone->zone_start_pfn,
					  zone_end_pfn(zone));
	}
	budget = max(READ_ONCE(pagehint_knobs.scan_budget_pages), 1UL << w->order);
	start = zs->cursor;
	stop = min(zone_end_pfn(zone), start + budget);
	while (!pagehint_pass_over(w)) {
		unsigned long from = zs->cursor;

		if (!pagehint_scan_next(zone, &zs->cursor, stop, w->order, &block)) {
			if (!pagehint_tracker_hooked())
				pagehint_tracker_unreport(from, zs->cursor - from);
			break;
		}
		/* Without hooks, what the scan found in use is no longer reported. */
		if (!pagehint_tracker_hooked() && block.pfn > from)
			pagehint_tracker_unreport(from, block.pfn - from);
		zs->found += 1UL << block.order;
		taken = pagehint_offer(w, zone, &block, PAGEHINT_FROM_SCAN);
		if (taken == -EAGAIN)	/* the hints bring it back when old enough */
			pagehint_tracker_rehint(block.pfn, 1UL << block.order);
		else
			zs->fresh += taken;
	}
	pagehint_claim_run(w);
	pagehint_stat_add(&pagehint_stats.scan_pages, zs->cursor - start);

	if (zs->cursor >= zone_end_pfn(zone)) {
		bool rescan = pagehint_tracker_generation() != zs->gen &&
			      READ_ONCE(pagehint_knobs.scan) != PAGEHINT_SCAN_NEVER;

		pagehint_stat_add(&pagehint_stats.scans, 1);
		trace_pagehint_scan_end(nid, zone->name, zone->spanned_pages,
					zs->found, zs->fresh, rescan);
		if (!pagehint_tracker_hooked() &&
		    ++w->scanonly_scans % PAGEHINT_SCANONLY_FORGET == 0)
			pagehint_tracker_forget_reported();
		if (rescan) {
			/* The map overflowed meanwhile: once more. */
			pagehint_stat_add(&pagehint_stats.rescans, 1);
			pagehint_tracker_request_scan(nid, zid);
		}
		zs->cursor = 0;
	}
}

static void pagehint_report_scans(struct pagehint_worker *w)
{
	int nid, zid;

	for_each_online_node(nid) {
		for (zid = 0; zid < MAX_NR_ZONES; zid++) {
			struct zone *zone = &NODE_DATA(nid)->node_zones[zid];
			struct pagehint_zone_scan *zs =
				&w->scans[nid * MAX_NR_ZONES + zid];

			if (!populated_zone(zone) || pagehint_pass_over(w))
				continue;
			if (pagehint_zone_wants_scan(zs, nid, zid))
				pagehint_scan_zone(w, zone, zs, nid, zid);
		}
	}
	if (!w->err)
		w->err = pagehint_flush(w);
}

/*
 * The pass's min_free_ms: the knob, or what was learned ("auto").  Without
 * hooks nothing is known of how long memory has been free: no wait.
 */
static unsigned int pagehint_min_free_ms(struct pagehint_worker *w)
{
	unsigned long knob = READ_ONCE(pagehint_knobs.min_free_ms);
	unsigned long now = jiffies_to_msecs(jiffies);

	if (!pagehint_tracker_hooked())
		return 0;
	if (pagehint_learn_due(&w->learn, now)) {
		struct pagehint_tracker_counters c;

		pagehint_tracker_counters(&c);
		WRITE_ONCE(w->learn.free_ms,
			   pagehint_learn_update(&w->learn, c.reuse, now));
	}
	if (knob != PAGEHINT_KNOB_AUTO)
		return knob;
	return w->learn.free_ms;
}

static void pagehint_work_fn(struct work_struct *work)
{
	struct pagehint_worker *w = container_of(to_delayed_work(work),
						 struct pagehint_worker, work);
	unsigned int delay_ms;
	u64 t0 = ktime_get_ns();

	/* The pass is here: the hooks need not bring it forward. */
	atomic_set(&pagehint_kick_state.armed, 0);
	w->pdev = READ_ONCE(w->dev);
	if (!READ_ONCE(w->running) || !w->pdev || READ_ONCE(w->sleeping))
		return;		/* the end of a sleep kicks the worker */
	/* A broken device takes nothing until it is reset, or removed. */
	if (pagehint_dev_broken(w->pdev))
		return;
	w->ack_ns = 0;
	/* A report still on the device from a pass a sleep cut short. */
	if (w->on_device && pagehint_collect(w))
		return;
	if (WARN_ON_ONCE(w->batch.nr || w->batch.nr_proposed || w->wave.nr ||
			 w->wave.nr_proposed) ||
	    !READ_ONCE(pagehint_knobs.enabled))
		return;

	w->order = max_t(unsigned int, READ_ONCE(pagehint_knobs.report_order),
			 pagehint_host_order(&w->host));
	w->min_free_ms = pagehint_min_free_ms(w);
	w->young_wait_ms = 0;
	w->budget = PAGEHINT_PASS_BATCHES;
	w->err = 0;
	w->run.len = 0;
	pagehint_batch_init(&w->wave, pagehint_max_pages(w->order));
	pagehint_batch_init(&w->batch, w->wave.max_pages);
	pagehint_stat_add(&pagehint_stats.passes, 1);

	pagehint_report_hints(w);
	pagehint_report_scans(w);
	pagehint_stat_add(&pagehint_stats.ack_ns, w->ack_ns);
	pagehint_stat_add(&pagehint_stats.work_ns, ktime_get_ns() - t0 - w->ack_ns);
	if (w->err == -ESHUTDOWN || w->err == -EAGAIN)
		return;		/* the device is leaving, or a sleep begins */

	/* Out of budget with work left: again at once if delay_ms allows. */
	delay_ms = READ_ONCE(pagehint_knobs.delay_ms);
	if (w->budget > 0 || w->err)
		delay_ms = max_t(unsigned int, delay_ms, PAGEHINT_MIN_IDLE_MS);
	/* Blocks too young: again when the youngest is old enough. */
	if (w->young_wait_ms)
		delay_ms = min(delay_ms, max_t(unsigned int, w->young_wait_ms,
					       PAGEHINT_YOUNG_MIN_MS));
	delay_ms = pagehint_host_delay_ms(&w->host, delay_ms);
	if (READ_ONCE(w->running) && !READ_ONCE(w->sleeping)) {
		unsigned long kick = msecs_to_jiffies(max_t(unsigned int, w->min_free_ms,
							    PAGEHINT_KICK_MS));

		queue_delayed_work(system_freezable_wq, &w->work,
				   msecs_to_jiffies(delay_ms));
		if (msecs_to_jiffies(delay_ms) > kick && pagehint_tracker_hooked()) {
			WRITE_ONCE(pagehint_kick_state.delay, kick);
			atomic_set(&pagehint_kick_state.armed, 1);
		}
	}
}

/* Stop passes while the system goes to sleep; resume after. */
static int pagehint_pm_notify(struct notifier_block *nb, unsigned long action,
			      void *data)
{
	struct pagehint_worker *w = container_of(nb, struct pagehint_worker,
						 pm_nb);

	switch (action) {
	case PM_HIBERNATION_PREPARE:
	case PM_SUSPEND_PREPARE:
		WRITE_ONCE(w->sleeping, true);
		break;
	case PM_POST_HIBERNATION:
	case PM_POST_RESTORE:
	case PM_POST_SUSPEND:
		WRITE_ONCE(w->sleeping, false);
		pagehint_kick();
		break;
	}
	return NOTIFY_DONE;
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

/* The free time learned (learn.c), whether min_free_ms is "auto" or not. */
unsigned int pagehint_worker_learned_free_ms(void)
{
	return READ_ONCE(pagehint_worker.learn.free_ms);
}

/* The smallest order the host discards, as learned (0: none learned). */
unsigned int pagehint_worker_host_order(void)
{
	return pagehint_host_order(&pagehint_worker.host);
}

void pagehint_worker_start(struct pagehint_dev *pdev)
{
	struct pagehint_worker *w = &pagehint_worker;

	mutex_lock(&w->lock);
	WRITE_ONCE(w->dev, pdev);
	WRITE_ONCE(w->running, true);
	/* A new host, maybe. */
	pagehint_host_reset(&w->host);
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
	/*
	 * No pass arms the kick now.  Disarm it, wait for the hooks under way
	 * (they run with preemption disabled), and cancel what one of them
	 * may have queued meanwhile.
	 */
	atomic_set(&pagehint_kick_state.armed, 0);
	synchronize_rcu();
	cancel_delayed_work_sync(&w->work);
	mutex_lock(&w->lock);
	WRITE_ONCE(w->dev, NULL);
	mutex_unlock(&w->lock);
}

/*
 * After the device was reset, give back what was on its queue without an
 * ack: the device can no longer touch it.  Not marked reported.
 */
void pagehint_worker_release_inflight(void)
{
	struct pagehint_worker *w = &pagehint_worker;

	if (w->batch.nr || w->batch.nr_proposed)
		pagehint_batch_release(&w->batch, false);
	w->on_device = false;
}

int pagehint_worker_init(void)
{
	struct pagehint_worker *w = &pagehint_worker;
	struct pagehint_tracker_counters c;
	int err;

	w->scans = kcalloc(nr_node_ids * MAX_NR_ZONES, sizeof(*w->scans),
			   GFP_KERNEL);
	if (!w->scans)
		return -ENOMEM;
	err = pagehint_claimers_init();
	if (err) {
		kfree(w->scans);
		w->scans = NULL;
		return err;
	}
	mutex_init(&w->lock);
	INIT_DELAYED_WORK(&w->work, pagehint_work_fn);
	pagehint_batch_init(&w->wave, 0);
	pagehint_batch_init(&w->batch, 0);
	pagehint_host_reset(&w->host);
	pagehint_tracker_counters(&c);
	pagehint_learn_reset(&w->learn, c.reuse, jiffies_to_msecs(jiffies));
	w->sleeping = false;
	w->pm_nb.notifier_call = pagehint_pm_notify;
	register_pm_notifier(&w->pm_nb);
	return 0;
}

void pagehint_worker_exit(void)
{
	struct pagehint_worker *w = &pagehint_worker;

	unregister_pm_notifier(&w->pm_nb);
	/* virtio.c has stopped the worker when the driver went away. */
	WARN_ON_ONCE(w->running || w->batch.nr || w->batch.nr_proposed ||
		     w->wave.nr || w->wave.nr_proposed);
	mutex_destroy(&w->lock);
	pagehint_claimers_exit();
	kfree(w->scans);
	w->scans = NULL;
}

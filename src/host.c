// SPDX-License-Identifier: GPL-2.0
/*
 * What the host does with the reports it acknowledges.  The virtio spec
 * lets a device ignore a reported range, and hosts do: guest memory locked
 * on the host, discard disabled (vfio), or guest memory on huge pages, where
 * QEMU discards only the ranges aligned to them.  The worker (report.c)
 * marks each range before the report and asks here after the ack; what is
 * learned here shapes its later reports:
 *
 *   - a host that discards only blocks of some order (its page size) has
 *     the worker report only blocks that large from then on (host_order);
 *   - a host that keeps acknowledging without discarding anything gets one
 *     report a minute until it discards again.
 *
 * The check costs the host memory where guest memory has no shared zero
 * page behind it (hugetlbfs, memfd and shmem, as vhost-user backends use):
 * reading a discarded page back makes the host allocate it again, 2 MiB on
 * hugetlbfs.  So only a few ranges of each report are checked until the
 * host's behaviour is known, then one a minute, and a checked range's first
 * pageblock is reported once more, unchecked (pagehint_batch_release()).
 *
 * All of it belongs to the device bound now: a new binding starts afresh.
 * Only the worker calls these, from its work function (or before it runs),
 * so no lock; host_order is also read by sysfs, with READ_ONCE().
 */

#include <linux/bitops.h>
#include <linux/highmem.h>
#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <linux/mm.h>

#include "pagehint.h"
#include "host.h"

/*
 * Reports in a row that the host acknowledged without discarding before
 * the worker backs off, and the delay between its passes then: one report
 * a minute keeps checking whether the host discards again.
 */
#define PAGEHINT_KEPT_BACKOFF	8
#define PAGEHINT_BACKOFF_MS	60000

/*
 * Reports in a row the host must have discarded as expected before its
 * behaviour counts as known, and how often it is checked after that.
 */
#define PAGEHINT_HOST_LEARN	4
#define PAGEHINT_SAMPLE_MS	60000

/*
 * Did the host discard what it acked?  Before a report the worker writes a
 * canary into the first page of each range, which is pagehint's; after the
 * ack it reads them back.  A host that discarded a range hands it back
 * zero-filled (QEMU: MADV_DONTNEED, or a hole punched in a file or memfd),
 * one that ignored it leaves the canary: guest memory locked on the host,
 * discard disabled (vfio), or a range not aligned to the huge pages behind
 * guest memory, which QEMU skips.  A write fault of one page per range on
 * the host, which the discard then takes back.
 */
static u64 pagehint_canary(unsigned long pfn)
{
	return 0x7061676568696e74ULL ^ pfn;	/* "pagehint" */
}

static void pagehint_canary_set(unsigned long pfn)
{
	u64 *p = kmap_local_pfn(pfn);

	WRITE_ONCE(*p, pagehint_canary(pfn));
	kunmap_local(p);
}

static bool pagehint_canary_kept(unsigned long pfn)
{
	u64 *p = kmap_local_pfn(pfn);
	bool kept = READ_ONCE(*p) == pagehint_canary(pfn);

	kunmap_local(p);
	return kept;
}

/* The alignment of range i, start and length, as a power of two of pages. */
static unsigned int pagehint_range_align(const struct pagehint_batch *batch,
					 unsigned int i)
{
	return __ffs(batch->start[i] | batch->len[i]);
}

/*
 * Count a report the host kept.  Returns whether the worker backs off
 * (PAGEHINT_KEPT_BACKOFF in a row): the pass ends, the next is a minute away.
 */
static bool pagehint_host_kept(struct pagehint_host *h)
{
	if (++h->kept_run < PAGEHINT_KEPT_BACKOFF)
		return false;
	if (h->kept_run == PAGEHINT_KEPT_BACKOFF)
		pr_warn("the host acknowledges reports without discarding the memory (%u in a row): one report a minute from now on\n",
			h->kept_run);
	return true;
}

static void pagehint_host_discarded(struct pagehint_host *h)
{
	if (h->kept_run >= PAGEHINT_KEPT_BACKOFF)
		pr_info("the host discards reported memory again\n");
	h->kept_run = 0;
}

/*
 * The ranges of an acked report the host kept: their canaries are still
 * there.  A host that keeps exactly the ranges aligned (start and length)
 * to less than some order and discards the others, as QEMU does with guest
 * memory on huge pages, has that order as its granule.  The reports since
 * the device was bound limit it: above the best-aligned range kept, at most
 * the worst-aligned range discarded.  Once a range was kept within those
 * limits, the worker reports only blocks of the likely granule: the
 * pageblock (a 2 MiB huge page on x86), unless the limits say otherwise.
 * Marks the checked ranges kept in batch->kept and counts their bytes.
 * Returns whether every range kept is less aligned than what the host was
 * seen to discard: the granule explains them (and the worker does not back
 * off).
 */
static bool pagehint_host_check(struct pagehint_host *h,
				struct pagehint_batch *batch)
{
	unsigned int i, kept_align = 0;
	unsigned long kept_pages = 0;
	bool granule;

	for (i = 0; i < batch->nr; i++) {
		unsigned int align = pagehint_range_align(batch, i);

		if (!(batch->checked & BIT(i)))
			continue;
		if (pagehint_canary_kept(batch->start[i])) {
			batch->kept |= BIT(i);
			kept_pages += batch->len[i];
			kept_align = max(kept_align, align + 1);
		} else {
			h->done_align = min(h->done_align, align);
		}
	}
	pagehint_stat_add(&pagehint_stats.kept_bytes, kept_pages << PAGE_SHIFT);
	h->kept_align = max(h->kept_align, kept_align);
	granule = h->done_align != UINT_MAX && kept_align <= h->done_align;
	/* Some range discarded, every kept one less aligned than those. */
	if (h->done_align != UINT_MAX && h->kept_align > h->host_order &&
	    h->kept_align <= h->done_align && h->kept_align <= PAGEHINT_MAX_ORDER) {
		WRITE_ONCE(h->host_order,
			   max(h->kept_align, min_t(unsigned int, h->done_align,
						    pageblock_order)));
		pr_info("the host discards only ranges aligned to %lu KiB (guest memory on huge pages?): reporting blocks of order %u and up\n",
			(PAGE_SIZE << h->host_order) >> 10, h->host_order);
	}
	return granule;
}

/* A new device: nothing learned yet. */
void pagehint_host_reset(struct pagehint_host *h)
{
	h->kept_run = 0;
	WRITE_ONCE(h->host_order, 0);
	h->kept_align = 0;
	h->done_align = UINT_MAX;
	h->clean_run = 0;
}

/*
 * Before the report: choose the ranges to check, and put a canary in the
 * first page of each.  While the host's behaviour is being learned: the
 * best- and the worst-aligned range, which bound its granule.  Once it is
 * known: the worst-aligned range if it is less aligned than any the host
 * was seen to discard, and the best-aligned one once a minute.
 */
void pagehint_host_mark(struct pagehint_host *h, struct pagehint_batch *batch)
{
	unsigned int i, best = 0, worst = 0;
	bool known = h->clean_run >= PAGEHINT_HOST_LEARN;

	batch->checked = 0;
	if (!batch->nr)
		return;
	for (i = 1; i < batch->nr; i++) {
		unsigned int align = pagehint_range_align(batch, i);

		if (align > pagehint_range_align(batch, best))
			best = i;
		if (align < pagehint_range_align(batch, worst))
			worst = i;
	}
	if (!known || pagehint_range_align(batch, worst) < h->done_align)
		batch->checked |= BIT(worst);
	if (!known || time_after_eq(jiffies, h->next_sample)) {
		batch->checked |= BIT(best);
		h->next_sample = jiffies + msecs_to_jiffies(PAGEHINT_SAMPLE_MS);
	}
	for (i = 0; i < batch->nr; i++)
		if (batch->checked & BIT(i))
			pagehint_canary_set(batch->start[i]);
}

/*
 * After the ack: mark the checked ranges the host kept in batch->kept,
 * count them, and learn from them.  Returns whether the worker backs off
 * from a host that discards nothing (every range checked kept, and no
 * granule explains it).
 */
bool pagehint_host_acked(struct pagehint_host *h, struct pagehint_batch *batch)
{
	bool granule = pagehint_host_check(h, batch);

	if (!batch->checked)
		return false;
	if (batch->kept == batch->checked && !granule) {
		h->clean_run = 0;
		return pagehint_host_kept(h);
	}
	if (batch->kept && !granule)
		h->clean_run = 0;	/* kept, unexplained: learn again */
	else if (h->clean_run < PAGEHINT_HOST_LEARN)
		h->clean_run++;
	pagehint_host_discarded(h);
	return false;
}

/* The smallest order the host discards, as learned (0: none learned). */
unsigned int pagehint_host_order(const struct pagehint_host *h)
{
	return READ_ONCE(h->host_order);
}

/* The delay before the worker's next pass, given delay_ms. */
unsigned int pagehint_host_delay_ms(const struct pagehint_host *h,
				    unsigned int delay_ms)
{
	if (h->kept_run >= PAGEHINT_KEPT_BACKOFF)
		return max_t(unsigned int, delay_ms, PAGEHINT_BACKOFF_MS);
	return delay_ms;
}

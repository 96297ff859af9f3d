// SPDX-License-Identifier: GPL-2.0
/*
 * Memory hotplug: claims never race with memory going away, and the free
 * page map follows the memory that comes online.
 *
 * A free block pagehint found may wait seconds (the flush of a batch, the
 * host's ack) before it is claimed.  Memory offlined and removed meanwhile
 * (virtio-mem unplug, ACPI DIMM removal) has no memmap any more, and
 * alloc_contig_range() on it would read freed memory.  So claims run
 * under pagehint_hotplug_lock and each first checks that its range is
 * online and not being offlined; the memory notifier fences the range of a
 * block going offline under the same lock (offlining is serialised by the
 * memory hotplug lock, so one range at a time), and clears the map's bits
 * there.  Claims under way when offlining begins (a batch's, which run
 * together: the lock is held across all of them, a fraction of a second)
 * have finished before the fence stands; a range claimed earlier holds
 * offlining off until it is released, as any unmovable page does.
 *
 * Memory coming online outside the map's span would make every free there
 * an overflow and every zone a rescan: the map is rebuilt over the new
 * span, carrying over what it knew (tracker.c).
 */

#include <linux/memory.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/mmzone.h>
#include <linux/mutex.h>
#include <linux/notifier.h>

#include "pagehint.h"

/*
 * Held around every claim; protects the fence: [fence_start, fence_end),
 * the memory being offlined now (empty when none).  Taken inside the
 * memory hotplug lock (the notifier), never around it.
 */
static DEFINE_MUTEX(pagehint_hotplug_lock);
static unsigned long pagehint_fence_start, pagehint_fence_end;

/* Claims run between these two: no memory goes offline meanwhile. */
void pagehint_hotplug_claims_begin(void)
{
	mutex_lock(&pagehint_hotplug_lock);
}

void pagehint_hotplug_claims_end(void)
{
	lockdep_assert_held(&pagehint_hotplug_lock);
	mutex_unlock(&pagehint_hotplug_lock);
}

/*
 * May [pfn, pfn + nr_pages) be claimed now: is it online, and not being
 * offlined?  It stays so until pagehint_hotplug_claims_end().
 */
bool pagehint_hotplug_claimable(unsigned long pfn, unsigned long nr_pages)
{
	unsigned long end = pfn + nr_pages, p;

	lockdep_assert_held(&pagehint_hotplug_lock);
	if (pfn < pagehint_fence_end && end > pagehint_fence_start)
		return false;
	/* Onlining and offlining work on whole memory sections. */
	for (p = pfn; p < end; p = round_down(p, PAGES_PER_SECTION) + PAGES_PER_SECTION)
		if (!pfn_to_online_page(p))
			return false;
	return pfn_to_online_page(end - 1);
}

static void pagehint_hotplug_fence(unsigned long start, unsigned long end)
{
	mutex_lock(&pagehint_hotplug_lock);
	pagehint_fence_start = start;
	pagehint_fence_end = end;
	mutex_unlock(&pagehint_hotplug_lock);
}

static int pagehint_memory_notify(struct notifier_block *nb,
				  unsigned long action, void *arg)
{
	struct memory_notify *mn = arg;
	unsigned long start = mn->start_pfn, end = start + mn->nr_pages;

	switch (action) {
	case MEM_GOING_OFFLINE:
		pagehint_hotplug_fence(start, end);
		/* Nothing pagehint knew of this memory holds after it is back. */
		pagehint_tracker_forget_range(start, mn->nr_pages);
		break;
	case MEM_OFFLINE:
	case MEM_CANCEL_OFFLINE:
		pagehint_hotplug_fence(0, 0);
		break;
	case MEM_ONLINE:
		pagehint_tracker_memory_online(start, mn->nr_pages);
		break;
	}
	return NOTIFY_OK;
}

static struct notifier_block pagehint_memory_nb = {
	.notifier_call = pagehint_memory_notify,
};

int pagehint_hotplug_init(void)
{
	return register_memory_notifier(&pagehint_memory_nb);
}

void pagehint_hotplug_exit(void)
{
	unregister_memory_notifier(&pagehint_memory_nb);
}

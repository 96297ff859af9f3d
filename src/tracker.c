// SPDX-License-Identifier: GPL-2.0
/*
 * What pagehint reported and nothing reallocated since.
 *
 * One bit per naturally aligned block of 2^order pages, PFN-indexed over the
 * span of the nodes online at load time.  The worker sets a block's bit when
 * the host has discarded it, just before handing the block back to the page
 * allocator.  The allocator's own events clear it:
 *
 *   mm_page_free               any page freed inside the block: it was in
 *                              use, so its content may be anything now;
 *   mm_page_alloc_zone_locked  a page leaves the buddy lists (all of them
 *   mm_page_alloc_extfrag      on 6.1; 6.12+ fall back through extfrag only).
 *
 * Pages that leave the buddy silently (compaction's free scanner, other
 * alloc_contig_range() users, the per-cpu lists' fast path) are cleared
 * when they are freed again, and they cannot be claimed while in use.  A
 * free block with its bit set has therefore not been written since the host
 * discarded it, and claiming it again would only make the host fault it
 * back in (claimed pages are zeroed with init_on_alloc).
 *
 * The bits only ever save work: a wrong bit costs a missed or a repeated
 * report, never data, because nothing is reported unless claimed first.
 *
 * pagehint's own release of reported blocks (free_contig_range()) fires
 * mm_page_free too; the releasing task marks itself so the hook ignores it.
 */

#include <linux/bitops.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/tracepoint.h>
#include <trace/events/kmem.h>

#include "pagehint.h"

struct pagehint_tracker {
	unsigned long base_pfn;		/* first PFN, aligned to 2^order */
	unsigned long nbits;
	unsigned int order;		/* one bit per 2^order pages */
	unsigned long bits[];
};

/*
 * The tracker, replaced as a whole when report_order changes.  Writers hold
 * pagehint_knob_lock; hooks read it under the tracepoint's preempt-disabled
 * section, the worker under rcu_read_lock(); synchronize_rcu() waits for
 * both before the old one is freed.
 */
static struct pagehint_tracker __rcu *pagehint_tracker;

/* The task releasing pagehint's own blocks, whose frees the hook ignores. */
static struct task_struct *pagehint_releaser;

static bool pagehint_hooks_attached;

static void pagehint_tracker_clear(struct page *page, unsigned int order)
{
	struct pagehint_tracker *t = rcu_dereference_sched(pagehint_tracker);
	unsigned long pfn, first, last;

	if (!t || !page)
		return;
	pfn = page_to_pfn(page);
	if (pfn < t->base_pfn)
		return;
	first = (pfn - t->base_pfn) >> t->order;
	last = (pfn + (1UL << order) - 1 - t->base_pfn) >> t->order;
	if (last >= t->nbits)
		return;
	for (; first <= last; first++) {
		if (test_bit(first, t->bits))
			clear_bit(first, t->bits);
	}
}

static void pagehint_probe_free(void *data, struct page *page,
				unsigned int order)
{
	if (unlikely(READ_ONCE(pagehint_releaser) == current) && in_task())
		return;
	pagehint_tracker_clear(page, order);
}

static void pagehint_probe_alloc_zone_locked(void *data, struct page *page,
					     unsigned int order, int migratetype,
					     int percpu_refill)
{
	pagehint_tracker_clear(page, order);
}

static void pagehint_probe_alloc_extfrag(void *data, struct page *page,
					 int alloc_order, int fallback_order,
					 int alloc_migratetype,
					 int fallback_migratetype)
{
	pagehint_tracker_clear(page, max(alloc_order, fallback_order));
}

static struct pagehint_hook {
	const char *name;
	void *probe;
	struct tracepoint *tp;
} pagehint_hooks[] = {
	{ "mm_page_free", pagehint_probe_free },
	{ "mm_page_alloc_zone_locked", pagehint_probe_alloc_zone_locked },
	{ "mm_page_alloc_extfrag", pagehint_probe_alloc_extfrag },
};

static void pagehint_find_tracepoint(struct tracepoint *tp, void *priv)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pagehint_hooks); i++) {
		if (!strcmp(tp->name, pagehint_hooks[i].name))
			pagehint_hooks[i].tp = tp;
	}
}

static void pagehint_hooks_detach(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(pagehint_hooks); i++) {
		if (pagehint_hooks[i].tp)
			tracepoint_probe_unregister(pagehint_hooks[i].tp,
						    pagehint_hooks[i].probe, NULL);
	}
	tracepoint_synchronize_unregister();
	pagehint_hooks_attached = false;
}

static int pagehint_hooks_attach(void)
{
	unsigned int i;
	int err;

	/* The probes' prototypes must match the kernel's, checked here. */
	check_trace_callback_type_mm_page_free(pagehint_probe_free);
	check_trace_callback_type_mm_page_alloc_zone_locked(pagehint_probe_alloc_zone_locked);
	check_trace_callback_type_mm_page_alloc_extfrag(pagehint_probe_alloc_extfrag);

	for_each_kernel_tracepoint(pagehint_find_tracepoint, NULL);
	for (i = 0; i < ARRAY_SIZE(pagehint_hooks); i++) {
		if (!pagehint_hooks[i].tp) {
			pr_warn("tracepoint %s not found: reported memory will be reclaimed again (scan-only)\n",
				pagehint_hooks[i].name);
			err = -ENOENT;
			goto out_detach;
		}
	}
	for (i = 0; i < ARRAY_SIZE(pagehint_hooks); i++) {
		err = tracepoint_probe_register(pagehint_hooks[i].tp,
						pagehint_hooks[i].probe, NULL);
		if (err) {
			pr_err("cannot attach to %s: %d\n", pagehint_hooks[i].name, err);
			pagehint_hooks[i].tp = NULL;
			goto out_detach;
		}
	}
	pagehint_hooks_attached = true;
	return 0;

out_detach:
	pagehint_hooks_detach();
	for (i = 0; i < ARRAY_SIZE(pagehint_hooks); i++)
		pagehint_hooks[i].tp = NULL;
	return err;
}

static struct pagehint_tracker *pagehint_tracker_alloc(unsigned int order)
{
	unsigned long start = ULONG_MAX, end = 0, nbits;
	struct pagehint_tracker *t;
	int nid;

	for_each_online_node(nid) {
		start = min(start, node_start_pfn(nid));
		end = max(end, node_end_pfn(nid));
	}
	if (start >= end)
		return NULL;
	start = round_down(start, 1UL << order);
	nbits = DIV_ROUND_UP(end - start, 1UL << order);
	t = kvzalloc(struct_size(t, bits, BITS_TO_LONGS(nbits)), GFP_KERNEL);
	if (!t)
		return NULL;
	t->base_pfn = start;
	t->nbits = nbits;
	t->order = order;
	return t;
}

/*
 * Are all the tracker blocks of [pfn, pfn + 2^order) reported?  A block
 * only partly inside the range counts as not reported.
 */
bool pagehint_tracker_reported(unsigned long pfn, unsigned int order)
{
	unsigned long end = pfn + (1UL << order), first, last;
	struct pagehint_tracker *t;
	bool reported = false;

	rcu_read_lock();
	t = rcu_dereference(pagehint_tracker);
	if (t && pfn >= t->base_pfn) {
		first = (pfn - t->base_pfn) >> t->order;
		last = (end - 1 - t->base_pfn) >> t->order;
		if (last < t->nbits && order >= t->order) {
			reported = true;
			for (; first <= last && reported; first++)
				reported = test_bit(first, t->bits);
		}
	}
	rcu_read_unlock();
	return reported;
}

/* Mark the tracker blocks wholly inside [pfn, pfn + nr_pages) reported. */
void pagehint_tracker_mark_reported(unsigned long pfn, unsigned long nr_pages)
{
	unsigned long first, end;
	struct pagehint_tracker *t;

	rcu_read_lock();
	t = rcu_dereference(pagehint_tracker);
	if (t && pagehint_hooks_attached && pfn >= t->base_pfn) {
		first = DIV_ROUND_UP(pfn - t->base_pfn, 1UL << t->order);
		end = (pfn + nr_pages - t->base_pfn) >> t->order;
		for (; first < end && first < t->nbits; first++)
			set_bit(first, t->bits);
	}
	rcu_read_unlock();
}

void pagehint_tracker_self_begin(void)
{
	WRITE_ONCE(pagehint_releaser, current);
}

void pagehint_tracker_self_end(void)
{
	WRITE_ONCE(pagehint_releaser, NULL);
}

const char *pagehint_tracker_hooks(void)
{
	return pagehint_hooks_attached ? "tracepoints" : "none";
}

size_t pagehint_tracker_bytes(void)
{
	struct pagehint_tracker *t;
	size_t bytes = 0;

	rcu_read_lock();
	t = rcu_dereference(pagehint_tracker);
	if (t)
		bytes = struct_size(t, bits, BITS_TO_LONGS(t->nbits));
	rcu_read_unlock();
	return bytes;
}

/* Start over at a new granularity; what was reported is forgotten. */
int pagehint_tracker_resize(unsigned int order)
{
	struct pagehint_tracker *t, *old;

	lockdep_assert_held(&pagehint_knob_lock);
	t = pagehint_tracker_alloc(order);
	if (!t)
		return -ENOMEM;
	old = rcu_replace_pointer(pagehint_tracker, t,
				  lockdep_is_held(&pagehint_knob_lock));
	synchronize_rcu();
	kvfree(old);
	return 0;
}

int pagehint_tracker_init(unsigned int order)
{
	struct pagehint_tracker *t;

	t = pagehint_tracker_alloc(order);
	if (!t)
		return -ENOMEM;
	rcu_assign_pointer(pagehint_tracker, t);
	/* Without the hooks pagehint still reports, but cannot remember. */
	pagehint_hooks_attach();
	return 0;
}

void pagehint_tracker_exit(void)
{
	struct pagehint_tracker *t;

	if (pagehint_hooks_attached)
		pagehint_hooks_detach();
	t = rcu_replace_pointer(pagehint_tracker, NULL, true);
	synchronize_rcu();
	kvfree(t);
}

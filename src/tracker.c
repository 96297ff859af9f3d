// SPDX-License-Identifier: GPL-2.0
/*
 * The best-effort free page tracker: the allocator's own free/alloc events,
 * seen through the kmem tracepoints at the call sites of arch_free_page()
 * and arch_alloc_page(), kept in bounded metadata.
 *
 * Structure: one PFN-indexed map over the span of the nodes online at build
 * time, holding two bitmaps with one bit per naturally aligned block of
 * 2^order pages (the map's granularity):
 *
 *   hint      the block may hold free memory that was not reported since:
 *             set when a page in it is freed (mm_page_free) or enters the
 *             buddy lists from a per-cpu list (mm_page_pcpu_drain, unless
 *             the block is marked reported: draining changes no content),
 *             cleared
 *             when a page in it is allocated (mm_page_alloc,
 *             mm_page_alloc_zone_locked, mm_page_alloc_extfrag) and when
 *             the worker takes the hint;
 *   reported  pagehint reported the block and nothing reallocated it since:
 *             set by the worker before it releases a reported block,
 *             cleared by every free or allocation event inside it.
 *
 * The granularity is report_order when the budget (bitmap_budget_kib)
 * allows, else the smallest coarser order that fits.  Each bit is one
 * "free block of at least report_order" candidate either way: a coarser
 * bit only makes the worker walk more of the range it names.
 *
 * Overflow: what the map cannot represent is counted and handed to the
 * exhaustive zone scan.  A map built coarser than report_order and an
 * event for a PFN outside the map's span (memory hot-added after the
 * build) each count an overflow and mark the zones concerned for a scan.
 * A map that cannot be built fails the load, or leaves the current map in
 * place and the knob as it was.  The scan of a zone may race with new
 * overflows in it: each overflow bumps a generation, and a zone whose
 * generation moved while it was scanned is scanned again.
 *
 * The bits only ever save or direct work: a wrong hint costs a wasted look
 * (hints_stale), a wrong "reported" a missed or a repeated report, never
 * data, because nothing is reported unless claimed first.
 *
 * Hooks run on every page free and allocation, in any context: they do a
 * bounded number of bit operations on the current map, and count in
 * per-cpu counters.  No locks, no allocation, no printk.  pagehint's own
 * release of reported blocks (free_contig_range()) is ignored: the
 * releasing task marks itself.
 */

#include <linux/bitops.h>
#include <linux/memory_hotplug.h>
#include <linux/mm.h>
#include <linux/nodemask.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/tracepoint.h>
#include <trace/events/kmem.h>
#include <trace/events/pagehint.h>

#include "pagehint.h"

/*
 * The current map, replaced as a whole when report_order or the budget
 * changes.  Writers hold pagehint_knob_lock; hooks read it inside the
 * tracepoint's preempt-disabled section, the worker under rcu_read_lock();
 * synchronize_rcu() waits for both before an old map is freed.
 */
static struct pagehint_map __rcu *pagehint_cur_map;

/* The task releasing pagehint's own blocks, whose events hooks ignore. */
static struct task_struct *pagehint_releaser;

/* Whether the hooks are attached; written at init and exit only. */
static bool pagehint_hooks_attached;
static char pagehint_hooks_desc[160] = "none";

/* Hook-side counters, per CPU so that hooks never share a cache line. */
struct pagehint_hook_counters {
	unsigned long hints_set;
	unsigned long hints_cleared;
	unsigned long out_of_span;
};

static DEFINE_PER_CPU(struct pagehint_hook_counters, pagehint_hook_counters);

/*
 * Zones whose free memory the map could not represent, to scan
 * exhaustively: bit nid * MAX_NR_ZONES + zone index.  Set from any
 * context; taken by the worker.
 */
static unsigned long *pagehint_scan_requests;
/* Bumped on every overflow, so that a scan can tell one happened meanwhile. */
static atomic_long_t pagehint_overflow_gen;
/* Overflows counted outside the hooks (builds). */
static atomic64_t pagehint_build_overflows;

/* ---- The map: pure bitmap logic, no globals (KUnit drives these). ---- */

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

		if (pagehint_map_size(nbits) <= budget)
			return order;
	}
	return -1;
}

size_t pagehint_map_size(unsigned long nbits)
{
	return sizeof(struct pagehint_map) +
	       2 * BITS_TO_LONGS(nbits) * sizeof(unsigned long);
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
	map = kvzalloc(pagehint_map_size(nbits), GFP_KERNEL);
	if (!map)
		return ERR_PTR(-ENOMEM);
	map->base_pfn = start;
	map->end_pfn = end;
	map->nbits = nbits;
	map->order = order;
	map->report_order = report_order;
	map->hint = map->words;
	map->reported = map->words + words;
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
 * A free of 2^order pages at pfn: hint the blocks, forget they were
 * reported.  Returns the hints newly set, or -ERANGE outside the span.
 */
int pagehint_map_note_free(struct pagehint_map *map, unsigned long pfn,
			   unsigned int order)
{
	unsigned long first, last;
	int set = 0;

	if (!pagehint_map_bits(map, pfn, 1UL << order, &first, &last))
		return -ERANGE;
	for (; first <= last; first++) {
		if (test_bit(first, map->reported))
			clear_bit(first, map->reported);
		if (!test_bit(first, map->hint) &&
		    !test_and_set_bit(first, map->hint))
			set++;
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
			    unsigned int order)
{
	unsigned long first, last;
	int set = 0;

	if (!pagehint_map_bits(map, pfn, 1UL << order, &first, &last))
		return -ERANGE;
	for (; first <= last; first++) {
		if (!test_bit(first, map->reported) &&
		    !test_bit(first, map->hint) &&
		    !test_and_set_bit(first, map->hint))
			set++;
	}
	return set;
}

/*
 * An allocation of 2^order pages at pfn: the blocks are not wholly free,
 * and no longer as reported.  Returns the hints cleared, or -ERANGE.
 */
int pagehint_map_note_alloc(struct pagehint_map *map, unsigned long pfn,
			    unsigned int order)
{
	unsigned long first, last;
	int cleared = 0;

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

	if (!pagehint_map_bits(map, pfn, nr, &first, &last))
		return;
	for (; first <= last; first++) {
		if (test_bit(first, map->reported))
			clear_bit(first, map->reported);
	}
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
 * of its block).  Outside @old's span nothing is known.
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

/* ---- The hooks ---- */

static void pagehint_overflow_page(struct page *page, unsigned int order)
{
	trace_pagehint_overflow(page_to_pfn(page), order);
	this_cpu_inc(pagehint_hook_counters.out_of_span);
	atomic_long_inc(&pagehint_overflow_gen);
	if (pagehint_scan_requests)
		set_bit(page_to_nid(page) * MAX_NR_ZONES + page_zonenum(page),
			pagehint_scan_requests);
}

static bool pagehint_own_event(void)
{
	return unlikely(READ_ONCE(pagehint_releaser) == current) && in_task();
}

static void pagehint_hook_free(struct page *page, unsigned int order,
			       bool drain)
{
	struct pagehint_map *map;
	int n;

	if (!page || pagehint_own_event())
		return;
	map = rcu_dereference_sched(pagehint_cur_map);
	if (!map)
		return;
	if (drain)
		n = pagehint_map_note_drain(map, page_to_pfn(page), order);
	else
		n = pagehint_map_note_free(map, page_to_pfn(page), order);
	if (n > 0)
		this_cpu_add(pagehint_hook_counters.hints_set, n);
	else if (n < 0)
		pagehint_overflow_page(page, order);
}

static void pagehint_hook_alloc(struct page *page, unsigned int order)
{
	struct pagehint_map *map;
	int n;

	if (!page || pagehint_own_event())
		return;
	map = rcu_dereference_sched(pagehint_cur_map);
	if (!map)
		return;
	n = pagehint_map_note_alloc(map, page_to_pfn(page), order);
	if (n > 0)
		this_cpu_add(pagehint_hook_counters.hints_cleared, n);
}

static void pagehint_probe_free(void *data, struct page *page,
				unsigned int order)
{
	pagehint_hook_free(page, order, false);
}

static void pagehint_probe_pcpu_drain(void *data, struct page *page,
				      unsigned int order, int migratetype)
{
	pagehint_hook_free(page, order, true);
}

static void pagehint_probe_alloc(void *data, struct page *page,
				 unsigned int order, gfp_t gfp_flags,
				 int migratetype)
{
	pagehint_hook_alloc(page, order);
}

static void pagehint_probe_alloc_zone_locked(void *data, struct page *page,
					     unsigned int order, int migratetype,
					     int percpu_refill)
{
	pagehint_hook_alloc(page, order);
}

static void pagehint_probe_alloc_extfrag(void *data, struct page *page,
					 int alloc_order, int fallback_order,
					 int alloc_migratetype,
					 int fallback_migratetype)
{
	pagehint_hook_alloc(page, max(alloc_order, fallback_order));
}

static struct pagehint_hook {
	const char *name;
	void *probe;
	struct tracepoint *tp;
	bool registered;
} pagehint_hooks[] = {
	{ "mm_page_free", pagehint_probe_free },
	{ "mm_page_pcpu_drain", pagehint_probe_pcpu_drain },
	{ "mm_page_alloc", pagehint_probe_alloc },
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
		if (pagehint_hooks[i].registered)
			tracepoint_probe_unregister(pagehint_hooks[i].tp,
						    pagehint_hooks[i].probe, NULL);
		pagehint_hooks[i].registered = false;
		pagehint_hooks[i].tp = NULL;
	}
	tracepoint_synchronize_unregister();
	pagehint_hooks_attached = false;
}

/*
 * Attach every hook or none: a tracker that sees frees but not allocations
 * would hint memory that is in use.  Without them pagehint runs scan-only.
 */
static int pagehint_hooks_attach(void)
{
	unsigned int i;
	int err;

	/* The probes' prototypes must match the kernel's: checked here. */
	check_trace_callback_type_mm_page_free(pagehint_probe_free);
	check_trace_callback_type_mm_page_pcpu_drain(pagehint_probe_pcpu_drain);
	check_trace_callback_type_mm_page_alloc(pagehint_probe_alloc);
	check_trace_callback_type_mm_page_alloc_zone_locked(pagehint_probe_alloc_zone_locked);
	check_trace_callback_type_mm_page_alloc_extfrag(pagehint_probe_alloc_extfrag);

	for_each_kernel_tracepoint(pagehint_find_tracepoint, NULL);
	for (i = 0; i < ARRAY_SIZE(pagehint_hooks); i++) {
		if (!pagehint_hooks[i].tp) {
			snprintf(pagehint_hooks_desc, sizeof(pagehint_hooks_desc),
				 "none (scan-only): no tracepoint %s",
				 pagehint_hooks[i].name);
			err = -ENOENT;
			goto out_detach;
		}
	}
	for (i = 0; i < ARRAY_SIZE(pagehint_hooks); i++) {
		err = tracepoint_probe_register(pagehint_hooks[i].tp,
						pagehint_hooks[i].probe, NULL);
		if (err) {
			snprintf(pagehint_hooks_desc, sizeof(pagehint_hooks_desc),
				 "none (scan-only): cannot attach to %s (%d)",
				 pagehint_hooks[i].name, err);
			goto out_detach;
		}
		pagehint_hooks[i].registered = true;
	}
	pagehint_hooks_attached = true;
	strscpy(pagehint_hooks_desc, "tracepoints", sizeof(pagehint_hooks_desc));
	return 0;

out_detach:
	pagehint_hooks_detach();
	return err;
}

/* ---- What the worker and sysfs use ---- */

/* Apply a map operation on [pfn, pfn + nr_pages) to the current map. */
static void pagehint_tracker_range(void (*op)(struct pagehint_map *map,
					      unsigned long pfn,
					      unsigned long nr),
				   unsigned long pfn, unsigned long nr_pages)
{
	struct pagehint_map *map;

	rcu_read_lock();
	map = rcu_dereference(pagehint_cur_map);
	if (map)
		op(map, pfn, nr_pages);
	rcu_read_unlock();
}

static void pagehint_request_scan_all(void)
{
	bitmap_fill(pagehint_scan_requests, nr_node_ids * MAX_NR_ZONES);
	atomic_long_inc(&pagehint_overflow_gen);
}

/*
 * Build a map for the knobs' report_order and budget and make it current,
 * carrying over what the current one knows: what was reported stays
 * reported, so a knob change does not make pagehint claim (and zero, and
 * the host fault back in) all free memory again.  A block touched while
 * the maps are swapped may keep a stale bit: a missed or repeated report,
 * never data.  If the new map cannot be had, the current one stays and the
 * error is returned.
 */
int pagehint_tracker_rebuild(void)
{
	unsigned long start = ULONG_MAX, end = 0;
	struct pagehint_map *map, *old;
	unsigned int order = pagehint_knobs.report_order;
	int nid;

	lockdep_assert_held(&pagehint_knob_lock);
	for_each_online_node(nid) {
		start = min(start, node_start_pfn(nid));
		end = max(end, node_end_pfn(nid));
	}
	map = pagehint_map_alloc(start, end, order,
				 pagehint_knobs.bitmap_budget_kib * 1024);
	if (IS_ERR(map)) {
		pr_warn("cannot build a free page map of PFNs %#lx-%#lx within %lu KiB: %ld\n",
			start, end, pagehint_knobs.bitmap_budget_kib, PTR_ERR(map));
		return PTR_ERR(map);
	}
	if (map->order > order) {
		trace_pagehint_overflow(ULONG_MAX, map->order);
		atomic64_inc(&pagehint_build_overflows);
	}

	old = rcu_dereference_protected(pagehint_cur_map,
					lockdep_is_held(&pagehint_knob_lock));
	if (old)
		pagehint_map_carry(map, old);
	rcu_assign_pointer(pagehint_cur_map, map);
	synchronize_rcu();
	pagehint_map_free(old);
	/* A new granularity or span: look at everything once. */
	pagehint_request_scan_all();
	return 0;
}

/*
 * Memory went online at [pfn, pfn + nr_pages) (hotplug.c): outside the
 * map's span, rebuild the map over the nodes' new span.
 */
void pagehint_tracker_memory_online(unsigned long pfn, unsigned long nr_pages)
{
	struct pagehint_map *map;

	mutex_lock(&pagehint_knob_lock);
	map = rcu_dereference_protected(pagehint_cur_map,
					lockdep_is_held(&pagehint_knob_lock));
	if (!map || pfn < map->base_pfn || pfn + nr_pages > map->end_pfn) {
		/* Memory comes online a block at a time: say it once. */
		if (!pagehint_tracker_rebuild())
			pr_info_once("the free page map follows memory brought online (now up to PFN %#lx)\n",
				     pfn + nr_pages);
	}
	mutex_unlock(&pagehint_knob_lock);
}

/* Memory goes offline: forget its hints and what was reported there. */
void pagehint_tracker_forget_range(unsigned long pfn, unsigned long nr_pages)
{
	pagehint_tracker_range(pagehint_map_forget, pfn, nr_pages);
}

bool pagehint_tracker_hooked(void)
{
	return pagehint_hooks_attached;
}

bool pagehint_tracker_reported(unsigned long pfn, unsigned int order)
{
	struct pagehint_map *map;
	bool reported = false;

	rcu_read_lock();
	map = rcu_dereference(pagehint_cur_map);
	if (map)
		reported = pagehint_map_reported(map, pfn, order);
	rcu_read_unlock();
	return reported;
}

void pagehint_tracker_mark_reported(unsigned long pfn, unsigned long nr_pages)
{
	pagehint_tracker_range(pagehint_map_mark_reported, pfn, nr_pages);
}

/*
 * Without hooks nothing clears a "reported" bit when its block is reused.
 * A scan that finds a block in use forgets it (pagehint_tracker_unreport());
 * a block reallocated and freed again between two scans is caught only when
 * scan-only mode forgets them all, every PAGEHINT_SCANONLY_FORGET scans
 * (report.c): a block still free is then claimed (and zeroed) once more.
 */
void pagehint_tracker_unreport(unsigned long pfn, unsigned long nr_pages)
{
	pagehint_tracker_range(pagehint_map_unreport, pfn, nr_pages);
}

void pagehint_tracker_forget_reported(void)
{
	struct pagehint_map *map;

	rcu_read_lock();
	map = rcu_dereference(pagehint_cur_map);
	if (map)
		bitmap_zero(map->reported, map->nbits);
	rcu_read_unlock();
}

void pagehint_tracker_rehint(unsigned long pfn, unsigned long nr_pages)
{
	pagehint_tracker_range(pagehint_map_rehint, pfn, nr_pages);
}

/*
 * Take the next hint at or after bit *cursor, wrapping around once to stop
 * before bit @stop: successive passes resume where the last one stopped,
 * so that no part of memory starves.
 */
bool pagehint_tracker_take_hint(unsigned long *cursor, unsigned long stop,
				bool *wrapped, unsigned long *pfn,
				unsigned long *nr)
{
	struct pagehint_map *map;
	bool found = false;

	rcu_read_lock();
	map = rcu_dereference(pagehint_cur_map);
	if (map && pagehint_hooks_attached) {
		found = pagehint_map_take_hint(map, cursor,
					       *wrapped ? stop : ULONG_MAX,
					       pfn, nr);
		if (!found && !*wrapped && stop) {
			*wrapped = true;
			*cursor = 0;
			found = pagehint_map_take_hint(map, cursor, stop, pfn, nr);
		}
	}
	rcu_read_unlock();
	return found;
}

bool pagehint_tracker_take_scan_request(int nid, int zid)
{
	return test_and_clear_bit(nid * MAX_NR_ZONES + zid, pagehint_scan_requests);
}

void pagehint_tracker_request_scan(int nid, int zid)
{
	set_bit(nid * MAX_NR_ZONES + zid, pagehint_scan_requests);
}

long pagehint_tracker_generation(void)
{
	return atomic_long_read(&pagehint_overflow_gen);
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
	return pagehint_hooks_desc;
}

void pagehint_tracker_counters(struct pagehint_tracker_counters *c)
{
	struct pagehint_map *map;
	int cpu;

	memset(c, 0, sizeof(*c));
	for_each_possible_cpu(cpu) {
		struct pagehint_hook_counters *h =
			per_cpu_ptr(&pagehint_hook_counters, cpu);

		c->hints_set += READ_ONCE(h->hints_set);
		c->hints_cleared += READ_ONCE(h->hints_cleared);
		c->overflows += READ_ONCE(h->out_of_span);
	}
	c->overflows += atomic64_read(&pagehint_build_overflows);
	rcu_read_lock();
	map = rcu_dereference(pagehint_cur_map);
	if (map) {
		c->bitmap_bytes = pagehint_map_size(map->nbits);
		c->bitmap_order = map->order;
	}
	rcu_read_unlock();
}

int pagehint_tracker_init(bool hooks)
{
	int err;

	pagehint_scan_requests = bitmap_zalloc(nr_node_ids * MAX_NR_ZONES,
					       GFP_KERNEL);
	if (!pagehint_scan_requests)
		return -ENOMEM;
	mutex_lock(&pagehint_knob_lock);
	err = pagehint_tracker_rebuild();
	mutex_unlock(&pagehint_knob_lock);
	if (err)
		goto out_free;

	if (!hooks)
		strscpy(pagehint_hooks_desc, "none (scan-only): hooks=0",
			sizeof(pagehint_hooks_desc));
	else if (pagehint_hooks_attach())
		pr_warn("allocator hooks: %s\n", pagehint_hooks_desc);
	return 0;

out_free:
	bitmap_free(pagehint_scan_requests);
	pagehint_scan_requests = NULL;
	return err;
}

void pagehint_tracker_exit(void)
{
	struct pagehint_map *map;

	if (pagehint_hooks_attached)
		pagehint_hooks_detach();
	map = rcu_replace_pointer(pagehint_cur_map, NULL, true);
	synchronize_rcu();
	pagehint_map_free(map);
	bitmap_free(pagehint_scan_requests);
	pagehint_scan_requests = NULL;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * The best-effort free page tracker: the allocator's own free/alloc events,
 * seen through the kmem tracepoints at the call sites of arch_free_page()
 * and arch_alloc_page(), kept in bounded metadata.
 *
 * The map (map.c) holds two bitmaps, "hint" and "reported", with one bit
 * per naturally aligned block of 2^order pages; the tracker keeps the
 * current one and feeds it the allocator's events.
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
#include "map.h"

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
	/* First reuses of freed blocks, by age (pagehint_map_reuse_bucket()). */
	unsigned long reuse[PAGEHINT_REUSE_BUCKETS];
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

/* The map's clock, in ticks of PAGEHINT_TICK_MS. */
static u16 pagehint_tick(void)
{
	return jiffies_to_msecs(jiffies) / PAGEHINT_TICK_MS;
}

static bool pagehint_own_event(void)
{
	return unlikely(READ_ONCE(pagehint_releaser) == current) && in_task();
}

/*
 * Pages freed (mm_page_free) or drained from a per-cpu list into the buddy
 * lists (mm_page_pcpu_drain).  A free to a per-cpu list hints nothing: the
 * pages are not a free block, the next allocation on this CPU may take
 * them back, and hinting them there would write the map's shared line on
 * every order-0 free of every CPU (one line of hints covers 1 GiB at order
 * 9).  They are hinted when they are drained.
 */
static void pagehint_hook_free(struct page *page, unsigned int order,
			       bool drain)
{
	struct pagehint_map *map;
	unsigned long pfn;
	int n;

	if (!page || pagehint_own_event())
		return;
	map = rcu_dereference_sched(pagehint_cur_map);
	if (!map)
		return;
	pfn = page_to_pfn(page);
	if (drain)
		n = pagehint_map_note_drain(map, pfn, order, pagehint_tick());
	else if (pagehint_free_to_pcp(page, pfn, order))
		n = pagehint_map_note_pcp_free(map, pfn, order);
	else
		n = pagehint_map_note_free(map, pfn, order, pagehint_tick());
	if (n > 0) {
		this_cpu_add(pagehint_hook_counters.hints_set, n);
		pagehint_worker_hinted();
	} else if (n < 0) {
		pagehint_overflow_page(page, order);
	}
}

/*
 * Pages taken from the buddy lists under zone->lock
 * (mm_page_alloc_zone_locked, mm_page_alloc_extfrag): for an allocation,
 * or to refill a per-cpu list, one event per block of the refill.  Every
 * path out of the buddy lists comes here but compaction's (its free
 * scanner, and the capture of a block as it is freed), isolation's and
 * offlining's, so mm_page_alloc, which fires on every allocation, per-cpu
 * ones included, is not hooked.  A block taken by one of those keeps its
 * hint until the worker looks (one wasted look), and "reported" until its
 * pages are freed again, which forgets it.  Only an allocation of a whole
 * block changes the hints (pagehint_map_note_alloc()).  Any allocation
 * counts, the first time its block is allocated from after a free, how
 * long the block was free (pagehint_map_note_reuse()): a read of the
 * block's bits, and one write per free period.
 */
static void pagehint_hook_alloc(struct page *page, unsigned int order)
{
	struct pagehint_map *map;
	unsigned long pfn;
	int n;

	if (!page || pagehint_own_event())
		return;
	map = rcu_dereference_sched(pagehint_cur_map);
	if (!map)
		return;
	pfn = page_to_pfn(page);
	n = pagehint_map_note_reuse(map, pfn, pagehint_tick());
	if (n >= 0)
		this_cpu_inc(pagehint_hook_counters.reuse[pagehint_map_reuse_bucket(n)]);
	if (order < map->order)
		return;
	n = pagehint_map_note_alloc(map, pfn, order);
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

static void pagehint_probe_alloc_zone_locked(void *data, struct page *page,
					     unsigned int order, int migratetype,
					     int percpu_refill)
{
	pagehint_hook_alloc(page, order);
}

/*
 * A fallback to another migratetype's free list.  6.1 says so while the
 * fallback block is still free in the buddy lists (the retry through
 * __rmqueue_smallest() then reports the pages it takes); 6.12 and 7.2 say
 * so of the pages taken, aligned to @alloc_order only, after the rest of
 * the block went back to the free lists.  So only those pages, and only
 * once they are out of the buddy lists, lose their hint.
 */
static void pagehint_probe_alloc_extfrag(void *data, struct page *page,
					 int alloc_order, int fallback_order,
					 int alloc_migratetype,
					 int fallback_migratetype)
{
	if (page && !PageBuddy(page))
		pagehint_hook_alloc(page, alloc_order);
}

static struct pagehint_hook {
	const char *name;
	void *probe;
	struct tracepoint *tp;
	bool registered;
} pagehint_hooks[] = {
	{ "mm_page_free", pagehint_probe_free },
	{ "mm_page_pcpu_drain", pagehint_probe_pcpu_drain },
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

/*
 * How long the memory of [pfn, pfn + nr_pages) has been free, in ms
 * (pagehint_map_free_age(): from when the worker first saw it free, if an
 * allocation came after the last free); -1 when the map does not know.
 */
int pagehint_tracker_free_ms(unsigned long pfn, unsigned long nr_pages)
{
	struct pagehint_map *map;
	int age = -1;

	rcu_read_lock();
	map = rcu_dereference(pagehint_cur_map);
	if (map)
		age = pagehint_map_free_age(map, pfn, nr_pages, pagehint_tick());
	rcu_read_unlock();
	return age < 0 ? age : age * PAGEHINT_TICK_MS;
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
	unsigned int i;
	int cpu;

	memset(c, 0, sizeof(*c));
	for_each_possible_cpu(cpu) {
		struct pagehint_hook_counters *h =
			per_cpu_ptr(&pagehint_hook_counters, cpu);

		c->hints_set += READ_ONCE(h->hints_set);
		c->hints_cleared += READ_ONCE(h->hints_cleared);
		c->overflows += READ_ONCE(h->out_of_span);
		for (i = 0; i < PAGEHINT_REUSE_BUCKETS; i++)
			c->reuse[i] += READ_ONCE(h->reuse[i]);
	}
	c->overflows += atomic64_read(&pagehint_build_overflows);
	rcu_read_lock();
	map = rcu_dereference(pagehint_cur_map);
	if (map) {
		c->bitmap_bytes = pagehint_map_size(map->nbits, map->order);
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

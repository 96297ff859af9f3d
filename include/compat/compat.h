/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels pagehint supports lives here, and
 * only here: src/ is written against one API.  Kbuild force-includes this
 * file into every unit.  Differences are decided by feature where a feature
 * can be tested (a macro here, or a header probe in Kbuild); the version
 * checks that remain name the change they track.
 *
 * Supported: 6.1 (Debian 12) to the newest kernel in Debian unstable (7.x).
 */
#ifndef _PAGEHINT_COMPAT_H
#define _PAGEHINT_COMPAT_H

#include <linux/gfp.h>
#include <linux/mmzone.h>
#include <linux/pageblock-flags.h>
#include <linux/slab.h>
#include <linux/version.h>
#include <linux/virtio_config.h>

#include "kversion.h"

#if PAGEHINT_KERNEL_BEFORE(6, 1, 0)
#error "pagehint needs Linux 6.1 or newer"
#endif

/*
 * Number of buddy orders.  6.8 ("mm, treewide: introduce NR_PAGE_ORDERS")
 * added NR_PAGE_ORDERS; before it MAX_ORDER was the number of orders until
 * 6.4 ("mm: change meaning of MAX_ORDER") made it the largest order.
 */
#ifndef NR_PAGE_ORDERS
#if PAGEHINT_KERNEL_BEFORE(6, 4, 0)
#define NR_PAGE_ORDERS		MAX_ORDER
#else
#define NR_PAGE_ORDERS		(MAX_ORDER + 1)
#endif
#endif
#define PAGEHINT_MAX_ORDER	(NR_PAGE_ORDERS - 1)

/*
 * alloc_contig_range() took a migratetype up to 6.15 and takes acr_flags_t
 * since "mm/page_alloc: alloc_contig_range() with ACR_FLAGS" (6.16), where
 * MIGRATE_MOVABLE (1) would mean ACR_FLAGS_CMA.  Decided by version, and
 * checked against the header: a kernel on which the two disagree is one
 * pagehint does not know, and must not guess about.  Before 6.16 the
 * migratetype is what every isolated pageblock gets back; pagehint passes
 * the type the range's pageblocks all have (claim.c), so each comes back
 * as it was.
 */
#if PAGEHINT_KERNEL_BEFORE(6, 16, 0)
#ifdef ACR_FLAGS_NONE
#error "alloc_contig_range() takes acr_flags_t before 6.16: a backport pagehint does not know"
#endif
#else
#ifndef ACR_FLAGS_NONE
#error "alloc_contig_range() has no ACR_FLAGS_NONE on 6.16 or newer: its API changed again"
#endif
#endif

/*
 * Claim [start, end), whose pageblocks are all of type @mt (claim.c).  Up
 * to 6.15 the migratetype passed is what every pageblock gets back when
 * its isolation is undone, and nothing else in the claim reads it but
 * CMA's checks: passing the pageblocks' own type gives each back as it
 * was.  From 6.16 the claim keeps every type by itself.
 */
static inline int pagehint_alloc_contig_range(unsigned long start,
					      unsigned long end, int mt,
					      gfp_t gfp)
{
#if PAGEHINT_KERNEL_BEFORE(6, 16, 0)
	return alloc_contig_range(start, end, mt, gfp);
#else
	return alloc_contig_range(start, end, ACR_FLAGS_NONE, gfp);
#endif
}

/*
 * The migratetype of the pageblock holding @pfn, read as the allocator's
 * get_pfnblock_flags_mask() reads it, which is not exported: the bits of
 * the section's pageblock_flags (mem_section is exported; the layout is the
 * header's).  Read-only and racy, like every other look pagehint takes at
 * free memory before claiming it.  The migratetype bits are the low bits
 * in every supported layout; since "mm/page_isolation: make page isolation
 * a standalone bit" (6.16) the header names their mask
 * PAGEBLOCK_MIGRATETYPE_MASK, and isolation is a bit of its own, reported
 * here as MIGRATE_ISOLATE as the older layout stores it.
 */
#ifndef CONFIG_SPARSEMEM
#error "pagehint reads pageblock types through the memory sections: it needs CONFIG_SPARSEMEM"
#endif
#ifdef PAGEBLOCK_MIGRATETYPE_MASK
#define PAGEHINT_MIGRATETYPE_MASK	PAGEBLOCK_MIGRATETYPE_MASK
/*
 * Isolation no longer overwrites the migratetype, and alloc_contig_range()
 * gives every pageblock back with the type it had.
 */
#define PAGEHINT_CLAIM_KEEPS_MIGRATETYPE
#else
#define PAGEHINT_MIGRATETYPE_MASK	MIGRATETYPE_MASK
#endif

static inline int pagehint_pageblock_migratetype(unsigned long pfn)
{
	struct mem_section *ms = __pfn_to_section(pfn);
	unsigned long bitidx, word;

	if (!ms || !valid_section(ms) || !READ_ONCE(ms->usage))
		return -1;
	bitidx = ((pfn & (PAGES_PER_SECTION - 1)) >> pageblock_order) *
		 NR_PAGEBLOCK_BITS;
	word = READ_ONCE(section_to_usemap(ms)[bitidx / BITS_PER_LONG]) >>
	       (bitidx % BITS_PER_LONG);
#ifdef PAGEHINT_CLAIM_KEEPS_MIGRATETYPE
	if (word & PAGEBLOCK_ISO_MASK)
		return MIGRATE_ISOLATE;
#endif
	return word & PAGEHINT_MIGRATETYPE_MASK;
}

#include <linux/huge_mm.h>

/*
 * Does a free of 2^order pages at @pfn go to a per-cpu list, to reach the
 * buddy lists later through free_pcppages_bulk() and its
 * mm_page_pcpu_drain event?  The allocator's pcp_allowed_order() keeps
 * orders up to PAGE_ALLOC_COSTLY_ORDER there, and with THP one more order:
 * pageblock_order in 6.1, HPAGE_PMD_ORDER in 6.12 and 7.2; only an order
 * that is both is taken for sure.  Frees into an isolated pageblock go
 * straight to the buddy lists (free_unref_page(), free_frozen_pages()).
 * False when unsure: a free the buddy lists take at once must be hinted
 * then, a pcp free hinted twice only costs a write.
 *
 * The zone's count of isolated pageblocks (read-mostly, on a line the
 * allocator's fast path reads anyway) spares the pageblock bitmap read of
 * almost every free: only while some pageblock of the zone is isolated is
 * the free's own pageblock looked at.  A free racing with the start of an
 * isolation may be taken for a pcp free and miss its hint: the block's
 * next event or a scan finds it.
 */
static inline bool pagehint_free_to_pcp(struct page *page, unsigned long pfn,
					unsigned int order)
{
	int mt;

	if (order > PAGE_ALLOC_COSTLY_ORDER) {
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
		if (order != pageblock_order || order != HPAGE_PMD_ORDER)
			return false;
#else
		return false;
#endif
	}
#ifdef CONFIG_MEMORY_ISOLATION
	if (likely(!READ_ONCE(page_zone(page)->nr_isolate_pageblock)))
		return true;
#endif
	mt = pagehint_pageblock_migratetype(pfn);
	return mt >= 0 && mt != MIGRATE_ISOLATE;
}

/*
 * virtio_find_vqs() took callbacks[] and names[] up to 6.10 and takes
 * struct virtqueue_info[] since "virtio: introduce virtio_queue_info struct
 * and find_vqs_info() config op" (6.11).  Kbuild probes the header.
 */
static inline int pagehint_find_vqs(struct virtio_device *vdev,
				    unsigned int nvqs, struct virtqueue *vqs[],
				    vq_callback_t *callbacks[],
				    const char * const names[])
{
#ifdef PAGEHINT_HAVE_VIRTQUEUE_INFO
	struct virtqueue_info info[8] = {};
	unsigned int i;

	if (WARN_ON_ONCE(nvqs > ARRAY_SIZE(info)))
		return -EINVAL;
	for (i = 0; i < nvqs; i++) {
		info[i].name = names[i];
		info[i].callback = callbacks[i];
	}
	return virtio_find_vqs(vdev, nvqs, vqs, info, NULL);
#else
	return virtio_find_vqs(vdev, nvqs, vqs, callbacks, names, NULL);
#endif
}

/*
 * Releasing the stock virtio_balloon from a device whose queues have a
 * hole (reporting offered, free page hinting not) oopses in vp_del_vqs()
 * from "virtio_pci: pass vq info as an argument to vp_setup_vq()" (6.11)
 * until "virtio_pci: fix vq info pointer lookup via wrong index" (7.2,
 * backported to 6.12.96).  pagehint's own queue array has no holes.
 */
static inline bool pagehint_balloon_unbind_oopses(void)
{
	return PAGEHINT_KERNEL_RANGE(6, 11, 0, 6, 12, 96) ||
	       PAGEHINT_KERNEL_RANGE(6, 13, 0, 7, 2, 0);
}

/*
 * kzalloc_obj() (7.x) allocates one zeroed object of its argument's type;
 * the kernels before it get the same through kzalloc(sizeof()).
 */
#ifndef kzalloc_obj
#define kzalloc_obj(P, GFP)	kzalloc(sizeof(P), GFP)
#endif

/*
 * The event counters the stats queue carries.  all_vm_events() fills an
 * array of NR_VM_EVENT_ITEMS (allocated: too large for the stack).  The
 * reclaim scan and steal counts were vm events up to 7.1 and are node
 * stats from "mm: vmscan: move PGSCAN and PGSTEAL to node stats" (7.2);
 * Kbuild probes mmzone.h for them (PAGEHINT_HAVE_PGSCAN_NODE_STAT).
 */
#ifdef CONFIG_VM_EVENT_COUNTERS
#include <linux/vmstat.h>

static inline unsigned long *pagehint_vm_events(void)
{
	unsigned long *ev = kmalloc_array(NR_VM_EVENT_ITEMS, sizeof(*ev),
					  GFP_KERNEL);

	if (ev)
		all_vm_events(ev);
	return ev;
}

static inline unsigned long pagehint_alloc_stalls(const unsigned long *ev)
{
	unsigned long stalls = 0;
	int zid;

	for (zid = 0; zid < MAX_NR_ZONES; zid++)
		stalls += ev[ALLOCSTALL_NORMAL - ZONE_NORMAL + zid];
	return stalls;
}

enum pagehint_vm_scan {
	PAGEHINT_SCAN_KSWAPD,
	PAGEHINT_SCAN_DIRECT,
	PAGEHINT_STEAL_KSWAPD,
	PAGEHINT_STEAL_DIRECT,
};

static inline unsigned long pagehint_vm_scan(const unsigned long *ev,
					     enum pagehint_vm_scan which)
{
#ifdef PAGEHINT_HAVE_PGSCAN_NODE_STAT
	static const enum node_stat_item item[] = {
		PGSCAN_KSWAPD, PGSCAN_DIRECT, PGSTEAL_KSWAPD, PGSTEAL_DIRECT,
	};

	return global_node_page_state(item[which]);
#else
	static const enum vm_event_item item[] = {
		PGSCAN_KSWAPD, PGSCAN_DIRECT, PGSTEAL_KSWAPD, PGSTEAL_DIRECT,
	};

	return ev[item[which]];
#endif
}
#endif /* CONFIG_VM_EVENT_COUNTERS */

/*
 * Shrinkers are allocated by the core since "mm: shrinker: add
 * infrastructure for dynamically allocating shrinker" (6.7), and were
 * structs the caller registered before; Kbuild probes shrinker.h for
 * shrinker_alloc() (PAGEHINT_HAVE_SHRINKER_ALLOC).
 */
#include <linux/shrinker.h>

typedef unsigned long (*pagehint_shrink_fn)(struct shrinker *s,
					    struct shrink_control *sc);

static inline struct shrinker *
pagehint_shrinker_create(const char *name, pagehint_shrink_fn count,
			 pagehint_shrink_fn scan)
{
	struct shrinker *s;

#ifdef PAGEHINT_HAVE_SHRINKER_ALLOC
	s = shrinker_alloc(0, "%s", name);
	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	shrinker_register(s);
#else
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return NULL;
	s->count_objects = count;
	s->scan_objects = scan;
	s->seeks = DEFAULT_SEEKS;
	if (register_shrinker(s, "%s", name)) {
		kfree(s);
		return NULL;
	}
#endif
	return s;
}

static inline void pagehint_shrinker_destroy(struct shrinker *s)
{
	if (!s)
		return;
#ifdef PAGEHINT_HAVE_SHRINKER_ALLOC
	shrinker_free(s);
#else
	unregister_shrinker(s);
	kfree(s);
#endif
}

/*
 * shmem_file_setup() takes VM flags as an unsigned long on 6.1 and 6.12,
 * and as vma_flags_t (a bitmap type) on 7.2; Kbuild probes shmem_fs.h.
 * The KUnit suites use it for a page-cache page on the LRU.
 */
#include <linux/shmem_fs.h>

static inline struct file *pagehint_shmem_file_setup(const char *name,
						     loff_t size)
{
#ifdef PAGEHINT_HAVE_SHMEM_VMA_FLAGS
	return shmem_file_setup(name, size, EMPTY_VMA_FLAGS);
#else
	return shmem_file_setup(name, size, 0);
#endif
}

/*
 * The per-cpu system workqueue: system_wq, or system_percpu_wq where the
 * kernel has it (6.12.118 and 7.2 do), system_wq being an alias to be
 * removed there (Kbuild probes workqueue.h).
 */
#include <linux/workqueue.h>

#ifdef PAGEHINT_HAVE_SYSTEM_PERCPU_WQ
#define pagehint_percpu_wq	system_percpu_wq
#else
#define pagehint_percpu_wq	system_wq
#endif

#endif /* _PAGEHINT_COMPAT_H */

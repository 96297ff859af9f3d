/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The kernel's balloon page API, as it differs between the kernels pagehint
 * supports; included by src/balloon.c alone (compat.h holds the rest).
 *
 * Up to 7.1 the API is <linux/balloon_compaction.h> (CONFIG_MEMORY_BALLOON,
 * migration with CONFIG_BALLOON_COMPACTION): the driver adjusts the managed
 * page count itself, and its migratepage callback inserts the new page into
 * the balloon list and finalizes the old one.  From 7.2 it is
 * <linux/balloon.h> (CONFIG_BALLOON, migration with CONFIG_BALLOON_MIGRATION):
 * balloon_dev_info says whether the core adjusts the managed page count,
 * and the core's migration does the list work; the callback only tells the
 * host.  Kbuild probes for the header (PAGEHINT_HAVE_BALLOON_H).
 */
#ifndef _PAGEHINT_COMPAT_BALLOON_H
#define _PAGEHINT_COMPAT_BALLOON_H

#include <linux/mm.h>
#include <linux/vmstat.h>

#if defined(CONFIG_MEMORY_BALLOON) || defined(CONFIG_BALLOON)
#define PAGEHINT_HAVE_BALLOON	1
#else
#define PAGEHINT_HAVE_BALLOON	0
#endif

#ifdef PAGEHINT_HAVE_BALLOON_H
#include <linux/balloon.h>
#define PAGEHINT_BALLOON_MIGRATION	IS_ENABLED(CONFIG_BALLOON_MIGRATION)

static inline void pagehint_balloon_devinfo_init(struct balloon_dev_info *b,
						 bool adjust_managed)
{
	balloon_devinfo_init(b);
	b->adjust_managed_page_count = adjust_managed;
}

/* The core adjusts the managed page count on enqueue and dequeue. */
static inline void pagehint_balloon_managed(struct page *page, long delta,
					    bool adjust_managed)
{
}

/* Migration: the core moves the pages on the list; 0 is success. */
static inline void pagehint_balloon_migrate_begin(struct balloon_dev_info *b,
						  struct page *newpage,
						  struct page *page,
						  bool adjust_managed)
{
}

static inline int pagehint_balloon_migrate_end(struct page *page)
{
	return 0;
}

#elif PAGEHINT_HAVE_BALLOON
#include <linux/balloon_compaction.h>
#define PAGEHINT_BALLOON_MIGRATION	IS_ENABLED(CONFIG_BALLOON_COMPACTION)

static inline void pagehint_balloon_devinfo_init(struct balloon_dev_info *b,
						 bool adjust_managed)
{
	balloon_devinfo_init(b);
}

static inline void pagehint_balloon_managed(struct page *page, long delta,
					    bool adjust_managed)
{
	if (adjust_managed)
		adjust_managed_page_count(page, delta);
}

#if PAGEHINT_BALLOON_MIGRATION
/*
 * Before the host hears of the new page: take the balloon's reference on
 * it, move the managed page count across zones, and put it on the list in
 * the isolated page's place, as virtio_balloon does on these kernels.
 */
static inline void pagehint_balloon_migrate_begin(struct balloon_dev_info *b,
						  struct page *newpage,
						  struct page *page,
						  bool adjust_managed)
{
	unsigned long flags;

	get_page(newpage);
	if (adjust_managed && page_zone(page) != page_zone(newpage)) {
		adjust_managed_page_count(page, 1);
		adjust_managed_page_count(newpage, -1);
	}
	spin_lock_irqsave(&b->pages_lock, flags);
	balloon_page_insert(b, newpage);
	b->isolated_pages--;
	__count_vm_event(BALLOON_MIGRATE);
	spin_unlock_irqrestore(&b->pages_lock, flags);
}

/* After the host heard of both: drop the old page. */
static inline int pagehint_balloon_migrate_end(struct page *page)
{
	balloon_page_finalize(page);
	put_page(page);
	return MIGRATEPAGE_SUCCESS;
}
#endif /* PAGEHINT_BALLOON_MIGRATION */

#else /* no balloon API in this kernel */
#define PAGEHINT_BALLOON_MIGRATION	0
#endif

#endif /* _PAGEHINT_COMPAT_BALLOON_H */

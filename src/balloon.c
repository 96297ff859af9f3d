// SPDX-License-Identifier: GPL-2.0
/*
 * The balloon: inflate and deflate to the host's target, as the stock
 * virtio_balloon does, on the same device pagehint reports through.
 *
 * The host writes its target, in 4 KiB balloon pages, into the config
 * space's num_pages; pagehint inflates (takes pages from the guest through
 * the kernel's balloon API and tells the host their PFNs on the inflate
 * queue, after which the host may discard them) or deflates (tells the host
 * on the deflate queue, then gives the pages back), and writes what the
 * balloon holds into actual.  The rules are virtio_balloon's:
 *
 *   - pages come from balloon_page_alloc() and sit on the balloon_dev_info
 *     list, so they stay movable: compaction migrates them (the
 *     migratepage callback tells the host of the swap) where the kernel
 *     has balloon migration;
 *   - with VIRTIO_BALLOON_F_MUST_TELL_HOST, a page is used again only
 *     after the host has acked its deflate (pagehint always waits for
 *     the ack before it frees, whatever the host negotiated);
 *   - with VIRTIO_BALLOON_F_DEFLATE_ON_OOM, an OOM notifier gives back up
 *     to 1 MiB before the OOM killer runs, and inflated pages stay in the
 *     managed page count (without it they leave it, as the host owns them);
 *   - a guest page larger than 4 KiB is VIRTIO_BALLOON_PAGES_PER_PAGE
 *     balloon pages.
 *
 * Reporting and ballooning do not fight: an inflated page is an allocated
 * page, so the tracker has cleared its hint and a scan sees it in use;
 * pagehint never claims nor reports it.  A deflated page is freed like any
 * other and reported when it is free long enough.
 *
 * Life: pagehint_balloon_start() once the device is ready, _stop() before
 * it is reset.  A stop for remove or freeze deflates all of it first, as
 * virtio_balloon does (the host inflates again after a restore); a stop
 * for a system restart leaves it, since the next kernel starts afresh.
 */

#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/oom.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_balloon.h>
#include <linux/virtio_config.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "compat/balloon.h"
#include "pagehint.h"
#include "balloon.h"

#define PAGEHINT_BALLOON_PAGES_PER_PAGE \
	((unsigned int)(PAGE_SIZE >> VIRTIO_BALLOON_PFN_SHIFT))
/* PFNs in one inflate or deflate request, as virtio_balloon sends them. */
#define PAGEHINT_BALLOON_PFNS	256
/* Balloon pages given back per OOM notification (1 MiB). */
#define PAGEHINT_BALLOON_OOM_PAGES	256
/* Before virtio_balloon's (80), which has the device no more anyway. */
#define PAGEHINT_BALLOON_OOM_PRIORITY	80

#if PAGEHINT_HAVE_BALLOON

static struct pagehint_balloon {
	struct virtio_device *vdev;
	struct virtqueue *inflate_vq, *deflate_vq;
	bool deflate_on_oom;
	/* Inflated pages (the list is the balloon API's; its own lock). */
	struct balloon_dev_info info;
	/*
	 * lock protects num_pages, the pfns array and the use of both
	 * queues (one request at a time).  Taken by the size work, the OOM
	 * notifier, migration (trylock) and stop.  Lock order:
	 * pagehint_dev_lock (virtio.c), then this one.
	 */
	struct mutex lock;
	unsigned int num_pages;		/* balloon pages the host holds */
	unsigned int num_pfns;
	/*
	 * Guest pages still to inflate to the host's target, as the size
	 * work last saw it: the watermark guard keeps them free for the
	 * balloon.  Written by the size work and stop, read locklessly.
	 */
	unsigned long pending;
	/*
	 * The PFNs of one request.  The device reads them through the DMA
	 * API, so they live in the linear map (kmalloc), not in the module's
	 * data; allocated at the first start, freed at module exit.
	 */
	__virtio32 *pfns;
	wait_queue_head_t acked;
	/* Adjusts the balloon to the target; queued on config changes. */
	struct work_struct size_work;
	/* stop_lock protects stopped against the config callback. */
	spinlock_t stop_lock;
	bool stopped;
	bool oom_registered;
	struct notifier_block oom_nb;
} pagehint_balloon = {
	.lock = __MUTEX_INITIALIZER(pagehint_balloon.lock),
	.acked = __WAIT_QUEUE_HEAD_INITIALIZER(pagehint_balloon.acked),
	.stop_lock = __SPIN_LOCK_UNLOCKED(pagehint_balloon.stop_lock),
	.stopped = true,
};

void pagehint_balloon_ack(struct virtqueue *vq)
{
	wake_up(&pagehint_balloon.acked);
}

static bool pagehint_balloon_returned(struct virtqueue *vq)
{
	unsigned int len;

	return virtqueue_get_buf(vq, &len) || virtqueue_is_broken(vq);
}

/*
 * Send the PFNs in b->pfns on @vq and wait until the host has read them
 * (it has discarded an inflate, or allows the pages' use after a deflate).
 * A broken device (surprise removal) reads nothing: no wait then.
 */
static void pagehint_balloon_tell(struct pagehint_balloon *b,
				  struct virtqueue *vq)
{
	struct scatterlist sg;

	lockdep_assert_held(&b->lock);
	sg_init_one(&sg, b->pfns, sizeof(b->pfns[0]) * b->num_pfns);
	/* One request at a time, on a queue checked to hold one at start. */
	if (virtqueue_add_outbuf(vq, &sg, 1, b, GFP_KERNEL))
		return;
	virtqueue_kick(vq);
	wait_event(b->acked, pagehint_balloon_returned(vq));
}

static void pagehint_balloon_set_pfns(struct pagehint_balloon *b,
				      __virtio32 *pfns, struct page *page)
{
	u32 first = page_to_pfn(page) * PAGEHINT_BALLOON_PAGES_PER_PAGE;
	unsigned int i;

	BUILD_BUG_ON(PAGE_SHIFT < VIRTIO_BALLOON_PFN_SHIFT);
	BUILD_BUG_ON(PAGEHINT_BALLOON_PAGES_PER_PAGE > PAGEHINT_BALLOON_PFNS);
	for (i = 0; i < PAGEHINT_BALLOON_PAGES_PER_PAGE; i++)
		pfns[i] = cpu_to_virtio32(b->vdev, first + i);
}

/* Inflate by up to @num balloon pages; returns how many it took. */
static unsigned int pagehint_balloon_fill(struct pagehint_balloon *b,
					  size_t num)
{
	struct page *page, *next;
	unsigned int n = 0, done;
	LIST_HEAD(pages);

	num = min_t(size_t, num, PAGEHINT_BALLOON_PFNS);
	for (; n < num; n += PAGEHINT_BALLOON_PAGES_PER_PAGE) {
		page = balloon_page_alloc();
		if (!page) {
			dev_info_ratelimited(&b->vdev->dev,
					     "balloon: cannot get %u more pages now\n",
					     PAGEHINT_BALLOON_PAGES_PER_PAGE);
			msleep(200);	/* the size work retries */
			break;
		}
		list_add(&page->lru, &pages);
	}

	mutex_lock(&b->lock);
	b->num_pfns = 0;
	list_for_each_entry_safe(page, next, &pages, lru) {
		list_del(&page->lru);
		balloon_page_enqueue(&b->info, page);
		pagehint_balloon_managed(page, -1, !b->deflate_on_oom);
		pagehint_balloon_set_pfns(b, b->pfns + b->num_pfns, page);
		b->num_pfns += PAGEHINT_BALLOON_PAGES_PER_PAGE;
		b->num_pages += PAGEHINT_BALLOON_PAGES_PER_PAGE;
	}
	done = b->num_pfns;
	if (done)
		pagehint_balloon_tell(b, b->inflate_vq);
	mutex_unlock(&b->lock);
	return done;
}

/*
 * Deflate by up to @num balloon pages: tell the host first, then give the
 * pages back.  Returns how many it gave back.
 */
static unsigned int pagehint_balloon_leak(struct pagehint_balloon *b,
					  size_t num)
{
	struct page *page, *next;
	unsigned int done;
	LIST_HEAD(pages);

	num = min_t(size_t, num, PAGEHINT_BALLOON_PFNS);
	mutex_lock(&b->lock);
	num = min_t(size_t, num, b->num_pages);
	for (b->num_pfns = 0; b->num_pfns < num;
	     b->num_pfns += PAGEHINT_BALLOON_PAGES_PER_PAGE) {
		page = balloon_page_dequeue(&b->info);
		if (!page)
			break;
		pagehint_balloon_set_pfns(b, b->pfns + b->num_pfns, page);
		list_add(&page->lru, &pages);
		b->num_pages -= PAGEHINT_BALLOON_PAGES_PER_PAGE;
	}
	done = b->num_pfns;
	if (done)
		pagehint_balloon_tell(b, b->deflate_vq);
	list_for_each_entry_safe(page, next, &pages, lru) {
		list_del(&page->lru);
		pagehint_balloon_managed(page, 1, !b->deflate_on_oom);
		put_page(page);		/* the balloon's reference */
	}
	mutex_unlock(&b->lock);
	return done;
}

/* Write what the balloon holds into the config space's actual. */
static void pagehint_balloon_update_actual(struct pagehint_balloon *b)
{
	u32 actual = READ_ONCE(b->num_pages);

	/* The balloon's config space is little-endian, even legacy. */
	virtio_cwrite_le(b->vdev, struct virtio_balloon_config, actual, &actual);
}

/* Balloon pages to inflate (> 0) or deflate (< 0) to reach the target. */
static s64 pagehint_balloon_towards_target(struct pagehint_balloon *b)
{
	u32 num_pages;

	virtio_cread_le(b->vdev, struct virtio_balloon_config, num_pages,
			&num_pages);
	/* Whole guest pages, or the balloon would never settle. */
	return (s64)ALIGN(num_pages, PAGEHINT_BALLOON_PAGES_PER_PAGE) -
	       READ_ONCE(b->num_pages);
}

/* @diff balloon pages still to go: what the guard keeps free for it. */
static void pagehint_balloon_set_pending(struct pagehint_balloon *b, s64 diff)
{
	WRITE_ONCE(b->pending, diff > 0 ? diff / PAGEHINT_BALLOON_PAGES_PER_PAGE : 0);
}

static void pagehint_balloon_size_work(struct work_struct *work)
{
	struct pagehint_balloon *b = container_of(work, struct pagehint_balloon,
						  size_work);
	s64 diff = pagehint_balloon_towards_target(b);

	pagehint_balloon_set_pending(b, diff);
	if (!diff)
		return;
	if (diff > 0)
		diff -= pagehint_balloon_fill(b, diff);
	else
		diff += pagehint_balloon_leak(b, -diff);
	pagehint_balloon_update_actual(b);
	pagehint_balloon_set_pending(b, diff);
	if (diff)
		queue_work(system_freezable_wq, work);
}

/* The host changed the config space (a new target): adjust to it. */
void pagehint_balloon_changed(void)
{
	struct pagehint_balloon *b = &pagehint_balloon;
	unsigned long flags;

	spin_lock_irqsave(&b->stop_lock, flags);
	if (!b->stopped)
		queue_work(system_freezable_wq, &b->size_work);
	spin_unlock_irqrestore(&b->stop_lock, flags);
}

static int pagehint_balloon_oom_notify(struct notifier_block *nb,
				       unsigned long unused, void *data)
{
	struct pagehint_balloon *b = container_of(nb, struct pagehint_balloon,
						  oom_nb);
	unsigned long *freed = data;

	*freed += pagehint_balloon_leak(b, PAGEHINT_BALLOON_OOM_PAGES) /
		  PAGEHINT_BALLOON_PAGES_PER_PAGE;
	pagehint_balloon_update_actual(b);
	return NOTIFY_OK;
}

#if PAGEHINT_BALLOON_MIGRATION
/*
 * Compaction moves an inflated page (called with both pages locked): the
 * new page is inflated, the old one deflated, as the host must know.  Gives
 * up (-EAGAIN) rather than wait for an inflate or deflate under way, which
 * may itself be compacting.
 */
static int pagehint_balloon_migratepage(struct balloon_dev_info *info,
					struct page *newpage, struct page *page,
					enum migrate_mode mode)
{
	struct pagehint_balloon *b = container_of(info, struct pagehint_balloon,
						  info);

	if (!mutex_trylock(&b->lock))
		return -EAGAIN;
	/* Stopped for a restart, pages still inflated: no queues to tell. */
	if (READ_ONCE(b->stopped)) {
		mutex_unlock(&b->lock);
		return -EAGAIN;
	}
	pagehint_balloon_migrate_begin(info, newpage, page, !b->deflate_on_oom);
	b->num_pfns = PAGEHINT_BALLOON_PAGES_PER_PAGE;
	pagehint_balloon_set_pfns(b, b->pfns, newpage);
	pagehint_balloon_tell(b, b->inflate_vq);
	b->num_pfns = PAGEHINT_BALLOON_PAGES_PER_PAGE;
	pagehint_balloon_set_pfns(b, b->pfns, page);
	pagehint_balloon_tell(b, b->deflate_vq);
	mutex_unlock(&b->lock);
	return pagehint_balloon_migrate_end(page);
}
#endif

/*
 * The device is ready with its inflate and deflate queues: follow the
 * host's target from now on.  Under pagehint_dev_lock.
 */
int pagehint_balloon_start(struct virtio_device *vdev,
			   struct virtqueue *inflate_vq,
			   struct virtqueue *deflate_vq)
{
	struct pagehint_balloon *b = &pagehint_balloon;
	int err;

	if (!b->pfns) {
		b->pfns = kmalloc_array(PAGEHINT_BALLOON_PFNS, sizeof(*b->pfns),
					GFP_KERNEL);
		if (!b->pfns)
			return -ENOMEM;
	}
	b->vdev = vdev;
	b->inflate_vq = inflate_vq;
	b->deflate_vq = deflate_vq;
	/* Pages still inflated from before a freeze stay on the list. */
	if (!b->num_pages) {
		b->deflate_on_oom = virtio_has_feature(vdev,
						       VIRTIO_BALLOON_F_DEFLATE_ON_OOM);
		pagehint_balloon_devinfo_init(&b->info, !b->deflate_on_oom);
#if PAGEHINT_BALLOON_MIGRATION
		b->info.migratepage = pagehint_balloon_migratepage;
#endif
	}
	INIT_WORK(&b->size_work, pagehint_balloon_size_work);
	if (b->deflate_on_oom) {
		b->oom_nb.notifier_call = pagehint_balloon_oom_notify;
		b->oom_nb.priority = PAGEHINT_BALLOON_OOM_PRIORITY;
		err = register_oom_notifier(&b->oom_nb);
		if (err)
			return err;
		b->oom_registered = true;
	}
	spin_lock_irq(&b->stop_lock);
	b->stopped = false;
	spin_unlock_irq(&b->stop_lock);
	pagehint_balloon_update_actual(b);
	if (pagehint_balloon_towards_target(b))
		pagehint_balloon_changed();
	return 0;
}

/*
 * Stop following the target; with @deflate, give every page back first
 * (the device must still be live: the host is told).  Under
 * pagehint_dev_lock, before the device is reset.
 */
void pagehint_balloon_stop(bool deflate)
{
	struct pagehint_balloon *b = &pagehint_balloon;

	spin_lock_irq(&b->stop_lock);
	if (b->stopped) {
		spin_unlock_irq(&b->stop_lock);
		return;
	}
	b->stopped = true;
	spin_unlock_irq(&b->stop_lock);
	/* A migration under way finishes first (it saw stopped clear). */
	mutex_lock(&b->lock);
	mutex_unlock(&b->lock);
	cancel_work_sync(&b->size_work);
	WRITE_ONCE(b->pending, 0);
	if (b->oom_registered) {
		unregister_oom_notifier(&b->oom_nb);
		b->oom_registered = false;
	}
	if (!deflate)
		return;
	/*
	 * All of it, as virtio_balloon does: pages that compaction has
	 * isolated come back to the list (or are migrated) soon.
	 */
	while (READ_ONCE(b->num_pages)) {
		if (!pagehint_balloon_leak(b, READ_ONCE(b->num_pages)))
			msleep(20);
	}
	pagehint_balloon_update_actual(b);
}

/* Module exit: every device is gone. */
void pagehint_balloon_exit(void)
{
	kfree(pagehint_balloon.pfns);
	pagehint_balloon.pfns = NULL;
}

/* Bytes the balloon holds now. */
u64 pagehint_balloon_bytes(void)
{
	return (u64)READ_ONCE(pagehint_balloon.num_pages) << VIRTIO_BALLOON_PFN_SHIFT;
}

/* Guest pages the balloon is still to take for the host's target. */
unsigned long pagehint_balloon_pending_pages(void)
{
	return READ_ONCE(pagehint_balloon.pending);
}

#else /* !PAGEHINT_HAVE_BALLOON: a kernel without the balloon page API */

void pagehint_balloon_ack(struct virtqueue *vq)
{
}

void pagehint_balloon_changed(void)
{
}

int pagehint_balloon_start(struct virtio_device *vdev,
			   struct virtqueue *inflate_vq,
			   struct virtqueue *deflate_vq)
{
	dev_info(&vdev->dev, "this kernel has no balloon page API (CONFIG_MEMORY_BALLOON): no ballooning\n");
	return 0;
}

void pagehint_balloon_stop(bool deflate)
{
}

void pagehint_balloon_exit(void)
{
}

u64 pagehint_balloon_bytes(void)
{
	return 0;
}

unsigned long pagehint_balloon_pending_pages(void)
{
	return 0;
}

#endif /* PAGEHINT_HAVE_BALLOON */

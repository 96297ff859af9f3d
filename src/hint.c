// SPDX-License-Identifier: GPL-2.0
/*
 * Free page hinting for live migration (VIRTIO_BALLOON_F_FREE_PAGE_HINT),
 * as the stock virtio_balloon serves it.
 *
 * When the host starts migrating the guest it writes a new command id into
 * the config space's free_page_hint_cmd_id.  The guest answers on the free
 * page queue: the id, then free memory, in blocks of the largest buddy
 * order, each held (allocated) by pagehint while the host reads the hint,
 * then STOP when it has no more.  The host skips sending hinted pages that
 * were not written since (its dirty log catches any that are), and when
 * the migration is over it writes DONE: the blocks go back to the
 * allocator.  The guest may take them back at any time before: a shrinker
 * gives them back under memory pressure, as the stock driver's does.
 *
 * Hinting never touches the reporting path: hinted blocks are allocated
 * pages, so the tracker and scans see them in use; reporting carries on.
 *
 * What a block costs: the allocation zeroes it (init_on_alloc, Debian's
 * default), which dirties it in the host's log; the host skips it in the
 * pass that follows the hint and sends it once more, as zero pages, in
 * the next.  So a round leaves each zone its high watermark plus a margin
 * (pagehint_zone_hint_deficit()): the guest's allocations during the
 * migration find their memory without reclaim, which would make the
 * shrinker give blocks back for the next round to take, zero and hint
 * again.  The shrinker gives back only what the zones lack.
 *
 * What bounds a round is the zeroing: one CPU zeroes blocks at a few GB/s,
 * while the host's first pass over the guest's memory skips hinted memory
 * and sends the rest at about the same rate, so free memory not hinted
 * before the pass reaches it goes out as data.  Other CPUs help: helpers
 * (one per other online CPU, up to PAGEHINT_HINT_HELPERS) take and zero
 * blocks for the round, each down to the same floor, onto a short list
 * the round hints from first.  They live only inside a round, which stops
 * them and gives back what they took and it did not hint before it says
 * STOP.  A round costs the guest the same CPU time, spread over more CPUs:
 * the zeroing is the allocator's, whichever CPU does it.
 *
 * A block taken in a round is hinted once more at the start of the next:
 * its zeroing put it in the host's dirty log, which the host reads between
 * rounds, and held since, it is still free.  Hinted again, it costs no
 * allocation and no zeroing, and the host does not send it even as zero
 * pages (the stock driver's blocks are all sent again in the pass after
 * their hint).  A block the host has not used yet (it may be reading its
 * hint) is never given back: a page written before the host reads its
 * hint could be left out of the migration.
 *
 * Life: pagehint_hint_start() with the queue once the device is ready,
 * _stop() before it is reset, which gives every block back.
 */

#include <linux/atomic.h>
#include <linux/delay.h>
#include <linux/gfp.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/virtio.h>
#include <linux/virtio_balloon.h>
#include <linux/virtio_config.h>
#include <linux/workqueue.h>

#include "pagehint.h"
#include "hint.h"

#define PAGEHINT_HINT_ORDER	PAGEHINT_MAX_ORDER
/*
 * Movable, though never moved: a block taken from a MOVABLE free list
 * without __GFP_MOVABLE makes the allocator retype its pageblocks
 * UNMOVABLE (fallback stealing), and they would stay so after the block is
 * freed.  Allocated movable, the blocks leave every pageblock's type as it
 * was.  Not __GFP_HIGHMEM: they are read through page_address(), and stay
 * out of ZONE_MOVABLE.
 */
/* A slot whose block went back to the allocator before the device used it. */
#define PAGEHINT_HINT_GONE	((struct page *)1UL)

#define PAGEHINT_HINT_GFP	(__GFP_MOVABLE | __GFP_NORETRY | __GFP_NOWARN | \
				 __GFP_NOMEMALLOC)

/* At most this many helpers per round, and blocks taken ahead for it. */
#define PAGEHINT_HINT_HELPERS	7
#define PAGEHINT_HINT_AHEAD	32

/* Where a round, or one of its helpers, takes the next block from. */
struct pagehint_hint_cursor {
	int nid;
	enum zone_type zid;
};

static struct pagehint_hint {
	struct virtio_device *vdev;
	struct virtqueue *vq;		/* NULL: the device does not hint */
	struct workqueue_struct *wq;
	struct work_struct work;
	/* stop_lock protects stopped against the config callback. */
	spinlock_t stop_lock;
	bool stopped;
	/* Set by a config change: read the command id again. */
	unsigned long reread;
	/*
	 * The work's own: the id last read, and the buffers of the one being
	 * answered and of STOP.  The device reads those through the DMA API,
	 * so they live in the linear map (kmalloc), not in the module's data;
	 * allocated at the first start, freed at module exit, since the
	 * device may hold STOP until it is reset.
	 */
	u32 cmd_id_received;
	__virtio32 *ids;
	/*
	 * The blocks handed to the device, which has not used them yet: one
	 * slot per queue entry, the slot the buffer's token.  A slot holds the
	 * block, or PAGEHINT_HINT_GONE once DONE or stop gave the block back
	 * before the device used it (the device still holds the entry and
	 * returns it some time, perhaps never: the token stays valid), or
	 * NULL: free.  The work's own (stop's once the work is cancelled);
	 * allocated at start, as large as the queue, freed at module exit.
	 */
	struct page **slots;
	unsigned int nr_slots;
	/*
	 * list_lock protects the lists and the counts (work and shrinker).
	 * A held block the device has used is on one list:
	 *  - fresh: taken (zeroed) in the round under way: the next round
	 *    hints it again (page_private() 1 until then);
	 *  - blocks: not written since the host last looked.
	 * The shrinker takes only from these, never a block in a slot.
	 */
	spinlock_t list_lock;
	struct list_head fresh;
	struct list_head blocks;
	/*
	 * ahead: taken and zeroed by the round's helpers, not hinted yet
	 * (page_private() 1); empty outside a round.
	 */
	struct list_head ahead;
	unsigned long nr_ahead;
	unsigned long nr_blocks;	/* in slots and on the lists */
	unsigned long nr_queued;	/* in slots */
	struct shrinker *shrinker;
	/* Where the round takes blocks from now: the work's. */
	struct pagehint_hint_cursor target;
	/*
	 * The round's helpers: they take blocks while helping is set, which
	 * the work sets and clears around a round; nr_taking counts those
	 * running, which may be zeroing a block the round has to wait for;
	 * nr_helped counts the blocks of the last round they took (the
	 * work's).
	 */
	struct work_struct helpers[PAGEHINT_HINT_HELPERS];
	unsigned int nr_helpers;
	bool helping;
	atomic_t nr_taking;
	unsigned long nr_helped;
} pagehint_hint = {
	.stop_lock = __SPIN_LOCK_UNLOCKED(pagehint_hint.stop_lock),
	.stopped = true,
	.list_lock = __SPIN_LOCK_UNLOCKED(pagehint_hint.list_lock),
	.fresh = LIST_HEAD_INIT(pagehint_hint.fresh),
	.blocks = LIST_HEAD_INIT(pagehint_hint.blocks),
	.ahead = LIST_HEAD_INIT(pagehint_hint.ahead),
};

static u32 pagehint_hint_cmd_id(struct pagehint_hint *h)
{
	if (test_and_clear_bit(0, &h->reread))
		virtio_cread_le(h->vdev, struct virtio_balloon_config,
				free_page_hint_cmd_id, &h->cmd_id_received);
	return h->cmd_id_received;
}

/* Give a held block back to the allocator, its mark cleared. */
static void pagehint_hint_free_block(struct page *page)
{
	set_page_private(page, 0);
	__free_pages(page, PAGEHINT_HINT_ORDER);
}

/* Free up to @nr blocks of @list; returns how many.  Under list_lock. */
static unsigned long pagehint_hint_free_list(struct pagehint_hint *h,
					     struct list_head *list,
					     unsigned long nr)
{
	unsigned long done = 0;
	struct page *page;

	lockdep_assert_held(&h->list_lock);
	while (done < nr && !list_empty(list)) {
		page = list_first_entry(list, struct page, lru);
		list_del(&page->lru);
		pagehint_hint_free_block(page);
		done++;
	}
	h->nr_blocks -= done;
	return done;
}

/* Free up to @nr blocks taken ahead for the round; returns how many. */
static unsigned long pagehint_hint_free_ahead(struct pagehint_hint *h,
					      unsigned long nr)
{
	unsigned long done = pagehint_hint_free_list(h, &h->ahead, nr);

	h->nr_ahead -= done;
	return done;
}

/*
 * Give up to @nr held blocks the device does not hold back to the
 * allocator: those never hinted first, then the clean ones; returns how
 * many.
 */
static unsigned long pagehint_hint_release(struct pagehint_hint *h,
					   unsigned long nr)
{
	unsigned long done;

	spin_lock_irq(&h->list_lock);
	done = pagehint_hint_free_ahead(h, nr);
	done += pagehint_hint_free_list(h, &h->blocks, nr - done);
	done += pagehint_hint_free_list(h, &h->fresh, nr - done);
	spin_unlock_irq(&h->list_lock);
	return done;
}

/*
 * Give every block back, those the device holds too: at DONE, where the
 * host no longer reads hints, and at stop, before the reset.  The work's
 * (stop's once the work is cancelled).
 */
static void pagehint_hint_release_all(struct pagehint_hint *h)
{
	unsigned long done = 0;
	unsigned int i;

	for (i = 0; i < h->nr_slots; i++) {
		if (!h->slots[i] || h->slots[i] == PAGEHINT_HINT_GONE)
			continue;
		pagehint_hint_free_block(h->slots[i]);
		h->slots[i] = PAGEHINT_HINT_GONE;
		done++;
	}
	spin_lock_irq(&h->list_lock);
	h->nr_queued -= done;
	h->nr_blocks -= done;
	spin_unlock_irq(&h->list_lock);
	pagehint_hint_release(h, ULONG_MAX);
}

/*
 * Can hints come from @zone (a ZONE_NORMAL or ZONE_DMA32)?  Not from an
 * empty one, nor from one too small ever to be above its floor.
 */
static bool pagehint_hint_zone(struct zone *zone)
{
	return populated_zone(zone) &&
	       pagehint_zone_reportable(zone, pagehint_knobs.report_order);
}

/*
 * A round takes blocks zone by zone, each down to its floor: per online
 * node ZONE_NORMAL, then ZONE_DMA32.  Left to the allocator, a round would
 * take them from ZONE_NORMAL and end when that reached its floor, above
 * its low watermark, where the allocator falls back to ZONE_DMA32: the
 * 3 GiB below 4 GiB would never be hinted.  Hints never come from highmem
 * or ZONE_MOVABLE (PAGEHINT_HINT_GFP), nor from ZONE_DMA.
 */
static void pagehint_hint_first_target(struct pagehint_hint_cursor *c)
{
	c->nid = first_online_node;
	c->zid = ZONE_NORMAL;
}

static void pagehint_hint_next_target(struct pagehint_hint_cursor *c)
{
#ifdef CONFIG_ZONE_DMA32
	if (c->zid == ZONE_NORMAL) {
		c->zid = ZONE_DMA32;
		return;
	}
#endif
	c->nid = next_online_node(c->nid);
	c->zid = ZONE_NORMAL;
}

/*
 * Move to the zone to take the next block from, and give the flags that
 * take it there (the zone's node only; ZONE_DMA32 and below for
 * ZONE_DMA32): false when every zone is at its floor.
 */
static bool pagehint_hint_target(struct pagehint_hint_cursor *c, gfp_t *gfp)
{
	struct zone *zone;

	for (; c->nid < MAX_NUMNODES; pagehint_hint_next_target(c)) {
		zone = &NODE_DATA(c->nid)->node_zones[c->zid];
		if (!pagehint_hint_zone(zone) ||
		    pagehint_zone_hint_deficit(zone, 1UL << PAGEHINT_HINT_ORDER))
			continue;
		*gfp = PAGEHINT_HINT_GFP | __GFP_THISNODE;
#ifdef CONFIG_ZONE_DMA32
		if (c->zid == ZONE_DMA32)
			*gfp |= __GFP_DMA32;
#endif
		return true;
	}
	return false;
}

/*
 * Take (and so zero) a free block at @c for a round, marked as taken in
 * it: NULL when the zone raced to its floor or only a lower zone had a
 * block, and @c moved on to the next zone; false: every zone is at its
 * floor.
 */
static bool pagehint_hint_take(struct pagehint_hint_cursor *c,
			       struct page **pagep)
{
	struct page *page;
	gfp_t gfp;

	*pagep = NULL;
	if (!pagehint_hint_target(c, &gfp))
		return false;
	page = alloc_pages_node(c->nid, gfp, PAGEHINT_HINT_ORDER);
	if (!page || pagehint_zone_hint_deficit(page_zone(page), 0)) {
		if (page)
			__free_pages(page, PAGEHINT_HINT_ORDER);
		pagehint_hint_next_target(c);
		return true;
	}
	/* Zeroed now: hinted again in the next round. */
	set_page_private(page, 1);
	*pagep = page;
	return true;
}

/*
 * A helper: take blocks for the round onto the ahead list, a few at most,
 * until the round ends or every zone is at its floor.
 */
static void pagehint_hint_help(struct work_struct *work)
{
	struct pagehint_hint *h = &pagehint_hint;
	struct pagehint_hint_cursor c;
	struct page *page;

	atomic_inc(&h->nr_taking);
	pagehint_hint_first_target(&c);
	while (READ_ONCE(h->helping)) {
		if (READ_ONCE(h->nr_ahead) >= PAGEHINT_HINT_AHEAD) {
			usleep_range(200, 500);
			continue;
		}
		if (!pagehint_hint_take(&c, &page))
			break;
		if (!page)
			continue;
		spin_lock_irq(&h->list_lock);
		list_add_tail(&page->lru, &h->ahead);
		h->nr_ahead++;
		h->nr_blocks++;
		spin_unlock_irq(&h->list_lock);
		cond_resched();
	}
	/* Its last block on the list before the round can see it gone. */
	smp_mb__before_atomic();
	atomic_dec(&h->nr_taking);
}

/* Have the round's helpers start: one per other online CPU, a few at most. */
static void pagehint_hint_helpers_start(struct pagehint_hint *h)
{
	unsigned int i;

	h->nr_helped = 0;
	h->nr_helpers = min_t(unsigned int, num_online_cpus() - 1,
			      PAGEHINT_HINT_HELPERS);
	WRITE_ONCE(h->helping, true);
	for (i = 0; i < h->nr_helpers; i++)
		queue_work(h->wq, &h->helpers[i]);
}

/* Stop them, and give back what they took that the round did not hint. */
static void pagehint_hint_helpers_stop(struct pagehint_hint *h)
{
	unsigned int i;

	WRITE_ONCE(h->helping, false);
	for (i = 0; i < h->nr_helpers; i++)
		cancel_work_sync(&h->helpers[i]);
	h->nr_helpers = 0;
	spin_lock_irq(&h->list_lock);
	pagehint_hint_free_ahead(h, ULONG_MAX);
	spin_unlock_irq(&h->list_lock);
}

/* A block a helper took for the round, if any: counted as held already. */
static struct page *pagehint_hint_ahead(struct pagehint_hint *h)
{
	struct page *page = NULL;

	spin_lock_irq(&h->list_lock);
	if (!list_empty(&h->ahead)) {
		page = list_first_entry(&h->ahead, struct page, lru);
		list_del(&page->lru);
		h->nr_ahead--;
	}
	spin_unlock_irq(&h->list_lock);
	return page;
}

/*
 * Take what the device has used: a block goes to the fresh list if it was
 * taken in this round, else to the clean ones; an id needs nothing.
 */
static void pagehint_hint_reap(struct pagehint_hint *h)
{
	unsigned int len;
	struct page *page;
	void *token;

	while ((token = virtqueue_get_buf(h->vq, &len))) {
		if (token == &h->ids[0] || token == &h->ids[1])
			continue;
		page = *(struct page **)token;
		*(struct page **)token = NULL;
		if (page == PAGEHINT_HINT_GONE)
			continue;
		spin_lock_irq(&h->list_lock);
		list_add(&page->lru, page_private(page) ? &h->fresh : &h->blocks);
		h->nr_queued--;
		spin_unlock_irq(&h->list_lock);
	}
}

static int pagehint_hint_send_id(struct pagehint_hint *h, __virtio32 *id)
{
	struct scatterlist sg;
	int err;

	pagehint_hint_reap(h);
	sg_init_one(&sg, id, sizeof(*id));
	err = virtqueue_add_outbuf(h->vq, &sg, 1, id, GFP_KERNEL);
	if (!err)
		virtqueue_kick(h->vq);
	return err;
}

/*
 * Wait for room in the queue: false while it is full (one entry stays
 * free for the stop id).  The queue has no callback: poll, rather than
 * take and give back a block over and over.
 */
static bool pagehint_hint_room(struct pagehint_hint *h)
{
	pagehint_hint_reap(h);
	if (h->vq->num_free > 1)
		return true;
	usleep_range(500, 1000);
	return false;
}

/*
 * Hint @page, held (@taken: just taken, not counted yet), to the host: 0 or
 * the queue's error.
 */
static int pagehint_hint_queue(struct pagehint_hint *h, struct page *page,
			       bool taken)
{
	struct scatterlist sg;
	unsigned int i;
	int err;

	/* As many slots as entries: one is free while the queue has room. */
	for (i = 0; i < h->nr_slots && h->slots[i]; i++)
		;
	if (WARN_ON_ONCE(i == h->nr_slots))
		return -ENOSPC;
	sg_init_one(&sg, page_address(page), PAGE_SIZE << PAGEHINT_HINT_ORDER);
	err = virtqueue_add_inbuf(h->vq, &sg, 1, &h->slots[i], GFP_KERNEL);
	if (err)
		return err;
	h->slots[i] = page;
	virtqueue_kick(h->vq);
	spin_lock_irq(&h->list_lock);
	h->nr_queued++;
	h->nr_blocks += taken;
	spin_unlock_irq(&h->list_lock);
	pagehint_stat_add(&pagehint_stats.migration_hinted_bytes,
			  PAGE_SIZE << PAGEHINT_HINT_ORDER);
	return 0;
}

static bool pagehint_hint_current(struct pagehint_hint *h)
{
	return !READ_ONCE(h->stopped) &&
	       virtio32_to_cpu(h->vdev, h->ids[0]) == pagehint_hint_cmd_id(h);
}

/*
 * Hint again the blocks the last round took: 0 or the queue's error.  What
 * a new id cuts short stays fresh, for the round that id starts.
 */
static int pagehint_hint_again(struct pagehint_hint *h)
{
	struct page *page;
	LIST_HEAD(again);
	int err = 0;

	spin_lock_irq(&h->list_lock);
	list_splice_init(&h->fresh, &again);
	spin_unlock_irq(&h->list_lock);
	while (!list_empty(&again) && pagehint_hint_current(h)) {
		if (!pagehint_hint_room(h))
			continue;
		page = list_first_entry(&again, struct page, lru);
		list_del(&page->lru);
		set_page_private(page, 0);
		err = pagehint_hint_queue(h, page, false);
		if (err) {
			list_add(&page->lru, &again);
			break;
		}
	}
	spin_lock_irq(&h->list_lock);
	list_splice(&again, &h->fresh);
	spin_unlock_irq(&h->list_lock);
	return err;
}

/*
 * Hand the host one more free block, one a helper took or one taken here:
 * 0, -EINTR when the round is over (every zone at its floor, no helper
 * still taking one, nothing taken ahead), or the queue's error.  A helper
 * that has not started yet takes nothing the round waits for; one still
 * zeroing a block may have left the zone at its floor with it.
 */
static int pagehint_hint_send_block(struct pagehint_hint *h)
{
	struct page *page;
	bool taken = false;
	int err;

	if (!pagehint_hint_room(h))
		return 0;
	page = pagehint_hint_ahead(h);
	if (page) {
		h->nr_helped++;
	} else {
		if (!pagehint_hint_take(&h->target, &page)) {
			if (!atomic_read_acquire(&h->nr_taking) &&
			    !READ_ONCE(h->nr_ahead))
				return -EINTR;
			usleep_range(100, 200);
			return 0;
		}
		if (!page)
			return 0;
		taken = true;
	}
	err = pagehint_hint_queue(h, page, taken);
	if (err) {
		if (!taken) {
			spin_lock_irq(&h->list_lock);
			h->nr_blocks--;
			spin_unlock_irq(&h->list_lock);
		}
		pagehint_hint_free_block(page);
	}
	return err;
}

/* One round: the id, free blocks until none or a new id, then STOP. */
static void pagehint_hint_round(struct pagehint_hint *h)
{
	struct device *dev = &h->vdev->dev;
	int err;

	pagehint_hint_first_target(&h->target);
	h->ids[0] = cpu_to_virtio32(h->vdev, pagehint_hint_cmd_id(h));
	err = pagehint_hint_send_id(h, &h->ids[0]);
	if (err)
		dev_err(dev, "free page hinting: cannot send the start id: %d\n", err);
	if (!err) {
		pagehint_hint_helpers_start(h);
		err = pagehint_hint_again(h);
		if (err)
			dev_err(dev, "free page hinting: cannot send a block again: %d\n",
				err);
	}
	while (!err && pagehint_hint_current(h)) {
		err = pagehint_hint_send_block(h);
		if (err == -EINTR) {
			err = 0;
			break;
		}
		if (err)
			dev_err(dev, "free page hinting: cannot send a block: %d\n", err);
	}
	pagehint_hint_helpers_stop(h);
	pagehint_stat_add(&pagehint_stats.migration_hint_rounds, 1);
	err = pagehint_hint_send_id(h, &h->ids[1]);
	if (err)
		dev_err(dev, "free page hinting: cannot send the stop id: %d\n", err);
}

static void pagehint_hint_work(struct work_struct *work)
{
	struct pagehint_hint *h = container_of(work, struct pagehint_hint, work);
	u32 id = pagehint_hint_cmd_id(h);

	if (id == VIRTIO_BALLOON_CMD_ID_DONE) {
		pagehint_hint_reap(h);
		pagehint_hint_release_all(h);
	} else if (id != VIRTIO_BALLOON_CMD_ID_STOP &&
		 id != virtio32_to_cpu(h->vdev, h->ids[0]))
		pagehint_hint_round(h);
}

/*
 * What the zones that hints come from lack to be back at their floor, in
 * pages.
 * Zones pagehint leaves alone (ZONE_DMA, say) are not counted: hints do
 * not come from there while other zones have memory.
 */
static unsigned long pagehint_hint_deficit(void)
{
	unsigned long need = 0;
	struct zone *zone;
	int nid, zid;

	for_each_online_node(nid) {
		for (zid = 0; zid <= ZONE_NORMAL; zid++) {
			zone = &NODE_DATA(nid)->node_zones[zid];
			if (pagehint_hint_zone(zone))
				need += pagehint_zone_hint_deficit(zone, 0);
		}
	}
	return need;
}

/* Held blocks reclaim may have back: only what the zones lack. */
static unsigned long pagehint_hint_count(struct shrinker *s,
					 struct shrink_control *sc)
{
	struct pagehint_hint *h = &pagehint_hint;
	unsigned long nr = READ_ONCE(h->nr_blocks), queued = READ_ONCE(h->nr_queued);
	/* Not the device's: two reads without the lock, maybe a moment apart. */
	unsigned long held = nr > queued ? (nr - queued) << PAGEHINT_HINT_ORDER : 0;

	return held ? min(held, round_up(pagehint_hint_deficit(),
					 1UL << PAGEHINT_HINT_ORDER)) : 0;
}

static unsigned long pagehint_hint_scan(struct shrinker *s,
					struct shrink_control *sc)
{
	unsigned long nr = DIV_ROUND_UP(sc->nr_to_scan, 1UL << PAGEHINT_HINT_ORDER);

	return pagehint_hint_release(&pagehint_hint, nr) << PAGEHINT_HINT_ORDER;
}

/* The host's config changed: a new command id, maybe. */
void pagehint_hint_changed(void)
{
	struct pagehint_hint *h = &pagehint_hint;
	unsigned long flags;

	spin_lock_irqsave(&h->stop_lock, flags);
	if (!h->stopped && h->vq && !test_and_set_bit(0, &h->reread))
		queue_work(h->wq, &h->work);
	spin_unlock_irqrestore(&h->stop_lock, flags);
}

/* Blocks held for the host now. */
u64 pagehint_hint_bytes(void)
{
	return (u64)READ_ONCE(pagehint_hint.nr_blocks) << (PAGEHINT_HINT_ORDER + PAGE_SHIFT);
}

/*
 * The device is ready; @vq is its free page queue (NULL: not negotiated,
 * nothing to do).  Under pagehint_dev_lock.
 */
int pagehint_hint_start(struct virtio_device *vdev, struct virtqueue *vq)
{
	struct pagehint_hint *h = &pagehint_hint;
	unsigned int i;

	if (!vq)
		return 0;
	/* One entry for the id, at least one for a block. */
	if (virtqueue_get_vring_size(vq) < 2) {
		dev_err(&vdev->dev, "the free page queue is too small to hint\n");
		return -ENOSPC;
	}
	if (!h->ids) {
		h->ids = kcalloc(2, sizeof(*h->ids), GFP_KERNEL);
		if (!h->ids)
			return -ENOMEM;
	}
	/* The device is new (reset): no entry of an earlier one is left. */
	if (h->nr_slots < virtqueue_get_vring_size(vq)) {
		kfree(h->slots);
		h->nr_slots = 0;
		h->slots = kcalloc(virtqueue_get_vring_size(vq), sizeof(*h->slots),
				   GFP_KERNEL);
		if (!h->slots)
			return -ENOMEM;
		h->nr_slots = virtqueue_get_vring_size(vq);
	}
	memset(h->slots, 0, h->nr_slots * sizeof(*h->slots));
	h->wq = alloc_workqueue("pagehint_hint", WQ_FREEZABLE | WQ_UNBOUND, 0);
	if (!h->wq)
		return -ENOMEM;
	h->shrinker = pagehint_shrinker_create("pagehint-hint", pagehint_hint_count,
					       pagehint_hint_scan);
	if (!h->shrinker) {
		destroy_workqueue(h->wq);
		return -ENOMEM;
	}
	h->vdev = vdev;
	h->vq = vq;
	INIT_WORK(&h->work, pagehint_hint_work);
	for (i = 0; i < PAGEHINT_HINT_HELPERS; i++)
		INIT_WORK(&h->helpers[i], pagehint_hint_help);
	h->cmd_id_received = VIRTIO_BALLOON_CMD_ID_STOP;
	h->ids[0] = cpu_to_virtio32(vdev, VIRTIO_BALLOON_CMD_ID_STOP);
	h->ids[1] = cpu_to_virtio32(vdev, VIRTIO_BALLOON_CMD_ID_STOP);
	h->reread = 0;
	spin_lock_irq(&h->stop_lock);
	h->stopped = false;
	spin_unlock_irq(&h->stop_lock);
	/* A migration may be under way already. */
	pagehint_hint_changed();
	return 0;
}

/* Stop answering, and give every held block back.  Before the reset. */
void pagehint_hint_stop(void)
{
	struct pagehint_hint *h = &pagehint_hint;

	if (!h->vq)
		return;
	spin_lock_irq(&h->stop_lock);
	h->stopped = true;
	spin_unlock_irq(&h->stop_lock);
	cancel_work_sync(&h->work);
	pagehint_shrinker_destroy(h->shrinker);
	h->shrinker = NULL;
	destroy_workqueue(h->wq);
	h->wq = NULL;
	pagehint_hint_release_all(h);
	h->vq = NULL;
}

/* Module exit: every device is gone (reset). */
void pagehint_hint_exit(void)
{
	kfree(pagehint_hint.ids);
	pagehint_hint.ids = NULL;
	kfree(pagehint_hint.slots);
	pagehint_hint.slots = NULL;
	pagehint_hint.nr_slots = 0;
}

// SPDX-License-Identifier: GPL-2.0
/*
 * A fake virtio balloon device for the KUnit suites (see pagehint_test.h).
 * Included by pagehint_kunit.c after the module's units.
 */

#include <linux/highmem.h>
#include <linux/mm.h>
#include <linux/page-flags.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_balloon.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ring.h>

#ifndef PAGEHINT_HAVE_VIRTQUEUE_INFO
#error "the fake transport implements find_vqs() with struct virtqueue_info (6.11+)"
#endif

static struct ph_fake_dev *to_fake(struct virtio_device *vdev)
{
	return container_of(vdev, struct ph_fake_dev, vdev);
}

/* The device looks at one range of a report, as the host would discard it. */
static void ph_fake_check_range(struct ph_fake_dev *fake, u64 addr, u32 len)
{
	unsigned long pfn = PHYS_PFN(addr), nr = len >> PAGE_SHIFT, i;
	bool discard = !fake->keep;
	u64 *first;

	if (fake->granule && (!IS_ALIGNED(pfn, fake->granule) ||
			      !IS_ALIGNED(nr, fake->granule)))
		discard = false;
	if (!IS_ALIGNED(addr, PAGE_SIZE) || !IS_ALIGNED(len, PAGE_SIZE) ||
	    !IS_ALIGNED(pfn, fake->align_pages))
		fake->misaligned++;
	if (nr && pfn_to_online_page(pfn)) {
		first = kmap_local_pfn(pfn);
		if (READ_ONCE(*first) == pagehint_canary(pfn)) {
			if (fake->canaries < ARRAY_SIZE(fake->canary_pfn))
				fake->canary_pfn[fake->canaries] = pfn;
			fake->canaries++;
			fake->req_canaries++;
		} else {
			unsigned long seen = min_t(unsigned long, fake->canaries,
						   ARRAY_SIZE(fake->canary_pfn));

			for (i = 0; i < seen; i++)
				if (fake->canary_pfn[i] >= pfn &&
				    fake->canary_pfn[i] < pfn + nr)
					fake->canary_again |= BIT(i);
		}
		kunmap_local(first);
	}
	for (i = 0; i < nr; i++) {
		struct page *page = pfn_to_online_page(pfn + i);

		if (!page || PageBuddy(page) || !page_count(page))
			fake->not_owned++;
		else if (discard)
			clear_highpage(page);	/* discarded: reads as zeros */
	}
	fake->pages += nr;
	fake->max_len = max(fake->max_len, nr);
}

/*
 * Read one request's descriptor chain, following an indirect table (QEMU
 * offers VIRTIO_RING_F_INDIRECT_DESC, so the ring puts a request of more
 * than one entry in a table it allocates).  Returns the entries seen.
 */
static unsigned int ph_fake_walk(struct ph_fake_dev *fake, struct vring *vr,
				 u16 head)
{
	struct virtio_device *vdev = &fake->vdev;
	struct vring_desc *table = vr->desc;
	unsigned int n = 0, max = vr->num;
	u16 i = head;

	for (;;) {
		struct vring_desc *d = &table[i];
		u16 flags = virtio16_to_cpu(vdev, d->flags);
		u64 addr = virtio64_to_cpu(vdev, d->addr);
		u32 len = virtio32_to_cpu(vdev, d->len);

		if (flags & VRING_DESC_F_INDIRECT) {
			fake->indirect++;
			table = phys_to_virt(addr);
			max = len / sizeof(*table);
			i = 0;
			continue;
		}
		if (!(flags & VRING_DESC_F_WRITE))
			fake->not_writable++;
		if (!n) {
			fake->held_pfn = PHYS_PFN(addr);
			fake->held_nr = len >> PAGE_SHIFT;
		}
		ph_fake_check_range(fake, addr, len);
		n++;
		if (!(flags & VRING_DESC_F_NEXT) || n >= max)
			break;
		i = virtio16_to_cpu(vdev, d->next);
	}
	return n;
}

/* Return the request at @head to the driver, with used length 0. */
static void ph_fake_return(struct virtio_device *vdev, struct vring *vr,
			   u16 head)
{
	u16 used = virtio16_to_cpu(vdev, vr->used->idx);

	vr->used->ring[used % vr->num].id = cpu_to_virtio32(vdev, head);
	vr->used->ring[used % vr->num].len = 0;
	/* Publish the entry before the index that exposes it. */
	virt_wmb();
	vr->used->idx = cpu_to_virtio16(vdev, used + 1);
}

/*
 * A request on the reporting queue: check and count its ranges.  Returns
 * whether to give it back now (not while the device holds reports).
 */
static bool ph_fake_report(struct ph_fake_dev *fake, struct vring *vr, u16 head)
{
	unsigned int n;

	fake->req_canaries = 0;
	n = ph_fake_walk(fake, vr, head);
	fake->max_req_canaries = max(fake->max_req_canaries, fake->req_canaries);
	fake->reports++;
	fake->min_nents = fake->reports == 1 ? n : min(fake->min_nents, n);
	fake->max_nents = max(fake->max_nents, n);
	if (fake->hold) {
		fake->held++;
		return false;
	}
	return true;
}

/*
 * A request on the inflate or deflate queue: one buffer of 32-bit balloon
 * PFNs; count them, and check an inflated page is the balloon's
 * (allocated and PageOffline).
 */
static bool ph_fake_balloon(struct ph_fake_dev *fake, struct vring *vr,
			    u16 head, bool inflate)
{
	struct virtio_device *vdev = &fake->vdev;
	struct vring_desc *d = &vr->desc[head];
	__virtio32 *pfns = phys_to_virt(virtio64_to_cpu(vdev, d->addr));
	u32 i, n = virtio32_to_cpu(vdev, d->len) / sizeof(*pfns);

	for (i = 0; inflate && i < n; i++) {
		unsigned long pfn = virtio32_to_cpu(vdev, pfns[i]) >>
				    (PAGE_SHIFT - VIRTIO_BALLOON_PFN_SHIFT);
		struct page *page = pfn_to_online_page(pfn);

		if (!page || PageBuddy(page) || !page_count(page) ||
		    !PageOffline(page))
			fake->bad_inflate++;
	}
	if (inflate)
		fake->inflated += n;
	else
		fake->deflated += n;
	if (n && fake->balloon_log_n < PH_FAKE_BALLOON_LOG) {
		fake->balloon_log[fake->balloon_log_n].inflate = inflate;
		fake->balloon_log[fake->balloon_log_n].pfn =
			virtio32_to_cpu(vdev, pfns[0]) >>
			(PAGE_SHIFT - VIRTIO_BALLOON_PFN_SHIFT);
		fake->balloon_log_n++;
	}
	return true;
}

static bool ph_fake_inflate(struct ph_fake_dev *fake, struct vring *vr, u16 head)
{
	return ph_fake_balloon(fake, vr, head, true);
}

static bool ph_fake_deflate(struct ph_fake_dev *fake, struct vring *vr, u16 head)
{
	return ph_fake_balloon(fake, vr, head, false);
}

/*
 * A request on the free page queue: an outbuf of 4 bytes is a command id
 * (STOP ends a round), an inbuf a hinted block (kept under hint_hold).
 * After hint_max blocks the device says STOP, as QEMU does once it has
 * what it needs.
 */
static bool ph_fake_hint(struct ph_fake_dev *fake, struct vring *vr, u16 head)
{
	struct virtio_device *vdev = &fake->vdev;
	struct vring_desc *d = &vr->desc[head];
	__virtio32 *id;

	if (virtio16_to_cpu(vdev, d->flags) & VRING_DESC_F_WRITE) {
		if (fake->hint_log_n < PH_FAKE_HINT_LOG)
			fake->hint_log[fake->hint_log_n++] =
				PHYS_PFN(virtio64_to_cpu(vdev, d->addr));
		if (++fake->hint_blocks == fake->hint_max) {
			WRITE_ONCE(fake->hint_cmd_id, VIRTIO_BALLOON_CMD_ID_STOP);
			pagehint_config_changed(vdev);
		}
		if (!fake->hint_hold)
			return true;
		if (!WARN_ON(fake->hint_held_n == PH_FAKE_HINT_LOG))
			fake->hint_held[fake->hint_held_n++] = head;
		return false;
	}
	id = phys_to_virt(virtio64_to_cpu(vdev, d->addr));
	fake->hint_last_id = virtio32_to_cpu(vdev, *id);
	if (fake->hint_last_id == VIRTIO_BALLOON_CMD_ID_STOP)
		fake->hint_stops++;
	return true;
}

/*
 * Consume the requests made available on @vq since *@last, each through
 * @handle, which says whether to give it back at once.
 */
static void ph_fake_drain(struct ph_fake_dev *fake, struct virtqueue *vq,
			  u16 *last,
			  bool (*handle)(struct ph_fake_dev *fake,
					 struct vring *vr, u16 head))
{
	struct virtio_device *vdev = &fake->vdev;
	/* The device's view of the ring, which it writes (used ring). */
	struct vring *vr = (struct vring *)virtqueue_get_vring(vq);
	bool returned = false;
	u16 avail;

	spin_lock(&fake->lock);
	avail = virtio16_to_cpu(vdev, READ_ONCE(vr->avail->idx));
	/* Read the entries after the index that publishes them. */
	virt_rmb();
	while (*last != avail) {
		u16 head = virtio16_to_cpu(vdev, vr->avail->ring[*last % vr->num]);

		(*last)++;
		if (handle(fake, vr, head)) {
			ph_fake_return(vdev, vr, head);
			returned = true;
		}
	}
	spin_unlock(&fake->lock);
	wake_up(&fake->wait);
	if (returned)
		vring_interrupt(0, vq);
}

/* The device is done with the blocks it kept (hint_hold): it uses them. */
void ph_fake_hint_return_held(struct ph_fake_dev *fake)
{
	struct virtqueue *vq;
	unsigned int i;

	list_for_each_entry(vq, &fake->vdev.vqs, list) {
		if (strcmp(vq->name, "free_page_vq"))
			continue;
		spin_lock(&fake->lock);
		for (i = 0; i < fake->hint_held_n; i++)
			ph_fake_return(&fake->vdev, (struct vring *)virtqueue_get_vring(vq),
				       fake->hint_held[i]);
		fake->hint_held_n = 0;
		spin_unlock(&fake->lock);
		vring_interrupt(0, vq);
	}
}

static bool ph_fake_notify(struct virtqueue *vq)
{
	struct ph_fake_dev *fake = to_fake(vq->vdev);

	if (!strcmp(vq->name, "reporting_vq"))
		ph_fake_drain(fake, vq, &fake->last_avail, ph_fake_report);
	else if (!strcmp(vq->name, "inflate"))
		ph_fake_drain(fake, vq, &fake->inflate_avail, ph_fake_inflate);
	else if (!strcmp(vq->name, "deflate"))
		ph_fake_drain(fake, vq, &fake->deflate_avail, ph_fake_deflate);
	else if (!strcmp(vq->name, "free_page_vq"))
		ph_fake_drain(fake, vq, &fake->hint_avail, ph_fake_hint);
	/* Other queues: the device keeps what it is given (stats). */
	return true;
}

static void ph_fake_del_vqs(struct virtio_device *vdev)
{
	struct virtqueue *vq, *n;

	list_for_each_entry_safe(vq, n, &vdev->vqs, list)
		vring_del_virtqueue(vq);
}

static int ph_fake_find_vqs(struct virtio_device *vdev, unsigned int nvqs,
			    struct virtqueue *vqs[],
			    struct virtqueue_info vqs_info[],
			    struct irq_affinity *desc)
{
	struct ph_fake_dev *fake = to_fake(vdev);
	unsigned int i;

	if (nvqs > ARRAY_SIZE(fake->vqs))
		return -EINVAL;
	if (fake->fail_find_vqs)
		return -ENOMEM;
	fake->nvqs = nvqs;
	for (i = 0; i < nvqs; i++) {
		fake->names[i] = vqs_info[i].name;
		if (!vqs_info[i].name) {
			fake->holes = true;
			vqs[i] = NULL;
			continue;
		}
		vqs[i] = vring_create_virtqueue(i, fake->qsize, SMP_CACHE_BYTES,
						vdev, true, false, false,
						ph_fake_notify,
						vqs_info[i].callback,
						vqs_info[i].name);
		if (!vqs[i]) {
			ph_fake_del_vqs(vdev);
			return -ENOMEM;
		}
		fake->vqs[i] = vqs[i];
	}
	return 0;
}

/* The balloon's config space: num_pages, actual, ..., poison_val. */
static void ph_fake_get(struct virtio_device *vdev, unsigned int offset,
			void *buf, unsigned int len)
{
	struct ph_fake_dev *fake = to_fake(vdev);
	__le32 v;

	memset(buf, 0, len);
	if (len != sizeof(v))
		return;
	if (offset == offsetof(struct virtio_balloon_config, num_pages))
		v = cpu_to_le32(READ_ONCE(fake->num_pages));
	else if (offset == offsetof(struct virtio_balloon_config, actual))
		v = cpu_to_le32(READ_ONCE(fake->actual));
	else if (offset == offsetof(struct virtio_balloon_config, free_page_hint_cmd_id))
		v = cpu_to_le32(READ_ONCE(fake->hint_cmd_id));
	else
		return;
	memcpy(buf, &v, sizeof(v));
}

static void ph_fake_set(struct virtio_device *vdev, unsigned int offset,
			const void *buf, unsigned int len)
{
	struct ph_fake_dev *fake = to_fake(vdev);
	__le32 v;

	if (len != sizeof(v))
		return;
	memcpy(&v, buf, sizeof(v));
	if (offset == offsetof(struct virtio_balloon_config, actual))
		WRITE_ONCE(fake->actual, le32_to_cpu(v));
	else if (offset == offsetof(struct virtio_balloon_config, poison_val))
		WRITE_ONCE(fake->poison_val, le32_to_cpu(v));
}

static u8 ph_fake_get_status(struct virtio_device *vdev)
{
	return to_fake(vdev)->status;
}

static void ph_fake_set_status(struct virtio_device *vdev, u8 status)
{
	to_fake(vdev)->status = status;
}

/* A reset device forgets its queues, held buffers included. */
static void ph_fake_reset(struct virtio_device *vdev)
{
	struct ph_fake_dev *fake = to_fake(vdev);

	fake->status = 0;
	spin_lock(&fake->lock);
	fake->last_avail = 0;
	fake->inflate_avail = 0;
	fake->deflate_avail = 0;
	fake->hint_avail = 0;
	spin_unlock(&fake->lock);
}

static u64 ph_fake_get_features(struct virtio_device *vdev)
{
	return vdev->features;
}

static int ph_fake_finalize_features(struct virtio_device *vdev)
{
	return 0;
}

static const char *ph_fake_bus_name(struct virtio_device *vdev)
{
	return "pagehint-fake";
}

static const struct virtio_config_ops ph_fake_ops = {
	.get = ph_fake_get,
	.set = ph_fake_set,
	.get_status = ph_fake_get_status,
	.set_status = ph_fake_set_status,
	.reset = ph_fake_reset,
	.find_vqs = ph_fake_find_vqs,
	.del_vqs = ph_fake_del_vqs,
	.get_features = ph_fake_get_features,
	.finalize_features = ph_fake_finalize_features,
	.bus_name = ph_fake_bus_name,
};

static void ph_fake_release(struct device *dev)
{
	kfree(container_of(dev, struct ph_fake_dev, vdev.dev));
}

/*
 * A balloon device offering @features (already negotiated: pagehint's
 * validate() never adds any), with queues of @qsize entries, as if pagehint
 * were binding it.  It is not registered on the virtio bus, so nothing else
 * can bind it.
 */
struct ph_fake_dev *ph_fake_create(struct kunit *test, u64 features,
				   unsigned int qsize)
{
	static atomic_t seq = ATOMIC_INIT(0);
	struct ph_fake_dev *fake;

	fake = kzalloc_obj(*fake, GFP_KERNEL);
	if (!fake)
		KUNIT_FAIL_AND_ABORT(test, "out of memory");
	fake->qsize = qsize;
	fake->align_pages = 1;
	spin_lock_init(&fake->lock);
	init_waitqueue_head(&fake->wait);
	fake->vdev.config = &ph_fake_ops;
	fake->vdev.id.device = VIRTIO_ID_BALLOON;
	fake->vdev.id.vendor = VIRTIO_DEV_ANY_ID;
	fake->vdev.features = features | BIT_ULL(VIRTIO_F_VERSION_1);
	INIT_LIST_HEAD(&fake->vdev.vqs);
	spin_lock_init(&fake->vdev.vqs_list_lock);
	spin_lock_init(&fake->vdev.config_lock);
	device_initialize(&fake->vdev.dev);
	fake->vdev.dev.release = ph_fake_release;
	if (dev_set_name(&fake->vdev.dev, "pagehint-fake%d",
			 atomic_inc_return(&seq))) {
		put_device(&fake->vdev.dev);
		KUNIT_FAIL_AND_ABORT(test, "dev_set_name failed");
	}
	/* virtio_has_feature() checks against the bound driver's table. */
	fake->vdev.dev.driver = &pagehint_virtio_driver.driver;
	return fake;
}

void ph_fake_destroy(struct ph_fake_dev *fake)
{
	fake->vdev.dev.driver = NULL;
	put_device(&fake->vdev.dev);
}

int ph_fake_vq_index(struct ph_fake_dev *fake, const char *name)
{
	unsigned int i;

	for (i = 0; i < fake->nvqs; i++)
		if (fake->names[i] && !strcmp(fake->names[i], name))
			return i;
	return -1;
}

unsigned int ph_fake_reports(struct ph_fake_dev *fake)
{
	unsigned int n;

	spin_lock(&fake->lock);
	n = fake->reports;
	spin_unlock(&fake->lock);
	return n;
}

bool ph_fake_wait_reports(struct ph_fake_dev *fake, unsigned int n,
			  unsigned int seconds)
{
	return wait_event_timeout(fake->wait, ph_fake_reports(fake) >= n,
				  seconds * HZ) > 0;
}

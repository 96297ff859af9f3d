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
 * since "mm/page_alloc: alloc_contig_range() with ACR_FLAGS" (6.16).
 * Claimed ranges are movable: that is where free memory lives.
 */
static inline int pagehint_alloc_contig_range(unsigned long start,
					      unsigned long end, gfp_t gfp)
{
#ifdef ACR_FLAGS_NONE
	return alloc_contig_range(start, end, ACR_FLAGS_NONE, gfp);
#else
	return alloc_contig_range(start, end, MIGRATE_MOVABLE, gfp);
#endif
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

#endif /* _PAGEHINT_COMPAT_H */

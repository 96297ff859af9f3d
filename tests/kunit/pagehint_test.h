/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by pagehint's KUnit suites: the environment a suite runs in (what
 * main.c sets up, minus sysfs and the virtio driver) and a fake virtio
 * balloon device whose queues are real vrings.
 */
#ifndef _PAGEHINT_TEST_H
#define _PAGEHINT_TEST_H

#include <kunit/test.h>
#include <linux/gfp.h>
#include <linux/virtio.h>
#include <linux/wait.h>

/*
 * A virtio balloon device on a transport of its own.  Its queues are real
 * split vrings (vring_create_virtqueue() without the DMA API), so
 * pagehint's driver code runs unchanged; kicking the reporting queue runs
 * the "device": it reads the descriptors like a host would, checks that
 * every page it is handed is owned by pagehint (allocated, not a free buddy
 * page), records what it saw and returns the buffer with used length 0, as
 * QEMU does after discarding: it zero-fills every page of the report, as
 * MADV_DONTNEED would.  With @keep set it acks without discarding (a host
 * whose memory is locked); with @hold set it keeps the buffers instead, like
 * a host that is slow to ack.
 */
struct ph_fake_dev {
	struct virtio_device vdev;
	u8 status;
	unsigned int qsize;		/* entries of every queue */
	bool hold;			/* do not return reports */
	bool fail_find_vqs;		/* find_vqs() fails with -ENOMEM */
	bool keep;			/* ack without discarding */
	/*
	 * Discard only ranges whose start and length are multiples of this
	 * many pages, as QEMU does with guest memory on huge pages (0: all).
	 */
	unsigned long granule;

	/* Queues as pagehint asked for them. */
	unsigned int nvqs;
	struct virtqueue *vqs[8];
	const char *names[8];
	bool holes;			/* a NULL name was asked for */

	/* The device side of the reporting queue; under lock. */
	spinlock_t lock;
	u16 last_avail;
	unsigned int reports;		/* requests seen */
	unsigned int held;		/* ... of which held */
	unsigned int min_nents, max_nents;
	unsigned long pages;		/* pages of all requests */
	unsigned long max_len;		/* longest range, in pages */
	unsigned long not_owned;	/* pages not owned by pagehint */
	unsigned long misaligned;	/* ranges not aligned to align_pages */
	unsigned long not_writable;	/* descriptors not device-writable */
	unsigned long indirect;		/* requests in an indirect table */
	unsigned long align_pages;
	unsigned long held_pfn;		/* first range of the last held report */
	unsigned long held_nr;
	wait_queue_head_t wait;		/* woken on each request */
};

struct ph_fake_dev *ph_fake_create(struct kunit *test, u64 features,
				   unsigned int qsize);
void ph_fake_destroy(struct ph_fake_dev *fake);
int ph_fake_vq_index(struct ph_fake_dev *fake, const char *name);
unsigned int ph_fake_reports(struct ph_fake_dev *fake);
bool ph_fake_wait_reports(struct ph_fake_dev *fake, unsigned int n,
			  unsigned int seconds);
struct ph_fake_dev *ph_bind_reporting(struct kunit *test, bool hold);
void ph_reporting_end(void);

/*
 * Blocks a test frees to play free memory come from MOVABLE pageblocks, as
 * nearly all free memory does (and as pagehint claims only there on
 * kernels whose claims retype pageblocks; see claim.c).
 */
#define PH_GFP_FREE	(GFP_KERNEL | __GFP_MOVABLE | __GFP_NOWARN)

/* Suite environment: knobs at their defaults, stats zeroed. */
int ph_env_init(bool hooks);
void ph_env_exit(void);

#endif /* _PAGEHINT_TEST_H */

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
#define PH_FAKE_BALLOON_LOG	32
#define PH_FAKE_HINT_LOG	64

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
	u16 inflate_avail, deflate_avail;	/* the balloon's queues */
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
	/*
	 * Ranges that came with pagehint's canary in their first page, the
	 * most in one request, the first PH_FAKE_CANARIES of their PFNs, and
	 * bit j: canary_pfn[j] came again in a range without a canary.
	 */
	unsigned long canaries;
	unsigned int req_canaries, max_req_canaries;
	unsigned long canary_pfn[8];
	unsigned long canary_again;
	wait_queue_head_t wait;		/* woken on each request */

	/*
	 * The balloon: the config space's num_pages (the target) and actual
	 * (as the driver wrote it), the balloon pages told on the inflate
	 * and deflate queues, and those of them whose page was not the
	 * driver's (free, or not offline while inflated).  Under lock.
	 */
	u32 num_pages, actual, poison_val;
	unsigned long inflated, deflated, bad_inflate;
	/*
	 * The first PH_FAKE_BALLOON_LOG balloon requests since a test
	 * zeroed balloon_log_n, in order: the queue and the request's
	 * first guest PFN.  Under lock.
	 */
	struct {
		bool inflate;
		unsigned long pfn;
	} balloon_log[PH_FAKE_BALLOON_LOG];
	unsigned int balloon_log_n;
	/*
	 * Free page hinting: the config's command id, the ids the driver
	 * sent (the last one, and how many STOPs), and the blocks hinted;
	 * after hint_max blocks the device says STOP, as QEMU does once it
	 * has what it needs (0: never).  The first blocks hinted since
	 * hint_log_n was last set to 0, by PFN; hint_hold: the device keeps
	 * the blocks it is given (has not read them yet), in hint_held, until
	 * ph_fake_hint_return_held().
	 */
	u32 hint_cmd_id, hint_last_id;
	unsigned int hint_stops;
	unsigned long hint_blocks, hint_max;
	u16 hint_avail;
	bool hint_hold;
	u16 hint_held[PH_FAKE_HINT_LOG];
	unsigned int hint_held_n;
	unsigned long hint_log[PH_FAKE_HINT_LOG];
	unsigned int hint_log_n;
};

struct ph_fake_dev *ph_fake_create(struct kunit *test, u64 features,
				   unsigned int qsize);
void ph_fake_destroy(struct ph_fake_dev *fake);
int ph_fake_vq_index(struct ph_fake_dev *fake, const char *name);
void ph_fake_hint_return_held(struct ph_fake_dev *fake);
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

/*
 * Expedited grace periods completed, in RCU sequence units: exported for
 * rcutorture (tree RCU), declared only in kernel/rcu/rcu.h.
 */
unsigned long rcu_exp_batches_completed(void);

#endif /* _PAGEHINT_TEST_H */

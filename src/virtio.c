// SPDX-License-Identifier: GPL-2.0
/*
 * The virtio-balloon device, driven as the stock virtio_balloon drives it,
 * with pagehint's reporting on its free page reporting queue.
 *
 * Everything the stock driver does with the device, pagehint does too: it
 * inflates and deflates to the host's target (balloon.c: inflate and
 * deflate queues, deflate on OOM, balloon page migration), answers the
 * stats queue with every figure the stock driver sends, and tells the host
 * the page poison value.  It reports free memory (report.c) where the
 * device offers the reporting queue and the guest does not rewrite freed
 * pages (init_on_free, page poisoning); without that it balloons only.
 *
 * Queues: QEMU numbers the device's queues densely over the features it
 * *offers* (it always offers STATS_VQ), and Linux's transports number the
 * queues a driver asks for densely too.  So pagehint negotiates every
 * queue-bearing feature (STATS_VQ, FREE_PAGE_HINT, REPORTING) and asks for
 * exactly the queues that exist, in order, with no NULL holes (a hole oopses
 * 6.12's vp_del_vqs() on removal).  Free page hints are never sent.
 *
 * Taking the device over: with takeover=1 (the default), loading pagehint
 * releases the balloon device from the stock virtio_balloon and binds it; on
 * unload pagehint hands it back.  Where releasing virtio_balloon oopses (see
 * compat.h) pagehint refuses and says how to load it first instead.
 *
 * Invariant: the worker is stopped before the queues go away (remove,
 * freeze, shutdown), and ranges still on the queue are released only after
 * the device was reset.
 *
 * Shutdown, reboot and kexec: a reboot notifier (and, on kernels whose
 * virtio core has one, the driver's .shutdown) stops the worker and resets
 * the device before the next kernel or the firmware runs.  Transports that
 * are not reset at shutdown (virtio-mmio, ccw) would otherwise let a host
 * process a report after the next kernel has started using those pages.
 */

#include <linux/device.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/reboot.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_balloon.h>
#include <linux/virtio_config.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "pagehint.h"
#include "balloon.h"
#include "hint.h"

static bool pagehint_takeover = true;
module_param_named(takeover, pagehint_takeover, bool, 0444);
MODULE_PARM_DESC(takeover,
		 "Take the balloon device over from virtio_balloon at load, give it back at unload (default: Y)");

/* Every tag of the stats queue (the uapi header's count on this kernel). */
#define PAGEHINT_NR_STATS	VIRTIO_BALLOON_S_NR

struct pagehint_dev {
	struct virtio_device *vdev;
	struct virtqueue *inflate_vq, *deflate_vq;
	struct virtqueue *report_vq;	/* NULL unless reporting */
	struct virtqueue *hint_vq;	/* NULL without FREE_PAGE_HINT */
	struct virtqueue *stats_vq;	/* NULL without STATS_VQ */
	/*
	 * Whether pagehint reports through this device: it offers the
	 * reporting queue, and the guest does not rewrite freed pages.
	 * Decided at probe; why not, in no_report.
	 */
	bool reporting;
	const char *no_report;

	/* Woken by the reporting queue's callback, and by stop. */
	wait_queue_head_t ack_wait;
	/* Set before the worker is stopped; the worker then gives up waiting. */
	bool stopping;
	/*
	 * The queues exist and the worker may run: set by a successful
	 * pagehint_start(), cleared by pagehint_stop().  A restore that
	 * failed leaves it clear, so that nothing touches the queues that
	 * freeze deleted.  Under pagehint_dev_lock.
	 */
	bool live;

	/* Stats: refreshed by stats_work when the host takes the buffer. */
	struct work_struct stats_work;
	/* Protects stats_stop against the stats queue's callback. */
	spinlock_t stats_lock;
	bool stats_stop;
	struct virtio_balloon_stat stats[PAGEHINT_NR_STATS];
	unsigned int nr_stats;
};

/*
 * pagehint_dev_lock protects the device pagehint serves (one at a time: the
 * worker is single), the state sysfs shows, the device taken from
 * virtio_balloon, and whether the system is shutting down.  Lock order:
 * pagehint_dev_lock, then the worker's lock (report.c).
 */
static DEFINE_MUTEX(pagehint_dev_lock);
static struct pagehint_dev *pagehint_bound;
static char pagehint_dev_state[128] = "unbound: no balloon device seen";
static struct device *pagehint_taken;
static bool pagehint_shutting_down;

static __printf(1, 2) void pagehint_set_state(const char *fmt, ...)
{
	va_list args;

	lockdep_assert_held(&pagehint_dev_lock);
	va_start(args, fmt);
	vsnprintf(pagehint_dev_state, sizeof(pagehint_dev_state), fmt, args);
	va_end(args);
}

/* "bound virtioN", and why it does not report if it does not. */
static void pagehint_set_bound_state(struct pagehint_dev *pdev)
{
	if (pdev->reporting)
		pagehint_set_state("bound %s", dev_name(&pdev->vdev->dev));
	else
		pagehint_set_state("bound %s, balloon only: %s",
				   dev_name(&pdev->vdev->dev), pdev->no_report);
}

ssize_t pagehint_device_show(char *buf)
{
	ssize_t ret;

	mutex_lock(&pagehint_dev_lock);
	ret = sysfs_emit(buf, "%s\n", pagehint_dev_state);
	mutex_unlock(&pagehint_dev_lock);
	return ret;
}

bool pagehint_dev_stopping(struct pagehint_dev *pdev)
{
	return READ_ONCE(pdev->stopping);
}

static void pagehint_report_done(struct virtqueue *vq)
{
	struct pagehint_dev *pdev = vq->vdev->priv;

	wake_up(&pdev->ack_wait);
}

/* Has the device returned the report?  Stop waiting if it is leaving. */
static bool pagehint_report_returned(struct pagehint_dev *pdev, bool *acked)
{
	unsigned int unused;

	*acked = virtqueue_get_buf(pdev->report_vq, &unused);
	return *acked || READ_ONCE(pdev->stopping);
}

/* The device takes nothing more until it is reset (surprise removal). */
bool pagehint_dev_broken(struct pagehint_dev *pdev)
{
	return virtqueue_is_broken(pdev->report_vq);
}

/*
 * Hand @nents claimed ranges to the device as writable buffers and kick it;
 * pagehint_dev_ack() waits for it to give them back (QEMU discards them
 * first, then acks with used length 0).  One request in flight; only the
 * worker calls this.  -ESHUTDOWN: the device is broken and did not take
 * the request; other errors: it refused it.
 */
int pagehint_dev_report(struct pagehint_dev *pdev, struct scatterlist *sgl,
			unsigned int nents)
{
	struct virtqueue *vq = pdev->report_vq;
	int err;

	err = virtqueue_add_inbuf(vq, sgl, nents, pdev, GFP_KERNEL | __GFP_NOWARN);
	/* The queue holds one request and was checked at probe. */
	if (WARN_ON_ONCE(err == -ENOSPC))
		return err;
	if (err && virtqueue_is_broken(vq))
		return -ESHUTDOWN;
	if (err) {
		dev_err_ratelimited(&pdev->vdev->dev, "cannot queue a report: %d\n", err);
		return err;
	}
	virtqueue_kick(vq);
	return 0;
}

/*
 * Wait up to @timeout jiffies for the device to return the report: 0 when
 * it has, -EAGAIN when it has not yet, -ESHUTDOWN when the device is going
 * away (the report stays on it until the reset).  The wait is idle: a host
 * that is slow to ack is not a hung task.
 */
int pagehint_dev_ack(struct pagehint_dev *pdev, unsigned long timeout)
{
	bool acked = false;

	wait_event_idle_timeout(pdev->ack_wait,
				pagehint_report_returned(pdev, &acked), timeout);
	if (acked)
		return 0;
	return READ_ONCE(pdev->stopping) ? -ESHUTDOWN : -EAGAIN;
}

static void pagehint_stat(struct pagehint_dev *pdev, u16 tag, u64 val)
{
	if (WARN_ON_ONCE(pdev->nr_stats >= PAGEHINT_NR_STATS))
		return;
	pdev->stats[pdev->nr_stats].tag = cpu_to_virtio16(pdev->vdev, tag);
	pdev->stats[pdev->nr_stats].val = cpu_to_virtio64(pdev->vdev, val);
	pdev->nr_stats++;
}

#define PAGEHINT_BYTES(pages)	((u64)(pages) << PAGE_SHIFT)

/* The event counters virtio_balloon sends, where the kernel counts them. */
static void pagehint_stats_events(struct pagehint_dev *pdev)
{
#ifdef CONFIG_VM_EVENT_COUNTERS
	unsigned long *ev = pagehint_vm_events();

	if (!ev)
		return;
	pagehint_stat(pdev, VIRTIO_BALLOON_S_SWAP_IN, PAGEHINT_BYTES(ev[PSWPIN]));
	pagehint_stat(pdev, VIRTIO_BALLOON_S_SWAP_OUT, PAGEHINT_BYTES(ev[PSWPOUT]));
	pagehint_stat(pdev, VIRTIO_BALLOON_S_MAJFLT, ev[PGMAJFAULT]);
	pagehint_stat(pdev, VIRTIO_BALLOON_S_MINFLT, ev[PGFAULT]);
#ifdef VIRTIO_BALLOON_S_OOM_KILL
	pagehint_stat(pdev, VIRTIO_BALLOON_S_OOM_KILL, ev[OOM_KILL]);
	pagehint_stat(pdev, VIRTIO_BALLOON_S_ALLOC_STALL, pagehint_alloc_stalls(ev));
	pagehint_stat(pdev, VIRTIO_BALLOON_S_ASYNC_SCAN,
		      PAGEHINT_BYTES(pagehint_vm_scan(ev, PAGEHINT_SCAN_KSWAPD)));
	pagehint_stat(pdev, VIRTIO_BALLOON_S_DIRECT_SCAN,
		      PAGEHINT_BYTES(pagehint_vm_scan(ev, PAGEHINT_SCAN_DIRECT)));
	pagehint_stat(pdev, VIRTIO_BALLOON_S_ASYNC_RECLAIM,
		      PAGEHINT_BYTES(pagehint_vm_scan(ev, PAGEHINT_STEAL_KSWAPD)));
	pagehint_stat(pdev, VIRTIO_BALLOON_S_DIRECT_RECLAIM,
		      PAGEHINT_BYTES(pagehint_vm_scan(ev, PAGEHINT_STEAL_DIRECT)));
#endif
#ifdef CONFIG_HUGETLB_PAGE
	pagehint_stat(pdev, VIRTIO_BALLOON_S_HTLB_PGALLOC, ev[HTLB_BUDDY_PGALLOC]);
	pagehint_stat(pdev, VIRTIO_BALLOON_S_HTLB_PGFAIL, ev[HTLB_BUDDY_PGALLOC_FAIL]);
#endif
	kfree(ev);
#endif
}

/*
 * The figures virtio_balloon sends, tag for tag: the event counters, then
 * free, total and available memory and the caches.
 */
static void pagehint_update_stats(struct pagehint_dev *pdev)
{
	struct sysinfo i;

	pdev->nr_stats = 0;
	pagehint_stats_events(pdev);
	si_meminfo(&i);
	pagehint_stat(pdev, VIRTIO_BALLOON_S_MEMFREE, PAGEHINT_BYTES(i.freeram));
	pagehint_stat(pdev, VIRTIO_BALLOON_S_MEMTOT, PAGEHINT_BYTES(i.totalram));
	pagehint_stat(pdev, VIRTIO_BALLOON_S_AVAIL, PAGEHINT_BYTES(si_mem_available()));
	pagehint_stat(pdev, VIRTIO_BALLOON_S_CACHES,
		      PAGEHINT_BYTES(global_node_page_state(NR_FILE_PAGES)));
}

/* Put the stats buffer on the stats queue for the host to take. */
static int pagehint_post_stats(struct pagehint_dev *pdev)
{
	struct scatterlist sg;
	int err;

	pagehint_update_stats(pdev);
	sg_init_one(&sg, pdev->stats, sizeof(pdev->stats[0]) * pdev->nr_stats);
	err = virtqueue_add_outbuf(pdev->stats_vq, &sg, 1, pdev, GFP_KERNEL);
	if (!err)
		virtqueue_kick(pdev->stats_vq);
	return err;
}

static void pagehint_stats_work(struct work_struct *work)
{
	struct pagehint_dev *pdev = container_of(work, struct pagehint_dev,
						 stats_work);
	unsigned int len;

	if (!virtqueue_get_buf(pdev->stats_vq, &len))
		return;
	pagehint_post_stats(pdev);
}

static void pagehint_stats_request(struct virtqueue *vq)
{
	struct pagehint_dev *pdev = vq->vdev->priv;

	spin_lock(&pdev->stats_lock);
	if (!pdev->stats_stop)
		queue_work(system_freezable_wq, &pdev->stats_work);
	spin_unlock(&pdev->stats_lock);
}

static void pagehint_config_changed(struct virtio_device *vdev)
{
	pagehint_balloon_changed();
	pagehint_hint_changed();
}

/*
 * Create the device's queues: inflate and deflate always, then stats, free
 * page hint and reporting where negotiated, densely, as the device numbers
 * them.
 */
static int pagehint_init_vqs(struct pagehint_dev *pdev)
{
	struct virtio_device *vdev = pdev->vdev;
	struct virtqueue *vqs[5];
	vq_callback_t *callbacks[5];
	const char *names[5];
	unsigned int n = 0, stats = 0, hint = 0, report = 0;
	int err;

	names[n] = "inflate";
	callbacks[n++] = pagehint_balloon_ack;
	names[n] = "deflate";
	callbacks[n++] = pagehint_balloon_ack;
	if (virtio_has_feature(vdev, VIRTIO_BALLOON_F_STATS_VQ)) {
		stats = n;
		names[n] = "stats";
		callbacks[n++] = pagehint_stats_request;
	}
	if (virtio_has_feature(vdev, VIRTIO_BALLOON_F_FREE_PAGE_HINT)) {
		hint = n;
		names[n] = "free_page_vq";
		callbacks[n++] = NULL;
	}
	if (virtio_has_feature(vdev, VIRTIO_BALLOON_F_REPORTING)) {
		report = n;
		names[n] = "reporting_vq";
		callbacks[n++] = pagehint_report_done;
	}

	err = pagehint_find_vqs(vdev, n, vqs, callbacks, names);
	if (err)
		return err;
	pdev->inflate_vq = vqs[0];
	pdev->deflate_vq = vqs[1];
	pdev->stats_vq = stats ? vqs[stats] : NULL;
	pdev->hint_vq = hint ? vqs[hint] : NULL;
	pdev->report_vq = report ? vqs[report] : NULL;
	return 0;
}

/*
 * After a reset, take back the buffers the device never returned (a report
 * it was still holding, the stats buffer): detaching them frees what the
 * ring allocated for them, such as an indirect descriptor table, which
 * del_vqs() would leak.
 */
static void pagehint_detach_unused(struct pagehint_dev *pdev)
{
	while (virtqueue_detach_unused_buf(pdev->inflate_vq))
		;
	while (virtqueue_detach_unused_buf(pdev->deflate_vq))
		;
	while (pdev->report_vq && virtqueue_detach_unused_buf(pdev->report_vq))
		;
	while (pdev->hint_vq && virtqueue_detach_unused_buf(pdev->hint_vq))
		;
	while (pdev->stats_vq && virtqueue_detach_unused_buf(pdev->stats_vq))
		;
}

/* Delete the device's queues, and forget them. */
static void pagehint_del_vqs(struct pagehint_dev *pdev)
{
	pdev->vdev->config->del_vqs(pdev->vdev);
	pdev->inflate_vq = NULL;
	pdev->deflate_vq = NULL;
	pdev->report_vq = NULL;
	pdev->hint_vq = NULL;
	pdev->stats_vq = NULL;
}

/* Does the guest write every page it frees (init_on_free, page poisoning)? */
static bool pagehint_frees_rewrite(void)
{
	return want_init_on_free() || page_poisoning_enabled_static();
}

/*
 * As virtio_balloon: a guest that rewrites freed pages tells the host
 * what it writes (VIRTIO_BALLOON_F_PAGE_POISON), so that a host which
 * gives inflated or hinted pages back can write the same; one that does
 * not never negotiates it.  Reporting, where freed pages are rewritten,
 * would give the host nothing back: pagehint does not report then
 * (pagehint_probe()), but balloons.
 */
static int pagehint_validate(struct virtio_device *vdev)
{
	if (!pagehint_frees_rewrite())
		__virtio_clear_bit(vdev, VIRTIO_BALLOON_F_PAGE_POISON);
	__virtio_clear_bit(vdev, VIRTIO_F_ACCESS_PLATFORM);
	return 0;
}

/* The poison value, as virtio_balloon writes it: 0 means init_on_free. */
static void pagehint_tell_poison(struct virtio_device *vdev)
{
	u32 poison_val = 0;

	if (!virtio_has_feature(vdev, VIRTIO_BALLOON_F_PAGE_POISON))
		return;
	/* A single byte, so no byte order to mind. */
	if (!want_init_on_free())
		memset(&poison_val, PAGE_POISON, sizeof(poison_val));
	virtio_cwrite_le(vdev, struct virtio_balloon_config, poison_val,
			 &poison_val);
}

/*
 * Undoes pagehint_start(); a no-op if it failed or never ran.  @deflate:
 * give the balloon's pages back first (remove, freeze), not for a system
 * restart, whose next kernel starts with all of memory anyway.
 */
static void pagehint_stop(struct pagehint_dev *pdev, bool deflate)
{
	lockdep_assert_held(&pagehint_dev_lock);
	if (!pdev->live)
		return;
	pdev->live = false;

	/* Event sources first: the worker, then the stats refresh. */
	WRITE_ONCE(pdev->stopping, true);
	wake_up(&pdev->ack_wait);
	pagehint_worker_stop();

	spin_lock_irq(&pdev->stats_lock);
	pdev->stats_stop = true;
	spin_unlock_irq(&pdev->stats_lock);
	cancel_work_sync(&pdev->stats_work);
	/* The balloon and the hints last: they need the queues. */
	pagehint_hint_stop();
	pagehint_balloon_stop(deflate);

	/* The device forgets its queues; only then give back what it held. */
	virtio_reset_device(pdev->vdev);
	pagehint_detach_unused(pdev);
	pagehint_worker_release_inflight();
	pagehint_del_vqs(pdev);
}

/* Queues up, stats posted, device live, worker running. */
static int pagehint_start(struct pagehint_dev *pdev)
{
	unsigned int size;
	int err;

	lockdep_assert_held(&pagehint_dev_lock);
	if (WARN_ON_ONCE(pdev->live))
		return -EBUSY;
	if (pagehint_shutting_down)
		return -ESHUTDOWN;
	err = pagehint_init_vqs(pdev);
	if (err)
		return err;

	size = pdev->reporting ? virtqueue_get_vring_size(pdev->report_vq) : 0;
	if (pdev->reporting && size < PAGEHINT_CAPACITY) {
		dev_err(&pdev->vdev->dev,
			"reporting queue has %u entries, pagehint needs %u\n",
			size, PAGEHINT_CAPACITY);
		err = -ENOSPC;
		goto out_del_vqs;
	}
	pagehint_tell_poison(pdev->vdev);

	WRITE_ONCE(pdev->stopping, false);
	pdev->stats_stop = false;
	virtio_device_ready(pdev->vdev);
	err = pagehint_balloon_start(pdev->vdev, pdev->inflate_vq,
				     pdev->deflate_vq);
	if (err)
		goto out_reset;
	err = pagehint_hint_start(pdev->vdev, pdev->hint_vq);
	if (err)
		goto out_balloon;
	if (pdev->stats_vq && pagehint_post_stats(pdev))
		dev_warn(&pdev->vdev->dev, "cannot post the stats buffer\n");
	pdev->live = true;
	if (pdev->reporting)
		pagehint_worker_start(pdev);
	return 0;

out_balloon:
	pagehint_balloon_stop(true);
out_reset:
	virtio_reset_device(pdev->vdev);
out_del_vqs:
	pagehint_del_vqs(pdev);
	return err;
}

static int pagehint_probe(struct virtio_device *vdev)
{
	struct pagehint_dev *pdev;
	const char *why = NULL;
	int err;

	mutex_lock(&pagehint_dev_lock);
	if (pagehint_bound) {
		dev_err(&vdev->dev, "pagehint already reports through %s\n",
			dev_name(&pagehint_bound->vdev->dev));
		err = -EBUSY;
		goto out_unlock;
	}
	if (!vdev->config->get) {
		dev_err(&vdev->dev, "the device's config space cannot be read\n");
		err = -EINVAL;
		goto out_unlock;
	}
	if (!virtio_has_feature(vdev, VIRTIO_BALLOON_F_REPORTING))
		why = "the device does not offer free page reporting";
	else if (pagehint_frees_rewrite())
		/*
		 * Freeing the reported range would write every page again,
		 * making the host fault back in what it just discarded.
		 */
		why = "init_on_free or page poisoning rewrites every page pagehint releases";

	pdev = kzalloc_obj(*pdev, GFP_KERNEL);
	if (!pdev) {
		err = -ENOMEM;
		goto out_unlock;
	}
	pdev->vdev = vdev;
	pdev->reporting = !why;
	pdev->no_report = why;
	vdev->priv = pdev;
	init_waitqueue_head(&pdev->ack_wait);
	spin_lock_init(&pdev->stats_lock);
	INIT_WORK(&pdev->stats_work, pagehint_stats_work);

	err = pagehint_start(pdev);
	if (err) {
		pagehint_set_state("refused %s: cannot set up its queues (%d)",
				   dev_name(&vdev->dev), err);
		goto out_free;
	}
	pagehint_bound = pdev;
	pagehint_set_bound_state(pdev);
	if (pdev->reporting)
		dev_info(&vdev->dev, "pagehint reports free memory through this device\n");
	else
		dev_warn(&vdev->dev, "balloon only, not reporting: %s\n", why);
	mutex_unlock(&pagehint_dev_lock);
	return 0;

out_free:
	vdev->priv = NULL;
	kfree(pdev);
out_unlock:
	mutex_unlock(&pagehint_dev_lock);
	return err;
}

static void pagehint_remove(struct virtio_device *vdev)
{
	struct pagehint_dev *pdev = vdev->priv;

	mutex_lock(&pagehint_dev_lock);
	pagehint_stop(pdev, true);
	pagehint_bound = NULL;
	pagehint_set_state("unbound: %s was released", dev_name(&vdev->dev));
	mutex_unlock(&pagehint_dev_lock);
	vdev->priv = NULL;
	kfree(pdev);
}

/*
 * The system is going down (reboot, power off, halt, kexec): stop reporting
 * for good and reset the device, so that no report is left for the host to
 * act on after the next kernel or the firmware took over.
 */
static void pagehint_shutdown_dev(const char *why)
{
	struct pagehint_dev *pdev;

	mutex_lock(&pagehint_dev_lock);
	pagehint_shutting_down = true;
	pdev = pagehint_bound;
	if (pdev && pdev->live) {
		pagehint_stop(pdev, false);
		pagehint_set_state("stopped %s: %s", dev_name(&pdev->vdev->dev), why);
		dev_info(&pdev->vdev->dev, "reporting stopped, device reset: %s\n", why);
	}
	mutex_unlock(&pagehint_dev_lock);
}

static int pagehint_reboot_notify(struct notifier_block *nb,
				  unsigned long action, void *data)
{
	pagehint_shutdown_dev(action == SYS_RESTART ? "system restart" :
			      action == SYS_HALT ? "system halt" : "system power off");
	return NOTIFY_DONE;
}

static struct notifier_block pagehint_reboot_nb = {
	.notifier_call = pagehint_reboot_notify,
};

#ifdef PAGEHINT_HAVE_VIRTIO_SHUTDOWN
/* The virtio core's shutdown, where it has one: the same, per device. */
static void pagehint_virtio_shutdown(struct virtio_device *vdev)
{
	pagehint_shutdown_dev("device shutdown");
	/* What the core does for drivers without .shutdown, after our stop. */
	virtio_reset_device(vdev);
}
#endif

static int __maybe_unused pagehint_freeze(struct virtio_device *vdev)
{
	mutex_lock(&pagehint_dev_lock);
	pagehint_stop(vdev->priv, true);
	pagehint_set_state("frozen %s", dev_name(&vdev->dev));
	mutex_unlock(&pagehint_dev_lock);
	return 0;
}

static int __maybe_unused pagehint_restore(struct virtio_device *vdev)
{
	int err;

	mutex_lock(&pagehint_dev_lock);
	err = pagehint_start(vdev->priv);
	if (err)
		pagehint_set_state("refused %s: cannot restore its queues (%d)",
				   dev_name(&vdev->dev), err);
	else
		pagehint_set_bound_state(vdev->priv);
	mutex_unlock(&pagehint_dev_lock);
	return err;
}

static const struct virtio_device_id pagehint_id_table[] = {
	{ VIRTIO_ID_BALLOON, VIRTIO_DEV_ANY_ID },
	{ 0 },
};
MODULE_DEVICE_TABLE(virtio, pagehint_id_table);

static unsigned int pagehint_features[] = {
	VIRTIO_BALLOON_F_MUST_TELL_HOST,
	VIRTIO_BALLOON_F_STATS_VQ,
	VIRTIO_BALLOON_F_DEFLATE_ON_OOM,
	VIRTIO_BALLOON_F_FREE_PAGE_HINT,
	VIRTIO_BALLOON_F_PAGE_POISON,
	VIRTIO_BALLOON_F_REPORTING,
};

static struct virtio_driver pagehint_virtio_driver = {
	.feature_table = pagehint_features,
	.feature_table_size = ARRAY_SIZE(pagehint_features),
	.driver.name = KBUILD_MODNAME,
	.id_table = pagehint_id_table,
	.validate = pagehint_validate,
	.probe = pagehint_probe,
	.remove = pagehint_remove,
	.config_changed = pagehint_config_changed,
#ifdef CONFIG_PM_SLEEP
	.freeze = pagehint_freeze,
	.restore = pagehint_restore,
#endif
#ifdef PAGEHINT_HAVE_VIRTIO_SHUTDOWN
	.shutdown = pagehint_virtio_shutdown,
#endif
};

/* Release a balloon device from virtio_balloon and bind it to pagehint. */
static int pagehint_take_one(struct device *dev, void *unused)
{
	struct virtio_device *vdev = dev_to_virtio(dev);
	const char *drv;
	bool bound;
	int err;

	if (vdev->id.device != VIRTIO_ID_BALLOON)
		return 0;
	device_lock(dev);
	drv = dev->driver ? dev->driver->name : NULL;
	device_unlock(dev);
	if (!drv || strcmp(drv, "virtio_balloon"))
		return 0;

	if (pagehint_balloon_unbind_oopses() &&
	    virtio_has_feature(vdev, VIRTIO_BALLOON_F_REPORTING)) {
		pr_err("%s: releasing it from virtio_balloon oopses this kernel; load pagehint before virtio_balloon instead (see README)\n",
		       dev_name(dev));
		mutex_lock(&pagehint_dev_lock);
		pagehint_set_state("unbound: %s stays with virtio_balloon (%s)",
				   dev_name(dev), "it cannot release it safely on this kernel");
		mutex_unlock(&pagehint_dev_lock);
		return 0;
	}

	pr_info("%s: taking the device over from virtio_balloon\n", dev_name(dev));
	device_release_driver(dev);
	err = device_driver_attach(&pagehint_virtio_driver.driver, dev);
	device_lock(dev);
	bound = dev->driver == &pagehint_virtio_driver.driver;
	device_unlock(dev);
	if (!bound) {
		/* pagehint refused it (and said why): give it back at once. */
		pr_err("%s: not bound (%d); handing it back to virtio_balloon\n",
		       dev_name(dev), err);
		if (device_attach(dev) <= 0)
			pr_err("%s: virtio_balloon did not take it back\n", dev_name(dev));
		return 0;
	}
	mutex_lock(&pagehint_dev_lock);
	if (!pagehint_taken)
		pagehint_taken = get_device(dev);
	mutex_unlock(&pagehint_dev_lock);
	return 0;
}

int pagehint_virtio_init(void)
{
	int err;

	err = register_reboot_notifier(&pagehint_reboot_nb);
	if (err)
		return err;
	err = register_virtio_driver(&pagehint_virtio_driver);
	if (err) {
		unregister_reboot_notifier(&pagehint_reboot_nb);
		return err;
	}
	if (pagehint_takeover)
		bus_for_each_dev(pagehint_virtio_driver.driver.bus, NULL, NULL,
				 pagehint_take_one);
	return 0;
}

void pagehint_virtio_exit(void)
{
	struct device *dev;

	unregister_virtio_driver(&pagehint_virtio_driver);
	unregister_reboot_notifier(&pagehint_reboot_nb);
	pagehint_hint_exit();
	pagehint_balloon_exit();

	/* Hand a device taken from virtio_balloon back to it (if loaded). */
	mutex_lock(&pagehint_dev_lock);
	dev = pagehint_taken;
	pagehint_taken = NULL;
	mutex_unlock(&pagehint_dev_lock);
	if (dev) {
		if (device_attach(dev) > 0)
			pr_info("%s: handed back to %s\n", dev_name(dev),
				dev->driver ? dev->driver->name : "?");
		put_device(dev);
	}
}

// SPDX-License-Identifier: GPL-2.0
/*
 * pagehint: best-effort free page hinting for virtio-balloon guests.
 *
 * Module init wires pagehint's units together in order: the tracker and its
 * allocator hooks, the memory hotplug notifier, the worker, the sysfs
 * knobs, and last the virtio driver, which starts reporting once a device
 * is bound.  Exit unwinds them in exactly the reverse order.
 */

#include <linux/init.h>
#include <linux/mm.h>
#include <linux/module.h>

#include "pagehint.h"

static bool pagehint_hooks = true;
module_param_named(hooks, pagehint_hooks, bool, 0444);
MODULE_PARM_DESC(hooks,
		 "Track free pages through the allocator's tracepoints; N: scan only (default: Y)");

static int __init pagehint_init(void)
{
	int err;

	pagehint_knobs_init();

	err = pagehint_tracker_init(pagehint_hooks);
	if (err) {
		pr_err("cannot set up the tracker: %d\n", err);
		return err;
	}
	err = pagehint_hotplug_init();
	if (err) {
		pr_err("cannot register the memory hotplug notifier: %d\n", err);
		goto out_tracker;
	}
	err = pagehint_worker_init();
	if (err)
		goto out_hotplug;
	err = pagehint_sysfs_init();
	if (err) {
		pr_err("cannot create the sysfs interface: %d\n", err);
		goto out_worker;
	}
	err = pagehint_virtio_init();
	if (err) {
		pr_err("cannot register the virtio driver: %d\n", err);
		goto out_sysfs;
	}

	pr_info("version %s loaded (report_order %lu, hooks: %s)\n",
		PAGEHINT_VERSION, pagehint_knobs.report_order,
		pagehint_tracker_hooks());
	return 0;

out_sysfs:
	pagehint_sysfs_exit();
out_worker:
	pagehint_worker_exit();
out_hotplug:
	pagehint_hotplug_exit();
out_tracker:
	pagehint_tracker_exit();
	return err;
}

static void __exit pagehint_exit(void)
{
	pagehint_virtio_exit();
	pagehint_sysfs_exit();
	pagehint_worker_exit();
	pagehint_hotplug_exit();
	pagehint_tracker_exit();
	pr_info("unloaded\n");
}

module_init(pagehint_init);
module_exit(pagehint_exit);

MODULE_AUTHOR("The pagehint developers");
MODULE_DESCRIPTION("Best-effort free page hinting for virtio-balloon guests");
MODULE_LICENSE("GPL");
MODULE_VERSION(PAGEHINT_VERSION);

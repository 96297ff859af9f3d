// SPDX-License-Identifier: GPL-2.0
/*
 * pagehint: best-effort free page hinting for virtio-balloon guests.
 *
 * Module init wires pagehint's units together in order; exit unwinds them
 * in exactly the reverse order.
 */

#include <linux/init.h>
#include <linux/module.h>

#include "pagehint.h"

static int __init pagehint_init(void)
{
	int err;

	err = pagehint_sysfs_init();
	if (err) {
		pr_err("cannot create the sysfs interface: %d\n", err);
		return err;
	}

	pr_info("version %s loaded\n", PAGEHINT_VERSION);
	return 0;
}

static void __exit pagehint_exit(void)
{
	pagehint_sysfs_exit();
	pr_info("unloaded\n");
}

module_init(pagehint_init);
module_exit(pagehint_exit);

MODULE_AUTHOR("The pagehint developers");
MODULE_DESCRIPTION("Best-effort free page hinting for virtio-balloon guests");
MODULE_LICENSE("GPL");
MODULE_VERSION(PAGEHINT_VERSION);

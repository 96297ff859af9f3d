// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs interface: /sys/kernel/mm/pagehint/.
 *
 * /sys/kernel/mm is where the memory-management knobs of the kernel live
 * (transparent_hugepage, ksm, damon, ...), so pagehint's belong there too.
 * Its kobject, mm_kobj, is exported to modules on 6.1 but not on 6.12, so it
 * is found instead through the exported kernfs lookup under kernel_kobj
 * (/sys/kernel): a sysfs directory's kernfs node carries its kobject in
 * ->priv.  Should that ever fail, pagehint falls back to /sys/kernel/pagehint
 * and says so.
 */

#include <linux/kernfs.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/sysfs.h>

#include "pagehint.h"

/* Set once in pagehint_sysfs_init(); cleared in pagehint_sysfs_exit(). */
static struct kobject *pagehint_kobj;
/* The reference pagehint holds on /sys/kernel/mm's kobject, if found. */
static struct kobject *pagehint_mm_kobj;

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", PAGEHINT_VERSION);
}

static struct kobj_attribute version_attr = __ATTR_RO(version);

static struct attribute *pagehint_attrs[] = {
	&version_attr.attr,
	NULL,
};

static const struct attribute_group pagehint_attr_group = {
	.attrs = pagehint_attrs,
};

/* Find /sys/kernel/mm's kobject and take a reference on it. */
static struct kobject *pagehint_find_mm_kobj(void)
{
	struct kobject *kobj = NULL;
	struct kernfs_node *kn;

	kn = kernfs_find_and_get(kernel_kobj->sd, "mm");
	if (!kn)
		return NULL;
	if (kernfs_type(kn) == KERNFS_DIR && kn->priv)
		kobj = kobject_get(kn->priv);
	kernfs_put(kn);
	return kobj;
}

int pagehint_sysfs_init(void)
{
	struct kobject *parent;
	int err;

	pagehint_mm_kobj = pagehint_find_mm_kobj();
	parent = pagehint_mm_kobj;
	if (!parent) {
		pr_warn("/sys/kernel/mm not found, using /sys/kernel/pagehint\n");
		parent = kernel_kobj;
	}

	pagehint_kobj = kobject_create_and_add("pagehint", parent);
	if (!pagehint_kobj) {
		err = -ENOMEM;
		goto out_put_mm;
	}

	err = sysfs_create_group(pagehint_kobj, &pagehint_attr_group);
	if (err)
		goto out_put_kobj;

	return 0;

out_put_kobj:
	kobject_put(pagehint_kobj);
	pagehint_kobj = NULL;
out_put_mm:
	kobject_put(pagehint_mm_kobj);
	pagehint_mm_kobj = NULL;
	return err;
}

void pagehint_sysfs_exit(void)
{
	sysfs_remove_group(pagehint_kobj, &pagehint_attr_group);
	kobject_put(pagehint_kobj);
	pagehint_kobj = NULL;
	kobject_put(pagehint_mm_kobj);
	pagehint_mm_kobj = NULL;
}

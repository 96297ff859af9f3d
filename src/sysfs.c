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
 *
 * Knobs are validated in full before anything changes: bad input returns
 * -EINVAL (or -ERANGE from the parser) and leaves the state as it was.
 */

#include <linux/kernfs.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sysfs.h>

#include "pagehint.h"

/* Serialises knob writers, and report_order with the tracker it sizes. */
DEFINE_MUTEX(pagehint_knob_lock);

struct pagehint_knobs pagehint_knobs = {
	.enabled = true,
	.delay_ms = PAGEHINT_DELAY_MS_DEFAULT,
	.max_inflight_kib = PAGEHINT_INFLIGHT_KIB_DEFAULT,
	/* report_order: pageblock_order, set at init (not constant everywhere) */
};

struct pagehint_stats pagehint_stats;

/* Set once in pagehint_sysfs_init(); cleared in pagehint_sysfs_exit(). */
static struct kobject *pagehint_kobj;
/* The reference pagehint holds on /sys/kernel/mm's kobject, if found. */
static struct kobject *pagehint_mm_kobj;

#define PAGEHINT_ATTR_RO(_name) \
	static struct kobj_attribute _name##_attr = __ATTR_RO(_name)
#define PAGEHINT_ATTR_RW(_name) \
	static struct kobj_attribute _name##_attr = __ATTR_RW(_name)

static ssize_t version_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", PAGEHINT_VERSION);
}
PAGEHINT_ATTR_RO(version);

static ssize_t enabled_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%d\n", READ_ONCE(pagehint_knobs.enabled));
}

static ssize_t enabled_store(struct kobject *kobj, struct kobj_attribute *attr,
			     const char *buf, size_t count)
{
	unsigned int val;
	int err;

	err = kstrtouint(buf, 10, &val);
	if (err)
		return err;
	if (val > 1)
		return -EINVAL;
	mutex_lock(&pagehint_knob_lock);
	WRITE_ONCE(pagehint_knobs.enabled, val);
	mutex_unlock(&pagehint_knob_lock);
	pagehint_kick();
	return count;
}
PAGEHINT_ATTR_RW(enabled);

static ssize_t report_order_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(pagehint_knobs.report_order));
}

static ssize_t report_order_store(struct kobject *kobj,
				  struct kobj_attribute *attr,
				  const char *buf, size_t count)
{
	unsigned int val;
	int err;

	err = kstrtouint(buf, 10, &val);
	if (err)
		return err;
	if (val > PAGEHINT_MAX_ORDER)
		return -EINVAL;
	mutex_lock(&pagehint_knob_lock);
	if (val != pagehint_knobs.report_order) {
		err = pagehint_tracker_resize(val);
		if (!err)
			WRITE_ONCE(pagehint_knobs.report_order, val);
	}
	mutex_unlock(&pagehint_knob_lock);
	if (err)
		return err;
	pagehint_kick();
	return count;
}
PAGEHINT_ATTR_RW(report_order);

static ssize_t delay_ms_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	return sysfs_emit(buf, "%u\n", READ_ONCE(pagehint_knobs.delay_ms));
}

static ssize_t delay_ms_store(struct kobject *kobj, struct kobj_attribute *attr,
			      const char *buf, size_t count)
{
	unsigned int val;
	int err;

	err = kstrtouint(buf, 10, &val);
	if (err)
		return err;
	if (val > PAGEHINT_DELAY_MS_MAX)
		return -EINVAL;
	mutex_lock(&pagehint_knob_lock);
	WRITE_ONCE(pagehint_knobs.delay_ms, val);
	mutex_unlock(&pagehint_knob_lock);
	pagehint_kick();
	return count;
}
PAGEHINT_ATTR_RW(delay_ms);

static ssize_t max_inflight_kib_show(struct kobject *kobj,
				     struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%lu\n", READ_ONCE(pagehint_knobs.max_inflight_kib));
}

static ssize_t max_inflight_kib_store(struct kobject *kobj,
				      struct kobj_attribute *attr,
				      const char *buf, size_t count)
{
	unsigned long val;
	int err;

	err = kstrtoul(buf, 10, &val);
	if (err)
		return err;
	if (val < PAGE_SIZE / 1024 || val > PAGEHINT_INFLIGHT_KIB_MAX)
		return -EINVAL;
	mutex_lock(&pagehint_knob_lock);
	WRITE_ONCE(pagehint_knobs.max_inflight_kib, val);
	mutex_unlock(&pagehint_knob_lock);
	return count;
}
PAGEHINT_ATTR_RW(max_inflight_kib);

static ssize_t device_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	return pagehint_device_show(buf);
}
PAGEHINT_ATTR_RO(device);

static ssize_t hooks_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n", pagehint_tracker_hooks());
}
PAGEHINT_ATTR_RO(hooks);

static ssize_t tracker_bytes_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%zu\n", pagehint_tracker_bytes());
}
PAGEHINT_ATTR_RO(tracker_bytes);

static ssize_t init_on_alloc_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", want_init_on_alloc(GFP_KERNEL));
}
PAGEHINT_ATTR_RO(init_on_alloc);

#define PAGEHINT_STAT_ATTR(_name, _stat, _div)					\
static ssize_t _name##_show(struct kobject *kobj,				\
			    struct kobj_attribute *attr, char *buf)		\
{										\
	return sysfs_emit(buf, "%lld\n",					\
			  atomic64_read(&pagehint_stats._stat) / (_div));	\
}										\
PAGEHINT_ATTR_RO(_name)

PAGEHINT_STAT_ATTR(reported_bytes, reported_bytes, 1);
PAGEHINT_STAT_ATTR(reports, reports, 1);
PAGEHINT_STAT_ATTR(report_errors, report_errors, 1);
PAGEHINT_STAT_ATTR(claimed_bytes, claimed_bytes, 1);
PAGEHINT_STAT_ATTR(claim_failures, claim_failures, 1);
PAGEHINT_STAT_ATTR(claim_us, claim_ns, NSEC_PER_USEC);
PAGEHINT_STAT_ATTR(guard_skips, guard_skips, 1);
PAGEHINT_STAT_ATTR(skipped_reported, skipped_reported, 1);
PAGEHINT_STAT_ATTR(passes, passes, 1);

static struct attribute *pagehint_attrs[] = {
	&version_attr.attr,
	&enabled_attr.attr,
	&report_order_attr.attr,
	&delay_ms_attr.attr,
	&max_inflight_kib_attr.attr,
	&device_attr.attr,
	&hooks_attr.attr,
	&tracker_bytes_attr.attr,
	&init_on_alloc_attr.attr,
	&reported_bytes_attr.attr,
	&reports_attr.attr,
	&report_errors_attr.attr,
	&claimed_bytes_attr.attr,
	&claim_failures_attr.attr,
	&claim_us_attr.attr,
	&guard_skips_attr.attr,
	&skipped_reported_attr.attr,
	&passes_attr.attr,
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

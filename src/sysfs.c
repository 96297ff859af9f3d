// SPDX-License-Identifier: GPL-2.0
/*
 * sysfs interface: /sys/kernel/mm/pagehint/.
 *
 * /sys/kernel/mm is where the memory-management knobs of the kernel live
 * (transparent_hugepage, ksm, ...), so pagehint's belong there too.
 * Its kobject, mm_kobj, is exported to modules on 6.1 but not on 6.12, so it
 * is found instead through the exported kernfs lookup under kernel_kobj
 * (/sys/kernel): a sysfs directory's kernfs node carries its kobject in
 * ->priv.  Should that ever fail, pagehint falls back to /sys/kernel/pagehint
 * and says so.
 *
 * Knobs are validated in full before anything changes: bad input returns
 * -EINVAL (or -ERANGE from the parser) and leaves the state as it was.
 *
 * Every knob is a module parameter too, set at load time the usual ways
 * ("options pagehint delay_ms=500" in modprobe.d, "pagehint.delay_ms=500"
 * on the kernel command line, "modprobe pagehint delay_ms=500").  The same
 * limits apply; a bad value fails the load and says why.  The files under
 * /sys/module/pagehint/parameters/ are read-only and show the live value:
 * changes go through /sys/kernel/mm/pagehint/, where they take effect.
 */

#include <linux/kernfs.h>
#include <linux/kobject.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/pageblock-flags.h>
#include <linux/sysfs.h>

#include "pagehint.h"
#include "balloon.h"
#include "hint.h"

/*
 * Serialises knob writers, and report_order with the tracker it sizes (map
 * rebuilds).  Lock order: taken inside the memory hotplug lock (the memory
 * notifier rebuilds the map for memory brought online); held around no
 * other lock of pagehint's.
 */
DEFINE_MUTEX(pagehint_knob_lock);

struct pagehint_knobs pagehint_knobs = {
	.enabled = true,
	.delay_ms = PAGEHINT_DELAY_MS_DEFAULT,
	.max_inflight_kib = PAGEHINT_INFLIGHT_KIB_DEFAULT,
	.scan = PAGEHINT_SCAN_AUTO,
	.scan_budget_pages = PAGEHINT_SCAN_BUDGET_DEFAULT,
	.min_free_ms = PAGEHINT_KNOB_AUTO,
	/*
	 * report_order (pageblock_order) and bitmap_budget_kib (0.01% of
	 * RAM) are set by pagehint_knobs_init() unless given as parameters:
	 * neither default is a constant everywhere.
	 */
	.report_order = PAGEHINT_KNOB_AUTO,
	.bitmap_budget_kib = PAGEHINT_KNOB_AUTO,
};

static const char * const pagehint_scan_names[] = {
	[PAGEHINT_SCAN_AUTO] = "auto",
	[PAGEHINT_SCAN_ALWAYS] = "always",
	[PAGEHINT_SCAN_NEVER] = "never",
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

/*
 * The numeric knobs: one show and one store for all, driven by a table of
 * limits.  A change of a knob that shapes the free page map rebuilds it.
 */
struct pagehint_knob_attr {
	struct kobj_attribute attr;
	unsigned long *val;
	unsigned long min;
	unsigned long max;
	bool rebuild;			/* the map depends on it */
	bool auto_ok;			/* "auto": PAGEHINT_KNOB_AUTO */
};

/* Knob @k's value, in sysfs and in /sys/module/pagehint/parameters/. */
static int pagehint_knob_emit(const struct pagehint_knob_attr *k, char *buf)
{
	unsigned long v = READ_ONCE(*k->val);

	if (k->auto_ok && v == PAGEHINT_KNOB_AUTO)
		return sysfs_emit(buf, "auto\n");
	return sysfs_emit(buf, "%lu\n", v);
}

static ssize_t pagehint_knob_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return pagehint_knob_emit(container_of(attr, struct pagehint_knob_attr,
					       attr), buf);
}

/*
 * A value for knob k, from sysfs or a module parameter: -EINVAL if out of
 * range, or the parser's error (-EINVAL, -ERANGE).
 */
static int pagehint_knob_parse(const struct pagehint_knob_attr *k,
			       const char *buf, unsigned long *val)
{
	int err;

	if (k->auto_ok && sysfs_streq(buf, "auto")) {
		*val = PAGEHINT_KNOB_AUTO;
		return 0;
	}
	err = kstrtoul(buf, 10, val);
	if (err)
		return err;
	if (*val < k->min || *val > k->max)
		return -EINVAL;
	return 0;
}

static ssize_t pagehint_knob_store(struct kobject *kobj,
				   struct kobj_attribute *attr,
				   const char *buf, size_t count)
{
	struct pagehint_knob_attr *k =
		container_of(attr, struct pagehint_knob_attr, attr);
	unsigned long val;
	int err;

	err = pagehint_knob_parse(k, buf, &val);
	if (err)
		return err;
	mutex_lock(&pagehint_knob_lock);
	if (val != *k->val) {
		unsigned long was = *k->val;

		WRITE_ONCE(*k->val, val);
		if (k->rebuild) {
			err = pagehint_tracker_rebuild();
			if (err)	/* the map stays as it was: so does the knob */
				WRITE_ONCE(*k->val, was);
		}
	}
	mutex_unlock(&pagehint_knob_lock);
	if (err)
		return err;
	pagehint_kick();
	return count;
}

#define PAGEHINT_KNOB_ATTR(_name) \
	__ATTR(_name, 0644, pagehint_knob_show, pagehint_knob_store)

static struct pagehint_knob_attr enabled_attr = {
	.attr = PAGEHINT_KNOB_ATTR(enabled),
	.val = &pagehint_knobs.enabled, .min = 0, .max = 1,
};

static struct pagehint_knob_attr report_order_attr = {
	.attr = PAGEHINT_KNOB_ATTR(report_order),
	.val = &pagehint_knobs.report_order, .min = 0, .max = PAGEHINT_MAX_ORDER,
	.rebuild = true,
};

static struct pagehint_knob_attr delay_ms_attr = {
	.attr = PAGEHINT_KNOB_ATTR(delay_ms),
	.val = &pagehint_knobs.delay_ms, .min = 0, .max = PAGEHINT_DELAY_MS_MAX,
};

static struct pagehint_knob_attr max_inflight_kib_attr = {
	.attr = PAGEHINT_KNOB_ATTR(max_inflight_kib),
	.val = &pagehint_knobs.max_inflight_kib,
	.min = PAGE_SIZE / 1024, .max = PAGEHINT_INFLIGHT_KIB_MAX,
};

static struct pagehint_knob_attr bitmap_budget_kib_attr = {
	.attr = PAGEHINT_KNOB_ATTR(bitmap_budget_kib),
	.val = &pagehint_knobs.bitmap_budget_kib,
	.min = 1, .max = PAGEHINT_BUDGET_KIB_MAX, .rebuild = true,
};

/* "auto" (the default: learned, shown in learned_free_ms) or a number. */
static struct pagehint_knob_attr min_free_ms_attr = {
	.attr = PAGEHINT_KNOB_ATTR(min_free_ms),
	.val = &pagehint_knobs.min_free_ms,
	.min = 0, .max = PAGEHINT_MIN_FREE_MS_MAX, .auto_ok = true,
};

static struct pagehint_knob_attr scan_budget_pages_attr = {
	.attr = PAGEHINT_KNOB_ATTR(scan_budget_pages),
	.val = &pagehint_knobs.scan_budget_pages,
	.min = 1, .max = PAGEHINT_SCAN_BUDGET_MAX,
};

static ssize_t scan_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	enum pagehint_scan_policy cur = READ_ONCE(pagehint_knobs.scan);
	ssize_t len = 0;
	unsigned int i;

	/* Like transparent_hugepage/enabled: the current choice bracketed. */
	for (i = 0; i < ARRAY_SIZE(pagehint_scan_names); i++)
		len += sysfs_emit_at(buf, len, i == cur ? "%s[%s]" : "%s%s",
				     i ? " " : "", pagehint_scan_names[i]);
	return len + sysfs_emit_at(buf, len, "\n");
}

static ssize_t scan_store(struct kobject *kobj, struct kobj_attribute *attr,
			  const char *buf, size_t count)
{
	int i = sysfs_match_string(pagehint_scan_names, buf);

	if (i < 0)
		return -EINVAL;
	mutex_lock(&pagehint_knob_lock);
	WRITE_ONCE(pagehint_knobs.scan, i);
	mutex_unlock(&pagehint_knob_lock);
	pagehint_kick();
	return count;
}
PAGEHINT_ATTR_RW(scan);

/*
 * Module parameters.  parse_args() calls these before pagehint_init(), with
 * nothing running yet, so a set only checks and stores: the map is built
 * from the stored values.  The files are 0444, so no set comes later.
 */
static int pagehint_param_set(const char *val, const struct kernel_param *kp)
{
	const struct pagehint_knob_attr *k = kp->arg;
	unsigned long v;

	if (pagehint_knob_parse(k, val, &v)) {
		pr_err("%s=%s: not %sa number from %lu to %lu\n", kp->name, val,
		       k->auto_ok ? "auto or " : "", k->min, k->max);
		return -EINVAL;
	}
	WRITE_ONCE(*k->val, v);
	return 0;
}

static int pagehint_param_get(char *buf, const struct kernel_param *kp)
{
	return pagehint_knob_emit(kp->arg, buf);
}

static const struct kernel_param_ops pagehint_param_ops = {
	.set = pagehint_param_set,
	.get = pagehint_param_get,
};

module_param_cb(enabled, &pagehint_param_ops, &enabled_attr, 0444);
MODULE_PARM_DESC(enabled, "Report free memory: 1 or 0 (default: 1)");
module_param_cb(report_order, &pagehint_param_ops, &report_order_attr, 0444);
MODULE_PARM_DESC(report_order,
		 "Smallest block reported, as a page order (default: pageblock_order)");
module_param_cb(delay_ms, &pagehint_param_ops, &delay_ms_attr, 0444);
MODULE_PARM_DESC(delay_ms,
		 "Milliseconds between passes, 0 to 3600000 (default: 2000)");
module_param_cb(max_inflight_kib, &pagehint_param_ops,
		&max_inflight_kib_attr, 0444);
MODULE_PARM_DESC(max_inflight_kib,
		 "KiB claimed and on the queue at once, 4 to 1048576 (default: 131072)");
module_param_cb(bitmap_budget_kib, &pagehint_param_ops,
		&bitmap_budget_kib_attr, 0444);
MODULE_PARM_DESC(bitmap_budget_kib,
		 "KiB for the free page map, 1 to 1048576 (default: 0.01% of RAM)");
module_param_cb(scan_budget_pages, &pagehint_param_ops,
		&scan_budget_pages_attr, 0444);
MODULE_PARM_DESC(scan_budget_pages,
		 "Pages of zone span a scan walks per pass, 1 to 2^30 (default: 2^18)");

static int pagehint_scan_param_set(const char *val,
				   const struct kernel_param *kp)
{
	int i = sysfs_match_string(pagehint_scan_names, val);

	if (i < 0) {
		pr_err("scan=%s: not one of auto, always, never\n", val);
		return -EINVAL;
	}
	WRITE_ONCE(pagehint_knobs.scan, i);
	return 0;
}

static int pagehint_scan_param_get(char *buf, const struct kernel_param *kp)
{
	return scan_show(NULL, NULL, buf);
}

static const struct kernel_param_ops pagehint_scan_param_ops = {
	.set = pagehint_scan_param_set,
	.get = pagehint_scan_param_get,
};
module_param_cb(scan, &pagehint_scan_param_ops, NULL, 0444);
MODULE_PARM_DESC(scan, "When to scan zones: auto, always or never (default: auto)");

module_param_cb(min_free_ms, &pagehint_param_ops, &min_free_ms_attr, 0444);
MODULE_PARM_DESC(min_free_ms,
		 "Report a block once free this long, ms: auto (learned) or 0 to 600000 (default: auto)");

/* The defaults that depend on the machine, unless set as parameters. */
void pagehint_knobs_init(void)
{
	if (pagehint_knobs.report_order == PAGEHINT_KNOB_AUTO)
		pagehint_knobs.report_order = pageblock_order;
	if (pagehint_knobs.bitmap_budget_kib == PAGEHINT_KNOB_AUTO)
		pagehint_knobs.bitmap_budget_kib =
			max(1UL, (totalram_pages() << (PAGE_SHIFT - 10)) /
				 PAGEHINT_BUDGET_RAM_SHARE);
}

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

#define PAGEHINT_COUNTER_ATTR(_name, _field, _fmt)				\
static ssize_t _name##_show(struct kobject *kobj,				\
			    struct kobj_attribute *attr, char *buf)		\
{										\
	struct pagehint_tracker_counters c;					\
										\
	pagehint_tracker_counters(&c);						\
	return sysfs_emit(buf, _fmt "\n", c._field);				\
}										\
PAGEHINT_ATTR_RO(_name)

PAGEHINT_COUNTER_ATTR(hints_set, hints_set, "%lu");
PAGEHINT_COUNTER_ATTR(hints_cleared, hints_cleared, "%lu");
PAGEHINT_COUNTER_ATTR(overflows, overflows, "%lu");
PAGEHINT_COUNTER_ATTR(bitmap_bytes, bitmap_bytes, "%zu");
PAGEHINT_COUNTER_ATTR(bitmap_order, bitmap_order, "%u");

/*
 * How soon freed memory was allocated from again: "<16:N <32:N ... >=M:N",
 * ms, per block of the map, the first allocation after each free period.
 */
static ssize_t reuse_ms_show(struct kobject *kobj, struct kobj_attribute *attr,
			     char *buf)
{
	struct pagehint_tracker_counters c;
	unsigned int b;
	int n = 0;

	pagehint_tracker_counters(&c);
	for (b = 0; b < PAGEHINT_REUSE_BUCKETS - 1; b++)
		n += sysfs_emit_at(buf, n, "<%lu:%lu ", (unsigned long)PAGEHINT_TICK_MS << b,
				   c.reuse[b]);
	n += sysfs_emit_at(buf, n, ">=%lu:%lu\n",
			   (unsigned long)PAGEHINT_TICK_MS << (PAGEHINT_REUSE_BUCKETS - 2),
			   c.reuse[b]);
	return n;
}
PAGEHINT_ATTR_RO(reuse_ms);

static ssize_t init_on_alloc_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", want_init_on_alloc(GFP_KERNEL));
}
PAGEHINT_ATTR_RO(init_on_alloc);

static ssize_t balloon_bytes_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", pagehint_balloon_bytes());
}
PAGEHINT_ATTR_RO(balloon_bytes);

static ssize_t migration_hint_held_bytes_show(struct kobject *kobj,
					      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%llu\n", pagehint_hint_bytes());
}
PAGEHINT_ATTR_RO(migration_hint_held_bytes);

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
PAGEHINT_STAT_ATTR(reports_kept, reports_kept, 1);
PAGEHINT_STAT_ATTR(kept_bytes, kept_bytes, 1);

static ssize_t host_order_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", pagehint_worker_host_order());
}
PAGEHINT_ATTR_RO(host_order);

static ssize_t learned_free_ms_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", pagehint_worker_learned_free_ms());
}
PAGEHINT_ATTR_RO(learned_free_ms);
PAGEHINT_STAT_ATTR(claimed_bytes, claimed_bytes, 1);
PAGEHINT_STAT_ATTR(claims, claims, 1);
PAGEHINT_STAT_ATTR(claim_failures, claim_failures, 1);
PAGEHINT_STAT_ATTR(claim_stale, claim_stale, 1);
PAGEHINT_STAT_ATTR(claim_migrated, claim_migrated, 1);
PAGEHINT_STAT_ATTR(claim_us, claim_ns, NSEC_PER_USEC);
PAGEHINT_STAT_ATTR(work_us, work_ns, NSEC_PER_USEC);
PAGEHINT_STAT_ATTR(ack_us, ack_ns, NSEC_PER_USEC);
PAGEHINT_STAT_ATTR(guard_skips, guard_skips, 1);
PAGEHINT_STAT_ATTR(skipped_reported, skipped_reported, 1);
PAGEHINT_STAT_ATTR(skipped_pageblock, skipped_pageblock, 1);
PAGEHINT_STAT_ATTR(skipped_young, skipped_young, 1);
PAGEHINT_STAT_ATTR(passes, passes, 1);
PAGEHINT_STAT_ATTR(hints_stale, hints_stale, 1);
PAGEHINT_STAT_ATTR(scans, scans, 1);
PAGEHINT_STAT_ATTR(rescans, rescans, 1);
PAGEHINT_STAT_ATTR(scan_pages, scan_pages, 1);
PAGEHINT_STAT_ATTR(reported_from_hints, reported_from_hints, 1);
PAGEHINT_STAT_ATTR(reported_from_scans, reported_from_scans, 1);
PAGEHINT_STAT_ATTR(migration_hinted_bytes, migration_hinted_bytes, 1);
PAGEHINT_STAT_ATTR(migration_hint_rounds, migration_hint_rounds, 1);

static struct attribute *pagehint_attrs[] = {
	&version_attr.attr,
	&enabled_attr.attr.attr,
	&report_order_attr.attr.attr,
	&delay_ms_attr.attr.attr,
	&max_inflight_kib_attr.attr.attr,
	&bitmap_budget_kib_attr.attr.attr,
	&scan_attr.attr,
	&scan_budget_pages_attr.attr.attr,
	&min_free_ms_attr.attr.attr,
	&learned_free_ms_attr.attr,
	&device_attr.attr,
	&hooks_attr.attr,
	&hints_set_attr.attr,
	&hints_cleared_attr.attr,
	&reuse_ms_attr.attr,
	&hints_stale_attr.attr,
	&overflows_attr.attr,
	&bitmap_bytes_attr.attr,
	&bitmap_order_attr.attr,
	&scans_attr.attr,
	&rescans_attr.attr,
	&scan_pages_attr.attr,
	&reported_from_hints_attr.attr,
	&reported_from_scans_attr.attr,
	&init_on_alloc_attr.attr,
	&balloon_bytes_attr.attr,
	&migration_hinted_bytes_attr.attr,
	&migration_hint_rounds_attr.attr,
	&migration_hint_held_bytes_attr.attr,
	&reported_bytes_attr.attr,
	&reports_attr.attr,
	&report_errors_attr.attr,
	&reports_kept_attr.attr,
	&kept_bytes_attr.attr,
	&host_order_attr.attr,
	&claimed_bytes_attr.attr,
	&claims_attr.attr,
	&claim_failures_attr.attr,
	&claim_stale_attr.attr,
	&claim_migrated_attr.attr,
	&claim_us_attr.attr,
	&work_us_attr.attr,
	&ack_us_attr.attr,
	&guard_skips_attr.attr,
	&skipped_reported_attr.attr,
	&skipped_pageblock_attr.attr,
	&skipped_young_attr.attr,
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

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interfaces between pagehint's units.  No kernel-version code here: that
 * belongs in compat/compat.h.
 *
 * Flow: the worker (report.c) walks zones for free buddy blocks (scan.c),
 * skips what was reported and not reallocated since (tracker.c), claims the
 * rest through alloc_contig_range() under a watermark guard (claim.c), hands
 * the claimed ranges to the device's reporting virtqueue (virtio.c), and
 * releases them once the host has acked.
 */
#ifndef _PAGEHINT_H
#define _PAGEHINT_H

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/kobject.h>
#include <linux/mmzone.h>
#include <linux/scatterlist.h>
#include <linux/types.h>

/*
 * Scatterlist entries per report: the size of QEMU's reporting queue and
 * upstream's PAGE_REPORTING_CAPACITY.  A device whose reporting queue is
 * smaller is refused at probe (-ENOSPC).
 */
#define PAGEHINT_CAPACITY	32

/*
 * Ranges claimed together, in one wave (claim.c): every claim waits for an
 * expedited RCU grace period, and claims waiting together share theirs.
 * Reported PAGEHINT_CAPACITY at a time.
 */
#define PAGEHINT_WAVE		(2 * PAGEHINT_CAPACITY)

/* Knob defaults and limits (sysfs.c validates, README documents). */
#define PAGEHINT_DELAY_MS_DEFAULT	2000
#define PAGEHINT_DELAY_MS_MAX		3600000
#define PAGEHINT_INFLIGHT_KIB_DEFAULT	(128 * 1024)
#define PAGEHINT_INFLIGHT_KIB_MAX	(1024 * 1024)
#define PAGEHINT_BUDGET_KIB_MAX		(1024 * 1024)
/* Metadata budget by default: 0.01% of guest RAM (1/10000). */
#define PAGEHINT_BUDGET_RAM_SHARE	10000
#define PAGEHINT_SCAN_BUDGET_DEFAULT	BIT(18)		/* pages: 1 GiB of span */
#define PAGEHINT_SCAN_BUDGET_MAX	BIT(30)
#define PAGEHINT_MIN_FREE_MS_MAX	600000

enum pagehint_scan_policy {
	PAGEHINT_SCAN_AUTO,	/* after an overflow, and at load */
	PAGEHINT_SCAN_ALWAYS,	/* a budgeted scan step in every pass */
	PAGEHINT_SCAN_NEVER,	/* hints only; overflows are counted */
};

/*
 * Knobs.  Written only by sysfs.c: under pagehint_knob_lock, or as module
 * parameters before pagehint_init() runs; read anywhere with READ_ONCE().
 * report_order changes also rebuild the tracker under the same lock, so a
 * reader holding it sees the two agree.
 */
struct pagehint_knobs {
	unsigned long enabled;
	unsigned long report_order;
	unsigned long delay_ms;
	unsigned long max_inflight_kib;
	unsigned long bitmap_budget_kib;
	unsigned long scan_budget_pages;
	enum pagehint_scan_policy scan;
	/* PAGEHINT_KNOB_AUTO: learned (learn.c) */
	unsigned long min_free_ms;
};

extern struct pagehint_knobs pagehint_knobs;
extern struct mutex pagehint_knob_lock;

/* A knob whose default pagehint_knobs_init() works out at load. */
#define PAGEHINT_KNOB_AUTO	ULONG_MAX
void pagehint_knobs_init(void);

/* Statistics, all monotonic, shown read-only in sysfs. */
struct pagehint_stats {
	atomic64_t reported_bytes;	/* acked by the host */
	atomic64_t reports;		/* requests acked by the host */
	atomic64_t report_errors;	/* requests the queue refused */
	atomic64_t reports_kept;	/* acked, the host discarded no range */
	atomic64_t kept_bytes;		/* acked in ranges the host kept */
	atomic64_t claimed_bytes;	/* taken with alloc_contig_range() */
	atomic64_t claims;		/* alloc_contig_range() calls */
	atomic64_t claim_failures;	/* alloc_contig_range() errors */
	atomic64_t claim_stale;		/* candidates not free at their claim */
	atomic64_t claim_migrated;	/* pages migrated while claiming */
	atomic64_t claim_ns;		/* time spent claiming (mostly zeroing) */
	atomic64_t work_ns;		/* worker passes, less ack waits */
	atomic64_t ack_ns;		/* waiting for the host's acks */
	atomic64_t guard_skips;		/* zones skipped by the watermark guard */
	atomic64_t skipped_reported;	/* free blocks skipped: reported already */
	atomic64_t skipped_pageblock;	/* ... of a type a claim must not take */
	atomic64_t skipped_young;	/* ... free for less than min_free_ms */
	atomic64_t passes;		/* worker passes */
	atomic64_t hints_stale;		/* hints naming no free block any more */
	atomic64_t scans;		/* exhaustive zone scans completed */
	atomic64_t rescans;		/* ... repeated: overflow during the scan */
	atomic64_t scan_pages;		/* PFN span walked by scans */
	atomic64_t reported_from_hints;	/* bytes acked, found through hints */
	atomic64_t reported_from_scans;	/* bytes acked, found by scans */
	atomic64_t migration_hinted_bytes; /* free page hints given (hint.c) */
	atomic64_t migration_hint_rounds;  /* hinting rounds the host started */
};

extern struct pagehint_stats pagehint_stats;

static inline void pagehint_stat_add(atomic64_t *stat, s64 n)
{
	atomic64_add(n, stat);
}

/* sysfs.c: /sys/kernel/mm/pagehint/ */
int pagehint_sysfs_init(void);
void pagehint_sysfs_exit(void);

/* tracker.c: the allocator's events, in the current map (map.h). */
/*
 * The map's clock: a tick is PAGEHINT_TICK_MS ms, and a 16-bit stamp wraps
 * after about 17 minutes (a block free for longer may look young once).
 * Reuse ages fall in PAGEHINT_REUSE_BUCKETS buckets: bucket b holds ages
 * below PAGEHINT_TICK_MS << b, the last one the rest.
 */
#define PAGEHINT_TICK_MS		16
#define PAGEHINT_REUSE_BUCKETS		17

struct pagehint_tracker_counters {
	unsigned long hints_set;
	unsigned long hints_cleared;
	unsigned long overflows;
	/* First reuses of freed blocks, by age */
	unsigned long reuse[PAGEHINT_REUSE_BUCKETS];
	size_t bitmap_bytes;
	unsigned int bitmap_order;
};

int pagehint_tracker_init(bool hooks);
void pagehint_tracker_exit(void);
int pagehint_tracker_rebuild(void);
bool pagehint_tracker_hooked(void);
bool pagehint_tracker_reported(unsigned long pfn, unsigned int order);
int pagehint_tracker_free_ms(unsigned long pfn, unsigned long nr_pages);
void pagehint_tracker_mark_reported(unsigned long pfn, unsigned long nr_pages);
void pagehint_tracker_rehint(unsigned long pfn, unsigned long nr_pages);
void pagehint_tracker_unreport(unsigned long pfn, unsigned long nr_pages);
void pagehint_tracker_forget_range(unsigned long pfn, unsigned long nr_pages);
void pagehint_tracker_memory_online(unsigned long pfn, unsigned long nr_pages);
void pagehint_tracker_forget_reported(void);
bool pagehint_tracker_take_hint(unsigned long *cursor, unsigned long stop,
				bool *wrapped, unsigned long *pfn,
				unsigned long *nr);
bool pagehint_tracker_take_scan_request(int nid, int zid);
void pagehint_tracker_request_scan(int nid, int zid);
long pagehint_tracker_generation(void);
void pagehint_tracker_self_begin(void);
void pagehint_tracker_self_end(void);
const char *pagehint_tracker_hooks(void);
void pagehint_tracker_counters(struct pagehint_tracker_counters *c);

/* scan.c: find free buddy blocks of at least report_order in a zone. */
struct pagehint_block {
	unsigned long pfn;
	unsigned int order;
};

bool pagehint_scan_next(struct zone *zone, unsigned long *cursor,
			unsigned long end, unsigned int order,
			struct pagehint_block *block);
bool pagehint_enclosing_block(struct zone *zone, unsigned long pfn,
			      unsigned int order, struct pagehint_block *block);
bool pagehint_range_free(struct zone *zone, unsigned long pfn,
			 unsigned long nr_pages);

/* Where a candidate came from, for the reported_from_* statistics. */
enum pagehint_source {
	PAGEHINT_FROM_HINT,
	PAGEHINT_FROM_SCAN,
};

/* hotplug.c: claims against memory going offline; the map against onlining. */
int pagehint_hotplug_init(void);
void pagehint_hotplug_exit(void);
void pagehint_hotplug_claims_begin(void);
bool pagehint_hotplug_claimable(unsigned long pfn, unsigned long nr_pages);
void pagehint_hotplug_claims_end(void);

/* claimers.c: the threads a wave's claims run in, together. */
int pagehint_claimers_init(void);
void pagehint_claimers_exit(void);
void pagehint_together(void (*fn)(void *arg, unsigned int i), void *arg,
		       unsigned long which);

/* claim.c: own free ranges through the page allocator's public API. */
/*
 * Ranges [0, nr) are claimed; [nr, nr + nr_proposed) are proposed, to be
 * claimed together by pagehint_batch_claim().
 */
struct pagehint_batch {
	unsigned int nr;			/* ranges held */
	unsigned int nr_proposed;		/* ranges proposed */
	unsigned long nr_pages;			/* pages held */
	unsigned long proposed_pages;		/* pages proposed */
	unsigned long hint_pages;		/* ... held, found through hints */
	unsigned long hints;			/* bit i: range i held from a hint */
	unsigned long proposed_hints;		/* bit i: range i from a hint */
	unsigned long max_pages;		/* in-flight budget */
	unsigned long checked;			/* bit i: range i has a canary */
	unsigned long kept;			/* bit i: the host kept range i */
	unsigned long start[PAGEHINT_WAVE];
	unsigned long len[PAGEHINT_WAVE];	/* pages */
};

void pagehint_batch_init(struct pagehint_batch *batch, unsigned long max_pages);

/* Pages held and proposed. */
static inline unsigned long
pagehint_batch_pages(const struct pagehint_batch *batch)
{
	return batch->nr_pages + batch->proposed_pages;
}

/*
 * No two ranges proposed for one batch share a block of this order, the
 * largest buddy order or the pageblock order if larger: they are claimed
 * together (claim.c, pagehint_batch_conflicts()).
 */
static inline unsigned int pagehint_batch_spread_order(void)
{
	return max_t(unsigned int, pageblock_order, PAGEHINT_MAX_ORDER);
}

bool pagehint_zone_guard_ok(struct zone *zone, unsigned int order,
			    unsigned long held, unsigned long nr_pages);
bool pagehint_zone_reportable(struct zone *zone, unsigned int order);
unsigned long pagehint_zone_hint_deficit(struct zone *zone,
					 unsigned long nr_pages);
int pagehint_range_migratetype(unsigned long pfn, unsigned long nr_pages);
bool pagehint_batch_guard_ok(const struct pagehint_batch *batch,
			     struct zone *zone, unsigned int order,
			     unsigned long nr_pages);
int pagehint_batch_propose(struct pagehint_batch *batch, unsigned long pfn,
			   unsigned long nr_pages, enum pagehint_source src);
int pagehint_batch_claim(struct pagehint_batch *batch);
void pagehint_batch_take(struct pagehint_batch *to, struct pagehint_batch *from,
			 unsigned int nr);
int pagehint_claim(struct pagehint_batch *batch, unsigned long pfn,
		   unsigned long nr_pages, enum pagehint_source src);
void pagehint_batch_release(struct pagehint_batch *batch, bool reported);
unsigned int pagehint_batch_to_sg(struct pagehint_batch *batch,
				  struct scatterlist *sgl);

/* virtio.c: the balloon device's reporting virtqueue. */
struct pagehint_dev;

int pagehint_virtio_init(void);
void pagehint_virtio_exit(void);
int pagehint_dev_report(struct pagehint_dev *pdev, struct scatterlist *sgl,
			unsigned int nents);
int pagehint_dev_ack(struct pagehint_dev *pdev, unsigned long timeout);
bool pagehint_dev_stopping(struct pagehint_dev *pdev);
bool pagehint_dev_broken(struct pagehint_dev *pdev);
ssize_t pagehint_device_show(char *buf);

/*
 * report.c: the worker.  There is one, as there is one reporting device:
 * virtio.c starts it with the device it reports to and stops it before the
 * device's queues go away.
 */
int pagehint_worker_init(void);
void pagehint_worker_exit(void);
void pagehint_worker_start(struct pagehint_dev *pdev);
void pagehint_worker_stop(void);
void pagehint_worker_release_inflight(void);
unsigned int pagehint_worker_host_order(void);
unsigned int pagehint_worker_learned_free_ms(void);
void pagehint_worker_hinted(void);
void pagehint_kick(void);

#endif /* _PAGEHINT_H */

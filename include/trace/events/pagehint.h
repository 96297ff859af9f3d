/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pagehint's tracepoints: reports to the host, zone scans, and overflows of
 * the free page map.  They show under events/pagehint/ in tracefs, and to
 * perf and bpftrace as pagehint:<event>.
 *
 * The KUnit module includes pagehint's units into its own translation unit
 * and can be loaded next to pagehint.ko; its events go to the system
 * pagehint_test so that the two never register the same event.
 */
#undef TRACE_SYSTEM
#ifdef PAGEHINT_KUNIT
#define TRACE_SYSTEM pagehint_test
#else
#define TRACE_SYSTEM pagehint
#endif

#if !defined(_TRACE_PAGEHINT_H) || defined(TRACE_HEADER_MULTI_READ)
#define _TRACE_PAGEHINT_H

#include <linux/string.h>
#include <linux/tracepoint.h>

/* Zone names ("DMA32", "Normal", "Movable") fit; longer ones are cut. */
#define PAGEHINT_TRACE_ZONE_LEN	16

/* A report handed to the host: @nr_ranges claimed ranges, @bytes in all. */
TRACE_EVENT(pagehint_report,

	TP_PROTO(unsigned int nr_ranges, unsigned long bytes,
		 unsigned long first_pfn, unsigned int order),

	TP_ARGS(nr_ranges, bytes, first_pfn, order),

	TP_STRUCT__entry(
		__field(unsigned int,	nr_ranges)
		__field(unsigned long,	bytes)
		__field(unsigned long,	first_pfn)
		__field(unsigned int,	order)
	),

	TP_fast_assign(
		__entry->nr_ranges	= nr_ranges;
		__entry->bytes		= bytes;
		__entry->first_pfn	= first_pfn;
		__entry->order		= order;
	),

	TP_printk("ranges=%u bytes=%lu first_pfn=0x%lx report_order=%u",
		  __entry->nr_ranges, __entry->bytes, __entry->first_pfn,
		  __entry->order)
);

/*
 * The host returned the report (@err 0), or it was refused or cut short
 * (@err < 0).  @latency_ns runs from queueing to the ack; @kept: ranges the
 * host acked without discarding them.
 */
TRACE_EVENT(pagehint_report_done,

	TP_PROTO(unsigned int nr_ranges, unsigned long bytes, u64 latency_ns,
		 int err, unsigned int kept),

	TP_ARGS(nr_ranges, bytes, latency_ns, err, kept),

	TP_STRUCT__entry(
		__field(unsigned int,	nr_ranges)
		__field(unsigned long,	bytes)
		__field(u64,		latency_ns)
		__field(int,		err)
		__field(unsigned int,	kept)
	),

	TP_fast_assign(
		__entry->nr_ranges	= nr_ranges;
		__entry->bytes		= bytes;
		__entry->latency_ns	= latency_ns;
		__entry->err		= err;
		__entry->kept		= kept;
	),

	TP_printk("ranges=%u bytes=%lu latency_ns=%llu err=%d kept=%u",
		  __entry->nr_ranges, __entry->bytes,
		  (unsigned long long)__entry->latency_ns, __entry->err,
		  __entry->kept)
);

/* An exhaustive scan of a zone began. */
TRACE_EVENT(pagehint_scan_start,

	TP_PROTO(int nid, const char *zone, unsigned long start_pfn,
		 unsigned long end_pfn),

	TP_ARGS(nid, zone, start_pfn, end_pfn),

	TP_STRUCT__entry(
		__field(int,		nid)
		__array(char,		zone, PAGEHINT_TRACE_ZONE_LEN)
		__field(unsigned long,	start_pfn)
		__field(unsigned long,	end_pfn)
	),

	TP_fast_assign(
		__entry->nid		= nid;
		strscpy(__entry->zone, zone, PAGEHINT_TRACE_ZONE_LEN);
		__entry->start_pfn	= start_pfn;
		__entry->end_pfn	= end_pfn;
	),

	TP_printk("node=%d zone=%s pfn=0x%lx-0x%lx",
		  __entry->nid, __entry->zone, __entry->start_pfn,
		  __entry->end_pfn)
);

/*
 * The scan of a zone ended: it walked @pages of PFN span over one or more
 * passes, and found @found_pages in free blocks of at least report_order,
 * @new_pages of them not reported since they were last freed.
 */
TRACE_EVENT(pagehint_scan_end,

	TP_PROTO(int nid, const char *zone, unsigned long pages,
		 unsigned long found_pages, unsigned long new_pages,
		 bool rescan),

	TP_ARGS(nid, zone, pages, found_pages, new_pages, rescan),

	TP_STRUCT__entry(
		__field(int,		nid)
		__array(char,		zone, PAGEHINT_TRACE_ZONE_LEN)
		__field(unsigned long,	pages)
		__field(unsigned long,	found_pages)
		__field(unsigned long,	new_pages)
		__field(bool,		rescan)
	),

	TP_fast_assign(
		__entry->nid		= nid;
		strscpy(__entry->zone, zone, PAGEHINT_TRACE_ZONE_LEN);
		__entry->pages		= pages;
		__entry->found_pages	= found_pages;
		__entry->new_pages	= new_pages;
		__entry->rescan		= rescan;
	),

	TP_printk("node=%d zone=%s pages=%lu found_pages=%lu new_pages=%lu rescan=%d",
		  __entry->nid, __entry->zone, __entry->pages,
		  __entry->found_pages, __entry->new_pages, __entry->rescan)
);

/*
 * The free page map could not record an event: @pfn (order @order) lies
 * outside its span (memory hot-added after the map was built), or the map
 * was built coarser than report_order or not at all (@pfn is -1 then, and
 * @order the map's order, -1 for none).  A zone scan follows.
 */
TRACE_EVENT(pagehint_overflow,

	TP_PROTO(unsigned long pfn, int order),

	TP_ARGS(pfn, order),

	TP_STRUCT__entry(
		__field(unsigned long,	pfn)
		__field(int,		order)
	),

	TP_fast_assign(
		__entry->pfn		= pfn;
		__entry->order		= order;
	),

	TP_printk("pfn=0x%lx order=%d", __entry->pfn, __entry->order)
);

#endif /* _TRACE_PAGEHINT_H */

/* This part must be outside the include guard. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH trace/events
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE pagehint
#include <trace/define_trace.h>

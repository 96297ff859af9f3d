/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The free page map (map.c): pure functions on one map, no globals, used by
 * the tracker, which owns the current map, and by the KUnit suites.
 */
#ifndef _PAGEHINT_MAP_H
#define _PAGEHINT_MAP_H

#include <linux/types.h>

/* Coarsest granularity a map may take (2^30 pages). */
#define PAGEHINT_MAP_MAX_ORDER		30

struct pagehint_map {
	unsigned long base_pfn;		/* first PFN, aligned to 2^order */
	unsigned long end_pfn;		/* PFN after the span */
	unsigned long nbits;
	unsigned int order;		/* granularity: 2^order pages a bit */
	unsigned int report_order;	/* the report_order it was built for */
	unsigned long *hint;		/* may be free, not reported since */
	unsigned long *reported;	/* reported, not reallocated since */
	/* Per stamp block of 2^stamp_shift bits (a pageblock at least): */
	unsigned int stamp_shift;
	unsigned long *reused;		/* allocated from since it was freed */
	u16 *since;			/* when it was freed, in ticks */
	unsigned long words[];
};

size_t pagehint_map_size(unsigned long nbits, unsigned int order);
int pagehint_map_order(unsigned long start, unsigned long end,
		       unsigned int report_order, size_t budget);
struct pagehint_map *pagehint_map_alloc(unsigned long start, unsigned long end,
					unsigned int report_order,
					size_t budget);
void pagehint_map_free(struct pagehint_map *map);
int pagehint_map_note_free(struct pagehint_map *map, unsigned long pfn,
			   unsigned int order, u16 now);
int pagehint_map_note_pcp_free(struct pagehint_map *map, unsigned long pfn,
			       unsigned int order);
int pagehint_map_note_drain(struct pagehint_map *map, unsigned long pfn,
			    unsigned int order, u16 now);
int pagehint_map_note_reuse(struct pagehint_map *map, unsigned long pfn,
			    u16 now);
unsigned int pagehint_map_reuse_bucket(unsigned int age);
int pagehint_map_free_age(struct pagehint_map *map, unsigned long pfn,
			  unsigned long nr, u16 now);
int pagehint_map_note_alloc(struct pagehint_map *map, unsigned long pfn,
			    unsigned int order);
bool pagehint_map_reported(const struct pagehint_map *map, unsigned long pfn,
			   unsigned int order);
void pagehint_map_mark_reported(struct pagehint_map *map, unsigned long pfn,
				unsigned long nr);
void pagehint_map_rehint(struct pagehint_map *map, unsigned long pfn,
			 unsigned long nr);
void pagehint_map_unreport(struct pagehint_map *map, unsigned long pfn,
			   unsigned long nr);
void pagehint_map_forget(struct pagehint_map *map, unsigned long pfn,
			 unsigned long nr);
bool pagehint_map_take_hint(struct pagehint_map *map, unsigned long *cursor,
			    unsigned long limit, unsigned long *pfn,
			    unsigned long *nr);
void pagehint_map_carry(struct pagehint_map *new, const struct pagehint_map *old);

#endif /* _PAGEHINT_MAP_H */

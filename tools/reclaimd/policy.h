/* SPDX-License-Identifier: GPL-2.0 */
/*
 * When pagehint-reclaimd reclaims, and how much: a pure function of the
 * samples, so that the host's tests can drive it.
 */
#ifndef PH_RECLAIMD_POLICY_H
#define PH_RECLAIMD_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "sample.h"

struct ph_policy_cfg {
	unsigned int idle_cpu_pct;	/* CPUs busy below this: idle */
	unsigned int psi_bp;		/* memory stalls below this (1/100 %) */
	unsigned int idle_ticks;	/* idle intervals before a step */
	uint64_t step_kib;		/* most reclaimed in one step */
	uint64_t floor_kib;		/* page cache kept; 0: 5% of RAM */
	uint64_t min_floor_kib;		/* ... and never less than this */
	unsigned int refault_pct;	/* refaults past this share of a step */
	unsigned int backoff_min_s;	/* ... back off this long, doubling */
	unsigned int backoff_max_s;	/* ... up to this */
	unsigned int page_kib;		/* the guest's page size */
	bool compact;			/* compact fragmented free memory at all */
	uint64_t compact_min_kib;	/* ... when this much is fragmented; 0: 3% of RAM */
	uint64_t min_compact_kib;	/* ... and never less than this */
	unsigned int compact_every_s;	/* at most one compaction this often */
	unsigned int compact_max_s;	/* ... backing off up to this */
};

enum ph_why {
	PH_WHY_STEP,		/* reclaiming */
	PH_WHY_BUSY,		/* the CPUs are busy */
	PH_WHY_PRESSURE,	/* tasks stall on memory */
	PH_WHY_SETTLING,	/* idle, not for long enough yet */
	PH_WHY_FLOOR,		/* the page cache is at its floor */
	PH_WHY_BACKOFF,		/* backing off */
	PH_WHY_REFAULTS,	/* the last step hit the working set */
	PH_WHY_NOTHING,		/* the last step found nothing to reclaim */
};

struct ph_policy {
	struct ph_policy_cfg cfg;
	unsigned int idle_run;		/* consecutive idle intervals */
	uint64_t hold_until_us;		/* backing off until then */
	unsigned int backoff_s;		/* the current back-off, 0: none */
	uint64_t step_kib;		/* the last step, until judged */
	uint64_t step_refaults;		/* refaults when it was made */
	enum ph_why why;		/* the last decision's reason */
	unsigned int frag_run;		/* idle samples with enough fragmented */
	uint64_t compact_until_us;	/* no compaction before then */
	unsigned int compact_s;		/* the current spacing */
	uint64_t compact_frag_kib;	/* fragmented at the last compaction */
	uint64_t compact_whole_kib;	/* ... and whole, until judged */
	bool compact_judge;		/* the last compaction awaits judging */
};

void ph_policy_init(struct ph_policy *p, const struct ph_policy_cfg *cfg);

/* The page cache this guest keeps, in KiB. */
uint64_t ph_policy_floor(const struct ph_policy *p, const struct ph_sample *s);

/* The fragmented free memory worth a compaction, in KiB; 0: never. */
uint64_t ph_policy_compact_min(const struct ph_policy *p, const struct ph_sample *s);

/*
 * Judge the last step and the interval from @prev to @cur: the KiB to
 * reclaim now, 0 for none (p->why says why).
 */
uint64_t ph_policy_next(struct ph_policy *p, const struct ph_sample *prev,
			const struct ph_sample *cur);

/*
 * The step of @kib that ph_policy_next() asked for, made at @cur: 0, or
 * -errno (-EAGAIN: the kernel found too little to reclaim).
 */
void ph_policy_done(struct ph_policy *p, const struct ph_sample *cur,
		    uint64_t kib, int err);

/*
 * Compact now?  When the guest has been idle for idle_ticks samples with at
 * least compact_min_kib of its free memory in blocks below pageblock order
 * (free, and staying free), at most once every compact_every_s.  Judges
 * the last compaction first: one that made whole pageblocks of less than a
 * quarter of the fragmented memory doubles the spacing, up to
 * compact_max_s; one that did better resets it.
 */
bool ph_policy_compact(struct ph_policy *p, const struct ph_sample *prev,
		       const struct ph_sample *cur);

/* A compaction was made at @cur. */
void ph_policy_compacted(struct ph_policy *p, const struct ph_sample *cur);

const char *ph_policy_why(enum ph_why why);

#endif

// SPDX-License-Identifier: GPL-2.0
/*
 * pagehint-reclaimd's policy.  A step reclaims at most step_kib of page
 * cache, and only when the guest has been idle (CPUs and memory stalls
 * below their thresholds) for idle_ticks intervals in a row, and at most
 * half of what lies above the floor.  The interval after a step judges it: refaults of
 * more than refault_pct of the step mean it took part of the working set,
 * and the daemon backs off, for backoff_min_s doubling up to backoff_max_s.
 * A step the kernel could not complete (nothing cold is left) backs off
 * the same way.  A clean step ends the back-off.
 */
#include <errno.h>

#include "policy.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const ph_whys[] = {
	[PH_WHY_STEP] = "reclaiming",
	[PH_WHY_BUSY] = "busy",
	[PH_WHY_PRESSURE] = "memory pressure",
	[PH_WHY_SETTLING] = "settling",
	[PH_WHY_FLOOR] = "at the floor",
	[PH_WHY_BACKOFF] = "backing off",
	[PH_WHY_REFAULTS] = "refaults",
	[PH_WHY_NOTHING] = "nothing cold",
};

const char *ph_policy_why(enum ph_why why)
{
	return why < ARRAY_SIZE(ph_whys) ? ph_whys[why] : "?";
}

void ph_policy_init(struct ph_policy *p, const struct ph_policy_cfg *cfg)
{
	p->cfg = *cfg;
	p->idle_run = 0;
	p->hold_until_us = 0;
	p->backoff_s = 0;
	p->step_kib = 0;
	p->step_refaults = 0;
	p->why = PH_WHY_SETTLING;
	p->frag_run = 0;
	p->compact_until_us = 0;
	p->compact_s = cfg->compact_every_s;
	p->compact_frag_kib = 0;
	p->compact_whole_kib = 0;
	p->compact_judge = false;
}

/* @set if given (not 0), else @pct percent of RAM; never less than @min. */
static uint64_t ph_kib_or_share(uint64_t set, const struct ph_sample *s,
				unsigned int pct, uint64_t min)
{
	uint64_t kib = set ? set : s->mem_total_kib * pct / 100;

	return kib > min ? kib : min;
}

uint64_t ph_policy_floor(const struct ph_policy *p, const struct ph_sample *s)
{
	return ph_kib_or_share(p->cfg.floor_kib, s, 5, p->cfg.min_floor_kib);
}

uint64_t ph_policy_compact_min(const struct ph_policy *p, const struct ph_sample *s)
{
	if (!p->cfg.compact)
		return 0;
	return ph_kib_or_share(p->cfg.compact_min_kib, s, 3, p->cfg.min_compact_kib);
}

/* Hold off from @now_us, twice as long as the last time. */
static void ph_backoff(struct ph_policy *p, uint64_t now_us, enum ph_why why)
{
	unsigned int s = p->backoff_s ? p->backoff_s * 2 : p->cfg.backoff_min_s;

	p->backoff_s = s < p->cfg.backoff_max_s ? s : p->cfg.backoff_max_s;
	p->hold_until_us = now_us + (uint64_t)p->backoff_s * 1000000;
	p->idle_run = 0;
	p->why = why;
}

uint64_t ph_policy_next(struct ph_policy *p, const struct ph_sample *prev,
			const struct ph_sample *cur)
{
	unsigned int busy = ph_sample_cpu_busy_pct(prev, cur);
	unsigned int psi = ph_sample_psi_bp(prev, cur);
	uint64_t floor, want;

	if (p->step_kib) {
		uint64_t refault_kib = (cur->refaults - p->step_refaults) *
				       p->cfg.page_kib;

		if (refault_kib * 100 > p->step_kib * p->cfg.refault_pct ||
		    psi >= p->cfg.psi_bp) {
			p->step_kib = 0;
			ph_backoff(p, cur->now_us,
				   psi >= p->cfg.psi_bp ? PH_WHY_PRESSURE :
							  PH_WHY_REFAULTS);
			return 0;
		}
		p->step_kib = 0;
		p->backoff_s = 0;
	}
	if (cur->now_us < p->hold_until_us) {
		p->why = PH_WHY_BACKOFF;
		return 0;
	}
	if (busy >= p->cfg.idle_cpu_pct || psi >= p->cfg.psi_bp) {
		p->idle_run = 0;
		p->why = busy >= p->cfg.idle_cpu_pct ? PH_WHY_BUSY : PH_WHY_PRESSURE;
		return 0;
	}
	if (++p->idle_run < p->cfg.idle_ticks) {
		p->why = PH_WHY_SETTLING;
		return 0;
	}
	floor = ph_policy_floor(p, cur);
	/*
	 * Half of what lies above the floor: memory.reclaim may reclaim up
	 * to about twice what it is asked (its batches, and each LRU list
	 * scanned in proportion), and the floor must hold.
	 */
	want = cur->file_kib > floor ? (cur->file_kib - floor) / 2 : 0;
	if (want > p->cfg.step_kib)
		want = p->cfg.step_kib;
	/* Less than a MiB is not worth a step. */
	if (want < 1024) {
		p->why = PH_WHY_FLOOR;
		return 0;
	}
	p->why = PH_WHY_STEP;
	return want;
}

void ph_policy_done(struct ph_policy *p, const struct ph_sample *cur,
		    uint64_t kib, int err)
{
	if (err) {
		ph_backoff(p, cur->now_us, PH_WHY_NOTHING);
		return;
	}
	p->step_kib = kib;
	p->step_refaults = cur->refaults;
}

bool ph_policy_compact(struct ph_policy *p, const struct ph_sample *prev,
		       const struct ph_sample *cur)
{
	if (p->compact_judge) {
		uint64_t made = cur->whole_kib > p->compact_whole_kib ?
				cur->whole_kib - p->compact_whole_kib : 0;

		p->compact_judge = false;
		if (made * 4 < p->compact_frag_kib) {
			p->compact_s = p->compact_s * 2 < p->cfg.compact_max_s ?
				       p->compact_s * 2 : p->cfg.compact_max_s;
			p->compact_until_us = cur->now_us +
					      (uint64_t)p->compact_s * 1000000;
		} else {
			p->compact_s = p->cfg.compact_every_s;
		}
	}
	if (!p->cfg.compact ||
	    ph_sample_cpu_busy_pct(prev, cur) >= p->cfg.idle_cpu_pct ||
	    ph_sample_psi_bp(prev, cur) >= p->cfg.psi_bp ||
	    cur->frag_kib < ph_policy_compact_min(p, cur)) {
		p->frag_run = 0;
		return false;
	}
	if (++p->frag_run < p->cfg.idle_ticks)
		return false;
	return cur->now_us >= p->compact_until_us;
}

void ph_policy_compacted(struct ph_policy *p, const struct ph_sample *cur)
{
	p->frag_run = 0;
	p->compact_until_us = cur->now_us + (uint64_t)p->compact_s * 1000000;
	p->compact_frag_kib = cur->frag_kib;
	p->compact_whole_kib = cur->whole_kib;
	p->compact_judge = true;
}

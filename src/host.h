/* SPDX-License-Identifier: GPL-2.0 */
/* What the host does with reports (host.c); used by the worker only. */
#ifndef _PAGEHINT_HOST_H
#define _PAGEHINT_HOST_H

#include <linux/types.h>

struct pagehint_batch;

struct pagehint_host {
	/* Reports in a row the host acked without discarding. */
	unsigned int kept_run;
	/*
	 * The smallest order the host discards (0: no limit seen), learned
	 * from the alignment one above the best-aligned range it kept, and
	 * the worst-aligned range it discarded (UINT_MAX: none yet).
	 */
	unsigned int host_order;
	unsigned int kept_align;
	unsigned int done_align;
	/*
	 * Reports in a row whose checked ranges the host discarded (or kept
	 * as its granule explains).  From PAGEHINT_HOST_LEARN on, the host's
	 * behaviour is known: a canary goes only into ranges less aligned
	 * than any seen discarded, and into one range a minute (next_sample,
	 * in jiffies) to see that it has not changed.
	 */
	unsigned int clean_run;
	unsigned long next_sample;
};

void pagehint_host_reset(struct pagehint_host *h);
void pagehint_host_mark(struct pagehint_host *h, struct pagehint_batch *batch);
bool pagehint_host_acked(struct pagehint_host *h, struct pagehint_batch *batch);
unsigned int pagehint_host_order(const struct pagehint_host *h);
unsigned int pagehint_host_delay_ms(const struct pagehint_host *h,
				    unsigned int delay_ms);

#endif /* _PAGEHINT_HOST_H */

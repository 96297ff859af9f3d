/* SPDX-License-Identifier: GPL-2.0 */
/*
 * How long freed memory must stay free before it is worth reporting,
 * learned from the ages at which freed blocks were used again (learn.c);
 * used by the worker only.
 */
#ifndef _PAGEHINT_LEARN_H
#define _PAGEHINT_LEARN_H

#include <linux/types.h>

#include "pagehint.h"

struct pagehint_learn {
	/* The hooks' reuse counts at the last update (cumulative). */
	unsigned long seen[PAGEHINT_REUSE_BUCKETS];
	/* Recent reuses by age bucket, decayed, in 1/256ths. */
	unsigned long recent[PAGEHINT_REUSE_BUCKETS];
	unsigned long last_ms;		/* time of the last update */
	/* What was learned: written by its user, read with READ_ONCE(). */
	unsigned int free_ms;
};

void pagehint_learn_reset(struct pagehint_learn *l, const unsigned long *counts,
			  unsigned long now_ms);
bool pagehint_learn_due(const struct pagehint_learn *l, unsigned long now_ms);
unsigned int pagehint_learn_update(struct pagehint_learn *l,
				   const unsigned long *counts,
				   unsigned long now_ms);

#endif /* _PAGEHINT_LEARN_H */

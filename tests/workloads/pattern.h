/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the checking workloads (memverify, filecheck) write and expect: a
 * xorshift64 generator for seeds and choices, and a never-zero word per
 * position, so that a page the host discarded (zero-filled) never matches.
 */
#ifndef PAGEHINT_PATTERN_H
#define PAGEHINT_PATTERN_H

#include <stdint.h>

static uint64_t rng = 88172645463325252ULL;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* The word at position @pos (a byte offset or a word index) of @seed's data. */
static uint64_t word(uint64_t seed, uint64_t pos)
{
	uint64_t x = seed ^ (pos * 0x9e3779b97f4a7c15ULL);

	x ^= x >> 31;
	return x | 1;	/* never zero: a discarded page reads as zero */
}

#endif /* PAGEHINT_PATTERN_H */

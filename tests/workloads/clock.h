/* SPDX-License-Identifier: GPL-2.0 */
/* The workloads' monotonic clock, in seconds. */
#ifndef PAGEHINT_WORKLOAD_CLOCK_H
#define PAGEHINT_WORKLOAD_CLOCK_H

#include <time.h>

static inline double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

#endif

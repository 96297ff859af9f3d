/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Half-open kernel version ranges, for the few differences that cannot be
 * detected by feature.  Use only from compat.h.
 */
#ifndef _PAGEHINT_KVERSION_H
#define _PAGEHINT_KVERSION_H

#include <linux/version.h>

#define PAGEHINT_KERNEL_BEFORE(a, b, c) \
	(LINUX_VERSION_CODE < KERNEL_VERSION(a, b, c))

/* [a1.b1.c1, a2.b2.c2) */
#define PAGEHINT_KERNEL_RANGE(a1, b1, c1, a2, b2, c2) \
	(LINUX_VERSION_CODE >= KERNEL_VERSION(a1, b1, c1) && \
	 LINUX_VERSION_CODE < KERNEL_VERSION(a2, b2, c2))

#endif /* _PAGEHINT_KVERSION_H */

/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the kernels pagehint supports lives here, and
 * only here: src/ is written against one API.  Kbuild force-includes this
 * file into every unit.  Differences are decided by feature where a feature
 * can be tested; the version checks that remain name the change they track.
 *
 * Supported: 6.1 (Debian 12) to the newest kernel in Debian unstable.
 */
#ifndef _PAGEHINT_COMPAT_H
#define _PAGEHINT_COMPAT_H

#include <linux/version.h>

#include "kversion.h"

#if PAGEHINT_KERNEL_BEFORE(6, 1, 0)
#error "pagehint needs Linux 6.1 or newer"
#endif

#endif /* _PAGEHINT_COMPAT_H */

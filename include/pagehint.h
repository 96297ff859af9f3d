/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interfaces between pagehint's units.  No kernel-version code here: that
 * belongs in compat/compat.h.
 */
#ifndef _PAGEHINT_H
#define _PAGEHINT_H

#include <linux/kobject.h>

/* sysfs.c: /sys/kernel/mm/pagehint/ */
int pagehint_sysfs_init(void);
void pagehint_sysfs_exit(void);

#endif /* _PAGEHINT_H */

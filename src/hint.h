/* SPDX-License-Identifier: GPL-2.0 */
/* Free page hinting for migration (hint.c), driven by virtio.c. */
#ifndef _PAGEHINT_HINT_H
#define _PAGEHINT_HINT_H

#include <linux/types.h>

struct virtio_device;
struct virtqueue;

int pagehint_hint_start(struct virtio_device *vdev, struct virtqueue *vq);
void pagehint_hint_stop(void);
void pagehint_hint_exit(void);
void pagehint_hint_changed(void);
u64 pagehint_hint_bytes(void);

#endif /* _PAGEHINT_HINT_H */

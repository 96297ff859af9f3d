/* SPDX-License-Identifier: GPL-2.0 */
/* The balloon (balloon.c), driven by virtio.c on the device it binds. */
#ifndef _PAGEHINT_BALLOON_H
#define _PAGEHINT_BALLOON_H

#include <linux/types.h>

struct virtio_device;
struct virtqueue;

int pagehint_balloon_start(struct virtio_device *vdev,
			   struct virtqueue *inflate_vq,
			   struct virtqueue *deflate_vq);
void pagehint_balloon_stop(bool deflate);
void pagehint_balloon_exit(void);
void pagehint_balloon_changed(void);
void pagehint_balloon_ack(struct virtqueue *vq);
u64 pagehint_balloon_bytes(void);
unsigned long pagehint_balloon_pending_pages(void);

#endif /* _PAGEHINT_BALLOON_H */

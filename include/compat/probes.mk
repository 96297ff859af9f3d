# SPDX-License-Identifier: GPL-2.0
#
# Header probes for compat/compat.h: features that no macro reveals.
# Included by include/build.mk.

ccflags-y += $(shell grep -qs 'struct virtqueue_info {' \
	$(srctree)/include/linux/virtio_config.h && echo -DPAGEHINT_HAVE_VIRTQUEUE_INFO)
ccflags-y += $(shell grep -qs '[*]shutdown.*struct virtio_device' \
	$(srctree)/include/linux/virtio.h && echo -DPAGEHINT_HAVE_VIRTIO_SHUTDOWN)

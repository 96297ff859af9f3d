# SPDX-License-Identifier: GPL-2.0
#
# Header probes for compat/compat.h: features that no macro reveals.
# Included by include/build.mk.

ccflags-y += $(shell grep -qs 'struct virtqueue_info {' \
	$(srctree)/include/linux/virtio_config.h && echo -DPAGEHINT_HAVE_VIRTQUEUE_INFO)
ccflags-y += $(shell grep -qs '[*]shutdown.*struct virtio_device' \
	$(srctree)/include/linux/virtio.h && echo -DPAGEHINT_HAVE_VIRTIO_SHUTDOWN)
ccflags-y += $(shell test -f $(srctree)/include/linux/balloon.h && echo -DPAGEHINT_HAVE_BALLOON_H)
ccflags-y += $(shell grep -qs 'PGSCAN_KSWAPD' \
	$(srctree)/include/linux/mmzone.h && echo -DPAGEHINT_HAVE_PGSCAN_NODE_STAT)
ccflags-y += $(shell grep -qs 'shrinker_alloc' \
	$(srctree)/include/linux/shrinker.h && echo -DPAGEHINT_HAVE_SHRINKER_ALLOC)
ccflags-y += $(shell grep -qs 'shmem_file_setup.*vma_flags_t' \
	$(srctree)/include/linux/shmem_fs.h && echo -DPAGEHINT_HAVE_SHMEM_VMA_FLAGS)
ccflags-y += $(shell grep -qs 'system_percpu_wq;' \
	$(srctree)/include/linux/workqueue.h && echo -DPAGEHINT_HAVE_SYSTEM_PERCPU_WQ)

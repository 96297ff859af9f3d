# SPDX-License-Identifier: GPL-2.0
# Baseline for the rig: with the stock virtio_balloon and the kernel's own
# free page reporting, the host RSS of QEMU comes back down after the guest
# touches and frees 1 GiB: it rose by at least half of that, and falls by
# half of what it rose within 60 s.  Proves the rig measures reclaim.
. /tests/lib.sh

MIB=${PH_MIB:-1024}
ph_modprobe virtio_balloon || ph_fail "cannot load virtio_balloon"
[ "$(ph_balloon_driver)" = virtio_balloon ] || ph_fail "virtio_balloon not bound"
ph_need_feature free-page-reporting 5

sleep 3		# let boot-time reporting settle
ph_reclaim_half "$MIB" 60
ph_info "host RSS fell by half in: $PH_RECLAIM"
sleep 10
ph-host mark after

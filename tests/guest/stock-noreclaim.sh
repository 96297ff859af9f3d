# SPDX-License-Identifier: GPL-2.0
# The control for stock-reclaim: with a balloon device that does not offer
# free page reporting, the host RSS must stay up after the guest frees 1 GiB.
# If this passes while stock-reclaim passes too, the rig's RSS measurement
# tells reclaim from no reclaim.
. /tests/lib.sh

MIB=${PH_MIB:-1024}
ph_modprobe virtio_balloon || ph_fail "cannot load virtio_balloon"
[ "$(ph_balloon_driver)" = virtio_balloon ] || ph_fail "virtio_balloon not bound"
! ph_balloon_reporting || ph_fail "run this test with the device's reporting off"

sleep 3
ph-host mark before
ph-memtouch -m "$MIB" -c 'ph-host mark peak' || ph_fail "workload failed"
if res=$(ph-host wait-reclaim before peak 0.25 15); then
	ph_fail "host RSS fell without free page reporting: $res"
fi
ph_info "host RSS stayed up without reporting: $res"
ph-host mark after

# SPDX-License-Identifier: GPL-2.0
# Baseline for the rig: with the stock virtio_balloon and the kernel's own
# free page reporting, the host RSS of QEMU comes back down after the guest
# touches and frees 1 GiB: it rose by at least 3/4 of that, and falls by
# half of what it rose within 60 s.  Proves the rig measures reclaim.
. /tests/lib.sh

MIB=${PH_MIB:-1024}
ph_modprobe virtio_balloon || ph_fail "cannot load virtio_balloon"
[ "$(ph_balloon_driver)" = virtio_balloon ] || ph_fail "virtio_balloon not bound"
ph_balloon_reporting || ph_skip "the device does not offer free page reporting"

sleep 3		# let boot-time reporting settle
before=$(ph-host mark before) || ph_fail "no RSS from the host: $before"
ph-memtouch -m "$MIB" -c 'ph-host mark peak >/tmp/peak' || ph_fail "workload failed"
peak=$(cat /tmp/peak)
# The workload must have raised the RSS, or falling by half of nothing
# would prove nothing.
took=$(((${peak#ok } - ${before#ok }) >> 10))
[ $took -ge $((MIB * 3 / 4)) ] || ph_fail "the workload raised the host RSS by $took MiB of $MIB"
res=$(ph-host wait-reclaim before peak 0.5 60) ||
	ph_fail "host RSS did not fall by half of the $took MiB the workload took within 60 s: $res"
ph_info "host RSS rose by $took MiB and fell by half in: $res"
sleep 10
ph-host mark after

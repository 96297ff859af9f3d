# SPDX-License-Identifier: GPL-2.0
# pagehint alone drives the device's reporting queue: after the guest
# touches and frees 1 GiB, the host RSS of QEMU falls by at least half of
# what the workload took, within 60 s.
. /tests/lib.sh

MIB=${PH_MIB:-1024}
insmod $PH_KO || ph_fail "insmod failed"
[ "$(ph_balloon_driver)" = pagehint ] || ph_fail "pagehint did not bind the device: $(cat $PH_SYSFS/device)"
ph_info "device: $(cat $PH_SYSFS/device), hooks: $(cat $PH_SYSFS/hooks)"

sleep 4		# the load-time pass reports what boot left free
ph_reclaim_half "$MIB" 60
ph_info "host RSS fell by half in: $PH_RECLAIM"
sleep 10
ph-host mark after
ph_stats
# QEMU discards what it acks: pagehint must not think otherwise.
[ "$(cat $PH_SYSFS/reports_kept)" = 0 ] ||
	ph_fail "$(cat $PH_SYSFS/reports_kept) reports counted as kept by a host that discards"
rmmod pagehint || ph_fail "rmmod failed"

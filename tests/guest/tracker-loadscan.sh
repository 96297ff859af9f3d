# SPDX-License-Identifier: GPL-2.0
# Memory freed before pagehint was loaded: no hook saw it, so the load-time
# scan must find it, and the host gets it back.
. /tests/lib.sh

[ "$(ph_balloon_driver)" = none ] || ph_fail "the device is already bound"
sleep 2
ph-host mark before
ph-memtouch -m 1024 -c 'ph-host mark peak' || ph_fail "workload failed"
sleep 3
res=$(ph-host wait-reclaim before peak 0.2 1) && ph_fail "RSS fell with nothing reporting: $res"
insmod $PH_KO || ph_fail "insmod failed"
res=$(ph-host wait-reclaim before peak 0.5 60) || {
	ph_stats
	ph_fail "host RSS did not fall by half within 60 s of loading: $res"
}
ph_wait_idle 30 || true
s=$(($(cat $PH_SYSFS/reported_from_scans) >> 20))
ph_info "after load: RSS half back in $res; $s MiB reported from the load-time scan"
[ $s -ge 512 ] || ph_fail "the load-time scan reported only $s MiB"
ph_stats
ph-host mark after
rmmod pagehint || ph_fail "rmmod failed"

# SPDX-License-Identifier: GPL-2.0
# The tracker at work: after the load-time scan, a 1 GiB free is found
# through the allocator hooks' hints, not by scanning: most of the bytes
# reported for it come from hints, and the host gets them back.
. /tests/lib.sh

insmod $PH_KO || ph_fail "insmod failed"
[ "$(ph_balloon_driver)" = pagehint ] || ph_fail "pagehint did not bind: $(cat $PH_SYSFS/device)"
[ "$(cat $PH_SYSFS/hooks)" = tracepoints ] || ph_fail "hooks: $(cat $PH_SYSFS/hooks)"
ph_wait_idle 30 || ph_fail "the load-time pass did not settle"

h0=$(cat $PH_SYSFS/reported_from_hints)
s0=$(cat $PH_SYSFS/reported_from_scans)
ph_reclaim_half 1024 60
ph_wait_idle 30 || true
h=$((($(cat $PH_SYSFS/reported_from_hints) - h0) >> 20))
s=$((($(cat $PH_SYSFS/reported_from_scans) - s0) >> 20))
ph_info "after the free: $h MiB reported from hints, $s MiB from scans; RSS half back in $PH_RECLAIM"
ph_stats
[ $h -gt $((s * 4)) ] || ph_fail "hints found $h MiB, scans $s MiB: hints must find most"
[ $h -ge 512 ] || ph_fail "hints found only $h MiB of a 1 GiB free"
ph-host mark after
rmmod pagehint || ph_fail "rmmod failed"

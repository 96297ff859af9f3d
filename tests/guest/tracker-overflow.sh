# SPDX-License-Identifier: GPL-2.0
# A tiny metadata budget: the map cannot hold report_order 0 blocks, is
# built coarser, counts the overflow and hands the zones to the exhaustive
# scan; the host still gets a 1 GiB free back.
#
# The load-time pass scans every zone too, so the scans are counted only
# from after the load-time work has settled: what the overflow itself
# caused.
. /tests/lib.sh

STATS="scans scan_pages reported_bytes reports"
# report_order 0 in a map the budget holds (1 MiB: 2 bits per page of up
# to 4 GiB), so that the load-time pass builds no coarse map itself.
insmod $PH_KO report_order=0 bitmap_budget_kib=1024 delay_ms=100 || ph_fail "insmod failed"
[ "$(ph_balloon_driver)" = pagehint ] || ph_fail "pagehint did not bind: $(cat $PH_SYSFS/device)"
[ "$(cat $PH_SYSFS/bitmap_order)" = 0 ] ||
	ph_fail "a 1 MiB budget did not hold a report_order 0 map: order $(cat $PH_SYSFS/bitmap_order)"
ph_wait_settled 180 $STATS || ph_fail "the load-time work did not settle"

o0=$(cat $PH_SYSFS/overflows)
sc0=$(cat $PH_SYSFS/scans)
sp0=$(cat $PH_SYSFS/scan_pages)
fs0=$(cat $PH_SYSFS/reported_from_scans)
echo 1 >$PH_SYSFS/bitmap_budget_kib
order=$(cat $PH_SYSFS/bitmap_order)
bytes=$(cat $PH_SYSFS/bitmap_bytes)
o1=$(cat $PH_SYSFS/overflows)
ph_info "budget 1 KiB: map granularity order $order, $bytes bytes, overflows $o0 -> $o1"
[ "$order" -gt 0 ] || ph_fail "the map was not coarsened"
[ "$bytes" -le 1024 ] || ph_fail "the map takes $bytes bytes, over its 1 KiB budget"
[ "$o1" -gt "$o0" ] || ph_fail "the overflow was not counted"
ph_wait_settled 180 $STATS || ph_fail "the worker did not settle after the overflow"

# The largest populated zone: the scan the overflow asks for walks all of it.
span=$(awk '/^Node/ { sp = 0 } $1 == "spanned" { sp = $2 }
	    $1 == "present" && $2 > 0 && sp > max { max = sp } END { print max + 0 }' /proc/zoneinfo)
dsc=$(($(cat $PH_SYSFS/scans) - sc0))
dsp=$(($(cat $PH_SYSFS/scan_pages) - sp0))
dfs=$(($(cat $PH_SYSFS/reported_from_scans) - fs0))
ph_info "after the overflow: $dsc zone scans, $dsp pages of span walked (largest zone spans $span), $((dfs >> 20)) MiB reported from scans"
[ "$dsc" -gt 0 ] || ph_fail "no zone scan completed after the overflow"
[ "$dsp" -ge "$span" ] || ph_fail "the scans after the overflow walked $dsp pages, less than the largest zone's $span"

ph_reclaim_half 1024 60
ph_info "RSS half back in $PH_RECLAIM with a coarse map; scans $(cat $PH_SYSFS/scans)"
ph_stats
ph-host mark after
rmmod pagehint || ph_fail "rmmod failed"

# SPDX-License-Identifier: GPL-2.0
# A tiny metadata budget: the map cannot hold report_order 0 blocks, is
# built coarser, counts the overflow and hands the zones to the exhaustive
# scan; the host still gets a 1 GiB free back.
. /tests/lib.sh

insmod $PH_KO || ph_fail "insmod failed"
[ "$(ph_balloon_driver)" = pagehint ] || ph_fail "pagehint did not bind: $(cat $PH_SYSFS/device)"
o0=$(cat $PH_SYSFS/overflows)
echo 0 >$PH_SYSFS/report_order
echo 1 >$PH_SYSFS/bitmap_budget_kib
order=$(cat $PH_SYSFS/bitmap_order)
bytes=$(cat $PH_SYSFS/bitmap_bytes)
o1=$(cat $PH_SYSFS/overflows)
ph_info "budget 1 KiB: map granularity order $order, $bytes bytes, overflows $o0 -> $o1"
[ "$order" -gt 0 ] || ph_fail "the map was not coarsened"
[ "$bytes" -le 1024 ] || ph_fail "the map takes $bytes bytes, over its 1 KiB budget"
[ "$o1" -gt "$o0" ] || ph_fail "the overflow was not counted"
ph_wait_idle 60 || ph_fail "the worker did not settle"
sc=$(cat $PH_SYSFS/scans)
[ "$sc" -gt 0 ] || ph_fail "no exhaustive scan ran after the overflow"

ph_reclaim_half 1024 60
ph_info "RSS half back in $PH_RECLAIM with a coarse map; scans $(cat $PH_SYSFS/scans)"
ph_stats
ph-host mark after
rmmod pagehint || ph_fail "rmmod failed"

# SPDX-License-Identifier: GPL-2.0
# pagehint leaves the allocator's pageblock types as it found them.  Page
# tables allocated and freed (ph-ptables) leave free UNMOVABLE pageblocks;
# then pagehint reports as aggressively as it can until it is idle.  The
# "Number of blocks type" table of /proc/pagetypeinfo must not change:
# claiming a free UNMOVABLE, RECLAIMABLE or HIGHATOMIC pageblock through
# alloc_contig_range() would come back MOVABLE (6.1 to 6.15).
. /tests/lib.sh

# blocks: the per-type pageblock counts of every zone, one line.
blocks() {
	awk '/^Number of blocks type/ { on = 1; next }
	     on && /^Node/ { $1 = $2 = $3 = ""; printf "%s;", $0 }' /proc/pagetypeinfo |
		tr -s ' '
}

awk '/^Number of blocks type/ { print "ph: types:", $0 }' /proc/pagetypeinfo
ph-ptables -m 96
echo 3 >/proc/sys/vm/drop_caches
sleep 1
before=$(blocks)
[ -n "$before" ] || ph_fail "no pageblock counts in /proc/pagetypeinfo"
ph_info "before: $before"
ph_load_busy
echo 0 >$PH_SYSFS/report_order
echo 500 >$PH_SYSFS/delay_ms
ph_wait_idle 120 || ph_fail "pagehint did not settle in 120 s"
after=$(blocks)
ph_info "after:  $after ($(cat $PH_SYSFS/reports) reports, skipped_pageblock $(cat $PH_SYSFS/skipped_pageblock))"
[ "$(cat $PH_SYSFS/reports)" -gt 0 ] || ph_fail "pagehint reported nothing"
rmmod pagehint
[ "$before" = "$after" ] || ph_fail "pageblock types changed: before '$before', after '$after'"

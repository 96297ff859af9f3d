# SPDX-License-Identifier: GPL-2.0
# pagehint leaves the allocator's pageblock types as it found them.  Page
# tables allocated and freed (ph-ptables) leave free UNMOVABLE pageblocks;
# then pagehint reports as aggressively as it can until it is idle.  The
# "Number of blocks type" table of /proc/pagetypeinfo must not change:
# claiming a free UNMOVABLE, RECLAIMABLE or HIGHATOMIC pageblock through
# alloc_contig_range() would come back MOVABLE (6.1 to 6.15).
#
# The test is only worth something if such free pageblocks exist when
# pagehint starts: it shows they do, from the free lists, or fails.
. /tests/lib.sh

# free_nonmovable: whole pageblocks free on the UNMOVABLE, RECLAIMABLE
# and HIGHATOMIC free lists.
free_nonmovable() {
	ph_free_pageblocks Unmovable Reclaimable HighAtomic
}

awk '/^Number of blocks type/ { print "ph: types:", $0 }' /proc/pagetypeinfo
ph-ptables -m 96
echo 3 >/proc/sys/vm/drop_caches
sleep 1
before=$(ph_pageblock_types)
[ -n "$before" ] || ph_fail "no pageblock counts in /proc/pagetypeinfo"
nm=$(free_nonmovable)
ph_info "before: $before"
ph_info "free non-MOVABLE pageblocks before reporting: $nm"
grep -E ', type +(Unmovable|Reclaimable|HighAtomic)' /proc/pagetypeinfo | sed 's/^/ph: free: /'
[ "$nm" -gt 0 ] || ph_fail "no free UNMOVABLE, RECLAIMABLE or HIGHATOMIC pageblock to test with"

ph_load_busy
echo 0 >$PH_SYSFS/report_order
echo 500 >$PH_SYSFS/delay_ms
ph_wait_idle 120 || ph_fail "pagehint did not settle in 120 s"
after=$(ph_pageblock_types)
ph_info "after:  $after ($(cat $PH_SYSFS/reports) reports, $(cat $PH_SYSFS/scans) zone scans, skipped_pageblock $(cat $PH_SYSFS/skipped_pageblock))"
ph_info "free non-MOVABLE pageblocks after reporting: $(free_nonmovable)"
[ "$(cat $PH_SYSFS/reports)" -gt 0 ] || ph_fail "pagehint reported nothing"
# A whole scan at report_order 0 offers pagehint every free block, those
# free pageblocks included.
[ "$(cat $PH_SYSFS/scans)" -gt 0 ] || ph_fail "no zone scan completed: the free pageblocks may never have been offered"
rmmod pagehint
[ "$before" = "$after" ] || ph_fail "pageblock types changed: before '$before', after '$after'"

# SPDX-License-Identifier: GPL-2.0
# Free memory in UNMOVABLE pageblocks comes back, as with upstream's
# reporting, which reports free pages of every type.  A block device's
# page cache is allocated GFP_USER (unmovable): reading 512 MiB of a disk
# takes whole MOVABLE pageblocks over, and the last close of the device
# drops that cache, which leaves the memory free in UNMOVABLE pageblocks
# (shown from /proc/pagetypeinfo, or the test proves nothing).  The host
# RSS must fall by half of what the read took within 60 s, and the
# pageblock types must read the same once pagehint is done.
. /tests/lib.sh

MIB=512

ph_disk

insmod $PH_KO || ph_fail "insmod failed"
[ "$(ph_balloon_driver)" = pagehint ] || ph_fail "pagehint did not bind the device"
ph_wait_idle 120 || ph_fail "pagehint did not settle in 120 s"
u0=$(ph_free_pageblocks Unmovable)
# Reporting off while the types are taken: a claim under way shows its
# pageblocks as Isolate.
echo 0 >$PH_SYSFS/enabled
before=$(ph-host mark before) || ph_fail "no RSS from the host: $before"
dd if=/dev/vda of=/dev/null bs=1M count=$MIB 2>/dev/null || ph_fail "cannot read the disk"
peak=$(ph-host mark peak)
took=$(((${peak#ok } - ${before#ok }) >> 10))
u1=$(ph_free_pageblocks Unmovable)
i=0
while [ "$(ph_pageblocks_typed Isolate)" -gt 0 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
types=$(ph_pageblock_types)
echo 1 >$PH_SYSFS/enabled
ph_info "read $MIB MiB: host RSS +$took MiB; free UNMOVABLE pageblocks $u0 -> $u1"
[ $took -ge $((MIB / 2)) ] || ph_fail "the read raised the host RSS by $took MiB of $MIB"
[ $((u1 - u0)) -ge $((MIB / 4 / 2)) ] ||
	ph_fail "the dropped page cache left only $((u1 - u0)) more free UNMOVABLE pageblocks: the test proves nothing"
if ! res=$(ph-host wait-reclaim before peak 0.5 60); then
	ph_stats
	ph_fail "host RSS did not fall by half of the $took MiB within 60 s: $res"
fi
ph_wait_idle 60 || true
ph_info "host RSS half back in: $res; skipped_pageblock $(cat $PH_SYSFS/skipped_pageblock)"
[ "$(ph_pageblock_types)" = "$types" ] || ph_fail "pageblock types changed: '$types' became '$(ph_pageblock_types)'"
ph-host mark after
ph_result "report-unmovable: $res"
rmmod pagehint || ph_fail "rmmod failed"

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

# free_unmovable: free pageblocks on the UNMOVABLE free lists, all zones.
free_unmovable() {
	awk '/^Page block order:/ { pbo = $4 }
	     $5 == "type" && $6 == "Unmovable" {
		m = 1
		for (i = 7 + pbo; i <= NF; i++) {
			n += $i * m
			m *= 2
		}
	     }
	     END { print n + 0 }' /proc/pagetypeinfo
}

# isolated: pageblocks typed Isolate (claims under way), all zones.
isolated() {
	awk '/^Number of blocks type/ { for (i = 5; i <= NF; i++) if ($i == "Isolate") c = i; on = 1; next }
	     on && /^Node/ && c { n += $c } END { print n + 0 }' /proc/pagetypeinfo
}

# blocks: the per-type pageblock counts of every zone, one line.
blocks() {
	awk '/^Number of blocks type/ { on = 1; next }
	     on && /^Node/ { $1 = $2 = $3 = ""; printf "%s;", $0 }' /proc/pagetypeinfo |
		tr -s ' '
}

ph_disk

insmod $PH_KO || ph_fail "insmod failed"
[ "$(ph_balloon_driver)" = pagehint ] || ph_fail "pagehint did not bind the device"
ph_wait_idle 120 || ph_fail "pagehint did not settle in 120 s"
u0=$(free_unmovable)
# Reporting off while the types are taken: a claim under way shows its
# pageblocks as Isolate.
echo 0 >$PH_SYSFS/enabled
before=$(ph-host mark before) || ph_fail "no RSS from the host: $before"
dd if=/dev/vda of=/dev/null bs=1M count=$MIB 2>/dev/null || ph_fail "cannot read the disk"
peak=$(ph-host mark peak)
took=$(((${peak#ok } - ${before#ok }) >> 10))
u1=$(free_unmovable)
i=0
while [ "$(isolated)" -gt 0 ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
types=$(blocks)
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
[ "$(blocks)" = "$types" ] || ph_fail "pageblock types changed: '$types' became '$(blocks)'"
ph-host mark after
ph_result "report-unmovable: $res"
rmmod pagehint || ph_fail "rmmod failed"

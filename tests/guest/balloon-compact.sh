# SPDX-License-Identifier: GPL-2.0
# Balloon compaction: inflated pages stay movable.  The balloon is inflated
# into memory left free in scattered 4 KiB holes (ph-fragment holds every
# other page of all free memory but 256 MiB while the balloon takes
# 512 MiB), so that once the rest is freed every pageblock it touched is
# half balloon, half free.  A full compaction (vm.compact_memory) must then migrate balloon pages (the
# driver tells the host of each swap: balloon_migrate in /proc/vmstat) and
# leave whole free pageblocks behind; the balloon still holds 512 MiB and
# deflates cleanly.  Prints the migrations and the free 2 MiB blocks before
# and after, for the comparison with stock-compact (virtio_balloon).
. /tests/lib.sh

DRIVER=${PH_DRIVER:-pagehint}
ph_load_driver "$DRIVER"
grep -q '^balloon_migrate ' /proc/vmstat || ph_skip "this kernel has no balloon migration"

# Free order >= 9 blocks, summed over zones, in 2 MiB units.
big_free() {
	awk '{ m = 1; for (o = 9; o + 5 <= NF; o++) { n += $(o + 5) * m; m *= 2 } } END { print n + 0 }' /proc/buddyinfo
}
# A /proc/vmstat counter's growth across the compaction (snapshots 0, 1).
grew() {
	awk -v k="$1" '$1 == k { v[FILENAME] = $2 } END { print v["/tmp/vmstat.1"] - v["/tmp/vmstat.0"] }' \
		/tmp/vmstat.0 /tmp/vmstat.1
}

# Only the compaction measured: kcompactd's proactive compaction, which
# may run at any moment, would undo the holes or compact before we look.
echo 0 >/proc/sys/vm/compaction_proactiveness
full=$(ph_balloon_actual)
target=$((full - 512))
# Run by ph-fragment with the holes made: inflate into them, and wait.
cat >/tmp/inflate.sh <<EOS
. /tests/lib.sh
ph_balloon_target $target
ph_balloon_wait $target 300 || echo "inflate: actual \$(ph_balloon_actual) MiB" >/tmp/inflate.fail
EOS
# All free memory but 256 MiB in the holes' region, so that compaction's
# two scanners meet inside it wherever in the zone it lies.
frag=$(($(ph_meminfo MemFree) / 1024 - 256))
[ $frag -ge 1280 ] || ph_skip "too little free memory: $frag MiB to fragment"
rm -f /tmp/inflate.fail
ph-fragment -m $frag -p 4 -f "sh /tmp/inflate.sh; cat /proc/buddyinfo" ||
	ph_fail "ph-fragment failed"
[ ! -e /tmp/inflate.fail ] || ph_fail "the balloon did not inflate into the holes: $(cat /tmp/inflate.fail)"
cp /proc/vmstat /tmp/vmstat.0
b0=$(big_free)
echo 1 >/proc/sys/vm/compact_memory
sleep 2
cp /proc/vmstat /tmp/vmstat.1
b1=$(big_free)
migrated=$(grew balloon_migrate)
ph_result "compact driver=$DRIVER migrated=$migrated failed=$(grew pgmigrate_fail) migrate_scanned=$(grew compact_migrate_scanned) free_scanned=$(grew compact_free_scanned) big_free_before=$b0 big_free_after=$b1"
ph_info "$DRIVER: compaction migrated $migrated balloon pages; free 2 MiB blocks $b0 -> $b1"
[ "$(ph_balloon_actual)" = "$target" ] || ph_fail "the balloon changed size during compaction: $(ph_balloon_actual) MiB"
ph_balloon_target "$full"
ph_balloon_wait "$full" 180 || ph_fail "no deflation after compaction"
[ "$DRIVER" = pagehint ] || exit 0
[ "$migrated" -gt 0 ] || ph_fail "compaction migrated no balloon page"
[ "$b1" -gt "$b0" ] || ph_fail "compaction made no free 2 MiB block"
rmmod pagehint || ph_fail "rmmod failed"

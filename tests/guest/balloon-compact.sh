# SPDX-License-Identifier: GPL-2.0
# Balloon compaction: inflated pages stay movable.  With 1 GiB inflated in
# scattered 4 KiB pages, a full compaction (vm.compact_memory) migrates
# balloon pages (the driver tells the host of each swap: balloon_migrate in
# /proc/vmstat) and leaves whole free pageblocks behind; the balloon still
# holds 1 GiB and deflates cleanly.  Prints the migrations and the free
# order-9-and-up blocks before and after, for the comparison with
# stock-compact (virtio_balloon).
. /tests/lib.sh

DRIVER=${PH_DRIVER:-pagehint}
ph_load_driver "$DRIVER"
grep -q '^balloon_migrate ' /proc/vmstat || ph_skip "this kernel has no balloon migration"

# Free order >= 9 blocks, summed over zones, in 2 MiB units.
big_free() {
	awk '{ m = 1; for (o = 9; o + 5 <= NF; o++) { n += $(o + 5) * m; m *= 2 } } END { print n + 0 }' /proc/buddyinfo
}
vmstat() {
	awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat
}

full=$(ph_balloon_actual)
# Spread the balloon over memory: fill, inflate, free the fill.
ph-memtouch -m 1024 -c "ph-host qmp balloon '{\"value\": $(((full - 1024) * 1048576))}' >/dev/null; sleep 1" >/dev/null
ph_balloon_wait $((full - 1024)) 180 || ph_fail "the balloon did not inflate: actual $(ph_balloon_actual) MiB"
m0=$(vmstat balloon_migrate)
b0=$(big_free)
echo 1 >/proc/sys/vm/compact_memory
sleep 2
m1=$(vmstat balloon_migrate)
b1=$(big_free)
ph_result "compact driver=$DRIVER migrated=$((m1 - m0)) big_free_before=$b0 big_free_after=$b1"
ph_info "$DRIVER: compaction migrated $((m1 - m0)) balloon pages; free 2 MiB blocks $b0 -> $b1"
[ "$(ph_balloon_actual)" = $((full - 1024)) ] || ph_fail "the balloon changed size during compaction: $(ph_balloon_actual) MiB"
ph_balloon_target "$full"
ph_balloon_wait "$full" 180 || ph_fail "no deflation after compaction"
[ "$DRIVER" = pagehint ] || exit 0
[ $((m1 - m0)) -gt 0 ] || ph_fail "compaction migrated no balloon page"
[ "$b1" -gt "$b0" ] || ph_fail "compaction made no free 2 MiB block"
rmmod pagehint || ph_fail "rmmod failed"

# SPDX-License-Identifier: GPL-2.0
# Balloon compaction: inflated pages stay movable, and every one of them
# moves when it must.  The balloon takes 512 MiB out of memory left free in
# scattered 4 KiB holes (ph-fragment holds one page in three of all free
# memory but 256 MiB, and frees the other two), so that balloon pages lie
# all over the zone.
#
# First vm.compact_memory, for the figures only (make bench-compact runs
# it in rounds, beside the stock driver): free 2 MiB blocks before and
# after, and the balloon pages moved.  Nothing is judged on it but the
# balloon's size.  The holes repeat every 3 pages, not every 2: compaction's
# free scanner looks at one page in 2, 4, ... 32 of a pageblock after
# blocks where it found nothing free, and on a pattern of period 2 that
# stride can land on balloon pages only, find no free page anywhere, and
# end the compaction after a few MiB (one run in three or so, with either
# driver: read in mm/compaction.c, isolate_freepages()).
#
# Then the decisive part: a memory block (128 MiB on x86) holding balloon
# pages is taken offline.  offline_pages() must migrate every movable page
# out of the block, so every balloon page in it must move (the driver's
# migratepage callback, which tells the host of each swap) or the block
# cannot go offline.  The balloon pages are counted in the block first
# (/proc/kpageflags: KPF_OFFLINE, the PageOffline mark the balloon API sets
# on each inflated page); then the block must go offline within
# OFFLINE_S seconds, balloon_migrate must grow by at least that count, the
# guest must still hold as many balloon pages (as many as the host counts
# in the balloon, before and after), and the host must see the balloon at
# the same size.  The block comes back online, the balloon
# deflates, and MemTotal is what it was before the inflation.
. /tests/lib.sh

DRIVER=${PH_DRIVER:-pagehint}
MEM=/sys/devices/system/memory
# Past this an offlining that still runs has balloon pages it cannot move
# (the kernel retries them until the writer gets a signal).  It holds the
# memory hotplug lock all along, so it stays below the hung task timeout.
OFFLINE_S=90
# A block is worth offlining with at least this many balloon pages in it.
MIN_PAGES=1024
# Page flag bit KPF_OFFLINE (23) of /proc/kpageflags.
KPF_OFFLINE=8388608

ph_load_driver "$DRIVER"
grep -q '^balloon_migrate ' /proc/vmstat || ph_skip "this kernel has no balloon migration"
[ -r /proc/kpageflags ] || ph_skip "this kernel has no /proc/kpageflags"
[ -r $MEM/block_size_bytes ] || ph_skip "this kernel has no memory hotplug"
if [ -r $MEM/memory1/removable ] && [ "$(cat $MEM/memory1/removable)" = 0 ]; then
	ph_skip "this kernel has no memory hot-remove"
fi

# Pages per memory block (x86-64: 4 KiB pages).
BPAGES=$(($(printf '%d' "0x$(cat $MEM/block_size_bytes)") / 4096))

# Free order >= 9 blocks, summed over zones, in 2 MiB units.
big_free() {
	awk '{ m = 1; for (o = 9; o + 5 <= NF; o++) { n += $(o + 5) * m; m *= 2 } } END { print n + 0 }' /proc/buddyinfo
}
# A /proc/vmstat counter's growth across the compaction (snapshots 0, 1).
grew() {
	awk -v k="$1" '$1 == k { v[FILENAME] = $2 } END { print v["/tmp/vmstat.1"] - v["/tmp/vmstat.0"] }' \
		/tmp/vmstat.0 /tmp/vmstat.1
}
# Balloon pages in the guest, "BLOCK COUNT" per memory block.
balloon_blocks() {
	od -An -v -w8 -tu8 /proc/kpageflags |
		awk -v bp=$BPAGES -v f=$KPF_OFFLINE 'and($1, f) { n[int((NR - 1) / bp)]++ } END { for (b in n) print b, n[b] }'
}
# Balloon pages in memory block $1.
block_balloon() {
	dd if=/proc/kpageflags bs=$((BPAGES * 8)) skip="$1" count=1 2>/dev/null |
		od -An -v -w8 -tu8 | awk -v f=$KPF_OFFLINE 'and($1, f) { n++ } END { print n + 0 }'
}
total_balloon() {
	balloon_blocks | awk '{ n += $2 } END { print n + 0 }'
}
uptime_s() {
	cut -d' ' -f1 /proc/uptime
}
# KPF_OFFLINE of PFN $1 (hex without 0x): 1 for a balloon page.
pfn_balloon() {
	dd if=/proc/kpageflags bs=8 skip="$(printf '%d' "0x$1")" count=1 2>/dev/null |
		od -An -v -tu8 | awk -v f=$KPF_OFFLINE '{ print and($1, f) ? 1 : 0 }'
}

# Only the compaction measured: kcompactd's proactive compaction, which
# may run at any moment, would undo the holes or compact before we look.
echo 0 >/proc/sys/vm/compaction_proactiveness
memtotal=$(ph_meminfo MemTotal)
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
ph-fragment -m $frag -p 4 -k 3 -f "sh /tmp/inflate.sh; cat /proc/buddyinfo" ||
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

# The blocks to offline: online, in one zone, with MIN_PAGES balloon pages
# or more; most balloon pages first.
balloon_blocks | sort -k2,2nr >/tmp/blocks
total0=$(awk '{ n += $2 } END { print n + 0 }' /tmp/blocks)
ph_info "balloon pages per memory block of $BPAGES pages: $(tr '\n' ' ' </tmp/blocks)(total $total0)"
# Every page the host counts in the balloon is one the guest holds there.
[ "$total0" -eq $(((full - target) * 256)) ] ||
	ph_fail "the guest holds $total0 balloon pages, the host's balloon $(((full - target) * 256))"
: >/tmp/candidates
while read -r blk n; do
	d=$MEM/memory$blk
	[ "$n" -ge $MIN_PAGES ] || continue
	[ "$(cat "$d/state" 2>/dev/null)" = online ] || continue
	case $(cat "$d/valid_zones" 2>/dev/null) in
	"" | none | *" "*) continue ;;
	esac
	echo "$blk" >>/tmp/candidates
done </tmp/blocks
[ -s /tmp/candidates ] || ph_fail "no online single-zone memory block holds $MIN_PAGES balloon pages"

# Try the candidates until one goes offline.  A block may hold a page
# nothing can move (a kernel allocation, a range the reporting driver holds
# for the host): offlining then fails at once and dumps that page; the
# next block is tried.  It decides against the driver when the dumped page
# is a balloon page, when it fails at once with no other page to blame and
# balloon pages still in the block, or when it does not finish in time.
done_blk=""
for blk in $(head -n 4 /tmp/candidates); do
	state=$MEM/memory$blk/state
	n=$(block_balloon "$blk")
	m0=$(ph_vmstat balloon_migrate)
	f0=$(ph_vmstat pgmigrate_fail)
	lines=$(dmesg | wc -l)
	t0=$(uptime_s)
	timeout $OFFLINE_S sh -c "echo offline >$state" 2>/tmp/offline.err && rc=0 || rc=$?
	t1=$(uptime_s)
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
	m1=$(ph_vmstat balloon_migrate)
	left=$(block_balloon "$blk")
	ph_info "memory$blk: $n balloon pages; offline: rc=$rc in $secs s, state $(cat "$state"), balloon_migrate +$((m1 - m0)), pgmigrate_fail +$(($(ph_vmstat pgmigrate_fail) - f0)), $left balloon pages left"
	if [ "$(cat "$state")" = offline ]; then
		done_blk=$blk
		break
	fi
	dmesg | tail -n +$((lines + 1)) >/tmp/offline.dmesg
	sed 's/^/ph: offline dmesg: /' /tmp/offline.dmesg | tail -n 20
	awk "BEGIN { exit !($t1 - $t0 >= $OFFLINE_S - 1) }" &&
		ph_fail "memory$blk did not go offline within $OFFLINE_S s: $left of its $n balloon pages never moved"
	# The page the isolation found unmovable, if it dumped one.
	pfn=$(awk '/ page:.* pfn:0x/ { sub(/.*pfn:0x/, ""); p = $1 }
		/page dumped because: unmovable page/ { u = p } END { print u }' /tmp/offline.dmesg)
	if [ -n "$pfn" ]; then
		[ "$(pfn_balloon "$pfn")" = 0 ] ||
			ph_fail "memory$blk: offlining found balloon page pfn 0x$pfn unmovable"
		ph_info "memory$blk: pfn 0x$pfn is not the balloon's and cannot move: next block"
		continue
	fi
	[ "$left" -eq 0 ] ||
		ph_fail "memory$blk: offlining failed at once ($(cat /tmp/offline.err)) with $left balloon pages in the block and no other page to blame"
	ph_info "memory$blk: offlining failed ($(cat /tmp/offline.err)), not on balloon pages: next block"
done
[ -n "$done_blk" ] || ph_fail "no memory block holding balloon pages could be taken offline, none for the balloon's pages"

moved=$((m1 - m0))
total1=$(total_balloon)
actual=$(ph_balloon_actual)
ph_result "offline driver=$DRIVER block=$done_blk balloon_pages=$n balloon_migrate=$moved seconds=$secs balloon_total_before=$total0 balloon_total_after=$total1 actual_mib=$actual"
[ "$moved" -ge "$n" ] || ph_fail "memory$done_blk went offline with $n balloon pages but balloon_migrate grew by $moved"
[ "$total1" -eq "$total0" ] || ph_fail "the guest held $total0 balloon pages before the offlining, $total1 after"
[ "$actual" = "$target" ] || ph_fail "the balloon changed size while memory$done_blk went offline: $actual MiB, not $target"

echo online >$MEM/memory"$done_blk"/state || ph_fail "memory$done_blk did not come back online"
ph_balloon_target "$full"
ph_balloon_wait "$full" 180 || ph_fail "no deflation after the offlining: $(ph_balloon_actual) MiB"
[ "$(ph_meminfo MemTotal)" = "$memtotal" ] ||
	ph_fail "MemTotal $(ph_meminfo MemTotal) kB after deflation, $memtotal kB before the inflation"
avail=$(($(ph_meminfo MemAvailable) / 1024))
ph-memverify -m $((avail * 7 / 10)) -t 3 -s 1 >/tmp/memverify.log ||
	{ cat /tmp/memverify.log; ph_fail "memory changed under a checker after the offlining"; }
[ "$DRIVER" = pagehint ] || exit 0
rmmod pagehint || ph_fail "rmmod failed"

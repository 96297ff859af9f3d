# SPDX-License-Identifier: GPL-2.0
# pagehint's tracepoints and pagehint-stat, as an admin would use them.
#
# With every pagehint event on in tracefs: a 512 MiB free gives
# pagehint_report/_done pairs whose acked bytes add up to exactly what
# reported_bytes gained; a map rebuild gives a scan_start/scan_end per
# populated zone, with the zone's span; a 1 KiB budget at report_order 0
# gives as many overflow events as the overflows counter gained.
# pagehint-stat prints every file once and rates over an interval.
. /tests/lib.sh

T=/sys/kernel/tracing
[ -d $T/events ] || T=/sys/kernel/debug/tracing
[ -d $T/events ] || ph_skip "no tracefs in this kernel"

insmod $PH_KO || ph_fail "insmod failed"
[ "$(ph_balloon_driver)" = pagehint ] || ph_fail "pagehint did not bind: $(cat $PH_SYSFS/device)"
for e in pagehint_report pagehint_report_done pagehint_scan_start pagehint_scan_end pagehint_overflow; do
	[ -f $T/events/pagehint/$e/format ] || ph_fail "no tracepoint pagehint:$e"
done
ph_wait_idle 60 || ph_fail "the load-time reporting did not settle"

# tracefs fields: "... pagehint_report_done: ranges=3 bytes=... err=0 ..."
field() {
	sed -n "s/.* $1: .*$2=\([-0-9a-fx]*\).*/\1/p" /tmp/trace.txt
}
# Reporting off: the pass under way ends after the batch it holds, whose
# ack takes milliseconds; a second leaves the worker idle.
quiesce() {
	echo 0 >$PH_SYSFS/enabled
	sleep 1
}
capture() {
	echo 0 >$T/tracing_on
	cat $T/trace >/tmp/trace.txt
	echo >$T/trace
	ph_info "$(grep -c ' pagehint_' /tmp/trace.txt) pagehint events; the first:"
	grep ' pagehint_' /tmp/trace.txt | head -n 4 | sed 's/^ */  /'
}

echo 8192 >$T/buffer_size_kb
quiesce
echo >$T/trace
echo 1 >$T/events/pagehint/enable
echo 1 >$T/tracing_on

# Reports: issued and acked, bytes as counted in sysfs.
b0=$(cat $PH_SYSFS/reported_bytes)
r0=$(cat $PH_SYSFS/reports)
echo 500 >$PH_SYSFS/delay_ms
echo 1 >$PH_SYSFS/enabled
ph-memtouch -m 512 || ph_fail "workload failed"
ph_wait_reports $((r0 + 1)) 60 || ph_fail "no report after a 512 MiB free"
ph_wait_idle 60 || ph_fail "reporting did not settle"
quiesce
b1=$(cat $PH_SYSFS/reported_bytes)
r1=$(cat $PH_SYSFS/reports)
capture
issued=$(grep -c ' pagehint_report: ' /tmp/trace.txt || true)
done_ok=$(field pagehint_report_done err | grep -cx 0 || true)
acked=$(grep ' pagehint_report_done: .*err=0 ' /tmp/trace.txt |
	sed 's/.* bytes=\([0-9]*\) .*/\1/' | awk '{ s += $1 } END { print s + 0 }')
lat=$(field pagehint_report_done latency_ns | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] + 0 }')
ph_info "reports: $issued issued, $done_ok acked ($((r1 - r0)) in sysfs), $((acked >> 20)) MiB ($(((b1 - b0) >> 20)) MiB in sysfs), median latency $((lat / 1000)) us"
ph_result "trace_reports=$done_ok trace_acked_bytes=$acked sysfs_bytes=$((b1 - b0)) median_latency_ns=$lat"
[ "$done_ok" -eq $((r1 - r0)) ] || ph_fail "$done_ok acked report events, sysfs counted $((r1 - r0)) reports"
[ "$issued" -eq "$done_ok" ] || ph_fail "$issued reports issued, $done_ok acked, none refused"
[ "$acked" -eq $((b1 - b0)) ] || ph_fail "events acked $acked bytes, reported_bytes gained $((b1 - b0))"
[ "$lat" -gt 0 ] || ph_fail "no report latency"

# Scans: a budget change rebuilds the map and scans every populated zone.
s0=$(cat $PH_SYSFS/scans)
echo 1 >$T/tracing_on
echo $(($(cat $PH_SYSFS/bitmap_budget_kib) + 1)) >$PH_SYSFS/bitmap_budget_kib
echo 1 >$PH_SYSFS/enabled
n=0
while [ "$(cat $PH_SYSFS/scans)" -eq "$s0" ] && [ $n -lt 300 ]; do
	sleep 0.1
	n=$((n + 1))
done
ph_wait_idle 60 || ph_fail "the rescan did not settle"
quiesce
s1=$(cat $PH_SYSFS/scans)
capture
starts=$(grep -c ' pagehint_scan_start: ' /tmp/trace.txt || true)
ends=$(grep -c ' pagehint_scan_end: ' /tmp/trace.txt || true)
ph_info "scans: $starts started, $ends ended ($((s1 - s0)) in sysfs)"
[ "$ends" -eq $((s1 - s0)) ] || ph_fail "$ends scan_end events, sysfs counted $((s1 - s0)) scans"
[ "$ends" -gt 0 ] && [ "$starts" -gt 0 ] || ph_fail "scan events missing"
# Each zone's scan walked the zone's span, as /proc/zoneinfo has it.
span_of() {
	awk -v z="$1" '$1 == "Node" && $4 == z { f = 1; next } f && $1 == "spanned" { print $2; exit }' /proc/zoneinfo
}
grep ' pagehint_scan_end: ' /tmp/trace.txt |
	sed 's/.* zone=\([^ ]*\) pages=\([0-9]*\) found_pages=\([0-9]*\) .*/\1 \2 \3/' >/tmp/scans.txt
found=0
while read -r zone walked f; do
	ph_info "zone $zone: spanned $(span_of "$zone") pages, scan walked $walked, found $f free"
	[ "$walked" = "$(span_of "$zone")" ] || ph_fail "the $zone zone's scan walked $walked pages, the zone spans $(span_of "$zone")"
	found=$((found + f))
done </tmp/scans.txt
[ "$found" -gt 0 ] || ph_fail "the scans of an idle guest found no free block"

# Overflows: a map too small for report_order 0 is built coarser.
o0=$(cat $PH_SYSFS/overflows)
echo 1 >$T/tracing_on
echo 0 >$PH_SYSFS/report_order
echo 1 >$PH_SYSFS/bitmap_budget_kib
o1=$(cat $PH_SYSFS/overflows)
capture
ov=$(grep -c ' pagehint_overflow: ' /tmp/trace.txt || true)
ph_info "overflows: $ov events ($((o1 - o0)) in sysfs), map order $(cat $PH_SYSFS/bitmap_order)"
[ "$ov" -eq $((o1 - o0)) ] && [ "$ov" -gt 0 ] || ph_fail "$ov overflow events, sysfs counted $((o1 - o0))"
field pagehint_overflow order | grep -qx "$(cat $PH_SYSFS/bitmap_order)" ||
	ph_fail "the overflow event does not name the map's order $(cat $PH_SYSFS/bitmap_order)"
echo 0 >$T/events/pagehint/enable
echo 1 >$PH_SYSFS/enabled

# pagehint-stat: once, then three 2 s lines while 256 MiB are reported.
pagehint-stat >/tmp/stat.txt || ph_fail "pagehint-stat failed"
sed 's/^/  /' /tmp/stat.txt
[ "$(awk '$1 == "reported_bytes" { print $2 }' /tmp/stat.txt)" -ge "$b1" ] ||
	ph_fail "pagehint-stat shows no reported_bytes"
[ "$(wc -l </tmp/stat.txt)" -eq "$(ls $PH_SYSFS | wc -l)" ] || ph_fail "pagehint-stat did not print every file"
# The 256 MiB are freed with reporting off, and reporting starts with the
# first interval: how long the workload takes (seconds, under KASAN) does
# not move the reports out of the window.
quiesce
ph-memtouch -m 256 || ph_fail "workload failed"
echo 100 >$PH_SYSFS/delay_ms
pagehint-stat 2 3 >/tmp/rates.txt &
spid=$!
echo 1 >$PH_SYSFS/enabled
wait $spid || ph_fail "pagehint-stat 2 3 failed"
sed 's/^/  /' /tmp/rates.txt
[ "$(wc -l </tmp/rates.txt)" -eq 4 ] || ph_fail "pagehint-stat 2 3 did not print a header and 3 lines"
awk 'NR > 1 && $1 > 0 { ok = 1 } END { exit !ok }' /tmp/rates.txt ||
	ph_fail "pagehint-stat showed no MiB/s while 256 MiB were reported"
if pagehint-stat 0 2>/tmp/err.txt; then
	ph_fail "pagehint-stat accepted an interval of 0"
fi
grep -q 'INTERVAL' /tmp/err.txt || ph_fail "pagehint-stat 0 printed no reason"

rmmod pagehint || ph_fail "rmmod failed"
[ ! -d $T/events/pagehint ] || ph_fail "the pagehint events outlived the module"
pagehint-stat 2>/tmp/err.txt && ph_fail "pagehint-stat ran with pagehint unloaded"
grep -q 'not loaded' /tmp/err.txt || ph_fail "pagehint-stat did not say pagehint is not loaded"

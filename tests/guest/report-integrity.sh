# SPDX-License-Identifier: GPL-2.0
# Data safety: while pagehint reports as aggressively as it can (delay_ms=0,
# hints and scans every pass, report_order 0 and then pageblock order), a
# workload keeps half of guest memory filled with position-dependent
# patterns (anonymous memory, THP chunks included), churns it and verifies
# it, and a second one does the same with files on tmpfs (the page cache),
# dropping the clean page cache every round.  A page reported while in use
# would read back as zeros: zero mismatches.  ph.secs= sets the time per
# order (20 s; `make stress`: 120 s).
. /tests/lib.sh

SECS=$(ph_param secs 20)

# The checkers' controls: pages discarded behind their backs must be caught.
if ph-memverify -m 32 -t 3 -x 2>/dev/null; then
	ph_fail "memverify -x did not catch discarded pages: the checker is blind"
fi
if ph-filecheck -d /tmp/fc-control -m 16 -t 2 -x 2>/dev/null; then
	ph_fail "filecheck -x did not catch a discarded file page: the checker is blind"
fi
rm -rf /tmp/fc-control
insmod $PH_KO || ph_fail "insmod failed"
[ "$(ph_balloon_driver)" = pagehint ] || ph_fail "pagehint did not bind: $(cat $PH_SYSFS/device)"
echo 0 >$PH_SYSFS/delay_ms
echo always >$PH_SYSFS/scan		# hooks and scans, both at full speed

total_mib=$(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo)
mib=$((total_mib * 5 / 10))
fmib=$((total_mib * 15 / 100))
for order in 0 9; do
	echo $order >$PH_SYSFS/report_order
	before=$(cat $PH_SYSFS/reported_bytes)
	# A third process frees memory continuously so there is always
	# something to report.
	ph-memtouch -m 256 -h 1 >/dev/null &
	ph-filecheck -m $fmib -t "$SECS" -s $((order + 1)) >/tmp/filecheck.out 2>&1 &
	fpid=$!
	ph-memverify -m $mib -t "$SECS" -s $((order + 1)) || ph_fail "memverify found mismatches at report_order $order"
	wait $fpid || { cat /tmp/filecheck.out; ph_fail "filecheck found mismatches at report_order $order"; }
	cat /tmp/filecheck.out
	wait
	after=$(cat $PH_SYSFS/reported_bytes)
	ph_info "report_order $order: reported $(((after - before) >> 20)) MiB during the run"
	[ "$after" -gt "$before" ] || ph_fail "nothing was reported during the run at order $order"
done
ph_stats
rmmod pagehint || ph_fail "rmmod failed"

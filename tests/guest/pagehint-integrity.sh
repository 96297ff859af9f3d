# SPDX-License-Identifier: GPL-2.0
# Data safety: while pagehint reports as aggressively as it can (delay_ms=0,
# hints and scans every pass, report_order 0 and then pageblock order), a
# workload keeps most of guest
# memory filled with position-dependent patterns, churns it and verifies it.
# A page reported while in use would read back as zeros: zero mismatches.
. /tests/lib.sh

SECS=$(ph_param secs 20)

# The checker's control: pages discarded behind its back must be caught.
if ph-memverify -m 32 -t 3 -x 2>/dev/null; then
	ph_fail "memverify -x did not catch discarded pages: the checker is blind"
fi
insmod $PH_KO || ph_fail "insmod failed"
[ "$(ph_balloon_driver)" = pagehint ] || ph_fail "pagehint did not bind: $(cat $PH_SYSFS/device)"
echo 0 >$PH_SYSFS/delay_ms
echo always >$PH_SYSFS/scan		# hooks and scans, both at full speed

total_mib=$(awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo)
mib=$((total_mib * 6 / 10))
for order in 0 9; do
	echo $order >$PH_SYSFS/report_order
	before=$(cat $PH_SYSFS/reported_bytes)
	# A second process frees memory continuously so there is always
	# something to report.
	ph-memtouch -m 256 -h 1 >/dev/null &
	ph-memverify -m $mib -t "$SECS" -s $((order + 1)) || ph_fail "memverify found mismatches at report_order $order"
	wait
	after=$(cat $PH_SYSFS/reported_bytes)
	ph_info "report_order $order: reported $(((after - before) >> 20)) MiB during the run"
	[ "$after" -gt "$before" ] || ph_fail "nothing was reported during the run at order $order"
done
ph_stats
rmmod pagehint || ph_fail "rmmod failed"

# SPDX-License-Identifier: GPL-2.0
# Memory pressure: a hog takes the guest to near its limit (all but 48 MiB of
# MemAvailable), holds it, frees it; without pagehint, then with pagehint
# reporting as hard as it can (delay_ms=0, report_order 0, scan=always), in
# the same boot.  pagehint must add no OOM kill and no failed allocation,
# and must back off under the watermark guard (guard_skips grows) rather
# than claim memory the hog needs.
#
# Both sides run the same number of hogs (ph.rounds=, 3 by default),
# interleaved: each round runs one hog without pagehint loaded and one with
# it, so that what drifts over the boot weighs on both alike.
. /tests/lib.sh

ROUNDS=$(ph_param rounds 3)
allocstall() { awk '$1 ~ /^allocstall/ { s += $2 } END { print s + 0 }' /proc/vmstat; }

# hog: run the hog once; print "failures oom_kills allocstalls".
hog() {
	local fails=0 oom0 st0 mib
	oom0=$(ph_vmstat oom_kill)
	st0=$(allocstall)
	mib=$(($(awk '/MemAvailable/ { print int($2 / 1024) }' /proc/meminfo) - 48))
	ph-memtouch -m "$mib" -h 2 >/dev/null 2>&1 || fails=1
	echo "$fails $(($(ph_vmstat oom_kill) - oom0)) $(($(allocstall) - st0))"
}

base_fail=0 base_oom=0 base_stall=0
with_fail=0 with_oom=0 with_stall=0 skips=0
i=0
while [ $i -lt "$ROUNDS" ]; do
	i=$((i + 1))
	# shellcheck disable=SC2046 # hog prints its counts as words
	set -- $(hog)
	base_fail=$((base_fail + $1)) base_oom=$((base_oom + $2)) base_stall=$((base_stall + $3))
	ph_info "round $i without pagehint: $1 failed, $2 OOM kills, $3 allocation stalls"

	ph_load_busy
	echo 0 >$PH_SYSFS/report_order
	ph_wait_reports 1 30 || ph_fail "no report before the hog on round $i"
	skips0=$(cat $PH_SYSFS/guard_skips)
	# shellcheck disable=SC2046 # hog prints its counts as words
	set -- $(hog)
	with_fail=$((with_fail + $1)) with_oom=$((with_oom + $2)) with_stall=$((with_stall + $3))
	skips=$((skips + $(cat $PH_SYSFS/guard_skips) - skips0))
	ph_info "round $i with pagehint:    $1 failed, $2 OOM kills, $3 allocation stalls; guard_skips +$(($(cat $PH_SYSFS/guard_skips) - skips0)), reports $(cat $PH_SYSFS/reports), skipped_pageblock $(cat $PH_SYSFS/skipped_pageblock), claim_failures $(cat $PH_SYSFS/claim_failures)"
	rmmod pagehint || ph_fail "rmmod failed on round $i"
done

ph_info "$ROUNDS hogs without pagehint: $base_fail failed, $base_oom OOM kills, $base_stall allocation stalls"
ph_info "$ROUNDS hogs with pagehint:    $with_fail failed, $with_oom OOM kills, $with_stall allocation stalls; guard_skips +$skips"
[ "$with_fail" -le "$base_fail" ] || ph_fail "pagehint made $((with_fail - base_fail)) more hogs fail"
[ "$with_oom" -le "$base_oom" ] || ph_fail "pagehint added $((with_oom - base_oom)) OOM kills"
[ "$skips" -gt 0 ] || ph_fail "the watermark guard never held pagehint back"
if dmesg | grep -q 'page allocation failure'; then
	ph_fail "a page allocation failed"
fi

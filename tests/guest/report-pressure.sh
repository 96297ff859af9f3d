# SPDX-License-Identifier: GPL-2.0
# Memory pressure: a hog takes the guest to near its limit (all but 48 MiB of
# MemAvailable), holds it, frees it; first without pagehint, then with
# pagehint reporting as hard as it can (delay_ms=0, report_order 0,
# scan=always), in the same boot.  pagehint must add no OOM kill and no
# failed allocation, and must back off under the watermark guard
# (guard_skips grows) rather than claim memory the hog needs.
. /tests/lib.sh

ROUNDS=$(ph_param rounds 1)
vmstat() { awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat; }
allocstall() { awk '$1 ~ /^allocstall/ { s += $2 } END { print s + 0 }' /proc/vmstat; }

# hog ROUNDS: run the hog ROUNDS times; print "failures oom_kills allocstalls".
hog() {
	local i=0 fails=0 oom0 st0 mib
	oom0=$(vmstat oom_kill)
	st0=$(allocstall)
	while [ $i -lt "$1" ]; do
		mib=$(($(awk '/MemAvailable/ { print int($2 / 1024) }' /proc/meminfo) - 48))
		ph-memtouch -m "$mib" -h 2 >/dev/null 2>&1 || fails=$((fails + 1))
		i=$((i + 1))
	done
	echo "$fails $(($(vmstat oom_kill) - oom0)) $(($(allocstall) - st0))"
}

# shellcheck disable=SC2046 # hog prints its counts as words
set -- $(hog "$ROUNDS")
base_fail=$1 base_oom=$2 base_stall=$3
ph_info "without pagehint: $base_fail failed hogs, $base_oom OOM kills, $base_stall allocation stalls"

ph_load_busy
echo 0 >$PH_SYSFS/report_order
ph_wait_reports 1 30 || ph_fail "no report before the hog"
skips0=$(cat $PH_SYSFS/guard_skips)
# shellcheck disable=SC2046 # hog prints its counts as words
set -- $(hog "$ROUNDS")
ph_info "with pagehint:    $1 failed hogs, $2 OOM kills, $3 allocation stalls; guard_skips +$(($(cat $PH_SYSFS/guard_skips) - skips0)), reports $(cat $PH_SYSFS/reports), skipped_pageblock $(cat $PH_SYSFS/skipped_pageblock 2>/dev/null), claim_failures $(cat $PH_SYSFS/claim_failures)"
[ "$1" -le "$base_fail" ] || ph_fail "pagehint made $(($1 - base_fail)) more hogs fail"
[ "$2" -le "$base_oom" ] || ph_fail "pagehint added $(($2 - base_oom)) OOM kills"
[ "$(cat $PH_SYSFS/guard_skips)" -gt "$skips0" ] || ph_fail "the watermark guard never held pagehint back"
dmesg | grep -q 'page allocation failure' && ph_fail "a page allocation failed"
rmmod pagehint || ph_fail "rmmod failed"

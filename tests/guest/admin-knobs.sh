# SPDX-License-Identifier: GPL-2.0
# Every knob refuses bad input (empty, negative, non-numeric, overflowing,
# out of range) with an error and keeps its value; good input is taken.
# Every knob is a module parameter too: good values take effect at load,
# /sys/module/pagehint/parameters/ shows the live values read-only, and a
# bad parameter makes the load fail with a message that names it.
. /tests/lib.sh

insmod $PH_KO || ph_fail "insmod failed"

# expect_bad KNOB VALUE: the write fails and the knob keeps its value.
expect_bad() {
	local before after
	before=$(cat $PH_SYSFS/$1)
	if printf '%s' "$2" >$PH_SYSFS/$1 2>/dev/null; then
		ph_fail "$1 accepted '$2'"
	fi
	after=$(cat $PH_SYSFS/$1)
	[ "$before" = "$after" ] || ph_fail "$1 changed from $before to $after on '$2'"
}

# expect_good KNOB VALUE
expect_good() {
	echo "$2" >$PH_SYSFS/$1 || ph_fail "$1 refused '$2'"
	[ "$(cat $PH_SYSFS/$1)" = "$2" ] || ph_fail "$1 reads $(cat $PH_SYSFS/$1) after '$2'"
}

max_order=$(( $(awk '/^Node 0, zone/ { print NF - 4; exit }' /proc/buddyinfo) - 1 ))
for knob in enabled report_order delay_ms max_inflight_kib bitmap_budget_kib scan_budget_pages min_free_ms; do
	# An empty write never reaches the kernel's store(): only unchanged.
	before=$(cat $PH_SYSFS/$knob)
	printf '' >$PH_SYSFS/$knob 2>/dev/null || true
	[ "$(cat $PH_SYSFS/$knob)" = "$before" ] || ph_fail "$knob changed on an empty write"
	for bad in " " "\n" "-1" "abc" "1x" "0x" "99999999999999999999999" "1.5"; do
		expect_bad $knob "$bad"
	done
done
expect_bad enabled 2
expect_bad report_order $((max_order + 1))
expect_bad delay_ms 3600001
expect_bad max_inflight_kib 0
expect_bad max_inflight_kib 1048577
expect_bad bitmap_budget_kib 0
expect_bad bitmap_budget_kib 1048577
expect_bad scan_budget_pages 0
expect_bad scan_budget_pages 1073741825
for bad in " " "sometimes" "auto always" "1" "[auto]" "neverr"; do
	expect_bad scan "$bad"
done
expect_bad min_free_ms 600001
for bad in "autox" "auto 5" "[auto]"; do
	expect_bad min_free_ms "$bad"
done

expect_good enabled 0
expect_good enabled 1
expect_good report_order 0
expect_good report_order "$max_order"
expect_good report_order 9
expect_good delay_ms 0
expect_good delay_ms 3600000
expect_good delay_ms 2000
expect_good max_inflight_kib 4
expect_good max_inflight_kib 1048576
expect_good max_inflight_kib 65536
expect_good bitmap_budget_kib 1
expect_good bitmap_budget_kib 1048576
expect_good bitmap_budget_kib 256
expect_good scan_budget_pages 1
expect_good scan_budget_pages 1073741824
expect_good scan_budget_pages 262144
[ "$(cat $PH_SYSFS/min_free_ms)" = auto ] || ph_fail "min_free_ms reads $(cat $PH_SYSFS/min_free_ms) by default, not auto"
expect_good min_free_ms 0
expect_good min_free_ms 600000
expect_good min_free_ms auto
for policy in always never auto; do
	echo $policy >$PH_SYSFS/scan || ph_fail "scan refused $policy"
	grep -q "\[$policy\]" $PH_SYSFS/scan || ph_fail "scan reads '$(cat $PH_SYSFS/scan)' after $policy"
done

# Read-only files refuse writes.
for ro in reported_bytes reports device version hints_set overflows bitmap_bytes scans learned_free_ms skipped_young; do
	if echo 1 >$PH_SYSFS/$ro 2>/dev/null; then
		ph_fail "$ro is writable"
	fi
done

# Racing writers leave a valid value behind.
for v in 0 1 2 3 4 5 6 7 8 9; do
	echo $v >$PH_SYSFS/report_order &
	echo $((v * 100)) >$PH_SYSFS/delay_ms &
done
wait
order=$(cat $PH_SYSFS/report_order)
[ "$order" -ge 0 ] && [ "$order" -le 9 ] || ph_fail "report_order $order after racing writes"
rmmod pagehint || ph_fail "rmmod failed"

P=/sys/module/pagehint/parameters
good="enabled=0 report_order=3 delay_ms=700 max_inflight_kib=1024 bitmap_budget_kib=64 scan_budget_pages=4096 min_free_ms=250"
# shellcheck disable=SC2086
insmod $PH_KO $good scan=never || ph_fail "insmod refused $good scan=never"
for kv in $good; do
	k=${kv%=*} v=${kv#*=}
	[ "$(cat $PH_SYSFS/$k)" = "$v" ] || ph_fail "$kv at load: $PH_SYSFS/$k reads $(cat $PH_SYSFS/$k)"
	[ "$(cat $P/$k)" = "$v" ] || ph_fail "$kv at load: $P/$k reads $(cat $P/$k)"
done
grep -q '\[never\]' $PH_SYSFS/scan || ph_fail "scan=never at load: scan reads $(cat $PH_SYSFS/scan)"
grep -q '\[never\]' $P/scan || ph_fail "scan=never at load: $P/scan reads $(cat $P/scan)"
echo 900 >$PH_SYSFS/delay_ms
[ "$(cat $P/delay_ms)" = 900 ] || ph_fail "$P/delay_ms reads $(cat $P/delay_ms) after delay_ms was set to 900"
if echo 5 >$P/delay_ms 2>/dev/null; then
	ph_fail "$P/delay_ms is writable"
fi
rmmod pagehint || ph_fail "rmmod failed"
for bad in enabled=2 report_order=$((max_order + 1)) delay_ms=-1 delay_ms=3600001 \
	max_inflight_kib=0 bitmap_budget_kib=abc scan_budget_pages=0 scan=sometimes \
	min_free_ms=600001 min_free_ms=soon; do
	if insmod $PH_KO "$bad" 2>/dev/null; then
		rmmod pagehint
		ph_fail "insmod accepted $bad"
	fi
	dmesg | grep -qF "pagehint: $bad: not " || ph_fail "no message naming $bad"
done

if insmod $PH_KO takeover=maybe 2>/dev/null; then
	ph_fail "insmod accepted takeover=maybe"
fi
dmesg | grep -q "takeover" || ph_fail "no message about the bad parameter"
ph_info "knobs refuse bad input and keep their values"

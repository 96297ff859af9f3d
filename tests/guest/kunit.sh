# SPDX-License-Identifier: GPL-2.0
# pagehint's KUnit suites (tests/kunit): load pagehint_test.ko, which runs
# them, and print each suite's KTAP for the host (scripts/ktap.py counts the
# cases).  Kernels without CONFIG_KUNIT skip.
. /tests/lib.sh

ko=/lib/pagehint/pagehint_test.ko
[ -f $ko ] || ph_skip "no KUnit on this kernel (CONFIG_KUNIT is not set)"
[ -d /sys/kernel/debug/kunit ] || ph_fail "KUnit's debugfs directory is missing"

insmod $ko || ph_fail "insmod pagehint_test.ko failed"
n=0 bad=0
for d in /sys/kernel/debug/kunit/pagehint_*; do
	[ -f "$d/results" ] || continue
	n=$((n + 1))
	sed 's/^/PH-KTAP: /' "$d/results"
	tail -n 1 "$d/results" | grep -q '^ok ' || bad=$((bad + 1))
done
rmmod pagehint_test || ph_fail "rmmod pagehint_test failed"
[ $n -gt 0 ] || ph_fail "no pagehint suite ran"
ph_info "$n KUnit suites, $bad failed"
[ $bad -eq 0 ] || ph_fail "$bad KUnit suites failed"

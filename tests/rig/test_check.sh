#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# test_check.sh: scripts/check.sh's own verdict logic, without guests: a
# skip passes only on a condition its row names, a step the budget cannot
# hold fails by name, the TAP file is written as results come in, and the
# run fails unless something passed and nothing failed.  Exit 0 if all hold.

# Variables come from the sourced check.sh, and are set for it.
# shellcheck disable=SC2154,SC2034
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bad=0

# check.sh without its last line (main "$@"): its functions, unrun.
sed -e '$d' -e "s|\$(dirname \"\$0\")|$top/scripts|" "$top/scripts/check.sh" >"$work/check-lib.sh"
# shellcheck disable=SC1091
PH_RESULTS=$work/results . "$work/check-lib.sh"
mkdir -p "$results"
echo "TAP version 13" >"$tap_file"
run_t0=$(date +%s)

expect() {
	if [ "$1" != "$2" ]; then
		echo "FAIL: $3: got '$1', want '$2'"
		bad=1
	fi
}

# fake_guest DIR STATUS REASON: a guest run that ended with STATUS.
fake_guest() {
	mkdir -p "$1"
	printf '%s\nverdict: skipped: t on k: %s (boot 1.0s, wall 2.0s)\n' "$2" "$3" >"$1/verdict"
	echo "exit $2" >"$1/cmd"
}

budget=0
fake_guest "$work/g1" 4 "[host-hugepages] the host has 0 free huge pages"
run_case "allowed skip" "$work/l1" --skip-ok host-hugepages --guest "$work/g1" sh -c 'exit 4' >/dev/null
expect "$skipped/$failed" "1/0" "a skip on a condition the row names"

fake_guest "$work/g2" 4 "the device does not offer reporting"
run_case "guest skip" "$work/l2" --skip-ok host-hugepages --guest "$work/g2" sh -c 'exit 4' >/dev/null
expect "$skipped/$failed" "1/1" "a skip on a condition the row does not name"

run_case "unlisted skip" "$work/l3" --guest "$work/g1" sh -c 'exit 4' >/dev/null
expect "$skipped/$failed" "1/2" "a skip by a row that names no condition"

run_case "pass" "$work/l4" true >/dev/null
expect "$passed/$failed" "1/2" "a pass"

budget=100
run_t0=$(($(date +%s) - 90))
run_case "late" "$work/l5" true >/dev/null
expect "$passed/$failed" "1/3" "a step the budget cannot hold"
grep -q "^not ok .* - late # not reached" "$tap_file" || { echo "FAIL: TAP lacks the step not reached"; bad=1; }

budget=0
expect "$(grep -c '^\(not \)\?ok ' "$tap_file")" 5 "TAP lines written as results came in"
grep -q '^ok 1 - allowed skip # SKIP \[host-hugepages\]' "$tap_file" || { echo "FAIL: TAP skip line"; bad=1; }

finish >"$work/finish.out"
expect "$?" 1 "a run with failures"
grep -q '^skipped: allowed skip: \[host-hugepages\]' "$work/finish.out" || { echo "FAIL: closing lines do not list the skip"; bad=1; }
expect "$(tail -n 1 "$tap_file")" "1..5" "the TAP plan"

passed=0 failed=0
finish >/dev/null
expect "$?" 1 "a run where nothing passed"

# Membership is by whole word: a kernel id is not a part of another.
in_list bookworm "bookworm-cloud debug" && { echo "FAIL: in_list matched a part of a word"; bad=1; }
in_list debug "bookworm-cloud
debug" || { echo "FAIL: in_list missed a word"; bad=1; }

[ $bad -eq 0 ] && echo "check.sh self-test: all passed"
exit $bad

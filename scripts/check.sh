#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# check.sh: every test of pagehint, on every kernel of the matrix; what
# `make check` and CI run.  Installs what it needs, fetches and caches the
# kernels and QEMU, then:
#
#   host:  a W=1 DKMS build per kernel (any warning fails), sparse, the
#          style checks (scripts/style.sh), the rig's own self-test, and on
#          kernels with CONFIG_KUNIT a W=1 build of the KUnit module;
#   guest: the guest tests of GUEST_TESTS below, in QEMU, by the tiers
#          described at CORE_TESTS.  On the kernel "debug" (KASAN, lockdep,
#          KMEMLEAK, UBSAN, KUnit; see scripts/build-debug-kernel.sh) any
#          sanitizer report fails the test, and so does a kmemleak finding
#          after pagehint is unloaded.  Its "kunit" test runs the KUnit
#          suites; each KUnit case counts as one result.
#
# Ends with "N passed, N failed, N skipped" and exits non-zero on a failure.
#
# Environment:
#   PH_KERNELS="id ..."   kernels to test (default: all of the matrix)
#   PH_TESTS="name ..."   only these guest tests
#   PH_RESULTS=dir        where logs go (default results/check)
#   PH_SUITE=all          every guest test on every kernel (`make check-all`;
#                         `make check` runs the tiers described at
#                         CORE_TESTS below)
#   PH_SUITE=stress       the long forms of the stress tests instead (what
#                         `make stress` runs), without the host checks
#   PH_BUDGET=seconds     past this (default 4500 for `make check`, 0 = no
#                         limit) the tests not yet run count as skipped
#   PH_DISTRO=0           leave out the distro test (scripts/distro-test.sh),
#                         which otherwise runs last if 5 minutes of
#                         PH_BUDGET are left

set -uo pipefail
. "$(dirname "$0")/lib.sh"

# Guest tests: name, rig options, kernels ("all", ids separated by commas,
# or an id with a leading "!" to exclude it).  stock-rebind with reporting
# on is excluded where the stock virtio_balloon oopses on unbind (6.12.95
# from bookworm-backports: a NULL dereference in vp_del_vqs() when
# virtio_balloon, which passes a hole for the absent free page hint queue,
# leaves a device offering reporting; from "virtio_pci: pass vq info as an
# argument to vp_setup_vq()" (6.11), fixed by "virtio_pci: fix vq info
# pointer lookup via wrong index" in 7.2 and 6.12.96).  Options
# after "--" go to QEMU.  admin-trace and report-hugepages test
# logic that does not depend on the kernel (the W=1 builds check the
# tracepoints compile everywhere), so a few kernels suffice; the latter
# reserves 2 GiB of the host's huge pages while it runs, as the --hugepages
# rows of report-backing (guest memory without a shared zero page) do.
GUEST_TESTS="
module-load        -                               all
module-stress      -                               all
device-takeover    --reporting=on                  all
device-noreport    --reporting=off                 all
device-hotplug     -                               all
admin-knobs        -                               all
admin-stats        -                               all
admin-trace        -                               bookworm-cloud,trixie-cloud,sid-cloud,debug
report-reclaim     --reporting=on                  all
report-integrity   --timeout=240                   all
report-poison      --append=init_on_free=1         all
report-pressure    -                               all
report-nodiscard   -- -overcommit mem-lock=on      all
report-hugepages   --hugepages                     bookworm-cloud,debug
report-backing     --hugepages                     bookworm-cloud,debug
report-backing     --memfd                         bookworm-cloud
stock-backing      --hugepages                     bookworm-cloud
stock-backing      --memfd                         bookworm-cloud
report-pagetypes   -                               all
tracker-hints      -                               all
tracker-overflow   -                               all
tracker-loadscan   -                               all
tracker-scanonly   -                               all
system-freeze      -                               all
system-kexec       --timeout=400                   all
system-memhotplug  --timeout=600 --virtio-mem=2G   all
module-load        --machine=microvm               debug
report-reclaim     --reporting=on --machine=microvm   debug
device-takeover    --reporting=on --machine=microvm   debug
system-kexec       --timeout=400 --machine=microvm    debug
balloon-inflate    -                               all
balloon-oom        --balloon-opts=deflate-on-oom=on   all
balloon-compact    -                               all
stock-compact      -                               all
stock-balloon      -                               all
migrate-hint       --reporting=off --free-page-hint   all
stock-migrate      --reporting=off --free-page-hint   all
stock-oom          --balloon-opts=deflate-on-oom=on   all
stock-rebind       --reporting=on                  !bookworm-bpo-cloud
stock-rebind       --reporting=off                 all
stock-reclaim      --reporting=on                  all
stock-noreclaim    --reporting=off                 all
kunit              --timeout=900                   debug
"

# Tiers.  `make check` (what CI runs, within 60 of CI's 90 minutes on a
# cold 2-core machine) runs:
#   - every test of GUEST_TESTS on the default kernel ($PH_DEFAULT_KERNEL);
#   - every test on the debug kernel too (KASAN, lockdep, KMEMLEAK find
#     there what a verdict cannot), the KUnit suites included, except the
#     stock-* rows: they test the stock driver, the baseline pagehint is
#     compared with, not pagehint; of the microvm rows (virtio-mmio, debug
#     kernel only), system-kexec;
#   - on every other kernel, CORE_TESTS: what differs by kernel version
#     (binding and reporting, the take-over, the balloon page API).
# `make check-all` (PH_SUITE=all) runs every test on every kernel (about
# 70 minutes more); `make check-debug` every test on the debug kernel
# alone.  Measured on 2026-12-02 (TCG, 2 cores, warm cache): 50.3 min in
# all, 270 passed, of which the default kernel 14.2 min, the debug kernel
# 28.9 min, the other four 4.7 min, the distro test 1.5 min; a cold cache
# adds 8.3 min (see docs/testing.md).  CI's machine ran the previous
# layout in the time this one did.
CORE_TESTS="module-load report-reclaim device-takeover balloon-inflate"
DEBUG_SKIP="stock-rebind stock-reclaim stock-noreclaim stock-backing stock-balloon stock-oom stock-migrate stock-compact"
# Only in `make check-all`: the stock driver's figures to compare with
# (printed, not judged), and on -M microvm all but kexec (the path only
# virtio-mmio has: no reset at shutdown).
ALL_ONLY="stock-backing stock-balloon stock-oom stock-migrate stock-compact"
MICROVM_CHECK="system-kexec"
# ... and on the newest kernel also the shutdown path it alone has (7.x's
# virtio core calls the driver's .shutdown; older ones only the reboot
# notifier, which the default and debug kernels test).
NEWEST_KERNEL=sid-cloud
NEWEST_TESTS="system-kexec"

# Past PH_BUDGET seconds (default 4500 for `make check`: CI stops a run at
# 5400; no limit for the other suites) the tests not yet run are recorded as
# skipped, with the reason, so that an overrun shows as skips in a finished
# run rather than as a run that never finished.  The default kernel runs
# first, then the debug kernel, then the others.
budget=${PH_BUDGET:-$([ "${PH_SUITE:-check}" = check ] && echo 4500 || echo 0)}

# `make stress` (PH_SUITE=stress): the long forms, no host checks.
STRESS_TESTS="
module-stress      --timeout=1800 --append=ph.cycles=100   all
device-hotplug     --timeout=900 --append=ph.rounds=10     all
report-integrity   --timeout=900 --append=ph.secs=120      all
report-pressure    --timeout=900 --append=ph.rounds=10     all
system-freeze      --timeout=900 --append=ph.rounds=10     all
"

passed=0 failed=0 skipped=0
failures=()
# The modules the host checks built, by kernel id: the guest tests load
# these rather than build their own each run (the W=1 flags add warnings,
# not code).
declare -A built_ko=() built_kunit_ko=()
results=${PH_RESULTS:-$PH_TOP/results/check}

# Every result also goes to $results/check.tap, in TAP (version 13, as
# kselftest prints it), for the standard parsers.
tap=()

# tap_line STATUS NAME: STATUS 0 pass, 4 skip, else fail.
tap_line() {
	case $1 in
	0) tap+=("ok $((${#tap[@]} + 1)) - $2") ;;
	4) tap+=("ok $((${#tap[@]} + 1)) - $2 # SKIP") ;;
	*) tap+=("not ok $((${#tap[@]} + 1)) - $2") ;;
	esac
}

# record NAME STATUS SECONDS: STATUS 0 pass, 4 skip (kselftest's KSFT_SKIP,
# as the rig exits), else fail.
record() {
	case $2 in
	0) passed=$((passed + 1)); printf 'ok      %-58s %5ss\n' "$1" "$3" ;;
	4) skipped=$((skipped + 1)); printf 'skip    %-58s %5ss\n' "$1" "$3" ;;
	*) failed=$((failed + 1)); failures+=("$1")
	   printf 'FAIL    %-58s %5ss\n' "$1" "$3" ;;
	esac
	tap_line "$2" "$1"
}

# run_case NAME LOG CMD...: run CMD, log its output, record the outcome;
# returns CMD's status.
run_case() {
	local name=$1 log=$2 t0 rc
	shift 2
	mkdir -p "$(dirname "$log")"
	t0=$(date +%s)
	"$@" >"$log" 2>&1
	rc=$?
	record "$name" "$rc" "$(($(date +%s) - t0))"
	if [ "$rc" != 0 ] && [ "$rc" != 4 ]; then
		tail -n 15 "$log" | sed 's/^/        | /'
	fi
	return "$rc"
}

# record_ktap ID DIR: count the KUnit cases of a kunit run, one result each;
# failures and skips are listed.
record_ktap() {
	local out=$2/ktap.txt p f s
	python3 "$PH_TOP/scripts/ktap.py" "$2/console.log" "$1: kunit" >"$out"
	read -r _ p f s < <(tail -n 1 "$out")
	grep -E '^(FAIL|skip) ' "$out" | sed 's/^/        /'
	while read -r st name; do
		case $st in
		ok) tap_line 0 "$name" ;;
		skip) tap_line 4 "$name" ;;
		FAIL) tap_line 1 "$name" ;;
		esac
	done < <(grep -E '^(ok|FAIL|skip) ' "$out")
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	skipped=$((skipped + ${s:-0}))
	[ "${f:-0}" -eq 0 ] || failures+=("$1: kunit cases (see $out)")
	echo "        KUnit: ${p:-0} passed, ${f:-0} failed, ${s:-0} skipped"
}

# in_tier NAME ID OPTS: does the suite run test NAME with rig options OPTS
# on kernel ID?
in_tier() {
	case ${PH_SUITE:-check} in
	check) ;;
	*) return 0 ;;
	esac
	grep -qw -- "$1" <<<"$ALL_ONLY" && return 1
	case " $3 " in
	*" --machine=microvm "*) grep -qw -- "$1" <<<"$MICROVM_CHECK" || return 1 ;;
	esac
	[ "$2" = "$PH_DEFAULT_KERNEL" ] && return 0
	[ "$2" = debug ] && { ! grep -qw -- "$1" <<<"$DEBUG_SKIP"; return; }
	[ "$2" = "$NEWEST_KERNEL" ] && grep -qw -- "$1" <<<"$NEWEST_TESTS" && return 0
	grep -qw -- "$1" <<<"$CORE_TESTS"
}

# over_budget: has the run used up PH_BUDGET?
over_budget() {
	[ "$budget" -gt 0 ] && [ $(($(date +%s) - run_t0)) -gt "$budget" ]
}

kernel_selected() {
	local sel=$1 id=$2
	[ "$sel" = all ] && return 0
	case $sel in
	!*) [ "${sel#!}" != "$id" ] ;;
	*) case ",$sel," in *",$id,"*) return 0 ;; esac; return 1 ;;
	esac
}

main() {
	local kernels
	run_t0=$(date +%s)
	ph_host_deps
	ph_need_pkgs sparse
	kernels=${PH_KERNELS:-$(ph_matrix_ids | xargs)}
	rm -rf "$results"
	mkdir -p "$results"

	ph_log "fetching kernels: $kernels"
	# shellcheck disable=SC2086
	"$PH_TOP/scripts/fetch-kernels.sh" $kernels >"$results/fetch.log" 2>&1 ||
		{ cat "$results/fetch.log"; ph_die "fetching kernels failed"; }
	"$PH_TOP/scripts/fetch-qemu.sh" >"$results/qemu.log" 2>&1 ||
		{ cat "$results/qemu.log"; ph_die "fetching QEMU failed"; }

	table=$GUEST_TESTS
	[ "${PH_SUITE:-check}" = stress ] && table=$STRESS_TESTS

	[ "${PH_SUITE:-check}" = stress ] || host_checks "$kernels"
	guest_tests "$kernels"
	[ "${PH_SUITE:-check}" = stress ] || distro_test
	finish
}

# The distro test (scripts/distro-test.sh: 95 s warm, about 4 minutes cold)
# runs last if the run has at least 5 minutes of PH_BUDGET left; otherwise it
# counts as skipped.  PH_DISTRO=0 leaves it out.
distro_test() {
	local elapsed=$(($(date +%s) - run_t0))
	[ "${PH_DISTRO:-1}" = 0 ] && return 0
	[ -z "${PH_TESTS:-}" ] || grep -qw distro-test <<<"$PH_TESTS" || return 0
	echo "== distro test"
	if [ "$budget" -gt 0 ] && [ "$elapsed" -gt $((budget - 300)) ]; then
		record "distro-test (skipped: $elapsed s gone, budget $budget s)" 4 0
		return 0
	fi
	run_case "distro-test" "$results/distro-test.log" "$PH_TOP/scripts/distro-test.sh"
	grep -E 'distro-test:|verdict:' "$results/distro-test.log" | sed 's/^/        /'
}

host_checks() {
	local id
	echo "== host checks"
	# shellcheck disable=SC2086
	set -- $1
	run_case "rig self-test" "$results/host/rig-selftest.log" \
		python3 "$PH_TOP/tests/rig/test_rig.py"
	run_case "style (checkpatch --strict, codespell, shellcheck)" "$results/host/style.log" \
		"$PH_TOP/scripts/style.sh"
	for id in "$@"; do
		run_case "build W=1 (DKMS) $id" "$results/host/build-$id.log" \
			env PH_W1=1 "$PH_TOP/scripts/dkms-build.sh" "$id" &&
			built_ko[$id]=$(tail -n 1 "$results/host/build-$id.log")
		if ! ph_kernel_needs_chroot "$id"; then
			run_case "sparse $id" "$results/host/sparse-$id.log" \
				"$PH_TOP/scripts/sparse.sh" "$id"
		fi
		if grep -qx 'CONFIG_KUNIT=y' "$(ph_kernel_headers "$id")/.config"; then
			run_case "build W=1 KUnit module $id" "$results/host/kunit-$id.log" \
				"$PH_TOP/scripts/kunit-build.sh" "$id" &&
				built_kunit_ko[$id]=$(tail -n 1 "$results/host/kunit-$id.log")
		fi
	done
}

# kernel_order IDS: the default kernel, the debug kernel, then the rest.
kernel_order() {
	local id
	for id in $PH_DEFAULT_KERNEL debug; do
		case " $(echo $1) " in *" $id "*) echo "$id" ;; esac
	done
	for id in $1; do
		[ "$id" = "$PH_DEFAULT_KERNEL" ] || [ "$id" = debug ] || echo "$id"
	done
}

guest_tests() {
	local id name rest opts sel tag
	for id in $(kernel_order "$1"); do
		echo "== guest tests on $id ($(ph_kernel_kver "$id"))"
		while read -r name rest; do
			[ -n "$name" ] || continue
			sel=${rest##* }
			opts=$(echo "${rest% *}" | xargs)
			kernel_selected "$sel" "$id" || continue
			in_tier "$name" "$id" "$opts" || continue
			if [ -n "${PH_TESTS:-}" ] && ! grep -qw -- "$name" <<<"$PH_TESTS"; then
				continue
			fi
			[ "$opts" = - ] && opts=""
			tag=$name${opts:+.$(echo "$opts" | tr -s '= -' '-' | sed 's/^-//')}
			if over_budget; then
				record "$id: $tag (skipped: past the ${budget} s budget)" 4 0
				continue
			fi
			# The debug kernel runs about twice as slowly (KASAN, lockdep).
			[ "$id" = debug ] && opts="--timeout-scale=2 $opts"
			# shellcheck disable=SC2086
			run_case "$id: $tag" "$results/$id/$tag/run.log" \
				env ${built_ko[$id]:+PH_KO=${built_ko[$id]}} \
				${built_kunit_ko[$id]:+PH_KUNIT_KO=${built_kunit_ko[$id]}} \
				"$PH_TOP/scripts/run-guest.sh" -k "$id" -o "$results/$id/$tag" \
				"$name" $opts
			grep -h '^verdict:' "$results/$id/$tag/run.log" | sed 's/^/        /'
			[ "$name" = kunit ] && record_ktap "$id" "$results/$id/$tag"
		done <<<"$table"
	done
}

finish() {
	{
		echo "TAP version 13"
		echo "1..${#tap[@]}"
		printf '%s\n' "${tap[@]}"
	} >"$results/check.tap"
	echo "== ${PH_SUITE:-check} took $(($(date +%s) - run_t0)) s (TAP: $results/check.tap)"
	if [ ${#failures[@]} -gt 0 ]; then
		printf 'failed: %s\n' "${failures[@]}"
	fi
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ]
}

main "$@"

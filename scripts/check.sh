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
# Every result goes to $PH_RESULTS/check.tap as it comes in (TAP 13, the
# plan at the end).  Ends with the skips, each with its reason, the
# failures, and "N passed, N failed, N skipped"; exits non-zero on a
# failure.
#
# What counts as passed.  A skip is a failure, unless the test's row below
# names the condition it may skip on ("skip-ok=CONDITION") and the run shows
# that condition: the rig starts a skip's reason with "[CONDITION]" when it
# is the host's (host-hugepages: the host could not reserve the huge pages
# the row asks for).  A guest test never skips on its own in `make check`:
# what it needs (a feature the device offers, a boot option) is in its row.
# KUnit cases that skip are failures too, and every suite and case the
# KUnit module registers must have run (scripts/ktap.py --expect).
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
#   PH_BUDGET=seconds     the run's budget (default 4500 for `make check`,
#                         0 = no limit): every step's timeout is capped by
#                         what is left of it, and what the run did not reach
#                         within it fails, by name
#   PH_DISTRO=0           leave out the distro test (scripts/distro-test.sh),
#                         which otherwise runs last

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
report-poison      --append=init_on_free=1         !bookworm
report-poison      --append=page_poison=1          bookworm
report-pressure    -                               all
report-nodiscard   -- -overcommit mem-lock=on      all
report-hugepages   --hugepages skip-ok=host-hugepages bookworm-cloud,debug
report-backing     --hugepages skip-ok=host-hugepages bookworm-cloud,debug
report-backing     --memfd                         bookworm-cloud
stock-backing      --hugepages skip-ok=host-hugepages bookworm-cloud
stock-backing      --memfd                         bookworm-cloud
report-pagetypes   -                               all
report-unmovable   --disk=1G                       all
report-churn       --timeout=400                   !bookworm-bpo-cloud
tracker-hints      -                               all
tracker-overflow   -                               all
tracker-loadscan   -                               all
tracker-scanonly   -                               all
system-freeze      -                               all
system-kexec       --timeout=400                   !sid-cloud
system-kexec       --timeout=400 --append=ph.mode=kexec sid-cloud
system-memhotplug  --timeout=600 --virtio-mem=2G   all
module-load        --machine=microvm               debug
report-reclaim     --reporting=on --machine=microvm   debug
device-takeover    --reporting=on --machine=microvm   debug
system-kexec       --timeout=400 --machine=microvm    debug
balloon-inflate    -                               !debug
balloon-inflate    --append=ph.measure=0           debug
balloon-oom        --balloon-opts=deflate-on-oom=on   all
balloon-compact    -                               all
stock-compact      -                               all
stock-balloon      -                               all
migrate-hint       --reporting=off --free-page-hint   all
migrate-hint       --free-page-hint                all
stock-migrate      --reporting=off --free-page-hint   all
stock-oom          --balloon-opts=deflate-on-oom=on   all
stock-rebind       --reporting=on                  !bookworm-bpo-cloud
stock-rebind       --reporting=off                 all
stock-reclaim      --reporting=on                  all
stock-noreclaim    --reporting=off                 all
reclaim-cache      --timeout=400 --disk=2G         all
reclaim-compact    --timeout=400                   all
kunit              --timeout=900                   debug
"

# Tiers.  `make check` (what CI runs: at most 45 minutes on a cold 2-core
# machine, of CI's 90) runs, in this order:
#   - the host checks;
#   - every test of GUEST_TESTS on the default kernel ($PH_DEFAULT_KERNEL),
#     but the rows of ALL_ONLY and the microvm rows;
#   - on every other stock kernel, CORE_TESTS: what differs by kernel
#     version (binding and reporting, the take-over, the balloon page API,
#     how a claim keeps pageblock types), and on the newest kernel
#     NEWEST_TESTS;
#   - on the debug kernel (KASAN, lockdep, KMEMLEAK find there what a
#     verdict cannot), DEBUG_TESTS: the KUnit suites and the lifetime and
#     locking tests, and on -M microvm (virtio-mmio) MICROVM_CHECK;
#   - the distro test.
# `make check-all` (PH_SUITE=all) runs every row on every kernel; `make
# check-debug` every row on the debug kernel.  docs/testing.md has the
# figures.
CORE_TESTS="module-load report-reclaim device-takeover balloon-inflate report-unmovable"
# bookworm is the default kernel's source with Debian's generic config: what
# can differ there is the build, the binding, and page poisoning (of the
# stock kernels, only its config has CONFIG_PAGE_POISONING; report-poison
# reports with it on).  trixie-cloud
# is 6.12 as the debug kernel is, a release apart (and bookworm-bpo-cloud's
# core set reports on 6.12): what can differ there is the build (gcc-14)
# and the binding.
declare -A KERNEL_TESTS=(
	[bookworm]="module-load report-poison"
	[trixie-cloud]="module-load"
)
NEWEST_KERNEL=sid-cloud
# 7.x's virtio core calls the driver's .shutdown; older ones only the
# reboot notifier, which the default and debug kernels test.  It does so
# from device_shutdown(), the same way for a reboot, a power-off and a
# kexec: the newest kernel goes down by kexec only (its row above).
NEWEST_TESTS="system-kexec"
# module-stress loads and unloads under load; module-load adds nothing there.
# balloon-inflate's row there leaves out the host's figures (ph.measure=0),
# which the stock kernels check: KASAN, lockdep and kmemleak look at the
# inflate, deflate and unload paths.
# system-kexec runs on -M microvm only (MICROVM_CHECK): on 6.12 every way
# down goes through the same reboot notifier, which the default kernel
# tests on virtio-pci each way.
DEBUG_TESTS="kunit module-stress device-takeover device-hotplug system-freeze balloon-inflate"
# On -M microvm, the path only virtio-mmio has (no reset at shutdown), and
# the shutdown path under KASAN and lockdep.
MICROVM_CHECK="system-kexec"
# Only in `make check-all`: the stock driver's figures to compare with,
# stock-rebind (the stock driver alone), and report-hugepages (the granule
# on hugetlbfs, which report-backing --hugepages covers as the admin sees
# it: host memory back).
ALL_ONLY="stock-backing stock-balloon stock-oom stock-migrate stock-compact stock-rebind report-hugepages"
# ... and these rows (name and options): guest memory in a memfd (shmem, as
# vhost-user has it), which the --hugepages row's path (no shared zero page)
# covers; the stock driver's reclaim and its control, which show the rig
# measures reclaim (report-reclaim and device-noreport judge pagehint by the
# same measure); free page hinting with the device's reporting off, whose
# protocol the row with reporting on covers as well.
ALL_ONLY_ROWS="report-backing.memfd stock-reclaim.reporting-on stock-noreclaim.reporting-off migrate-hint.reporting-off-free-page-hint"

# The run's budget: CI stops a run at 5400 s; 4500 leaves it the time to
# clone and to install the host's packages.  No limit for the other suites.
budget=${PH_BUDGET:-$([ "${PH_SUITE:-check}" = check ] && echo 4500 || echo 0)}
# A step is not started with less than this left: it could not finish.
MIN_START=60

# `make stress` (PH_SUITE=stress): the long forms, no host checks.
STRESS_TESTS="
module-stress      --timeout=1800 --append=ph.cycles=100   all
device-hotplug     --timeout=900 --append=ph.rounds=10     all
report-integrity   --timeout=900 --append=ph.secs=120      all
report-pressure    --timeout=900 --append=ph.rounds=10     all
system-freeze      --timeout=900 --append=ph.rounds=10     all
"

passed=0 failed=0 skipped=0 ntap=0
failures=() skips=()
# The modules the host checks built, by kernel id: the guest tests load
# these rather than build their own each run (the W=1 flags add warnings,
# not code).
declare -A built_ko=() built_kunit_ko=()
results=${PH_RESULTS:-$PH_TOP/results/check}
tap_file=$results/check.tap

# tap_line STATUS NAME [REASON]: one TAP line, appended to the TAP file
# as it comes (kselftest's TAP 13; the plan goes at the end).  STATUS ok,
# skip or FAIL.
tap_line() {
	ntap=$((ntap + 1))
	case $1 in
	ok) echo "ok $ntap - $2" ;;
	skip) echo "ok $ntap - $2 # SKIP ${3:-}" ;;
	*) echo "not ok $ntap - $2${3:+ # $3}" ;;
	esac >>"$tap_file"
}

# record NAME STATUS SECONDS [REASON]: STATUS ok, skip or FAIL.
record() {
	printf '%-7s %-58s %5ss\n' "$2" "$1" "$3"
	case $2 in
	ok) passed=$((passed + 1)) ;;
	skip) skipped=$((skipped + 1)); skips+=("$1: ${4:-}") ;;
	*) failed=$((failed + 1)); failures+=("$1${4:+: $4}")
	   [ -z "${4:-}" ] || echo "        | $4" ;;
	esac
	tap_line "$2" "$1" "${4:-}"
}

# left: seconds of the budget left (a large number without a budget).
left() {
	if [ "$budget" -gt 0 ]; then
		echo $((run_t0 + budget - $(date +%s)))
	else
		echo 999999
	fi
}

# skip_reason DIR: the reason of the skip a guest run in DIR ended with.
skip_reason() {
	sed -n '2s/^verdict: skipped: [^:]*: \(.*\) (boot .*/\1/p' "$1/verdict" 2>/dev/null
}

# in_list WORD LIST: is WORD one of the blank-separated words of LIST?
# (Not grep -w: "bookworm" is a word of "bookworm-cloud" to grep.)
in_list() {
	case " $(echo $2) " in *" $1 "*) return 0 ;; esac
	return 1
}

# skip_allowed REASON CONDITIONS: does REASON start with "[C]", C one of
# CONDITIONS?
skip_allowed() {
	local c
	c=$(sed -n 's/^\[\([a-z0-9-]*\)\].*/\1/p' <<<"$1")
	[ -n "$c" ] && in_list "$c" "$2"
}

# run_case NAME LOG [--skip-ok CONDITIONS] [--guest DIR] CMD...: run CMD
# within what is left of the budget, log its output, record the outcome;
# returns CMD's status (0 pass, 4 skip, else fail).  A skip passes only
# for a condition of CONDITIONS, shown by the reason a guest run in DIR
# gave; any other skip is a failure.
run_case() {
	local name=$1 log=$2 ok_skip="" dir="" deadline="" t0 secs rc why n
	shift 2
	[ "$1" = --skip-ok ] && { ok_skip=$2; shift 2; }
	[ "$1" = --guest ] && { dir=$2; shift 2; }
	n=$(left)
	if [ "$n" -lt $MIN_START ]; then
		record "$name" FAIL 0 "not reached within the ${budget} s budget"
		return 1
	fi
	mkdir -p "$(dirname "$log")"
	t0=$(date +%s)
	# A guest stops itself by PH_DEADLINE; timeout(1) is the backstop for
	# a step that does not.
	[ "$budget" -gt 0 ] && deadline=$((run_t0 + budget))
	PH_DEADLINE=$deadline timeout -k 30 $((n + 60)) "$@" >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - t0))
	case $rc in
	0) record "$name" ok $secs ;;
	4)
		why=$(skip_reason "${dir:-/nonexistent}")
		if skip_allowed "$why" "$ok_skip"; then
			record "$name" skip $secs "$why"
		else
			record "$name" FAIL $secs "skipped, which its row does not allow: ${why:-no reason given}"
		fi
		;;
	124 | 137) record "$name" FAIL $secs "stopped at the end of the ${budget} s budget" ;;
	*) record "$name" FAIL $secs ;;
	esac
	if [ "$rc" != 0 ] && [ "$rc" != 4 ]; then
		tail -n 15 "$log" | sed 's/^/        | /'
	fi
	return "$rc"
}

# record_ktap ID DIR: one result per KUnit case of a kunit run, and one
# failure per registered suite or case that never ran; a case that skipped
# is a failure.
record_ktap() {
	local out=$2/ktap.txt st name
	python3 "$PH_TOP/scripts/ktap.py" "$2/console.log" "$1: kunit" \
		--expect "$PH_TOP/tests/kunit" >"$out"
	sed -n 's/^expected /        KUnit: expected /p' "$out"
	while read -r st name; do
		case $st in
		ok) record "$name" ok 0 ;;
		skip) record "$name" FAIL 0 "a KUnit case skipped" ;;
		FAIL) record "$name" FAIL 0 ;;
		esac
	done < <(grep -E '^(ok|FAIL|skip) ' "$out")
}

# in_tier NAME ID OPTS: does the suite run test NAME with rig options OPTS
# on kernel ID?
in_tier() {
	case ${PH_SUITE:-check} in
	check) ;;
	*) return 0 ;;
	esac
	in_list "$1" "$ALL_ONLY" && return 1
	case " $3 " in
	*" --machine=microvm "*)
		[ "$2" = debug ] && in_list "$1" "$MICROVM_CHECK"
		return
		;;
	esac
	[ "$2" = "$PH_DEFAULT_KERNEL" ] && return 0
	[ "$2" = debug ] && { in_list "$1" "$DEBUG_TESTS"; return; }
	[ -n "${KERNEL_TESTS[$2]:-}" ] && { in_list "$1" "${KERNEL_TESTS[$2]}"; return; }
	[ "$2" = "$NEWEST_KERNEL" ] && in_list "$1" "$NEWEST_TESTS" && return 0
	in_list "$1" "$CORE_TESTS"
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
	local kernels stock="" id want_debug=""
	run_t0=$(date +%s)
	ph_host_deps
	ph_need_pkgs sparse
	kernels=${PH_KERNELS:-$(ph_matrix_ids | xargs)}
	rm -rf "$results"
	mkdir -p "$results"
	echo "TAP version 13" >"$tap_file"

	table=$GUEST_TESTS
	[ "${PH_SUITE:-check}" = stress ] && table=$STRESS_TESTS

	for id in $kernels; do
		if [ "$id" = debug ]; then want_debug=1; else stock+=" $id"; fi
	done
	ph_log "fetching kernels: $kernels"
	# fetch-kernels.sh with no id would fetch every kernel, the debug
	# kernel's build included.
	if run_case "fetch the stock kernels and QEMU" "$results/fetch.log" \
		sh -c '{ [ -z "$2" ] || "$1"/scripts/fetch-kernels.sh $2; } && "$1"/scripts/fetch-qemu.sh' \
		- "$PH_TOP" "$stock"; then
		[ -z "$want_debug" ] || debug_build_start
		if [ "${PH_SUITE:-check}" != stress ]; then
			host_common
			for id in $(kernel_order "$stock"); do
				host_kernel "$id"
			done
		fi
		guest_tests "$stock"
		if [ -n "$debug_pid" ] && debug_build_wait; then
			[ "${PH_SUITE:-check}" = stress ] || host_kernel debug
			guest_tests debug
		fi
		[ "${PH_SUITE:-check}" = stress ] || distro_test
	fi
	finish
}

# The debug kernel is built from source the first time (about 10 minutes on
# two idle cores).  It builds at the lowest priority while the stock
# kernels' checks and guests run, on the CPU time they leave idle; its own
# checks and guests come after it.  In a session of its own (a process
# group to stop it by), which is an autogroup of its own where the
# scheduler has them: that autogroup gets nice 19, or it would get as much
# CPU as the guests' (and they stall under TCG); SCHED_IDLE and nice 19
# where there are no autogroups.
debug_pid=""
debug_build_start() {
	# The distro test's Debian base (a debootstrap) is made here too, after
	# the kernel: the distro test at the end then only installs and boots.
	setsid chrt --idle 0 nice -n 19 sh -c '
		[ ! -w /proc/self/autogroup ] || echo 19 >/proc/self/autogroup
		"$1"/scripts/fetch-kernels.sh debug >"$2" 2>&1
		rc=$?
		[ "$3" = 0 ] || PH_DISTRO_BASE_ONLY=1 "$1"/scripts/distro-test.sh >>"$2" 2>&1
		exit $rc' - "$PH_TOP" "$results/debug-kernel.log" "${PH_DISTRO:-1}" &
	debug_pid=$!
	debug_t0=$(date +%s)
	# Stopped with the run, if the run ends first.
	trap '[ -z "$debug_pid" ] || kill -- -"$debug_pid" 2>/dev/null' EXIT
}

# debug_build_wait: wait for the debug kernel (within the budget) and
# record its build as a result.
debug_build_wait() {
	local t0 rc
	t0=$(date +%s)
	while kill -0 "$debug_pid" 2>/dev/null && [ "$(left)" -ge $MIN_START ]; do
		sleep 5
	done
	if kill -0 "$debug_pid" 2>/dev/null; then
		kill -- -"$debug_pid" 2>/dev/null
		debug_pid=""
		record "build the debug kernel" FAIL $(($(date +%s) - debug_t0)) \
			"not done within the ${budget} s budget"
		return 1
	fi
	wait "$debug_pid"
	rc=$?
	debug_pid=""
	if [ $rc -ne 0 ]; then
		record "build the debug kernel" FAIL $(($(date +%s) - debug_t0)) \
			"see $results/debug-kernel.log"
		tail -n 15 "$results/debug-kernel.log" | sed 's/^/        | /'
		return 1
	fi
	record "build the debug kernel" ok $(($(date +%s) - debug_t0))
	echo "        (waited $(($(date +%s) - t0)) s for it after the stock kernels)"
}

# The distro test (scripts/distro-test.sh: 95 s warm, about 4 minutes
# cold) runs last.  PH_DISTRO=0 leaves it out.
distro_test() {
	[ "${PH_DISTRO:-1}" = 0 ] && return 0
	[ -z "${PH_TESTS:-}" ] || in_list distro-test "$PH_TESTS" || return 0
	echo "== distro test"
	run_case "distro-test" "$results/distro-test.log" "$PH_TOP/scripts/distro-test.sh"
	grep -E 'distro-test:|verdict:' "$results/distro-test.log" | sed 's/^/        /'
}

# The host checks that do not depend on a kernel.
host_common() {
	echo "== host checks"
	run_case "rig self-test" "$results/host/rig-selftest.log" \
		python3 "$PH_TOP/tests/rig/test_rig.py"
	run_case "check.sh self-test" "$results/host/check-selftest.log" \
		"$PH_TOP/tests/rig/test_check.sh"
	run_case "style (checkpatch --strict, codespell, shellcheck)" "$results/host/style.log" \
		"$PH_TOP/scripts/style.sh"
	mkdir -p "$results/host/reclaimd"
	run_case "pagehint-reclaimd: build, policy test" "$results/host/reclaimd.log" \
		make -C "$PH_TOP/tools/reclaimd" OUT="$results/host/reclaimd" all test
}

# Sparse runs on the default kernel and the debug kernel (6.1 and 6.12:
# both sides of every compat switch the host compiler can build).
SPARSE_KERNELS="$PH_DEFAULT_KERNEL debug"

# host_kernel ID: the W=1 DKMS build, sparse, the W=1 KUnit module build.
host_kernel() {
	local id=$1
	echo "== host checks on $id"
	run_case "build W=1 (DKMS) $id" "$results/host/build-$id.log" \
		env PH_W1=1 "$PH_TOP/scripts/dkms-build.sh" "$id" &&
		built_ko[$id]=$(tail -n 1 "$results/host/build-$id.log")
	if in_list "$id" "$SPARSE_KERNELS" || [ "${PH_SUITE:-check}" != check ]; then
		ph_kernel_needs_chroot "$id" ||
			run_case "sparse $id" "$results/host/sparse-$id.log" \
				"$PH_TOP/scripts/sparse.sh" "$id"
	fi
	if grep -qx 'CONFIG_KUNIT=y' "$(ph_kernel_headers "$id")/.config"; then
		run_case "build W=1 KUnit module $id" "$results/host/kunit-$id.log" \
			"$PH_TOP/scripts/kunit-build.sh" "$id" &&
			built_kunit_ko[$id]=$(tail -n 1 "$results/host/kunit-$id.log")
	fi
}

# kernel_order IDS: the default kernel, the other stock kernels, the debug
# kernel last (its tests are the slowest).
kernel_order() {
	local id
	case " $(echo $1) " in *" $PH_DEFAULT_KERNEL "*) echo "$PH_DEFAULT_KERNEL" ;; esac
	for id in $1; do
		[ "$id" = "$PH_DEFAULT_KERNEL" ] || [ "$id" = debug ] || echo "$id"
	done
	case " $(echo $1) " in *" debug "*) echo debug ;; esac
}

guest_tests() {
	local id name rest opts sel tag ok_skip
	for id in $(kernel_order "$1"); do
		echo "== guest tests on $id ($(ph_kernel_kver "$id"))"
		while read -r name rest; do
			[ -n "$name" ] || continue
			sel=${rest##* }
			opts=$(echo "${rest% *}" | xargs)
			kernel_selected "$sel" "$id" || continue
			in_tier "$name" "$id" "$opts" || continue
			if [ -n "${PH_TESTS:-}" ] && ! in_list "$name" "$PH_TESTS"; then
				continue
			fi
			# skip-ok=CONDITION: the run may skip on that condition.
			ok_skip=$(tr ' ' '\n' <<<"$opts" | sed -n 's/^skip-ok=//p' | xargs)
			opts=$(tr ' ' '\n' <<<"$opts" | grep -v '^skip-ok=' | xargs)
			[ "$opts" = - ] && opts=""
			tag=$name${opts:+.$(echo "$opts" | tr -s '= -' '-' | sed 's/^-//')}
			if [ "${PH_SUITE:-check}" = check ] && in_list "$tag" "$ALL_ONLY_ROWS"; then
				continue
			fi
			# The debug kernel runs about twice as slowly (KASAN, lockdep).
			[ "$id" = debug ] && opts="--timeout-scale=2 $opts"
			# shellcheck disable=SC2086
			run_case "$id: $tag" "$results/$id/$tag/run.log" \
				${ok_skip:+--skip-ok "$ok_skip"} --guest "$results/$id/$tag" \
				env ${built_ko[$id]:+PH_KO=${built_ko[$id]}} \
				${built_kunit_ko[$id]:+PH_KUNIT_KO=${built_kunit_ko[$id]}} \
				"$PH_TOP/scripts/run-guest.sh" -k "$id" -o "$results/$id/$tag" \
				"$name" $opts
			grep -h '^verdict:' "$results/$id/$tag/run.log" | sed 's/^/        /'
			[ "$name" = kunit ] && [ -f "$results/$id/$tag/console.log" ] &&
				record_ktap "$id" "$results/$id/$tag"
		done <<<"$table"
	done
}

finish() {
	echo "1..$ntap" >>"$tap_file"
	echo "== ${PH_SUITE:-check} took $(($(date +%s) - run_t0)) s (TAP: $tap_file)"
	if [ ${#skips[@]} -gt 0 ]; then
		printf 'skipped: %s\n' "${skips[@]}"
	fi
	if [ ${#failures[@]} -gt 0 ]; then
		printf 'failed: %s\n' "${failures[@]}"
	fi
	echo "$passed passed, $failed failed, $skipped skipped"
	[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}

main "$@"

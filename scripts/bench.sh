#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh: pagehint side by side with the kernel's own free page reporting
# (what `make bench` runs).  Each configuration boots the same guest
# (tests/guest/bench.sh) on the same QEMU and kernel and runs the four
# workloads: bulk, fragmented, fault throughput, churn.  The rounds
# interleave the configurations so that drift on the machine hits them
# alike.  scripts/bench-report.py then prints the table (min/median/max),
# writes bench.csv and plots host RSS over time (PNG).
#
# Environment:
#   PH_BENCH_KERNEL=id   guest kernel (default bookworm-cloud)
#   PH_BENCH_REPS=N      rounds (default 3)
#   PH_BENCH_MEM=size    guest RAM (default 2G)
#   PH_BENCH_CONFIGS     default "none upstream upstream_tuned upstream0 pagehint tuned"
#   PH_BENCH_TUNED="ph.order=2 ph.delay=500"   the tuned rows' knobs
#                        (upstream_tuned: page_reporting_order only)
#   PH_RESULTS=dir       where results go (default results/bench/<date>)
#
# Figures only: nothing here passes or fails on speed.  Not part of
# `make check`.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=${PH_BENCH_KERNEL:-bookworm-cloud}
reps=${PH_BENCH_REPS:-3}
mem=${PH_BENCH_MEM:-2G}
configs=${PH_BENCH_CONFIGS:-none upstream upstream_tuned upstream0 pagehint tuned}
tuned=${PH_BENCH_TUNED:-ph.order=2 ph.delay=500}
out=${PH_RESULTS:-$PH_TOP/results/bench/$(date -u +%Y%m%d-%H%M%S)}

[[ $reps =~ ^[1-9][0-9]*$ ]] || ph_die "PH_BENCH_REPS must be a positive number"
ph_host_deps
ph_need_pkgs gnuplot-nox
"$PH_TOP/scripts/fetch-kernels.sh" "$kernel" >/dev/null
"$PH_TOP/scripts/fetch-qemu.sh" >/dev/null
mkdir -p "$out"
ph_log "bench: kernel $kernel, $reps rounds of: $configs; results in $out"

t0=$(date +%s)
for rep in $(seq "$reps"); do
	for cfg in $configs; do
		reporting=on append="ph.cfg=$cfg"
		[ "$cfg" = none ] && reporting=off
		case $cfg in *tuned) append="$append $tuned" ;; esac
		rc=0
		"$PH_TOP/scripts/run-guest.sh" -k "$kernel" -o "$out/$cfg-$rep" bench \
			--reporting="$reporting" --mem "$mem" --timeout 900 \
			--append "$append" >"$out/$cfg-$rep.verdict" 2>&1 || rc=$?
		ph_bench_ran "$out" "$cfg" "$rep" "$t0" "$rc"
	done
done

ph_bench_machine "$out" "$t0" "$kernel ($(ph_kernel_kver "$kernel")), $mem RAM, 2 vCPU" "tuned: $tuned"
python3 "$PH_TOP/scripts/bench-report.py" "$out"

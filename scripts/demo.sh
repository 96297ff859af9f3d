#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh [-k KERNEL]: the one-command demo.  Installs what is missing,
# fetches the default stock kernel and QEMU, builds pagehint through DKMS,
# boots a guest with a free-page-reporting balloon device, touches and frees
# 1 GiB in it, and prints the QEMU process's RSS before, at the peak and
# after, as the host sees it.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=$PH_DEFAULT_KERNEL
while getopts "k:" opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	*) ph_die "usage: $0 [-k KERNEL]" ;;
	esac
done

ph_host_deps
"$PH_TOP/scripts/fetch-kernels.sh" "$kernel" >/dev/null
"$PH_TOP/scripts/fetch-qemu.sh" >/dev/null
out=$PH_TOP/results/demo/$kernel
rm -rf "$out"
ph_log "booting $kernel ($(ph_kernel_kver "$kernel")) with 2 GiB; the guest touches and frees 1 GiB"
rc=0
"$PH_TOP/scripts/run-guest.sh" -k "$kernel" -o "$out" stock-reclaim || rc=$?

mark() { awk -v m="$1" '$2 == "mark" && $3 == m { print int($4 / 1024) }' "$out/events.tsv"; }
before=$(mark before) peak=$(mark peak) after=$(mark after)
half=$(awk '$2 == "reclaimed" { print $NF }' "$out/events.tsv")
if [ -n "$before" ] && [ -n "$peak" ] && [ -n "$after" ]; then
	took=$((peak - before))
	back=$((peak - after))
	echo
	echo "QEMU RSS on the host (guest: $kernel, reporter: stock virtio_balloon)"
	printf '  before the workload  %6d MiB\n' "$before"
	printf '  peak (1 GiB touched) %6d MiB\n' "$peak"
	printf '  after the free       %6d MiB   reclaimed %d of %d MiB (%d%%), half of it %s\n' \
		"$after" "$back" "$took" $((took > 0 ? back * 100 / took : 0)) "${half:+after $half}"
	echo "  samples: $out/rss.tsv   console: $out/console.log"
fi
exit $rc

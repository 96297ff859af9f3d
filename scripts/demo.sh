#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# demo.sh [-k KERNEL]: the one-command demo.  Installs what is missing,
# fetches the default stock kernel and QEMU, builds pagehint through DKMS,
# boots a guest with a free-page-reporting balloon device, touches and frees
# 1 GiB in it, and prints the QEMU process's RSS before, at the peak and
# after, as the host sees it: once with pagehint reporting, once with the
# stock virtio_balloon's reporting, for comparison.

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
ph_need_pkgs gnuplot-nox
"$PH_TOP/scripts/fetch-kernels.sh" "$kernel" >/dev/null
"$PH_TOP/scripts/fetch-qemu.sh" >/dev/null
# mark DIR LABEL: the QEMU RSS (MiB) the guest asked the host to record.
mark() { awk -v m="$2" '$2 == "mark" && $3 == m { print int($4 / 1024) }' "$1/events.tsv"; }

# show DIR REPORTER: one row of the table.
show() {
	local before peak after half took back
	before=$(mark "$1" before) peak=$(mark "$1" peak) after=$(mark "$1" after)
	half=$(awk '$2 == "reclaimed" { print $NF }' "$1/events.tsv")
	if [ -z "$before" ] || [ -z "$peak" ] || [ -z "$after" ]; then
		printf '  %-22s (no figures: see %s/console.log)\n' "$2" "$1"
		return
	fi
	took=$((peak - before))
	back=$((peak - after))
	printf '  %-22s %6d %6d %6d MiB   %4d%% back, half of it after %s\n' \
		"$2" "$before" "$peak" "$after" $((took > 0 ? back * 100 / took : 0)) \
		"${half:-(not within 60 s)}"
}

base=$PH_TOP/results/demo/$kernel
rm -rf "$base"
ph_log "booting $kernel ($(ph_kernel_kver "$kernel")) twice with 2 GiB; each guest touches and frees 1 GiB"
rc=0
"$PH_TOP/scripts/run-guest.sh" -k "$kernel" -o "$base/pagehint" report-reclaim || rc=$?
"$PH_TOP/scripts/run-guest.sh" -k "$kernel" -o "$base/stock" stock-reclaim || rc=$?

echo
echo "QEMU RSS on the host, guest $kernel ($(ph_kernel_kver "$kernel")), 1 GiB touched then freed:"
printf '  %-22s %6s %6s %6s\n' reporter before peak after
show "$base/pagehint" "pagehint"
show "$base/stock" "stock virtio_balloon"
echo "  RSS samples: $base/*/rss.tsv   guest consoles: $base/*/console.log"
if python3 "$PH_TOP/scripts/demo-plot.py" "$base/rss.png" "$kernel" \
	"$base/pagehint=pagehint" "$base/stock=stock virtio_balloon" 2>"$base/plot.log"; then
	echo "  picture (RSS over time, both side by side): $base/rss.png"
else
	echo "  no picture: $(tail -n 1 "$base/plot.log")"
fi
exit $rc

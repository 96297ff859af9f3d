# SPDX-License-Identifier: GPL-2.0
# Benchmark, not a test: what reporting costs the other vCPUs, by counts
# that TCG does not distort.  pagehint owns a range with
# alloc_contig_range(), which drains every CPU's per-cpu lists and, through
# lru_cache_disable(), waits for an expedited RCU grace period and drains
# the LRU caches of every CPU: each claim can interrupt every vCPU, and
# each interrupt is a VM exit.  Upstream reporting takes pages off the free
# lists under the zone lock and interrupts no one.
#
# In one boot, the stock driver then pagehint, both at their defaults, for
# two workloads: 1 GiB touched and freed at once (bulk), and 1 GiB in
# transparent huge pages of which every other 2 MiB is freed and the rest
# held while the reporter works (fragmented).
# Per workload it prints function-call and TLB-shootdown interrupts
# (/proc/interrupts CAL and TLB, all CPUs), expedited RCU grace periods
# (a kprobe on synchronize_rcu_expedited, where the kernel has kprobe
# events) and pagehint's claims, and per GiB reported for pagehint.  Run it
# with --smp 2, 4 and 8 (make bench-claims).
. /tests/lib.sh

SETTLE=${PH_SETTLE:-12}
T=/sys/kernel/tracing
ncpu=$(grep -c ^processor /proc/cpuinfo)

irqs() {
	awk -v k="$1:" '$1 == k { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i } END { print n + 0 }' /proc/interrupts
}

expedited() {
	if [ -f $T/kprobe_profile ]; then
		awk '$1 == "ph_exp" { print $2 }' $T/kprobe_profile
	else
		echo -
	fi
}

# counter NAME: pagehint's counter NAME, 0 while pagehint is not loaded.
counter() {
	if [ -d $PH_SYSFS ]; then cat $PH_SYSFS/$1; else echo 0; fi
}

# measure DRIVER WORKLOAD CMD...: run CMD, let the reporter settle, print
# the counts it cost.
measure() {
	local drv=$1 wl=$2 cal0 tlb0 exp0 cl0 rep0 cal tlb exp cl rep gib
	shift 2
	sleep 3
	cal0=$(irqs CAL) tlb0=$(irqs TLB) exp0=$(expedited) cl0=$(counter claims) rep0=$(counter reported_bytes)
	"$@" >/dev/null || ph_fail "$wl workload failed"
	sleep "$SETTLE"
	cal=$(($(irqs CAL) - cal0)) tlb=$(($(irqs TLB) - tlb0))
	exp=-
	[ "$exp0" = - ] || exp=$(($(expedited) - exp0))
	cl=$(($(counter claims) - cl0)) rep=$(($(counter reported_bytes) - rep0))
	gib=$(awk -v r="$rep" 'BEGIN { printf "%.2f", r / 1073741824 }')
	echo "PH-BENCH claims vcpus=$ncpu driver=$drv workload=$wl CAL=$cal TLB=$tlb expedited_gp=$exp claims=$cl reported_GiB=$gib$(
		[ "$rep" -gt 0 ] && awk -v c="$cal" -v t="$tlb" -v n="$cl" -v r="$rep" \
			'BEGIN { g = r / 1073741824; printf " per_GiB: CAL=%d TLB=%d claims=%d", c / g, t / g, n / g }')"
}

# A kprobe counts hits (kprobe_profile) only while its event is enabled.
if [ -f $T/kprobe_events ]; then
	{ echo 'p:ph_exp synchronize_rcu_expedited' >>$T/kprobe_events &&
		echo 1 >$T/events/kprobes/ph_exp/enable; } 2>/dev/null ||
		ph_info "no kprobe on synchronize_rcu_expedited: expedited grace periods not counted"
fi
ph_unbind_safe || ph_fail "virtio_balloon cannot be removed from this kernel with reporting on"
for drv in stock pagehint; do
	ph_load_driver $drv
	measure $drv bulk ph-memtouch -m 1024
	# Held while the reporter works: the scattered 2 MiB blocks alone.
	measure $drv fragmented ph-fragment -t -m 1024 -p 2048 -h "$SETTLE"
	case $drv in
	stock) rmmod virtio_balloon || ph_fail "rmmod virtio_balloon failed" ;;
	pagehint) rmmod pagehint || ph_fail "rmmod failed" ;;
	esac
done

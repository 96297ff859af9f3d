# SPDX-License-Identifier: GPL-2.0
# Benchmark, not a test: what reporting costs the other vCPUs, by counts
# that TCG does not distort.  pagehint owns a range with
# alloc_contig_range(), which drains every CPU's per-cpu lists and, through
# lru_cache_disable(), waits for an expedited RCU grace period (an
# interrupt for every vCPU that is not idle) and drains the LRU caches of
# every CPU that has pages in them: each claim can interrupt every vCPU,
# and each interrupt is a VM exit.  Upstream reporting takes pages off the
# free lists under the zone lock and interrupts no one.
#
# In one boot, the stock driver then pagehint, both at their defaults (each
# measured once it has settled after its load), ph.rounds= rounds (3) of
# three workloads: 1 GiB touched and freed at once (bulk); 1 GiB in
# transparent huge pages of which every other 2 MiB is freed and the rest
# held while the reporter works (fragmented: 512 MiB free in 256 runs);
# and the same with a busy loop on every vCPU (fragmented-busy: no vCPU
# idle, the worst case for an expedited grace period).
# Per round it prints, from the free to 12 s later (to the end of the
# hold), function-call and TLB-shootdown interrupts (/proc/interrupts CAL
# and TLB, all CPUs), expedited RCU grace periods (a kprobe on
# wait_rcu_exp_gp(), which drives each one, where the kernel has kprobe
# events: claims waiting at once share them), pagehint's claims and what
# it reported; then per workload the medians per GiB freed (the same denominator for both drivers: the stock
# driver counts nothing) and pagehint's CAL over the stock driver's.  Run
# it with --smp 2, 4 and 8 (make bench-claims).
#
# ph.ipistacks=1 also prints, per driver and workload, the kernel stacks
# that sent the function-call interrupts (kprobes with a histogram trigger
# on the senders, where the kernel has them): where the interrupts come
# from.
. /tests/lib.sh

SETTLE=${PH_SETTLE:-12}
ROUNDS=$(ph_param rounds 3)
T=/sys/kernel/tracing
ncpu=$(grep -c ^processor /proc/cpuinfo)
IPISTACKS=$(ph_param ipistacks 0)
IPI_EVENTS=

# /tmp/snap FILE: the counts now, into FILE (a script: the workloads run
# it at their marks).
cat >/tmp/snap <<'SNAP'
#!/bin/sh
T=/sys/kernel/tracing
S=/sys/kernel/mm/pagehint
irqs() {
	awk -v k="$1:" '$1 == k { for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) n += $i } END { print n + 0 }' /proc/interrupts
}
# Expedited grace periods, "-" without the kprobe.
expedited() {
	if [ -f $T/kprobe_profile ]; then
		awk '$1 == "ph_exp" { n = $2 } END { print n == "" ? "-" : n }' $T/kprobe_profile
	else
		echo -
	fi
}
# pagehint's counter NAME, 0 while pagehint is not loaded.
counter() {
	if [ -d $S ]; then cat $S/$1; else echo 0; fi
}
echo "$(irqs CAL) $(irqs TLB) $(expedited) $(counter claims) $(counter reported_bytes)" >"$1"
SNAP
chmod +x /tmp/snap

# spin N: a busy loop at the lowest priority on each of N vCPUs, until
# unspin.
spin() {
	local n=$1
	SPIN_PIDS=
	while [ "$n" -gt 0 ]; do
		n=$((n - 1))
		sh -c 'renice -n 19 $$ >/dev/null; while :; do :; done' &
		SPIN_PIDS="$SPIN_PIDS $!"
	done
}

unspin() {
	# shellcheck disable=SC2086
	kill $SPIN_PIDS
	# shellcheck disable=SC2086
	wait $SPIN_PIDS 2>/dev/null || true
}

# bulk: 1 GiB touched and freed, counted until SETTLE seconds after.
bulk() {
	/tmp/snap /tmp/s0
	ph-memtouch -m 1024 >/dev/null || return 1
	sleep "$SETTLE"
	/tmp/snap /tmp/s1
}

# fragmented: 512 MiB freed in 2 MiB pieces between the 2 MiB pieces
# held, counted from the free to the end of the hold.
fragmented() {
	ph-fragment -t -m 1024 -p 2048 -f '/tmp/snap /tmp/s0' -h "$SETTLE" \
		-e '/tmp/snap /tmp/s1' >/dev/null
}

# fragmented-busy: the same with every vCPU busy.
fragmented_busy() {
	local rc=0
	spin "$ncpu"
	fragmented || rc=$?
	unspin
	return $rc
}

# The senders of function-call interrupts on x86, probed with a histogram
# of their callers' stacks (ph.ipistacks=1).
ipi_probe_init() {
	local f
	for f in native_send_call_func_single_ipi native_send_call_func_ipi; do
		grep -q " $f\$" /proc/kallsyms || continue
		echo "p:ph_$f $f" >>$T/kprobe_events 2>/dev/null || continue
		IPI_EVENTS="$IPI_EVENTS ph_$f"
	done
	[ -n "$IPI_EVENTS" ] || ph_info "no kprobe on the IPI senders: no stacks"
}

IPI_HISTS='hist:keys=stacktrace:vals=hitcount:sort=hitcount.descending
hist:keys=common_pid.execname:vals=hitcount:sort=hitcount.descending'

ipi_stacks_start() {
	local e h
	for e in $IPI_EVENTS; do
		echo "$IPI_HISTS" | while read -r h; do
			echo "$h" >>$T/events/kprobes/$e/trigger
		done
	done
}

# ipi_stacks_print DRIVER WORKLOAD: the senders' stacks and the tasks
# running when they sent, since ipi_stacks_start, most frequent first, and
# detach the histograms.
ipi_stacks_print() {
	local e h
	for e in $IPI_EVENTS; do
		awk -v h="PH-IPI $1 $2 $e" '
			$1 == "{" && $2 == "stacktrace:" { s = ""; next }
			$1 == "{" && $2 == "common_pid:" { sub(/^[^:]*: */, ""); sub(/ *}.*/, ""); s = $0 }
			/hitcount:/ { sub(/.*hitcount: */, ""); print h, $1, s; s = ""; next }
			/^ +[a-zA-Z_]/ && !/kprobe_ftrace_handler|^ *0x/ { sub(/^ */, ""); sub(/[+].*/, ""); s = s (s == "" ? "" : "<") $0 }
		' $T/events/kprobes/$e/hist | sort -k5,5nr | head -n 16
		echo "$IPI_HISTS" | while read -r h; do
			echo "!$h" >>$T/events/kprobes/$e/trigger
		done
	done
}

# measure DRIVER WORKLOAD FREED_MIB: run WORKLOAD, which frees FREED_MIB,
# print the counts between its marks, and keep the figures per GiB freed
# in /tmp/bench.tsv.
measure() {
	local drv=$1 wl=$2 freed=$3 cal tlb exp cl rep
	sleep 3
	rm -f /tmp/s0 /tmp/s1
	[ "$IPISTACKS" = 1 ] && ipi_stacks_start
	"$(echo "$wl" | tr - _)" && [ -s /tmp/s0 ] && [ -s /tmp/s1 ] || ph_fail "$wl workload failed"
	[ "$IPISTACKS" = 1 ] && ipi_stacks_print "$drv" "$wl"
	# shellcheck disable=SC2046
	set -- $(cat /tmp/s0) $(cat /tmp/s1)
	cal=$(($6 - $1)) tlb=$(($7 - $2)) cl=$(($9 - $4)) rep=$((${10} - $5))
	exp=-
	[ "$3" = - ] || exp=$(($8 - $3))
	echo "PH-BENCH claims vcpus=$ncpu driver=$drv workload=$wl CAL=$cal TLB=$tlb expedited_gp=$exp claims=$cl freed_MiB=$freed reported_MiB=$((rep >> 20))"
	awk -v d="$drv" -v w="$wl" -v f="$freed" -v c="$cal" -v t="$tlb" -v e="$exp" -v n="$cl" \
		'BEGIN { g = f / 1024; printf "%s %s %.1f %.1f %s %.1f\n", d, w, c / g, t / g, e == "-" ? "-" : sprintf("%.1f", e / g), n / g }' >>/tmp/bench.tsv
}

# median DRIVER WORKLOAD COLUMN: the median over the rounds.
median() {
	awk -v d="$1" -v w="$2" -v c="$3" '$1 == d && $2 == w { print $c }' /tmp/bench.tsv |
		sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)]; else print "-" }'
}

# A kprobe counts hits (kprobe_profile) only while its event is enabled.
if [ -f $T/kprobe_events ]; then
	{ echo 'p:ph_exp wait_rcu_exp_gp' >>$T/kprobe_events &&
		echo 1 >$T/events/kprobes/ph_exp/enable; } 2>/dev/null ||
		ph_info "no kprobe on wait_rcu_exp_gp: expedited grace periods not counted"
fi
[ "$IPISTACKS" = 1 ] && ipi_probe_init
ph_unbind_safe || ph_fail "virtio_balloon cannot be removed from this kernel with reporting on"
rm -f /tmp/bench.tsv
for drv in stock pagehint; do
	ph_load_driver $drv
	# Not the load-time pass: what the workloads cost.
	if [ $drv = pagehint ]; then
		ph_wait_settled 120 claims reported_bytes scan_pages ||
			ph_fail "pagehint did not settle after its load"
	else
		sleep "$SETTLE"
	fi
	r=0
	while [ $r -lt "$ROUNDS" ]; do
		r=$((r + 1))
		measure $drv bulk 1024
		measure $drv fragmented 512
		measure $drv fragmented-busy 512
	done
	case $drv in
	stock) rmmod virtio_balloon || ph_fail "rmmod virtio_balloon failed" ;;
	pagehint) rmmod pagehint || ph_fail "rmmod failed" ;;
	esac
done
for wl in bulk fragmented fragmented-busy; do
	s=$(median stock $wl 3) p=$(median pagehint $wl 3)
	echo "PH-BENCH claims-median vcpus=$ncpu workload=$wl rounds=$ROUNDS per_GiB_freed: stock CAL=$s TLB=$(median stock $wl 4) | pagehint CAL=$p TLB=$(median pagehint $wl 4) expedited_gp=$(median pagehint $wl 5) claims=$(median pagehint $wl 6) | CAL ratio=$(awk -v s="$s" -v p="$p" 'BEGIN { if (s > 0) printf "%.2f", p / s; else print "-" }')"
done

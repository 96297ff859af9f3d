# SPDX-License-Identifier: GPL-2.0
# ph-needs: stress-ng
# Benchmark, not a test of speed: the cost of the allocator hooks, in one
# boot.  Two page-fault workloads run on every vCPU, each for ph.secs=
# seconds (4): ph-pfloop (one allocation and one free per page, pages/s) and
# stress-ng's page-fault stressor (--fault, bogo ops/s), a peer tool's
# figure beside our own loop (bogo ops/s, real time).  Each runs without
# pagehint, with pagehint's hooks attached, and with hooks=0, reporting off
# from the load on (enabled=0: no load-time pass discards memory the loop
# then faults back in).  After a warm-up come ph.rounds= rounds (9); each
# runs the three settings in a rotated order, so that a slow drift of the
# host weighs on every setting alike.  Printed: each run; per workload and
# setting min/median/max, and the median over the rounds of the setting's
# ratio to "without" in the same round; and the hooks' writes to the map
# per 1000 pages of the loop.  Nothing is asserted about the figures.
# Run it with --smp 2 and 8 (make bench-hooks), in real time and under
# QEMU's instruction counter (-icount shift=0,sleep=off, ph.clock=icount):
# there the guest's clock counts the instructions its vCPUs execute, so
# the rates are the work done per instruction, which the host's load does
# not move.
. /tests/lib.sh

SECS=$(ph_param secs 4)
ROUNDS=$(ph_param rounds 9)
CLOCK=$(ph_param clock real)
ncpu=$(grep -c ^processor /proc/cpuinfo)

# map_writes: the hint bits the hooks have set and cleared so far, each one
# atomic write to a line of the map that every CPU shares (0 unloaded or
# with hooks=0).  A count, which TCG does not distort.
map_writes() {
	if [ -r $PH_SYSFS/hints_set ]; then
		echo $(($(cat $PH_SYSFS/hints_set) + $(cat $PH_SYSFS/hints_cleared)))
	else
		echo 0
	fi
}

# run SETTING: both workloads with pagehint loaded as SETTING says; their
# rates summed over all vCPUs, appended to /tmp/hooks.tsv as
# "round setting workload rate".
run() {
	local i=0 total=0 pages=0 writes sng
	case $1 in
	attached) insmod $PH_KO enabled=0 || ph_fail "insmod failed" ;;
	hooks0) insmod $PH_KO enabled=0 hooks=0 || ph_fail "insmod hooks=0 failed" ;;
	esac
	writes=$(map_writes)
	while [ $i -lt "$ncpu" ]; do
		i=$((i + 1))
		ph-pfloop -m 16 -t "$SECS" >/tmp/pf.$i &
	done
	wait
	writes=$(($(map_writes) - writes))
	while [ $i -gt 0 ]; do
		total=$((total + $(awk '{ print int($(NF - 1)) }' /tmp/pf.$i)))
		pages=$((pages + $(awk '{ print $2 }' /tmp/pf.$i)))
		i=$((i - 1))
	done
	# "stress-ng: metrc: [PID] fault OPS REAL USR SYS OPS/S(real) OPS/S(cpu)"
	sng=$(cd /tmp && stress-ng --fault "$ncpu" -t "$SECS" --metrics-brief \
		--temp-path /tmp 2>&1 | awk '$4 == "fault" && NF == 10 { print int($9) }')
	[ -n "$sng" ] || ph_fail "stress-ng --fault printed no metrics"
	[ "$1" = none ] || rmmod pagehint || ph_fail "rmmod failed"
	echo "PH-BENCH hooks vcpus=$ncpu clock=$CLOCK round=$r setting=$1 pfloop_pages_per_s=$total stress_ng_fault_ops_per_s=$sng pfloop_map_writes_per_1000_pages=$(awk -v w="$writes" -v p="$pages" 'BEGIN { printf "%.2f", 1000 * w / p }')"
	echo "$r $1 pfloop $total" >>/tmp/hooks.tsv
	echo "$r $1 stress-ng-fault $sng" >>/tmp/hooks.tsv
}

# Warm-up, not counted: the first loops after boot run slower.
r=0
run none
run attached
rm -f /tmp/hooks.tsv
while [ $r -lt "$ROUNDS" ]; do
	r=$((r + 1))
	case $((r % 3)) in
	1) order="none attached hooks0" ;;
	2) order="attached hooks0 none" ;;
	0) order="hooks0 none attached" ;;
	esac
	for s in $order; do
		run $s
	done
done
for w in pfloop stress-ng-fault; do
	for s in none attached hooks0; do
		awk -v s="$s" -v w="$w" '
		$3 == w { v[$1, $2] = $4; if ($1 > n) n = $1 }
		function median(a, k,   i, j, t) {
			for (i = 2; i <= k; i++)
				for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
					t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
				}
			return a[int((k + 1) / 2)]
		}
		END {
			for (i = 1; i <= n; i++) {
				p[i] = v[i, s]
				q[i] = v[i, s] / v[i, "none"]
			}
			m = median(p, n)
			printf "PH-BENCH hooks-summary vcpus=%d clock=%s workload=%s setting=%s rounds=%d secs=%d per_s min=%d median=%d max=%d", ncpu, clock, w, s, n, secs, p[1], m, p[n]
			printf " ratio_to_none: median=%.3f min=%.3f max=%.3f\n", median(q, n), q[1], q[n]
		}' ncpu="$ncpu" clock="$CLOCK" secs="$SECS" /tmp/hooks.tsv
	done
done

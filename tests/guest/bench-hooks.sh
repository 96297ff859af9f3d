# SPDX-License-Identifier: GPL-2.0
# Benchmark, not a test of speed: the cost of the allocator hooks, in one
# boot.  A page-fault loop (one allocation and one free per page) runs on
# every vCPU without pagehint, with pagehint's hooks attached, and with
# hooks=0, reporting off from the load on (enabled=0: no load-time pass
# discards memory the loop then faults back in).  After a warm-up come
# ph.rounds= rounds (9) of ph.secs= seconds (4); each round runs the three
# settings in a rotated order, so that a slow drift of the host weighs on
# every setting alike.  Printed: each run; per setting min/median/max; and
# the median over the rounds of each setting's ratio to "without" in the
# same round.  Nothing is asserted about the figures.
# Run it with --smp 2 and 8 (make bench-hooks).
. /tests/lib.sh

SECS=$(ph_param secs 4)
ROUNDS=$(ph_param rounds 9)
ncpu=$(grep -c ^processor /proc/cpuinfo)

# run SETTING: the loop with pagehint loaded as SETTING says; pages/s
# summed over all vCPUs, appended to /tmp/hooks.tsv as "round setting n".
run() {
	local i=0 total=0
	case $1 in
	attached) insmod $PH_KO enabled=0 || ph_fail "insmod failed" ;;
	hooks0) insmod $PH_KO enabled=0 hooks=0 || ph_fail "insmod hooks=0 failed" ;;
	esac
	while [ $i -lt "$ncpu" ]; do
		i=$((i + 1))
		ph-pfloop -m 16 -t "$SECS" >/tmp/pf.$i &
	done
	wait
	while [ $i -gt 0 ]; do
		total=$((total + $(awk '{ print int($(NF - 1)) }' /tmp/pf.$i)))
		i=$((i - 1))
	done
	[ "$1" = none ] || rmmod pagehint || ph_fail "rmmod failed"
	echo "PH-BENCH hooks vcpus=$ncpu round=$r setting=$1 pages_per_s=$total"
	echo "$r $1 $total" >>/tmp/hooks.tsv
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
for s in none attached hooks0; do
	awk -v s="$s" '
	{ v[$1, $2] = $3; if ($1 > n) n = $1 }
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
		printf "PH-BENCH hooks-summary vcpus=%d setting=%s rounds=%d secs=%d pages_per_s min=%d median=%d max=%d", ncpu, s, n, secs, p[1], m, p[n]
		printf " ratio_to_none: median=%.3f min=%.3f max=%.3f\n", median(q, n), q[1], q[n]
	}' ncpu="$ncpu" secs="$SECS" /tmp/hooks.tsv
done

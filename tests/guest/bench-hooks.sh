# SPDX-License-Identifier: GPL-2.0
# Benchmark, not a test of speed: the cost of the allocator hooks, in one
# boot.  A page-fault loop (one allocation and one free per page) runs on
# every vCPU without pagehint, with pagehint's hooks attached but reporting
# off, and with hooks=0, interleaved, ph.rounds= rounds (3) after a
# warm-up; each round and then min/median/max per setting and the
# medians' ratio to "without" are printed, nothing is asserted about them.
# Run it with --smp 2 and 8 (make bench-hooks).
. /tests/lib.sh

SECS=${PH_SECS:-10}
ROUNDS=$(ph_param rounds 3)
ncpu=$(grep -c ^processor /proc/cpuinfo)

# run SETTING: pages/s summed over all vCPUs, into /tmp/hooks.tsv.
run() {
	local i=0 total=0
	while [ $i -lt "$ncpu" ]; do
		i=$((i + 1))
		ph-pfloop -m 16 -t "$SECS" >/tmp/pf.$i &
	done
	wait
	while [ $i -gt 0 ]; do
		total=$((total + $(awk '{ print int($(NF - 1)) }' /tmp/pf.$i)))
		i=$((i - 1))
	done
	echo "PH-BENCH hooks vcpus=$ncpu round=$r setting=$1 pages_per_s=$total"
	echo "$1 $total" >>/tmp/hooks.tsv
}

# stats SETTING: "min median max" over the rounds.
stats() {
	awk -v s="$1" '$1 == s { print $2 }' /tmp/hooks.tsv | sort -n |
		awk '{ v[NR] = $1 } END { print v[1], v[int((NR + 1) / 2)], v[NR] }'
}

# Warm-up, not counted: the first loop after boot runs slower.
r=0
run warmup
rm -f /tmp/hooks.tsv
while [ $r -lt "$ROUNDS" ]; do
	r=$((r + 1))
	run none
	insmod $PH_KO || ph_fail "insmod failed"
	echo 0 >$PH_SYSFS/enabled
	run attached
	rmmod pagehint
	insmod $PH_KO hooks=0 || ph_fail "insmod hooks=0 failed"
	echo 0 >$PH_SYSFS/enabled
	run hooks0
	rmmod pagehint
done
# shellcheck disable=SC2046
set -- $(stats none)
base=$2
for s in none attached hooks0; do
	# shellcheck disable=SC2046
	set -- $(stats $s)
	echo "PH-BENCH hooks-summary vcpus=$ncpu setting=$s rounds=$ROUNDS pages_per_s min=$1 median=$2 max=$3 ratio_to_none=$(awk -v m="$2" -v b="$base" 'BEGIN { printf "%.3f", m / b }')"
done

# SPDX-License-Identifier: GPL-2.0
# Benchmark, not a test of speed: the cost of the allocator hooks, in one
# boot.  A page-fault loop (one allocation and one free per page) runs on
# every vCPU without pagehint, with pagehint's hooks attached but reporting
# off, and with hooks=0; the figures are printed, nothing is asserted
# about them.
. /tests/lib.sh

SECS=${PH_SECS:-10}
ncpu=$(grep -c ^processor /proc/cpuinfo)

# run LABEL: pages/s summed over all vCPUs.
run() {
	local i total=0
	for i in $(seq $ncpu); do
		ph-pfloop -m 16 -t "$SECS" >/tmp/pf.$i &
	done
	wait
	for i in $(seq $ncpu); do
		total=$((total + $(awk '{ print int($(NF - 1)) }' /tmp/pf.$i)))
	done
	echo "PH-BENCH hooks $1 pages_per_s=$total"
	eval "res_$2=$total"
}

run "none (pagehint not loaded)" none
insmod $PH_KO || ph_fail "insmod failed"
echo 0 >$PH_SYSFS/enabled
run "attached (reporting off)" hooks
set1=$(cat $PH_SYSFS/hints_set)
rmmod pagehint
insmod $PH_KO hooks=0 || ph_fail "insmod hooks=0 failed"
echo 0 >$PH_SYSFS/enabled
run "hooks=0 (scan-only, reporting off)" nohooks
rmmod pagehint
run "none again" none2
# shellcheck disable=SC2154 # res_* are set by run(), through eval
base=$(((res_none + res_none2) / 2))
# One page = one allocation event and one free event.
# shellcheck disable=SC2154
ns=$(awk -v a=$base -v b=$res_hooks 'BEGIN { printf "%.0f", (1e9 / b - 1e9 / a) / 2 * '$ncpu' }')
# shellcheck disable=SC2154
ph_info "pages/s over $ncpu vCPUs: without pagehint $res_none and $res_none2, hooks attached $res_hooks ($set1 hints set), hooks=0 $res_nohooks"
ph_info "hook cost: about $ns ns per allocator event per vCPU (TCG exaggerates it)"

# SPDX-License-Identifier: GPL-2.0
# Benchmark, not a test of speed (`make bench`, scripts/bench.sh): one
# configuration of free page reporting, chosen by ph.cfg, through four
# workloads in one boot.  The host side (scripts/bench-report.py) computes
# the figures from the QEMU process's samples between the marks set here;
# the guest prints its own (PH-BENCH lines).  Nothing is asserted about
# speed; the run fails only if a configuration cannot be set up.
#
#   ph.cfg=none      stock virtio_balloon, device without reporting
#   ph.cfg=upstream  stock virtio_balloon, the kernel's page reporting
#   ph.cfg=pagehint  pagehint, defaults
#   ph.cfg=tuned     pagehint, report_order=ph.order (2), delay_ms=ph.delay (500)
#   ph.cfg=upstream_tuned  the kernel's page reporting at page_reporting_order
#                    ph.order (2); its 2 s delay is fixed
#   ph.cfg=upstream0 the kernel's page reporting at page_reporting_order 0,
#                    what catches every free page (and costs the host its
#                    huge pages)
#   ph.win=SECONDS   how long each free is watched (20)
#   ph.secs=SECONDS  fault loop time per vCPU (10)
. /tests/lib.sh

CFG=$(ph_param cfg pagehint)
WIN=$(ph_param win 20)
SECS=$(ph_param secs 10)
ncpu=$(grep -c ^processor /proc/cpuinfo)

ph_bench_config "$CFG"

# stats LABEL: pagehint's counters, for the host to take differences of.
stats() {
	local f line="PH-BENCH stats $1"
	[ -d $PH_SYSFS ] || return 0
	for f in reported_bytes reports claim_us work_us ack_us bitmap_bytes; do
		line="$line $f=$(cat $PH_SYSFS/$f)"
	done
	echo "$line"
}

echo "PH-BENCH config $CFG ncpu=$ncpu memtotal_kib=$(awk '/MemTotal/ { print $2 }' /proc/meminfo)"
[ ! -d $PH_SYSFS ] || echo "PH-BENCH knobs report_order=$(cat $PH_SYSFS/report_order) delay_ms=$(cat $PH_SYSFS/delay_ms)"
[ -z "${order:-}" ] ||
	echo "PH-BENCH knobs page_reporting_order=$(cat /sys/module/page_reporting/parameters/page_reporting_order)"

# 1. bulk: 1 GiB touched, then freed at once.
stats bulk-start
ph-host mark bulk-before >/dev/null
ph-memtouch -m 1024 -c 'ph-host mark bulk-peak >/dev/null' || ph_fail "bulk workload failed"
ph-host mark bulk-freed >/dev/null
echo "PH-BENCH bulk freed_mib=1024"
sleep "$WIN"
ph-host mark bulk-end >/dev/null
stats bulk-end

# 2. fragmented: 1 GiB touched in base pages, every other 64 KiB freed and
# the rest held while the host is watched.
stats frag-start
ph-host mark frag-before >/dev/null
ph-fragment -m 1024 -p 64 -c 'ph-host mark frag-peak >/dev/null' \
	-f 'ph-host mark frag-freed >/dev/null' -h "$WIN" \
	-e 'ph-host mark frag-end >/dev/null' || ph_fail "fragment workload failed"
echo "PH-BENCH frag freed_mib=512"
stats frag-end
sleep 5

# 3. fault throughput: a page_fault1-style loop on every vCPU.
for i in $(seq "$ncpu"); do
	ph-pfloop -m 16 -t "$SECS" >/tmp/pf.$i &
done
wait
total=0
for i in $(seq "$ncpu"); do
	total=$((total + $(awk '{ print int($(NF - 1)) }' /tmp/pf.$i)))
done
echo "PH-BENCH faults pages_per_s=$total"

# 4. churn: 256 MiB allocated and freed again and again, with pauses
# shorter (0.5 s) and longer (5 s) than upstream's and pagehint's 2 s delay.
# With pagehint, the wait it learns is printed every second meanwhile
# (PH-BENCH learn: seconds into the phase, learned_free_ms, MiB reported
# so far in the phase, reuse_ms).
learn_watch() {
	local t=0 r0
	r0=$(cat $PH_SYSFS/reported_bytes)
	while :; do
		echo "PH-BENCH learn $1 t=$t learned_free_ms=$(cat $PH_SYSFS/learned_free_ms) reported_mib=$((($(cat $PH_SYSFS/reported_bytes) - r0) >> 20)) reuse_ms=$(cat $PH_SYSFS/reuse_ms | tr ' ' ,)"
		sleep 1
		t=$((t + 1))
	done
}
churn() {
	local i watch=
	stats "churn-$1-start"
	if [ -d $PH_SYSFS ]; then
		learn_watch "$1" &
		watch=$!
	fi
	ph-host mark "churn-$1-start" >/dev/null
	for i in $(seq "$2"); do
		ph-memtouch -m 256 >/dev/null || ph_fail "churn workload failed"
		sleep "$3"
	done
	ph-host mark "churn-$1-end" >/dev/null
	[ -z "$watch" ] || kill "$watch"
	stats "churn-$1-end"
}
churn fast 12 0.5
churn slow 4 5

[ ! -d $PH_SYSFS ] || rmmod pagehint
ph_info "bench $CFG done"

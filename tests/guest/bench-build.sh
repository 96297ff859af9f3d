# SPDX-License-Identifier: GPL-2.0
# Benchmark, not a test of speed (`make bench-build`, scripts/bench-build.sh):
# a real workload.  The disk (/dev/vda, ext4) holds a Debian 12 system with
# gcc and a C project's source in /root/project (Lua 5.4); the guest
# compiles it ph.builds times in a chroot of the disk, and after each build
# touches and frees ph.churn MiB of memory and idles ph.idle seconds.  One
# configuration of free page reporting per boot (ph.cfg), set up as in
# `make bench` (ph_bench_config in lib.sh), and:
#
#   ph.cfg=dropcaches  upstream reporting, and the clean page cache dropped
#                      whenever the guest has been idle 5 s (what WSL's
#                      autoMemoryReclaim "dropcache" does)
#   ph.cfg=pagehint    pagehint and pagehint-reclaimd, both at their
#                      defaults, as the packages install them
#
# Printed (PH-BENCH build): each build's time, and the guest's CPU time
# (user, system) over the loop; the host's side (QEMU's RSS and CPU time
# between the marks run-start and run-end) is scripts/bench-report.py's.
. /tests/lib.sh

CFG=$(ph_param cfg pagehint)
BUILDS=$(ph_param builds 3)
CHURN=$(ph_param churn 512)
IDLE=$(ph_param idle 20)
ncpu=$(grep -c ^processor /proc/cpuinfo)
ROOT=/mnt

ph_disk
mkdir -p $ROOT
mount -t ext4 /dev/vda $ROOT || ph_fail "cannot mount the disk"
[ -f $ROOT/root/project/Makefile ] || ph_fail "the disk has no project in /root/project"
mount -t proc proc $ROOT/proc
mount -t sysfs sysfs $ROOT/sys
mount --bind /dev $ROOT/dev

case $CFG in
dropcaches) ph_bench_config upstream ;;
pagehint)
	ph_bench_config pagehint
	pagehint-reclaimd >/tmp/reclaimd.log 2>&1 &
	;;
*) ph_bench_config "$CFG" ;;
esac
echo "PH-BENCH config $CFG ncpu=$ncpu memtotal_kib=$(ph_meminfo MemTotal)"

# cpu_cs: the guest's CPU time so far, all CPUs, in USER_HZ (1/100 s):
# "user system" (user with nice; system with irq and softirq).
cpu_cs() {
	awk '$1 == "cpu" { print $2 + $3, $4 + $7 + $8 }' /proc/stat
}
# idle_cs: "idle total", the same way (idle with iowait; total of both).
idle_cs() {
	awk '$1 == "cpu" { print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat
}

# WSL's "dropcache": once the guest has been idle (at least 95% of the
# CPU time idle) for 5 s, drop the clean page cache; again only after it
# was busy.
if [ "$CFG" = dropcaches ]; then
	(prev=$(idle_cs)
	dropped=0
	while sleep 5; do
		now=$(idle_cs)
		idle=$(echo "$prev $now" | awk '{ d = $4 - $2; print (d > 0 && ($3 - $1) * 100 >= d * 95) ? 1 : 0 }')
		prev=$now
		if [ "$idle" = 0 ]; then
			dropped=0
		elif [ $dropped = 0 ]; then
			echo 1 >/proc/sys/vm/drop_caches
			dropped=1
		fi
	done) &
	dropper=$!
fi

cpu0=$(cpu_cs)
ph-host mark run-start >/dev/null
for i in $(seq "$BUILDS"); do
	t0=$(ph_uptime_cs)
	chroot $ROOT /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root sh -ec \
		"cd /root/project && make -s clean && make -s -j$ncpu linux" \
		>/tmp/build.log 2>&1 || { tail -n 20 /tmp/build.log; ph_fail "build $i failed"; }
	echo "PH-BENCH build$i ms=$((($(ph_uptime_cs) - t0) * 10))"
	ph-host mark "build-$i-end" >/dev/null
	ph-memtouch -m "$CHURN" >/dev/null || ph_fail "churn workload failed"
	sleep "$IDLE"
done
ph-host mark run-end >/dev/null
cpu1=$(cpu_cs)
echo "PH-BENCH guestcpu user_s=$(((${cpu1% *} - ${cpu0% *}) / 100)) sys_s=$(((${cpu1#* } - ${cpu0#* }) / 100))"
[ -z "${dropper:-}" ] || kill "$dropper"
if [ "$CFG" = pagehint ]; then
	kill "$(pidof pagehint-reclaimd)"
	# What the daemon did, for the figures.
	tail -n 20 /tmp/reclaimd.log | sed 's/^/reclaimd: /'
fi
[ -x $ROOT/root/project/src/lua ] || ph_fail "the build made no lua binary"
umount $ROOT/dev $ROOT/sys $ROOT/proc
umount $ROOT
ph_result "bench-build $CFG: $BUILDS builds"

# SPDX-License-Identifier: GPL-2.0
# Benchmark, not a test of speed (`make bench-cache`): cold page cache
# back, one configuration per boot (ph.cfg), on the rig's --disk.  The
# guest re-reads a 200 MiB hot set every 3 s, reads 1 GiB of the disk
# once and goes idle (the disk is held open, as a mounted filesystem
# holds it).  Printed (PH-BENCH cache): how long the host RSS takes to
# come back within 10% of where it was before the read (or "never" in
# ph.wait seconds), the RSS at the end, and the hot set's median and
# worst re-read time after the read.
#
#   ph.cfg=upstream    stock virtio_balloon, the kernel's page reporting
#   ph.cfg=dropcaches  upstream, and the clean page cache dropped once
#                      the guest has been idle 10 s, then every 30 s
#                      (what WSL's autoMemoryReclaim "dropcache" does)
#   ph.cfg=pagehint    pagehint, no reclaimer
#   ph.cfg=reclaimd    pagehint and pagehint-reclaimd, their defaults
#   ph.wait=SECONDS    how long the RSS is watched (240)
. /tests/lib.sh

CFG=$(ph_param cfg reclaimd)
WAIT=$(ph_param wait 240)
HOT=200
READ=1024

ph_disk
exec 3</dev/vda
case $CFG in
upstream | dropcaches)
	ph_modprobe virtio_balloon || ph_fail "cannot load virtio_balloon"
	ph_balloon_reporting || ph_fail "the device does not offer reporting"
	sleep 10
	;;
pagehint | reclaimd)
	insmod $PH_KO || ph_fail "insmod failed"
	ph_wait_idle 120 || ph_fail "the load-time reporting did not settle"
	;;
*)
	ph_fail "unknown configuration '$CFG'"
	;;
esac


# The hot set, re-read every 3 s; each re-read's time (cs) into /tmp/hot.
: >/tmp/hot
(while :; do
	t0=$(ph_uptime_cs)
	dd if=/dev/vda of=/dev/null bs=1M count=$HOT 2>/dev/null
	echo $(($(ph_uptime_cs) - t0)) >>/tmp/hot
	sleep 3
done) &
hot=$!
sleep 10
if [ "$CFG" = dropcaches ]; then
	(sleep 10; while :; do
		echo 1 >/proc/sys/vm/drop_caches
		sleep 30
	done) &
	dropper=$!
fi
if [ "$CFG" = reclaimd ]; then
	pagehint-reclaimd >/tmp/reclaimd.log 2>&1 &
fi

before=$(ph_rss)
ph-host mark before >/dev/null
dd if=/dev/vda of=/dev/null bs=1M skip=$HOT count=$READ 2>/dev/null || ph_fail "cannot read the disk"
ph-host mark peak >/dev/null
n0=$(wc -l </tmp/hot)
t0=$(ph_uptime_cs)
back=never
while [ $((($(ph_uptime_cs) - t0) / 100)) -lt "$WAIT" ]; do
	if [ "$(ph_rss)" -le $((before * 11 / 10)) ]; then
		back=$((($(ph_uptime_cs) - t0) / 100))
		break
	fi
	sleep 1
done
# The rest of the window, for the hot set's figures.
while [ $((($(ph_uptime_cs) - t0) / 100)) -lt "$WAIT" ]; do
	sleep 5
done
ph-host mark end >/dev/null
kill $hot
[ -z "${dropper:-}" ] || kill "$dropper"
[ "$CFG" != reclaimd ] || kill "$(pidof pagehint-reclaimd)"
times=$(tail -n +$((n0 + 1)) /tmp/hot | sort -n)
cnt=$(echo "$times" | wc -l)
med=$(echo "$times" | sed -n "$(((cnt + 1) / 2))p")
worst=$(echo "$times" | tail -n 1)
echo "PH-BENCH cache cfg=$CFG back_s=$back before_MiB=$((before >> 10)) end_MiB=$(($(ph_rss) >> 10)) hot_rereads=$cnt hot_median_ms=$((med * 10)) hot_worst_ms=$((worst * 10)) cache_end_MiB=$((($(ph_meminfo 'Active(file)') + $(ph_meminfo 'Inactive(file)')) >> 10))"
ph_result "bench-cache $CFG: back in ${back} s"

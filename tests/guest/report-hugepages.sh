# SPDX-License-Identifier: GPL-2.0
# Guest RAM on the host's 2 MiB huge pages (the rig's --hugepages): QEMU
# discards only reported ranges aligned, in start and length, to 2 MiB and
# acks the others all the same.  At report_order 0, pagehint must see that
# (kept_bytes), learn the host's granule (host_order 9, a log line), report
# aligned blocks only from then on (kept_bytes stops growing), and the host
# must still get a 1 GiB free back (its huge pages count in the rig's RSS).
. /tests/lib.sh

insmod $PH_KO || ph_fail "insmod failed"
[ "$(ph_balloon_driver)" = pagehint ] || ph_fail "pagehint did not bind: $(cat $PH_SYSFS/device)"
# The load-time pass reports at pageblock order; order 0 from now on,
# with a scan that looks at everything again.
echo 0 >$PH_SYSFS/report_order
echo 500 >$PH_SYSFS/delay_ms

# Free memory in small pieces for pagehint to report at order 0, and to
# see kept.  host_order then rises as kept ranges show more: blocks of at
# least host_order are aligned to it, so each kept one raises it, up to 9.
ph-fragment -m 512 -p 64 -h 60 >/dev/null &
fpid=$!
n=0
while [ "$(cat $PH_SYSFS/host_order)" != 9 ] && [ $n -lt 900 ]; do
	sleep 0.1
	n=$((n + 1))
done
kill $fpid 2>/dev/null || true
wait $fpid 2>/dev/null || true
ph_info "host_order $(cat $PH_SYSFS/host_order) after $((n / 10)) s; kept $(($(cat $PH_SYSFS/kept_bytes) >> 10)) KiB in $(cat $PH_SYSFS/reports) reports"
[ "$(cat $PH_SYSFS/host_order)" = 9 ] || {
	ph_stats
	ph_fail "pagehint did not learn that the host discards 2 MiB-aligned ranges only"
}
dmesg | grep -q 'the host discards only ranges aligned to 2048 KiB' ||
	ph_fail "pagehint did not say what it learned"
[ "$(cat $PH_SYSFS/kept_bytes)" -gt 0 ] || ph_fail "no kept bytes counted"
ph_wait_idle 60 || ph_fail "reporting did not settle"

k0=$(cat $PH_SYSFS/kept_bytes)
r0=$(cat $PH_SYSFS/reports)
ph_reclaim_half 1024 60
ph_wait_idle 60 || true
k1=$(cat $PH_SYSFS/kept_bytes)
r1=$(cat $PH_SYSFS/reports)
ph_info "1 GiB free: RSS (huge pages included) half back in $PH_RECLAIM; $((r1 - r0)) reports, $(((k1 - k0) >> 10)) KiB kept"
ph_result "hugepages host_order=$(cat $PH_SYSFS/host_order) kept_before=$k0 kept_after=$k1 reports=$((r1 - r0))"
[ "$k1" = "$k0" ] || ph_fail "$((k1 - k0)) bytes kept by the host after pagehint learned its granule"
ph_stats
rmmod pagehint || ph_fail "rmmod failed"

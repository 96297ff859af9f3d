# SPDX-License-Identifier: GPL-2.0
# A host that acks reports without discarding them: the rig starts QEMU with
# its guest RAM locked (-overcommit mem-lock=on), where the balloon device
# acks every report and QEMU discards nothing.  pagehint keeps working, sees
# that reported memory came back with its content (reports_kept), backs off
# to one report a minute after PAGEHINT_KEPT_BACKOFF (8) in a row, and says
# so in the kernel log.
. /tests/lib.sh

ph_load_busy
ph-memtouch -m 512 >/dev/null
n=0
while [ "$(cat $PH_SYSFS/reports_kept)" -lt 8 ] && [ $n -lt 600 ]; do
	sleep 0.1
	n=$((n + 1))
done
kept=$(cat $PH_SYSFS/reports_kept)
[ "$kept" -ge 8 ] || ph_fail "only $kept of $(cat $PH_SYSFS/reports) reports counted as kept"
dmesg | grep -q 'acknowledges reports without discarding' || ph_fail "no back-off message in the kernel log"
sleep 1
r1=$(cat $PH_SYSFS/reports)
sleep 5
r2=$(cat $PH_SYSFS/reports)
[ $((r2 - r1)) -le 1 ] || ph_fail "still reporting at full speed: $((r2 - r1)) reports in 5 s"
[ "$(cat $PH_SYSFS/reports)" = "$(cat $PH_SYSFS/reports_kept)" ] ||
	ph_fail "some reports counted as discarded: $(cat $PH_SYSFS/reports) reports, $(cat $PH_SYSFS/reports_kept) kept"
ph_info "host kept $(cat $PH_SYSFS/reports_kept) of $(cat $PH_SYSFS/reports) reports; backing off"
ph_stats | grep -E 'reports|kept|reported_bytes'
rmmod pagehint || ph_fail "rmmod failed"

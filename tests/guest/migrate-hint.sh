# SPDX-License-Identifier: GPL-2.0
# Free page hinting for live migration (rig: --reporting=off
# --free-page-hint): with 1.5 GiB of free memory that holds data (touched,
# freed, not reported: the device offers no reporting queue), the guest
# migrates into a file while a checker keeps writing and verifying
# memory, and goes on in a new QEMU started from that image (the rig's
# migrate-restore).  There, 256 MiB written before the migration read back
# as written and the checker finds nothing: what was hinted and then
# written again was migrated.  pagehint answered the host's hinting round
# (how much it hints depends on how long QEMU's first pass takes: it says
# STOP after it) and gives every block back when the host says DONE.
# Prints the bytes QEMU sent and the time it took; stock-migrate and the
# ph.driver=none form run the same with virtio_balloon and with no driver.
. /tests/lib.sh

DRIVER=${PH_DRIVER:-$(ph_param driver pagehint)}
ph_load_driver "$DRIVER"
if [ "$DRIVER" != none ]; then
	ph_need_feature free-page-hint 3
fi
ph-memtouch -m 1536 >/dev/null || ph_fail "workload failed"
ph_info "$DRIVER: MemFree $(($(ph_meminfo MemFree) >> 10)) MiB before the migration"
ph_churn_start 128
ph-memtouch -m 256 -c "ph-host migrate-restore >/tmp/migrate" >/tmp/touch.out ||
	ph_fail "memory changed across the migration: $(cat /tmp/touch.out)"
ph_churn_stop || ph_fail "the checker found memory changed across the migration"
m=$(cat /tmp/migrate)
case $m in ok*restored=1*) ;; *) ph_fail "migration: $m" ;; esac
ph_info "$DRIVER: migrated: $m"
ph_result "migrate driver=$DRIVER ${m#ok }${PH_SYSFS:+ hinted=$(cat $PH_SYSFS/migration_hinted_bytes 2>/dev/null)}"
[ "$DRIVER" = pagehint ] || exit 0
# QEMU says DONE when the migration is over: every block comes back.
n=0
while [ "$(cat $PH_SYSFS/migration_hint_held_bytes)" != 0 ] && [ $n -lt 100 ]; do
	sleep 0.1
	n=$((n + 1))
done
ph_stats
[ "$(cat $PH_SYSFS/migration_hint_rounds)" -ge 1 ] || ph_fail "no hinting round answered"
[ "$(cat $PH_SYSFS/migration_hinted_bytes)" -gt 0 ] ||
	ph_fail "nothing hinted with 1.5 GiB free"
[ "$(cat $PH_SYSFS/migration_hint_held_bytes)" = 0 ] ||
	ph_fail "$(cat $PH_SYSFS/migration_hint_held_bytes) bytes still held after the migration"
rmmod pagehint || ph_fail "rmmod failed"

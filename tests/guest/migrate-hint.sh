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
# ph.writer=0: no checker writing during the migration (an idle guest;
# make bench-migrate).  ph.downtime=MS: QEMU's downtime-limit for the
# migration (without it QEMU's default, 300 ms).  ph.hinttrace=1: print
# when each hinted block was taken and where (PH-HINT lines, guest time of
# the migrate request 0), to set beside the rig's migration events.
#
# With the device's reporting on as well (--free-page-hint alone), hinting
# must leave the allocator as it found it: the blocks it holds until DONE
# are allocated movable, so that no MOVABLE pageblock comes back
# UNMOVABLE (the allocator would then serve unmovable allocations from
# memory the guest's movable ones had, and fragment it).  The pageblock
# types of /proc/pagetypeinfo, before and after, and a 1 GiB free after
# the migration comes back as it does without one.
. /tests/lib.sh

DRIVER=${PH_DRIVER:-$(ph_param driver pagehint)}
WRITER=$(ph_param writer 1)
HINTTRACE=$(ph_param hinttrace 0)
DOWNTIME=$(ph_param downtime "")
T=/sys/kernel/tracing
ph_load_driver "$DRIVER"
if [ "$DRIVER" != none ]; then
	ph_need_feature free-page-hint 3
fi
reporting=no
! ph_device_offers free-page-reporting || reporting=yes
ph-memtouch -m 1536 >/dev/null || ph_fail "workload failed"
if [ "$DRIVER" = pagehint ] && [ $reporting = yes ]; then
	# Reported: the hinting round alone retypes pageblocks now.
	echo 0 >$PH_SYSFS/delay_ms
	ph_wait_idle 120 || ph_fail "pagehint did not settle in 120 s"
	echo 2000 >$PH_SYSFS/delay_ms
fi
blocks0=$(ph_pageblocks_typed Unmovable)
ph_info "$DRIVER: MemFree $(($(ph_meminfo MemFree) >> 10)) MiB before the migration"
[ "$WRITER" = 0 ] || ph_churn_start 128
[ -z "$DOWNTIME" ] ||
	ph-host qmp migrate-set-parameters "{\"downtime-limit\": $DOWNTIME}" >/dev/null ||
	ph_fail "cannot set QEMU's downtime-limit"
mark=
if [ "$HINTTRACE" = 1 ]; then
	# The blocks hinted are the allocations of the largest order.
	echo "order == $(awk 'NR == 1 { print NF - 5 }' /proc/buddyinfo)" \
		>$T/events/kmem/mm_page_alloc/filter
	echo 1 >$T/events/kmem/mm_page_alloc/enable
	mark="echo migrate >$T/trace_marker; "
fi
ph-memtouch -m 256 -c "${mark}ph-host migrate-restore >/tmp/migrate" >/tmp/touch.out ||
	ph_fail "memory changed across the migration: $(cat /tmp/touch.out)"
[ "$WRITER" = 0 ] || ph_churn_stop ||
	ph_fail "the checker found memory changed across the migration"
m=$(cat /tmp/migrate)
case $m in ok*restored=1*) ;; *) ph_fail "migration: $m" ;; esac
ph_info "$DRIVER: migrated: $m"
if [ "$HINTTRACE" = 1 ]; then
	echo 0 >$T/events/kmem/mm_page_alloc/enable
	# "PH-HINT ms pfn": ms after the migrate request.
	awk '/tracing_mark_write: migrate/ { t0 = $(NF - 2) + 0 }
	     / mm_page_alloc: / && t0 { t = 0; for (i = 1; i <= NF; i++) {
			if ($i ~ /^[0-9]+\.[0-9]+:$/) t = $i + 0
			if ($i ~ /^pfn=/) p = substr($i, 5) }
		printf "PH-HINT %d %s\n", (t - t0) * 1000, p }' $T/trace
fi
ph_result "migrate driver=$DRIVER writer=$WRITER ${m#ok }${PH_SYSFS:+ hinted=$(cat $PH_SYSFS/migration_hinted_bytes 2>/dev/null)}"
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
blocks1=$(ph_pageblocks_typed Unmovable)
ph_info "Unmovable pageblocks: $blocks0 before the migration, $blocks1 after"
if [ $reporting = yes ]; then
	# The restored QEMU holds all guest memory: let reporting give back
	# the free memory first, then free 1 GiB.
	ph_wait_idle 120 || ph_fail "pagehint did not settle in 120 s after the migration"
	skipped=$(cat $PH_SYSFS/skipped_pageblock)
	ph_reclaim_half 1024 30
	ph_info "after the migration, 1 GiB freed: $PH_RECLAIM; skipped_pageblock $skipped -> $(cat $PH_SYSFS/skipped_pageblock)"
	# 16 pageblocks of slack for the kernel's own unmovable allocations.
	[ "$blocks1" -le $((blocks0 + 16)) ] ||
		ph_fail "hinting retyped pageblocks: $blocks0 Unmovable before the migration, $blocks1 after"
fi
rmmod pagehint || ph_fail "rmmod failed"

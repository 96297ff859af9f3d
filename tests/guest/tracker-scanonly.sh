# SPDX-License-Identifier: GPL-2.0
# The documented fallback when the allocator's tracepoints cannot be used:
# with hooks=0 pagehint attaches nothing, says "scan-only" in sysfs and
# dmesg, and still gets a 1 GiB free back to the host through scans.
. /tests/lib.sh

insmod $PH_KO hooks=0 || ph_fail "insmod hooks=0 failed"
[ "$(ph_balloon_driver)" = pagehint ] || ph_fail "pagehint did not bind: $(cat $PH_SYSFS/device)"
case $(cat $PH_SYSFS/hooks) in
"none (scan-only)"*) ;;
*) ph_fail "hooks reads '$(cat $PH_SYSFS/hooks)'" ;;
esac
dmesg | grep -q 'hooks: none (scan-only)' || ph_fail "dmesg does not say scan-only"
ph_wait_idle 30 || ph_fail "the load-time pass did not settle"

# Without hooks only a scan that finds a reported block in use forgets
# that it was reported (else every 16 zone scans, about a minute here):
# the memory is held until a whole scan has passed over it, 3 passes of
# scan_budget_pages (1 GiB of span) each delay_ms.
hold=$(($(cat $PH_SYSFS/delay_ms) * 3 / 1000 + 2))
ph_reclaim_half 1024 60 $hold
[ "$(cat $PH_SYSFS/hints_set)" = 0 ] || ph_fail "hints were set without hooks"
[ "$(cat $PH_SYSFS/reported_from_hints)" = 0 ] || ph_fail "reports from hints without hooks"
ph_info "scan-only: RSS half back in $PH_RECLAIM, $(($(cat $PH_SYSFS/reported_from_scans) >> 20)) MiB from scans"
ph_stats
ph-host mark after
rmmod pagehint || ph_fail "rmmod failed"

# SPDX-License-Identifier: GPL-2.0
# Guest RAM with no shared zero page behind it: on hugetlbfs (the rig's
# --hugepages) or in a memfd (--memfd), the host allocates a discarded page
# again when the guest merely reads it.  pagehint reads a canary back after
# each ack to see whether the host discarded; that must not leave host
# memory behind.  The host's RSS (huge pages included):
#   r0  booted, no reporter yet;
#   r1  the reporter loaded, its load-time pass done: pagehint must not
#       leave more than 16 MiB of r0 (each canary read back used to keep a
#       2 MiB huge page per range reported: about 70 MiB here);
#   r2  after 1 GiB touched and freed: back within 16 MiB of r1;
#   and of 512 MiB touched in transparent huge pages, every other 2 MiB
#   freed (scattered whole blocks), how much the host got back while the
#   rest was held.
# stock-backing runs the same with virtio_balloon, for comparison (its
# figures, no verdict on them).
. /tests/lib.sh

DRIVER=${PH_DRIVER:-pagehint}
MIB=${PH_MIB:-1024}
SLACK_KIB=16384

sleep 2
r0=$(ph_rss)
ph_load_driver "$DRIVER"
if [ "$DRIVER" = pagehint ]; then
	ph_wait_idle 120 || ph_fail "the load-time pass did not settle"
	settle() { ph_wait_idle 60 || true; sleep 4; }
else
	settle() { sleep 10; }
	settle
fi
ph_need_feature free-page-reporting 5
sleep 2
r1=$(ph_rss)
ph_info "$DRIVER: host RSS $((r0 >> 10)) MiB booted, $((r1 >> 10)) MiB with the reporter loaded"

ph_reclaim_half "$MIB" 90
settle
r2=$(ph_rss)
ph_info "$DRIVER: $MIB MiB touched and freed: half back in $PH_RECLAIM; host RSS $((r2 >> 10)) MiB"

# Scattered 2 MiB blocks: what comes back while the other half is held.
ph-fragment -m 512 -p 2048 -t -c 'ph-host mark fpeak >/tmp/fpeak' -h 20 \
	-e 'ph-host mark fheld >/tmp/fheld' >/dev/null || ph_fail "fragment failed"
fpeak=$(sed -n 's/^ok \([0-9]*\).*/\1/p' /tmp/fpeak)
fheld=$(sed -n 's/^ok \([0-9]*\).*/\1/p' /tmp/fheld)
ph_info "$DRIVER: 512 MiB touched, every other 2 MiB freed: $(((fpeak - fheld) >> 10)) MiB back in 20 s"
ph_result "backing driver=$DRIVER booted=$r0 loaded=$r1 bulk_after=$r2 frag_peak=$fpeak frag_held=$fheld"

[ "$DRIVER" = pagehint ] || exit 0
ph_stats
[ "$r1" -le $((r0 + SLACK_KIB)) ] ||
	ph_fail "the load-time pass left $(((r1 - r0) >> 10)) MiB on the host (reports: $(cat $PH_SYSFS/reports))"
[ "$r2" -le $((r1 + SLACK_KIB)) ] ||
	ph_fail "$(((r2 - r1) >> 10)) MiB of the $MIB MiB freed stayed on the host"
[ "$(cat $PH_SYSFS/reports_kept)" = 0 ] ||
	ph_fail "$(cat $PH_SYSFS/reports_kept) reports counted as kept by a host that discards"
rmmod pagehint || ph_fail "rmmod failed"

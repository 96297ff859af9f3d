# SPDX-License-Identifier: GPL-2.0
# Unload under load: ph.cycles= rounds (default 10; `make stress`: 100) of
# load -> take the device over from virtio_balloon -> report -> unload ->
# device handed back, while a checker keeps writing and verifying patterns
# in memory that is freed and reallocated all the time.  No mismatch, no
# warning, and the device ends bound to virtio_balloon.  Where releasing
# virtio_balloon oopses (ph_unbind_safe), pagehint binds the free device in
# each round instead, and virtio_balloon binds it at the end.
. /tests/lib.sh

CYCLES=$(ph_param cycles 10)
takeover=1
ph_unbind_safe || takeover=0

[ $takeover = 1 ] && { ph_modprobe virtio_balloon || ph_fail "cannot load virtio_balloon"; }
ph_churn_start 192
reports=0 i=0
while [ $i -lt "$CYCLES" ]; do
	insmod $PH_KO || ph_fail "insmod failed on round $i"
	[ "$(ph_balloon_driver)" = pagehint ] ||
		ph_fail "round $i: pagehint did not get the device: $(cat $PH_SYSFS/device)"
	echo 0 >$PH_SYSFS/delay_ms
	echo always >$PH_SYSFS/scan
	ph_wait_reports 1 20 || ph_fail "round $i: no report in 20 s"
	reports=$((reports + $(cat $PH_SYSFS/reports)))
	rmmod pagehint || ph_fail "rmmod failed on round $i"
	if [ $takeover = 1 ]; then
		[ "$(ph_balloon_driver)" = virtio_balloon ] ||
			ph_fail "round $i: device not handed back: $(ph_balloon_driver)"
	else
		[ "$(ph_balloon_driver)" = none ] || ph_fail "round $i: device still bound to $(ph_balloon_driver)"
	fi
	i=$((i + 1))
done
ph_churn_stop || ph_fail "the checker found mismatches"
if [ $takeover = 0 ]; then
	ph_modprobe virtio_balloon || ph_fail "cannot load virtio_balloon"
	[ "$(ph_balloon_driver)" = virtio_balloon ] || ph_fail "virtio_balloon cannot bind the device"
fi
ph_info "$CYCLES cycles ($([ $takeover = 1 ] && echo take-over || echo direct bind)), $reports reports, device back with virtio_balloon"

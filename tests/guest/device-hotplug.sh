# SPDX-License-Identifier: GPL-2.0
# Hot-unplug and re-plug of the balloon device while pagehint reports, through
# QEMU's monitor (device_del / device_add on the rig's PCIe root port): the
# unplug does not hang or warn, pagehint says the device went away, binds the
# new one on its own and reports through it; memory stays intact.
. /tests/lib.sh

ph_wait_driver() {
	local n=0
	while [ "$(ph_balloon_driver)" != "$1" ] && [ $n -lt $(($2 * 10)) ]; do
		sleep 0.1
		n=$((n + 1))
	done
	[ "$(ph_balloon_driver)" = "$1" ]
}

ph_wait_gone() {
	local n=0
	while ph_balloon_dev >/dev/null && [ $n -lt $(($1 * 10)) ]; do
		sleep 0.1
		n=$((n + 1))
	done
	! ph_balloon_dev >/dev/null
}

ph_load_busy
ph_churn_start 128
ROUNDS=$(ph_param rounds 2)
i=0
while [ $i -lt "$ROUNDS" ]; do
	before=$(cat $PH_SYSFS/reports)
	ph_wait_reports $((before + 1)) 20 || ph_fail "round $i: no report before the unplug"
	ph-host qmp device_del '{"id": "balloon0"}' >/dev/null || ph_fail "device_del failed"
	ph_wait_gone 60 || ph_fail "round $i: the device did not go away in 60 s"
	case $(cat $PH_SYSFS/device) in
	unbound:*) ;;
	*) ph_fail "round $i: sysfs says '$(cat $PH_SYSFS/device)' after the unplug" ;;
	esac
	ph_info "round $i: unplugged ($(cat $PH_SYSFS/device))"
	# QEMU finishes the removal after the guest let go (DEVICE_DELETED):
	# until then the id is taken.
	n=0
	until res=$(ph-host qmp device_add '{"driver": "virtio-balloon-pci", "id": "balloon0", "bus": "rp1", "free-page-reporting": true}'); do
		n=$((n + 1))
		[ $n -lt 50 ] || ph_fail "device_add failed: $res"
		sleep 0.2
	done
	ph_wait_driver pagehint 60 || ph_fail "round $i: pagehint did not bind the new device: $(cat $PH_SYSFS/device)"
	ph_still_reporting "the re-plug of round $i"
	ph_info "round $i: re-plugged, bound, reporting ($(cat $PH_SYSFS/device))"
	i=$((i + 1))
done
ph_churn_stop || ph_fail "the checker found mismatches"
rmmod pagehint || ph_fail "rmmod failed"
ph_info "$ROUNDS unplug/re-plug rounds while reporting"

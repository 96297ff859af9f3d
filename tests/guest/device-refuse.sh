# SPDX-License-Identifier: GPL-2.0
# A balloon device without free page reporting: pagehint refuses it at probe
# with a clear message, stays loaded, says why in sysfs, and unloads.
. /tests/lib.sh

insmod $PH_KO || ph_fail "insmod failed"
[ "$(ph_balloon_driver)" = none ] || ph_fail "device bound to $(ph_balloon_driver)"
state=$(cat $PH_SYSFS/device)
ph_info "device: $state"
case $state in
refused*"does not offer free page reporting"*) ;;
*) ph_fail "sysfs does not say why the device was refused: $state" ;;
esac
dmesg | grep -q 'not reporting: the device does not offer free page reporting' ||
	ph_fail "no clear refusal in the kernel log"
[ "$(cat $PH_SYSFS/reports)" = 0 ] || ph_fail "reports without a device"
rmmod pagehint || ph_fail "rmmod failed"
# The stock driver can still have the device.
ph_modprobe virtio_balloon || ph_fail "cannot load virtio_balloon"
[ "$(ph_balloon_driver)" = virtio_balloon ] || ph_fail "virtio_balloon could not bind after pagehint"

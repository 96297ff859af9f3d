# SPDX-License-Identifier: GPL-2.0
# A balloon device without free page reporting (rig --reporting=off):
# pagehint binds it for the balloon alone, says so in the log and in sysfs,
# reports nothing, inflates and deflates to the host's target, unloads, and
# virtio_balloon can have the device afterwards.
. /tests/lib.sh

insmod $PH_KO || ph_fail "insmod failed"
[ "$(ph_balloon_driver)" = pagehint ] || ph_fail "device bound to $(ph_balloon_driver)"
state=$(cat $PH_SYSFS/device)
ph_info "device: $state"
case $state in
bound*"balloon only: the device does not offer free page reporting"*) ;;
*) ph_fail "sysfs does not say why pagehint does not report: $state" ;;
esac
dmesg | grep -q 'balloon only, not reporting: the device does not offer free page reporting' ||
	ph_fail "no clear message in the kernel log"
full=$(ph_balloon_actual)
ph_balloon_target $((full - 256))
ph_balloon_wait $((full - 256)) 120 || ph_fail "no inflation without reporting: actual $(ph_balloon_actual) MiB"
ph_balloon_target "$full"
ph_balloon_wait "$full" 120 || ph_fail "no deflation: actual $(ph_balloon_actual) MiB"
[ "$(cat $PH_SYSFS/reports)" = 0 ] || ph_fail "reports without a reporting queue"
rmmod pagehint || ph_fail "rmmod failed"
# The stock driver can still have the device.
ph_modprobe virtio_balloon || ph_fail "cannot load virtio_balloon"
[ "$(ph_balloon_driver)" = virtio_balloon ] || ph_fail "virtio_balloon could not bind after pagehint"

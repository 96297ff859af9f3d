# SPDX-License-Identifier: GPL-2.0
# Booted with init_on_free=1 (rig option --append=init_on_free=1): releasing
# a reported range would rewrite every page of it, so pagehint does not
# report, and says so in the log and in sysfs; it still balloons, and it
# negotiates VIRTIO_BALLOON_F_PAGE_POISON (feature bit 4) to tell the host
# what freed pages hold, as virtio_balloon does.  Then virtio_balloon can
# have the device.
. /tests/lib.sh

grep -qw 'init_on_free=1' /proc/cmdline || ph_skip "boot with init_on_free=1 (--append=init_on_free=1)"
insmod $PH_KO || ph_fail "insmod failed"
[ "$(ph_balloon_driver)" = pagehint ] || ph_fail "pagehint did not bind the device: $(ph_balloon_driver)"
case $(cat $PH_SYSFS/device) in
bound*"balloon only: init_on_free"*) ;;
*) ph_fail "sysfs does not say why: $(cat $PH_SYSFS/device)" ;;
esac
dmesg | grep -q 'balloon only, not reporting: init_on_free' || ph_fail "no message in the kernel log"
ph_balloon_feature 4 ||
	ph_fail "PAGE_POISON not negotiated under init_on_free: $(cat "/sys/bus/virtio/devices/$(ph_balloon_dev)/features")"
full=$(ph_balloon_actual)
ph_balloon_target $((full - 256))
ph_balloon_wait $((full - 256)) 120 || ph_fail "no inflation: actual $(ph_balloon_actual) MiB"
ph_balloon_target "$full"
ph_balloon_wait "$full" 120 || ph_fail "no deflation: actual $(ph_balloon_actual) MiB"
sleep 3
[ "$(cat $PH_SYSFS/reports)" = 0 ] || ph_fail "reports were made"
rmmod pagehint || ph_fail "rmmod failed"
ph_modprobe virtio_balloon || ph_fail "cannot load virtio_balloon"
[ "$(ph_balloon_driver)" = virtio_balloon ] || ph_fail "virtio_balloon cannot bind the device after pagehint"
ph_info "under init_on_free=1: $(dmesg | grep -o 'balloon only, not reporting: .*' | head -n 1)"

# SPDX-License-Identifier: GPL-2.0
# Booted with init_on_free=1 (rig option --append=init_on_free=1): releasing
# a reported range would rewrite every page of it, so pagehint refuses the
# device at probe with a clear message and the reason in sysfs, stays
# loaded, and leaves the device to virtio_balloon.
. /tests/lib.sh

grep -qw 'init_on_free=1' /proc/cmdline || ph_skip "boot with init_on_free=1 (--append=init_on_free=1)"
insmod $PH_KO || ph_fail "insmod failed"
[ "$(ph_balloon_driver)" != pagehint ] || ph_fail "pagehint bound a device it must refuse"
case $(cat $PH_SYSFS/device) in
refused*init_on_free*) ;;
*) ph_fail "sysfs does not say why: $(cat $PH_SYSFS/device)" ;;
esac
dmesg | grep -q 'not reporting: init_on_free' || ph_fail "no refusal message in the kernel log"
[ "$(cat $PH_SYSFS/reports)" = 0 ] || ph_fail "reports were made"
rmmod pagehint || ph_fail "rmmod failed"
ph_modprobe virtio_balloon || ph_fail "cannot load virtio_balloon"
[ "$(ph_balloon_driver)" = virtio_balloon ] || ph_fail "virtio_balloon cannot bind the device after the refusal"
ph_info "refused under init_on_free=1: $(dmesg | grep -o 'not reporting: .*' | head -n 1)"

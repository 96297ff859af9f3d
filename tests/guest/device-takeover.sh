# SPDX-License-Identifier: GPL-2.0
# Taking the device over from the stock virtio_balloon at load, giving it
# back at unload: load, take over, report, unload, virtio_balloon rebinds,
# reload; several times, with a clean kernel log.  On kernels where
# releasing virtio_balloon from a device offering reporting oopses (6.11 to
# 6.12.95, 6.13 to 7.1), pagehint must refuse the take-over instead, and
# say so.
#
# What pagehint must do is decided here, not read from pagehint: from the
# kernel version (ph_unbind_safe) and from what the device offers, as the
# host's QEMU reports it (its "free-page-reporting" property).  The test
# then checks that pagehint did exactly that, in every round.
. /tests/lib.sh

if ph_device_offers free-page-reporting; then offered=1; else offered=0; fi

ph_modprobe virtio_balloon || ph_fail "cannot load virtio_balloon"
[ "$(ph_balloon_driver)" = virtio_balloon ] || ph_fail "virtio_balloon not bound"
# virtio_balloon negotiates reporting whenever it is offered (no page
# poisoning here): the guest must see what the host says it offers.
if ph_balloon_reporting; then seen=1; else seen=0; fi
[ "$seen" = "$offered" ] || ph_fail "the host offers reporting=$offered, virtio_balloon negotiated $seen"

if [ "$offered" = 1 ] && ! ph_unbind_safe; then
	expect=refuse
else
	expect=take
fi
ph_info "kernel $(uname -r), reporting offered=$offered: pagehint must $expect the device"

i=0
while [ $i -lt 3 ]; do
	insmod $PH_KO || ph_fail "insmod failed on round $i"
	state=$(cat $PH_SYSFS/device)
	if [ $expect = refuse ]; then
		[ "$(ph_balloon_driver)" = virtio_balloon ] ||
			ph_fail "round $i: the take-over must be refused here, yet the device is with $(ph_balloon_driver)"
		case $state in
		*"stays with virtio_balloon"*) ;;
		*) ph_fail "round $i: sysfs does not say why: $state" ;;
		esac
		dmesg | grep -q 'releasing it from virtio_balloon oopses this kernel' ||
			ph_fail "round $i: refused without saying so in the log"
		[ "$(cat $PH_SYSFS/reports)" = 0 ] || ph_fail "round $i: reports without the device"
		rmmod pagehint || ph_fail "rmmod failed on round $i"
		[ "$(ph_balloon_driver)" = virtio_balloon ] || ph_fail "round $i: the device left virtio_balloon on unload"
		i=$((i + 1))
		continue
	fi
	[ "$(ph_balloon_driver)" = pagehint ] || ph_fail "round $i: pagehint must take the device here: $state"
	if dmesg | grep -q 'releasing it from virtio_balloon oopses this kernel'; then
		ph_fail "round $i: pagehint logged a refusal, yet this kernel can release the device"
	fi
	case $state in
	bound*) ;;
	*) ph_fail "round $i: sysfs says '$state' for a bound device" ;;
	esac
	if [ "$offered" = 1 ]; then
		case $state in
		*"balloon only"*) ph_fail "round $i: not reporting through a device that offers it: $state" ;;
		esac
		ph_balloon_reporting || ph_fail "round $i: pagehint did not negotiate the reporting offered"
		ph-memtouch -m 128 >/dev/null
		echo 0 >$PH_SYSFS/delay_ms
		ph_wait_reports 1 10 || ph_fail "no report on round $i"
	fi
	rmmod pagehint || ph_fail "rmmod failed on round $i"
	[ "$(ph_balloon_driver)" = virtio_balloon ] || ph_fail "device not handed back on round $i: $(ph_balloon_driver)"
	i=$((i + 1))
done
ph_info "3 rounds: pagehint did $expect the device, as it must"

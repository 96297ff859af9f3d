# SPDX-License-Identifier: GPL-2.0
# Taking the device over from the stock virtio_balloon at load, giving it
# back at unload: load, take over, report, unload, virtio_balloon rebinds,
# reload; several times, with a clean kernel log.  On kernels where
# releasing virtio_balloon oopses (6.11 to 6.12.95, 6.13 to 7.1), pagehint
# must refuse the take-over instead, and say so.
. /tests/lib.sh

ph_modprobe virtio_balloon || ph_fail "cannot load virtio_balloon"
[ "$(ph_balloon_driver)" = virtio_balloon ] || ph_fail "virtio_balloon not bound"

i=0
while [ $i -lt 3 ]; do
	insmod $PH_KO || ph_fail "insmod failed on round $i"
	if dmesg | grep -q 'releasing it from virtio_balloon oopses this kernel'; then
		[ "$(ph_balloon_driver)" = virtio_balloon ] || ph_fail "refused, yet the device moved"
		case $(cat $PH_SYSFS/device) in
		*"stays with virtio_balloon"*) ;;
		*) ph_fail "sysfs does not say why: $(cat $PH_SYSFS/device)" ;;
		esac
		rmmod pagehint || ph_fail "rmmod failed"
		ph_info "take-over refused on this kernel, as it must be"
		exit 0
	fi
	[ "$(ph_balloon_driver)" = pagehint ] || ph_fail "pagehint did not take the device: $(cat $PH_SYSFS/device)"
	ph-memtouch -m 128 >/dev/null
	echo 0 >$PH_SYSFS/delay_ms
	n=0
	while [ "$(cat $PH_SYSFS/reports)" = 0 ] && [ $n -lt 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	[ "$(cat $PH_SYSFS/reports)" != 0 ] || ph_fail "no report on round $i"
	rmmod pagehint || ph_fail "rmmod failed on round $i"
	[ "$(ph_balloon_driver)" = virtio_balloon ] || ph_fail "device not handed back on round $i: $(ph_balloon_driver)"
	i=$((i + 1))
done
ph_info "3 rounds of take-over, report, hand-back"

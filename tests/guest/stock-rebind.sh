# SPDX-License-Identifier: GPL-2.0
# The stock virtio_balloon driver can be unbound from the balloon device and
# bound again: the path pagehint uses to take the device over.
. /tests/lib.sh

dev=$(ph_balloon_dev) || ph_fail "no virtio balloon device"
ph_modprobe virtio_balloon || ph_fail "cannot load virtio_balloon"
[ "$(ph_balloon_driver)" = virtio_balloon ] || ph_fail "virtio_balloon did not bind $dev"
if ph_balloon_reporting; then
	ph_info "device offers free page reporting"
	# Linux 6.11 to 6.12.95 and 6.13 to 7.1 oops in vp_del_vqs() when
	# virtio_balloon is removed from a device that offers reporting (it
	# passes a hole for the absent free page hint queue); the rig runs this
	# test with reporting off there (scripts/check.sh).
fi
drv=/sys/bus/virtio/drivers/virtio_balloon
i=0
while [ $i -lt 3 ]; do
	echo "$dev" >$drv/unbind || ph_fail "unbind failed"
	[ "$(ph_balloon_driver)" = none ] || ph_fail "still bound after unbind"
	echo "$dev" >$drv/bind || ph_fail "bind failed"
	[ "$(ph_balloon_driver)" = virtio_balloon ] || ph_fail "not bound after bind"
	i=$((i + 1))
done
rmmod virtio_balloon || ph_fail "rmmod virtio_balloon failed"
[ "$(ph_balloon_driver)" = none ] || ph_fail "bound after rmmod"
ph_modprobe virtio_balloon || ph_fail "cannot reload virtio_balloon"
[ "$(ph_balloon_driver)" = virtio_balloon ] || ph_fail "virtio_balloon did not rebind"
ph_info "unbind/bind x3, rmmod/insmod: ok"

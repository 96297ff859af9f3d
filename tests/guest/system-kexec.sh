# SPDX-License-Identifier: GPL-2.0
# ph-needs: kernel-image
# Shutdown, reboot and kexec: the guest goes down each way of ph.mode=
# (default "reboot,poweroff,kexec", in that order, one boot each; "kexec"
# on a machine without ACPI, QEMU microvm) while pagehint reports, and
# comes up again.  Each boot but the last: pagehint reports as fast as it
# can while a checker churns memory, then the guest goes down: "reboot
# -f", "poweroff -f", or a kexec into its own kernel (kexec_file_load, then
# reboot(LINUX_REBOOT_CMD_KEXEC)).
#
# The rig looks at the balloon device right after pagehint's reboot
# notifier said it stopped reporting and reset it (ph-host stop-watch on
# that line: it pauses the guest, asks QEMU, resumes it), and before the
# virtio core's own shutdown, which resets every virtio device on the
# kernels that have it (6.1.19x, 7.x) and would hide a pagehint that did
# not.  To be sure the rig gets there first, a usermode helper is running
# as the guest goes down (a modprobe the kernel starts for an unknown
# filesystem, pointed at a script that sleeps): the kernel waits up to 5 s
# for it between the reboot notifiers and device_shutdown().  At a reboot
# or power-off QEMU then pauses instead of resetting or exiting (ph-host
# down-watch) and the rig resets the machine, which boots again; a kexec
# boots the new kernel by itself.
#
# The next boot checks: pagehint said it stopped for that way down, the
# rig paused the guest there and QEMU saw that way down, and the device was
# not live (no DRIVER_OK in x-query-virtio-status) right after pagehint's
# notifier: a host that acted on a report after that would zero the next
# kernel's memory.  pagehint binds the device and reports again, and after
# a kexec the new kernel's memory holds what it writes (a checker over
# most of it).
. /tests/lib.sh

# A machine without ACPI (QEMU microvm; the rig says ph.off=reboot) can
# neither power off nor come back from a reboot: there, kexec alone.
if [ "$(ph_param off poweroff)" = reboot ]; then
	MODES=$(ph_param mode kexec | tr , ' ')
else
	MODES=$(ph_param mode reboot,poweroff,kexec | tr , ' ')
fi

# why MODE: how pagehint's message names it; reason MODE: how the rig does.
why() {
	case $1 in
	poweroff) echo 'system power off' ;;
	*) echo 'system restart' ;;
	esac
}
reason() {
	case $1 in
	kexec) echo console ;;
	reboot) echo console guest-reset ;;
	poweroff) echo console guest-shutdown ;;
	esac
}
# live ANSWER: 1 if QEMU's x-query-virtio-status answer has DRIVER_OK, 0 if
# not, nothing if it has no status.  QEMU names the status bits, or (newer
# QEMUs) gives the number, where DRIVER_OK is 4.
live() {
	case $1 in
	ok*'"statuses":'*DRIVER_OK*) echo 1 ;;
	ok*'"statuses":'*) echo 0 ;;
	ok*'"status":'[0-9]*)
		echo $(($(echo "$1" | sed -n 's/.*"status":\([0-9]*\).*/\1/p') >> 2 & 1)) ;;
	esac
}
for m in $MODES; do
	[ -n "$(reason "$m")" ] || ph_fail "ph.mode=$m: kexec, reboot or poweroff"
done

# This boot's number (init prints PH-BOOTED once a boot), the way the last
# boot went down and the one this boot goes down, if any.
n=$(ph-host console-count 'PH-BOOTED [0-9.]+ ') || ph_fail "no answer from the host: $n"
boot=${n#ok }
last=$(echo "$MODES" | awk -v i=$((boot - 1)) 'i > 0 { print $i }')
next=$(echo "$MODES" | awk -v i="$boot" 'i > 0 { print $i }')
[ "$boot" -eq 1 ] || [ -n "$last" ] || ph_fail "boot $boot: more boots than ways down ($MODES)"

if [ -n "$last" ]; then
	# How many times pagehint must have said so by now, this way down
	# included.
	said=$(echo "$MODES" | awk -v i=$((boot - 1)) -v w="$(why "$last")" '{
		for (j = 1; j <= i; j++)
			n += ($j == "poweroff") == (w == "system power off")
		print n
	}')
	n=$(ph-host console-count "pagehint.*reporting stopped, device reset: $(why "$last")") ||
		ph_fail "no answer from the host: $n"
	[ "${n#ok }" -ge "$said" ] ||
		ph_fail "the old kernel's pagehint did not say it stopped for the $last (${n#ok } of $said)"
	r=$(ph-host stopped) || ph_fail "the host saw no stop at the $last: $r"
	[ "$r" = "ok $(reason "$last")" ] ||
		ph_fail "the host saw '${r#ok }' of the $last, not '$(reason "$last")'"
	st=$(ph-host stopped 1) || ph_fail "QEMU did not say how the device was: $st"
	ph_info "boot $boot: the device after pagehint's notifier ($last): $(echo "$st" | sed -n 's/.*\("status":\({[^}]*}\|[0-9]*\)\).*/\1/p')"
	case $(live "$st") in
	0) ;;
	1) ph_fail "the device was still live after pagehint's notifier ($last)" ;;
	*) ph_fail "no device status in QEMU's answer: $st" ;;
	esac
	ph_info "boot $boot: the old kernel stopped reporting and reset the device before the $last"
	if [ "$last" = kexec ]; then
		avail=$(awk '/MemAvailable/ { print int($2 / 1024) }' /proc/meminfo)
		ph-memverify -m $((avail * 7 / 10)) -t 10 -s 2 ||
			ph_fail "the new kernel's memory changed under it"
	fi
fi

if [ -z "$next" ]; then
	insmod $PH_KO || ph_fail "insmod failed in the new kernel"
	[ "$(ph_balloon_driver)" = pagehint ] || ph_fail "pagehint did not bind: $(cat $PH_SYSFS/device)"
	echo 0 >$PH_SYSFS/delay_ms
	ph_wait_reports 1 60 || ph_fail "no report in the new kernel"
	rmmod pagehint
	exit 0
fi

if [ "$next" = kexec ]; then
	[ -f /boot/vmlinuz ] || ph_fail "no kernel image in the initramfs"
	# kexec_file_load wants an initramfs: this one, rebuilt from the root.
	(cd / && find . -xdev | cpio -o -H newc 2>/dev/null) >/tmp/initrd.cpio
fi
ph_load_busy
ph_churn_start 256
ph_wait_reports 3 60 || ph_fail "no reports before the $next"
# The balloon's virtio device in QEMU (its QOM path differs by transport).
vdev=$(ph-host qmp x-query-virtio | tr '{' '\n' | grep '"name":"virtio-balloon"' |
	sed -n 's/.*"path":"\([^"]*\)".*/\1/p')
[ -n "$vdev" ] || ph_fail "QEMU lists no virtio-balloon device"
# The control: QEMU does show the device live while pagehint drives it.
st=$(ph-host qmp x-query-virtio-status "{\"path\": \"$vdev\"}")
[ "$(live "$st")" = 1 ] || ph_fail "QEMU does not show the device live while pagehint drives it: $st"
ph-host stop-watch 'pagehint.*reporting stopped, device reset' >/dev/null ||
	ph_fail "the host cannot watch for pagehint's stop"
ph-host stop-qmp x-query-virtio-status "{\"path\": \"$vdev\"}" >/dev/null ||
	ph_fail "the host cannot look at the device at the $next"
if [ "$next" != kexec ]; then
	ph-host down-watch >/dev/null || ph_fail "the host cannot watch for the $next"
fi
# The usermode helper that holds the way down between the notifiers and
# device_shutdown() while the rig looks.
printf '#!/bin/sh\ntouch /tmp/hold.running\nsleep 3\n' >/tmp/hold
chmod 755 /tmp/hold
echo /tmp/hold >/proc/sys/kernel/modprobe
mount -t ph-hold none /mnt 2>/dev/null &
n=0
while [ ! -f /tmp/hold.running ] && [ $n -lt 100 ]; do
	sleep 0.1
	n=$((n + 1))
done
[ -f /tmp/hold.running ] || ph_fail "the kernel started no modprobe helper"
ph_info "boot $boot: $(cat $PH_SYSFS/reports) reports; $next now"
case $next in
kexec)
	ph-kexec-load -e /boot/vmlinuz /tmp/initrd.cpio "$(cat /proc/cmdline)"
	;;
reboot) reboot -f ;;
poweroff) poweroff -f ;;
esac
sleep 60
ph_fail "the $next did not happen"

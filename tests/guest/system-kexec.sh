# SPDX-License-Identifier: GPL-2.0
# ph-needs: kernel-image
# Shutdown, reboot and kexec.  Stage 1: pagehint reports as fast as it can
# while a checker churns memory, then the guest kexecs into its own kernel
# (kexec_file_load, then reboot(LINUX_REBOOT_CMD_KEXEC)).  Stage 2, in the
# new kernel: the old kernel's pagehint said it stopped reporting and reset
# the device during the restart (its reboot notifier: a host that acted on
# a report after the jump would zero the new kernel's memory), the new
# kernel's memory holds what it writes (a checker over most of it), and
# pagehint binds the same device and reports again.
. /tests/lib.sh

STOPPED='pagehint.*reporting stopped, device reset: system restart'

if [ "$(ph_param stage 1)" = 1 ]; then
	[ -f /boot/vmlinuz ] || ph_fail "no kernel image in the initramfs"
	# kexec_file_load wants an initramfs: this one, rebuilt from the root.
	(cd / && find . -xdev | cpio -o -H newc 2>/dev/null) >/tmp/initrd.cpio
	ph_load_busy
	ph_churn_start 256
	ph_wait_reports 3 60 || ph_fail "no reports before the kexec"
	ph_info "stage 1: $(cat $PH_SYSFS/reports) reports; kexec now"
	ph-kexec-load -e /boot/vmlinuz /tmp/initrd.cpio \
		"$(sed 's/ *ph\.stage=[^ ]*//' /proc/cmdline) ph.stage=2"
	ph_fail "kexec did not happen"
fi

n=$(ph-host console-count "$STOPPED") || ph_fail "no answer from the host: $n"
[ "${n#ok }" -ge 1 ] || ph_fail "the first kernel's pagehint did not stop for the restart"
ph_info "stage 2: the first kernel stopped reporting before the jump"
avail=$(awk '/MemAvailable/ { print int($2 / 1024) }' /proc/meminfo)
ph-memverify -m $((avail * 7 / 10)) -t 10 -s 2 || ph_fail "the new kernel's memory changed under it"
insmod $PH_KO || ph_fail "insmod failed in the new kernel"
[ "$(ph_balloon_driver)" = pagehint ] || ph_fail "pagehint did not bind: $(cat $PH_SYSFS/device)"
echo 0 >$PH_SYSFS/delay_ms
ph_wait_reports 1 60 || ph_fail "no report in the new kernel"
rmmod pagehint

# SPDX-License-Identifier: GPL-2.0
# System sleep while pagehint reports.  Suspend-to-idle (echo freeze), woken
# through QEMU's monitor (an ACPI power button press, scheduled before the
# guest sleeps), goes through the driver's freeze and restore callbacks
# (virtio-pci uses them for every sleep state).  A hibernation attempt
# without swap runs freeze, the snapshot and thaw, then fails to write the
# image.  After each, pagehint is bound again and reports; no warning;
# memory intact.
. /tests/lib.sh

grep -qw freeze /sys/power/state || ph_skip "no suspend-to-idle: /sys/power/state has '$(cat /sys/power/state)'"
# The power button is the wake-up source (built in, or the button module).
ph_modprobe button 2>/dev/null || true
ls -d /sys/bus/*/drivers/*button >/dev/null 2>&1 || ph_skip "no ACPI button driver to wake the guest"

ph_load_busy
ph_churn_start 128

ROUNDS=$(ph_param rounds 2)
i=0
while [ $i -lt "$ROUNDS" ]; do
	before=$(cat $PH_SYSFS/reports)
	ph_wait_reports $((before + 1)) 20 || ph_fail "round $i: no report before the freeze"
	ph-host later 3 qmp system_powerdown >/dev/null || ph_fail "cannot schedule the wake-up"
	echo freeze >/sys/power/state || ph_fail "round $i: suspend-to-idle failed"
	ph_still_reporting "the resume of round $i"
	ph_info "round $i: suspended to idle and back, reporting"
	i=$((i + 1))
done
[ "$(dmesg | grep -c 'PM: suspend exit')" -ge "$ROUNDS" ] || ph_fail "the kernel did not log $ROUNDS suspend exits"

if grep -qw disk /sys/power/state; then
	echo disk >/sys/power/state 2>/dev/null && ph_info "hibernation returned success"
	dmesg | grep -i 'PM: hibernation\|PM: Image\|swap' | grep -v nosave | tail -n 3
	ph_still_reporting "the hibernation attempt"
	ph_info "hibernation freeze/thaw and back, reporting"
fi
ph_churn_stop || ph_fail "the checker found mismatches"
rmmod pagehint || ph_fail "rmmod failed"

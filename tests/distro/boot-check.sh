#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Run by pagehint-boot-check.service in distro-test's guest: a Debian system
# booted with systemd from its disk, after its kernel was upgraded.  Checks
# what an admin expects of the pagehint-dkms package, reports a verdict on
# the console for the rig (scripts/rig.py), and powers the guest off.

exec </dev/null >/dev/console 2>&1
. /etc/pagehint-test.env
echo "KVER=$(uname -r)" >/etc/ph.env
. /tests/lib.sh

stty -F /dev/ttyS1 raw -echo 2>/dev/null
exec 9</dev/ttyS1
echo "PH-BOOTED $(cut -d' ' -f1 /proc/uptime) $(uname -r) distro-boot"

check() {
	ph_info "kernel $(uname -r), booted by $(cat /proc/1/comm)"
	[ "$(uname -r)" = "$PH_EXPECT_KVER" ] || ph_fail "booted $(uname -r), not the upgraded $PH_EXPECT_KVER"
	[ "$(cat /proc/1/comm)" = systemd ] || ph_fail "init is not systemd"
	ph_info "systemd: $(systemctl is-system-running 2>&1)"

	# Loaded at boot by udev from the device's modalias, from DKMS's tree.
	[ -d /sys/module/pagehint ] || ph_fail "pagehint was not loaded at boot"
	ph_info "pagehint $(cat /sys/module/pagehint/version) from $(modinfo -F filename pagehint)"
	modinfo -F filename pagehint | grep -q "^/lib/modules/$(uname -r)/updates/dkms/" ||
		ph_fail "pagehint was not loaded from the DKMS build"
	[ ! -d /sys/module/virtio_balloon ] || ph_fail "virtio_balloon was loaded despite the blacklist"
	[ "$(ph_balloon_driver)" = pagehint ] || ph_fail "the balloon device is bound to $(ph_balloon_driver)"
	ph_info "device: $(cat $PH_SYSFS/device)"
	journalctl -b -k --no-pager | grep -q 'pagehint: version .* loaded' ||
		ph_fail "the journal has no load message of pagehint"

	# The daemon's unit, enabled by the package, runs and found its means.
	systemctl is-active --quiet pagehint-reclaimd ||
		ph_fail "pagehint-reclaimd is not running: $(systemctl is-active pagehint-reclaimd)"
	journalctl -b -u pagehint-reclaimd --no-pager | grep -q 'reclaiming with .*memory.reclaim' || {
		journalctl -b -u pagehint-reclaimd --no-pager | tail -n 5
		ph_fail "pagehint-reclaimd did not start with memory.reclaim"
	}
	ph_info "$(journalctl -b -u pagehint-reclaimd --no-pager -o cat | grep -m 1 "reclaiming with")"

	# Reporting: host RSS falls after a 1 GiB free.
	ph_wait_idle 120 || ph_fail "the load-time reporting did not settle"
	ph_reclaim_half 1024 120
	ph_info "host RSS half back in $PH_RECLAIM"
	ph_wait_idle 120 || true
	ph-host mark after
	pagehint-stat
	ph_dmesg_clean || ph_fail "kernel log not clean"
}

( set -e; check )
rc=$?
case $rc in
0) ph_result PASS "distro-boot" ;;
77) ph_result SKIP "distro-boot" ;;
*) ph_result FAIL "distro-boot (exit $rc)" ;;
esac
sync
systemctl poweroff --no-block

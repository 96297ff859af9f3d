#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# distro-test.sh: pagehint in a real Debian guest, installed the way an
# admin installs it (what `make distro-test` runs).
#
#  1. A Debian 12 root filesystem, debootstrapped once into the cache with
#     systemd, the stock cloud kernel 6.1 and its headers, and dkms.
#  2. In a copy of it (a chroot in a private mount namespace):
#     - apt-get install ./pagehint-dkms_*.deb ./pagehint-reclaimd_*.deb
#       (from `make deb`): DKMS builds pagehint for the installed kernel,
#       and the daemon's unit is enabled;
#     - the kernel upgrade: bookworm-backports' cloud kernel 6.12 and its
#       headers, with apt-get and nothing else.  DKMS's kernel hooks must
#       build pagehint for it; `dkms status` and the .ko files of both
#       kernels are checked.
#  3. The tree becomes an ext4 disk; QEMU boots it with the new kernel and
#     its initramfs (root=/dev/vda, systemd as init).  A systemd unit runs
#     tests/distro/boot-check.sh once the system is up: pagehint was loaded
#     at boot by udev, virtio_balloon was not, and host RSS falls after a
#     1 GiB workload frees its memory; pagehint-reclaimd runs, with
#     memory.reclaim.
#
# Environment: PH_DISTRO_REFRESH=1 debootstraps the base again (it is also
# renewed once a week); PH_DISTRO_BASE_ONLY=1 only makes the base (what
# make check does early, at the lowest priority); PH_DISTRO_BOOT=0 stops
# before the boot.  Logs and
# the guest's console go to results/distro/.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

SUITE=bookworm
UPGRADE_SUITE=bookworm-backports
KPKGS="linux-image-cloud-amd64 linux-headers-cloud-amd64"
res=$PH_TOP/results/distro
base=$PH_CACHE/distro/$SUITE-base.tar
work=$PH_CACHE/distro/work
root=$work/root
t0=$(date +%s)

step() { ph_log "distro-test: $* ($(($(date +%s) - t0)) s)"; }

# chroot_run CMD...: CMD inside $root (see ph_in_root).
chroot_run() { ph_in_root "$root" "$@"; }

make_base() {
	local tmp=$PH_CACHE/distro/base.tmp
	step "debootstrapping $SUITE with systemd, $KPKGS and dkms (once)"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	debootstrap --variant=minbase --keyring="$PH_KEYRING" \
		--include="systemd-sysv,udev,kmod,procps,dbus,initramfs-tools,dkms,gcc,make,${KPKGS// /,}" \
		"$SUITE" "$tmp" "$PH_MIRROR" >"$res/debootstrap.log" 2>&1 ||
		{ tail -n 30 "$res/debootstrap.log"; ph_die "debootstrap failed"; }
	cat >"$tmp/etc/apt/sources.list" <<-EOF
	deb $PH_MIRROR $SUITE main
	deb $PH_MIRROR $SUITE-updates main
	deb $PH_SECURITY_MIRROR $SUITE-security main
	EOF
	echo 'Acquire::Check-Valid-Until "false";' >"$tmp/etc/apt/apt.conf.d/99pagehint"
	echo pagehint-guest >"$tmp/etc/hostname"
	echo '/dev/vda / ext4 rw,errors=remount-ro 0 1' >"$tmp/etc/fstab"
	# A guest with no password: the test needs no login.
	chroot "$tmp" passwd -d root >/dev/null
	chroot "$tmp" apt-get clean
	tar -C "$tmp" -cf "$base.new" . && mv "$base.new" "$base"
	rm -rf "$tmp"
}

# kvers: the kernel versions installed in $root, oldest first.
kvers() {
	find "$root/lib/modules" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V
}

# Is there no base, or one to renew?
base_is_old() {
	[ ! -f "$base" ] || [ -n "${PH_DISTRO_REFRESH:-}" ] ||
		[ -n "$(find "$base" -mtime +7)" ]
}

main() {
	local debs old new k ko disk img rc
	ph_host_deps
	ph_need_pkgs e2fsprogs
	if [ -n "${PH_DISTRO_BASE_ONLY:-}" ]; then
		mkdir -p "$res" "$PH_CACHE/distro"
		base_is_old && make_base
		return 0
	fi
	rm -rf "$res"
	mkdir -p "$res" "$PH_CACHE/distro"
	"$PH_TOP/scripts/fetch-qemu.sh" >"$res/qemu.log" 2>&1 ||
		{ cat "$res/qemu.log"; ph_die "fetching QEMU failed"; }

	step "building the package"
	debs=$("$PH_TOP/scripts/build-deb.sh" 2>"$res/deb.log") ||
		{ cat "$res/deb.log"; ph_die "make deb failed"; }

	if base_is_old; then
		make_base
	fi
	step "unpacking the $SUITE root filesystem"
	rm -rf "$work"
	mkdir -p "$root"
	tar -C "$root" -xf "$base"
	old=$(kvers)
	[ "$(echo "$old" | wc -l)" -eq 1 ] || ph_die "the base has kernels: $old"

	step "apt-get install ./pagehint-dkms_*.deb ./pagehint-reclaimd_*.deb (kernel $old)"
	# shellcheck disable=SC2086
	cp $debs "$root/tmp/"
	# shellcheck disable=SC2046
	chroot_run apt-get install -y $(for d in $debs; do echo "/tmp/$(basename "$d")"; done) \
		>"$res/install.log" 2>&1 ||
		{ cat "$res/install.log"; ph_die "installing the package failed"; }
	grep -E 'Building|Installing|DKMS|pagehint' "$res/install.log" | sed 's/^/  /' || true

	step "upgrading the kernel from $UPGRADE_SUITE: $KPKGS"
	echo "deb $PH_MIRROR $UPGRADE_SUITE main" >"$root/etc/apt/sources.list.d/backports.list"
	chroot_run sh -ec "apt-get -qq update && apt-get install -y -t $UPGRADE_SUITE $KPKGS" \
		>"$res/upgrade.log" 2>&1 ||
		{ tail -n 40 "$res/upgrade.log"; ph_die "the kernel upgrade failed"; }
	grep -E 'dkms|Building|pagehint' "$res/upgrade.log" | sed 's/^/  /' || true
	new=$(kvers | tail -n 1)
	[ "$new" != "$old" ] || ph_die "no new kernel was installed"

	step "checking DKMS for $old and $new"
	chroot_run dkms status 2>>"$res/dkms-status.log" | tee "$res/dkms-status.txt" | sed "s/^/  /"
	for k in $old $new; do
		grep -q "^pagehint/.*, $k, x86_64: installed" "$res/dkms-status.txt" ||
			ph_die "dkms status does not show pagehint installed for $k"
		ko=$(find "$root/lib/modules/$k/updates" -name 'pagehint.ko*' | head -n 1)
		[ -n "$ko" ] || ph_die "no pagehint.ko for $k"
		chroot_run modinfo -k "$k" -F vermagic pagehint | grep -q "^$k " ||
			ph_die "pagehint.ko for $k has the wrong vermagic"
		grep -q "pagehint" "$root/lib/modules/$k/modules.alias" ||
			ph_die "depmod did not index pagehint for $k"
		echo "  $k: ${ko#"$root"}"
	done
	[ -f "$root/etc/modprobe.d/pagehint.conf" ] || ph_die "the package's modprobe.d file is missing"

	step "installing the boot check"
	install -d "$root/usr/local/lib/pagehint-test" "$root/tests"
	install -m 755 "$PH_TOP/tests/distro/boot-check.sh" "$root/usr/local/lib/pagehint-test/"
	install -m 644 "$PH_TOP/tests/guest/lib.sh" "$root/tests/lib.sh"
	install -m 755 "$PH_TOP/tests/guest/ph-host" "$root/usr/local/bin/ph-host"
	mkdir -p "$work/wl"
	make -s -C "$PH_TOP/tests/workloads" OUT="$work/wl"
	for f in "$work"/wl/*; do
		install -m 755 "$f" "$root/usr/local/bin/ph-$(basename "$f")"
	done
	install -m 644 "$PH_TOP/tests/distro/pagehint-boot-check.service" "$root/etc/systemd/system/"
	ln -sf /etc/systemd/system/pagehint-boot-check.service \
		"$root/etc/systemd/system/multi-user.target.wants/pagehint-boot-check.service"
	echo "PH_EXPECT_KVER=$new" >"$root/etc/pagehint-test.env"
	# No login prompt on the console the rig reads.
	ln -sf /dev/null "$root/etc/systemd/system/serial-getty@ttyS0.service"

	if [ "${PH_DISTRO_BOOT:-1}" = 0 ]; then
		step "done (PH_DISTRO_BOOT=0: not booting)"
		return 0
	fi
	step "making the disk"
	img=$work/disk.img
	cp "$root/boot/vmlinuz-$new" "$work/vmlinuz"
	cp "$root/boot/initrd.img-$new" "$work/initrd.img"
	rm -f "$img"
	truncate -s 4G "$img"
	mkfs.ext4 -q -F -L root -d "$root" "$img" || ph_die "mkfs.ext4 -d failed"
	rm -rf "$root"
	disk=$img

	step "booting $new from the disk (systemd)"
	mkdir -p "$res/boot"
	rc=0
	ph_rig "$(ph_qemu_bin)" \
		--kernel "$work/vmlinuz" --initrd "$work/initrd.img" \
		--test distro-boot --label "$SUITE, $old upgraded to $new" --out "$res/boot" \
		--timeout 900 --boot-timeout 600 --mem 2G \
		--append "root=/dev/vda rw systemd.show_status=1" \
		-- -drive "file=$disk,if=virtio,format=raw,cache=unsafe" || rc=$?
	grep -E '^(ph:|FAIL|SKIP|PH-RESULT)' "$res/boot/console.log" | sed 's/^/  /' || true
	rm -f "$img"
	step "done"
	return "$rc"
}

main "$@"

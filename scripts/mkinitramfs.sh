#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# mkinitramfs.sh ID|KVER OUT.cpio.gz [KO]: build the rig's initramfs for a
# fetched kernel: busybox-static, the kernel's own virtio modules (resolved
# through its modules.dep, decompressed), pagehint.ko (KO, default: build it
# through DKMS), on kernels with CONFIG_KUNIT the KUnit module
# pagehint_test.ko (PH_KUNIT_KO, default: build it), the guest tests of
# tests/guest and the static workloads of tests/workloads; with
# PH_INITRD_KERNEL=IMAGE also the kernel's image as /boot/vmlinuz; with
# PH_INITRD_STRESS_NG=1 also stress-ng.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || ph_die "usage: $0 KERNEL-ID|KVER OUT.cpio.gz [pagehint.ko]"
kver=$(ph_kernel_kver "$1")
out=$2
ko=${3:-}
moddir=$(ph_kernel_moddir "$kver")
[ -n "$ko" ] || ko=$("$PH_TOP/scripts/dkms-build.sh" "$kver")
kunit_ko=${PH_KUNIT_KO:-}
if [ -z "$kunit_ko" ] && grep -qx 'CONFIG_KUNIT=y' "$(ph_kernel_headers "$kver")/.config"; then
	kunit_ko=$("$PH_TOP/scripts/kunit-build.sh" "$kver")
fi

# Modules the guest may load, and those it loads at boot.
GUEST_MODULES="virtio_pci virtio_balloon"
# ... and those it may load if the kernel has them (button: the ACPI power
# button, which wakes a suspended guest; virtio_mem: memory hotplug;
# virtio_mmio and virtio_console: QEMU microvm, see init; virtio_blk: the
# rig's --disk).
OPTIONAL_MODULES="button virtio_mem virtio_mmio virtio_console virtio_blk"
BOOT_MODULES="virtio_pci"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
r=$work/root
mkdir -p "$r"/{bin,sbin,etc,proc,sys,dev,tmp,run,mnt,lib/pagehint,tests} \
	"$r/lib/modules/$kver/order"

cp /bin/busybox "$r/bin/busybox"

# modules.dep: "path: dep dep ...", paths relative to the modules directory.
mod_path() {
	awk -v n="$1" -F: '{ p = $1; b = p; sub(/.*\//, "", b); sub(/\.ko(\.[a-z]+)?$/, "", b);
		gsub(/-/, "_", b); if (b == n) { print p; exit } }' "$moddir/modules.dep"
}
mod_deps() {
	awk -v p="$1" -F': *' '$1 == p { print $2 }' "$moddir/modules.dep" | tr ' ' '\n' | sed '/^$/d'
}
is_builtin() {
	sed 's/.*\///; s/\.ko$//; s/-/_/g' "$moddir/modules.builtin" | grep -qx "$1"
}

# resolve PATH: print PATH's dependencies, deepest first, then PATH.
resolve() {
	local d
	for d in $(mod_deps "$1" | tac); do
		resolve "$d"
	done
	echo "$1"
}

install_module() {
	local rel=$1 dst
	dst=$r/lib/modules/$kver/${rel%.xz}
	dst=${dst%.zst}
	dst=${dst%.gz}
	[ -f "$dst" ] && return 0
	mkdir -p "$(dirname "$dst")"
	case $rel in
	*.xz) xz -dc "$moddir/$rel" >"$dst" ;;
	*.zst) zstd -qdc "$moddir/$rel" >"$dst" ;;
	*.gz) gzip -dc "$moddir/$rel" >"$dst" ;;
	*) cp "$moddir/$rel" "$dst" ;;
	esac
}

for m in $GUEST_MODULES $OPTIONAL_MODULES; do
	: >"$r/lib/modules/$kver/order/$m"
	if is_builtin "$m"; then
		continue
	fi
	p=$(mod_path "$m")
	if [ -z "$p" ]; then
		case " $OPTIONAL_MODULES " in
		*" $m "*) rm -f "$r/lib/modules/$kver/order/$m"; continue ;;
		esac
		ph_die "module $m not found for $kver"
	fi
	for dep in $(resolve "$p" | awk '!seen[$0]++'); do
		install_module "$dep"
		rel=${dep%.xz}
		rel=${rel%.zst}
		echo "/lib/modules/$kver/${rel%.gz}" >>"$r/lib/modules/$kver/order/$m"
	done
done
echo "$BOOT_MODULES" >"$r/etc/modules.boot"

# pagehint.ko
case $ko in
*.xz) xz -dc "$ko" >"$r/lib/pagehint/pagehint.ko" ;;
*) cp "$ko" "$r/lib/pagehint/pagehint.ko" ;;
esac

[ -z "$kunit_ko" ] || cp "$kunit_ko" "$r/lib/pagehint/pagehint_test.ko"

# The kernel's image, for tests that kexec (PH_INITRD_KERNEL, run-guest.sh).
if [ -n "${PH_INITRD_KERNEL:-}" ]; then
	mkdir -p "$r/boot"
	cp "$PH_INITRD_KERNEL" "$r/boot/vmlinuz"
fi

# A test that runs stress-ng (a peer tool: Debian's build, installed on the
# host) carries it and the shared libraries it links, as the host's loader
# resolves them (PH_INITRD_STRESS_NG, run-guest.sh; same architecture).
if [ -n "${PH_INITRD_STRESS_NG:-}" ]; then
	ph_need_pkgs stress-ng
	cp /usr/bin/stress-ng "$r/bin/stress-ng"
	for lib in $(ldd /usr/bin/stress-ng | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		mkdir -p "$r$(dirname "$lib")"
		cp -L "$lib" "$r$lib"
	done
fi

# Guest tests, their helpers and the static workloads.
cp "$PH_TOP"/tests/guest/*.sh "$r/tests/"
cp "$PH_TOP/tests/guest/init" "$r/init"
cp "$PH_TOP/tests/guest/ph-host" "$r/bin/ph-host"
cp "$PH_TOP/scripts/pagehint-stat" "$r/bin/pagehint-stat"
chmod 755 "$r/init" "$r/bin/ph-host" "$r/bin/pagehint-stat"
mkdir -p "$work/wl"
make -s -C "$PH_TOP/tests/workloads" OUT="$work/wl" >&2
for f in "$work"/wl/*; do
	cp "$f" "$r/bin/ph-$(basename "$f")"
done
make -s -C "$PH_TOP/tools/reclaimd" OUT="$work" LDFLAGS=-static >&2
cp "$work/pagehint-reclaimd" "$r/bin/pagehint-reclaimd"

echo "KVER=$kver" >"$r/etc/ph.env"

(cd "$r" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out"

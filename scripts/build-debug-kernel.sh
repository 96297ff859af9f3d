#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-debug-kernel.sh: build the KUnit/debug guest kernel (matrix id
# "debug") from Debian's linux-source-6.12 for bookworm, configured with
# allnoconfig + tests/kunit/debug.config, and lay it out in the cache like a
# fetched stock kernel, so that the rig, DKMS builds and sparse use it
# unchanged:
#
#   $PH_CACHE/kernels/<kver>/src/                       the unpacked source
#   $PH_CACHE/kernels/<kver>/root/usr/src/linux-headers-<kver>/   O= build tree
#   $PH_CACHE/kernels/<kver>/root/boot/vmlinuz-<kver>
#   $PH_CACHE/kernels/<kver>/root/lib/modules/<kver>/   modules_install
#   $PH_CACHE/kernels/debug -> <kver>
#
# <kver> is <version>-phdbg-<hash>, the hash covering the Debian source
# version and the fragment, so a changed fragment or a new source upload
# builds a new kernel and an unchanged one costs nothing.  Older debug builds
# are removed.
#
# Why 6.12 from bookworm (6.12.117-1~deb12u1 today): it is the kernel of
# Debian 13 (and of bookworm-backports), packaged for bookworm so the host's
# gcc-12 builds it without a chroot; its KUnit has everything the suites use
# (parameterised cases, kunit_skip, deferred actions); and it carries the
# virtio_pci vq-info fix ("virtio_pci: fix vq info pointer lookup via wrong
# index") that the stock 6.12.95 lacks,
# so the debug lane can exercise take-over and hand-back.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

# The source package: the "debug" row of PH_MATRIX (lib.sh).
SRC_SUITE=$(ph_matrix_field debug 2)
SRC_PATTERN=$(ph_matrix_field debug 3)
FRAGMENT=$PH_TOP/tests/kunit/debug.config

# check_config CONFIG: every line of the fragment must hold in CONFIG, or an
# option silently lost a dependency and the lane would not test what it says.
check_config() {
	local bad=0 line sym
	while read -r line; do
		case $line in
		CONFIG_*=*)
			grep -qxF "$line" "$1" || { ph_log "not in .config: $line"; bad=1; } ;;
		"# CONFIG_"*" is not set")
			sym=${line#"# "}
			sym=${sym%" is not set"}
			if grep -q "^$sym=" "$1"; then
				ph_log "set in .config: $(grep "^$sym=" "$1")"
				bad=1
			fi ;;
		esac
	done <"$FRAGMENT"
	[ "$bad" -eq 0 ] || ph_die "the debug config fragment did not apply (see above)"
}

main() {
	local srcver deb hash dir kver base build root t0 jobs old SRC_PKG
	ph_host_deps
	ph_need_pkgs bc flex bison libelf-dev libssl-dev cpio kmod
	ph_apt_setup
	SRC_PKG=$(ph_newest_pkg "$SRC_SUITE" "$SRC_PATTERN")
	[ -n "$SRC_PKG" ] || ph_die "no package matching $SRC_PATTERN in $SRC_SUITE"
	srcver=$(ph_pkg_version "$SRC_SUITE" "$SRC_PKG")
	[ -n "$srcver" ] || ph_die "$SRC_PKG not found in $SRC_SUITE"
	hash=$( { echo "$SRC_PKG $srcver"; cat "$FRAGMENT"; } | sha256sum | cut -c1-8)

	# Reuse a finished build with this hash.
	for dir in "$PH_CACHE"/kernels/*-phdbg-"$hash"; do
		if [ -f "$dir/.complete" ]; then
			ln -sfn "$(basename "$dir")" "$PH_CACHE/kernels/debug"
			echo "debug $(basename "$dir")"
			return 0
		fi
	done

	deb=$(ph_download "$SRC_SUITE" "$SRC_PKG")
	base=$PH_CACHE/kernels/.debug-$hash
	rm -rf "$base"
	mkdir -p "$base/src"
	ph_log "unpacking $SRC_PKG $srcver"
	dpkg --fsys-tarfile "$deb" | tar -xOf - "./usr/src/$SRC_PKG.tar.xz" |
		tar -xJf - -C "$base/src" --strip-components=1
	kver=$(make -s -C "$base/src" kernelversion)-phdbg-$hash
	dir=$PH_CACHE/kernels/$kver
	rm -rf "$dir"
	mv "$base" "$dir"
	root=$dir/root
	build=$root/usr/src/linux-headers-$kver
	mkdir -p "$build" "$root/boot"

	kmake() {
		make -C "$dir/src" O="$build" LOCALVERSION="-phdbg-$hash" "$@"
	}
	kmake -s KCONFIG_ALLCONFIG="$FRAGMENT" allnoconfig
	check_config "$build/.config"
	[ "$(kmake -s kernelrelease)" = "$kver" ] ||
		ph_die "kernelrelease $(kmake -s kernelrelease) is not $kver"

	jobs=$(nproc)
	ph_log "building $kver with $jobs jobs (about 5 min on 2 idle cores)"
	t0=$(date +%s)
	kmake -s -j"$jobs" bzImage modules >"$dir/build.log" 2>&1 ||
		{ tail -n 40 "$dir/build.log"; ph_die "building $kver failed (see $dir/build.log)"; }
	kmake -s INSTALL_MOD_PATH="$root" modules_install >>"$dir/build.log" 2>&1 ||
		ph_die "modules_install for $kver failed"
	echo "$(($(date +%s) - t0))" >"$dir/build-seconds"
	ph_log "built $kver in $(cat "$dir/build-seconds") s"

	cp "$build/arch/x86/boot/bzImage" "$root/boot/vmlinuz-$kver"
	ln -sfn "$build" "$root/lib/modules/$kver/build"
	depmod -b "$root" "$kver"
	echo "$SRC_SUITE" >"$dir/suite"
	echo "$SRC_PKG=$srcver" >"$dir/packages"
	touch "$dir/.complete"

	# Keep one debug kernel.
	for old in "$PH_CACHE"/kernels/*-phdbg-*; do
		[ "$old" = "$dir" ] || rm -rf "$old"
	done
	ln -sfn "$kver" "$PH_CACHE/kernels/debug"
	echo "debug $kver"
}

main "$@"

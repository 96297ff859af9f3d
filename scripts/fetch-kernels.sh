#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-kernels.sh [ID...]: download the stock Debian kernels of the test
# matrix (default: all ids, see PH_MATRIX in lib.sh) with apt-get download,
# unpack them with dpkg -x into $PH_CACHE/kernels/<kver>, and repair what
# unpacking without installing breaks.  Kernels whose headers need a newer
# gcc than the host's also get a debootstrap'ed build chroot of their suite.
#
# The id "debug" is the KUnit/debug kernel, built from source instead
# (build-debug-kernel.sh).  Nothing is installed into the host; re-running is
# cheap (everything cached).

set -euo pipefail
. "$(dirname "$0")/lib.sh"

# Packages that make up a kernel: image (or, from 7.x, binary + modules +
# base), headers, headers-common and kbuild.  Follow Depends restricted to
# these names, starting from the image and the headers.
kernel_pkgs() {
	local suite=$1 kver=$2 todo seen="" p d
	todo="linux-image-$kver linux-headers-$kver"
	while [ -n "$todo" ]; do
		set -- $todo
		p=$1
		shift
		todo="$*"
		case " $seen " in *" $p "*) continue ;; esac
		seen="$seen $p"
		for d in $(ph_pkg_depends "$suite" "$p"); do
			case $d in
			linux-image-*-unsigned) ;;
			linux-image-[0-9]* | linux-binary-[0-9]* | linux-modules-[0-9]* | \
			linux-base-[0-9]* | linux-headers-[0-9]* | linux-kbuild-[0-9]*)
				todo="$todo $d" ;;
			esac
		done
	done
	echo $seen
}

# Repair an unpacked kernel tree so that Kbuild and depmod work from the cache.
repair_tree() {
	local root=$1 kver=$2 hdr mk l moddir
	hdr=$root/usr/src/linux-headers-$kver

	# The flavour headers' Makefile names the -common headers (include) and,
	# from 7.x, itself (KBUILD_OUTPUT=) by absolute /usr/src paths: point
	# them into the cache.
	mk=$hdr/Makefile
	sed -i "s#\([ =]\)/usr/src/#\1$root/usr/src/#g" "$mk"
	# Absolute symlinks inside the headers (scripts, tools, ...) would
	# resolve on the host: make them point into the cache.
	find "$root/usr/src" "$root/usr/lib" -type l 2>/dev/null | while read -r l; do
		case $(readlink "$l") in
		/usr/src/* | /usr/lib/* | /lib/*)
			ln -sfn "$root$(readlink "$l")" "$l" ;;
		esac
	done

	# Trixie and later ship modules under usr/lib/modules; depmod -b and the
	# rig look under lib/modules.
	if [ -d "$root/usr/lib/modules/$kver" ] && [ ! -e "$root/lib" ]; then
		ln -s usr/lib "$root/lib"
	fi
	moddir=$root/lib/modules/$kver
	[ -d "$moddir" ] || ph_die "no modules directory for $kver"
	# The build link is absolute (/usr/src/linux-headers-<kver>).
	ln -sfn "$hdr" "$moddir/build"
	[ ! -L "$moddir/source" ] || ln -sfn "$hdr" "$moddir/source"

	# The image package ships no modules.dep: dpkg's postinst would run
	# depmod.  Run it against the cache.
	depmod -b "$root" "$kver"
	[ -s "$moddir/modules.dep" ] || ph_die "depmod produced no modules.dep for $kver"
}

# debootstrap a minimal build environment for SUITE with the compiler the
# kernel's headers package asks for, plus make, kmod, dkms and pahole.
ensure_chroot() {
	local suite=$1 gccpkg=$2 root
	root=$(ph_chroot_dir "$suite")
	if [ -f "$root/.pagehint-ready" ] && grep -qx "$gccpkg" "$root/.pagehint-ready"; then
		return 0
	fi
	ph_log "creating the $suite build chroot with $gccpkg (once; a few minutes)"
	if [ ! -x "$root/bin/sh" ]; then
		rm -rf "$root"
		mkdir -p "$root"
		debootstrap --variant=minbase --keyring="$PH_KEYRING" \
			"$suite" "$root" "$PH_MIRROR" >"$root.log" 2>&1 ||
			ph_die "debootstrap $suite failed, see $root.log"
	fi
	# The archive reachable here may serve a Release file past its
	# Valid-Until date (a frozen mirror); the signature is still checked.
	echo 'Acquire::Check-Valid-Until "false";' \
		>"$root/etc/apt/apt.conf.d/99pagehint"
	ph_in_chroot "$suite" sh -ec "
		export DEBIAN_FRONTEND=noninteractive
		apt-get -qq update
		apt-get -y -qq --no-install-recommends install \
			$gccpkg make libc6-dev kmod dkms pahole bc libelf-dev >/dev/null
		apt-get clean
	" >>"$root.log" 2>&1 || ph_die "setting up the $suite chroot failed, see $root.log"
	echo "$gccpkg" >>"$root/.pagehint-ready"
}

fetch_one() {
	local id=$1 suite pattern img kver dir root pkgs debs d gccpkg
	suite=$(ph_matrix_field "$id" 2)
	pattern=$(ph_matrix_field "$id" 3)
	[ -n "$suite" ] || ph_die "unknown kernel id '$id' (known: $(ph_matrix_ids | xargs))"
	img=$(ph_newest_pkg "$suite" "$pattern")
	[ -n "$img" ] || ph_die "no kernel matching $pattern in $suite"
	kver=${img#linux-image-}
	dir=$PH_CACHE/kernels/$kver
	root=$dir/root

	if [ ! -f "$dir/.complete" ]; then
		ph_log "fetching $id: $kver ($suite)"
		rm -rf "$dir"
		mkdir -p "$root"
		pkgs=$(kernel_pkgs "$suite" "$kver")
		# shellcheck disable=SC2086
		debs=$(ph_download "$suite" $pkgs)
		for d in $debs; do
			dpkg -x "$d" "$root"
		done
		repair_tree "$root" "$kver"
		echo "$suite" >"$dir/suite"
		echo "$pkgs" | tr ' ' '\n' >"$dir/packages"
		touch "$dir/.complete"
	fi
	ln -sfn "$kver" "$PH_CACHE/kernels/$id"

	if ph_kernel_needs_chroot "$kver"; then
		gccpkg=$(ph_pkg_depends "$suite" "linux-headers-$kver" | awk '/^gcc-[0-9]+/ && !n++')
		[ -n "$gccpkg" ] || gccpkg=gcc-$(ph_kernel_gcc "$kver")
		ensure_chroot "$suite" "$gccpkg"
	fi
	echo "$id $kver"
}

main() {
	local ids=("$@")
	ph_host_deps
	ph_apt_setup
	mkdir -p "$PH_CACHE/kernels"
	[ ${#ids[@]} -gt 0 ] || mapfile -t ids < <(ph_matrix_ids)
	for id in "${ids[@]}"; do
		if [ "$id" = debug ]; then
			"$PH_TOP/scripts/build-debug-kernel.sh"
		else
			fetch_one "$id"
		fi
	done
}

main "$@"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fetch-qemu.sh: unpack bookworm-backports' QEMU (10.x) into $PH_CACHE/qemu
# and install the bookworm libraries it links against.  The rig uses this one
# QEMU for every kernel: bookworm's own QEMU 7.2 crashes 6.12 guests under
# TCG on about half the boots, and trixie's needs a newer libc.
# Prints the path of qemu-system-x86_64.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

SUITE=bookworm-backports
PKGS="qemu-system-x86 qemu-system-common qemu-system-data"

main() {
	local root=$PH_QEMU_DIR/root ver libs p d
	ph_host_deps
	ph_apt_setup
	ver=$(ph_pkg_version "$SUITE" qemu-system-x86)
	[ -n "$ver" ] || ph_die "no qemu-system-x86 in $SUITE"

	# Runtime libraries and firmware come from the host's own bookworm.
	libs=""
	for p in $PKGS; do
		for d in $(ph_pkg_depends "$SUITE" "$p"); do
			case $d in
			qemu-*) ;;
			*) libs="$libs $d" ;;
			esac
		done
	done
	# shellcheck disable=SC2086
	ph_need_pkgs $libs

	if [ "$(cat "$PH_QEMU_DIR/version" 2>/dev/null)" != "$ver" ]; then
		ph_log "unpacking QEMU $ver"
		rm -rf "$root"
		mkdir -p "$root"
		for d in $(ph_download "$SUITE" $PKGS); do
			dpkg -x "$d" "$root"
		done
		echo "$ver" >"$PH_QEMU_DIR/version"
	fi
	"$root/usr/bin/qemu-system-x86_64" --version >/dev/null ||
		ph_die "the unpacked QEMU does not run"
	echo "$root/usr/bin/qemu-system-x86_64"
}

main "$@"

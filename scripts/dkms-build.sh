#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# dkms-build.sh ID|KVER: build pagehint.ko through DKMS for a fetched stock
# kernel, with private DKMS trees under $PH_CACHE/dkms/<kver> so that the
# host's own DKMS state is never touched.  Kernels built by a gcc the host
# lacks are built inside their suite's chroot (see fetch-kernels.sh).
# Prints the path of the built module.
#
# PH_W1=1 adds W=1 (extra warnings), and any warning fails the build.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || ph_die "usage: $0 KERNEL-ID|KVER"
kver=$(ph_kernel_kver "$1")
hdr=$(ph_kernel_headers "$kver")
ver=$(make -s -C "$PH_TOP" version)
# One tree per checkout, so that two clones never build in each other.
base=$PH_CACHE/dkms/$(printf %s "$PH_TOP" | md5sum | cut -c1-8)/$kver
src=$base/source
tree=$base/tree
inst=$base/install
log=$base/build.log

# A fresh copy of the DKMS payload: what `make dkms-install` and the Debian
# package ship (no tests, no scripts).
rm -rf "$base"
mkdir -p "$src/pagehint-$ver" "$tree" "$inst"
# shellcheck disable=SC2046
(cd "$PH_TOP" && tar -cf - $(make -s payload)) |
	tar -C "$src/pagehint-$ver" -xf -

# sign_file pointing nowhere keeps dkms from generating a signing key in the
# host's /var/lib/dkms: stock Debian kernels load unsigned modules (tainted).
run_dkms() {
	local cmd=(env sign_file=/nonexistent mok_signing_key=/nonexistent
		mok_certificate=/nonexistent
		dkms "$1" -m pagehint -v "$ver" -k "$kver"
		--dkmstree "$tree" --sourcetree "$src" --installtree "$inst"
		--kernelsourcedir "$hdr")
	[ "$1" = build ] && [ -n "${PH_W1:-}" ] && cmd=(env KBUILD_EXTRA_WARN=1 "${cmd[@]}")
	if ph_kernel_needs_chroot "$kver"; then
		ph_in_chroot "$(ph_kernel_suite "$kver")" "${cmd[@]}"
	else
		"${cmd[@]}"
	fi
}

if ! { run_dkms add && run_dkms build; } >"$log" 2>&1; then
	cat "$log" >&2
	find "$tree" -name make.log -exec cat {} + >&2 2>/dev/null || true
	ph_die "DKMS build for $kver failed"
fi
mlog=$(find "$tree" -name make.log | head -n 1)
if grep -E 'warning:|error:' "$mlog" >/dev/null; then
	grep -E -B2 -A2 'warning:|error:' "$mlog" >&2
	ph_die "the build for $kver printed warnings (see $mlog)"
fi
ko=$(find "$tree/pagehint/$ver/$kver" -name 'pagehint.ko*' | head -n 1)
[ -n "$ko" ] || ph_die "DKMS built no pagehint.ko for $kver"
echo "$ko"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# kunit-build.sh ID|KVER: build pagehint's KUnit module (tests/kunit,
# pagehint_test.ko) against a fetched kernel that has CONFIG_KUNIT (the
# debug kernel), in a private copy of the tree, with W=1: any compiler
# warning fails.  Prints the path of the module.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || ph_die "usage: $0 KERNEL-ID|KVER"
kver=$(ph_kernel_kver "$1")
hdr=$(ph_kernel_headers "$kver")
grep -qx 'CONFIG_KUNIT=y' "$hdr/.config" ||
	ph_die "$kver has no CONFIG_KUNIT: KUnit runs on the debug kernel (scripts/build-debug-kernel.sh)"

work=$PH_CACHE/kunit/$(printf %s "$PH_TOP" | md5sum | cut -c1-8)/$kver
rm -rf "$work"
mkdir -p "$work/tests"
# shellcheck disable=SC2046
(cd "$PH_TOP" && tar -cf - $(make -s payload) tests/kunit) | tar -C "$work" -xf -
run() {
	if ph_kernel_needs_chroot "$kver"; then
		ph_in_chroot "$(ph_kernel_suite "$kver")" "$@"
	else
		"$@"
	fi
}
if ! run make -C "$hdr" M="$work/tests/kunit" W=1 modules >"$work/build.log" 2>&1; then
	cat "$work/build.log" >&2
	ph_die "building the KUnit module for $kver failed"
fi
if grep -E 'warning:|error:' "$work/build.log" >/dev/null; then
	grep -E -B2 -A2 'warning:|error:' "$work/build.log" >&2
	ph_die "the KUnit module's build for $kver printed warnings"
fi
echo "$work/tests/kunit/pagehint_test.ko"

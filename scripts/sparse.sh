#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# sparse.sh ID|KVER: run sparse (C=2) over every unit against a fetched
# kernel's headers, in a scratch copy of the tree; any sparse report fails.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 1 ] || ph_die "usage: $0 KERNEL-ID|KVER"
command -v sparse >/dev/null || ph_need_pkgs sparse
hdr=$(ph_kernel_headers "$1")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck disable=SC2046
(cd "$PH_TOP" && tar -cf - $(make -s payload)) | tar -C "$work" -xf -
make -s -C "$hdr" M="$work" C=2 modules >"$work/sparse.log" 2>&1 ||
	{ cat "$work/sparse.log"; ph_die "build failed"; }
if grep -E 'warning:|error:' "$work/sparse.log"; then
	ph_die "sparse reported problems"
fi
echo "sparse: clean ($(ls "$work"/src/*.c | wc -l) units)"

#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# style.sh [FILE...]: checkpatch.pl --strict over pagehint's C sources
# (default: src/, include/, tests/kunit/).  checkpatch.pl comes from the
# newest linux-source package of Debian unstable, unpacked into the cache.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

CP_DIR=$PH_CACHE/checkpatch

fetch_checkpatch() {
	local deb pkg tarball
	[ -x "$CP_DIR/scripts/checkpatch.pl" ] && return 0
	ph_host_deps
	ph_apt_setup
	pkg=$(ph_newest_pkg sid '^linux-source-[0-9.]+$')
	[ -n "$pkg" ] || ph_die "no linux-source package in sid"
	deb=$(ph_download sid "$pkg")
	ph_log "extracting checkpatch.pl from $pkg"
	rm -rf "$CP_DIR.tmp"
	mkdir -p "$CP_DIR.tmp"
	dpkg -x "$deb" "$CP_DIR.tmp/deb"
	tarball=$(ls "$CP_DIR.tmp"/deb/usr/src/linux-source-*.tar.*)
	tar -C "$CP_DIR.tmp" -xf "$tarball" --strip-components=1 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
	rm -rf "$CP_DIR.tmp/deb" "$CP_DIR"
	mv "$CP_DIR.tmp" "$CP_DIR"
}

fetch_checkpatch
cd "$PH_TOP"
cp=("$CP_DIR/scripts/checkpatch.pl" --strict --no-tree --terse --show-types -f)
if [ $# -gt 0 ]; then
	"${cp[@]}" "$@"
	exit
fi
rc=0
# shellcheck disable=SC2046
"${cp[@]}" $(find src include tests/kunit -name '*.[ch]' -not -path 'include/compat/*' \
	-not -path 'include/trace/*' 2>/dev/null | sort) || rc=1
# include/compat/ is the one place allowed to compare kernel versions.
# shellcheck disable=SC2046
"${cp[@]}" --ignore LINUX_VERSION_CODE,CONSTANT_COMPARISON \
	$(find include/compat -name '*.[ch]' | sort) || rc=1
# include/trace/ has the layout of the kernel's own trace headers
# (TRACE_EVENT() with one macro per line, TRACE_INCLUDE_PATH a path), which
# --strict's alignment and open-line checks do not know.
# shellcheck disable=SC2046
"${cp[@]}" --ignore OPEN_ENDED_LINE,PARENTHESIS_ALIGNMENT,SPACING \
	$(find include/trace -name '*.h' | sort) || rc=1
exit $rc

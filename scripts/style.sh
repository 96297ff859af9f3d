#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# style.sh [FILE...]: checkpatch.pl --strict over pagehint's C sources
# (default: src/, include/, tests/kunit/; its own spelling list included),
# then codespell over the whole tree (code, scripts, docs) and shellcheck
# over every shell script.  checkpatch.pl comes from the newest
# linux-source package of Debian unstable, unpacked into the cache;
# codespell and shellcheck from the host's Debian packages.  (codespell
# itself rather than checkpatch's --codespell: the same dictionary, over
# more than C, in a second instead of 40.)

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
ph_need_pkgs codespell shellcheck
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
# User space (pagehint-reclaimd): libc's types, and a signal flag.
# shellcheck disable=SC2046
"${cp[@]}" --ignore PREFER_KERNEL_TYPES,CAMELCASE,VOLATILE,EMBEDDED_FUNCTION_NAME \
	$(find tools -name '*.[ch]' | sort) || rc=1
codespell src include tests tools scripts docs debian etc .ci README.md Makefile Kbuild dkms.conf || rc=1
# Shell: the scripts, the guest tests (busybox sh, checked as POSIX sh with
# the local keyword busybox has) and the CI entry point; warnings and
# errors fail, notes of style do not.
# shellcheck disable=SC2046
shellcheck -S warning -x -P scripts $(grep -rlE '^#!.*(ba)?sh' scripts .ci tests/rig | sort) || rc=1
# shellcheck disable=SC2046
shellcheck -S warning -s sh -e SC3043 -P tests/guest $(find tests/guest -name '*.sh' | sort) \
	tests/guest/init tests/guest/ph-host || rc=1
exit $rc

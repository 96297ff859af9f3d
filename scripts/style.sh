#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# style.sh [FILE...]: checkpatch.pl --strict --codespell over pagehint's C
# sources (default: src/, include/, tests/kunit/), then shellcheck over
# every shell script of the tree.  checkpatch.pl comes from the newest
# linux-source package of Debian unstable, unpacked into the cache;
# codespell's dictionary and shellcheck from the host's Debian packages.

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
dict=$(python3 -c 'import codespell_lib, os; print(os.path.join(os.path.dirname(codespell_lib.__file__), "data", "dictionary.txt"))' 2>/dev/null ||
	dpkg -L codespell | grep -m1 '/dictionary\.txt$')
[ -r "$dict" ] || ph_die "codespell's dictionary not found"
cd "$PH_TOP"
cp=("$CP_DIR/scripts/checkpatch.pl" --strict --no-tree --terse --show-types
	--codespell --codespellfile "$dict" -f)
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
# Shell: the scripts, the guest tests (busybox sh, checked as POSIX sh with
# the local keyword busybox has) and the CI entry point; warnings and
# errors fail, notes of style do not.
# shellcheck disable=SC2046
shellcheck -S warning -x -P scripts $(grep -rlE '^#!.*(ba)?sh' scripts .ci | sort) || rc=1
# shellcheck disable=SC2046
shellcheck -S warning -s sh -e SC3043 -P tests/guest $(find tests/guest -name '*.sh' | sort) \
	tests/guest/init tests/guest/ph-host || rc=1
exit $rc

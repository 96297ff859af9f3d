#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# build-deb.sh: build the Debian packages pagehint-dkms and
# pagehint-reclaimd from the tree (what `make deb` runs), with debhelper
# and dh-dkms from the host's Debian archive.  The build runs in a copy of the tree, so the checkout stays
# clean; the packages land in dist/ and their paths are printed, one a
# line, pagehint-dkms's last.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

ph_need_pkgs debhelper dh-dkms dpkg-dev fakeroot gcc make

ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$PH_TOP/dkms.conf")
deb_ver=$(dpkg-parsechangelog -l "$PH_TOP/debian/changelog" -S Version)
[ "${deb_ver%%-*}" = "$ver" ] ||
	ph_die "debian/changelog says $deb_ver, dkms.conf says $ver: bump both"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/pagehint-$ver"
# The files git knows or would add (no results, no build products).
(cd "$PH_TOP" && git ls-files -z --cached --others --exclude-standard |
	xargs -0 tar -cf -) | tar -C "$work/pagehint-$ver" -xf -
(cd "$work/pagehint-$ver" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1 || {
	cat "$work/build.log" >&2
	ph_die "dpkg-buildpackage failed"
}
mkdir -p "$PH_TOP/dist"
arch=$(dpkg --print-architecture)
debs="pagehint-reclaimd_${deb_ver}_$arch.deb pagehint-dkms_${deb_ver}_all.deb"
lintian_out=
for deb in $debs; do
	cp "$work/$deb" "$PH_TOP/dist/"
	if command -v lintian >/dev/null; then
		lintian_out+=$(lintian "$PH_TOP/dist/$deb" 2>&1 || true)
	fi
done
[ -z "$lintian_out" ] || printf '%s\n' "$lintian_out" >&2
# One path a line, pagehint-dkms's last.
for deb in $debs; do
	echo "$PH_TOP/dist/$deb"
done

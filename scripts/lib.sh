# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Common helpers for pagehint's host-side scripts.  Source it; do not run it.
#
# Everything downloaded or built lives under $PH_CACHE (default
# ${XDG_CACHE_HOME:-~/.cache}/pagehint), never in the repository and never in
# the host's own package state:
#
#   $PH_CACHE/apt/            private apt configuration, lists and .deb files
#   $PH_CACHE/kernels/<kver>/ dpkg -x of a stock kernel (image, modules,
#                             headers, headers-common, kbuild), paths repaired
#   $PH_CACHE/kernels/<id>    symlink: matrix id (e.g. bookworm-cloud) -> <kver>
#   $PH_CACHE/qemu/           dpkg -x of the rig's QEMU (bookworm-backports)
#   $PH_CACHE/chroot/<suite>/ debootstrap'ed build environment for kernels
#                             whose headers need a newer gcc than the host's
#   $PH_CACHE/dkms/<kver>/    private DKMS trees, one per kernel

PH_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PH_CACHE=${PH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/pagehint}
PH_MIRROR=${PH_MIRROR:-http://deb.debian.org/debian}
PH_SECURITY_MIRROR=${PH_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
PH_KEYRING=${PH_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}

# The kernel matrix: id, suite and package pattern (newest match wins): a
# stock image, fetched by fetch-kernels.sh, or for "debug" the source package
# build-debug-kernel.sh builds the KUnit/debug kernel from.
# "make check" runs every id listed in PH_KERNELS (default: all of them).
PH_MATRIX="
bookworm-cloud     bookworm           ^linux-image-6\.1\.0-[0-9]+-cloud-amd64\$
bookworm           bookworm           ^linux-image-6\.1\.0-[0-9]+-amd64\$
bookworm-bpo-cloud bookworm-backports ^linux-image-6\.12\.[0-9]+\+deb12-cloud-amd64\$
trixie-cloud       trixie             ^linux-image-6\.12\.[0-9]+\+deb13-cloud-amd64\$
sid-cloud          sid                ^linux-image-[0-9]+\.[0-9]+\.[0-9]+\+deb[0-9]+-cloud-amd64\$
debug              bookworm           ^linux-source-6\.12\$
"
PH_DEFAULT_KERNEL=${PH_DEFAULT_KERNEL:-bookworm-cloud}

ph_log() { printf '%s\n' "pagehint: $*" >&2; }
ph_die() { printf '%s\n' "pagehint: error: $*" >&2; exit 1; }

ph_matrix_ids() { awk 'NF == 3 { print $1 }' <<<"$PH_MATRIX"; }

# ph_matrix_field ID N: field N (2 = suite, 3 = pattern) of matrix row ID.
ph_matrix_field() {
	awk -v id="$1" -v n="$2" '$1 == id { print $n }' <<<"$PH_MATRIX"
}

# Install host packages that are missing.  Only the machine's own Debian
# sources are used here; nothing foreign is ever installed into the host.
ph_need_pkgs() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	ph_log "installing host packages: ${missing[*]}"
	if [ ! -f /var/lib/apt/periodic/pagehint-updated ] ||
	   [ -n "$(find /var/lib/apt/periodic/pagehint-updated -mmin +1440)" ]; then
		apt-get update -qq || ph_die "apt-get update failed"
		mkdir -p /var/lib/apt/periodic
		touch /var/lib/apt/periodic/pagehint-updated
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null ||
		ph_die "apt-get install ${missing[*]} failed"
}

# The host tools every script may use.
ph_host_deps() {
	ph_need_pkgs ca-certificates curl gnupg debian-archive-keyring \
		busybox-static cpio kmod dwarves dkms debootstrap make gcc libc6-dev \
		libelf-dev bc flex bison xz-utils zstd python3 file
}

# ---------------------------------------------------------------------------
# Private apt: one configuration that sees bookworm (+security, +updates),
# bookworm-backports, trixie and sid, with its own lists, cache and an empty
# dpkg status.  It only ever downloads; it never installs.
# ---------------------------------------------------------------------------
PH_APT_DIR=$PH_CACHE/apt

ph_apt_opts() {
	printf '%s\n' \
		-o "Dir::Etc::SourceList=$PH_APT_DIR/sources.list" \
		-o "Dir::Etc::SourceParts=/dev/null" \
		-o "Dir::Etc::Preferences=/dev/null" \
		-o "Dir::Etc::PreferencesParts=/dev/null" \
		-o "Dir::State::Lists=$PH_APT_DIR/lists" \
		-o "Dir::State::status=$PH_APT_DIR/status" \
		-o "Dir::Cache=$PH_APT_DIR/cache" \
		-o "APT::Architecture=amd64" \
		-o "APT::Architectures::=amd64" \
		-o "Debug::NoLocking=1" \
		-o "APT::Sandbox::User=root" \
		-o "Acquire::Check-Valid-Until=false"
}

ph_apt() {
	local opts
	mapfile -t opts < <(ph_apt_opts)
	"$1" "${opts[@]}" "${@:2}"
}

ph_apt_setup() {
	local k="signed-by=$PH_KEYRING" stamp=$PH_APT_DIR/updated
	mkdir -p "$PH_APT_DIR/lists/partial" "$PH_APT_DIR/cache/archives/partial" \
		"$PH_APT_DIR/debs"
	[ -f "$PH_APT_DIR/status" ] || : >"$PH_APT_DIR/status"
	cat >"$PH_APT_DIR/sources.list" <<-EOF
	deb [$k] $PH_MIRROR bookworm main
	deb [$k] $PH_MIRROR bookworm-updates main
	deb [$k] $PH_SECURITY_MIRROR bookworm-security main
	deb [$k] $PH_MIRROR bookworm-backports main
	deb [$k] $PH_MIRROR trixie main
	deb [$k] $PH_MIRROR sid main
	EOF
	# Refresh at most once a day (PH_OFFLINE=1 never refreshes).
	if [ -n "${PH_OFFLINE:-}" ] && [ -f "$stamp" ]; then
		return 0
	fi
	if [ ! -f "$stamp" ] || [ -n "$(find "$stamp" -mmin +1440)" ]; then
		ph_log "updating private apt lists"
		ph_apt apt-get -qq update || ph_die "private apt-get update failed"
		touch "$stamp"
	fi
}

# ph_suite_lists SUITE: the Packages files apt downloaded for SUITE.
ph_suite_lists() {
	local s=$1 f
	case $s in
	bookworm) set -- bookworm bookworm-updates bookworm-security ;;
	*) set -- "$s" ;;
	esac
	for s in "$@"; do
		for f in "$PH_APT_DIR"/lists/*_dists_"${s}"_main_binary-amd64_Packages*; do
			[ -f "$f" ] && echo "$f"
		done
	done
}

# ph_suite_cat SUITE: SUITE's Packages data, whatever apt compressed it with
# (decompressed once per list refresh).
ph_suite_cat() {
	local lists txt=$PH_APT_DIR/text/$1.Packages
	if [ ! -f "$txt" ] || [ "$PH_APT_DIR/updated" -nt "$txt" ]; then
		lists=$(ph_suite_lists "$1")
		[ -n "$lists" ] || ph_die "no package list for suite $1"
		mkdir -p "$PH_APT_DIR/text"
		# shellcheck disable=SC2086
		/usr/lib/apt/apt-helper cat-file $lists >"$txt.tmp"
		mv "$txt.tmp" "$txt"
	fi
	cat "$txt"
}

# ph_newest_pkg SUITE REGEX: newest package name of SUITE matching REGEX.
ph_newest_pkg() {
	ph_suite_cat "$1" | sed -n 's/^Package: //p' | grep -E "$2" | sort -uV | tail -n 1
}

# ph_pkg_version SUITE PKG: PKG's newest version in SUITE (bookworm spans
# main, -updates and -security).
ph_pkg_version() {
	local v best=""
	for v in $(ph_suite_cat "$1" | awk -v p="$2" '/^Package: / { hit = ($2 == p) }
			hit && /^Version: / { print $2 }'); do
		if [ -z "$best" ] || dpkg --compare-versions "$v" gt "$best"; then
			best=$v
		fi
	done
	echo "$best"
}

# ph_pkg_depends SUITE PKG: PKG's Depends, one package name a line.
ph_pkg_depends() {
	local v
	v=$(ph_pkg_version "$1" "$2")
	ph_suite_cat "$1" | awk -v p="$2" -v v="$v" '
		/^Package: / { hit = ($2 == p) }
		hit && /^Version: / { ver = $2 }
		hit && ver == v && !done && /^Depends: / { sub(/^Depends: /, ""); print; done = 1 }' |
		tr ',' '\n' | sed 's/|.*//; s/(.*//; s/^ *//; s/ *$//' | sed '/^$/d'
}

# ph_download SUITE PKG...: download exact versions into the deb cache,
# print the paths of the .deb files.
ph_download() {
	local suite=$1 p v f
	shift
	for p in "$@"; do
		v=$(ph_pkg_version "$suite" "$p")
		[ -n "$v" ] || ph_die "package $p not found in $suite"
		f=$(ls "$PH_APT_DIR/debs/${p}_${v//:/%3a}_"*.deb 2>/dev/null | head -n 1)
		if [ -z "$f" ]; then
			ph_log "downloading $p $v"
			(cd "$PH_APT_DIR/debs" && ph_apt apt-get -qq download "$p=$v") ||
				ph_die "apt-get download $p=$v failed"
			f=$(ls "$PH_APT_DIR/debs/${p}_${v//:/%3a}_"*.deb | head -n 1)
		fi
		echo "$f"
	done
}

# ---------------------------------------------------------------------------
# Kernels
# ---------------------------------------------------------------------------

# ph_kernel_dir ID|KVER: the unpacked tree of a fetched kernel.
ph_kernel_dir() {
	local d=$PH_CACHE/kernels/$1
	[ -e "$d" ] || ph_die "kernel $1 is not fetched (run scripts/fetch-kernels.sh $1)"
	readlink -f "$d"
}

ph_kernel_kver() { basename "$(ph_kernel_dir "$1")"; }

# ph_kernel_suite KVER: bookworm, bookworm-backports, trixie or sid.
ph_kernel_suite() { cat "$(ph_kernel_dir "$1")/suite"; }

# Modules live under usr/lib/modules from trixie on, lib/modules before.
ph_kernel_moddir() {
	local d kver
	d=$(ph_kernel_dir "$1")
	kver=$(basename "$d")
	if [ -d "$d/root/usr/lib/modules/$kver" ]; then
		echo "$d/root/usr/lib/modules/$kver"
	else
		echo "$d/root/lib/modules/$kver"
	fi
}

# The image is /boot/vmlinuz-<kver> up to 6.12, <moddir>/vmlinuz from 7.x.
ph_kernel_image() {
	local d kver
	d=$(ph_kernel_dir "$1")
	kver=$(basename "$d")
	if [ -f "$d/root/boot/vmlinuz-$kver" ]; then
		echo "$d/root/boot/vmlinuz-$kver"
	else
		echo "$(ph_kernel_moddir "$kver")/vmlinuz"
	fi
}

ph_kernel_headers() {
	local d kver
	d=$(ph_kernel_dir "$1")
	kver=$(basename "$d")
	echo "$d/root/usr/src/linux-headers-$kver"
}

# ph_kernel_gcc KVER: major version of the gcc that built the kernel.
ph_kernel_gcc() {
	sed -n 's/^CONFIG_GCC_VERSION=\([0-9]*\)$/\1/p' \
		"$(ph_kernel_headers "$1")/.config" | awk '{ print int($1 / 10000) }'
}

# Does this kernel need a build chroot of its own suite?  Kbuild refuses (or
# miscompiles with) a compiler other than the one the kernel was built with,
# and the host is bookworm with gcc-12.
ph_kernel_needs_chroot() {
	[ "$(ph_kernel_gcc "$1")" != "$(gcc -dumpversion | cut -d. -f1)" ]
}

# ---------------------------------------------------------------------------
# Build environments for trixie and sid kernels (gcc-14, gcc-16, ...)
# ---------------------------------------------------------------------------

ph_chroot_dir() { echo "$PH_CACHE/chroot/$1"; }

# ph_in_root ROOT CMD...: run CMD chrooted into ROOT with /proc, /sys and
# /dev mounted, in a private mount namespace (nothing stays mounted on the
# host).  The directories in PH_ROOT_BINDS (one a line) are bind-mounted at
# the same paths inside.
ph_in_root() {
	local root=$1
	shift
	unshare -m -- sh -ec '
		root=$1 binds=$2; shift 2
		printf "%s\n" "$binds" | while IFS= read -r d; do
			[ -n "$d" ] || continue
			mkdir -p "$root$d"
			mount --bind "$d" "$root$d"
		done
		mkdir -p "$root/proc" "$root/sys" "$root/dev"
		mount -t proc proc "$root/proc"
		mount -t sysfs sysfs "$root/sys"
		mount --rbind /dev "$root/dev"
		exec chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
	' sh "$root" "${PH_ROOT_BINDS:-}" "$@"
}

# ph_in_chroot SUITE CMD...: run CMD inside SUITE's build chroot, where the
# repository and the cache are bind-mounted at the same paths as on the
# host, so every path works unchanged.
ph_in_chroot() {
	local root
	root=$(ph_chroot_dir "$1")
	shift
	[ -x "$root/bin/sh" ] || ph_die "no build chroot at $root (run scripts/fetch-kernels.sh)"
	PH_ROOT_BINDS="$PH_TOP
$PH_CACHE" ph_in_root "$root" "$@"
}

# ---------------------------------------------------------------------------
# QEMU: bookworm-backports' QEMU 10, unpacked into the cache and run from there
# ---------------------------------------------------------------------------
PH_QEMU_DIR=$PH_CACHE/qemu

ph_qemu_bin() {
	if [ -n "${PH_QEMU:-}" ]; then
		echo "$PH_QEMU"
	else
		echo "$PH_QEMU_DIR/root/usr/bin/qemu-system-x86_64"
	fi
}

# ph_rig QEMU RIG-OPTIONS...: the guest rig (scripts/rig.py) with QEMU binary
# QEMU, the firmware directories, and KVM if it works here (PH_ACCEL=kvm|tcg
# forces either).  PH_DEADLINE (seconds since the epoch) caps the guest's
# timeouts: scripts/check.sh sets it to the end of its budget.
# ph_bench_ran OUT CFG REP T0 RC: a benchmark's boot of CFG in round REP
# (its verdict in OUT/CFG-REP.verdict) said, with the time since T0; dies
# if it failed (RC).
ph_bench_ran() {
	printf '%-14s round %d: %s (%d s so far)\n' "$2" "$3" \
		"$(tail -n 1 "$1/$2-$3.verdict")" $(($(date +%s) - $4))
	[ "$5" -eq 0 ] || ph_die "the $2 run failed: $1/$2-$3/console.log"
}

# ph_bench_machine OUT T0 GUEST [LINE...]: OUT/machine.txt, what a
# benchmark ran on: this host, QEMU's accelerator and version, the guest
# (GUEST), the LINEs, and the wall time since T0.
ph_bench_machine() {
	local out=$1 t0=$2 guest=$3
	shift 3
	{
		echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo)," \
			"$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
		echo "accel: $(grep -ho ', \(kvm\|tcg\))' "$out"/*.verdict | sort -u | tr -d ',) ' | xargs)"
		echo "guest: $guest"
		echo "qemu: $("$(ph_qemu_bin)" --version | head -n 1)"
		[ $# -eq 0 ] || printf '%s\n' "$@"
		echo "wall: $(($(date +%s) - t0)) s"
	} >"$out/machine.txt"
}

ph_rig() {
	local qemu=$1
	shift
	# One guest at a time on this machine, whoever starts it: two TCG
	# guests on two cores would each run at half speed and time out.
	mkdir -p "$PH_CACHE"
	exec {ph_rig_lock}>"$PH_CACHE/guest.lock"
	flock "$ph_rig_lock"
	python3 "$PH_TOP/scripts/rig.py" --qemu "$qemu" \
		--datadir "$PH_QEMU_DIR/root/usr/share/qemu" --datadir /usr/share/seabios \
		--datadir /usr/share/qemu \
		--accel "${PH_ACCEL:-auto}" --kvm-state "$PH_CACHE/kvm-broken" \
		${PH_DEADLINE:+--deadline "$PH_DEADLINE"} "$@"
}

# Is KVM usable here (device present, and a VM can be created)?
ph_kvm_usable() {
	[ -z "${PH_NO_KVM:-}" ] && [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] &&
		python3 -c '
import fcntl, os
fd = os.open("/dev/kvm", os.O_RDWR)
os.close(fcntl.ioctl(fd, 0xAE01, 0))  # KVM_CREATE_VM
' 2>/dev/null
}

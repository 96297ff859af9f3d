#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench-build.sh: a real workload (what `make bench-build` runs).  A Debian
# guest compiles a real C project (Lua 5.4, from Debian's source package) in
# a loop, with memory churn and an idle pause between builds, once per
# configuration of free page reporting and round.  The host measures
# QEMU's RSS (mean and peak over the loop) and CPU time; the guest its build
# times and CPU time.  scripts/bench-report.py prints the table.
#
# The guest is the rig's (tests/guest/bench-build.sh, the stock kernel, the
# initramfs with the module); the project, its compiler and C library live
# on a disk: an ext4 image of the distro test's Debian 12 base with
# libc6-dev and the project's source added, made once into the cache and
# opened read-only by every boot (QEMU's snapshot=on: each build starts
# from the same files, the page cache reads them from the disk).
#
# Environment:
#   PH_BENCH_KERNEL=id   guest kernel (default bookworm-cloud)
#   PH_BENCH_REPS=N      rounds (default 3)
#   PH_BENCH_CONFIGS     default "none upstream upstream_tuned upstream0
#                        dropcaches pagehint" (tests/guest/bench-build.sh)
#   PH_BENCH_BUILDS=N    builds per boot (default 3)
#   PH_RESULTS=dir       where results go (default results/bench-build/<date>)
#
# Figures only: nothing here passes or fails on speed.

set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=${PH_BENCH_KERNEL:-bookworm-cloud}
reps=${PH_BENCH_REPS:-3}
configs=${PH_BENCH_CONFIGS:-none upstream upstream_tuned upstream0 dropcaches pagehint}
builds=${PH_BENCH_BUILDS:-3}
out=${PH_RESULTS:-$PH_TOP/results/bench-build/$(date -u +%Y%m%d-%H%M%S)}
dir=$PH_CACHE/bench-build
img=$dir/disk.img
base=$PH_CACHE/distro/bookworm-base.tar
# The project: a Debian source package, and what its build is.
SRCPKG=lua5.4

[[ $reps =~ ^[1-9][0-9]*$ ]] || ph_die "PH_BENCH_REPS must be a positive number"
[[ $builds =~ ^[1-9][0-9]*$ ]] || ph_die "PH_BENCH_BUILDS must be a positive number"

# The disk: the Debian base, libc6-dev, the project's source unpacked in
# /root/project.  Made again when the base is newer.
make_disk() {
	local root=$dir/root
	[ -f "$base" ] || PH_DISTRO_BASE_ONLY=1 "$PH_TOP/scripts/distro-test.sh" ||
		ph_die "cannot make the Debian base"
	[ "$img" -nt "$base" ] && return 0
	ph_log "bench-build: making the disk (the Debian base, libc6-dev, $SRCPKG's source)"
	rm -rf "$root" "$img"
	mkdir -p "$root"
	tar -C "$root" -xf "$base"
	echo "deb-src $PH_MIRROR bookworm main" >>"$root/etc/apt/sources.list"
	ph_in_root "$root" sh -ec "apt-get -qq update
		apt-get install -y -qq libc6-dev
		cd /root && apt-get source -qq --download-only $SRCPKG
		mkdir /root/project
		tar -C /root/project --strip-components=1 -xzf /root/${SRCPKG}_*.orig.tar.gz
		rm -f /root/${SRCPKG}_*
		apt-get clean" >"$dir/disk.log" 2>&1 ||
		{ tail -n 30 "$dir/disk.log"; ph_die "preparing the disk failed"; }
	[ -f "$root/root/project/Makefile" ] || ph_die "no $SRCPKG source in the disk"
	truncate -s 3G "$img.new"
	mkfs.ext4 -q -F -L bench -d "$root" "$img.new" || ph_die "mkfs.ext4 -d failed"
	mv "$img.new" "$img"
	rm -rf "$root"
}

ph_host_deps
ph_need_pkgs e2fsprogs gnuplot-nox
"$PH_TOP/scripts/fetch-kernels.sh" "$kernel" >/dev/null
"$PH_TOP/scripts/fetch-qemu.sh" >/dev/null
mkdir -p "$out" "$dir"
make_disk
ph_log "bench-build: kernel $kernel, $reps rounds of: $configs; $builds builds each; results in $out"

t0=$(date +%s)
for rep in $(seq "$reps"); do
	for cfg in $configs; do
		reporting=on
		[ "$cfg" = none ] && reporting=off
		rc=0
		"$PH_TOP/scripts/run-guest.sh" -k "$kernel" -o "$out/$cfg-$rep" bench-build \
			--reporting="$reporting" --mem 2G --timeout 3600 \
			--append "ph.cfg=$cfg ph.builds=$builds" \
			-- -drive "file=$img,if=virtio,format=raw,snapshot=on" \
			>"$out/$cfg-$rep.verdict" 2>&1 || rc=$?
		ph_bench_ran "$out" "$cfg" "$rep" "$t0" "$rc"
	done
done

ph_bench_machine "$out" "$t0" "$kernel ($(ph_kernel_kver "$kernel")), 2G RAM, 2 vCPU; $SRCPKG built $builds times a boot"
python3 "$PH_TOP/scripts/bench-report.py" "$out"

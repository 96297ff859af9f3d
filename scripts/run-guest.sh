#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# run-guest.sh [-k KERNEL] [-o OUTDIR] [-v] TEST [rig.py options...]
#
# Boot a fetched stock kernel (default $PH_DEFAULT_KERNEL) under QEMU with
# the rig's initramfs and run tests/guest/TEST.sh in it.  KVM is used when
# /dev/kvm works, TCG otherwise (PH_NO_KVM=1 forces TCG).  Prints the verdict
# line and exits with the rig's status (0 pass, 1 fail, 2 crash, 3 timeout,
# 4 skip, 5 rig error).  The console log, the host RSS samples (rss.tsv) and
# the events the guest asked the host to record land in OUTDIR (default
# results/<kernel>/<test>).

set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=$PH_DEFAULT_KERNEL out="" verbose=()
while getopts "k:o:v" opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	o) out=$OPTARG ;;
	v) verbose=(--verbose) ;;
	*) ph_die "usage: $0 [-k KERNEL] [-o OUTDIR] [-v] TEST [rig options]" ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || ph_die "usage: $0 [-k KERNEL] [-o OUTDIR] [-v] TEST [rig options]"
test=$1
shift
[ -f "$PH_TOP/tests/guest/$test.sh" ] || ph_die "no guest test tests/guest/$test.sh"

[ -e "$PH_CACHE/kernels/$kernel" ] || "$PH_TOP/scripts/fetch-kernels.sh" "$kernel" >/dev/null
qemu=$(ph_qemu_bin)
[ -x "$qemu" ] || qemu=$("$PH_TOP/scripts/fetch-qemu.sh")
kver=$(ph_kernel_kver "$kernel")
out=${out:-$PH_TOP/results/$kernel/$test}
mkdir -p "$out"

# A test that boots a kernel itself (kexec) carries the kernel's image.
if grep -q '^# ph-needs:.*kernel-image' "$PH_TOP/tests/guest/$test.sh"; then
	export PH_INITRD_KERNEL
	PH_INITRD_KERNEL=$(ph_kernel_image "$kver")
fi
# A test that runs stress-ng carries it.
if grep -q '^# ph-needs:.*stress-ng' "$PH_TOP/tests/guest/$test.sh"; then
	export PH_INITRD_STRESS_NG=1
fi
initrd=$out/initramfs.cpio.gz
"$PH_TOP/scripts/mkinitramfs.sh" "$kver" "$initrd" ${PH_KO:+"$PH_KO"}

ph_rig "$qemu" \
	--kernel "$(ph_kernel_image "$kver")" --initrd "$initrd" \
	--test "$test" --label "$kernel ($kver)" --out "$out" "${verbose[@]}" "$@"

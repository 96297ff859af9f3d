#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# kdir.sh ID|KVER: print the headers directory of a fetched kernel.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
[ $# -eq 1 ] || ph_die "usage: $0 KERNEL-ID|KVER"
ph_kernel_headers "$1"

# SPDX-License-Identifier: GPL-2.0
# balloon-compact with the stock virtio_balloon: the same checks, and the
# figures to compare.
# shellcheck disable=SC2034
PH_DRIVER=stock
. /tests/balloon-compact.sh

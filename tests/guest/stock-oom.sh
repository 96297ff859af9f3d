# SPDX-License-Identifier: GPL-2.0
# balloon-oom with the stock virtio_balloon: the figures to compare.
# shellcheck disable=SC2034
PH_DRIVER=stock
. /tests/balloon-oom.sh

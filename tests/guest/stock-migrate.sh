# SPDX-License-Identifier: GPL-2.0
# migrate-hint with the stock virtio_balloon: the figures to compare.
# shellcheck disable=SC2034
PH_DRIVER=stock
. /tests/migrate-hint.sh

# SPDX-License-Identifier: GPL-2.0
# report-backing with the stock virtio_balloon: the figures to compare
# pagehint's with, on the same guest memory.
# shellcheck disable=SC2034
PH_DRIVER=stock
. /tests/report-backing.sh

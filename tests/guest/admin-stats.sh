# SPDX-License-Identifier: GPL-2.0
# While pagehint owns the device, a host that polls balloon statistics
# keeps getting the guest's memory figures through the stats queue.
. /tests/lib.sh

BALLOON=/machine/peripheral/balloon0
insmod $PH_KO || ph_fail "insmod failed"
[ "$(ph_balloon_driver)" = pagehint ] || ph_fail "pagehint did not bind: $(cat $PH_SYSFS/device)"
ph-host qmp qom-set "{\"path\": \"$BALLOON\", \"property\": \"guest-stats-polling-interval\", \"value\": 1}" >/dev/null ||
	ph_fail "cannot turn on stats polling"
sleep 4
res=$(ph-host qmp qom-get "{\"path\": \"$BALLOON\", \"property\": \"guest-stats\"}") ||
	ph_fail "qom-get guest-stats failed: $res"
ph_info "host sees: $res"
stat() { echo "$res" | sed -n "s/.*\"$1\":\([0-9-]*\).*/\1/p"; }
total=$(stat stat-total-memory)
free=$(stat stat-free-memory)
avail=$(stat stat-available-memory)
updated=$(stat last-update)
memtotal=$(($(awk '/MemTotal/ { print $2 }' /proc/meminfo) * 1024))
[ "$total" = "$memtotal" ] || ph_fail "stat-total-memory $total, guest MemTotal $memtotal"
[ "${free:-0}" -gt 0 ] && [ "${avail:-0}" -gt 0 ] || ph_fail "no free/available memory in the stats"
[ "${updated:-0}" -gt 0 ] || ph_fail "the stats were never updated"
rmmod pagehint || ph_fail "rmmod failed"

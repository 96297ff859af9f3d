# SPDX-License-Identifier: GPL-2.0
# pagehint loads, shows its sysfs directory, logs one line and unloads, 20
# times in a row, with nothing bad in the kernel log.
. /tests/lib.sh

i=0
while [ $i -lt 20 ]; do
	insmod $PH_KO || ph_fail "insmod failed on round $i"
	[ -d $PH_SYSFS ] || ph_fail "$PH_SYSFS missing after load"
	[ "$(cat $PH_SYSFS/version)" != "" ] || ph_fail "no version in sysfs"
	rmmod pagehint || ph_fail "rmmod failed on round $i"
	[ ! -e $PH_SYSFS ] || ph_fail "$PH_SYSFS still there after unload"
	i=$((i + 1))
done
loaded=$(dmesg | grep -c 'pagehint: version .* loaded')
[ "$loaded" -eq 20 ] || ph_fail "expected 20 load lines, saw $loaded"
ph_info "20 load/unload cycles, version $(modinfo -F version $PH_KO 2>/dev/null)"

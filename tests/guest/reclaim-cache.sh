# SPDX-License-Identifier: GPL-2.0
# pagehint-reclaimd gives an idle guest's cold page cache back to the host.
# The guest reads 1 GiB from a disk (a QEMU null-co drive: it reads zeros,
# so the guest's page cache is the only copy in QEMU's RSS) while a 64 MiB
# hot set of the same disk is read again every 3 s.  The test holds the
# device open: the last close of a block device drops its page cache.
#
# - Without the daemon, 12 s later, the host RSS has not fallen by half of
#   what the read took: the page cache is not free memory, and no free
#   page reporter sees it.
# - With the daemon (its defaults but a 2 s interval), it falls by half
#   within 120 s; the page cache stays at or above the daemon's floor; the
#   hot set is not reclaimed (its refaults stay under 16 MiB); the daemon
#   exits 0 on SIGTERM.
. /tests/lib.sh

MIB=$(ph_param mib 1024)
HOT=64

file_mib() {
	echo $((($(ph_meminfo 'Active(file)') + $(ph_meminfo 'Inactive(file)')) >> 10))
}

ph_disk
# Held open, as a mounted filesystem holds its disk: the last close of a
# block device drops its page cache.
exec 3</dev/vda

insmod $PH_KO || ph_fail "insmod failed"
[ "$(ph_balloon_driver)" = pagehint ] || ph_fail "pagehint did not bind the device"
ph_wait_idle 120 || ph_fail "pagehint did not settle in 120 s"

(while :; do
	dd if=/dev/vda of=/dev/null bs=1M count=$HOT 2>/dev/null
	sleep 3
done) &
hot=$!
sleep 4
before=$(ph-host mark before) || ph_fail "no RSS from the host: $before"
dd if=/dev/vda of=/dev/null bs=1M skip=$HOT count="$MIB" 2>/dev/null ||
	ph_fail "cannot read the disk"
peak=$(ph-host mark peak)
took=$(((${peak#ok } - ${before#ok }) >> 10))
[ $took -ge $((MIB / 2)) ] || ph_fail "the read raised the host RSS by $took MiB of $MIB"
cache=$(file_mib)
ph_info "read $MIB MiB: host RSS +$took MiB, page cache $cache MiB"

# Control: the page cache stays, and so does the RSS.
sleep 12
now=$(ph_rss)
[ $((now >> 10)) -gt $(((${peak#ok } >> 10) - took / 2)) ] ||
	ph_fail "the host RSS fell to $((now >> 10)) MiB without the daemon: the test proves nothing"
ph_info "without the daemon, 12 s later: host RSS $((now >> 10)) MiB, page cache $(file_mib) MiB"

refaults=$(ph_vmstat workingset_refault_file)
pagehint-reclaimd --interval 2 --verbose >/tmp/reclaimd.log 2>&1 &
rd=$!
if ! res=$(ph-host wait-reclaim before peak 0.5 120); then
	cat /tmp/reclaimd.log
	ph_fail "host RSS did not fall by half of the $took MiB the read took within 120 s: $res"
fi
ph_info "with the daemon: $res"
head -n 1 /tmp/reclaimd.log | grep -q 'reclaiming with .*memory.reclaim' || {
	cat /tmp/reclaimd.log
	ph_fail "the daemon did not use memory.reclaim"
}
# Let it reach the floor: 5% of RAM, at least 64 MiB.
sleep 10
# The daemon itself: the shell may run a background job in a subshell.
kill -TERM "$(pidof pagehint-reclaimd)"
st=0
wait $rd || st=$?
kill $hot
wait $hot 2>/dev/null || true
tail -n 5 /tmp/reclaimd.log
[ $st -eq 0 ] || ph_fail "the daemon exited $st on SIGTERM"
floor=$(($(ph_meminfo MemTotal) / 20 >> 10))
[ $floor -ge 64 ] || floor=64
cache=$(file_mib)
page_kib=$(awk '/^KernelPageSize:/ { print $2; exit }' /proc/self/smaps)
refaulted=$((($(ph_vmstat workingset_refault_file) - refaults) * page_kib >> 10))
ph_info "page cache $cache MiB (floor $floor MiB), hot set refaults $refaulted MiB"
# The floor, less what the kernel keeps off the LRU lists at that moment.
[ $cache -ge $((floor - 8)) ] || ph_fail "the page cache fell to $cache MiB, below the floor of $floor MiB"
[ $refaulted -lt 16 ] || ph_fail "the hot set refaulted $refaulted MiB: the daemon took the working set"
ph-host mark after
ph_result "reclaim-cache: $res; page cache $cache MiB, floor $floor MiB, refaults $refaulted MiB"
rmmod pagehint || ph_fail "rmmod failed"

# SPDX-License-Identifier: GPL-2.0
# Memory hot-add and hot-remove while pagehint reports: ph.rounds= rounds
# (default 2) of plugging 1 GiB through virtio-mem (QEMU virtio-mem-pci,
# id vmem0; onlined movable), filling and freeing it, and unplugging it
# again (offlining and removing its memory blocks) while pagehint reports as
# fast as it can.  What is freed in the new memory must go back to the host
# (QEMU's RSS falls by half of what the fill took, within 60 s), every
# unplug must complete (pagehint never holds memory going offline for good,
# and never claims memory that went away), memory in hot-added blocks must
# be tracked by the map (no flood of overflows and rescans), and a checker
# finds memory as it wrote it.
. /tests/lib.sh

ROUNDS=$(ph_param rounds 2)
GIB=1073741824
VMEM=/machine/peripheral/vmem0

ph_modprobe virtio_mem || ph_skip "this kernel has no virtio_mem"
memtotal() { awk '/MemTotal/ { print int($2 / 1024) }' /proc/meminfo; }
plugged() {
	ph-host qmp qom-get "{\"path\": \"$VMEM\", \"property\": \"size\"}" | sed 's/^ok //'
}
# resize BYTES SECONDS: ask for BYTES plugged, wait until the device has them.
resize() {
	local n=0
	ph-host qmp qom-set "{\"path\": \"$VMEM\", \"property\": \"requested-size\", \"value\": $1}" >/dev/null ||
		ph_fail "QMP qom-set requested-size $1 failed"
	while [ "$(plugged)" != "$1" ]; do
		[ $n -lt "$2" ] || ph_fail "virtio-mem has $(plugged) bytes plugged after $2 s, asked for $1 (MemTotal $(memtotal) MiB)"
		sleep 1
		n=$((n + 1))
	done
}
counter() { cat $PH_SYSFS/"$1"; }

[ "$(plugged)" = 0 ] || ph_fail "virtio-mem starts with $(plugged) bytes plugged"
base=$(memtotal)
ph_load_busy
ph_wait_reports 1 60 || ph_fail "no report before the first plug"
ph_churn_start 128
ov0=$(counter overflows) sc0=$(counter scans) rs0=$(counter rescans)
i=0
while [ $i -lt "$ROUNDS" ]; do
	resize $GIB 120
	# The device has it plugged; the guest onlines it a block at a time.
	n=0
	while [ "$(memtotal)" -lt $((base + 900)) ] && [ $n -lt 300 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	[ "$(memtotal)" -ge $((base + 900)) ] || ph_fail "round $i: MemTotal $(memtotal) MiB 30 s after plugging 1 GiB to $base MiB"
	# User memory comes from ZONE_MOVABLE first, where the new memory is:
	# 900 MiB touched now fill it, and freed, they must go back to the
	# host.  Memory pagehint did not report there would stay in QEMU's RSS
	# (the memory booted with was not touched by this workload).
	r0=$(counter reported_bytes)
	ph_reclaim_half 900 60
	ph_info "round $i: host RSS fell by half of the 900 MiB freed in hot-added memory: $PH_RECLAIM; reported +$((($(counter reported_bytes) - r0) >> 20)) MiB"
	resize 0 180
	[ "$(memtotal)" -le $((base + 10)) ] || ph_fail "round $i: MemTotal $(memtotal) MiB after unplugging"
	ph_info "round $i: plugged and unplugged 1 GiB; $(counter reports) reports, $(counter overflows) overflows, $(counter scans) scans, $(counter rescans) rescans"
	i=$((i + 1))
done
ph_churn_stop || ph_fail "the checker found mismatches"
ov=$(($(counter overflows) - ov0)) sc=$(($(counter scans) - sc0)) rs=$(($(counter rescans) - rs0))
ph_info "$ROUNDS rounds: overflows +$ov, scans +$sc, rescans +$rs"
dmesg | grep -E 'pagehint|virtio_mem' | tail -n 8
# Onlining frees each new block into the allocator before the notifier
# extends the map: up to a few hundred overflows a round, not the
# hundreds of thousands of a map that never covers the new memory.
[ $ov -le $((ROUNDS * 2048)) ] || ph_fail "hot-added memory is not tracked: $ov overflows in $ROUNDS rounds"
rmmod pagehint

# SPDX-License-Identifier: GPL-2.0
# Under churn, pagehint interferes with the allocator no more than the stock
# driver, in the same guest and the same workload: first virtio_balloon,
# then pagehint, both at their defaults.  A round writes 96 MiB of page
# cache and 256 MiB of anonymous memory, frees both, and pauses 0.5 s:
# reporting of one round overlaps the next (ph.rounds=, ph.pause=).
#
# - Pages migrated (/proc/vmstat pgmigrate_success): upstream reporting
#   never touches an in-use page.  alloc_contig_range(), pagehint's claim,
#   migrates whatever was allocated in its range since the block was found
#   free; pagehint looks again just before each claim.  pagehint's delta
#   must not exceed the stock driver's.
# - The host's faults (QEMU's minor faults) and its mean RSS, per driver:
#   memory handed out again right after it was reported makes the host
#   fault it back in.  Figures only.  ph.min_free= sets pagehint's
#   min_free_ms (default auto, the learned wait) to compare with 0, a
#   report of every free block at the next pass.
. /tests/lib.sh

ROUNDS=$(ph_param rounds 12)
PAUSE=$(ph_param pause 0.5)
MIN_FREE=$(ph_param min_free auto)

# faults: QEMU's minor faults so far.
faults() {
	ph-host faults | awk '{ print $2 }'
}

# churn DRIVER: ROUNDS rounds of the workload; writes one line of figures
# into /tmp/churn.DRIVER: migrated pages, host faults, mean RSS (MiB), and
# pagehint's counters.  Not run in a command substitution: a ph_fail
# there would end only the subshell.
churn() {
	local i m0 f0 r0 rss=0 extra=""
	echo 3 >/proc/sys/vm/drop_caches
	sleep 3
	if [ "$1" = pagehint ]; then
		# Past the load-time pass over all free memory.
		ph_wait_idle 120 || ph_fail "pagehint did not settle in 120 s"
		r0=$(cat $PH_SYSFS/reported_bytes)
	fi
	m0=$(ph_vmstat pgmigrate_success)
	f0=$(faults)
	i=0
	while [ $i -lt "$ROUNDS" ]; do
		dd if=/dev/zero of=/tmp/churn.cache bs=1M count=96 2>/dev/null ||
			ph_fail "cannot write the page cache file"
		ph-memtouch -m 256 >/dev/null || ph_fail "workload failed"
		rm -f /tmp/churn.cache
		sleep "$PAUSE"
		rss=$((rss + $(ph_rss)))
		i=$((i + 1))
	done
	if [ "$1" = pagehint ]; then
		extra=" reported_MiB=$((($(cat $PH_SYSFS/reported_bytes) - r0) >> 20)) claims=$(cat $PH_SYSFS/claims) claim_stale=$(cat $PH_SYSFS/claim_stale) claim_migrated=$(cat $PH_SYSFS/claim_migrated) skipped_young=$(cat $PH_SYSFS/skipped_young) min_free_ms=$(cat $PH_SYSFS/min_free_ms) learned_free_ms=$(cat $PH_SYSFS/learned_free_ms)"
	fi
	echo "migrated=$(($(ph_vmstat pgmigrate_success) - m0)) host_faults=$(($(faults) - f0)) mean_rss_MiB=$((rss / ROUNDS >> 10))$extra" >/tmp/churn.$1
}

[ -n "$(faults)" ] || ph_fail "no fault count from the host"
ph_device_offers free-page-reporting ||
	ph_fail "the device offers no free page reporting: run the test with its row's rig options"
# Releasing the device from virtio_balloon oopses on some kernels (see
# ph_unbind_safe); the row excludes them (scripts/check.sh).
ph_unbind_safe || ph_fail "virtio_balloon cannot be removed from this kernel with reporting on"

ph_load_driver stock
churn stock
stock=$(cat /tmp/churn.stock)
ph_info "stock:    $stock"
rmmod virtio_balloon || ph_fail "rmmod virtio_balloon failed"
ph_load_driver pagehint
echo "$MIN_FREE" >$PH_SYSFS/min_free_ms || ph_fail "min_free_ms refused $MIN_FREE"
churn pagehint
ours=$(cat /tmp/churn.pagehint)
ph_info "pagehint: $ours"
ph_result "churn rounds=$ROUNDS stock: $stock; pagehint: $ours"

ms=$(echo "$stock" | sed 's/^migrated=\([0-9]*\).*/\1/')
mp=$(echo "$ours" | sed 's/^migrated=\([0-9]*\).*/\1/')
[ "$(cat $PH_SYSFS/reported_bytes)" -gt 0 ] || ph_fail "pagehint reported nothing"
[ "$mp" -le "$ms" ] ||
	ph_fail "pagehint's claims migrated in-use pages: pgmigrate_success +$mp with pagehint, +$ms with the stock driver"
rmmod pagehint || ph_fail "rmmod failed"

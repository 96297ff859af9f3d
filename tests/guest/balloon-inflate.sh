# SPDX-License-Identifier: GPL-2.0
# The host's balloon (QMP balloon, as libvirt's setmem and every management
# stack drive it): the guest shrinks by 1 GiB and grows back, QEMU's actual
# follows, MemTotal falls and rises by as much (no deflate-on-oom: inflated
# pages leave the managed count), while pagehint reports as fast as it can
# and a checker verifies memory throughout.  The host gets the inflated
# memory back: QEMU discards each page the driver puts on the inflate queue,
# so with the guest's memory all resident, the host holds about 1 GiB less
# while the balloon is inflated.  Then, with 512 MiB inflated, pagehint
# unloads: the pages come back to the guest, and virtio_balloon takes the
# device and inflates to the host's target again.
# stock-balloon runs the same with virtio_balloon (its figures beside these).
# ph.measure=0 leaves out what the host gets back (the two touches of all
# memory and the check on QEMU's RSS): the debug kernel's row, which is
# there for what KASAN, lockdep and kmemleak see on these paths.
. /tests/lib.sh

MEASURE=$(ph_param measure 1)

# Memory left free by each full touch below, in MiB: room for the kernel,
# the shell and the reports in flight (report-pressure shows 48 MiB is
# enough with pagehint at its most aggressive).
RESERVE=128

# touch_all LABEL: touch all of MemAvailable but RESERVE and, while it is
# held, record the host's RSS under LABEL; sets touched (MiB), peak (KiB)
# and free (MemFree meanwhile, KiB).
touch_all() {
	touched=$(($(ph_meminfo MemAvailable) / 1024 - RESERVE))
	ph-memtouch -m $touched -c "ph-host mark $1 >/tmp/mark.$1; grep MemFree: /proc/meminfo >>/tmp/mark.$1" >/dev/null ||
		ph_fail "could not touch $touched MiB ($1)"
	peak=$(sed -n 's/^ok \([0-9]*\).*/\1/p' /tmp/mark.$1)
	free=$(awk '$1 == "MemFree:" { print $2 }' /tmp/mark.$1)
	[ -n "$peak" ] || ph_fail "no host RSS for mark $1: $(cat /tmp/mark.$1)"
}

DRIVER=${PH_DRIVER:-pagehint}
if [ "$DRIVER" = pagehint ]; then
	ph_load_busy
else
	ph_load_driver "$DRIVER"
fi
full=$(ph_balloon_actual)
[ -n "$full" ] || ph_fail "query-balloon gave no size"
t0=$(ph_meminfo MemTotal)
ph-host mark before >/dev/null
ph_info "$DRIVER: guest $full MiB, MemTotal $((t0 >> 10)) MiB"

# Memory the guest never touched is not resident on the host, and neither
# is what the free page reporting gave back: a balloon that takes such pages
# gives the host nothing.  So the host's share is measured with all the
# guest can use touched: once at full size, once inflated.  Between the
# two, all that changes on the host is the balloon: inflated pages the
# host discarded are not resident, whatever they held before (the kernel
# zeroes a page it allocates, init_on_alloc, so a page the host did not
# discard is resident).
touched0=0 rss_full=0 free0=0
[ "$MEASURE" = 0 ] || { touch_all full; touched0=$touched rss_full=$peak free0=$free; }

ph_churn_start 256
s=$(date +%s)
ph_balloon_target $((full - 1024))
ph_balloon_wait $((full - 1024)) 180 || ph_fail "the balloon did not inflate to $((full - 1024)) MiB: actual $(ph_balloon_actual) MiB"
inflate_s=$(($(date +%s) - s))
t1=$(ph_meminfo MemTotal)
rss1=$(ph_rss)
ph_churn_stop || ph_fail "memory changed under the checker while the balloon inflated"
ph_info "$DRIVER: inflated by 1 GiB in ${inflate_s} s: MemTotal $((t1 >> 10)) MiB, host RSS $((rss1 >> 10)) MiB"

touched1=0 rss_inflated=0 free1=0 gave=0
if [ "$MEASURE" != 0 ]; then
	touch_all inflated
	touched1=$touched rss_inflated=$peak free1=$free
	gave=$(((rss_full - rss_inflated) >> 10))
	ph_info "$DRIVER: host RSS with all memory touched: $((rss_full >> 10)) MiB at full size ($touched0 MiB touched, $((free0 >> 10)) MiB free), $((rss_inflated >> 10)) MiB inflated ($touched1 MiB touched, $((free1 >> 10)) MiB free): $gave MiB given back"
fi

ph_churn_start 256
s=$(date +%s)
ph_balloon_target "$full"
ph_balloon_wait "$full" 180 || ph_fail "the balloon did not deflate: actual $(ph_balloon_actual) MiB"
deflate_s=$(($(date +%s) - s))
t2=$(ph_meminfo MemTotal)
ph_churn_stop || ph_fail "memory changed under the checker while the balloon deflated"
ph_result "balloon driver=$DRIVER memtotal=$t0 inflated=$t1 deflated=$t2 inflate_s=$inflate_s deflate_s=$deflate_s rss_inflated=$rss1 rss_full_touched=$rss_full rss_inflated_touched=$rss_inflated gave_mib=$gave free_full_touched=$free0 free_inflated_touched=$free1"

# MemTotal follows the balloon (1 GiB, within 16 MiB), and comes back.
d=$(((t0 - t1) >> 10))
[ $d -ge 1008 ] && [ $d -le 1040 ] || ph_fail "MemTotal fell by $d MiB for a 1 GiB balloon"
[ $(((t0 - t2) >> 10)) -le 4 ] || ph_fail "MemTotal did not come back: $((t2 >> 10)) of $((t0 >> 10)) MiB"
# The host got the balloon back.  Besides the balloon, the two touches
# differ in what of the guest's memory is not resident: at full size at
# most what is left free while touched (RESERVE, and the watermark reserves
# MemAvailable leaves out) and the reports in flight (128 MiB at most,
# either driver: pagehint's max_inflight_kib, upstream's 32 blocks of up
# to 4 MiB); inflated, the same again, which only adds to what the
# host holds less.  QEMU's own allocations (TCG's code cache) move by a
# few MiB: 32 MiB for them.  A balloon the host never discarded gives back
# nothing (its pages are resident: the guest zeroed them when it allocated
# them, init_on_alloc) beyond the free memory's own difference.
want=$((1024 - (free0 >> 10) - 128 - 32))
[ "$MEASURE" = 0 ] || [ $gave -ge $want ] || ph_fail "the host got $gave MiB back from a 1 GiB balloon (at least $want MiB expected: 1 GiB less $((free0 >> 10)) MiB free, 128 MiB in flight, 32 MiB for QEMU)"

[ "$DRIVER" = pagehint ] || exit 0
[ "$(cat $PH_SYSFS/balloon_bytes)" = 0 ] || ph_fail "balloon_bytes reads $(cat $PH_SYSFS/balloon_bytes) when deflated"
# Unload with the balloon inflated: the pages come back, the stock driver
# takes over and inflates to the target again.
ph_balloon_target $((full - 512))
ph_balloon_wait $((full - 512)) 120 || ph_fail "the balloon did not inflate by 512 MiB"
[ "$(cat $PH_SYSFS/balloon_bytes)" = $((512 << 20)) ] || ph_fail "balloon_bytes reads $(cat $PH_SYSFS/balloon_bytes) with 512 MiB inflated"
rmmod pagehint || ph_fail "rmmod failed"
t3=$(ph_meminfo MemTotal)
[ $(((t0 - t3) >> 10)) -le 4 ] || ph_fail "unload left MemTotal at $((t3 >> 10)) of $((t0 >> 10)) MiB"
[ "$(ph_balloon_actual)" = "$full" ] || ph_fail "unload did not tell the host: actual $(ph_balloon_actual) MiB"
ph_modprobe virtio_balloon || ph_fail "cannot load virtio_balloon"
[ "$(ph_balloon_driver)" = virtio_balloon ] || ph_fail "virtio_balloon did not take the device"
ph_balloon_wait $((full - 512)) 120 || ph_fail "virtio_balloon did not inflate to the target after pagehint"
ph_info "after unload: virtio_balloon inflated to $(ph_balloon_actual) MiB"

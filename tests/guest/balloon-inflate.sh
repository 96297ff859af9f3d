# SPDX-License-Identifier: GPL-2.0
# The host's balloon (QMP balloon, as libvirt's setmem and every management
# stack drive it): the guest shrinks by 1 GiB and grows back, QEMU's actual
# follows, MemTotal falls and rises by as much (no deflate-on-oom: inflated
# pages leave the managed count), while pagehint reports as fast as it can
# and a checker verifies memory throughout.  Then, with 512 MiB inflated,
# pagehint unloads: the pages come back to the guest, and virtio_balloon
# takes the device and inflates to the host's target again.
# stock-balloon runs the same with virtio_balloon (its figures beside these).
. /tests/lib.sh

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

ph_churn_start 256
s=$(date +%s)
ph_balloon_target $((full - 1024))
ph_balloon_wait $((full - 1024)) 180 || ph_fail "the balloon did not inflate to $((full - 1024)) MiB: actual $(ph_balloon_actual) MiB"
inflate_s=$(($(date +%s) - s))
t1=$(ph_meminfo MemTotal)
rss1=$(ph-host rss | sed -n 's/^ok \([0-9]*\).*/\1/p')
ph_info "$DRIVER: inflated by 1 GiB in ${inflate_s} s: MemTotal $((t1 >> 10)) MiB, host RSS $((rss1 >> 10)) MiB"
s=$(date +%s)
ph_balloon_target "$full"
ph_balloon_wait "$full" 180 || ph_fail "the balloon did not deflate: actual $(ph_balloon_actual) MiB"
deflate_s=$(($(date +%s) - s))
t2=$(ph_meminfo MemTotal)
ph_churn_stop || ph_fail "memory changed under the checker while the balloon moved"
ph_result "balloon driver=$DRIVER memtotal=$t0 inflated=$t1 deflated=$t2 inflate_s=$inflate_s deflate_s=$deflate_s rss_inflated=$rss1"

# MemTotal follows the balloon (1 GiB, within 16 MiB), and comes back.
d=$(((t0 - t1) >> 10))
[ $d -ge 1008 ] && [ $d -le 1040 ] || ph_fail "MemTotal fell by $d MiB for a 1 GiB balloon"
[ $(((t0 - t2) >> 10)) -le 4 ] || ph_fail "MemTotal did not come back: $((t2 >> 10)) of $((t0 >> 10)) MiB"

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

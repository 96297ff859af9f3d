# SPDX-License-Identifier: GPL-2.0
# A guest that rewrites every page it frees, booted with init_on_free=1
# (rig --append=init_on_free=1, any kernel) or page_poison=1 (rig
# --append=page_poison=1, on a kernel with CONFIG_PAGE_POISONING: Debian's
# generic 6.1, not the cloud kernels).  pagehint does not report there
# (releasing a reported range would rewrite every page of it) and says so
# in the log and in sysfs; it still balloons, and it negotiates
# VIRTIO_BALLOON_F_PAGE_POISON to tell the host what freed pages hold, as
# virtio_balloon does: 0 under init_on_free, PAGE_POISON's byte (0xaa)
# four times under page poisoning.
#
# The host acts on that value: QEMU discards a reported range only when
# the poison value is 0 (a discarded page reads back as zeros), and keeps
# it otherwise.  So the test reads the value QEMU holds, from the device's
# config space through QEMU's monitor, and it must be the one this guest's
# freed pages hold, and the one virtio_balloon writes after pagehint.  Then,
# as the control of what the value does on the host, virtio_balloon (which
# reports in such guests) frees 512 MiB: under init_on_free the host's RSS
# falls, under page poisoning it stays up and the guest finds its freed
# pages still poisoned (the kernel checks each page it allocates).
. /tests/lib.sh

POISON_BAD='pagealloc: memory corruption|pagealloc: single bit error'

if grep -qw 'init_on_free=1' /proc/cmdline; then
	mode=init_on_free want=0x00000000
elif grep -qw 'page_poison=1' /proc/cmdline; then
	mode=page_poison want=0xaaaaaaaa
	! dmesg | grep -q 'Unknown kernel command line parameters.*page_poison' ||
		ph_skip "this kernel has no CONFIG_PAGE_POISONING (page_poison=1 unknown)"
	# With init_on_alloc on (Debian's default) the kernel says that page
	# poisoning takes over.
	dmesg | grep -q 'CONFIG_PAGE_POISONING is on' ||
		ph_fail "page_poison=1 given, but the kernel does not say page poisoning is on"
else
	ph_skip "boot with init_on_free=1 or page_poison=1 (--append=...)"
fi

# config_word OFFSET: a 32-bit word of the balloon device's config space
# (struct virtio_balloon_config), as QEMU answers a read of it: found
# through the device's virtio-pci capability (vendor capability 9 of type 4,
# VIRTIO_PCI_CAP_DEVICE_CFG: BAR and offset) and read on the host with the
# monitor's xp.  Prints "0x%08x".
config_word() {
	local pci cap bar off start res
	pci=$(dirname "$(readlink -f "/sys/bus/virtio/devices/$(ph_balloon_dev)")")
	[ -f "$pci/config" ] || ph_fail "the balloon device is not on PCI: $pci"
	cap=$(od -An -v -tu1 -N256 "$pci/config" | awk '
		{ for (i = 1; i <= NF; i++) b[n++] = $i }
		END {
			for (p = b[52] - b[52] % 4; p; p = b[p + 1] - b[p + 1] % 4)
				if (b[p] == 9 && b[p + 3] == 4) {
					print b[p + 4], b[p + 8] + 256 * (b[p + 9] + 256 * (b[p + 10] + 256 * b[p + 11]))
					exit
				}
		}')
	bar=${cap% *} off=${cap#* }
	[ -n "$cap" ] || ph_fail "no device config capability on $pci"
	start=$(sed -n "$((bar + 1))s/ .*//p" "$pci/resource")
	res=$(ph-host qmp human-monitor-command \
		"{\"command-line\": \"xp /1wx $(printf '0x%x' $((start + off + $1)))\"}") ||
		ph_fail "xp on the monitor failed: $res"
	echo "$res" | sed -n 's/.*: \(0x[0-9a-f]*\).*/\1/p'
}
# struct virtio_balloon_config: num_pages, actual, free_page_hint_cmd_id,
# poison_val.
ACTUAL=4 POISON_VAL=12

insmod $PH_KO || ph_fail "insmod failed"
[ "$(ph_balloon_driver)" = pagehint ] || ph_fail "pagehint did not bind the device: $(ph_balloon_driver)"
case $(cat $PH_SYSFS/device) in
bound*"balloon only: init_on_free"*) ;;
*) ph_fail "sysfs does not say why: $(cat $PH_SYSFS/device)" ;;
esac
dmesg | grep -q 'balloon only, not reporting: init_on_free' || ph_fail "no message in the kernel log"
ph_balloon_feature 4 ||
	ph_fail "PAGE_POISON not negotiated under $mode: $(cat "/sys/bus/virtio/devices/$(ph_balloon_dev)/features")"
val=$(config_word $POISON_VAL)
ph_info "$mode: QEMU holds poison_val $val from pagehint"
[ "$val" = $want ] || ph_fail "QEMU holds poison_val '$val' from pagehint under $mode, $want expected"

full=$(ph_balloon_actual)
ph_balloon_target $((full - 256))
ph_balloon_wait $((full - 256)) 120 || ph_fail "no inflation: actual $(ph_balloon_actual) MiB"
# The config space read through the monitor is the device's: actual, in
# 4 KiB pages, is the 256 MiB QEMU reports.
[ "$(config_word $ACTUAL)" = 0x00010000 ] ||
	ph_fail "the monitor reads actual $(config_word $ACTUAL) from the config space, 0x00010000 expected"
ph_balloon_target "$full"
ph_balloon_wait "$full" 120 || ph_fail "no deflation: actual $(ph_balloon_actual) MiB"
# Deflated pages and freed memory, allocated again (the kernel checks the
# poison of each page it hands out).
ph-memtouch -m 512 >/dev/null || ph_fail "workload failed"
ph-memtouch -m 768 >/dev/null || ph_fail "workload failed"
sleep 3
[ "$(cat $PH_SYSFS/reports)" = 0 ] || ph_fail "reports were made"
rmmod pagehint || ph_fail "rmmod failed"

ph_modprobe virtio_balloon || ph_fail "cannot load virtio_balloon"
[ "$(ph_balloon_driver)" = virtio_balloon ] || ph_fail "virtio_balloon cannot bind the device after pagehint"
stock=$(config_word $POISON_VAL)
ph_info "$mode: QEMU holds poison_val $stock from virtio_balloon"
[ "$stock" = "$val" ] || ph_fail "virtio_balloon writes poison_val $stock, pagehint wrote $val"

# The control: what QEMU does with the value, virtio_balloon reporting.
# First let it report what was freed before, until the host's RSS stops
# moving (under 16 MiB in 3 s), so that only the free below moves it.
ph_balloon_reporting || ph_fail "the device does not offer free page reporting"
n=0 last=0 now=$(ph_rss)
while [ $((last - now)) -gt 16384 ] || [ $((now - last)) -gt 16384 ]; do
	[ $n -lt 20 ] || ph_fail "the host's RSS did not settle in 60 s"
	sleep 3
	last=$now now=$(ph_rss)
	n=$((n + 1))
done
ph-memtouch -m 512 -c 'ph-host mark peak >/tmp/mark.peak' >/dev/null || ph_fail "workload failed"
peak=$(sed -n 's/^ok \([0-9]*\).*/\1/p' /tmp/mark.peak)
[ -n "$peak" ] || ph_fail "no host RSS at the peak: $(cat /tmp/mark.peak)"
if [ $mode = init_on_free ]; then
	# The 512 MiB were made resident by the touch: half of it must go.
	n=0
	while [ "$(ph_rss)" -gt $((peak - 262144)) ]; do
		[ $n -lt 60 ] || ph_fail "poison_val 0: host RSS did not fall by 256 MiB within 60 s: $(($(ph_rss) >> 10)) MiB, $((peak >> 10)) MiB at the peak"
		sleep 1
		n=$((n + 1))
	done
	ph_info "poison_val 0: the host discarded the reported memory: RSS $((peak >> 10)) -> $(($(ph_rss) >> 10)) MiB in $n s"
else
	# All of the guest's memory is resident by now (the touches above); a
	# host that discarded reported pages would give most of it back.
	sleep 20
	now=$(ph_rss)
	[ "$now" -gt $((peak - 131072)) ] ||
		ph_fail "poison_val $val: host RSS fell from $((peak >> 10)) to $((now >> 10)) MiB: the host discarded poisoned pages"
	ph_info "poison_val $val: the host kept the reported memory: RSS $((peak >> 10)) -> $((now >> 10)) MiB in 20 s"
	# Allocated again, the freed pages are checked for their poison.
	ph-memtouch -m 1024 >/dev/null || ph_fail "workload failed"
fi
if dmesg | grep -E "$POISON_BAD"; then
	ph_fail "freed pages lost their poison"
fi
ph_info "under $mode: $(dmesg | grep -o 'balloon only, not reporting: .*' | head -n 1)"

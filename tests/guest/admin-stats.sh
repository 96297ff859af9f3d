# SPDX-License-Identifier: GPL-2.0
# While pagehint owns the device, a host that polls balloon statistics
# (QMP guest-stats-polling-interval, then qom-get guest-stats, as libvirt's
# dommemstat does) gets every statistic virtio_balloon sends, each equal to
# the guest's own figure in /proc/vmstat or /proc/meminfo: swap in and out,
# major and minor faults, free, total and available memory, caches, hugetlb
# allocations and failures, and from 6.12 on (where the kernel's header
# defines them) OOM kills, allocation stalls, and the kswapd and direct
# scan and reclaim counts.  Before 6.12 the host must see those six unset.
. /tests/lib.sh

BALLOON=/machine/peripheral/balloon0
insmod $PH_KO || ph_fail "insmod failed"
[ "$(ph_balloon_driver)" = pagehint ] || ph_fail "pagehint did not bind: $(cat $PH_SYSFS/device)"
ph-host qmp qom-set "{\"path\": \"$BALLOON\", \"property\": \"guest-stats-polling-interval\", \"value\": 1}" >/dev/null ||
	ph_fail "cannot turn on stats polling"

# guest_stats: QEMU's last statistics, "ok {"stats":{...},"last-update":N}".
guest_stats() {
	ph-host qmp qom-get "{\"path\": \"$BALLOON\", \"property\": \"guest-stats\"}" ||
		ph_fail "qom-get guest-stats failed"
}
# host NAME: statistic NAME ("stat-free-memory", "last-update") of $res, or
# nothing if QEMU does not name it.
host() {
	echo "$res" | sed -n "s/.*\"$1\":\([0-9]*\).*/\1/p"
}
# wait_refresh STAMP: poll (30 s at most) until QEMU holds statistics newer
# than its last-update STAMP, and leave them in $res.
wait_refresh() {
	local n=0
	res=$(guest_stats)
	while [ "$(host last-update)" = "$1" ] && [ $n -lt 30 ]; do
		sleep 1
		res=$(guest_stats)
		n=$((n + 1))
	done
	[ "$(host last-update)" != "$1" ] || ph_fail "the stats were not refreshed in 30 s: $res"
}
# QEMU's value for a tag the guest did not send (2^64 - 1); too large for
# the shell's arithmetic, so it is compared as a string first.
UNSET=18446744073709551615
# vm TEXT NAME: the value of NAME in TEXT, a copy of /proc/vmstat (or of
# /proc/meminfo, NAME with its colon, in KiB); every allocstall_<zone>
# line summed for "allocstall".
vm() {
	echo "$1" | awk -v f="$2" '$1 == f || (f == "allocstall" && $1 ~ /^allocstall_/) { s += $2; n++ }
		END { if (n) print s }'
}

# A hugetlb pool of 16 pages, so that the hugetlb allocation count is not 0.
echo 16 >/proc/sys/vm/nr_hugepages

# The host keeps the buffer the guest filled last and hands it back every
# polling interval; wait until it has been refreshed at least once.
res=$(guest_stats)
wait_refresh "$(host last-update)"

# Let pagehint's load-time pass settle, so that reports in flight (claimed
# memory, out of the free count) are few while the figures are compared.
ph_wait_idle 60 || ph_info "reporting did not go idle in 60 s"

# The figures the host gets are one snapshot, taken between the two copies
# of the guest's below: the last-update it has after the first copy is the
# newest it holds, so a later one (in seconds) is a buffer the guest filled
# after that copy, and the second copy is taken after it was read.  Nothing
# here writes a file between the two copies (tmpfs pages count as caches).
vm0=$(cat /proc/vmstat) mi0=$(cat /proc/meminfo) rep0=$(cat $PH_SYSFS/reported_bytes)
res=$(guest_stats)
wait_refresh "$(host last-update)"
vm1=$(cat /proc/vmstat) mi1=$(cat /proc/meminfo) rep1=$(cat $PH_SYSFS/reported_bytes)
ph_info "host sees: $res"
echo 0 >/proc/sys/vm/nr_hugepages

bad=0
# counter STAT FIELD SCALE: an event count only grows, so the host's value
# lies between the guest's two copies, exactly (SCALE: bytes per count).
counter() {
	local h a b
	h=$(host "$1")
	a=$(vm "$vm0" "$2")
	b=$(vm "$vm1" "$2")
	if [ -z "$h" ] || [ "$h" = $UNSET ] || [ -z "$a" ] || [ -z "$b" ]; then
		echo "FAIL: $1: host '$h' (unset: $UNSET), guest $2 '$a'..'$b'"
		bad=$((bad + 1))
	elif [ "$h" -lt $((a * $3)) ] || [ "$h" -gt $((b * $3)) ]; then
		echo "FAIL: $1 $h, not within the guest's $2 x $3: $((a * $3))..$((b * $3))"
		bad=$((bad + 1))
	else
		ph_info "$1 $h (guest $2: $a..$b)"
	fi
}
# gauge STAT TEXT0 TEXT1 FIELD SCALE TOL_KIB: a level moves both ways; the
# host's value lies within TOL_KIB of the range of the guest's two copies.
gauge() {
	local h a b lo hi
	h=$(host "$1")
	a=$(($(vm "$2" "$4") * $5))
	b=$(($(vm "$3" "$4") * $5))
	lo=$a hi=$b
	[ "$a" -le "$b" ] || lo=$b hi=$a
	if [ -z "$h" ] || [ "$h" = $UNSET ] || [ "$h" -lt $((lo - $6 * 1024)) ] || [ "$h" -gt $((hi + $6 * 1024)) ]; then
		echo "FAIL: $1 '$h', guest $4 $lo..$hi (tolerance $6 KiB)"
		bad=$((bad + 1))
	else
		ph_info "$1 $h (guest $4: $lo..$hi, tolerance $6 KiB)"
	fi
}

counter stat-swap-in pswpin 4096
counter stat-swap-out pswpout 4096
counter stat-major-faults pgmajfault 1
counter stat-minor-faults pgfault 1
counter stat-htlb-pgalloc htlb_buddy_alloc_success 1
counter stat-htlb-pgfail htlb_buddy_alloc_fail 1
[ "$(vm "$vm1" htlb_buddy_alloc_success)" -ge 16 ] || ph_fail "the hugetlb pool was not allocated"

# Free and available memory move with every allocation.  Tolerance: what
# the guest can allocate or free between the copies besides what they
# show: the per-cpu page lists (pages on them are not counted free), the
# shell's short-lived commands (a few MiB), and pagehint's reports in
# flight, which hold their memory out of the free count (at most what it
# reported meanwhile).
tol=$((8192 + (rep1 - rep0) / 1024))
gauge stat-free-memory "$vm0" "$vm1" nr_free_pages 4096 $tol
gauge stat-available-memory "$mi0" "$mi1" MemAvailable: 1024 $tol
# The page cache (NR_FILE_PAGES: files, tmpfs, the initramfs) does not move
# while nothing writes a file: 1 MiB.
gauge stat-disk-caches "$vm0" "$vm1" nr_file_pages 4096 1024
# The size of managed memory does not move at all here.
gauge stat-total-memory "$mi0" "$mi1" MemTotal: 1024 0

# The six from Linux 6.12 ("virtio_balloon: introduce ...", in the uapi
# header from then on): pagehint sends them where its build saw them.
v=$(uname -r | sed 's/[^0-9.].*//' | awk -F. '{ printf "%d", $1 * 1000 + $2 }')
if [ "$v" -ge 6012 ]; then
	counter stat-oom-kills oom_kill 1
	counter stat-alloc-stalls allocstall 1
	counter stat-async-scans pgscan_kswapd 4096
	counter stat-direct-scans pgscan_direct 4096
	counter stat-async-reclaims pgsteal_kswapd 4096
	counter stat-direct-reclaims pgsteal_direct 4096
else
	for s in stat-oom-kills stat-alloc-stalls stat-async-scans stat-direct-scans \
		stat-async-reclaims stat-direct-reclaims; do
		h=$(host $s)
		if [ "$h" != $UNSET ]; then
			echo "FAIL: $s '$h' from a kernel before 6.12 (which has no such tag)"
			bad=$((bad + 1))
		fi
	done
fi
[ $bad = 0 ] || ph_fail "$bad statistics differ from the guest's"
rmmod pagehint || ph_fail "rmmod failed"

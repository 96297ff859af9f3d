# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Helpers for the guest tests (busybox sh).  A test is /tests/<name>.sh; it
# runs under "sh -e" and exits as kselftest's tests do: 0 to pass, 4
# (KSFT_SKIP) to skip, anything else to fail.  Only ph_skip skips: it leaves
# /tmp/ph-skip behind, so that a command failing with status 4 under
# "sh -e" still counts as a failure.

. /etc/ph.env

PH_KO=/lib/pagehint/pagehint.ko
PH_SYSFS=/sys/kernel/mm/pagehint

ph_result() {
	echo "PH-RESULT $*"
}

ph_fail() {
	echo "FAIL: $*"
	exit 1
}

ph_skip() {
	echo "SKIP: $*"
	echo "$*" >/tmp/ph-skip
	exit 4
}

ph_info() {
	echo "ph: $*"
}

# ph_modprobe NAME [PARAM...]: load NAME and what it depends on, in order;
# the parameters go to NAME.
ph_modprobe() {
	local f m=$1
	[ -f "/lib/modules/$KVER/order/$m" ] || return 1
	shift
	while read -r f; do
		local n=${f##*/}
		n=${n%.ko}
		n=$(echo "$n" | tr - _)
		[ -d "/sys/module/$n" ] && [ -e "/sys/module/$n/initstate" ] && continue
		# The parameters are for NAME itself, not for what it needs.
		if [ "$n" = "$m" ]; then
			insmod "$f" "$@" || return 1
		else
			insmod "$f" || return 1
		fi
	done <"/lib/modules/$KVER/order/$m"
	return 0
}

# The kernel log must hold no warning, oops, bug or sleeping-in-atomic
# report.  The console already shows them; this also fails the verdict.
PH_DMESG_BAD='BUG:|WARNING:|Oops|Call Trace|general protection|Kernel panic|UBSAN:|KASAN:|kmemleak:.*unreferenced|sleeping function called|INFO: task .* blocked|RCU stall|refcount_t:|list_del corruption|list_add corruption'

ph_dmesg_clean() {
	if dmesg | grep -E "$PH_DMESG_BAD" >/tmp/dmesg.bad; then
		sed 's/^/PH-DMESG: /' /tmp/dmesg.bad
		return 1
	fi
	return 0
}

# Debug kernels (CONFIG_DEBUG_KMEMLEAK): after the test, unload pagehint's
# modules and look for memory they leaked.  Objects from before the test
# were cleared at boot (init); kmemleak reports objects at least 5 s old, so
# scan, wait, scan.
PH_KMEMLEAK=/sys/kernel/debug/kmemleak

ph_kmemleak_check() {
	local m t
	# A kernel without kmemleak has nothing to check.  One with it must
	# scan: kmemleak turns itself off after an internal error (or with
	# kmemleak=off), and a check that cannot scan has not passed.
	[ -e $PH_KMEMLEAK ] || grep -qw kmemleak_scan /proc/kallsyms || return 0
	if [ ! -w $PH_KMEMLEAK ] || dmesg | grep -q 'kmemleak: Kernel memory leak detector disabled'; then
		echo "FAIL: this kernel has kmemleak, but it cannot scan"
		return 1
	fi
	for m in pagehint pagehint_test; do
		if [ -d /sys/module/$m ]; then
			rmmod $m || { echo "FAIL: rmmod $m after the test"; return 1; }
		fi
	done
	# kmemleak reports an object that a scan finds unreferenced with the
	# contents the scan before saw, and at least 5 s old when the scan
	# starts: so two scans, the second 6 s after the unload or later (a
	# scan of a debug guest alone takes longer than that).
	t=$(date +%s)
	if ! echo scan >$PH_KMEMLEAK; then
		echo "FAIL: a kmemleak scan failed"
		return 1
	fi
	t=$((6 - ($(date +%s) - t)))
	[ $t -le 0 ] || sleep $t
	if ! echo scan >$PH_KMEMLEAK; then
		echo "FAIL: a kmemleak scan failed"
		return 1
	fi
	if grep -q unreferenced $PH_KMEMLEAK; then
		sed 's/^/PH-KMEMLEAK: /' $PH_KMEMLEAK
		return 1
	fi
	echo "ph: kmemleak: no leaks after unload"
	return 0
}

# ph_param NAME DEFAULT: the value of ph.NAME= on the kernel command line
# (the rig's --append), else DEFAULT.
ph_param() {
	local v
	v=$(sed -n "s/.*ph\.$1=\([^ ]*\).*/\1/p" /proc/cmdline)
	echo "${v:-$2}"
}

# Can this kernel release the device from virtio_balloon without oopsing?
# The same ranges as pagehint_balloon_unbind_oopses() in compat.h:
# [6.11, 6.12.96) and [6.13, 7.2) oops when the device offers reporting.
ph_unbind_safe() {
	local v
	v=$(uname -r | sed 's/[^0-9.].*//' | awk -F. '{ printf "%d", $1 * 1000000 + $2 * 1000 + $3 }')
	! { [ "$v" -ge 6011000 ] && [ "$v" -lt 6012096 ]; } &&
		! { [ "$v" -ge 6013000 ] && [ "$v" -lt 7002000 ]; }
}

# Before the power-off: release the balloon device from virtio_balloon
# where that is safe.  virtio_balloon does not stop its free page reporting
# at shutdown.  Where virtio_dev_shutdown() breaks a device's queues at
# power-off (6.12.118 has it), a report that runs in the last milliseconds
# fails to queue and warns in virtballoon_free_page_report().  That race is
# the stock driver's and no test's subject; unbinding unregisters its
# reporting and waits for the work.  (pagehint stops at its reboot
# notifier, before the devices shut down.)
ph_stock_quiesce() {
	local dev
	[ "$(ph_balloon_driver)" = virtio_balloon ] && ph_unbind_safe || return 0
	dev=$(ph_balloon_dev) &&
		echo "$dev" >/sys/bus/virtio/drivers/virtio_balloon/unbind
}

# ph_churn_start MIB: keep writing and verifying position-dependent patterns
# in MIB of memory (rounds of a few seconds, new memory each round) until
# ph_churn_stop, which fails if any round found a mismatch.
ph_churn_start() {
	rm -f /tmp/churn.stop /tmp/churn.bad /tmp/churn.rounds
	(
		i=0
		while [ ! -f /tmp/churn.stop ]; do
			i=$((i + 1))
			ph-memverify -m "$1" -t 2 -s $i >>/tmp/churn.log 2>&1 ||
				echo "round $i" >>/tmp/churn.bad
			echo $i >/tmp/churn.rounds
		done
	) &
	PH_CHURN_PID=$!
}

ph_churn_stop() {
	touch /tmp/churn.stop
	wait $PH_CHURN_PID
	ph_info "churn: $(cat /tmp/churn.rounds 2>/dev/null || echo 0) rounds; $(awk '{ w += $4; v += $7 } END { printf "%d MiB written, %d MiB verified", w, v }' /tmp/churn.log)"
	if [ -f /tmp/churn.bad ]; then
		grep -i mismatch /tmp/churn.log | head -n 20
		return 1
	fi
	return 0
}

# ph_load_busy: load pagehint, check that it bound the device, and make it
# report as fast as it can (delay_ms=0, scan=always).
ph_load_busy() {
	insmod $PH_KO || ph_fail "insmod failed"
	[ "$(ph_balloon_driver)" = pagehint ] || ph_fail "pagehint did not bind: $(cat $PH_SYSFS/device)"
	echo 0 >$PH_SYSFS/delay_ms
	echo always >$PH_SYSFS/scan
}

# ph_still_reporting WHAT: pagehint is bound and makes a new report within
# 20 s (after WHAT: a resume, a re-plug, ...).
ph_still_reporting() {
	local n
	case $(cat $PH_SYSFS/device) in
	bound*) ;;
	*) ph_fail "after $1 sysfs says '$(cat $PH_SYSFS/device)'" ;;
	esac
	n=$(cat $PH_SYSFS/reports)
	ph_wait_reports $((n + 1)) 20 || ph_fail "no report after $1"
}

# ph_rss: QEMU's RSS on the host now, KiB.
ph_rss() {
	ph-host rss | sed -n 's/^ok \([0-9]*\).*/\1/p'
}

# ph_reclaim_half MIB SECONDS [HOLD]: mark "before", touch MIB with "peak"
# marked at the top, hold it HOLD seconds (default 0), free it, and wait
# until the host's RSS has fallen by half of what the workload took; the
# rig's answer ("ok 2.3s rss=...") is left in PH_RECLAIM.  Fails the test
# otherwise, with pagehint's stats if loaded.
ph_reclaim_half() {
	local before peak took
	before=$(ph-host mark before) || ph_fail "no RSS from the host: $before"
	ph-memtouch -m "$1" -h "${3:-0}" -c 'ph-host mark peak >/tmp/peak' || ph_fail "workload failed"
	peak=$(cat /tmp/peak)
	# The workload must have raised the RSS: falling by half of nothing
	# proves nothing.
	took=$(((${peak#ok } - ${before#ok }) >> 10))
	[ $took -ge $(($1 / 2)) ] || ph_fail "the workload raised the host RSS by $took MiB of $1"
	PH_RECLAIM=$(ph-host wait-reclaim before peak 0.5 "$2") || {
		[ ! -d $PH_SYSFS ] || ph_stats
		ph_fail "host RSS did not fall by half of the $took MiB the workload took within $2 s: $PH_RECLAIM"
	}
}

# ph_wait_reports N SECONDS: wait until pagehint has made N reports.
ph_wait_reports() {
	local n=0
	while [ "$(cat $PH_SYSFS/reports)" -lt "$1" ] && [ $n -lt $(($2 * 10)) ]; do
		sleep 0.1
		n=$((n + 1))
	done
	[ "$(cat $PH_SYSFS/reports)" -ge "$1" ]
}

# The balloon device as the virtio bus sees it (virtioN), if any.
ph_balloon_dev() {
	local d
	for d in /sys/bus/virtio/devices/*; do
		[ "$(cat "$d/device" 2>/dev/null)" = "0x0005" ] && { basename "$d"; return 0; }
	done
	return 1
}

# Name of the driver bound to the balloon device, or "none".
ph_balloon_driver() {
	local dev
	dev=$(ph_balloon_dev) || { echo none; return; }
	if [ -L "/sys/bus/virtio/devices/$dev/driver" ]; then
		basename "$(readlink "/sys/bus/virtio/devices/$dev/driver")"
	else
		echo none
	fi
}

# ph_balloon_feature BIT: was virtio-balloon feature BIT negotiated (2
# deflate-on-oom, 3 free page hint, 4 page poison, 5 reporting)?
ph_balloon_feature() {
	local dev
	dev=$(ph_balloon_dev) || return 1
	[ "$(cut -c$(($1 + 1)) "/sys/bus/virtio/devices/$dev/features")" = 1 ]
}

# Was free page reporting (feature bit 5) negotiated?
ph_balloon_reporting() {
	ph_balloon_feature 5
}

# ph_device_offers PROPERTY: does the balloon device QEMU runs offer
# PROPERTY (deflate-on-oom, free-page-hint, free-page-reporting)?  Asked of
# QEMU over QMP (the virtio-pci device's backend, or the virtio-mmio device
# itself), not read from what the driver negotiated: a driver that stopped
# negotiating a feature must fail the tests of it, not skip them.
ph_device_offers() {
	local path a
	for path in /machine/peripheral/balloon0/virtio-backend /machine/peripheral/balloon0; do
		a=$(ph-host qmp qom-get "{\"path\": \"$path\", \"property\": \"$1\"}") || continue
		case $a in
		"ok true") return 0 ;;
		"ok false") return 1 ;;
		esac
	done
	ph_fail "QEMU did not say whether the balloon device offers $1"
}

# ph_need_feature PROPERTY BIT: the device offers PROPERTY (else the test
# runs with the wrong rig options) and the bound driver negotiated it
# (virtio-balloon feature BIT); either missing fails the test.
ph_need_feature() {
	ph_device_offers "$1" ||
		ph_fail "the balloon device does not offer $1: run the test with its row's rig options (scripts/check.sh)"
	ph_balloon_feature "$2" ||
		ph_fail "$(ph_balloon_driver) did not negotiate $1 (feature bit $2), which the device offers"
}

# ph_load_driver DRIVER: load pagehint ("pagehint") or virtio_balloon
# ("stock") and check that it bound the balloon device; "none" loads
# nothing.  For the tests that measure pagehint beside the stock driver.
ph_load_driver() {
	case $1 in
	pagehint)
		insmod $PH_KO || ph_fail "insmod failed"
		[ "$(ph_balloon_driver)" = pagehint ] || ph_fail "pagehint did not bind: $(cat $PH_SYSFS/device)"
		;;
	stock)
		ph_modprobe virtio_balloon || ph_fail "cannot load virtio_balloon"
		[ "$(ph_balloon_driver)" = virtio_balloon ] || ph_fail "virtio_balloon not bound"
		;;
	none) ;;
	*) ph_fail "driver $1: pagehint, stock or none" ;;
	esac
}

# Print pagehint's sysfs files, one "name: value" line each.
ph_stats() {
	local f
	for f in $PH_SYSFS/*; do
		echo "ph-stat $(basename "$f"): $(cat "$f")"
	done
}

# ph_wait_still FLOOR_MS SECONDS FILE...: wait (at most SECONDS) until
# pagehint's sysfs FILEs all stay the same for three delay periods, a
# period being delay_ms but at least FLOOR_MS.
ph_wait_still() {
	local floor=$1 secs=$2 last="" same=0 n=0 cur delay f
	shift 2
	delay=$(cat $PH_SYSFS/delay_ms)
	[ "$delay" -ge "$floor" ] || delay=$floor
	while [ $n -lt $((secs * 1000 / delay)) ]; do
		cur=""
		for f in "$@"; do
			cur="$cur $(cat "$PH_SYSFS/$f")"
		done
		if [ "$cur" = "$last" ]; then
			same=$((same + 1))
			[ $same -ge 3 ] && return 0
		else
			same=0
		fi
		last=$cur
		sleep "$(awk -v d="$delay" 'BEGIN { print d / 1000 }')"
		n=$((n + 1))
	done
	return 1
}

# ph_wait_idle SECONDS: wait until pagehint's reported_bytes stops moving for
# three delay periods.
ph_wait_idle() {
	ph_wait_still 100 "$1" reported_bytes
}

# ph_wait_settled SECONDS FILE...: wait until pagehint's sysfs FILEs (such
# as scans and scan_pages, which a scan under way moves in every pass) all
# stay the same for three delay periods of at least 1 s each.
ph_wait_settled() {
	ph_wait_still 1000 "$@"
}

# The balloon, as the host drives it (QMP): ph_balloon_target MIB asks for a
# guest of MIB MiB; ph_balloon_actual prints the size QEMU sees now
# (query-balloon's "actual": RAM less the balloon), in MiB.
ph_balloon_target() {
	ph-host qmp balloon "{\"value\": $(($1 * 1048576))}" >/dev/null
}

ph_balloon_actual() {
	ph-host qmp query-balloon | sed -n 's/.*"actual":\([0-9]*\).*/\1/p' |
		awk '{ print int($1 / 1048576) }'
}

# ph_balloon_wait MIB SECONDS: wait until the guest's size is MIB MiB.
ph_balloon_wait() {
	local n=0
	while [ "$(ph_balloon_actual)" != "$1" ] && [ $n -lt "$2" ]; do
		sleep 1
		n=$((n + 1))
	done
	[ "$(ph_balloon_actual)" = "$1" ]
}

# A /proc/meminfo figure, in KiB.
ph_meminfo() {
	awk -v f="$1:" '$1 == f { print $2 }' /proc/meminfo
}

# ph_disk: wait for the rig's --disk (/dev/vda), loading virtio_blk where
# it is a module; skips on a kernel without virtio_blk, fails without the
# disk.
ph_disk() {
	local i=0
	ph_modprobe virtio_blk || [ -d /sys/module/virtio_blk ] ||
		ph_skip "this kernel has no virtio_blk"
	while [ ! -b /dev/vda ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -b /dev/vda ] || ph_fail "no disk /dev/vda: run the test with its row's rig options (--disk)"
}

# ph_uptime_cs: the time since boot, in hundredths of a second.
ph_uptime_cs() {
	tr -d . </proc/uptime | cut -d' ' -f1
}

# ph_vmstat NAME: a /proc/vmstat counter.
ph_vmstat() {
	awk -v k="$1" '$1 == k { print $2 }' /proc/vmstat
}

# ph_pageblock_types: the per-type pageblock counts of every zone
# (/proc/pagetypeinfo's "Number of blocks type" table), one line.
ph_pageblock_types() {
	awk '/^Number of blocks type/ { on = 1; next }
	     on && /^Node/ { $1 = $2 = $3 = ""; printf "%s;", $0 }' /proc/pagetypeinfo |
		tr -s ' '
}

# ph_pageblocks_typed TYPE: pageblocks of TYPE (a column of that table:
# Unmovable, Isolate, ...), all zones.
ph_pageblocks_typed() {
	awk -v t="$1" '/^Number of blocks type/ { for (i = 5; i <= NF; i++) if ($i == t) c = i; on = 1; next }
	     on && /^Node/ && c { n += $c } END { print n + 0 }' /proc/pagetypeinfo
}

# ph_free_pageblocks TYPE...: whole pageblocks free on the free lists of
# the TYPEs (Unmovable, Reclaimable, HighAtomic, ...) of all zones: free
# blocks of pageblock order and above, counted in pageblocks.
ph_free_pageblocks() {
	awk -v types=" $* " '/^Page block order:/ { pbo = $4 }
	     $5 == "type" && index(types, " " $6 " ") {
		m = 1
		for (i = 7 + pbo; i <= NF; i++) {
			n += $i * m
			m *= 2
		}
	     }
	     END { print n + 0 }' /proc/pagetypeinfo
}

# ph_bench_config CFG: one configuration of free page reporting for the
# benchmarks (bench.sh, bench-build.sh), set up and settled (the cases are
# bench.sh's ph.cfg).  Sets $order to the page_reporting_order it set.
ph_bench_config() {
	case $1 in
	none | upstream | upstream_tuned | upstream0)
		ph_modprobe virtio_balloon || ph_fail "cannot load virtio_balloon"
		[ "$(ph_balloon_driver)" = virtio_balloon ] || ph_fail "virtio_balloon not bound"
		# After the driver registered: 6.1 sets the order at registration.
		order=
		case $1 in
		upstream_tuned) order=$(ph_param order 2) ;;
		upstream0) order=0 ;;
		esac
		if [ -n "$order" ]; then
			echo "$order" >/sys/module/page_reporting/parameters/page_reporting_order ||
				ph_fail "cannot set page_reporting_order"
			[ "$(cat /sys/module/page_reporting/parameters/page_reporting_order)" = "$order" ] ||
				ph_fail "page_reporting_order did not take"
		fi
		if [ "$1" != none ]; then
			ph_balloon_reporting || ph_fail "the device does not offer reporting"
		elif ph_balloon_reporting; then
			ph_fail "the device offers reporting for the 'none' configuration"
		fi
		sleep 10	# boot-time reporting: upstream reports 2 s after the last free
		;;
	pagehint | tuned)
		insmod $PH_KO || ph_fail "insmod failed"
		[ "$(ph_balloon_driver)" = pagehint ] || ph_fail "pagehint did not bind: $(cat $PH_SYSFS/device)"
		if [ "$1" = tuned ]; then
			ph_param order 2 >$PH_SYSFS/report_order
			ph_param delay 500 >$PH_SYSFS/delay_ms
		fi
		ph_wait_idle 120 || ph_fail "the load-time reporting did not settle"
		;;
	*)
		ph_fail "unknown configuration '$1'"
		;;
	esac
}

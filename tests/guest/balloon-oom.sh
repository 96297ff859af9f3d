# SPDX-License-Identifier: GPL-2.0
# Deflate on OOM (rig --balloon-opts=deflate-on-oom=on): with the balloon
# holding 1 GiB of the guest, a program that needs more than is left gets it
# from the balloon before the OOM killer runs: it survives, nothing is
# killed, and the balloon is smaller afterwards.  Inflated pages stay in
# MemTotal with this feature.  stock-oom runs the same with virtio_balloon.
. /tests/lib.sh

DRIVER=${PH_DRIVER:-pagehint}
ph_load_driver "$DRIVER"
ph_need_feature deflate-on-oom 2
full=$(ph_balloon_actual)
t0=$(ph_meminfo MemTotal)
ph_balloon_target $((full - 1024))
ph_balloon_wait $((full - 1024)) 180 || ph_fail "the balloon did not inflate by 1 GiB: actual $(ph_balloon_actual) MiB"
[ "$(ph_meminfo MemTotal)" = "$t0" ] || ph_fail "MemTotal changed with deflate-on-oom: $(ph_meminfo MemTotal) of $t0 KiB"
# More than is left: the rest must come from the balloon.
avail=$(($(ph_meminfo MemAvailable) >> 10))
hog=$((avail + 256))
ph_info "$DRIVER: balloon 1 GiB, MemAvailable $avail MiB; a program takes $hog MiB"
s=$(date +%s)
ph-memtouch -m $hog >/dev/null || ph_fail "the program could not get its memory"
took=$(($(date +%s) - s))
actual=$(ph_balloon_actual)
ph_result "oom driver=$DRIVER before=$((full - 1024)) after=$actual hog=$hog seconds=$took"
ph_info "$DRIVER: the program ran in $took s; the guest is now $actual MiB"
! dmesg | grep -q 'Killed process' || ph_fail "the OOM killer ran: $(dmesg | grep 'Killed process' | head -n 1)"
[ "$actual" -gt $((full - 1024)) ] || ph_fail "the balloon did not deflate"
ph_balloon_target "$full"
ph_balloon_wait "$full" 120 || ph_fail "no deflation to full size"

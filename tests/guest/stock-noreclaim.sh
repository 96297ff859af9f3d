# SPDX-License-Identifier: GPL-2.0
# The control for stock-reclaim: with a balloon device that does not offer
# free page reporting, the host RSS must stay up after the guest frees 1 GiB.
# If this passes while stock-reclaim passes too, the rig's RSS measurement
# tells reclaim from no reclaim.
. /tests/lib.sh

MIB=${PH_MIB:-1024}
ph_modprobe virtio_balloon || ph_fail "cannot load virtio_balloon"
[ "$(ph_balloon_driver)" = virtio_balloon ] || ph_fail "virtio_balloon not bound"
! ph_device_offers free-page-reporting || ph_fail "run this test with the device's reporting off (--reporting=off)"

sleep 3
before=$(ph-host mark before) || ph_fail "no RSS from the host: $before"
ph-memtouch -m "$MIB" -c 'ph-host mark peak >/tmp/peak' || ph_fail "workload failed"
peak=$(cat /tmp/peak)
# The workload must have raised the RSS for "stays up" to mean anything.
took=$(((${peak#ok } - ${before#ok }) >> 10))
[ $took -ge $((MIB * 3 / 4)) ] || ph_fail "the workload raised the host RSS by $took MiB of $MIB"
# Only the host's "timeout" says the RSS stayed up; any other answer is an
# error, not a result.
res=$(ph-host wait-reclaim before peak 0.25 15) && ph_fail "host RSS fell without free page reporting: $res"
case $res in
timeout*) ;;
*) ph_fail "no answer on the host RSS: $res" ;;
esac
ph_info "host RSS rose by $took MiB and stayed up without reporting: $res"
ph-host mark after >/dev/null

. /tests/lib.sh
insmod $PH_KO
ph_wait_idle 60
rm -f /tmp/freed
ph-fragment -m 1024 -p 64 -f 'touch /tmp/freed' -h 100 >/tmp/fragment.log 2>&1 &
while [ ! -f /tmp/freed ]; do sleep 0.2; done
sleep 12
cat /proc/buddyinfo; grep -E "compact_(migrate_scanned|free_scanned)|pgmigrate_success" /proc/vmstat
pagehint-reclaimd --interval 2 --compact-every 10 --verbose >/tmp/reclaimd.log 2>&1 &
sleep 20
cat /proc/buddyinfo; grep -E "compact_(migrate_scanned|free_scanned)|pgmigrate_success" /proc/vmstat
cat /tmp/reclaimd.log | grep -v floor
echo 1 > /sys/devices/system/node/node0/compact
cat /proc/buddyinfo; grep -E "compact_(migrate_scanned|free_scanned)|pgmigrate_success" /proc/vmstat
ph_result "probe"

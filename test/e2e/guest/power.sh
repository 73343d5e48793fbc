#!/bin/sh
# /sbin/poweroff, /sbin/shutdown, /sbin/halt and /sbin/reboot of the test
# guest: qgad runs /sbin/poweroff with no arguments (qemu-ga 10.2's
# behaviour), Debian's qemu-ga 7.2 runs /sbin/shutdown -h -P +0 "...". All
# of them really power the VM off (QEMU runs with -no-reboot), after a sync
# that may not wait more than 5 s (a frozen disk would hold it forever).
echo "E2E power ${0##*/} $*" > /dev/console
/bin/busybox sync &
i=0
while kill -0 $! 2> /dev/null && [ $i -lt 50 ]; do
	/bin/busybox sleep 0.1
	i=$((i + 1))
done
exec /bin/busybox poweroff -f -n

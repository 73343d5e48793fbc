#!/bin/sh
# /init of the end-to-end test guest: busybox sh as PID 1, written into the
# initramfs by test/e2e (guest_test.go). It sets up what a small distro
# would (mounts, the virtio modules, the /dev/virtio-ports links and the
# disk's database entry udev makes, the ext4 test disk on /mnt/data, eth0
# with a static address, a utmp),
# then runs in the background
#   - a heartbeat writer on /mnt/data: every 100 ms it appends the uptime to
#     /mnt/data/hb and fsyncs it; a write that took over 500 ms prints
#     "HB <uptime> blocked <ms>ms", the next quick one "HB <uptime> ok <ms>ms";
#   - the control loop on the port org.qgad.e2e.ctl: the test sends
#     "<id> <shell command>" lines and reads "<id> <status> <base64 output>",
#     a view of the guest that does not go through the agent;
# and in the foreground the agent named by e2e_agent= on the kernel command
# line (its argv in /etc/e2e/<agent>.argv, one argument per line), started
# again half a second after it exits, as a service manager would.
# Lines starting with "E2E " are markers the test waits for.
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

mark() {
	local up _
	read -r up _ < /proc/uptime
	echo "E2E $* t=$up"
}

mkdir -p /proc /sys /dev /run /tmp /mnt/data
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs tmpfs /tmp
mkdir -p /run/e2e
hostname -F /etc/hostname
mark init kernel=$(uname -r)

while read -r m; do
	insmod "/lib/modules/$m" || echo "E2E insmod-failed $m"
done < /etc/e2e/modules

# udev's job: /dev/virtio-ports/<name> -> ../vportNpM, once every port the
# test configured has received its name from the host.
want=$(wc -l < /etc/e2e/ports)
i=0
while [ $i -lt 200 ]; do
	n=0
	for p in /sys/class/virtio-ports/*; do
		[ -r "$p/name" ] && read -r name < "$p/name" && [ -n "$name" ] && n=$((n + 1))
	done
	[ $n -ge "$want" ] && break
	sleep 0.05
	i=$((i + 1))
done
mkdir -p /dev/virtio-ports
for p in /sys/class/virtio-ports/*; do
	[ -r "$p/name" ] && read -r name < "$p/name" && [ -n "$name" ] &&
		ln -sf "../${p##*/}" "/dev/virtio-ports/$name"
done
mark ports $(ls /dev/virtio-ports)

i=0
while [ ! -b /dev/vda ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
disk=0
if mount -t ext4 /dev/vda /mnt/data; then
	disk=1
	mark disk-mounted
else
	mark disk-failed
fi

ip link set lo up
i=0
while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
# No router advertisements: the addresses and routes are the static ones
# (and the link-local address), however long the test takes.
sysctl -qw net.ipv6.conf.eth0.accept_ra=0 net.ipv6.conf.eth0.autoconf=0
ip link set eth0 up &&
	ip addr add "$(cat /etc/e2e/ipv4)" dev eth0 &&
	ip route add default via "$(cat /etc/e2e/gateway)" dev eth0 || mark net-failed
# the link-local address comes a moment after the link: wait for it, so
# every check sees the final set of addresses
i=0
while ! ip -o -6 addr show dev eth0 | grep -q fe80 && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
mark net-up $(ip -o addr show | awk '$3 ~ /^inet/ { print $2 "=" $4 }')

# udev's database entry for the disk, which libudev (and so the agents'
# guest-get-fsinfo and guest-get-disks) reads: ID_SERIAL is the virtio serial.
mkdir -p /run/udev/data
[ -r /sys/block/vda/serial ] &&
	echo "E:ID_SERIAL=$(cat /sys/block/vda/serial)" > "/run/udev/data/b$(cat /sys/block/vda/dev)"

# glibc's _PATH_UTMP is /var/run/utmp, and /var/run is /run.
cp /etc/e2e/utmp /run/utmp

# "12.34" (uptime) -> centiseconds in CS, without forking
cs() {
	local s=${1%.*} c=${1#*.}
	c=${c#0}
	CS=$((s * 100 + c))
}

heartbeat() {
	local f=/mnt/data/hb slow=0 t0 t1 d a r _
	while :; do
		read -r t0 _ < /proc/uptime
		if echo "$t0" >> "$f" && sync "$f"; then r=ok; else r=error; fi
		read -r t1 _ < /proc/uptime
		cs "$t0"
		a=$CS
		cs "$t1"
		d=$(((CS - a) * 10))
		if [ "$r" = error ]; then
			echo "HB $t1 error ${d}ms"
		elif [ "$d" -gt 500 ]; then
			echo "HB $t1 blocked ${d}ms"
			slow=1
		elif [ "$slow" = 1 ]; then
			echo "HB $t1 ok ${d}ms"
			slow=0
		fi
		sleep 0.1
	done
}

# Output goes through a file on tmpfs, not a pipe, so a command that leaves
# a background job behind (or writes to the frozen disk) cannot hold the
# loop. Reads return EOF while no host is connected: wait and reopen (a
# redirection on the loop, not exec, so a failed open is not fatal).
control() {
	local port=/dev/virtio-ports/org.qgad.e2e.ctl line id cmd rc
	while :; do
		while IFS= read -r line <&3; do
			id=${line%% *}
			cmd=${line#* }
			sh -c "$cmd" < /dev/null > /run/e2e/ctl.out 2>&1
			rc=$?
			echo "$id $rc $(base64 -w 0 < /run/e2e/ctl.out)" >&3
		done 3<> "$port"
		sleep 0.2
	done
}

[ $disk = 1 ] && heartbeat &
control &

set --
while IFS= read -r a; do set -- "$@" "$a"; done < "/etc/e2e/${e2e_agent:-qgad}.argv"
cd /
while :; do
	mark agent-start "$*"
	"$@" < /dev/null &
	echo $! > /run/e2e/agent.pid
	wait $!
	mark agent-exit rc=$?
	sleep 0.5
done

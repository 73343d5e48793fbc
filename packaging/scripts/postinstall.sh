#!/bin/sh
# qgad postinstall (.deb postinst and .rpm %post): make systemd and udev see
# the new unit and rule, restart a running agent on upgrade, and start the
# agent at once when the guest agent's port already exists (a package
# installed on a running guest), as the udev rule would have at boot.
set -e

# Unpacked into another root (dpkg --root, image builders): nothing here runs there.
[ -z "${DPKG_ROOT:-}" ] || exit 0

if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || true
    systemctl try-restart qgad.service qgad-unix.service qgad-vsock.service >/dev/null 2>&1 || true
fi
if command -v udevadm >/dev/null 2>&1; then
    udevadm control --reload-rules >/dev/null 2>&1 || true
    udevadm trigger --subsystem-match=virtio-ports --action=add >/dev/null 2>&1 || true
fi
exit 0

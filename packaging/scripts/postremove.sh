#!/bin/sh
# qgad postremove (.deb postrm and .rpm %postun): forget the removed unit and
# udev rule.
set -e

[ -z "${DPKG_ROOT:-}" ] || exit 0

if [ -d /run/systemd/system ]; then
    systemctl daemon-reload >/dev/null 2>&1 || true
fi
if command -v udevadm >/dev/null 2>&1; then
    udevadm control --reload-rules >/dev/null 2>&1 || true
fi
exit 0

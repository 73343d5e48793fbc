#!/bin/sh
# qgad preremove (.deb prerm and .rpm %preun): stop the agent when the
# package goes away, not when it is upgraded. dpkg says "remove" (or
# "upgrade"), rpm gives the number of versions left (0 = erase).
set -e

[ -z "${DPKG_ROOT:-}" ] || exit 0

case "${1:-}" in
remove | 0)
    if [ -d /run/systemd/system ]; then
        systemctl stop qgad.service qgad-unix.socket qgad-unix.service \
            qgad-vsock.socket qgad-vsock.service >/dev/null 2>&1 || true
    fi
    ;;
esac
exit 0

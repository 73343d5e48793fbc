#!/bin/sh
# postinstall and postremove of the plugin packages (qgad-plugin-*): the
# agent discovers its plugins when it starts, so a running agent is
# restarted to add or drop the family's commands. try-restart leaves a
# stopped agent stopped.
set -e

[ -z "${DPKG_ROOT:-}" ] || exit 0

if [ -d /run/systemd/system ]; then
    systemctl try-restart qgad.service qgad-unix.service qgad-vsock.service >/dev/null 2>&1 || true
fi
exit 0

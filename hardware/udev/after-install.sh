#!/bin/sh
# Debian post-install step of the kiosk package (electron.config.ts): install the device rules and apply them.
set -e
getent group muster >/dev/null || groupadd --system muster
install -m 0644 /opt/Muster\ Kiosk/resources/udev/99-muster.rules /etc/udev/rules.d/99-muster.rules
udevadm control --reload-rules || true
udevadm trigger --subsystem-match=tty --subsystem-match=hidraw || true

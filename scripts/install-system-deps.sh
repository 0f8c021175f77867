#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages Muster's tests and demo need. Run as root (or with sudo) on a fresh machine.
#   socat              PTY pairs: the serial drivers are tested through real kernel ttys
#   mosquitto(+clients) the production MQTT broker, started by the tests as a separate process
#   nats-server        the clustered broker (JetStream + MQTT), three nodes started by the tests on loopback
#   postgresql         HQ's province-scale store, started on loopback by the test script
#   chromium           the screens are tested in a real browser (playwright-core drives it)
#   fonts-*            the screens' icons (colour emoji) and Chinese text (zh-CN) render on the kiosk and in tests
#   libusb-1.0-0, udev node-hid's libusb backend; udevadm for SerialPort.list()
#   strace             the ledger's durability tests trace and fault-inject the writer's syscalls
set -euo pipefail
packages=(socat strace mosquitto mosquitto-clients nats-server postgresql chromium fonts-noto-color-emoji fonts-wqy-zenhei libusb-1.0-0 udev ca-certificates)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
# The test script starts its own broker and database; stop the ones the packages may have started.
$SUDO systemctl disable --now mosquitto nats-server postgresql >/dev/null 2>&1 || true

// Device profiles for a production kiosk: the USB ids the devices (or their USB-serial bridges) present, default
// baud rates, and the udev rules generated from them (hardware/udev/99-muster.rules is this output, checked in).
import { DEFAULT_BAUD } from '../drivers/open-device.ts';

export interface UsbId {
  /** Lower-case hex, as udev and serialport's list() write them. */
  readonly vendorId: string;
  readonly productId: string;
  readonly description: string;
}

export interface DeviceProfile {
  readonly name: string;
  readonly kind: 'fingerprint' | 'camera' | 'badge';
  /** Serial devices: the driver family and default baud rate. */
  readonly serial?: { readonly family: 'r30x' | 'gt511' | 'vc0706'; readonly baudRate: number };
  /** HID devices: how the reader sends cards. */
  readonly hid?: { readonly mode: 'keyboard' | 'data' };
  readonly usb: readonly UsbId[];
  /** Stable name under /dev created by the udev rules (HID readers; serial devices use /dev/serial/by-id). */
  readonly symlink?: string;
}

const SERIAL_BRIDGES: readonly UsbId[] = [
  { vendorId: '10c4', productId: 'ea60', description: 'Silicon Labs CP210x USB-UART' },
  { vendorId: '1a86', productId: '7523', description: 'WCH CH340 USB-UART' },
  { vendorId: '0403', productId: '6001', description: 'FTDI FT232R USB-UART' },
];

export const PROFILES: readonly DeviceProfile[] = [
  {
    name: 'R307 / R503 / AS608 fingerprint module',
    kind: 'fingerprint',
    serial: { family: 'r30x', baudRate: DEFAULT_BAUD.r30x },
    usb: SERIAL_BRIDGES,
  },
  {
    name: 'GT-511C3 / GT-521F fingerprint module',
    kind: 'fingerprint',
    serial: { family: 'gt511', baudRate: DEFAULT_BAUD.gt511 },
    usb: SERIAL_BRIDGES,
  },
  {
    name: 'VC0706 serial JPEG camera',
    kind: 'camera',
    serial: { family: 'vc0706', baudRate: DEFAULT_BAUD.vc0706 },
    usb: SERIAL_BRIDGES,
  },
  {
    name: '125 kHz / 13.56 MHz USB badge reader (keyboard wedge)',
    kind: 'badge',
    hid: { mode: 'keyboard' },
    usb: [
      {
        vendorId: 'ffff',
        productId: '0035',
        description: 'generic RFID keyboard-wedge reader (check yours with lsusb)',
      },
    ],
    symlink: 'muster/badge',
  },
];

/** The profile of a device kind, and of a serial family where the kind has several (fingerprint: r30x, gt511). */
export function profileFor(
  kind: DeviceProfile['kind'],
  family?: NonNullable<DeviceProfile['serial']>['family'],
): DeviceProfile {
  const profile = PROFILES.find((p) => p.kind === kind && (family === undefined || p.serial?.family === family));
  if (!profile) throw new TypeError(`kind: no profile for ${kind}${family ? ` (${family})` : ''}`);
  return profile;
}

/**
 * udev rules granting the `muster` group the devices. Serial bridges get access only: the same chip sits in front of
 * unrelated devices, so roles come from /dev/serial/by-id paths in the kiosk config. Badge readers get hidraw access
 * (node-hid's default backend), the raw USB node (the exclusive libusb backend) and a /dev/muster/... link.
 */
export function udevRules(profiles: readonly DeviceProfile[] = PROFILES): string {
  const lines = [
    '# Muster kiosk devices. Generated from hardware/profiles.ts (udevRules); edit there, not here.',
    '# Install: copy to /etc/udev/rules.d/, then `udevadm control --reload && udevadm trigger`.',
    '# The kiosk user must be in the `muster` group. Configure serial devices by their /dev/serial/by-id path.',
  ];
  const bridges = new Map<string, { usb: UsbId; users: string[] }>();
  for (const profile of profiles.filter((p) => p.serial)) {
    for (const usb of profile.usb) {
      const key = `${usb.vendorId}:${usb.productId}`;
      const entry = bridges.get(key) ?? { usb, users: [] };
      entry.users.push(profile.name);
      bridges.set(key, entry);
    }
  }
  for (const { usb, users } of bridges.values()) {
    lines.push('', `# ${usb.description}: ${users.join('; ')}`);
    lines.push(
      `SUBSYSTEM=="tty", ATTRS{idVendor}=="${usb.vendorId}", ATTRS{idProduct}=="${usb.productId}", MODE="0660", GROUP="muster"`,
    );
  }
  for (const profile of profiles.filter((p) => p.hid)) {
    for (const usb of profile.usb) {
      lines.push('', `# ${profile.name}: ${usb.description}`);
      lines.push(
        `KERNEL=="hidraw*", ATTRS{idVendor}=="${usb.vendorId}", ATTRS{idProduct}=="${usb.productId}", MODE="0660", GROUP="muster", SYMLINK+="${profile.symlink ?? `muster/${profile.kind}`}"`,
      );
      lines.push(
        `SUBSYSTEM=="usb", ATTR{idVendor}=="${usb.vendorId}", ATTR{idProduct}=="${usb.productId}", MODE="0660", GROUP="muster"`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

// Opens a USB HID badge reader with node-hid 3. On Linux node-hid's default hidraw backend shares the device with the
// desktop (keystrokes also reach whatever has focus); `exclusive` switches to the libusb backend, which detaches the
// kernel driver. That switch is process-wide in node-hid, so a kiosk decides it once, before opening any reader.
import { EventEmitter } from 'node:events';
import * as HID from 'node-hid';
import { errorMessage } from '../../core/errors.ts';
import { linkError } from '../device-error.ts';
import type { ReportSource, ReportSourceEvents } from './report-source.ts';

export type HidTarget = { readonly path: string } | { readonly vendorId: number; readonly productId: number };

export interface HidOpenOptions {
  readonly exclusive?: boolean;
}

export async function openHidSource(target: HidTarget, options: HidOpenOptions = {}): Promise<ReportSource> {
  if (options.exclusive && process.platform === 'linux') HID.setDriverType('libusb');
  let path: string;
  if ('path' in target) path = target.path;
  else {
    const found = (await HID.devicesAsync(target.vendorId, target.productId))[0]?.path;
    if (found === undefined)
      throw linkError('device.not-found', `no HID device ${hex(target.vendorId)}:${hex(target.productId)}`);
    path = found;
  }
  try {
    return new NodeHidSource(await HID.HIDAsync.open(path, { nonExclusive: !options.exclusive }));
  } catch (error) {
    throw linkError('device.not-found', `cannot open HID device ${path}: ${errorMessage(error)}`, { cause: error });
  }
}

class NodeHidSource extends EventEmitter<ReportSourceEvents> implements ReportSource {
  readonly #device: HID.HIDAsync;

  constructor(device: HID.HIDAsync) {
    super();
    this.#device = device;
    device.on('data', (report: Buffer) => this.emit('data', new Uint8Array(report)));
    device.on('error', (error: Error) => this.emit('error', error));
  }

  close(): Promise<void> {
    return this.#device.close();
  }
}

function hex(id: number): string {
  return id.toString(16).padStart(4, '0');
}

// Serial transport on serialport 13: opens by stable path or USB vendor/product id, reports link state, and after an
// unplug reopens on a new port object with exponential backoff (serialport never reconnects by itself).
import { EventEmitter } from 'node:events';
import { type BindingInterface, type PortInfo, autoDetect } from '@serialport/bindings-cpp';
import { SerialPortStream } from '@serialport/stream';
import { errorMessage } from '../core/errors.ts';
import type { ByteLink, ByteLinkEvents } from './byte-link.ts';
import { type DeviceError, linkError } from './device-error.ts';
import { type Backoff, DEFAULT_BACKOFF, Reconnector } from './reconnect.ts';

/** Where the device is: a stable path (/dev/serial/by-id/...) or a USB id pair (lower-case hex, as udev writes them). */
export type SerialTarget =
  { readonly path: string } | { readonly vendorId: string; readonly productId: string; readonly serialNumber?: string };

export interface SerialTransportOptions {
  readonly target: SerialTarget;
  readonly baudRate: number;
  /** The serialport binding; the native one by default, a mock or emulator binding in tests. */
  readonly binding?: BindingInterface;
  /** Reconnect policy after an unplug; false to stay down. */
  readonly reconnect?: Backoff | false;
}

export class SerialTransport extends EventEmitter<ByteLinkEvents> implements ByteLink {
  readonly #options: SerialTransportOptions;
  readonly #binding: BindingInterface;
  #port: SerialPortStream | undefined;
  #closed = false;
  readonly #reconnector: Reconnector;

  constructor(options: SerialTransportOptions) {
    super();
    if (!Number.isInteger(options.baudRate) || options.baudRate <= 0)
      throw new TypeError(`baudRate: expected a positive integer, got ${options.baudRate}`);
    this.#options = options;
    this.#binding = options.binding ?? autoDetect();
    this.#reconnector = new Reconnector(options.reconnect ?? DEFAULT_BACKOFF, () => this.#openOnce());
  }

  get connected(): boolean {
    return this.#port?.isOpen === true;
  }

  /** One attempt to open; rejects with device.not-found. After success, unplugs are retried per the backoff. */
  async open(): Promise<void> {
    this.#closed = false;
    this.#reconnector.resume();
    await this.#openOnce();
  }

  /** Opens in the background, retrying with backoff until it succeeds: for a kiosk booting without its devices. */
  start(): void {
    this.#closed = false;
    this.#reconnector.resume();
    this.#openOnce().catch(() => {
      this.#reconnector.schedule();
    });
  }

  async write(bytes: Uint8Array): Promise<void> {
    const port = this.#port;
    if (!port?.isOpen) throw linkError('device.disconnected', 'serial port is not connected');
    await new Promise<void>((resolve, reject) => {
      port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), (error) => {
        if (error) reject(linkError('device.disconnected', `serial write failed: ${error.message}`, { cause: error }));
        else resolve();
      });
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#reconnector.stop();
    const port = this.#port;
    this.#port = undefined;
    if (!port?.isOpen) return;
    await new Promise<void>((resolve) => {
      port.close(() => {
        resolve();
      });
    });
  }

  async #openOnce(): Promise<void> {
    const path = await this.#resolvePath();
    const port = new SerialPortStream({
      binding: this.#binding,
      path,
      baudRate: this.#options.baudRate,
      autoOpen: false,
    });
    await new Promise<void>((resolve, reject) => {
      port.open((error) => {
        if (error) reject(linkError('device.not-found', `cannot open ${path}: ${error.message}`, { cause: error }));
        else resolve();
      });
    });
    if (this.#closed) {
      port.close();
      throw linkError('device.closed', 'transport closed while opening');
    }
    port.on('data', (chunk: Buffer) =>
      this.emit('data', new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)),
    );
    // Errors also arrive as a close; listening keeps an unhandled 'error' from killing the process.
    port.on('error', () => undefined);
    port.on('close', (error: Error | null) => {
      this.#onClose(port, error);
    });
    this.#port = port;
    this.#reconnector.succeeded();
    this.emit('connected');
  }

  #onClose(port: SerialPortStream, error: Error | null): void {
    if (port !== this.#port) return;
    this.#port = undefined;
    if (this.#closed) return;
    const reason: DeviceError = linkError(
      'device.disconnected',
      error ? `device unplugged: ${error.message}` : 'serial port closed',
    );
    this.emit('disconnected', reason);
    this.#reconnector.schedule();
  }

  async #resolvePath(): Promise<string> {
    const target = this.#options.target;
    if ('path' in target) return target.path;
    let ports: PortInfo[];
    try {
      ports = await this.#binding.list();
    } catch (error) {
      // list() shells out to udevadm on Linux; without it, say so instead of crashing.
      throw linkError(
        'device.not-found',
        `cannot list serial ports (${errorMessage(error)}); configure a stable path instead`,
        { cause: error },
      );
    }
    const match = ports.find((p) =>
      matchesUsbId(p, target.vendorId, target.productId, 'serialNumber' in target ? target.serialNumber : undefined),
    );
    if (!match)
      throw linkError('device.not-found', `no serial port with USB id ${target.vendorId}:${target.productId}`);
    return match.path;
  }
}

function matchesUsbId(port: PortInfo, vendorId: string, productId: string, serialNumber: string | undefined): boolean {
  const same = (a: string | undefined, b: string): boolean => a?.toLowerCase() === b.toLowerCase();
  return (
    same(port.vendorId, vendorId) &&
    same(port.productId, productId) &&
    (serialNumber === undefined || port.serialNumber === serialNumber)
  );
}

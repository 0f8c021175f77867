// Runs emulators in process on @serialport/binding-mock: a serialport binding whose ports are wired to emulators.
// Unplugging an emulator fails the pending read the way a real unplug does (an error with `disconnect`), so
// serialport closes the port with a DisconnectedError and the transport's reconnect path runs for real.
import type {
  BindingInterface,
  BindingPortInterface,
  OpenOptions,
  PortInfo,
  PortStatus,
  SetOptions,
  UpdateOptions,
} from '@serialport/bindings-cpp';
import { SerialPortMock } from 'serialport';
import type { SerialEmulator } from './emulator.ts';

const MockBinding = SerialPortMock.binding;
type MockPortBinding = Awaited<ReturnType<typeof MockBinding.open>>;

export interface UsbIdentity {
  readonly vendorId: string;
  readonly productId: string;
}

export class EmulatorBinding implements BindingInterface {
  readonly #emulators = new Map<string, { emulator: SerialEmulator; info: PortInfo }>();

  attach(path: string, emulator: SerialEmulator, usb?: UsbIdentity): void {
    MockBinding.createPort(path, usb ? { vendorId: usb.vendorId, productId: usb.productId } : {});
    const info: PortInfo = {
      path,
      manufacturer: undefined,
      serialNumber: undefined,
      pnpId: undefined,
      locationId: undefined,
      vendorId: usb?.vendorId,
      productId: usb?.productId,
    };
    this.#emulators.set(path, { emulator, info });
  }

  list(): Promise<PortInfo[]> {
    return Promise.resolve([...this.#emulators.values()].filter((e) => e.emulator.plugged).map((e) => e.info));
  }

  async open(options: OpenOptions): Promise<BindingPortInterface> {
    const entry = this.#emulators.get(options.path);
    if (!entry?.emulator.plugged) throw new Error(`ENOENT: no such device ${options.path}`);
    const inner = await MockBinding.open(options);
    return new EmulatorPort(inner, entry.emulator);
  }
}

class EmulatorPort implements BindingPortInterface {
  readonly #inner: MockPortBinding;
  readonly #emulator: SerialEmulator;
  readonly #unplugged: Promise<never>;
  readonly #onOutput: (bytes: Uint8Array) => void;
  readonly #onUnplug: () => void;

  constructor(inner: MockPortBinding, emulator: SerialEmulator) {
    this.#inner = inner;
    this.#emulator = emulator;
    let unplug = (): void => undefined;
    this.#unplugged = new Promise<never>((_, reject) => {
      unplug = () => {
        reject(Object.assign(new Error('device unplugged'), { disconnect: true }));
      };
    });
    this.#unplugged.catch(() => undefined);
    this.#onOutput = (bytes) => {
      if (inner.isOpen) inner.emitData(Buffer.from(bytes));
    };
    this.#onUnplug = unplug;
    emulator.on('output', this.#onOutput);
    emulator.on('unplug', this.#onUnplug);
  }

  get openOptions(): Required<OpenOptions> {
    return this.#inner.openOptions;
  }

  get isOpen(): boolean {
    return this.#inner.isOpen;
  }

  async close(): Promise<void> {
    this.#emulator.off('output', this.#onOutput);
    this.#emulator.off('unplug', this.#onUnplug);
    await this.#inner.close();
  }

  read(buffer: Buffer, offset: number, length: number): Promise<{ buffer: Buffer; bytesRead: number }> {
    return Promise.race([this.#inner.read(buffer, offset, length), this.#unplugged]);
  }

  async write(buffer: Buffer): Promise<void> {
    await this.#inner.write(buffer);
    this.#emulator.receive(Uint8Array.from(buffer));
  }

  update(options: UpdateOptions): Promise<void> {
    return this.#inner.update(options);
  }

  set(options: SetOptions): Promise<void> {
    return this.#inner.set(options);
  }

  get(): Promise<PortStatus> {
    return this.#inner.get();
  }

  getBaudRate(): Promise<{ baudRate: number }> {
    return this.#inner.getBaudRate();
  }

  flush(): Promise<void> {
    return this.#inner.flush();
  }

  drain(): Promise<void> {
    return this.#inner.drain();
  }
}

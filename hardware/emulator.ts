// The base every serial device emulator shares: bytes in from the host, bytes out with the device's timing, one-shot
// faults on the next reply, and plug state for the links (mock binding, PTY) to act on.
import { EventEmitter } from 'node:events';
import { outputSchedule } from './output-schedule.ts';

export type Fault = 'checksum' | 'stray' | 'short' | 'silence';
export const FAULTS: readonly Fault[] = ['checksum', 'stray', 'short', 'silence'];

export interface EmulatorTiming {
  /** Whether commands take the module's real processing time (capture, search, boot); false in tests. */
  readonly processing: boolean;
  /** Pace replies at this baud rate (10 bits a byte): a PTY does not enforce the baud rate, so the emulator does. */
  readonly baudRate?: number;
  /** Told how late (ms) each paced reply went out: benchmarks report it, since it is not the driver's. */
  readonly onPaced?: (lateMs: number) => void;
}

export const ZERO_TIMING: EmulatorTiming = { processing: false };

export interface EmulatorEvents {
  output: [Uint8Array];
  unplug: [];
  replug: [];
}

/** Bytes of noise a `stray` fault puts before the next reply. */
const STRAY = Uint8Array.from([0x00, 0x55, 0xef, 0x13]);

export abstract class SerialEmulator extends EventEmitter<EmulatorEvents> {
  readonly timing: EmulatorTiming;
  #plugged = true;
  #faults: Fault[] = [];
  #requestStart: number | undefined;
  readonly #schedule = outputSchedule();

  constructor(timing: EmulatorTiming) {
    super();
    this.timing = timing;
  }

  get plugged(): boolean {
    return this.#plugged;
  }

  /** Bytes from the host. */
  receive(bytes: Uint8Array): void {
    if (!this.#plugged) return;
    this.#requestStart ??= performance.now();
    this.handle(bytes);
  }

  /** The next reply (one per call) gets this fault. */
  inject(fault: Fault): void {
    this.#faults.push(fault);
  }

  unplug(): void {
    if (!this.#plugged) return;
    this.#plugged = false;
    this.#faults = [];
    this.onUnplug();
    this.emit('unplug');
  }

  replug(): void {
    if (this.#plugged) return;
    this.#plugged = true;
    this.emit('replug');
  }

  protected abstract handle(bytes: Uint8Array): void;

  /** Forget partial input and volatile state, as a power cycle would. */
  protected abstract onUnplug(): void;

  /**
   * Sends a reply `processingMs` after the request, as the module would (when real timing is on). With a baud rate
   * the reply lands when its last byte would have arrived: request bytes + reply bytes on the wire.
   */
  protected reply(bytes: Uint8Array, processingMs = 0, requestBytes = 0): void {
    const start = this.#requestStart ?? performance.now();
    this.#requestStart = undefined;
    const fault = this.#faults.shift();
    if (fault === 'silence') return;
    const out = applyFault(bytes, fault);
    const baud = this.timing.baudRate;
    const wireMs = baud ? ((requestBytes + out.length) * 10 * 1000) / baud : 0;
    const at = start + (this.timing.processing ? processingMs : 0) + wireMs;
    this.#schedule(at, () => {
      this.timing.onPaced?.(performance.now() - at);
      if (this.#plugged) this.emit('output', out);
    });
  }

  /** Unsolicited output (boot text, card taps), paced like a reply. */
  protected send(bytes: Uint8Array, processingMs = 0): void {
    this.#requestStart = undefined;
    const baud = this.timing.baudRate;
    const wireMs = baud ? (bytes.length * 10 * 1000) / baud : 0;
    this.#schedule(performance.now() + (this.timing.processing ? processingMs : 0) + wireMs, () => {
      if (this.#plugged) this.emit('output', bytes);
    });
  }
}

function applyFault(bytes: Uint8Array, fault: Fault | undefined): Uint8Array {
  switch (fault) {
    case undefined:
      return bytes;
    case 'checksum': {
      const out = bytes.slice();
      out[out.length - 1] = ((out[out.length - 1] ?? 0) ^ 0xff) & 0xff;
      return out;
    }
    case 'stray': {
      const out = new Uint8Array(STRAY.length + bytes.length);
      out.set(STRAY);
      out.set(bytes, STRAY.length);
      return out;
    }
    case 'short':
      return bytes.slice(0, Math.max(1, bytes.length >> 1));
    case 'silence':
      return new Uint8Array(0);
  }
}

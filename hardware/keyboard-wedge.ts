// A keyboard-wedge badge reader: tapping a card types its number as USB boot-keyboard reports, then Enter. It is a
// ReportSource, so the badge driver reads it exactly as it reads node-hid; `muster emulate badge` writes the same
// 8-byte reports to a tty.
import { EventEmitter } from 'node:events';
import type { ReportSource, ReportSourceEvents } from '../drivers/badge/report-source.ts';

export interface KeyboardWedgeOptions {
  /** Type digits on the keypad (usages 59-62) instead of the top row, as some readers do. */
  readonly keypad?: boolean;
  /** Send an all-keys-up report after every key (most readers); false sends key to key, as fast readers do. */
  readonly releaseBetweenKeys?: boolean;
}

const ENTER = 0x28;
const RELEASE = new Uint8Array(8);
const LEFT_SHIFT = 0x02;

/** The reports a wedge reader sends for one card. */
export function wedgeReports(card: string, options: KeyboardWedgeOptions = {}): Uint8Array[] {
  const release = options.releaseBetweenKeys ?? true;
  const keys = Array.from(card, (c) => keyFor(c, options.keypad ?? false));
  keys.push([0, ENTER]);
  const out: Uint8Array[] = [];
  let previous: number | undefined;
  for (const [modifier, usage] of keys) {
    if (!release && previous === usage) out.push(RELEASE.slice());
    out.push(Uint8Array.of(modifier, 0, usage, 0, 0, 0, 0, 0));
    if (release) out.push(RELEASE.slice());
    previous = usage;
  }
  if (!release) out.push(RELEASE.slice());
  return out;
}

function keyFor(char: string, keypad: boolean): [number, number] {
  if (/^[1-9]$/.test(char)) return [0, (keypad ? 0x58 : 0x1d) + Number(char)];
  if (char === '0') return [0, keypad ? 0x62 : 0x27];
  if (/^[a-z]$/.test(char)) return [0, 0x04 + char.charCodeAt(0) - 0x61];
  if (/^[A-Z]$/.test(char)) return [LEFT_SHIFT, 0x04 + char.charCodeAt(0) - 0x41];
  throw new TypeError(`card: expected letters and digits, got ${JSON.stringify(char)}`);
}

export class KeyboardWedge extends EventEmitter<ReportSourceEvents> implements ReportSource {
  readonly #options: KeyboardWedgeOptions;
  #closed = false;
  #unplugged = false;

  constructor(options: KeyboardWedgeOptions = {}) {
    super();
    this.#options = options;
  }

  /** Types the card number and Enter. */
  tap(card: string): void {
    for (const report of wedgeReports(card, this.#options)) this.#emit(report);
  }

  /** A phantom-state report: every key slot reports ErrorRollOver. */
  rollover(): void {
    this.#emit(Uint8Array.of(0, 0, 1, 1, 1, 1, 1, 1));
  }

  /**
   * What node-hid does when the reader is pulled out: an error on the device, which stays closed, and cannot be
   * opened again until the reader is plugged back in.
   */
  unplug(): void {
    this.#closed = true;
    this.#unplugged = true;
    this.emit('error', new Error('could not read from HID device'));
  }

  /** Plugged back in: the next open (the badge driver's reconnect) succeeds. */
  replug(): void {
    this.#unplugged = false;
  }

  /** Opens (or reopens after a replug) the reader; the badge driver's `open` calls this. */
  open(): Promise<this> {
    if (this.#unplugged) return Promise.reject(new Error('cannot open device: no such HID device'));
    this.#closed = false;
    return Promise.resolve(this);
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }

  #emit(report: Uint8Array): void {
    if (!this.#closed) this.emit('data', report);
  }
}

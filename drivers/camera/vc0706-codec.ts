// Pure codec for the VC0706 serial JPEG camera. Requests `56 serial cmd len args`; replies `76 serial cmd status len
// data`. Two replies carry more than a frame: reset is followed by boot text (drained up to "Init end"), and a frame
// read is `76 00 32 00 00`, the raw JPEG bytes, `76 00 32 00 00`. The protocol has no checksum, so the decoder
// is told what to expect (expectBoot, expectData) and the driver checks the JPEG itself.
import { concatBytes } from '../../core/bytes.ts';
import { linkError } from '../device-error.ts';
import type { Decoded, FrameDecoder } from '../frame-decoder.ts';

export const Vc0706Command = {
  setBaud: 0x24,
  reset: 0x26,
  version: 0x11,
  getImageSize: 0x30,
  setImageSize: 0x31,
  readFrame: 0x32,
  frameLength: 0x34,
  frameControl: 0x36,
} as const;

export const FrameControl = { stopCurrent: 0x00, stopNext: 0x01, step: 0x02, resume: 0x03 } as const;

export type Vc0706Item =
  | {
      readonly kind: 'reply';
      readonly serial: number;
      readonly command: number;
      readonly status: number;
      readonly data: Uint8Array;
    }
  | { readonly kind: 'data'; readonly bytes: Uint8Array }
  | { readonly kind: 'boot'; readonly text: string };

export interface Vc0706Request {
  readonly serial: number;
  readonly command: number;
  readonly args: Uint8Array;
}

const BOOT_END = 'Init end\r\n';
/** Boot text is about 70 bytes; anything longer is not a boot. */
const MAX_BOOT = 512;
/** Largest chunk a driver may ask for in one read. */
export const VC0706_MAX_CHUNK = 65_536;
/** Reply data lengths in practice are under 16 bytes (version text is the longest). */
const MAX_REPLY_DATA = 64;

export function vc0706Request(command: number, args: readonly number[] = [], serial = 0): Uint8Array {
  return Uint8Array.from([0x56, serial, command, args.length, ...args]);
}

export function vc0706Reply(
  command: number,
  status: number,
  data: readonly number[] | Uint8Array = [],
  serial = 0,
): Uint8Array {
  return Uint8Array.from([0x76, serial, command, status, data.length, ...data]);
}

/** Read-frame arguments (12 bytes): 00 0A (transfer mode), address (4, BE), length (4, BE), delay (2, units of 0.01 ms). */
export function readFrameArgs(address: number, length: number, delay: number): number[] {
  return [0x00, 0x0a, ...u32(address), ...u32(length), (delay >> 8) & 0xff, delay & 0xff];
}

export class Vc0706Decoder implements FrameDecoder<Vc0706Item> {
  #buffer = new Uint8Array(0);
  #bootArmed = false;
  #inBoot = false;
  #dataArmed = 0;
  #dataLeft = 0;

  get buffered(): number {
    return this.#buffer.length;
  }

  /** The next reset reply is followed by boot text, which comes out as one `boot` item. */
  expectBoot(): void {
    this.#bootArmed = true;
  }

  /** The next read-frame reply is followed by `length` raw bytes, which come out as one `data` item. */
  expectData(length: number): void {
    if (!Number.isInteger(length) || length < 1 || length > VC0706_MAX_CHUNK)
      throw new TypeError(`length: expected 1..${VC0706_MAX_CHUNK}, got ${length}`);
    this.#dataArmed = length;
  }

  reset(): void {
    this.#buffer = new Uint8Array(0);
    this.#bootArmed = this.#inBoot = false;
    this.#dataArmed = this.#dataLeft = 0;
  }

  push(chunk: Uint8Array): Decoded<Vc0706Item>[] {
    const out: Decoded<Vc0706Item>[] = [];
    const data = concatBytes(this.#buffer, chunk);
    let pos = 0;
    let skipped = 0;
    const flushNoise = (): void => {
      if (skipped > 0) out.push({ error: linkError('device.noise', `skipped ${skipped} bytes while hunting for 76`) });
      skipped = 0;
    };
    while (pos < data.length) {
      if (this.#dataLeft > 0) {
        if (data.length - pos < this.#dataLeft) break;
        out.push({ frame: { kind: 'data', bytes: data.slice(pos, pos + this.#dataLeft) } });
        pos += this.#dataLeft;
        this.#dataLeft = 0;
        continue;
      }
      if (this.#inBoot) {
        const text = latin1(data.subarray(pos));
        const end = text.indexOf(BOOT_END);
        if (end >= 0 && end + BOOT_END.length <= MAX_BOOT) {
          out.push({ frame: { kind: 'boot', text: text.slice(0, end + BOOT_END.length) } });
          pos += end + BOOT_END.length;
          this.#inBoot = false;
          continue;
        }
        if (data.length - pos < MAX_BOOT) break;
        out.push({ error: linkError('device.bad-frame', `no "Init end" in ${MAX_BOOT} bytes of boot text`) });
        this.#inBoot = false;
        pos += MAX_BOOT;
        continue;
      }
      if (data[pos] !== 0x76) {
        pos++;
        skipped++;
        continue;
      }
      if (data.length - pos < 5) break;
      const command = data[pos + 2] as number;
      const status = data[pos + 3] as number;
      const length = data[pos + 4] as number;
      if (status > 5 || length > MAX_REPLY_DATA) {
        flushNoise();
        out.push({ error: linkError('device.bad-frame', `bad reply header: status ${status}, length ${length}`) });
        pos++;
        continue;
      }
      if (data.length - pos < 5 + length) break;
      flushNoise();
      out.push({
        frame: {
          kind: 'reply',
          serial: data[pos + 1] as number,
          command,
          status,
          data: data.slice(pos + 5, pos + 5 + length),
        },
      });
      pos += 5 + length;
      if (command === Vc0706Command.readFrame && this.#dataArmed > 0 && status === 0) {
        this.#dataLeft = this.#dataArmed;
        this.#dataArmed = 0;
      } else if (command === Vc0706Command.reset && this.#bootArmed && status === 0) {
        this.#inBoot = true;
        this.#bootArmed = false;
      }
    }
    flushNoise();
    this.#buffer = data.slice(pos);
    return out;
  }
}

/** The emulator's side: host requests `56 serial cmd len args`. */
export class Vc0706RequestDecoder implements FrameDecoder<Vc0706Request> {
  #buffer = new Uint8Array(0);

  get buffered(): number {
    return this.#buffer.length;
  }

  reset(): void {
    this.#buffer = new Uint8Array(0);
  }

  push(chunk: Uint8Array): Decoded<Vc0706Request>[] {
    const out: Decoded<Vc0706Request>[] = [];
    const data = concatBytes(this.#buffer, chunk);
    let pos = 0;
    let skipped = 0;
    while (pos < data.length) {
      if (data[pos] !== 0x56) {
        pos++;
        skipped++;
        continue;
      }
      if (data.length - pos < 4) break;
      const length = data[pos + 3] as number;
      if (data.length - pos < 4 + length) break;
      out.push({
        frame: {
          serial: data[pos + 1] as number,
          command: data[pos + 2] as number,
          args: data.slice(pos + 4, pos + 4 + length),
        },
      });
      pos += 4 + length;
    }
    if (skipped > 0) out.unshift({ error: linkError('device.noise', `skipped ${skipped} bytes while hunting for 56`) });
    this.#buffer = data.slice(pos);
    return out;
  }
}

export const ImageSize = { '640x480': 0x00, '320x240': 0x11, '160x120': 0x22 } as const;
export type Resolution = keyof typeof ImageSize;

export function resolutionOf(code: number): Resolution | undefined {
  return (Object.keys(ImageSize) as Resolution[]).find((r) => ImageSize[r] === code);
}

function u32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

function latin1(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}

// Pure codec for the GT-511C3 / GT-521F family (ADH-Tech), little-endian throughout:
//   command / response  55 AA | device id 01 00 | param (4) | command or ACK 30 / NACK 31 (2) | checksum (2)
//   data                5A A5 | device id 01 00 | data (length known from the command) | checksum (2)
// The checksum is the byte sum of everything before it, low 16 bits. Data packets carry no length, so the decoder is
// told how many bytes the next data packet holds (expectData).
import { concatBytes } from '../../core/bytes.ts';
import { linkError } from '../device-error.ts';
import type { Decoded, FrameDecoder } from '../frame-decoder.ts';

export const Gt511Command = {
  open: 0x01,
  cmosLed: 0x12,
  getEnrollCount: 0x20,
  checkEnrolled: 0x21,
  enrollStart: 0x22,
  enroll1: 0x23,
  enroll2: 0x24,
  enroll3: 0x25,
  isPressFinger: 0x26,
  deleteId: 0x40,
  deleteAll: 0x41,
  identify: 0x51,
  captureFinger: 0x60,
  getTemplate: 0x70,
  setTemplate: 0x71,
} as const;

export const GT511_ACK = 0x30;
export const GT511_NACK = 0x31;
export const GT511_TEMPLATE_BYTES = 498;
const DEVICE_ID = 0x0001;
const PACKET = 12;
/** Largest data packet we expect: a template (498 bytes) is the biggest thing this driver moves. */
export const GT511_MAX_DATA = 1024;

export type Gt511Item =
  | { readonly kind: 'packet'; readonly param: number; readonly code: number }
  | { readonly kind: 'data'; readonly data: Uint8Array };

function checksum(bytes: Uint8Array, end: number): number {
  let sum = 0;
  for (let i = 0; i < end; i++) sum += bytes[i] as number;
  return sum & 0xffff;
}

/** A command (host to sensor) or a response (ACK / NACK, sensor to host): the same 12-byte layout. */
export function encodeGt511Packet(code: number, param = 0): Uint8Array {
  const out = new Uint8Array(PACKET);
  const view = new DataView(out.buffer);
  out[0] = 0x55;
  out[1] = 0xaa;
  view.setUint16(2, DEVICE_ID, true);
  view.setUint32(4, param >>> 0, true);
  view.setUint16(8, code, true);
  view.setUint16(10, checksum(out, 10), true);
  return out;
}

export function encodeGt511Data(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(6 + data.length);
  const view = new DataView(out.buffer);
  out[0] = 0x5a;
  out[1] = 0xa5;
  view.setUint16(2, DEVICE_ID, true);
  out.set(data, 4);
  view.setUint16(4 + data.length, checksum(out, 4 + data.length), true);
  return out;
}

export class Gt511Decoder implements FrameDecoder<Gt511Item> {
  #buffer = new Uint8Array(0);
  #dataLength = 0;

  get buffered(): number {
    return this.#buffer.length;
  }

  /** The next data packet holds `length` bytes (GetTemplate: 498). */
  expectData(length: number): void {
    if (!Number.isInteger(length) || length < 1 || length > GT511_MAX_DATA)
      throw new TypeError(`length: expected 1..${GT511_MAX_DATA}, got ${length}`);
    this.#dataLength = length;
  }

  reset(): void {
    this.#buffer = new Uint8Array(0);
    this.#dataLength = 0;
  }

  push(chunk: Uint8Array): Decoded<Gt511Item>[] {
    const out: Decoded<Gt511Item>[] = [];
    const data = concatBytes(this.#buffer, chunk);
    let pos = 0;
    let skipped = 0;
    const flushNoise = (): void => {
      if (skipped > 0)
        out.push({ error: linkError('device.noise', `skipped ${skipped} bytes while hunting for 55 AA / 5A A5`) });
      skipped = 0;
    };
    while (pos < data.length) {
      const first = data[pos];
      const second = data[pos + 1];
      const isPacket = first === 0x55 && (second === undefined || second === 0xaa);
      const isData = this.#dataLength > 0 && first === 0x5a && (second === undefined || second === 0xa5);
      if (!isPacket && !isData) {
        pos++;
        skipped++;
        continue;
      }
      const size = isPacket ? PACKET : 6 + this.#dataLength;
      if (data.length - pos < size) break;
      const frame = data.subarray(pos, pos + size);
      const view = new DataView(frame.buffer, frame.byteOffset, size);
      if (view.getUint16(size - 2, true) !== checksum(frame, size - 2) || view.getUint16(2, true) !== DEVICE_ID) {
        flushNoise();
        out.push({
          error: linkError(
            'device.bad-checksum',
            `checksum or device id mismatch in a ${size}-byte ${isPacket ? 'packet' : 'data packet'}`,
          ),
        });
        pos++;
        continue;
      }
      flushNoise();
      if (isPacket)
        out.push({ frame: { kind: 'packet', param: view.getUint32(4, true), code: view.getUint16(8, true) } });
      else {
        out.push({ frame: { kind: 'data', data: frame.slice(4, size - 2) } });
        this.#dataLength = 0;
      }
      pos += size;
    }
    flushNoise();
    this.#buffer = data.slice(pos);
    return out;
  }
}

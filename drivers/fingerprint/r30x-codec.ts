// Pure codec for the R30x / AS608 / ZFM UART frame:
//   EF 01 | address (4) | PID (1) | LEN (2, BE, payload + 2) | payload | SUM (2, BE: PID + LEN bytes + payload, low 16 bits)
// The decoder hunts for EF 01, reads LEN big-endian, checks the sum and resynchronises one byte later on any error.
import { concatBytes } from '../../core/bytes.ts';
import { linkError } from '../device-error.ts';
import type { Decoded, FrameDecoder } from '../frame-decoder.ts';

export const R30X_DEFAULT_ADDRESS = 0xffff_ffff;

export const Pid = { command: 0x01, data: 0x02, ack: 0x07, endData: 0x08 } as const;

export const R30xCommand = {
  genImg: 0x01,
  img2Tz: 0x02,
  match: 0x03,
  search: 0x04,
  regModel: 0x05,
  store: 0x06,
  loadChar: 0x07,
  upChar: 0x08,
  downChar: 0x09,
  deleteChar: 0x0c,
  empty: 0x0d,
  writeReg: 0x0e,
  readSysPara: 0x0f,
  setPwd: 0x12,
  vfyPwd: 0x13,
  getRandomCode: 0x14,
  highSpeedSearch: 0x1b,
  templateNum: 0x1d,
  readIndexTable: 0x1f,
  auraLed: 0x35,
} as const;

export interface R30xPacket {
  readonly address: number;
  readonly pid: number;
  readonly payload: Uint8Array;
}

const HEADER = 9; // EF 01, address, PID, LEN
/** Largest payload: a 256-byte data packet (packet size code 3). */
export const R30X_MAX_PAYLOAD = 256;
const VALID_PIDS = new Set<number>([Pid.command, Pid.data, Pid.ack, Pid.endData]);

export function r30xChecksum(pid: number, lengthField: number, payload: Uint8Array): number {
  let sum = pid + (lengthField >> 8) + (lengthField & 0xff);
  for (const b of payload) sum += b;
  return sum & 0xffff;
}

export function encodeR30x(packet: R30xPacket): Uint8Array {
  const { address, pid, payload } = packet;
  if (payload.length > R30X_MAX_PAYLOAD)
    throw new TypeError(`payload: expected at most ${R30X_MAX_PAYLOAD} bytes, got ${payload.length}`);
  const length = payload.length + 2;
  const out = new Uint8Array(HEADER + length);
  const view = new DataView(out.buffer);
  out[0] = 0xef;
  out[1] = 0x01;
  view.setUint32(2, address >>> 0);
  out[6] = pid;
  view.setUint16(7, length);
  out.set(payload, HEADER);
  view.setUint16(HEADER + payload.length, r30xChecksum(pid, length, payload));
  return out;
}

export function r30xCommand(code: number, args: readonly number[] = [], address = R30X_DEFAULT_ADDRESS): Uint8Array {
  return encodeR30x({ address, pid: Pid.command, payload: Uint8Array.from([code, ...args]) });
}

export class R30xDecoder implements FrameDecoder<R30xPacket> {
  #buffer = new Uint8Array(0);

  get buffered(): number {
    return this.#buffer.length;
  }

  reset(): void {
    this.#buffer = new Uint8Array(0);
  }

  push(chunk: Uint8Array): Decoded<R30xPacket>[] {
    const out: Decoded<R30xPacket>[] = [];
    const data = concatBytes(this.#buffer, chunk);
    let pos = 0;
    let skipped = 0;
    const flushNoise = (): void => {
      if (skipped > 0)
        out.push({ error: linkError('device.noise', `skipped ${skipped} bytes while hunting for EF 01`) });
      skipped = 0;
    };
    while (pos < data.length) {
      if (data[pos] !== 0xef || (pos + 1 < data.length && data[pos + 1] !== 0x01)) {
        pos++;
        skipped++;
        continue;
      }
      if (data.length - pos < HEADER) break;
      const pid = data[pos + 6] as number;
      const length = ((data[pos + 7] as number) << 8) | (data[pos + 8] as number);
      if (!VALID_PIDS.has(pid) || length < 2 || length > R30X_MAX_PAYLOAD + 2) {
        flushNoise();
        out.push({ error: linkError('device.bad-frame', `bad header: PID ${pid.toString(16)}, LEN ${length}`) });
        pos++;
        continue;
      }
      if (data.length - pos < HEADER + length) break;
      const payload = data.slice(pos + HEADER, pos + HEADER + length - 2);
      const sum = ((data[pos + HEADER + length - 2] as number) << 8) | (data[pos + HEADER + length - 1] as number);
      if (sum !== r30xChecksum(pid, length, payload)) {
        flushNoise();
        out.push({ error: linkError('device.bad-checksum', `checksum mismatch in a ${length - 2}-byte packet`) });
        pos++;
        continue;
      }
      flushNoise();
      const address = new DataView(data.buffer, data.byteOffset + pos + 2, 4).getUint32(0);
      out.push({ frame: { address, pid, payload } });
      pos += HEADER + length;
    }
    flushNoise();
    this.#buffer = data.slice(pos);
    return out;
  }
}

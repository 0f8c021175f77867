// An R30x / AS608 fingerprint module: standard frames at the default address FFFFFFFF, password 0, a template
// library in flash pages, two character buffers, and a controllable finger on the glass. Templates are 512 bytes
// derived from the finger's name, so a template uploaded from one emulator matches that finger on another.
import { randomBytes } from 'node:crypto';
import { type Finger, type FingerprintEmulator, fillFrom, fingerIdentity } from './finger.ts';
import { Pid, R30X_DEFAULT_ADDRESS, R30xCommand, R30xDecoder, encodeR30x } from '../drivers/fingerprint/r30x-codec.ts';
import { type EmulatorTiming, SerialEmulator, ZERO_TIMING } from './emulator.ts';

export interface R30xEmulatorOptions {
  readonly model?: string;
  readonly capacity?: number;
  /** 0..3: 32, 64, 128 or 256-byte data packets. */
  readonly packetSizeCode?: number;
  readonly timing?: EmulatorTiming;
}

export const R30X_MODELS_WITH_AURA: ReadonlySet<string> = new Set(['R503']);
const TEMPLATE_BYTES = 512;
const IDENTITY = 32; // bytes of finger identity at the start of a template, after a 2-byte header

/** Module processing times in ms (real timing only), from the datasheets' typical figures. */
const PROCESSING: Partial<Record<number, number>> = {
  [R30xCommand.genImg]: 300,
  [R30xCommand.img2Tz]: 150,
  [R30xCommand.search]: 300,
  [R30xCommand.highSpeedSearch]: 150,
  [R30xCommand.regModel]: 100,
  [R30xCommand.store]: 60,
  [R30xCommand.empty]: 100,
};

const Code = {
  ok: 0x00,
  packetError: 0x01,
  noFinger: 0x02,
  fewFeatures: 0x07,
  noMatch: 0x08,
  notFound: 0x09,
  mergeFailed: 0x0a,
  badPage: 0x0b,
  badTemplate: 0x0c,
  wrongPassword: 0x13,
  noImage: 0x15,
  badRegister: 0x1a,
} as const;

export class R30xEmulator extends SerialEmulator implements FingerprintEmulator {
  readonly model: string;
  readonly capacity: number;
  readonly library = new Map<number, Uint8Array>();
  finger: Finger = { kind: 'none' };
  led: readonly number[] = [];
  #address = R30X_DEFAULT_ADDRESS;
  #password = 0;
  #packetSizeCode: number;
  #security = 3;
  #baudN = 6;
  #image: Finger | null = null;
  readonly #buffers: [Uint8Array | null, Uint8Array | null] = [null, null];
  #download: { buffer: 0 | 1; parts: Uint8Array[] } | null = null;
  readonly #decoder = new R30xDecoder();

  constructor(options: R30xEmulatorOptions = {}) {
    super(options.timing ?? ZERO_TIMING);
    this.model = options.model ?? 'R307';
    this.capacity = options.capacity ?? 1000;
    this.#packetSizeCode = options.packetSizeCode ?? 2;
  }

  get packetSize(): number {
    return 32 << this.#packetSizeCode;
  }

  /** Writes the template of finger `name` straight into flash, as if enrolled earlier. */
  enrolDirect(name: string, page: number): void {
    if (!Number.isInteger(page) || page < 0 || page >= this.capacity)
      throw new TypeError(`page: expected 0..${this.capacity - 1}, got ${page}`);
    this.library.set(page, fingerTemplate(name));
  }

  protected override onUnplug(): void {
    this.#decoder.reset();
    this.#image = null;
    this.#buffers[0] = this.#buffers[1] = null;
    this.#download = null;
  }

  protected override handle(bytes: Uint8Array): void {
    for (const item of this.#decoder.push(bytes)) {
      if ('error' in item) {
        if (item.error.code === 'device.bad-checksum') this.#ack(Code.packetError, [], 0, 12);
        continue;
      }
      const packet = item.frame;
      if (packet.address !== this.#address) continue;
      const size = packet.payload.length + 11;
      if (packet.pid === Pid.command) this.#command(packet.payload, size);
      else if (packet.pid === Pid.data || packet.pid === Pid.endData) this.#data(packet.pid, packet.payload);
    }
  }

  #ack(code: number, data: readonly number[] = [], processingMs = 0, requestBytes = 0): void {
    this.reply(
      encodeR30x({ address: this.#address, pid: Pid.ack, payload: Uint8Array.from([code, ...data]) }),
      processingMs,
      requestBytes,
    );
  }

  #command(payload: Uint8Array, requestBytes: number): void {
    const code = payload[0] ?? -1;
    if (code === R30xCommand.upChar) {
      this.#upload(payload[1] ?? 0, requestBytes);
      return;
    }
    const [status, data] = this.#execute(code, payload);
    this.#ack(status, data, PROCESSING[code] ?? 0, requestBytes);
  }

  /** Runs one command; returns the confirmation code and the reply fields. */
  #execute(code: number, payload: Uint8Array): Ack {
    const arg = (i: number): number => payload[i] ?? 0;
    const arg16 = (i: number): number => (arg(i) << 8) | arg(i + 1);
    switch (code) {
      case R30xCommand.vfyPwd:
        return ok(readU32(payload, 1) === this.#password ? Code.ok : Code.wrongPassword);
      case R30xCommand.setPwd:
        this.#password = readU32(payload, 1);
        return ok(Code.ok);
      case R30xCommand.readSysPara:
        return ok(Code.ok, [
          0,
          0,
          0,
          0,
          ...u16(this.capacity),
          ...u16(this.#security),
          ...u32(this.#address),
          ...u16(this.#packetSizeCode),
          ...u16(this.#baudN),
        ]);
      case R30xCommand.writeReg:
        return ok(this.#writeRegister(arg(1), arg(2)));
      case R30xCommand.getRandomCode:
        return ok(Code.ok, [...randomBytes(4)]);
      case R30xCommand.genImg:
        this.#image = this.finger.kind === 'none' ? null : this.finger;
        return ok(this.#image ? Code.ok : Code.noFinger);
      case R30xCommand.img2Tz:
        return ok(this.#img2Tz(arg(1)));
      case R30xCommand.match: {
        const [a, b] = this.#buffers;
        if (!a || !b) return ok(Code.noImage);
        return sameFinger(a, b) ? ok(Code.ok, u16(score(a))) : ok(Code.noMatch, [0, 0]);
      }
      case R30xCommand.search:
      case R30xCommand.highSpeedSearch:
        return this.#search(arg(1), arg16(2), arg16(4));
      case R30xCommand.regModel: {
        const [a, b] = this.#buffers;
        if (!a || !b || !sameFinger(a, b)) return ok(Code.mergeFailed);
        this.#buffers[1] = a;
        return ok(Code.ok);
      }
      case R30xCommand.store: {
        const buffer = this.#buffers[arg(1) === 2 ? 1 : 0];
        const page = arg16(2);
        if (page >= this.capacity) return ok(Code.badPage);
        if (!buffer) return ok(Code.noImage);
        this.library.set(page, buffer);
        return ok(Code.ok);
      }
      case R30xCommand.loadChar: {
        const page = arg16(2);
        if (page >= this.capacity) return ok(Code.badPage);
        const template = this.library.get(page);
        if (!template) return ok(Code.badTemplate);
        this.#buffers[arg(1) === 2 ? 1 : 0] = template;
        return ok(Code.ok);
      }
      case R30xCommand.downChar:
        this.#download = { buffer: arg(1) === 2 ? 1 : 0, parts: [] };
        return ok(Code.ok);
      case R30xCommand.deleteChar: {
        const page = arg16(1);
        const count = arg16(3);
        if (page + count > this.capacity) return ok(Code.badPage);
        for (let p = page; p < page + count; p++) this.library.delete(p);
        return ok(Code.ok);
      }
      case R30xCommand.empty:
        this.library.clear();
        return ok(Code.ok);
      case R30xCommand.templateNum:
        return ok(Code.ok, u16(this.library.size));
      case R30xCommand.readIndexTable:
        return ok(Code.ok, this.#indexPage(arg(1)));
      case R30xCommand.auraLed:
        if (!R30X_MODELS_WITH_AURA.has(this.model)) return ok(Code.packetError);
        this.led = [...payload.subarray(1, 5)];
        return ok(Code.ok);
      default:
        return ok(Code.packetError);
    }
  }

  #writeRegister(register: number, value: number): number {
    if (register === 4 && value >= 1 && value <= 12) this.#baudN = value;
    else if (register === 5 && value >= 1 && value <= 5) this.#security = value;
    else if (register === 6 && value <= 3) this.#packetSizeCode = value;
    else return Code.badRegister;
    return Code.ok;
  }

  #img2Tz(buffer: number): number {
    const image = this.#image;
    if (!image) return Code.noImage;
    if (image.kind === 'poor') return Code.fewFeatures;
    if (image.kind === 'none') return Code.noImage;
    this.#buffers[buffer === 2 ? 1 : 0] = fingerTemplate(image.name);
    return Code.ok;
  }

  #search(buffer: number, start: number, count: number): Ack {
    const features = this.#buffers[buffer === 2 ? 1 : 0];
    if (!features) return ok(Code.noImage);
    for (let page = start; page < Math.min(start + count, this.capacity); page++) {
      const template = this.library.get(page);
      if (template && sameFinger(template, features)) return ok(Code.ok, [...u16(page), ...u16(score(features))]);
    }
    return ok(Code.notFound, [0, 0, 0, 0]);
  }

  /** The acknowledge and every data packet go out as one reply, paced as one stretch of wire. */
  #upload(buffer: number, requestBytes: number): void {
    const template = this.#buffers[buffer === 2 ? 1 : 0];
    const frames: Uint8Array[] = [];
    const ack = (code: number): Uint8Array =>
      encodeR30x({ address: this.#address, pid: Pid.ack, payload: Uint8Array.of(code) });
    if (!template) {
      this.reply(ack(Code.noImage), 0, requestBytes);
      return;
    }
    frames.push(ack(Code.ok));
    const size = this.packetSize;
    for (let offset = 0; offset < template.length; offset += size) {
      const pid = offset + size >= template.length ? Pid.endData : Pid.data;
      frames.push(encodeR30x({ address: this.#address, pid, payload: template.subarray(offset, offset + size) }));
    }
    this.reply(concat(frames), 0, requestBytes);
  }

  #data(pid: number, payload: Uint8Array): void {
    const download = this.#download;
    if (!download) return;
    download.parts.push(payload);
    if (pid !== Pid.endData) return;
    this.#download = null;
    const bytes = concat(download.parts);
    this.#buffers[download.buffer] = bytes.length === TEMPLATE_BYTES ? bytes : null;
  }

  #indexPage(page: number): number[] {
    const bitmap = new Array<number>(32).fill(0);
    for (const id of this.library.keys()) {
      if (Math.floor(id / 256) !== page) continue;
      const bit = id % 256;
      bitmap[bit >> 3] = (bitmap[bit >> 3] ?? 0) | (1 << (bit & 7));
    }
    return bitmap;
  }
}

type Ack = readonly [status: number, data: readonly number[]];

function ok(status: number, data: readonly number[] = []): Ack {
  return [status, data];
}

/** A deterministic 512-byte template: header 03 01, the finger's identity, then filler. */
export function fingerTemplate(name: string): Uint8Array {
  const out = new Uint8Array(TEMPLATE_BYTES);
  out[0] = 0x03;
  out[1] = 0x01;
  const identity = fingerIdentity(name);
  out.set(identity, 2);
  fillFrom(identity, out, 2 + IDENTITY);
  return out;
}

function sameFinger(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 2; i < 2 + IDENTITY; i++) if (a[i] !== b[i]) return false;
  return true;
}

function score(template: Uint8Array): number {
  return 50 + ((template[2] ?? 0) % 150);
}

function readU32(bytes: Uint8Array, offset: number): number {
  return bytes.length >= offset + 4 ? new DataView(bytes.buffer, bytes.byteOffset + offset, 4).getUint32(0) : -1;
}

function u16(value: number): [number, number] {
  return [(value >> 8) & 0xff, value & 0xff];
}

function u32(value: number): number[] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

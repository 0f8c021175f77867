// Driver for the R30x / AS608 / ZFM family behind the family-neutral FingerprintSensor interface, plus the
// low-level commands (GenImg, Img2Tz, Search, UpChar, ...) for tools and tests.
import { setTimeout as delay } from 'node:timers/promises';
import { linkError } from '../device-error.ts';
import type { FrameChannel, Session } from '../frame-channel.ts';
import { Pid, R30X_DEFAULT_ADDRESS, R30xCommand, type R30xPacket, encodeR30x, r30xCommand } from './r30x-codec.ts';
import { r30xStatusError } from './r30x-status.ts';
import {
  type EnrolOptions,
  type FingerMatch,
  type FingerprintSensor,
  type FingerprintTemplate,
  FingerprintError,
  type LedColour,
  type LedState,
  type SensorInfo,
  type WaitOptions,
} from './fingerprint-sensor.ts';

export const R30X_TEMPLATE_FORMAT = 'r30x-512';
export const R30X_TEMPLATE_BYTES = 512;
/** Largest upload accepted from a module: guards against a stream of data packets that never ends. */
const MAX_UPLOAD_BYTES = 4096;
const PACKET_SIZES = [32, 64, 128, 256] as const;

/** Models with the Aura LED ring (command 35). */
const AURA_MODELS = new Set(['R503']);

export interface R30xOptions {
  readonly model?: string;
  readonly address?: number;
  readonly password?: number;
  /** Slow commands (search over a full library, capture) get this long; others the channel default. */
  readonly slowTimeoutMs?: number;
  readonly fingerTimeoutMs?: number;
  readonly pollMs?: number;
}

export interface R30xSystemParameters {
  readonly status: number;
  readonly systemId: number;
  readonly capacity: number;
  readonly securityLevel: number;
  readonly address: number;
  readonly packetSize: number;
  readonly baudRate: number;
}

export type CharBuffer = 1 | 2;

export class R30xSensor implements FingerprintSensor {
  readonly info: SensorInfo;
  #parameters: R30xSystemParameters;
  readonly #channel: FrameChannel<R30xPacket>;
  readonly #address: number;
  readonly #slowMs: number;
  readonly #fingerTimeoutMs: number;
  readonly #pollMs: number;

  private constructor(channel: FrameChannel<R30xPacket>, options: R30xOptions, parameters: R30xSystemParameters) {
    this.#channel = channel;
    this.#address = options.address ?? R30X_DEFAULT_ADDRESS;
    this.#slowMs = options.slowTimeoutMs ?? 2000;
    this.#fingerTimeoutMs = options.fingerTimeoutMs ?? 10_000;
    this.#pollMs = options.pollMs ?? 100;
    this.#parameters = parameters;
    // A replugged module has lost its session: verify the password again before anything else runs.
    channel.on('connected', () => {
      this.#run(R30xCommand.vfyPwd, u32(options.password ?? 0)).catch(() => undefined);
    });
    const model = options.model ?? 'R30x';
    this.info = {
      family: 'r30x',
      model,
      capacity: parameters.capacity,
      templateFormat: R30X_TEMPLATE_FORMAT,
      capturesPerEnrolment: 2,
      hasLed: AURA_MODELS.has(model),
    };
  }

  /** As read at the handshake and after every WriteReg (the packet size decides how templates are sent). */
  get parameters(): R30xSystemParameters {
    return this.#parameters;
  }

  /** Handshake: VfyPwd, then ReadSysPara for capacity and packet size. */
  static async connect(channel: FrameChannel<R30xPacket>, options: R30xOptions = {}): Promise<R30xSensor> {
    const probe = new R30xCommands(channel, options.address ?? R30X_DEFAULT_ADDRESS);
    await probe.run(R30xCommand.vfyPwd, u32(options.password ?? 0));
    const parameters = parseSystemParameters(await probe.run(R30xCommand.readSysPara));
    return new R30xSensor(channel, options, parameters);
  }

  // Low-level commands, one transaction each.
  genImg(): Promise<void> {
    return this.#run(R30xCommand.genImg, [], this.#slowMs).then(() => undefined);
  }

  img2Tz(buffer: CharBuffer): Promise<void> {
    return this.#run(R30xCommand.img2Tz, [buffer], this.#slowMs).then(() => undefined);
  }

  async search(buffer: CharBuffer, start: number, count: number, highSpeed = false): Promise<FingerMatch> {
    const code = highSpeed ? R30xCommand.highSpeedSearch : R30xCommand.search;
    const reply = await this.#run(code, [buffer, ...u16(start), ...u16(count)], this.#slowMs);
    return { id: be16(reply, 0), score: be16(reply, 2) };
  }

  async match(): Promise<number> {
    return be16(await this.#run(R30xCommand.match), 0);
  }

  async regModel(): Promise<void> {
    await this.#run(R30xCommand.regModel);
  }

  async store(buffer: CharBuffer, page: number): Promise<void> {
    this.#checkId(page);
    await this.#run(R30xCommand.store, [buffer, ...u16(page)], this.#slowMs);
  }

  async loadChar(buffer: CharBuffer, page: number): Promise<void> {
    this.#checkId(page);
    await this.#run(R30xCommand.loadChar, [buffer, ...u16(page)]);
  }

  /** UpChar: the acknowledge, then data packets (PID 02) up to an end packet (PID 08). */
  upChar(buffer: CharBuffer): Promise<Uint8Array> {
    return this.#channel.transaction(async (session) => {
      await this.#exchange(session, R30xCommand.upChar, [buffer]);
      const parts: Uint8Array[] = [];
      let total = 0;
      for (;;) {
        const packet = await session.receive();
        if (packet.pid !== Pid.data && packet.pid !== Pid.endData)
          throw linkError('device.unexpected-reply', `expected a data packet, got PID ${packet.pid}`);
        total += packet.payload.length;
        if (total > MAX_UPLOAD_BYTES)
          throw linkError('device.bad-frame', `template upload exceeds ${MAX_UPLOAD_BYTES} bytes`);
        parts.push(packet.payload);
        if (packet.pid === Pid.endData) break;
      }
      return joinParts(parts, total);
    });
  }

  /** DownChar: the acknowledge, then the host sends data packets of the module's packet size. */
  downChar(buffer: CharBuffer, bytes: Uint8Array): Promise<void> {
    const size = this.parameters.packetSize;
    return this.#channel.transaction(async (session) => {
      await this.#exchange(session, R30xCommand.downChar, [buffer]);
      for (let offset = 0; offset < bytes.length; offset += size) {
        const last = offset + size >= bytes.length;
        const payload = bytes.subarray(offset, offset + size);
        await session.send(encodeR30x({ address: this.#address, pid: last ? Pid.endData : Pid.data, payload }));
      }
    });
  }

  async deleteChar(page: number, count = 1): Promise<void> {
    this.#checkId(page);
    await this.#run(R30xCommand.deleteChar, [...u16(page), ...u16(count)]);
  }

  async empty(): Promise<void> {
    await this.#run(R30xCommand.empty, [], this.#slowMs);
  }

  async templateCount(): Promise<number> {
    return be16(await this.#run(R30xCommand.templateNum), 0);
  }

  /** Used pages from ReadIndexTable: each index page is a 32-byte bitmap of 256 ids, LSB first. */
  async indexTable(): Promise<number[]> {
    const ids: number[] = [];
    for (let page = 0; page * 256 < this.info.capacity; page++) {
      const bitmap = await this.#run(R30xCommand.readIndexTable, [page]);
      for (let i = 0; i < bitmap.length; i++) {
        for (let bit = 0; bit < 8; bit++) {
          const id = page * 256 + i * 8 + bit;
          if (((bitmap[i] as number) >> bit) & 1 && id < this.info.capacity) ids.push(id);
        }
      }
    }
    return ids;
  }

  async writeRegister(register: number, value: number): Promise<void> {
    await this.#run(R30xCommand.writeReg, [register, value]);
    this.#parameters = await this.readSystemParameters();
  }

  async readSystemParameters(): Promise<R30xSystemParameters> {
    return parseSystemParameters(await this.#run(R30xCommand.readSysPara));
  }

  // FingerprintSensor.
  async fingerPresent(): Promise<boolean> {
    try {
      await this.genImg();
      return true;
    } catch (error) {
      if (error instanceof FingerprintError && error.code === 'fingerprint.no-finger') return false;
      throw error;
    }
  }

  async identify(options: WaitOptions = {}): Promise<FingerMatch> {
    await this.#capture(1, options);
    return this.search(1, 0, this.info.capacity);
  }

  async enrol(id: number, options: EnrolOptions = {}): Promise<void> {
    this.#checkId(id);
    await options.onStep?.({ action: 'place', capture: 1, of: 2 });
    await this.#capture(1, options);
    await options.onStep?.({ action: 'lift' });
    await this.#waitForLift(options);
    await options.onStep?.({ action: 'place', capture: 2, of: 2 });
    await this.#capture(2, options);
    await this.regModel();
    await this.store(1, id);
  }

  remove(id: number): Promise<void> {
    return this.deleteChar(id, 1);
  }

  clear(): Promise<void> {
    return this.empty();
  }

  count(): Promise<number> {
    return this.templateCount();
  }

  ids(): Promise<number[]> {
    return this.indexTable();
  }

  async exportTemplate(id: number): Promise<FingerprintTemplate> {
    await this.loadChar(1, id);
    return { format: R30X_TEMPLATE_FORMAT, bytes: await this.upChar(1) };
  }

  async importTemplate(id: number, template: FingerprintTemplate): Promise<void> {
    if (template.format !== R30X_TEMPLATE_FORMAT || template.bytes.length !== R30X_TEMPLATE_BYTES) {
      throw new FingerprintError(
        'fingerprint.bad-template',
        `cannot install a ${template.format} template of ${template.bytes.length} bytes on an R30x sensor`,
        0,
      );
    }
    this.#checkId(id);
    await this.downChar(1, template.bytes);
    await this.store(1, id);
  }

  async setLed(state: LedState): Promise<void> {
    if (!this.info.hasLed) throw linkError('device.unsupported', `${this.info.model} has no controllable LED`);
    const control = state.mode === 'off' ? 0x04 : { on: 0x03, breathing: 0x01, flashing: 0x02 }[state.mode];
    const colour = state.mode === 'off' ? 0 : AURA_COLOURS[state.colour];
    await this.#run(R30xCommand.auraLed, [control, 0x80, colour, 0]);
  }

  close(): Promise<void> {
    return this.#channel.close();
  }

  async #capture(buffer: CharBuffer, options: WaitOptions): Promise<void> {
    await this.#poll(options, () => this.fingerPresent());
    await this.img2Tz(buffer);
  }

  #waitForLift(options: WaitOptions): Promise<void> {
    return this.#poll(options, async () => !(await this.fingerPresent()));
  }

  /** Polls until `done` says so; fingerprint.no-finger when the finger never came (or never lifted). */
  async #poll(options: WaitOptions, done: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + (options.fingerTimeoutMs ?? this.#fingerTimeoutMs);
    for (;;) {
      if (await done()) return;
      if (Date.now() >= deadline)
        throw new FingerprintError('fingerprint.no-finger', 'timed out waiting for the finger', 0x02);
      await delay(this.#pollMs, undefined, options.signal ? { signal: options.signal } : undefined);
    }
  }

  #run(code: number, args: readonly number[] = [], timeoutMs?: number): Promise<Uint8Array> {
    return new R30xCommands(this.#channel, this.#address).run(code, args, timeoutMs);
  }

  #exchange(session: Session<R30xPacket>, code: number, args: readonly number[]): Promise<Uint8Array> {
    return exchange(session, this.#address, code, args);
  }

  #checkId(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.info.capacity)
      throw new TypeError(`id: expected an integer in 0..${this.info.capacity - 1}, got ${id}`);
  }
}

const AURA_COLOURS: Record<LedColour, number> = { red: 1, blue: 2, purple: 3, green: 4, yellow: 5, cyan: 6, white: 7 };

/** One command and its acknowledge, as a transaction of its own. */
class R30xCommands {
  constructor(
    private readonly channel: FrameChannel<R30xPacket>,
    private readonly address: number,
  ) {}

  run(code: number, args: readonly number[] = [], timeoutMs?: number): Promise<Uint8Array> {
    return this.channel.transaction((session) => exchange(session, this.address, code, args, timeoutMs));
  }
}

async function exchange(
  session: Session<R30xPacket>,
  address: number,
  code: number,
  args: readonly number[],
  timeoutMs?: number,
): Promise<Uint8Array> {
  await session.send(r30xCommand(code, args, address));
  const reply = await session.receive(timeoutMs);
  if (reply.pid !== Pid.ack || reply.address !== address || reply.payload.length === 0) {
    throw linkError(
      'device.unexpected-reply',
      `expected an acknowledge from ${address.toString(16)}, got PID ${reply.pid} from ${reply.address.toString(16)}`,
    );
  }
  const confirmation = reply.payload[0] as number;
  if (confirmation !== 0) throw r30xStatusError(confirmation, code);
  return reply.payload.subarray(1);
}

function parseSystemParameters(reply: Uint8Array): R30xSystemParameters {
  if (reply.length < 16)
    throw linkError('device.unexpected-reply', `ReadSysPara: expected 16 bytes, got ${reply.length}`);
  const sizeCode = be16(reply, 12);
  const packetSize = PACKET_SIZES[sizeCode];
  if (packetSize === undefined)
    throw linkError('device.unexpected-reply', `ReadSysPara: bad packet size code ${sizeCode}`);
  return {
    status: be16(reply, 0),
    systemId: be16(reply, 2),
    capacity: be16(reply, 4),
    securityLevel: be16(reply, 6),
    address: new DataView(reply.buffer, reply.byteOffset + 8, 4).getUint32(0),
    packetSize,
    baudRate: be16(reply, 14) * 9600,
  };
}

function joinParts(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function be16(bytes: Uint8Array, offset: number): number {
  return (((bytes[offset] ?? 0) << 8) | (bytes[offset + 1] ?? 0)) >>> 0;
}

function u16(value: number): [number, number] {
  return [(value >> 8) & 0xff, value & 0xff];
}

function u32(value: number): [number, number, number, number] {
  return [(value >>> 24) & 0xff, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff];
}

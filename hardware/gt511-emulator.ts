// A GT-511C3 fingerprint module: 12-byte little-endian command packets, ACK / NACK responses, 498-byte templates
// moved in data packets, three-step enrolment, and a CMOS LED that must be on for the sensor to see a finger.
import {
  GT511_ACK,
  GT511_NACK,
  GT511_TEMPLATE_BYTES,
  Gt511Command,
  Gt511Decoder,
  encodeGt511Data,
  encodeGt511Packet,
} from '../drivers/fingerprint/gt511-codec.ts';
import { type EmulatorTiming, SerialEmulator, ZERO_TIMING } from './emulator.ts';
import { type Finger, type FingerprintEmulator, fillFrom, fingerIdentity } from './finger.ts';

const Nack = {
  invalidPos: 0x1003,
  notUsed: 0x1004,
  alreadyUsed: 0x1005,
  identifyFailed: 0x1008,
  dbEmpty: 0x100a,
  turnErr: 0x100b,
  badFinger: 0x100c,
  enrollFailed: 0x100d,
  devErr: 0x100f,
  invalidParam: 0x1011,
  notPressed: 0x1012,
} as const;

/** Typical processing times in ms (real timing only). */
const PROCESSING: Partial<Record<number, number>> = {
  [Gt511Command.captureFinger]: 250,
  [Gt511Command.identify]: 200,
  [Gt511Command.enroll1]: 100,
  [Gt511Command.enroll2]: 100,
  [Gt511Command.enroll3]: 150,
};

type Reply = readonly [ack: boolean, param: number];

export class Gt511Emulator extends SerialEmulator implements FingerprintEmulator {
  readonly capacity: number;
  readonly library = new Map<number, Uint8Array>();
  finger: Finger = { kind: 'none' };
  ledOn = false;
  #captured: Uint8Array | null = null;
  #enrol: { id: number; next: number; template: Uint8Array | null } | null = null;
  #upload: number | null = null;
  readonly #decoder = new Gt511Decoder();

  constructor(options: { readonly capacity?: number; readonly timing?: EmulatorTiming } = {}) {
    super(options.timing ?? ZERO_TIMING);
    this.capacity = options.capacity ?? 200;
  }

  enrolDirect(name: string, id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.capacity)
      throw new TypeError(`id: expected 0..${this.capacity - 1}, got ${id}`);
    this.library.set(id, gt511Template(name));
  }

  protected override onUnplug(): void {
    this.#decoder.reset();
    this.#captured = null;
    this.#enrol = null;
    this.#upload = null;
    this.ledOn = false;
  }

  protected override handle(bytes: Uint8Array): void {
    for (const item of this.#decoder.push(bytes)) {
      if ('error' in item) continue;
      if (item.frame.kind === 'data') {
        this.#receiveTemplate(item.frame.data);
        continue;
      }
      const { code, param } = item.frame;
      if (code === Gt511Command.getTemplate) {
        this.#sendTemplate(param);
        continue;
      }
      const [ack, value] = this.#execute(code, param);
      this.reply(encodeGt511Packet(ack ? GT511_ACK : GT511_NACK, value), PROCESSING[code] ?? 0, 12);
    }
  }

  #execute(code: number, param: number): Reply {
    const inRange = param < this.capacity;
    switch (code) {
      case Gt511Command.open:
        return [true, 0];
      case Gt511Command.cmosLed:
        this.ledOn = param !== 0;
        return [true, 0];
      case Gt511Command.isPressFinger:
        // 0 means pressed; the sensor sees nothing in the dark.
        return [true, this.ledOn && this.finger.kind !== 'none' ? 0 : 1];
      case Gt511Command.captureFinger:
        return this.#capture();
      case Gt511Command.identify: {
        if (this.library.size === 0) return [false, Nack.dbEmpty];
        const captured = this.#captured;
        for (const [id, template] of this.library) if (captured && sameFinger(template, captured)) return [true, id];
        return [false, Nack.identifyFailed];
      }
      case Gt511Command.getEnrollCount:
        return [true, this.library.size];
      case Gt511Command.checkEnrolled:
        if (!inRange) return [false, Nack.invalidPos];
        return this.library.has(param) ? [true, 0] : [false, Nack.notUsed];
      case Gt511Command.enrollStart:
        if (!inRange) return [false, Nack.invalidPos];
        if (this.library.has(param)) return [false, Nack.alreadyUsed];
        this.#enrol = { id: param, next: Gt511Command.enroll1, template: null };
        return [true, 0];
      case Gt511Command.enroll1:
      case Gt511Command.enroll2:
      case Gt511Command.enroll3:
        return this.#enrolStep(code);
      case Gt511Command.deleteId:
        if (!inRange) return [false, Nack.invalidPos];
        return this.library.delete(param) ? [true, 0] : [false, Nack.notUsed];
      case Gt511Command.deleteAll:
        if (this.library.size === 0) return [false, Nack.dbEmpty];
        this.library.clear();
        return [true, 0];
      case Gt511Command.setTemplate:
        if (!inRange) return [false, Nack.invalidPos];
        this.#upload = param;
        this.#decoder.expectData(GT511_TEMPLATE_BYTES);
        return [true, 0];
      default:
        return [false, Nack.invalidParam];
    }
  }

  #capture(): Reply {
    const finger = this.finger;
    if (!this.ledOn || finger.kind === 'none') return [false, Nack.notPressed];
    if (finger.kind === 'poor') return [false, Nack.badFinger];
    this.#captured = gt511Template(finger.name);
    return [true, 0];
  }

  #enrolStep(code: number): Reply {
    const enrol = this.#enrol;
    if (!enrol || enrol.next !== code) return [false, Nack.turnErr];
    const captured = this.#captured;
    if (!captured) return [false, Nack.badFinger];
    if (enrol.template && !sameFinger(enrol.template, captured)) {
      this.#enrol = null;
      return [false, Nack.enrollFailed];
    }
    enrol.template = captured;
    this.#captured = null;
    if (code === Gt511Command.enroll3) {
      this.library.set(enrol.id, captured);
      this.#enrol = null;
    } else enrol.next = code + 1;
    return [true, 0];
  }

  #sendTemplate(id: number): void {
    const template = this.library.get(id);
    if (!template) {
      this.reply(encodeGt511Packet(GT511_NACK, id < this.capacity ? Nack.notUsed : Nack.invalidPos), 0, 12);
      return;
    }
    const ack = encodeGt511Packet(GT511_ACK, 0);
    const data = encodeGt511Data(template);
    const out = new Uint8Array(ack.length + data.length);
    out.set(ack);
    out.set(data, ack.length);
    this.reply(out, 0, 12);
  }

  #receiveTemplate(data: Uint8Array): void {
    const id = this.#upload;
    this.#upload = null;
    if (id === null) return;
    const valid = data[0] === 0x47 && data[1] === 0x54;
    if (valid) this.library.set(id, data);
    this.reply(encodeGt511Packet(valid ? GT511_ACK : GT511_NACK, valid ? 0 : Nack.devErr), 0, data.length + 6);
  }
}

/** A deterministic 498-byte template: "GT", the finger's identity, then filler. */
export function gt511Template(name: string): Uint8Array {
  const out = new Uint8Array(GT511_TEMPLATE_BYTES);
  out[0] = 0x47;
  out[1] = 0x54;
  const identity = fingerIdentity(name);
  out.set(identity, 2);
  fillFrom(identity, out, 34);
  return out;
}

function sameFinger(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 2; i < 34; i++) if (a[i] !== b[i]) return false;
  return true;
}

// Driver for the GT-511C3 / GT-521F family behind the same FingerprintSensor interface as the R30x: three captures
// per enrolment, identify without a score, 498-byte templates, a CMOS LED that is only on or off (and must be on to
// capture). NACK error codes become the same family-neutral FingerprintErrors.
import { setTimeout as delay } from 'node:timers/promises';
import { linkError } from '../device-error.ts';
import type { FrameChannel, Session } from '../frame-channel.ts';
import {
  GT511_ACK,
  GT511_NACK,
  GT511_TEMPLATE_BYTES,
  Gt511Command,
  type Gt511Decoder,
  type Gt511Item,
  encodeGt511Data,
  encodeGt511Packet,
} from './gt511-codec.ts';
import {
  type EnrolOptions,
  type FingerMatch,
  type FingerprintErrorCode,
  type FingerprintSensor,
  type FingerprintTemplate,
  FingerprintError,
  type LedState,
  type SensorInfo,
  type WaitOptions,
} from './fingerprint-sensor.ts';

export const GT511_TEMPLATE_FORMAT = 'gt511-498';

const NACKS: ReadonlyMap<number, readonly [FingerprintErrorCode, string]> = new Map([
  [0x1003, ['fingerprint.bad-id', 'id out of range']],
  [0x1004, ['fingerprint.bad-id', 'id not enrolled']],
  [0x1005, ['fingerprint.bad-id', 'id already enrolled']],
  [0x1007, ['fingerprint.no-match', 'verification failed']],
  [0x1008, ['fingerprint.no-match', 'identification failed']],
  [0x1009, ['fingerprint.flash-error', 'database full']],
  [0x100a, ['fingerprint.no-match', 'database empty']],
  [0x100b, ['fingerprint.merge-failed', 'enrolment steps out of order']],
  [0x100c, ['fingerprint.poor-image', 'bad finger']],
  [0x100d, ['fingerprint.merge-failed', 'enrolment failed']],
  [0x100f, ['fingerprint.bad-template', 'device error (bad template data)']],
  [0x1012, ['fingerprint.no-finger', 'finger is not pressed']],
]);

const NACK_DB_EMPTY = 0x100a;
const NACK_NOT_USED = 0x1004;
const ENROL_STEPS = [Gt511Command.enroll1, Gt511Command.enroll2, Gt511Command.enroll3] as const;

export interface Gt511Options {
  readonly model?: string;
  /** Template slots: 200 on the GT-511C3, 3000 on the GT-521F52. */
  readonly capacity?: number;
  readonly slowTimeoutMs?: number;
  readonly fingerTimeoutMs?: number;
  readonly pollMs?: number;
}

export class Gt511Sensor implements FingerprintSensor {
  readonly info: SensorInfo;
  readonly #channel: FrameChannel<Gt511Item>;
  readonly #decoder: Gt511Decoder;
  readonly #slowMs: number;
  readonly #fingerTimeoutMs: number;
  readonly #pollMs: number;
  #ledOn = false;

  private constructor(channel: FrameChannel<Gt511Item>, decoder: Gt511Decoder, options: Gt511Options) {
    this.#channel = channel;
    this.#decoder = decoder;
    this.#slowMs = options.slowTimeoutMs ?? 3000;
    this.#fingerTimeoutMs = options.fingerTimeoutMs ?? 10_000;
    this.#pollMs = options.pollMs ?? 100;
    this.info = {
      family: 'gt511',
      model: options.model ?? 'GT-511C3',
      capacity: options.capacity ?? 200,
      templateFormat: GT511_TEMPLATE_FORMAT,
      capturesPerEnrolment: 3,
      hasLed: true,
    };
  }

  /** Handshake: Open. The decoder must be the one the channel was built with (data packets carry no length). */
  static async connect(
    channel: FrameChannel<Gt511Item>,
    decoder: Gt511Decoder,
    options: Gt511Options = {},
  ): Promise<Gt511Sensor> {
    const sensor = new Gt511Sensor(channel, decoder, options);
    await sensor.#run(Gt511Command.open);
    // A replugged module powers up with its LED off and wants Open again; queued ahead of later requests.
    channel.on('connected', () => {
      sensor.#ledOn = false;
      sensor.#run(Gt511Command.open).catch(() => undefined);
    });
    return sensor;
  }

  async fingerPresent(): Promise<boolean> {
    await this.#light();
    return (await this.#run(Gt511Command.isPressFinger)) === 0;
  }

  async identify(options: WaitOptions = {}): Promise<FingerMatch> {
    await this.#capture(0, options);
    return { id: await this.#run(Gt511Command.identify, 0, this.#slowMs), score: null };
  }

  async enrol(id: number, options: EnrolOptions = {}): Promise<void> {
    this.#checkId(id);
    await this.#run(Gt511Command.enrollStart, id);
    for (const [index, step] of ENROL_STEPS.entries()) {
      await options.onStep?.({ action: 'place', capture: index + 1, of: ENROL_STEPS.length });
      await this.#capture(1, options);
      await this.#run(step, 0, this.#slowMs);
      if (index < ENROL_STEPS.length - 1) {
        await options.onStep?.({ action: 'lift' });
        await this.#poll(options, async () => !(await this.fingerPresent()));
      }
    }
  }

  async remove(id: number): Promise<void> {
    this.#checkId(id);
    await this.#run(Gt511Command.deleteId, id);
  }

  async clear(): Promise<void> {
    await this.#tolerate(NACK_DB_EMPTY, () => this.#run(Gt511Command.deleteAll));
  }

  count(): Promise<number> {
    return this.#run(Gt511Command.getEnrollCount);
  }

  /** CheckEnrolled for every id: the family has no index table (about 5 s for 200 ids at 9600 baud). */
  async ids(): Promise<number[]> {
    const ids: number[] = [];
    for (let id = 0; id < this.info.capacity; id++) {
      if (await this.#tolerate(NACK_NOT_USED, () => this.#run(Gt511Command.checkEnrolled, id))) ids.push(id);
    }
    return ids;
  }

  exportTemplate(id: number): Promise<FingerprintTemplate> {
    this.#checkId(id);
    return this.#channel.transaction(async (session) => {
      this.#decoder.expectData(GT511_TEMPLATE_BYTES);
      await this.#exchange(session, Gt511Command.getTemplate, id);
      const data = await session.receive();
      if (data.kind !== 'data') throw linkError('device.unexpected-reply', 'expected a template data packet');
      return { format: GT511_TEMPLATE_FORMAT, bytes: data.data };
    });
  }

  importTemplate(id: number, template: FingerprintTemplate): Promise<void> {
    if (template.format !== GT511_TEMPLATE_FORMAT || template.bytes.length !== GT511_TEMPLATE_BYTES) {
      return Promise.reject(
        new FingerprintError(
          'fingerprint.bad-template',
          `cannot install a ${template.format} template of ${template.bytes.length} bytes on a GT-511 sensor`,
          0,
        ),
      );
    }
    this.#checkId(id);
    return this.#channel.transaction(async (session) => {
      await this.#exchange(session, Gt511Command.setTemplate, id);
      await session.send(encodeGt511Data(template.bytes));
      await this.#reply(session, Gt511Command.setTemplate);
    });
  }

  async setLed(state: LedState): Promise<void> {
    if (state.mode === 'breathing' || state.mode === 'flashing')
      throw linkError('device.unsupported', 'the GT-511 CMOS LED is only on or off');
    await this.#run(Gt511Command.cmosLed, state.mode === 'on' ? 1 : 0);
    this.#ledOn = state.mode === 'on';
  }

  close(): Promise<void> {
    return this.#channel.close();
  }

  /** The sensor sees nothing with its LED off, so captures switch it on. */
  async #light(): Promise<void> {
    if (!this.#ledOn) await this.setLed({ mode: 'on', colour: 'white' });
  }

  async #capture(quality: 0 | 1, options: WaitOptions): Promise<void> {
    await this.#poll(options, () => this.fingerPresent());
    await this.#run(Gt511Command.captureFinger, quality, this.#slowMs);
  }

  async #poll(options: WaitOptions, done: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + (options.fingerTimeoutMs ?? this.#fingerTimeoutMs);
    for (;;) {
      if (await done()) return;
      if (Date.now() >= deadline)
        throw new FingerprintError('fingerprint.no-finger', 'timed out waiting for the finger', 0x1012);
      await delay(this.#pollMs, undefined, options.signal ? { signal: options.signal } : undefined);
    }
  }

  /** Runs `fn`; a NACK with `code` means false instead of an error. */
  async #tolerate(code: number, fn: () => Promise<unknown>): Promise<boolean> {
    try {
      await fn();
      return true;
    } catch (error) {
      if (error instanceof FingerprintError && error.deviceCode === code) return false;
      throw error;
    }
  }

  #run(command: number, param = 0, timeoutMs?: number): Promise<number> {
    return this.#channel.transaction((session) => this.#exchange(session, command, param, timeoutMs));
  }

  async #exchange(session: Session<Gt511Item>, command: number, param: number, timeoutMs?: number): Promise<number> {
    await session.send(encodeGt511Packet(command, param));
    return this.#reply(session, command, timeoutMs);
  }

  async #reply(session: Session<Gt511Item>, command: number, timeoutMs?: number): Promise<number> {
    const reply = await session.receive(timeoutMs);
    if (reply.kind !== 'packet' || (reply.code !== GT511_ACK && reply.code !== GT511_NACK))
      throw linkError('device.unexpected-reply', `expected ACK or NACK to command ${command.toString(16)}`);
    if (reply.code === GT511_ACK) return reply.param;
    const [code, text] = NACKS.get(reply.param) ?? (['fingerprint.rejected', 'command refused'] as const);
    throw new FingerprintError(
      code,
      `${text} (command ${command.toString(16)}, NACK ${reply.param.toString(16)})`,
      reply.param,
    );
  }

  #checkId(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.info.capacity)
      throw new TypeError(`id: expected an integer in 0..${this.info.capacity - 1}, got ${id}`);
  }
}

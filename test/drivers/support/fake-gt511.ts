// A fake second family shaped like the GT-511C3 / GT-521F: three captures per enrolment, identify without a score,
// 498-byte templates, a CMOS LED that is only on or off. In memory: it proves the FingerprintSensor interface is not
// R30x-shaped, not the GT-511 wire protocol.
import { createHash } from 'node:crypto';
import { DeviceError } from '../../../drivers/device-error.ts';
import {
  type EnrolOptions,
  type FingerMatch,
  type FingerprintSensor,
  type FingerprintTemplate,
  FingerprintError,
  type LedState,
  type SensorInfo,
} from '../../../drivers/fingerprint/fingerprint-sensor.ts';
import type { FingerOnGlass, FingerprintRig } from './fingerprint-contract.ts';

const FORMAT = 'gt511-498';

export class FakeGt511 implements FingerprintSensor {
  readonly info: SensorInfo = { family: 'gt511', model: 'GT-511C3', capacity: 200, templateFormat: FORMAT, capturesPerEnrolment: 3, hasLed: true };
  glass: FingerOnGlass = { kind: 'none' };
  readonly #library = new Map<number, Uint8Array>();

  static rig(): FingerprintRig {
    const sensor = new FakeGt511();
    return { sensor, place: (finger) => { sensor.glass = finger; }, close: () => sensor.close() };
  }

  fingerPresent(): Promise<boolean> {
    return Promise.resolve(this.glass.kind !== 'none');
  }

  identify(): Promise<FingerMatch> {
    return Promise.resolve().then(() => {
      const template = this.#capture();
      for (const [id, stored] of this.#library) if (Buffer.compare(stored, template) === 0) return { id, score: null };
      throw new FingerprintError('fingerprint.no-match', 'not identified', 0x1008);
    });
  }

  async enrol(id: number, options: EnrolOptions = {}): Promise<void> {
    this.#checkId(id);
    let first: Uint8Array | undefined;
    for (let capture = 1; capture <= 3; capture++) {
      await options.onStep?.({ action: 'place', capture, of: 3 });
      const template = this.#capture();
      if (first && Buffer.compare(first, template) !== 0) throw new FingerprintError('fingerprint.merge-failed', 'enrolment captures differ', 0x100d);
      first = template;
      if (capture < 3) await options.onStep?.({ action: 'lift' });
    }
    if (first) this.#library.set(id, first);
  }

  remove(id: number): Promise<void> {
    this.#library.delete(id);
    return Promise.resolve();
  }

  clear(): Promise<void> {
    this.#library.clear();
    return Promise.resolve();
  }

  count(): Promise<number> {
    return Promise.resolve(this.#library.size);
  }

  ids(): Promise<number[]> {
    return Promise.resolve([...this.#library.keys()].sort((a, b) => a - b));
  }

  exportTemplate(id: number): Promise<FingerprintTemplate> {
    const bytes = this.#library.get(id);
    if (!bytes) return Promise.reject(new FingerprintError('fingerprint.bad-id', `no template at ${id}`, 0x100a));
    return Promise.resolve({ format: FORMAT, bytes });
  }

  importTemplate(id: number, template: FingerprintTemplate): Promise<void> {
    if (template.format !== FORMAT || template.bytes.length !== 498) return Promise.reject(new FingerprintError('fingerprint.bad-template', 'not a GT-511 template', 0x1007));
    this.#checkId(id);
    this.#library.set(id, template.bytes);
    return Promise.resolve();
  }

  setLed(state: LedState): Promise<void> {
    if (state.mode === 'breathing' || state.mode === 'flashing') return Promise.reject(new DeviceError('device.unsupported', 'the CMOS LED is on or off'));
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #capture(): Uint8Array {
    const glass = this.glass;
    if (glass.kind === 'none') throw new FingerprintError('fingerprint.no-finger', 'finger is not pressed', 0x1012);
    if (glass.kind === 'poor') throw new FingerprintError('fingerprint.poor-image', 'bad finger', 0x100c);
    const out = new Uint8Array(498);
    out.set(createHash('sha256').update(glass.name).digest());
    return out;
  }

  #checkId(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.info.capacity) throw new TypeError(`id: expected 0..${this.info.capacity - 1}, got ${id}`);
  }
}

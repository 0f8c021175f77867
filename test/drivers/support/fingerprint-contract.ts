// The contract every FingerprintSensor must meet, whatever the family and whatever the link: run against the R30x
// emulator in process, the R30x emulator on a PTY, and a fake second family (GT-511C3-shaped).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FingerprintSensor } from '../../../drivers/fingerprint/fingerprint-sensor.ts';

export type FingerOnGlass =
  { readonly kind: 'none' } | { readonly kind: 'poor' } | { readonly kind: 'finger'; readonly name: string };

export interface FingerprintRig {
  readonly sensor: FingerprintSensor;
  /** Puts a finger on (or takes it off) the emulated glass. */
  place(finger: FingerOnGlass): void;
  close(): Promise<void>;
}

const none: FingerOnGlass = { kind: 'none' };
const finger = (name: string): FingerOnGlass => ({ kind: 'finger', name });
const NOW = { fingerTimeoutMs: 0 };

export async function enrolFinger(rig: FingerprintRig, id: number, name: string): Promise<void> {
  await rig.sensor.enrol(id, {
    ...NOW,
    onStep: (step) => {
      rig.place(step.action === 'lift' ? none : finger(name));
    },
  });
  rig.place(none);
}

export function fingerprintContract(label: string, makeRig: () => Promise<FingerprintRig>): void {
  describe(`FingerprintSensor contract: ${label}`, () => {
    let rig: FingerprintRig;
    let other: FingerprintRig | undefined;
    beforeEach(async () => {
      rig = await makeRig();
      await rig.sensor.clear();
    });
    afterEach(async () => {
      await rig.close();
      await other?.close();
      other = undefined;
    });

    it('describes itself', () => {
      const { info } = rig.sensor;
      expect(info.capacity).toBeGreaterThan(0);
      expect(info.capturesPerEnrolment).toBeGreaterThanOrEqual(2);
      expect(info.templateFormat).not.toBe('');
    });

    it('reports no finger on an empty glass', async () => {
      expect(await rig.sensor.fingerPresent()).toBe(false);
      await expect(rig.sensor.identify(NOW)).rejects.toMatchObject({ code: 'fingerprint.no-finger' });
    });

    it('enrols, counts, lists and identifies a finger', async () => {
      const steps: string[] = [];
      await rig.sensor.enrol(5, {
        ...NOW,
        onStep: (step) => {
          steps.push(step.action);
          rig.place(step.action === 'lift' ? none : finger('alice'));
        },
      });
      expect(steps.filter((s) => s === 'place')).toHaveLength(rig.sensor.info.capturesPerEnrolment);
      expect(await rig.sensor.count()).toBe(1);
      expect(await rig.sensor.ids()).toEqual([5]);
      rig.place(finger('alice'));
      const match = await rig.sensor.identify(NOW);
      expect(match.id).toBe(5);
      if (match.score !== null) expect(match.score).toBeGreaterThan(0);
    });

    it('says no match for a stranger and poor image for a smudge', async () => {
      await enrolFinger(rig, 1, 'alice');
      rig.place(finger('mallory'));
      await expect(rig.sensor.identify(NOW)).rejects.toMatchObject({ code: 'fingerprint.no-match' });
      rig.place({ kind: 'poor' });
      await expect(rig.sensor.identify(NOW)).rejects.toMatchObject({ code: 'fingerprint.poor-image' });
    });

    it('moves a template to another sensor of the same family', async () => {
      await enrolFinger(rig, 2, 'bob');
      const template = await rig.sensor.exportTemplate(2);
      expect(template.format).toBe(rig.sensor.info.templateFormat);
      other = await makeRig();
      await other.sensor.clear();
      await other.sensor.importTemplate(9, template);
      other.place(finger('bob'));
      expect((await other.sensor.identify(NOW)).id).toBe(9);
    });

    it('refuses a template of another format', async () => {
      await expect(rig.sensor.importTemplate(3, { format: 'other-7', bytes: new Uint8Array(7) })).rejects.toMatchObject(
        { code: 'fingerprint.bad-template' },
      );
    });

    it('removes one template and clears the library', async () => {
      await enrolFinger(rig, 1, 'alice');
      await enrolFinger(rig, 2, 'bob');
      await rig.sensor.remove(1);
      expect(await rig.sensor.ids()).toEqual([2]);
      await rig.sensor.clear();
      expect(await rig.sensor.count()).toBe(0);
    });

    it('drives the LED or says it has none', async () => {
      const result = rig.sensor.setLed({ mode: 'on', colour: 'blue' });
      if (rig.sensor.info.hasLed) await expect(result).resolves.toBeUndefined();
      else await expect(result).rejects.toMatchObject({ code: 'device.unsupported' });
    });

    it('rejects an id out of range at the boundary', async () => {
      await expect(rig.sensor.enrol(rig.sensor.info.capacity, NOW)).rejects.toBeInstanceOf(TypeError);
    });
  });
}

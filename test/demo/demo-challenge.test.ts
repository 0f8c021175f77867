// The demo centre's kiosks ask for a blink (main/demo/demo-center.ts: face.challenge 'blink'; test/demo/demo.test.ts
// plays the scripted day with it). Every demo person, each of the demo's faces, checks in with it: a kiosk runtime with the demo kiosks' face settings on emulated
// devices and the real face worker, each person's camera showing their `live` frames (eyes open, then shut, round
// and round). The impostor blinks too and is still someone else (a mismatch, not a liveness failure), and a
// person's photo held up to the camera never blinks (liveness failed, then staff).
import { describe, expect, it } from 'vitest';
import { DEFAULT_MATCH_THRESHOLD } from '../../face/match.ts';
import { inProcessDevices } from '../../main/kiosk/emulated-devices.ts';
import { loadKioskConfig } from '../../main/kiosk/kiosk-config.ts';
import { KioskRuntime } from '../../main/kiosk/kiosk-runtime.ts';
import { readLogRecords } from '../../main/kiosk/log-records.ts';
import { at, planPayload } from '../checkin/support/log-builder.ts';
import { checkinAttempts, kioskFixture } from '../helpers/kiosk-fixture.ts';

const NY = 'America/New_York';
/** The demo centre's distinct faces (demo-center.ts MAX_DISTINCT_FACES). */
const DEMO_FACES = 8;
const fixture = kioskFixture(DEMO_FACES);

describe("the demo kiosks' blink challenge", () => {
  it(
    'checks in every demo person blinking; the impostor blinking is a mismatch; a held photo goes to staff',
    { timeout: 600_000 },
    async () => {
      const { faces, impostor } = fixture.faces;
      expect(faces).toHaveLength(DEMO_FACES);
      const dir = fixture.tempDir('muster-demo-faces-');
      const emulated = inProcessDevices(`dc${Math.random().toString(36).slice(2)}`);
      fixture.cleanup(() => emulated.close());
      const file = fixture.configFile(dir, {
        face: { threshold: DEFAULT_MATCH_THRESHOLD, challenge: 'blink' },
        devices: emulated.devices,
      });
      const runtime = await KioskRuntime.start({
        config: loadKioskConfig(file),
        face: fixture.face,
        clock: () => at('2026-03-02 09:30', NY),
        ...(emulated.inProcess ?? {}),
        screen: { guide: () => undefined, tasks: (_subject, due) => Promise.resolve(due.map((t) => ({ task: t.id }))) },
        staff: { confirm: () => Promise.resolve({ kind: 'confirmed', staff: 'staff-3' }) },
      });
      fixture.cleanup(() => runtime.close());
      const subjects = faces.map((_, i) => `p-${i + 1}`);
      for (const [i, face] of faces.entries()) {
        const subject = subjects[i] as string;
        await runtime.append(
          'plan',
          planPayload({ subject, start: '2026-03-02', tasks: [{ id: 't-study', kind: 'study', module: 'm-1' }] }),
        );
        emulated.fingerprint.enrolDirect(`${subject} right index`, i + 1);
        await runtime.enrol({ subject, page: i + 1, descriptors: face.descriptors, photo: face.checkinFrame });
      }
      const attempts = (): string[] => checkinAttempts(readLogRecords(runtime.ledger).records);
      const visit = async (subject: string, frames: readonly Uint8Array[], hold = false) => {
        const before = attempts().length;
        emulated.fingerprint.finger = { kind: 'finger', name: `${subject} right index` };
        emulated.camera.setFrames(frames);
        emulated.camera.hold = hold;
        const outcome = await runtime.checkIn();
        emulated.fingerprint.finger = { kind: 'none' };
        return { ok: outcome.ok, attempts: attempts().slice(before) };
      };

      const checkedIn: string[] = [];
      for (const [i, face] of faces.entries()) {
        const subject = subjects[i] as string;
        const seen = await visit(subject, face.live);
        expect(seen, `${subject} (${face.id})`).toEqual({
          ok: true,
          attempts: ['fingerprint/matched', 'face/matched'],
        });
        checkedIn.push(subject);
      }
      expect(checkedIn).toEqual(subjects);

      // The neighbour in the same photo, blinking before the camera at the person's finger: live, but not them.
      const own = subjects[impostor.of] as string;
      const impostorVisit = await visit(own, impostor.live);
      expect(impostorVisit.ok).toBe(false);
      expect(impostorVisit.attempts).toEqual([
        'fingerprint/matched',
        'face/mismatch',
        'face/mismatch',
        'face/mismatch',
      ]);

      // The person's own photo held up: the eyes never shut.
      const photo = await visit(subjects[0] as string, (faces[0] as (typeof faces)[number]).live, true);
      expect(photo).toEqual({
        ok: false,
        attempts: ['fingerprint/matched', 'face/liveness-failed', 'face/liveness-failed', 'face/liveness-failed'],
      });
    },
  );
});

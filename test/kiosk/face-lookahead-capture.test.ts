// The face look-ahead frame (main/kiosk/face-lookahead.ts) kept for a mismatch review when it alone decided the
// try: the kiosk runtime on emulated devices and the real face worker. The frame taken during the fingerprint
// step is a phone screen held up to the camera (test/face/spoof.ts), which the passive liveness check refuses,
// so the try ends on that one frame; the next try, on a genuine frame, checks the person in (had the look-ahead
// frame not been used, the face step's own first capture would have been the genuine one). The refused try's
// attempt entry carries the commitment of exactly that frame, sealed in the personal-data store for staff.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCheckinAttempt } from '../../core/records/checkin.ts';
import { inProcessDevices } from '../../main/kiosk/emulated-devices.ts';
import { loadKioskConfig } from '../../main/kiosk/kiosk-config.ts';
import { KioskRuntime } from '../../main/kiosk/kiosk-runtime.ts';
import { readLogRecords } from '../../main/kiosk/log-records.ts';
import { at, planPayload } from '../checkin/support/log-builder.ts';
import { CAMERA_VARIANTS, FACES_DIR, decode, encode, kioskFrame } from '../face/camera.ts';
import { screenReplay } from '../face/spoof.ts';
import { kioskFixture } from '../helpers/kiosk-fixture.ts';
import { waitFor } from '../helpers/wait-for.ts';

const photo = (file: string): ReturnType<typeof decode> => decode(readFileSync(new URL(file, FACES_DIR)));
// The test's own photos: no demo faces.
const fixture = kioskFixture(0);

describe('the face look-ahead frame', () => {
  it(
    'is kept sealed for review when it alone decided the try (a liveness failure), with the commitment on its attempt',
    { timeout: 180_000 },
    async () => {
      const dir = fixture.tempDir('muster-lookahead-');
      const emulated = inProcessDevices(`la${Math.random().toString(36).slice(2)}`);
      fixture.cleanup(() => emulated.close());
      const file = fixture.configFile(dir, {
        // The camera's own frames, unscaled: the kept frame can be compared byte for byte.
        devices: { ...emulated.devices, camera: { ...(emulated.devices.camera as object), resolution: '640x480' } },
        timeouts: { fingerMs: 20_000, badgeMs: 5000 },
      });
      const config = loadKioskConfig(file);
      expect(config.face.lookahead).toBe(true);
      const stills: Uint8Array[] = [];
      const runtime = await KioskRuntime.start({
        config,
        face: fixture.face,
        clock: () => at('2026-03-02 09:30', 'UTC'),
        ...(emulated.inProcess ?? {}),
        screen: {
          guide: () => undefined,
          tasks: (_subject, due) => Promise.resolve(due.map((t) => ({ task: t.id }))),
          still: (jpeg) => {
            stills.push(jpeg);
          },
        },
      });
      fixture.cleanup(() => runtime.close());
      await runtime.append('plan', planPayload({ subject: 'p-1', start: '2026-03-02', zone: 'UTC' }));
      const biden = photo('biden_1.jpg');
      await runtime.enrol({
        subject: 'p-1',
        page: 3,
        frames: (['kiosk', 'bright', 'far'] as const).map((v) =>
          (CAMERA_VARIANTS[v] as (f: typeof biden) => Uint8Array)(biden),
        ),
      });
      emulated.fingerprint.enrolDirect('p-1 right index', 3);
      // The camera shows the screen replay, then the person: each capture moves it on to the next frame.
      const spoof = encode(screenReplay(photo('biden_2.jpg'), 0.75));
      const genuine = encode(kioskFrame(biden));
      emulated.camera.setFrames([spoof, genuine]);
      const session = runtime.checkIn();
      // Nobody at the sensor yet, so the frame taken now is the look-ahead's; then the finger.
      await waitFor(() => emulated.camera.current === genuine, 'the look-ahead frame during the fingerprint step');
      emulated.fingerprint.finger = { kind: 'finger', name: 'p-1 right index' };
      expect((await session).ok).toBe(true);
      const records = readLogRecords(runtime.ledger).records;
      const attempts = records
        .filter((r) => r.type === 'checkin-attempt')
        .map((r) => parseCheckinAttempt(r.payload))
        .filter((a) => a.method === 'face');
      expect(attempts.map((a) => a.outcome)).toEqual(['liveness-failed', 'matched']);
      // The refused try took one frame, the look-ahead's: the person saw it, and it is the one kept.
      expect(stills[0]).toEqual(spoof);
      const [refused, matched] = attempts;
      expect(refused?.capture).toMatch(/^[0-9a-f]{64}$/);
      expect(matched?.capture).toBeUndefined();
      const kept = await runtime.personal.readCaptures(
        { user: 'sam', role: 'staff', centres: ['centre-a'] },
        'p-1',
        [refused?.capture ?? ''],
        'face review on the staff screen',
      );
      expect(kept.captures.map((c) => c.frames.map((f) => Buffer.from(f).equals(spoof)))).toEqual([[true]]);
    },
  );
});

// The active face challenge on a webcam kiosk, end to end: Chromium's fake webcam plays a video
// (hardware/webcam-video.ts) as the kiosk screen's camera, main takes the challenge's frames from the screen over
// the typed API (main/web/webcam-camera.ts, paced by the challenge port), and the real face worker judges them
// against the person's template. A live person turns their head (two real photos of one man, straight and turned,
// a second each, looping) and checks in; a photo held up to the webcam (one frame, the whole time) fails the
// challenge three times and the person is sent to staff; the log holds liveness failures, which the breach rules
// put on the staff review queue, never a breach (test/kiosk/kiosk-challenge.test.ts computes that on a serial kiosk).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrol } from '../../face/enrolment.ts';
import { FaceService } from '../../face/face-service.ts';
import type { FaceTemplate } from '../../face/template.ts';
import { y4mVideo } from '../../hardware/webcam-video.ts';
import { challengeFacePort } from '../../main/kiosk/challenge-face-port.ts';
import { WebcamCamera } from '../../main/web/webcam-camera.ts';
import { t } from '../../renderer/kiosk/kiosk-text.ts';
import { CAMERA_VARIANTS, FACES_DIR, decode, kioskFrame } from '../face/camera.ts';
import { launchBrowser } from './support/browser.ts';
import { FINGER, type KioskRig, startKioskRig } from './support/kiosk-rig.ts';

const THRESHOLD = 0.55;
/** One photo a second: the challenge's four frames, at least 0.4 s apart, span 1.2 s and so see both. */
const FPS = 1;
const photo = (file: string): ReturnType<typeof decode> => decode(readFileSync(new URL(file, FACES_DIR)));

let service: FaceService;
let template: FaceTemplate;
let dir: string;

beforeAll(async () => {
  service = await FaceService.start({ backend: 'wasm' });
  const face = photo('obama_1.jpg');
  const inputs = (['kiosk', 'bright', 'far'] as const).map((v) => ({
    kind: 'jpeg' as const,
    bytes: (CAMERA_VARIANTS[v] as (f: typeof face) => Uint8Array)(face),
  }));
  template = (await enrol(service, 'p-0001', inputs, THRESHOLD)).template;
  dir = mkdtempSync(join(tmpdir(), 'muster-webcam-video-'));
}, 300_000);
afterAll(async () => {
  await service.close();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** A kiosk whose face step runs the head-turn challenge on its screen's webcam, which plays `frames`. */
async function webcamKiosk(
  name: string,
  frames: readonly string[],
): Promise<{ rig: KioskRig; browser: Browser; page: Page }> {
  const video = join(dir, `${name}.y4m`);
  // obama_1 looks at the camera (yaw 0.03), obama_2 is turned (yaw -0.30): a real head turn of one person.
  writeFileSync(
    video,
    y4mVideo(
      frames.map((f) => kioskFrame(photo(f))),
      FPS,
    ),
  );
  const rig = await startKioskRig('en', {
    face: (screen) => ({
      ...challengeFacePort({
        camera: new WebcamCamera(screen, 20_000),
        service,
        template: () => template,
        threshold: THRESHOLD,
        kind: 'turn-head',
        onPrompt: (g) => {
          screen.prompt(g);
        },
      }),
      // Four frames through the face worker on a loaded machine: the screen's countdown must not call it walking away.
      waitMs: 120_000,
    }),
  });
  const browser = await launchBrowser([`--use-file-for-fake-video-capture=${video}`]);
  const context = await browser.newContext({
    viewport: { width: 1080, height: 1920 },
    timezoneId: 'UTC',
    hasTouch: true,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(120_000);
  await page.goto(rig.url);
  return { rig, browser, page };
}

describe('the head-turn challenge on the kiosk screen webcam', () => {
  it('checks in a person who turns their head before the webcam', { timeout: 300_000 }, async () => {
    const { rig, browser, page } = await webcamKiosk('turning', ['obama_1.jpg', 'obama_2.jpg']);
    try {
      await page.getByRole('button', { name: t('en', 'start') }).tap();
      await page.locator('[data-pictogram="finger"]').waitFor();
      rig.sensor.place({ kind: 'finger', name: FINGER });
      await page.getByRole('button', { name: t('en', 'saveTasks') }).tap();
      await page.locator('.phase-done').waitFor();
      expect(rig.entries()).toEqual(['checkin-attempt:matched', 'checkin-attempt:matched', 'checkin:']);
    } finally {
      await browser.close();
      await rig.close();
    }
  });

  it(
    'sends a photo held up to the webcam to staff: three failed challenges (liveness, not a mismatch), no check-in',
    { timeout: 300_000 },
    async () => {
      const { rig, browser, page } = await webcamKiosk('held', ['obama_1.jpg']);
      try {
        await page.getByRole('button', { name: t('en', 'start') }).tap();
        await page.locator('[data-pictogram="finger"]').waitFor();
        rig.sensor.place({ kind: 'finger', name: FINGER });
        await page.locator('.phase-failed').waitFor();
        expect(rig.entries()).toEqual([
          'checkin-attempt:matched',
          'checkin-attempt:liveness-failed',
          'checkin-attempt:liveness-failed',
          'checkin-attempt:liveness-failed',
        ]);
        expect(rig.screen.current().guidance).toBe('see-staff');
      } finally {
        await browser.close();
        await rig.close();
      }
    },
  );
});

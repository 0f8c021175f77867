// The active face challenge on a webcam kiosk, end to end: Chromium's fake webcam plays a video
// (hardware/webcam-video.ts) as the kiosk screen's camera, main takes the challenge's frames from the screen over
// the typed API (main/web/webcam-camera.ts, paced by the challenge port), and the real face worker judges them
// against the person's template. A live person turns their head (two real photos of one man, straight and turned,
// a second each, looping) and checks in; a photo held up to the webcam (one frame, the whole time) fails the
// challenge three times and the person is sent to staff; the log holds liveness failures, which the breach rules
// put on the staff review queue, never a breach (test/kiosk/kiosk-challenge.test.ts computes that on a serial kiosk).
// A person asked to blink blinks before the webcam: a demo face's frame, eyes open and then warped shut (its
// `live` frames, frame-edit.ts closeEyes; no real shut-eye photos are at hand), through Chromium's capture and JPEG.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChallengeKind } from '../../face/challenge.ts';
import { enrol } from '../../face/enrolment.ts';
import { FaceService } from '../../face/face-service.ts';
import { type FaceTemplate, createTemplate } from '../../face/template.ts';
import { type VideoFrame, y4mVideo } from '../../hardware/webcam-video.ts';
import { challengeFacePort } from '../../main/kiosk/challenge-face-port.ts';
import { defaultFaceCacheDir, prepareDemoFaces } from '../../main/demo/demo-faces.ts';
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

interface Challenge {
  readonly kind: ChallengeKind;
  /** The video the webcam plays, looping, at `fps` frames a second. */
  readonly frames: readonly VideoFrame[];
  readonly fps: number;
  readonly template: FaceTemplate;
  /** Frames the challenge takes (the port's default when absent). */
  readonly count?: number;
}

/** A kiosk whose face step runs a challenge on its screen's webcam, which plays the challenge's video. */
async function webcamKiosk(
  name: string,
  challenge: Challenge,
): Promise<{ rig: KioskRig; browser: Browser; page: Page }> {
  const video = join(dir, `${name}.y4m`);
  writeFileSync(video, y4mVideo(challenge.frames, challenge.fps));
  const rig = await startKioskRig('en', {
    face: (screen) => ({
      ...challengeFacePort({
        camera: new WebcamCamera(screen, 20_000),
        service,
        template: () => challenge.template,
        threshold: THRESHOLD,
        kind: challenge.kind,
        ...(challenge.count === undefined ? {} : { frames: challenge.count }),
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

/** A head turn of one man (obama_1 looks at the camera, yaw 0.03; obama_2 is turned, yaw -0.30), a second a frame. */
const headTurn = (files: readonly string[]): Challenge => ({
  kind: 'turn-head',
  frames: files.map((f) => kioskFrame(photo(f))),
  fps: FPS,
  template,
});

/** The person touches Start and puts their finger down; the face step passes and they are checked in. */
async function checksIn(rig: KioskRig, page: Page): Promise<void> {
  await page.getByRole('button', { name: t('en', 'start') }).tap();
  await page.locator('[data-pictogram="finger"]').waitFor();
  rig.sensor.place({ kind: 'finger', name: FINGER });
  await page.getByRole('button', { name: t('en', 'saveTasks') }).tap();
  await page.locator('.phase-done').waitFor();
  expect(rig.entries()).toEqual(['checkin-attempt:matched', 'checkin-attempt:matched', 'checkin:']);
}

describe('the head-turn challenge on the kiosk screen webcam', () => {
  it('checks in a person who turns their head before the webcam', { timeout: 300_000 }, async () => {
    const { rig, browser, page } = await webcamKiosk('turning', headTurn(['obama_1.jpg', 'obama_2.jpg']));
    try {
      await checksIn(rig, page);
    } finally {
      await browser.close();
      await rig.close();
    }
  });

  it(
    'checks in a person whose webcam frame failed to reach main once: the screen sends it again, the camera is not down',
    { timeout: 300_000 },
    async () => {
      const { rig, browser, page } = await webcamKiosk('turning-lost', headTurn(['obama_1.jpg', 'obama_2.jpg']));
      try {
        let failed = 0;
        await page.route('**/api/call', async (route) => {
          const { method } = route.request().postDataJSON() as { method?: string };
          if (method === 'kiosk.frame' && failed === 0) {
            failed += 1;
            await route.fulfill({
              status: 500,
              contentType: 'application/json',
              body: JSON.stringify({ ok: false, error: { code: 'internal', message: 'injected' } }),
            });
            return;
          }
          await route.continue();
        });
        await checksIn(rig, page);
        expect(failed).toBe(1);
      } finally {
        await browser.close();
        await rig.close();
      }
    },
  );

  it(
    'sends a photo held up to the webcam to staff: three failed challenges (liveness, not a mismatch), no check-in',
    { timeout: 300_000 },
    async () => {
      const { rig, browser, page } = await webcamKiosk('held', headTurn(['obama_1.jpg']));
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

describe('the blink challenge on the kiosk screen webcam', () => {
  it('checks in a person who blinks before the webcam', { timeout: 300_000 }, async () => {
    const [person] = (
      await prepareDemoFaces(service, { needed: 1, threshold: THRESHOLD, cacheDir: defaultFaceCacheDir() })
    ).faces;
    if (!person) throw new Error('no demo face');
    // Eyes open for 0.75 s, then shut for 0.75 s, round and round; eight frames at least 0.4 s apart span a whole
    // shut phase with open eyes on both sides however the capture falls on the video.
    const [open, shut] = person.live.map(decode);
    if (!open || !shut) throw new Error('the demo face has no shut-eyed frame');
    const { rig, browser, page } = await webcamKiosk('blinking', {
      kind: 'blink',
      frames: [open, open, open, shut, shut, shut],
      fps: 4,
      template: createTemplate('p-0001', person.descriptors),
      count: 8,
    });
    try {
      await checksIn(rig, page);
    } finally {
      await browser.close();
      await rig.close();
    }
  });
});

// The active face challenge on a webcam kiosk, end to end: Chromium's fake webcam plays a video
// (hardware/webcam-video.ts) as the kiosk screen's camera, main takes the challenge's frames from the screen over
// the typed API (main/web/webcam-camera.ts, paced by the challenge port), and the real face worker judges them
// against the person's template. A live person turns their head (two real photos of one man, straight and turned,
// looping) and checks in; a photo held up to the webcam (one frame, the whole time) fails the challenge three times
// and the person is sent to staff; the log holds liveness failures, which the breach rules put on the staff review
// queue, never a breach (test/kiosk/kiosk-challenge.test.ts computes that on a serial kiosk). A person asked to
// blink blinks before the webcam: a demo face's frame, eyes open and then warped shut (its `live` frames,
// frame-edit.ts closeEyes; no real shut-eye photos are at hand), through Chromium's capture and JPEG.
//
// Each scenario runs on a kiosk configured in Chinese and on one configured in English, one of them at 1080x1920
// and the other at 1280x800 (the pair swaps between scenarios, so each language meets both sizes): in each, the
// face step shows the live preview with its oval inside the window, with the step's words, Cancel and Call staff,
// all in the kiosk's language only. The two kiosks, and each video's Chromium with one page per kiosk, serve every
// scenario that can share them: a page's webcam, once open, stays open, and only the viewport changes (the lost
// frame's run opens a new page, whose webcam's first frame is the one lost: on a reused page it failed 3 runs in 4).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KioskLanguage } from '../../core/api/kiosk-api.ts';
import type { GuidanceCode } from '../../core/checkin/guidance.ts';
import type { ChallengeKind } from '../../face/challenge.ts';
import { enrol } from '../../face/enrolment.ts';
import { FaceService } from '../../face/face-service.ts';
import { DEFAULT_MATCH_THRESHOLD } from '../../face/match.ts';
import { type FaceTemplate, createTemplate } from '../../face/template.ts';
import { type VideoFrame, y4mVideo } from '../../hardware/webcam-video.ts';
import { challengeFacePort } from '../../main/kiosk/challenge-face-port.ts';
import { defaultFaceCacheDir, prepareDemoFaces } from '../../main/demo/demo-faces.ts';
import { WebcamCamera } from '../../main/web/webcam-camera.ts';
import { guidanceText, t } from '../../renderer/kiosk/kiosk-text.ts';
import { CAMERA_VARIANTS, FACES_DIR, decode, kioskFrame } from '../face/camera.ts';
import { waitFor } from '../helpers/wait-for.ts';
import { launchBrowser, seriousViolations } from './support/browser.ts';
import { KIOSK_VIEWPORTS, foreignText, kioskShot, layoutProblems } from './support/kiosk-page.ts';
import { FINGER, type KioskRig, startKioskRig } from './support/kiosk-rig.ts';
import { SEATS, type Seat } from './support/matrix.ts';
import { untranslated } from './support/untranslated.ts';

const THRESHOLD = 0.55;
const photo = (file: string): ReturnType<typeof decode> => decode(readFileSync(new URL(file, FACES_DIR)));

/**
 * The head turn's pacing: each pose held 0.8 s (four frames at 5 a second, so a webcam resumed on a page shows a
 * new frame soon), a frame taken at least 0.4 s after the last came. Four frames span more than one pose with every
 * gap shorter than one, so they see both poses (one straight, to match) however the capture falls on the video; a
 * still photo sees one.
 */
const TURN = { fps: 5, hold: 4, intervalMs: 400, count: 4 } as const;
/**
 * The blink's: eyes open 0.75 s, shut 0.75 s; eight frames at least 0.4 s apart span a whole shut phase with open
 * eyes on both sides however the capture falls on the video.
 */
const BLINK = { fps: 4, hold: 3, intervalMs: 400, count: 8 } as const;

interface Challenge {
  readonly kind: ChallengeKind;
  readonly template: FaceTemplate;
  readonly intervalMs: number;
  readonly count: number;
}

/** A kiosk whose face step runs `challenge` on its screen's webcam. */
interface WebcamKiosk {
  readonly language: KioskLanguage;
  readonly rig: KioskRig;
  challenge: Challenge | undefined;
  /** How many of the next challenges to hold at their last frame (a try the test does not expect goes on). */
  holds: number;
  /**
   * The next held challenge, stopped before the face worker judges its frames (so the face step stays on screen
   * while the test looks at it): call the returned function to let it go on.
   */
  readonly held: () => Promise<() => void>;
  /** Lets every challenge go on and ends any session: the kiosk at its start, whatever a failed test left. */
  readonly settle: () => Promise<void>;
}

/** A kiosk in `language` (its configuration) whose face port is the challenge port on the screen's webcam. */
async function webcamKiosk(language: KioskLanguage): Promise<WebcamKiosk> {
  let stopped: (() => void)[] = [];
  let waiting: ((release: () => void) => void) | undefined;
  let settling = false;
  const hold = (): Promise<void> =>
    new Promise((release) => {
      if (settling) release();
      else if (waiting) waiting(release);
      else stopped.push(release);
      waiting = undefined;
    });
  const kiosk: { challenge: Challenge | undefined; holds: number } = { challenge: undefined, holds: 0 };
  const rig = await startKioskRig(language, {
    face: (screen) => {
      const webcam = new WebcamCamera(screen, 20_000);
      return {
        verify: (subject) => {
          const challenge = kiosk.challenge;
          if (!challenge) throw new Error('no challenge set for this scenario');
          let taken = 0;
          return challengeFacePort({
            camera: {
              capture: async () => {
                const frame = await webcam.capture();
                // Taken at its time; held only before the challenge is judged.
                if (++taken === challenge.count && kiosk.holds > 0) {
                  kiosk.holds -= 1;
                  await hold();
                }
                return frame;
              },
              close: () => webcam.close(),
            },
            service,
            template: () => challenge.template,
            threshold: THRESHOLD,
            kind: challenge.kind,
            frames: challenge.count,
            intervalMs: challenge.intervalMs,
            onPrompt: (g) => {
              screen.prompt(g);
            },
          }).verify(subject);
        },
        // Frames through the face worker on a loaded machine: the screen's countdown must not call it walking away.
        waitMs: 120_000,
      };
    },
  });
  const handlers = rig.screen.handlers as Record<string, (params: unknown) => unknown>;
  return Object.assign(kiosk, {
    language,
    rig,
    held: () =>
      new Promise<() => void>((resolve) => {
        const release = stopped.shift();
        if (release) resolve(release);
        else waiting = resolve;
      }),
    settle: async () => {
      settling = true;
      kiosk.holds = 0;
      waiting = undefined;
      for (const release of stopped) release();
      stopped = [];
      rig.sensor.place({ kind: 'none' });
      try {
        await waitFor(
          () => {
            if (rig.screen.current().phase === 'idle') return true;
            handlers['kiosk.cancel']?.({ staff: false });
            handlers['kiosk.reset']?.({});
            return false;
          },
          `the ${language} kiosk back at the start`,
          60_000,
        );
      } finally {
        settling = false;
      }
    },
  });
}

/** A kiosk's language with one of the two screen sizes. */
interface Run {
  readonly language: KioskLanguage;
  readonly viewport: (typeof KIOSK_VIEWPORTS)[number];
}
const [PORTRAIT, LANDSCAPE] = KIOSK_VIEWPORTS;
/** Chinese upright and English on its side, or the reverse: a scenario in both languages, both sizes met. */
const ZH_PORTRAIT: readonly Run[] = [
  { language: 'zh-CN', viewport: PORTRAIT },
  { language: 'en', viewport: LANDSCAPE },
];
const ZH_LANDSCAPE: readonly Run[] = [
  { language: 'zh-CN', viewport: LANDSCAPE },
  { language: 'en', viewport: PORTRAIT },
];

/** The kiosk's browser: its machine's locale (the kiosk's language) on a UTC clock. */
const seatOf = (language: KioskLanguage): Seat | undefined =>
  SEATS.find((s) => s.zh === (language === 'zh-CN') && s.zone === 'UTC');

let service: FaceService;
let template: FaceTemplate;
let dir: string;
const kiosks = new Map<KioskLanguage, WebcamKiosk>();

beforeAll(async () => {
  const [started, zh, en] = await Promise.all([
    FaceService.start({ backend: 'wasm' }),
    webcamKiosk('zh-CN'),
    webcamKiosk('en'),
  ]);
  service = started;
  kiosks.set('zh-CN', zh).set('en', en);
  const face = photo('obama_1.jpg');
  const inputs = (['kiosk', 'bright', 'far'] as const).map((v) => ({
    kind: 'jpeg' as const,
    bytes: (CAMERA_VARIANTS[v] as (f: typeof face) => Uint8Array)(face),
  }));
  template = (await enrol(service, 'p-0001', inputs, THRESHOLD)).template;
  dir = mkdtempSync(join(tmpdir(), 'muster-webcam-video-'));
}, 300_000);
// Each scenario starts at the start screen, whatever the last one left (it checks its own end itself).
afterEach(async () => {
  for (const kiosk of kiosks.values()) await kiosk.settle();
}, 60_000);
afterAll(async () => {
  for (const kiosk of kiosks.values()) await kiosk.rig.close();
  await service.close();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** One Chromium whose webcam plays `frames` (each `hold` frames long, `fps` a second, looping), a page per kiosk. */
function webcamScreens(name: string, video: () => { frames: readonly VideoFrame[]; fps: number; hold: number }) {
  let browser: Browser;
  const pages = new Map<KioskLanguage, Page>();
  const openPage = async (kiosk: WebcamKiosk): Promise<Page> => {
    const seat = seatOf(kiosk.language);
    const context = await browser.newContext({
      viewport: { width: PORTRAIT.width, height: PORTRAIT.height },
      ...(seat ? { locale: seat.locale, timezoneId: seat.zone } : {}),
      hasTouch: true,
    });
    const page = await context.newPage();
    page.setDefaultTimeout(120_000);
    await page.goto(kiosk.rig.url);
    return page;
  };
  beforeAll(async () => {
    const { frames, fps, hold } = video();
    const file = join(dir, `${name}.y4m`);
    writeFileSync(
      file,
      y4mVideo(
        frames.flatMap((f) => Array<VideoFrame>(hold).fill(f)),
        fps,
      ),
    );
    browser = await launchBrowser([`--use-file-for-fake-video-capture=${file}`]);
    for (const kiosk of kiosks.values()) pages.set(kiosk.language, await openPage(kiosk));
  }, 120_000);
  afterAll(async () => {
    await browser.close();
  });
  /** The kiosk in the run's language, its page at the run's size, the challenge set for the next person. */
  /** `fresh`: a new page for this run, its webcam opened by the challenge's first frame (the old page closed). */
  return async (
    run: Run,
    challenge: Challenge,
    { holds = 1, fresh = false } = {},
  ): Promise<{ kiosk: WebcamKiosk; page: Page }> => {
    const kiosk = kiosks.get(run.language);
    const old = pages.get(run.language);
    if (!kiosk || !old) throw new Error(`no kiosk in ${run.language}`);
    let page = old;
    if (fresh) {
      await old.context().close();
      page = await openPage(kiosk);
      pages.set(run.language, page);
    }
    kiosk.challenge = challenge;
    kiosk.holds = holds;
    await page.setViewportSize({ width: run.viewport.width, height: run.viewport.height });
    return { kiosk, page };
  };
}

/** The person touches Start and puts their finger down; the face step starts. */
async function toFaceStep({ rig, language }: WebcamKiosk, page: Page): Promise<void> {
  await page.getByRole('button', { name: t(language, 'start') }).tap();
  await page.locator('[data-pictogram="finger"]').waitFor();
  rig.sensor.place({ kind: 'finger', name: FINGER });
}

/**
 * The face step as the person sees it, with the challenge held at its last frame: the webcam live inside the oval,
 * the movement asked for, Cancel and Call staff, all within the window (a kiosk does not scroll) and in the kiosk's
 * language only, axe-core clean; a screenshot of it.
 */
async function faceStepShown(
  { language, held }: WebcamKiosk,
  page: Page,
  run: Run,
  movement: GuidanceCode,
  tryNumber?: number,
  shot?: string,
): Promise<void> {
  const release = await held();
  await page.locator('[data-preview="webcam"] [data-pictogram="oval"] ellipse').waitFor();
  await page.getByText(guidanceText(language, movement)).waitFor();
  await page.waitForFunction(() => {
    const video = document.querySelector<HTMLVideoElement>('[data-preview="webcam"] video');
    return video !== null && !video.paused && video.videoWidth > 0;
  });
  const outside = await page.evaluate(
    (selectors) =>
      selectors.flatMap((selector) =>
        [...document.querySelectorAll(selector)].flatMap((el) => {
          // From the top of the page: what the person sees without scrolling.
          const r = el.getBoundingClientRect();
          const [top, left] = [r.top + scrollY, r.left + scrollX];
          return r.width > 0 && r.height > 0 && top >= 0 && left >= 0 && top + r.height <= innerHeight
            ? left + r.width <= innerWidth
              ? []
              : [`${selector} ${Math.round(left)},${Math.round(top)} ${Math.round(r.width)}x${Math.round(r.height)}`]
            : [`${selector} ${Math.round(left)},${Math.round(top)} ${Math.round(r.width)}x${Math.round(r.height)}`];
        }),
      ),
    ['[data-preview="webcam"] video', '[data-pictogram="oval"]', '[role="status"]', '.actions button'],
  );
  expect(outside, `${run.language} at ${run.viewport.name}: outside the window`).toEqual([]);
  for (const word of ['cancel', 'callStaff'] as const)
    expect(await page.getByRole('button', { name: t(language, word) }).isVisible()).toBe(true);
  if (tryNumber !== undefined)
    await page.getByText(t(language, 'tryOf', { n: tryNumber, of: 3 }), { exact: true }).waitFor();
  expect(await layoutProblems(page), `${run.language} at ${run.viewport.name}`).toEqual([]);
  expect(await foreignText(page, language), `${run.language} at ${run.viewport.name}`).toEqual([]);
  if (language === 'zh-CN') expect(await untranslated(page), `zh-CN at ${run.viewport.name}`).toEqual([]);
  expect(await seriousViolations(page), `${run.language} at ${run.viewport.name}`).toEqual([]);
  if (shot !== undefined) await kioskShot(page, `${language}-${run.viewport.name}-webcam-${shot}`);
  release();
}

/** The face step passes; the person saves their tasks, is checked in, and finishes; the kiosk is back at the start. */
async function checksIn(kiosk: WebcamKiosk, page: Page, before: number): Promise<void> {
  const { rig, language } = kiosk;
  await page.getByRole('button', { name: t(language, 'saveTasks') }).tap();
  await page.getByText(t(language, 'checkedIn')).waitFor();
  expect(rig.entries().slice(before)).toEqual(['checkin-attempt:matched', 'checkin-attempt:matched', 'checkin:']);
  expect(await foreignText(page, language)).toEqual([]);
  await backToStart(kiosk, page);
}

/** As the receipt's Finish does (the receipt would close by itself within seconds): the next person's start screen. */
async function backToStart({ rig, language }: WebcamKiosk, page: Page): Promise<void> {
  rig.sensor.place({ kind: 'none' });
  await (rig.screen.handlers as Record<string, (params: unknown) => unknown>)['kiosk.reset']?.({});
  await page.getByRole('button', { name: t(language, 'start') }).waitFor();
}

describe('the head-turn challenge on the kiosk screen webcam', () => {
  const turning = (): Challenge => ({ kind: 'turn-head', template, intervalMs: TURN.intervalMs, count: TURN.count });
  /** One man (obama_1 looks at the camera, yaw 0.03; obama_2 is turned, yaw -0.30). */
  const screens = webcamScreens('turning', () => ({
    frames: [kioskFrame(photo('obama_1.jpg')), kioskFrame(photo('obama_2.jpg'))],
    fps: TURN.fps,
    hold: TURN.hold,
  }));

  it.each(ZH_PORTRAIT)(
    '$language at $viewport.name: checks in a person who turns their head before the webcam',
    { timeout: 300_000 },
    async (run) => {
      const { kiosk, page } = await screens(run, turning());
      const before = kiosk.rig.entries().length;
      await toFaceStep(kiosk, page);
      await faceStepShown(kiosk, page, run, 'face-turn', undefined, 'turn');
      await checksIn(kiosk, page, before);
    },
  );

  it.each(ZH_LANDSCAPE)(
    '$language at $viewport.name: checks in a person whose webcam frame failed to reach main once: the screen sends it again, the camera is not down',
    { timeout: 300_000 },
    async (run) => {
      // A webcam opened for this person: its first frame is the one whose call fails.
      const { kiosk, page } = await screens(run, turning(), { fresh: true });
      const before = kiosk.rig.entries().length;
      let failed = 0;
      const failFirstFrame = async (route: Route): Promise<void> => {
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
      };
      await page.route('**/api/call', failFirstFrame);
      try {
        await toFaceStep(kiosk, page);
        await faceStepShown(kiosk, page, run, 'face-turn');
        await checksIn(kiosk, page, before);
        expect(failed).toBe(1);
      } finally {
        await page.unroute('**/api/call', failFirstFrame);
      }
    },
  );
});

describe('a photo held up to the kiosk screen webcam', () => {
  const screens = webcamScreens('held', () => ({ frames: [kioskFrame(photo('obama_1.jpg'))], fps: 1, hold: 1 }));

  it.each(ZH_PORTRAIT)(
    '$language at $viewport.name: sends the person to staff: three failed challenges (liveness, not a mismatch), no check-in',
    { timeout: 300_000 },
    async (run) => {
      // A photo shows the same at any pace: its frames come as fast as the webcam gives them.
      const { kiosk, page } = await screens(
        run,
        { kind: 'turn-head', template, intervalMs: 0, count: TURN.count },
        { holds: 3 },
      );
      const before = kiosk.rig.entries().length;
      await toFaceStep(kiosk, page);
      await faceStepShown(kiosk, page, run, 'face-turn', undefined, 'held');
      await faceStepShown(kiosk, page, run, 'face-turn', 2);
      await faceStepShown(kiosk, page, run, 'face-turn', 3);
      await page.getByText(guidanceText(kiosk.language, 'see-staff')).waitFor();
      expect(kiosk.rig.entries().slice(before)).toEqual([
        'checkin-attempt:matched',
        'checkin-attempt:liveness-failed',
        'checkin-attempt:liveness-failed',
        'checkin-attempt:liveness-failed',
      ]);
      expect(kiosk.rig.screen.current().guidance).toBe('see-staff');
      expect(await foreignText(page, kiosk.language)).toEqual([]);
      await backToStart(kiosk, page);
    },
  );
});

describe('the blink challenge on the kiosk screen webcam', () => {
  let person: FaceTemplate;
  let live: readonly VideoFrame[];
  beforeAll(async () => {
    // The demo's face as the demo centre chooses it (its threshold and cache).
    const [face] = (
      await prepareDemoFaces(service, {
        needed: 1,
        threshold: DEFAULT_MATCH_THRESHOLD,
        cacheDir: defaultFaceCacheDir(),
      })
    ).faces;
    if (!face) throw new Error('no demo face');
    person = createTemplate('p-0001', face.descriptors);
    live = face.live.map(decode);
  }, 300_000);
  // Eyes open, then shut, round and round.
  const screens = webcamScreens('blinking', () => ({ frames: live, fps: BLINK.fps, hold: BLINK.hold }));

  it.each(ZH_LANDSCAPE)(
    '$language at $viewport.name: checks in a person who blinks before the webcam',
    { timeout: 300_000 },
    async (run) => {
      const { kiosk, page } = await screens(run, {
        kind: 'blink',
        template: person,
        intervalMs: BLINK.intervalMs,
        count: BLINK.count,
      });
      const before = kiosk.rig.entries().length;
      await toFaceStep(kiosk, page);
      await faceStepShown(kiosk, page, run, 'face-blink', undefined, 'blink');
      await checksIn(kiosk, page, before);
    },
  );
});

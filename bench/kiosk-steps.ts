// One check-in of the kiosk bench (bench/kiosk.bench.ts) broken down into steps that follow one another, so
// that they add up to finger-on-glass to receipt-on-screen: the sensor's capture (from the emulated sensor's
// first successful reply after the touch, its GenImg), the match (features and 1:N search, to the fingerprint
// port's answer), each log append (from the kiosk's check-in trace, main/kiosk/checkin-trace.ts), the face step,
// the tasks, the receipt's proof and QR code, and the screen (the receipt view pushed to Chromium and drawn).
// A step whose mark is missing (no tasks step, say) takes no time; the next one starts where the last mark was.
import type { CheckinSpan } from '../main/kiosk/checkin-trace.ts';
import type { R30xEmulator } from '../hardware/r30x-emulator.ts';

export const STEPS = [
  'finger capture',
  'finger match',
  'identify logged',
  'face',
  'face logged',
  'tasks',
  'check-in logged',
  'receipt proof',
  'receipt QR',
  'screen',
] as const;
export type Step = (typeof STEPS)[number];

/** Within the face step: what it waited for (the frame taken ahead) and the frames it took itself. */
export const FACE_PARTS = [
  'waiting for the frame taken ahead',
  'of it, camera wire',
  'of it, face analysis',
  'own frames (camera and analysis)',
] as const;
export type FacePart = (typeof FACE_PARTS)[number];

export interface CheckinSteps {
  readonly steps: Readonly<Record<Step, number>>;
  readonly face: Readonly<Record<FacePart, number>>;
  /** Each frame's analysis in this check-in: wall time (worker queue and transfer included) and the worker's own. */
  readonly analyses: readonly { readonly wallMs: number; readonly workerMs: number }[];
}

/** Byte 9 of an R30x reply: its confirmation code (0: ok). */
const R30X_CODE = 9;

/** When the emulated sensor answered a command successfully (its status byte 0), from now on. */
export function sensorReplies(sensor: R30xEmulator): { readonly okAt: number[]; stop(): void } {
  const okAt: number[] = [];
  const listener = (bytes: Uint8Array): void => {
    if (bytes[R30X_CODE] === 0) okAt.push(performance.now());
  };
  sensor.on('output', listener);
  return {
    okAt,
    stop: () => {
      sensor.off('output', listener);
    },
  };
}

/**
 * The steps of a check-in from `touched` to `shown`, given the sensor's successful replies and the trace's spans
 * over that time (spans of the look-ahead may have started before the touch).
 */
export function checkinSteps(
  touched: number,
  shown: number,
  sensorOk: readonly number[],
  spans: readonly CheckinSpan[],
): CheckinSteps {
  const after = (from: number, step: CheckinSpan['step'], type?: string): CheckinSpan | undefined =>
    spans.find((s) => s.step === step && s.end >= from && (type === undefined || s.detail?.type === type));
  // The first ok after the touch is the capture's GenImg (the ones before it found no finger).
  const captured = sensorOk.find((t) => t >= touched);
  const fingerprint = after(touched, 'fingerprint');
  const identifyLogged = fingerprint && after(fingerprint.end, 'log-append', 'checkin-attempt');
  const checkinLogged = after(touched, 'log-append', 'checkin');
  // The face step's last attempt entry before the check-in's (one per face try).
  const faceLogged = spans
    .filter(
      (s) =>
        s.step === 'log-append' &&
        s.detail?.type === 'checkin-attempt' &&
        s !== identifyLogged &&
        s.start >= (identifyLogged?.end ?? touched) &&
        s.end <= (checkinLogged?.start ?? shown),
    )
    .at(-1);
  const tasks = after(faceLogged?.end ?? touched, 'tasks');
  const proof = after(checkinLogged?.end ?? touched, 'receipt-build');
  const qr = after(proof?.end ?? touched, 'receipt-render');
  const marks: readonly (number | undefined)[] = [
    captured,
    fingerprint?.end,
    identifyLogged?.end,
    faceLogged?.start,
    faceLogged?.end,
    tasks?.end,
    checkinLogged?.end,
    proof?.end,
    qr?.end,
    shown,
  ];
  const steps = {} as Record<Step, number>;
  let last = touched;
  STEPS.forEach((step, i) => {
    const mark = Math.max(last, Math.min(shown, marks[i] ?? last));
    steps[step] = mark - last;
    last = mark;
  });
  return {
    steps,
    face: faceParts(identifyLogged?.end ?? touched, faceLogged?.start ?? shown, spans),
    analyses: spans
      .filter((s) => s.step === 'face-analysis' && s.end >= touched && s.end <= shown)
      .map((s) => ({
        wallMs: s.end - s.start,
        workerMs: Number(s.detail?.decodeMs ?? 0) + Number(s.detail?.inferenceMs ?? 0),
      })),
  };
}

function faceParts(from: number, to: number, spans: readonly CheckinSpan[]): Record<FacePart, number> {
  const wait = spans.find((s) => s.step === 'face-ahead-wait' && s.start >= from && s.end <= to);
  const waited = wait ? wait.end - wait.start : 0;
  // The frame taken ahead: the last one whose transfer started before the wait ended.
  const camera = wait && spans.filter((s) => s.step === 'camera' && s.detail?.ahead && s.start <= wait.end).at(-1);
  const wire = wait && camera ? Math.max(0, Math.min(camera.end, wait.end) - Math.max(camera.start, wait.start)) : 0;
  const own = spans
    .filter((s) => (s.step === 'camera' && !s.detail?.ahead) || s.step === 'face-analysis')
    .filter((s) => s.start >= (wait?.end ?? from) && s.end <= to)
    .reduce((sum, s) => sum + (s.end - s.start), 0);
  return {
    'waiting for the frame taken ahead': waited,
    'of it, camera wire': wire,
    'of it, face analysis': waited - wire,
    'own frames (camera and analysis)': own,
  };
}
